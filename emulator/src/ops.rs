//! Permissions, requester pays and the operations themselves.

use crate::auth::AuthMethod;
use crate::error::{OssError, OssResult};
use crate::policy::Policy;
use crate::server::{internal, Ctx, Payload, Reply, Settings, Shared, XML_DECL};
use crate::store::{release, Bucket, Object, Store, Upload};
use bytes::Bytes;
use ossc::encode::{uri_decode, uri_encode};
use ossc::time::{iso8601_extended, parse_rfc1123, rfc1123};
use ossc::xml::{escape, Acl, Payer};
use std::collections::BTreeMap;

/// What an operation does to a bucket, for canned ACLs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
    /// Bucket configuration: only the owner or a policy grants it.
    Config,
}

const REQUESTER_PAYS_DENIED: &str = "Access denied for requester pay bucket";

pub(crate) fn bucket_of<'a>(store: &'a mut Store, name: &str) -> OssResult<&'a mut Bucket> {
    store
        .buckets
        .get_mut(name)
        .ok_or_else(|| OssError::no_such_bucket(name))
}

/// The policy action an operation needs.
fn action(op: &str) -> String {
    let a = match op {
        "HeadObject" | "GetObjectMeta" => "GetObject",
        "ListObjectsV2" => "ListObjects",
        "DeleteMultipleObjects" => "DeleteObject",
        "CopyObject"
        | "AppendObject"
        | "InitiateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload" => "PutObject",
        other => other,
    };
    format!("oss:{a}")
}

/// Checks requester pays and permissions for `ctx.identity` on `bucket` (and `key`).
/// On success sets who pays; a denial is charged to the bucket owner.
pub(crate) fn authorize(
    settings: &Settings,
    ctx: &mut Ctx,
    bucket_name: &str,
    bucket: &Bucket,
    key: Option<&str>,
    op: &str,
    access: Access,
) -> OssResult<()> {
    ctx.payer = bucket.owner.clone();
    let requester = ctx.identity.uid().map(str::to_string);
    let is_owner = requester.as_deref() == Some(bucket.owner.as_str());
    let mut charged = false;
    if bucket.payer == Payer::Requester && !is_owner {
        let deny = |ec| {
            OssError::new(403, "AccessDenied", REQUESTER_PAYS_DENIED, ec)
                .with("BucketName", bucket_name)
        };
        match ctx.auth {
            AuthMethod::Anonymous => return Err(deny("0003-00000701")),
            AuthMethod::Presigned => {
                // oss2 and the Go SDKs put the payer in the URL; alibabacloud-oss-v2 presigns
                // it as a signed header (PresignResult.signed_headers). Either is accepted; a
                // URL that carries it in neither place is refused with 702.
                let in_query = ctx.q("x-oss-request-payer") == Some("requester");
                let in_header = ctx.h("x-oss-request-payer").map(str::trim) == Some("requester");
                if !in_query && !in_header {
                    return Err(deny("0003-00000702"));
                }
            }
            AuthMethod::Header => {
                if ctx.h("x-oss-request-payer").map(str::trim) != Some("requester") {
                    return Err(deny("0003-00000703"));
                }
            }
        }
        charged = true;
    }
    if !is_owner {
        let resource = match key {
            Some(k) => format!(
                "acs:oss:{}:{}:{bucket_name}/{k}",
                settings.region, bucket.owner
            ),
            None => format!("acs:oss:{}:{}:{bucket_name}", settings.region, bucket.owner),
        };
        let verdict = bucket
            .policy
            .as_ref()
            .and_then(|(_, p)| p.evaluate(requester.as_deref(), &action(op), &resource));
        let by_acl = match access {
            Access::Read => matches!(bucket.acl, Acl::PublicRead | Acl::PublicReadWrite),
            Access::Write => bucket.acl == Acl::PublicReadWrite,
            Access::Config => false,
        };
        match verdict {
            Some(false) => {
                return Err(OssError::access_denied(
                    "You have no right to access this resource: denied by bucket policy.",
                )
                .with("BucketName", bucket_name))
            }
            Some(true) => {}
            None if by_acl => {}
            None => {
                return Err(OssError::access_denied(
                    "You have no right to access this resource because of bucket acl or policy.",
                )
                .with("BucketName", bucket_name))
            }
        }
    }
    if charged {
        ctx.charged = true;
        ctx.payer = requester.unwrap_or_default();
    }
    Ok(())
}

fn access_of(op: &str) -> Access {
    match op {
        "GetObject" | "HeadObject" | "GetObjectMeta" | "ListObjects" | "ListObjectsV2"
        | "GetBucketInfo" => Access::Read,
        "PutObject"
        | "DeleteObject"
        | "DeleteMultipleObjects"
        | "CopyObject"
        | "AppendObject"
        | "InitiateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts"
        | "ListMultipartUploads" => Access::Write,
        _ => Access::Config,
    }
}

/// Saves a bucket's settings with `--data-dir`.
fn save(shared: &Shared, store: &mut Store, name: &str) -> OssResult<()> {
    if let (Some(p), Some(b)) = (&shared.persist, store.buckets.get(name)) {
        p.save_bucket(name, b).map_err(|e| internal(&e))?;
    }
    Ok(())
}

/// Forgets an object version: its files with `--data-dir`.
fn forget(shared: &Shared, bucket: &str, obj: &Object) {
    match &shared.persist {
        Some(p) => p.remove_object(bucket, obj),
        None => release(&obj.data),
    }
}

pub(crate) fn run(shared: &Shared, ctx: &mut Ctx, store: &mut Store) -> OssResult<Reply> {
    let settings = &shared.settings;
    let op = ctx.operation;
    match op {
        "ListBuckets" => return list_buckets(ctx, store),
        "PutBucket" => {
            let r = put_bucket(ctx, store)?;
            save(shared, store, ctx.bucket_name())?;
            return Ok(r);
        }
        _ => {}
    }
    let bname = ctx.bucket_name().to_string();
    let key = ctx.key.clone();
    {
        let bucket = bucket_of(store, &bname)?;
        authorize(
            settings,
            ctx,
            &bname,
            bucket,
            key.as_deref(),
            op,
            access_of(op),
        )?;
    }
    let key = key.unwrap_or_default();
    match op {
        "DeleteBucket" => {
            let r = delete_bucket(store, &bname)?;
            if let Some(p) = &shared.persist {
                p.remove_bucket(&bname).map_err(|e| internal(&e))?;
            }
            Ok(r)
        }
        "GetBucketInfo" => bucket_info(settings, store, &bname),
        "PutBucketAcl" => {
            let acl = parse_acl_header(ctx)?.ok_or_else(|| OssError::invalid_argument("x-oss-acl is required."))?;
            bucket_of(store, &bname)?.acl = acl;
            save(shared, store, &bname)?;
            Ok(Reply::empty(200))
        }
        "GetBucketAcl" => {
            let b = bucket_of(store, &bname)?;
            Ok(Reply::xml(format!(
                "{XML_DECL}<AccessControlPolicy><Owner><ID>{0}</ID><DisplayName>{0}</DisplayName></Owner><AccessControlList><Grant>{1}</Grant></AccessControlList></AccessControlPolicy>",
                b.owner,
                b.acl.as_str()
            )))
        }
        "PutBucketPolicy" => {
let text = config_text(ctx)?;
            if text.len() > 16 * 1024 {
                return Err(OssError::new(
                    400,
                    "InvalidPolicyDocument",
                    "The bucket policy must be smaller than 16 KB.",
                    "0030-00000001",
                ));
            }
            let p = Policy::parse(&text).map_err(|e| {
                OssError::new(400, "InvalidPolicyDocument", format!("The policy document is invalid: {e}"), "0031-00000001")
            })?;
            bucket_of(store, &bname)?.policy = Some((text, p));
            save(shared, store, &bname)?;
            Ok(Reply::empty(200))
        }
        "GetBucketPolicy" => match &bucket_of(store, &bname)?.policy {
            Some((text, _)) => Ok(Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                payload: Payload::Bytes(Bytes::from(text.clone())),
            }),
            None => Err(OssError::new(404, "NoSuchBucketPolicy", "The bucket policy does not exist.", "0031-00000002")
                .with("BucketName", &bname)),
        },
        "DeleteBucketPolicy" => {
            bucket_of(store, &bname)?.policy = None;
            save(shared, store, &bname)?;
            Ok(Reply::empty(204))
        }
        "PutBucketRequestPayment" => {
            let text = config_text(ctx)?;
            let leaves = ossc::xml::leaves(&text)
                .map_err(|e| OssError::malformed_xml(format!("The XML you provided was not well-formed: {e}")))?;
            let payer = match leaves.iter().find(|(p, _)| p == "RequestPaymentConfiguration/Payer") {
                Some((_, v)) if v == "Requester" => Payer::Requester,
                Some((_, v)) if v == "BucketOwner" => Payer::BucketOwner,
                _ => {
                    return Err(OssError::malformed_xml(
                        "RequestPaymentConfiguration/Payer must be Requester or BucketOwner.",
                    ))
                }
            };
            bucket_of(store, &bname)?.payer = payer;
            save(shared, store, &bname)?;
            Ok(Reply::empty(200))
        }
        "GetBucketRequestPayment" => Ok(Reply::xml(format!(
            "{XML_DECL}<RequestPaymentConfiguration><Payer>{}</Payer></RequestPaymentConfiguration>",
            bucket_of(store, &bname)?.payer.as_str()
        ))),
        "ListObjects" | "ListObjectsV2" => list_objects(ctx, bucket_of(store, &bname)?, &bname),
        "GetObject" | "HeadObject" => get_object(ctx, bucket_of(store, &bname)?, &key),
        "GetObjectMeta" => {
            let o = object(bucket_of(store, &bname)?, &key)?;
            Ok(Reply::empty(200)
                .header("ETag", o.etag.clone())
                .header("Content-Length", o.data.len().to_string())
                .header("Last-Modified", rfc1123(o.last_modified))
                .header("x-oss-hash-crc64ecma", o.crc64.to_string()))
        }
        "DeleteObject" => {
            if let Some(old) = bucket_of(store, &bname)?.objects.remove(&key) {
                forget(shared, &bname, &old);
            }
            Ok(Reply::empty(204))
        }
        "DeleteMultipleObjects" => delete_multiple(shared, ctx, store, &bname),
        "CopyObject" => copy_object(shared, ctx, store, &bname, &key),
        "InitiateMultipartUpload" => initiate_upload(ctx, bucket_of(store, &bname)?, &bname, &key),
        "AbortMultipartUpload" => {
            let b = bucket_of(store, &bname)?;
            upload_of(b, ctx, &key)?;
            if let Some(up) = b.uploads.remove(ctx.q("uploadId").unwrap_or("")) {
                up.parts.values().for_each(|p| release(&p.data));
            }
            Ok(Reply::empty(204))
        }
        "ListParts" => list_parts(ctx, bucket_of(store, &bname)?, &bname, &key),
        "ListMultipartUploads" => list_uploads(bucket_of(store, &bname)?, &bname),
        _ => Err(OssError::new(501, "NotImplemented", "Not implemented.", "0016-00000501")),
    }
}

fn config_text(ctx: &Ctx) -> OssResult<String> {
    if ctx.body.len() > crate::server::MAX_CONFIG_BODY {
        return Err(OssError::malformed_xml(
            "The configuration body is too large.",
        ));
    }
    String::from_utf8(ctx.body.to_vec())
        .map_err(|_| OssError::malformed_xml("The body is not UTF-8."))
}

fn parse_acl_header(ctx: &Ctx) -> OssResult<Option<Acl>> {
    match ctx.h("x-oss-acl") {
        None => Ok(None),
        Some(v) => Acl::parse(v).map(Some).ok_or_else(|| {
            OssError::invalid_argument(format!("no such bucket access control exists: {v}"))
        }),
    }
}

/// The caller's account: service-level operations refuse anonymous callers.
fn caller_uid(ctx: &Ctx) -> OssResult<String> {
    ctx.identity
        .uid()
        .map(str::to_string)
        .ok_or_else(|| OssError::access_denied("Anonymous access is forbidden for this operation."))
}

fn list_buckets(ctx: &mut Ctx, store: &Store) -> OssResult<Reply> {
    let uid = caller_uid(ctx)?;
    ctx.payer = uid.clone();
    let mut s = format!("{XML_DECL}<ListAllMyBucketsResult><Owner><ID>{uid}</ID><DisplayName>{uid}</DisplayName></Owner><Buckets>");
    for (name, b) in store.buckets.iter().filter(|(_, b)| b.owner == uid) {
        s += &format!(
            "<Bucket><Name>{name}</Name><CreationDate>{}</CreationDate><Location>oss-cn-hangzhou</Location><StorageClass>Standard</StorageClass></Bucket>",
            iso8601_extended(b.created)
        );
    }
    s += "</Buckets></ListAllMyBucketsResult>";
    Ok(Reply::xml(s))
}

fn put_bucket(ctx: &mut Ctx, store: &mut Store) -> OssResult<Reply> {
    let uid = caller_uid(ctx)?;
    let name = ctx.bucket_name().to_string();
    if store.buckets.contains_key(&name) {
        return Err(OssError::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available.",
            "0015-00000104",
        )
        .with("BucketName", name));
    }
    let acl = parse_acl_header(ctx)?.unwrap_or(Acl::Private);
    if !ctx.body.is_empty() {
        ossc::xml::leaves(&config_text(ctx)?).map_err(|e| {
            OssError::malformed_xml(format!("The XML you provided was not well-formed: {e}"))
        })?;
    }
    store.buckets.insert(name, Bucket::new(&uid, acl, ctx.now));
    ctx.payer = uid;
    Ok(Reply::empty(200))
}

fn delete_bucket(store: &mut Store, name: &str) -> OssResult<Reply> {
    let b = bucket_of(store, name)?;
    if !b.objects.is_empty() || !b.uploads.is_empty() {
        return Err(OssError::new(
            409,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty.",
            "0015-00000301",
        )
        .with("BucketName", name));
    }
    store.buckets.remove(name);
    Ok(Reply::empty(204))
}

fn bucket_info(settings: &Settings, store: &mut Store, name: &str) -> OssResult<Reply> {
    let b = bucket_of(store, name)?;
    Ok(Reply::xml(format!(
        "{XML_DECL}<BucketInfo><Bucket><Name>{name}</Name><CreationDate>{}</CreationDate><Location>oss-{1}</Location><Region>{1}</Region><StorageClass>Standard</StorageClass><Owner><ID>{2}</ID><DisplayName>{2}</DisplayName></Owner><AccessControlList><Grant>{3}</Grant></AccessControlList></Bucket></BucketInfo>",
        iso8601_extended(b.created),
        settings.region,
        b.owner,
        b.acl.as_str()
    )))
}

fn object<'a>(b: &'a Bucket, key: &str) -> OssResult<&'a Object> {
    b.objects.get(key).ok_or_else(|| OssError::no_such_key(key))
}

/// The request's `x-oss-meta-*` headers, checked as OSS does: names of letters, digits and
/// hyphens, at most 8 KB in all (EC 0011-00000002).
pub(crate) fn user_metadata(ctx: &Ctx) -> OssResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut total = 0;
    for (k, v) in &ctx.headers {
        let Some(name) = k.as_str().strip_prefix("x-oss-meta-") else {
            continue;
        };
        let value = v
            .to_str()
            .map_err(|_| metadata_error("a user metadata value is not visible ASCII"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(metadata_error(&format!(
                "user metadata name {name:?} may hold only letters, digits and '-'"
            )));
        }
        total += k.as_str().len() + value.len();
        out.insert(name.to_string(), value.to_string());
    }
    if total > 8 * 1024 {
        return Err(metadata_error(&format!(
            "the user metadata is {total} bytes; at most 8 KB is allowed"
        )));
    }
    Ok(out)
}

fn metadata_error(msg: &str) -> OssError {
    OssError::new(400, "InvalidArgument", msg.to_string(), "0011-00000002")
}

pub(crate) fn content_type(ctx: &Ctx) -> String {
    ctx.h("content-type")
        .filter(|s| !s.is_empty())
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`. `Ok(None)`: ignore the header (malformed or
/// several ranges), as OSS does; an unsatisfiable start is 416.
pub(crate) fn parse_range(h: &str, size: u64) -> OssResult<Option<(u64, u64)>> {
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, z)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, z) = (a.trim(), z.trim());
    let range = if a.is_empty() {
        let Ok(n) = z.parse::<u64>() else {
            return Ok(None);
        };
        if n == 0 || size == 0 {
            return Ok(None);
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let Ok(start) = a.parse::<u64>() else {
            return Ok(None);
        };
        let end = if z.is_empty() {
            size.saturating_sub(1)
        } else {
            match z.parse::<u64>() {
                Ok(e) if e >= start => e.min(size.saturating_sub(1)),
                _ => return Ok(None),
            }
        };
        if start >= size {
            return Err(OssError::new(
                416,
                "InvalidRange",
                "The requested range cannot be satisfied.",
                "0026-00000002",
            ));
        }
        (start, end)
    };
    Ok(Some(range))
}

fn get_object(ctx: &mut Ctx, b: &mut Bucket, key: &str) -> OssResult<Reply> {
    let o = object(b, key)?;
    let etag_bare = o.etag.trim_matches('"');
    if let Some(m) = ctx.h("if-match") {
        if m.trim().trim_matches('"') != etag_bare && m.trim() != "*" {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
                "0026-00000101",
            ));
        }
    }
    if let Some(t) = ctx.h("if-unmodified-since").and_then(parse_rfc1123) {
        if o.last_modified > t {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
                "0026-00000101",
            ));
        }
    }
    let not_modified = match ctx.h("if-none-match") {
        Some(m) => m.trim().trim_matches('"') == etag_bare || m.trim() == "*",
        None => ctx
            .h("if-modified-since")
            .and_then(parse_rfc1123)
            .is_some_and(|t| o.last_modified <= t),
    };
    let mut reply = Reply::empty(200)
        .header("ETag", o.etag.clone())
        .header("Last-Modified", rfc1123(o.last_modified))
        .header("x-oss-hash-crc64ecma", o.crc64.to_string())
        .header("x-oss-object-type", o.kind())
        .header("x-oss-storage-class", "Standard")
        .header("Accept-Ranges", "bytes");
    if not_modified {
        reply.status = 304;
        return Ok(reply);
    }
    for (k, v) in &o.metadata {
        reply = reply.header(&format!("x-oss-meta-{k}"), v.clone());
    }
    let mut ctype = o.content_type.clone();
    for (param, header) in [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ] {
        if let Some(v) = ctx.q(param) {
            if header == "Content-Type" {
                ctype = v.to_string();
            } else {
                reply = reply.header(header, v);
            }
        }
    }
    reply = reply.header("Content-Type", ctype);
    let size = o.data.len();
    let range = match ctx.h("range") {
        Some(r) => parse_range(r, size)?,
        None => None,
    };
    let (start, len) = match range {
        Some((s, e)) => {
            reply.status = 206;
            reply = reply.header("Content-Range", format!("bytes {s}-{e}/{size}"));
            (s, e - s + 1)
        }
        None => (0, size),
    };
    if ctx.method == "HEAD" {
        reply = reply.header("Content-Length", len.to_string());
    } else {
        // Opened now, under the lock: a later overwrite or delete does not disturb this read.
        let source = o.data.open().map_err(|e| internal(&e))?;
        reply.payload = Payload::Source { source, start, len };
    }
    Ok(reply)
}

fn list_objects(ctx: &Ctx, b: &Bucket, name: &str) -> OssResult<Reply> {
    let v2 = ctx.operation == "ListObjectsV2";
    let prefix = ctx.q("prefix").unwrap_or("");
    let delimiter = ctx.q("delimiter").unwrap_or("");
    let max_keys: usize = match ctx.q("max-keys") {
        None => 100,
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| OssError::invalid_argument("max-keys must be between 1 and 1000."))?,
    };
    let url = ctx.q("encoding-type") == Some("url");
    let enc = |s: &str| if url { uri_encode(s, true) } else { escape(s) };
    let after: String = if v2 {
        match ctx.q("continuation-token") {
            Some(t) => {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        OssError::invalid_argument("The continuation token is not valid.")
                    })?
            }
            None => ctx.q("start-after").unwrap_or("").to_string(),
        }
    } else {
        ctx.q("marker").unwrap_or("").to_string()
    };
    let mut contents = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut last = String::new();
    for (k, o) in b.objects.range::<String, _>((
        std::ops::Bound::Excluded(&after),
        std::ops::Bound::Unbounded,
    )) {
        if !k.starts_with(prefix) {
            // Keys are sorted: every key with the prefix sorts before a larger key without it.
            if k.as_str() > prefix {
                break;
            }
            continue;
        }
        let rest = &k[prefix.len()..];
        let cp = (!delimiter.is_empty())
            .then(|| {
                rest.find(delimiter)
                    .map(|i| format!("{prefix}{}", &rest[..i + delimiter.len()]))
            })
            .flatten();
        if let Some(cp) = &cp {
            if prefixes.last() == Some(cp) {
                last = k.clone();
                continue;
            }
        }
        if contents.len() + prefixes.len() == max_keys {
            truncated = true;
            break;
        }
        match cp {
            Some(cp) => prefixes.push(cp),
            None => contents.push((k, o)),
        }
        last = k.clone();
    }
    let mut s = format!(
        "{XML_DECL}<ListBucketResult><Name>{name}</Name><Prefix>{}</Prefix>",
        enc(prefix)
    );
    if v2 {
        use base64::Engine;
        if let Some(t) = ctx.q("continuation-token") {
            s += &format!("<ContinuationToken>{}</ContinuationToken>", escape(t));
        }
        if let Some(sa) = ctx.q("start-after") {
            s += &format!("<StartAfter>{}</StartAfter>", enc(sa));
        }
        s += &format!("<MaxKeys>{max_keys}</MaxKeys><Delimiter>{}</Delimiter><IsTruncated>{truncated}</IsTruncated>", enc(delimiter));
        if truncated {
            s += &format!(
                "<NextContinuationToken>{}</NextContinuationToken>",
                base64::engine::general_purpose::STANDARD.encode(last.as_bytes())
            );
        }
        s += &format!("<KeyCount>{}</KeyCount>", contents.len() + prefixes.len());
    } else {
        s += &format!(
            "<Marker>{}</Marker><MaxKeys>{max_keys}</MaxKeys><Delimiter>{}</Delimiter><IsTruncated>{truncated}</IsTruncated>",
            enc(&after),
            enc(delimiter)
        );
        if truncated {
            s += &format!("<NextMarker>{}</NextMarker>", enc(&last));
        }
    }
    if url {
        s += "<EncodingType>url</EncodingType>";
    }
    let with_owner = !v2 || ctx.q("fetch-owner") == Some("true");
    for (k, o) in contents {
        s += &format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Type>{}</Type><Size>{}</Size><StorageClass>Standard</StorageClass>",
            enc(k),
            iso8601_extended(o.last_modified),
            escape(&o.etag),
            o.kind(),
            o.data.len()
        );
        if with_owner {
            s += &format!(
                "<Owner><ID>{0}</ID><DisplayName>{0}</DisplayName></Owner>",
                b.owner
            );
        }
        s += "</Contents>";
    }
    for p in prefixes {
        s += &format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            enc(&p)
        );
    }
    s += "</ListBucketResult>";
    Ok(Reply::xml(s))
}

fn delete_multiple(
    shared: &Shared,
    ctx: &mut Ctx,
    store: &mut Store,
    bname: &str,
) -> OssResult<Reply> {
    let settings = &shared.settings;
    let text = config_text(ctx)?;
    let leaves = ossc::xml::leaves(&text).map_err(|e| {
        OssError::malformed_xml(format!("The XML you provided was not well-formed: {e}"))
    })?;
    let url = ctx.q("encoding-type") == Some("url");
    let quiet = leaves
        .iter()
        .any(|(p, v)| p == "Delete/Quiet" && v.trim() == "true");
    let mut keys = Vec::new();
    for (p, v) in &leaves {
        if p == "Delete/Object/Key" {
            let k = if url {
                uri_decode(v, false).ok_or_else(|| OssError::malformed_xml("bad key encoding"))?
            } else {
                v.clone()
            };
            keys.push(k);
        }
    }
    if keys.is_empty() || keys.len() > 1000 {
        return Err(OssError::malformed_xml(
            "Delete must list 1 to 1000 objects.",
        ));
    }
    let op = ctx.operation;
    for k in &keys {
        let b = bucket_of(store, bname)?;
        authorize(settings, ctx, bname, b, Some(k), op, Access::Write)?;
    }
    let b = bucket_of(store, bname)?;
    let mut s = format!("{XML_DECL}<DeleteResult>");
    if url {
        s += "<EncodingType>url</EncodingType>";
    }
    for k in keys {
        if let Some(old) = b.objects.remove(&k) {
            forget(shared, bname, &old);
        }
        if !quiet {
            s += &format!(
                "<Deleted><Key>{}</Key></Deleted>",
                if url {
                    uri_encode(&k, true)
                } else {
                    escape(&k)
                }
            );
        }
    }
    s += "</DeleteResult>";
    Ok(Reply::xml(s))
}

/// Resolves `x-oss-copy-source` and checks the requester may read it.
pub(crate) fn copy_source(
    settings: &Settings,
    ctx: &mut Ctx,
    store: &mut Store,
) -> OssResult<Object> {
    let raw = ctx.h("x-oss-copy-source").unwrap_or("").to_string();
    let decoded = uri_decode(&raw, false)
        .ok_or_else(|| OssError::invalid_argument("x-oss-copy-source is not valid."))?;
    let (sb, sk) = decoded
        .trim_start_matches('/')
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| OssError::invalid_argument("x-oss-copy-source must be /bucket/key."))?;
    let (sb, sk) = (sb.to_string(), sk.to_string());
    let src_bucket = bucket_of(store, &sb)?;
    let payer_before = (ctx.payer.clone(), ctx.charged);
    authorize(
        settings,
        ctx,
        &sb,
        src_bucket,
        Some(&sk),
        "GetObject",
        Access::Read,
    )?;
    (ctx.payer, ctx.charged) = (payer_before.0, payer_before.1 || ctx.charged);
    Ok(object(src_bucket, &sk)?.clone())
}

fn copy_object(
    shared: &Shared,
    ctx: &mut Ctx,
    store: &mut Store,
    bname: &str,
    key: &str,
) -> OssResult<Reply> {
    let src = copy_source(&shared.settings, ctx, store)?;
    let replace = match ctx.h("x-oss-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => {
            return Err(OssError::invalid_argument(
                "x-oss-metadata-directive must be COPY or REPLACE.",
            ))
        }
    };
    let mut obj = src.clone();
    obj.last_modified = ctx.now;
    obj.appendable = false;
    if replace {
        obj.content_type = content_type(ctx);
        obj.metadata = user_metadata(ctx)?;
    }
    // Stored data never changes, so with --data-dir the copy is a hard link to the same file.
    if let (Some(p), crate::store::Data::File { path, len }) = (&shared.persist, &src.data) {
        let tmp = p.tmp_path();
        std::fs::hard_link(path, &tmp).map_err(|e| internal(&e))?;
        obj.data = crate::store::Data::File {
            path: tmp,
            len: *len,
        };
        if let Err(e) = p.commit_object(bname, key, &mut obj) {
            release(&obj.data);
            return Err(internal(&e));
        }
    }
    let reply = Reply::xml(format!(
        "{XML_DECL}<CopyObjectResult><ETag>{}</ETag><LastModified>{}</LastModified></CopyObjectResult>",
        escape(&obj.etag),
        iso8601_extended(obj.last_modified)
    ))
    .header("x-oss-hash-crc64ecma", obj.crc64.to_string())
    .header("ETag", obj.etag.clone());
    if let Some(old) = bucket_of(store, bname)?
        .objects
        .insert(key.to_string(), obj)
    {
        forget(shared, bname, &old);
    }
    Ok(reply)
}

fn initiate_upload(ctx: &mut Ctx, b: &mut Bucket, bname: &str, key: &str) -> OssResult<Reply> {
    use md5::Digest;
    let seed = format!(
        "{bname}/{key}/{}/{}",
        ctx.now,
        b.uploads.len() + b.upload_seq as usize
    );
    b.upload_seq += 1;
    let id: String = md5::Md5::digest(seed.as_bytes())
        .iter()
        .map(|x| format!("{x:02X}"))
        .collect();
    b.uploads.insert(
        id.clone(),
        Upload {
            key: key.to_string(),
            initiated: ctx.now,
            content_type: content_type(ctx),
            metadata: user_metadata(ctx)?,
            parts: BTreeMap::new(),
        },
    );
    Ok(Reply::xml(format!(
        "{XML_DECL}<InitiateMultipartUploadResult><Bucket>{bname}</Bucket><Key>{}</Key><UploadId>{id}</UploadId></InitiateMultipartUploadResult>",
        escape(key)
    )))
}

fn upload_of<'a>(b: &'a mut Bucket, ctx: &Ctx, key: &str) -> OssResult<&'a mut Upload> {
    let id = ctx.q("uploadId").unwrap_or("");
    b.uploads
        .get_mut(id)
        .filter(|u| u.key == key)
        .ok_or_else(|| OssError::no_such_upload(id))
}

fn list_parts(ctx: &mut Ctx, b: &mut Bucket, bname: &str, key: &str) -> OssResult<Reply> {
    let id = ctx.q("uploadId").unwrap_or("").to_string();
    let up = upload_of(b, ctx, key)?;
    let mut s = format!(
        "{XML_DECL}<ListPartsResult><Bucket>{bname}</Bucket><Key>{}</Key><UploadId>{id}</UploadId><IsTruncated>false</IsTruncated>",
        escape(key)
    );
    for (n, p) in &up.parts {
        s += &format!(
            "<Part><PartNumber>{n}</PartNumber><LastModified>{}</LastModified><ETag>{}</ETag><HashCrc64ecma>{}</HashCrc64ecma><Size>{}</Size></Part>",
            iso8601_extended(p.last_modified),
            escape(&p.etag),
            p.crc64,
            p.data.len()
        );
    }
    s += "</ListPartsResult>";
    Ok(Reply::xml(s))
}

fn list_uploads(b: &Bucket, bname: &str) -> OssResult<Reply> {
    let mut s = format!("{XML_DECL}<ListMultipartUploadsResult><Bucket>{bname}</Bucket><IsTruncated>false</IsTruncated>");
    for (id, u) in &b.uploads {
        s += &format!(
            "<Upload><Key>{}</Key><UploadId>{id}</UploadId><Initiated>{}</Initiated></Upload>",
            escape(&u.key),
            iso8601_extended(u.initiated)
        );
    }
    s += "</ListMultipartUploadsResult>";
    Ok(Reply::xml(s))
}
