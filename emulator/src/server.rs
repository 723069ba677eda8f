//! The HTTP side: hyper on tokio, request parsing, routing, permissions, requester pays,
//! the ledger, and every operation.

use crate::accounts::Identity;
use crate::auth::{authenticate, AuthMethod, Keyring};
use crate::error::{OssError, OssResult};
use crate::ledger::{self, Entry};
use crate::store::Store;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{HeaderMap, Request, Response};
use ossc::encode::{parse_query, uri_decode};
use ossc::sign::SignableRequest;
use ossc::time::{iso8601_extended, now_unix, rfc1123};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Largest single PUT OSS accepts (5 GiB).
pub const MAX_OBJECT_SIZE: usize = 5 << 30;
/// Largest XML or JSON configuration body.
pub(crate) const MAX_CONFIG_BODY: usize = 1 << 20;

/// Settings of a running server.
#[derive(Clone, Debug)]
pub struct Settings {
    pub region: String,
    /// Enables virtual-hosted addressing for `Host: <bucket>.<domain>`.
    pub domain: Option<String>,
    pub quiet: bool,
}

pub struct Shared {
    pub settings: Settings,
    pub keys: Keyring,
    pub store: Mutex<Store>,
    pub ledger: Mutex<Vec<Entry>>,
    seq: AtomicU64,
    /// Lets tests and tools run the server in a shifted clock (seconds added to now).
    pub clock_offset: std::sync::atomic::AtomicI64,
}

impl Shared {
    pub fn new(settings: Settings, keys: Keyring) -> Self {
        Shared {
            settings,
            keys,
            store: Mutex::new(Store::default()),
            ledger: Mutex::new(Vec::new()),
            seq: AtomicU64::new(1),
            clock_offset: Default::default(),
        }
    }

    fn now(&self) -> i64 {
        now_unix() + self.clock_offset.load(Ordering::Relaxed)
    }

    fn request_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!(
            "{:08X}{:08X}{:08X}",
            now_unix() as u32,
            std::process::id(),
            n as u32
        )
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ledger(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A successful answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }
    pub(crate) fn xml(body: String) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: Bytes::from(body),
        }
    }
    pub(crate) fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

/// One request being served.
pub(crate) struct Ctx {
    pub(crate) method: String,
    pub(crate) bucket: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) query: Vec<(String, Option<String>)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) now: i64,
    pub(crate) operation: &'static str,
    pub(crate) identity: Identity,
    pub(crate) auth: AuthMethod,
    pub(crate) payer: String,
    pub(crate) charged: bool,
}

impl Ctx {
    pub(crate) fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }
    pub(crate) fn h(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub(crate) fn bucket_name(&self) -> &str {
        self.bucket.as_deref().unwrap_or("")
    }
    pub(crate) fn key_name(&self) -> &str {
        self.key.as_deref().unwrap_or("")
    }
}

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Serves one HTTP request.
pub async fn handle(
    shared: std::sync::Arc<Shared>,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if path == "/_ossemu/ledger" || path == "/_ossemu/usage" {
        return admin(&shared, &path, parts.uri.query().unwrap_or(""));
    }
    let request_id = shared.request_id();
    let body = Limited::new(body, MAX_OBJECT_SIZE)
        .collect()
        .await
        .map(|c| c.to_bytes());
    let mut ctx = Ctx {
        method: parts.method.as_str().to_string(),
        bucket: None,
        key: None,
        query: Vec::new(),
        headers: parts.headers,
        body: Bytes::new(),
        now: shared.now(),
        operation: "Unknown",
        identity: Identity::Anonymous,
        auth: AuthMethod::Anonymous,
        payer: String::new(),
        charged: false,
    };
    let result = match body {
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(OssError::new(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed object size.",
            "0006-00000101",
        )),
        Err(e) => Err(OssError::new(
            400,
            "IncompleteBody",
            format!("The request body could not be read completely: {e}"),
            "0006-00000201",
        )),
        Ok(b) => {
            ctx.body = b;
            process(&shared, &mut ctx, &parts.uri)
        }
    };
    let bytes_in = ctx.body.len() as u64;
    let host_id = ctx.h("host").unwrap_or("localhost").to_string();
    let head = ctx.method == "HEAD";
    let (status, code, mut reply) = match result {
        Ok(r) => (r.status, String::new(), r),
        Err(e) => {
            let xml = e.to_xml(&request_id, &host_id);
            let mut r = Reply::empty(e.status);
            if head {
                use base64::Engine;
                r = r
                    .header(
                        "x-oss-err",
                        base64::engine::general_purpose::STANDARD.encode(&xml),
                    )
                    .header("x-oss-ec", e.ec);
            } else {
                r = r
                    .header("Content-Type", "application/xml")
                    .header("x-oss-ec", e.ec);
                r.body = Bytes::from(xml);
            }
            (e.status, e.code.to_string(), r)
        }
    };
    if head {
        reply.body = Bytes::new();
    }
    if ctx.charged && status < 300 {
        reply
            .headers
            .push(("x-oss-request-charged".into(), "requester".into()));
    }
    let bytes_out = reply.body.len() as u64;
    let entry = Entry {
        request_id: request_id.clone(),
        time: iso8601_extended(ctx.now).replace(".000Z", "Z"),
        operation: ctx.operation.to_string(),
        bucket: ctx.bucket_name().to_string(),
        key: ctx.key_name().to_string(),
        requester: ctx.identity.label(),
        payer: ctx.payer.clone(),
        status,
        error_code: code,
        bytes_in,
        bytes_out,
    };
    if !shared.settings.quiet {
        eprintln!(
            "ossemu: {} {} {} bucket={} key={:?} status={} in={} out={} payer={}",
            entry.request_id,
            entry.requester,
            entry.operation,
            entry.bucket,
            entry.key,
            entry.status,
            entry.bytes_in,
            entry.bytes_out,
            if entry.payer.is_empty() {
                "-"
            } else {
                &entry.payer
            }
        );
    }
    shared.ledger().push(entry);
    let mut resp = Response::builder()
        .status(status)
        .header("x-oss-request-id", &request_id)
        .header("Date", rfc1123(now_unix()))
        .header("Server", "AliyunOSS");
    for (k, v) in &reply.headers {
        resp = resp.header(k.as_str(), v.as_str());
    }
    if head {
        // HEAD keeps the Content-Length of what GET would send, set by the operation.
        return resp.body(Full::new(Bytes::new())).unwrap_or_default();
    }
    resp.body(Full::new(reply.body)).unwrap_or_default()
}

fn admin(shared: &Shared, path: &str, query: &str) -> Response<Full<Bytes>> {
    let entries = shared.ledger().clone();
    let body = if path.ends_with("ledger") {
        let since: usize = parse_query(query)
            .unwrap_or_default()
            .iter()
            .find(|(k, _)| k == "since")
            .and_then(|(_, v)| v.as_deref()?.parse().ok())
            .unwrap_or(0);
        serde_json::to_string_pretty(&entries.get(since..).unwrap_or(&[])).unwrap_or_default()
    } else {
        serde_json::to_string_pretty(&ledger::usage(&entries)).unwrap_or_default()
    };
    Response::builder()
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn invalid_bucket(name: &str) -> OssError {
    OssError::new(
        400,
        "InvalidBucketName",
        "The specified bucket is not valid.",
        "0015-00000001",
    )
    .with("BucketName", name)
}

fn parse_target(shared: &Shared, ctx: &mut Ctx, uri: &hyper::Uri) -> OssResult<()> {
    let bad_uri = || {
        OssError::new(
            400,
            "InvalidURI",
            "Could not parse the specified URI.",
            "0016-00000003",
        )
    };
    ctx.query = parse_query(uri.query().unwrap_or("")).ok_or_else(bad_uri)?;
    let raw = uri.path().strip_prefix('/').unwrap_or(uri.path());
    let host = ctx
        .h("host")
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let virtual_bucket = shared
        .settings
        .domain
        .as_deref()
        .and_then(|d| host.strip_suffix(&format!(".{}", d.to_ascii_lowercase())))
        .map(str::to_string);
    let (bucket, key) = match virtual_bucket {
        Some(b) => (Some(b), raw),
        None => match raw.split_once('/') {
            Some((b, k)) => (Some(uri_decode(b, false).ok_or_else(bad_uri)?), k),
            None if raw.is_empty() => (None, ""),
            None => (Some(uri_decode(raw, false).ok_or_else(bad_uri)?), ""),
        },
    };
    ctx.bucket = bucket;
    if !key.is_empty() {
        let k = uri_decode(key, false).ok_or_else(bad_uri)?;
        if k.len() > 1023 || k.starts_with('/') || k.starts_with('\\') {
            ctx.key = Some(k.chars().take(64).collect());
            return Err(OssError::new(
                400,
                "InvalidObjectName",
                "The specified object name is not valid: 1 to 1023 bytes, not starting with / or \\.",
                "0016-00000005",
            ));
        }
        ctx.key = Some(k);
    }
    if let Some(b) = &ctx.bucket {
        if ossc::config::validate_bucket_name(b).is_err() {
            return Err(invalid_bucket(b));
        }
    }
    Ok(())
}

fn operation(ctx: &Ctx) -> OssResult<&'static str> {
    let m = ctx.method.as_str();
    let op = match (&ctx.bucket, &ctx.key) {
        (None, _) => match m {
            "GET" => "ListBuckets",
            _ => "",
        },
        (Some(_), None) => match m {
            "PUT" if ctx.has("acl") => "PutBucketAcl",
            "PUT" if ctx.has("policy") => "PutBucketPolicy",
            "PUT" if ctx.has("requestPayment") => "PutBucketRequestPayment",
            "PUT" if ctx.query.is_empty() => "PutBucket",
            "GET" if ctx.has("acl") => "GetBucketAcl",
            "GET" if ctx.has("policy") => "GetBucketPolicy",
            "GET" if ctx.has("requestPayment") => "GetBucketRequestPayment",
            "GET" if ctx.has("bucketInfo") => "GetBucketInfo",
            "GET" if ctx.has("uploads") => "ListMultipartUploads",
            "GET" if ctx.q("list-type") == Some("2") => "ListObjectsV2",
            "GET" => "ListObjects",
            "DELETE" if ctx.has("policy") => "DeleteBucketPolicy",
            "DELETE" if ctx.query.is_empty() => "DeleteBucket",
            "POST" if ctx.has("delete") => "DeleteMultipleObjects",
            _ => "",
        },
        (Some(_), Some(_)) => match m {
            "PUT" if ctx.has("uploadId") && ctx.h("x-oss-copy-source").is_some() => {
                "UploadPartCopy"
            }
            "PUT" if ctx.has("uploadId") => "UploadPart",
            "PUT" if ctx.h("x-oss-copy-source").is_some() => "CopyObject",
            "PUT" => "PutObject",
            "GET" if ctx.has("uploadId") => "ListParts",
            "GET" if ctx.has("objectMeta") => "GetObjectMeta",
            "GET" => "GetObject",
            "HEAD" if ctx.has("objectMeta") => "GetObjectMeta",
            "HEAD" => "HeadObject",
            "DELETE" if ctx.has("uploadId") => "AbortMultipartUpload",
            "DELETE" => "DeleteObject",
            "POST" if ctx.has("append") => "AppendObject",
            "POST" if ctx.has("uploads") => "InitiateMultipartUpload",
            "POST" if ctx.has("uploadId") => "CompleteMultipartUpload",
            _ => "",
        },
    };
    if op.is_empty() {
        return Err(OssError::new(
            501,
            "NotImplemented",
            format!("ossemu does not implement {m} with these parameters."),
            "0016-00000501",
        ));
    }
    Ok(op)
}

fn process(shared: &Shared, ctx: &mut Ctx, uri: &hyper::Uri) -> OssResult<Reply> {
    parse_target(shared, ctx, uri)?;
    ctx.operation = operation(ctx)?;
    let signable = SignableRequest {
        method: ctx.method.clone(),
        bucket: ctx.bucket.clone(),
        key: ctx.key.clone(),
        query: ctx.query.clone(),
        headers: ctx
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
    };
    let (identity, auth) = authenticate(&shared.keys, &shared.settings.region, &signable, ctx.now)?;
    ctx.identity = identity;
    ctx.auth = auth;
    if let Some(md5) = ctx.h("content-md5") {
        use base64::Engine;
        use md5::Digest;
        let got = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&ctx.body));
        if md5.trim() != got {
            return Err(OssError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
                "0016-00000305",
            ));
        }
    }
    let mut store = shared.store();
    crate::ops::run(&shared.settings, ctx, &mut store)
}
