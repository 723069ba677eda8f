//! Operations that move object data: PutObject, AppendObject and UploadPart stream the request
//! body; UploadPartCopy and CompleteMultipartUpload copy stored data. Each runs in three
//! phases so the store lock is never held while data moves: check and authorize under the
//! lock; receive or copy into a [`Writer`] (a temporary file with `--data-dir`, so memory does
//! not grow with object size); commit under the lock after checking nothing changed meanwhile.

use crate::error::{OssError, OssResult};
use crate::ops::{
    authorize, bucket_of, content_type, copy_source, parse_range, user_metadata, Access,
};
use crate::server::{self, internal, Ctx, Reply, Shared, MAX_OBJECT_SIZE, XML_DECL};
use crate::store::{hex_upper, release, Data, Digests, Object, Source, Upload, Writer};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use ossc::time::iso8601_extended;
use ossc::xml::escape;

/// Whether `op` is served here rather than by ops.rs.
pub(crate) fn handles(op: &str) -> bool {
    matches!(
        op,
        "PutObject" | "AppendObject" | "UploadPart" | "UploadPartCopy" | "CompleteMultipartUpload"
    )
}

pub(crate) async fn run(shared: &Shared, ctx: &mut Ctx, body: Incoming) -> OssResult<Reply> {
    match ctx.operation {
        "PutObject" => put_object(shared, ctx, body).await,
        "AppendObject" => append_object(shared, ctx, body).await,
        "UploadPart" => upload_part(shared, ctx, body).await,
        "UploadPartCopy" => {
            server::collect(ctx, body, 0).await?;
            upload_part_copy(shared, ctx)
        }
        _ => {
            server::collect(ctx, body, server::MAX_CONFIG_BODY).await?;
            server::check_content_md5(ctx)?;
            complete_upload(shared, ctx)
        }
    }
}

/// Phase 1 for every operation here: the bucket exists and the caller may write to it.
fn check_write(shared: &Shared, ctx: &mut Ctx) -> OssResult<()> {
    let bname = ctx.bucket_name().to_string();
    let key = ctx.key.clone();
    let store = shared.store();
    let b = store
        .buckets
        .get(&bname)
        .ok_or_else(|| OssError::no_such_bucket(&bname))?;
    authorize(
        &shared.settings,
        ctx,
        &bname,
        b,
        key.as_deref(),
        ctx.operation,
        Access::Write,
    )
}

/// Streams the request body into `w`, counting it, up to the largest object OSS accepts.
async fn receive(ctx: &mut Ctx, mut body: Incoming, w: &mut Writer) -> OssResult<()> {
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| server::incomplete(&e))?;
        if let Ok(data) = frame.into_data() {
            ctx.bytes_in += data.len() as u64;
            if w.written() + data.len() as u64 > MAX_OBJECT_SIZE {
                return Err(OssError::new(
                    400,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed object size.",
                    "0006-00000101",
                ));
            }
            w.write_bytes(data).map_err(|e| internal(&e))?;
        }
    }
    Ok(())
}

/// Receives the body, then finishes the writer and checks Content-MD5. On any failure the
/// partial data is removed: nothing half-received is ever stored.
async fn receive_all(ctx: &mut Ctx, body: Incoming, mut w: Writer) -> OssResult<(Data, Digests)> {
    if let Err(e) = receive(ctx, body, &mut w).await {
        w.discard();
        return Err(e);
    }
    let (data, d) = w.finish().map_err(|e| internal(&e))?;
    if let Some(want) = ctx.h("content-md5") {
        use base64::Engine;
        if want.trim() != base64::engine::general_purpose::STANDARD.encode(d.md5) {
            release(&data);
            return Err(server::invalid_digest());
        }
    }
    Ok((data, d))
}

/// Phase 3 for new object versions: stores `obj` under `key`, replacing (and releasing) any
/// older version. `still_valid` re-checks, under the lock, what phase 1 saw.
fn commit(
    shared: &Shared,
    ctx: &Ctx,
    mut obj: Object,
    still_valid: impl FnOnce(Option<&Object>) -> OssResult<()>,
) -> OssResult<()> {
    let (bname, key) = (ctx.bucket_name().to_string(), ctx.key_name().to_string());
    let mut store = shared.store();
    let b = match bucket_of(&mut store, &bname) {
        Ok(b) => b,
        Err(e) => {
            release(&obj.data);
            return Err(e);
        }
    };
    if let Err(e) = still_valid(b.objects.get(&key)) {
        release(&obj.data);
        return Err(e);
    }
    if let Some(p) = &shared.persist {
        if let Err(e) = p.commit_object(&bname, &key, &mut obj) {
            release(&obj.data);
            return Err(internal(&e));
        }
    }
    if let Some(old) = b.objects.insert(key, obj) {
        match &shared.persist {
            Some(p) => p.remove_object(&bname, &old),
            None => release(&old.data),
        }
    }
    Ok(())
}

async fn put_object(shared: &Shared, ctx: &mut Ctx, body: Incoming) -> OssResult<Reply> {
    let meta = match check_write(shared, ctx).and_then(|_| user_metadata(ctx)) {
        Ok(m) => m,
        Err(e) => {
            server::drain(ctx, body).await;
            return Err(e);
        }
    };
    let (data, d) = receive_all(ctx, body, shared.writer()?).await?;
    let obj = Object::new(data, &d, content_type(ctx), meta, ctx.now);
    let reply = Reply::empty(200)
        .header("ETag", obj.etag.clone())
        .header("x-oss-hash-crc64ecma", obj.crc64.to_string())
        .header("Content-MD5", obj.content_md5.clone().unwrap_or_default());
    commit(shared, ctx, obj, |_| Ok(()))?;
    Ok(reply)
}

fn position_error(len: u64) -> OssError {
    OssError::new(
        409,
        "PositionNotEqualToLength",
        "Position is not equal to file length.",
        "0026-00000302",
    )
    .with("NextAppendPosition", len.to_string())
}

async fn append_object(shared: &Shared, ctx: &mut Ctx, body: Incoming) -> OssResult<Reply> {
    let position: Option<u64> = ctx.q("position").and_then(|p| p.parse().ok());
    // Phase 1: permission, position, and the current data to continue from.
    let prior = (|| {
        check_write(shared, ctx)?;
        let position = position
            .ok_or_else(|| OssError::invalid_argument("position is required for append."))?;
        let new_meta = user_metadata(ctx)?;
        let store = shared.store();
        let cur = store
            .buckets
            .get(ctx.bucket_name())
            .and_then(|b| b.objects.get(ctx.key_name()));
        if cur.is_some_and(|o| !o.appendable) {
            return Err(OssError::new(
                409,
                "ObjectNotAppendable",
                "The object is not appendable.",
                "0026-00000301",
            ));
        }
        let len = cur.map_or(0, |o| o.data.len());
        if position != len {
            return Err(position_error(len));
        }
        let prior = cur.map(|o| {
            (
                o.data.open(),
                o.id.clone(),
                o.last_modified,
                o.content_type.clone(),
                o.metadata.clone(),
            )
        });
        Ok((new_meta, prior))
    })();
    let (new_meta, prior) = match prior {
        Ok(p) => p,
        Err(e) => {
            server::drain(ctx, body).await;
            return Err(e);
        }
    };
    let mut w = shared.writer()?;
    let (ctype, meta, version) = match prior {
        Some((source, id, modified, ctype, meta)) => {
            let mut source = source.map_err(|e| internal(&e))?;
            let len = source.size();
            if let Err(e) = source.copy_range(0, len, &mut w) {
                w.discard();
                return Err(internal(&e));
            }
            (ctype, meta, Some((id, modified, len)))
        }
        None => (content_type(ctx), new_meta, None),
    };
    let (data, d) = receive_all(ctx, body, w).await?;
    let mut obj = Object::new(data, &d, ctype, meta, ctx.now);
    obj.appendable = true;
    let next = d.len;
    let reply = Reply::empty(200)
        .header("x-oss-next-append-position", next.to_string())
        .header("x-oss-hash-crc64ecma", obj.crc64.to_string())
        .header("ETag", obj.etag.clone());
    // Another append may have landed meanwhile: then this one's position is stale.
    commit(shared, ctx, obj, |cur| match (cur, &version) {
        (None, None) => Ok(()),
        (Some(c), Some((id, modified, _))) if &c.id == id && c.last_modified == *modified => Ok(()),
        (c, _) => Err(position_error(c.map_or(0, |c| c.data.len()))),
    })?;
    Ok(reply)
}

fn part_number(ctx: &Ctx) -> OssResult<u32> {
    ctx.q("partNumber")
        .and_then(|p| p.parse().ok())
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| OssError::invalid_argument("partNumber must be between 1 and 10000."))
}

fn upload_exists(shared: &Shared, ctx: &Ctx) -> OssResult<()> {
    let id = ctx.q("uploadId").unwrap_or("");
    let store = shared.store();
    store
        .buckets
        .get(ctx.bucket_name())
        .and_then(|b| b.uploads.get(id))
        .filter(|u| u.key == ctx.key_name())
        .map(|_| ())
        .ok_or_else(|| OssError::no_such_upload(id))
}

/// Phase 3 for parts: stores the part if its upload still exists.
fn store_part(shared: &Shared, ctx: &Ctx, n: u32, part: Object) -> OssResult<()> {
    let id = ctx.q("uploadId").unwrap_or("").to_string();
    let mut store = shared.store();
    let up = store
        .buckets
        .get_mut(ctx.bucket_name())
        .and_then(|b| b.uploads.get_mut(&id))
        .filter(|u| u.key == ctx.key_name());
    let Some(up) = up else {
        release(&part.data);
        return Err(OssError::no_such_upload(&id));
    };
    if let Some(old) = up.parts.insert(n, part) {
        release(&old.data);
    }
    Ok(())
}

async fn upload_part(shared: &Shared, ctx: &mut Ctx, body: Incoming) -> OssResult<Reply> {
    let n = match check_write(shared, ctx)
        .and_then(|_| part_number(ctx))
        .and_then(|n| upload_exists(shared, ctx).map(|_| n))
    {
        Ok(n) => n,
        Err(e) => {
            server::drain(ctx, body).await;
            return Err(e);
        }
    };
    let (data, d) = receive_all(ctx, body, shared.writer()?).await?;
    let part = Object::new(data, &d, String::new(), Default::default(), ctx.now);
    let reply = Reply::empty(200)
        .header("ETag", part.etag.clone())
        .header("x-oss-hash-crc64ecma", part.crc64.to_string());
    store_part(shared, ctx, n, part)?;
    Ok(reply)
}

fn upload_part_copy(shared: &Shared, ctx: &mut Ctx) -> OssResult<Reply> {
    check_write(shared, ctx)?;
    let n = part_number(ctx)?;
    upload_exists(shared, ctx)?;
    let mut source = {
        let mut store = shared.store();
        let src = copy_source(&shared.settings, ctx, &mut store)?;
        src.data.open().map_err(|e| internal(&e))?
    };
    let size = source.size();
    let (start, end) = match ctx.h("x-oss-copy-source-range") {
        Some(r) => parse_range(r, size)?.unwrap_or((0, size.saturating_sub(1))),
        None => (0, size.saturating_sub(1)),
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let mut w = shared.writer()?;
    if let Err(e) = source.copy_range(start, len, &mut w) {
        w.discard();
        return Err(internal(&e));
    }
    let (data, d) = w.finish().map_err(|e| internal(&e))?;
    let part = Object::new(data, &d, String::new(), Default::default(), ctx.now);
    let xml = format!(
        "{XML_DECL}<CopyPartResult><LastModified>{}</LastModified><ETag>{}</ETag></CopyPartResult>",
        iso8601_extended(ctx.now),
        escape(&part.etag)
    );
    let reply = Reply::xml(xml).header("x-oss-hash-crc64ecma", part.crc64.to_string());
    store_part(shared, ctx, n, part)?;
    Ok(reply)
}

fn complete_upload(shared: &Shared, ctx: &mut Ctx) -> OssResult<Reply> {
    check_write(shared, ctx)?;
    let id = ctx.q("uploadId").unwrap_or("").to_string();
    let text = String::from_utf8(ctx.body.to_vec())
        .map_err(|_| OssError::malformed_xml("The body is not UTF-8."))?;
    // Phase 1: the part list, checked against the upload, with each part opened.
    let (sources, md5s, count, ctype, meta) = {
        let store = shared.store();
        let up: &Upload = store
            .buckets
            .get(ctx.bucket_name())
            .and_then(|b| b.uploads.get(&id))
            .filter(|u| u.key == ctx.key_name())
            .ok_or_else(|| OssError::no_such_upload(&id))?;
        let list: Vec<(u32, String)> = if ctx.h("x-oss-complete-all").is_some_and(|v| v == "yes") {
            up.parts.iter().map(|(n, p)| (*n, p.etag.clone())).collect()
        } else {
            let leaves = ossc::xml::leaves(&text).map_err(|e| {
                OssError::malformed_xml(format!("The XML you provided was not well-formed: {e}"))
            })?;
            let nums: Vec<u32> = leaves
                .iter()
                .filter(|(p, _)| p == "CompleteMultipartUpload/Part/PartNumber")
                .map(|(_, v)| {
                    v.trim()
                        .parse()
                        .map_err(|_| OssError::malformed_xml("PartNumber must be a number."))
                })
                .collect::<OssResult<_>>()?;
            let tags: Vec<String> = leaves
                .iter()
                .filter(|(p, _)| p == "CompleteMultipartUpload/Part/ETag")
                .map(|(_, v)| v.trim().to_string())
                .collect();
            if nums.is_empty() || nums.len() != tags.len() {
                return Err(OssError::malformed_xml(
                    "Each Part needs a PartNumber and an ETag.",
                ));
            }
            nums.into_iter().zip(tags).collect()
        };
        if list.is_empty() {
            return Err(OssError::malformed_xml(
                "The upload has no parts to complete.",
            ));
        }
        if list.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(OssError::new(
                400,
                "InvalidPartOrder",
                "The list of parts was not in ascending order.",
                "0042-00000204",
            ));
        }
        let mut sources: Vec<Source> = Vec::new();
        let mut md5s = Vec::new();
        for (i, (n, etag)) in list.iter().enumerate() {
            let part = up
                .parts
                .get(n)
                .filter(|p| p.etag.trim_matches('"') == etag.trim_matches('"'))
                .ok_or_else(|| {
                    OssError::new(
                        400,
                        "InvalidPart",
                        "One or more of the specified parts could not be found.",
                        "0042-00000205",
                    )
                })?;
            if i + 1 < list.len() && part.data.len() < 100 * 1024 {
                return Err(OssError::new(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size.",
                    "0042-00000206",
                ));
            }
            let hex = part.etag.trim_matches('"');
            md5s.extend(
                (0..hex.len() / 2)
                    .filter_map(|j| u8::from_str_radix(&hex[j * 2..j * 2 + 2], 16).ok()),
            );
            sources.push(part.data.open().map_err(|e| internal(&e))?);
        }
        (
            sources,
            md5s,
            list.len(),
            up.content_type.clone(),
            up.metadata.clone(),
        )
    };
    // Phase 2: concatenate.
    let mut w = shared.writer()?;
    for mut s in sources {
        let len = s.size();
        if let Err(e) = s.copy_range(0, len, &mut w) {
            w.discard();
            return Err(internal(&e));
        }
    }
    let (data, d) = w.finish().map_err(|e| internal(&e))?;
    let mut obj = Object::new(data, &d, ctype, meta, ctx.now);
    {
        use md5::Digest;
        obj.etag = format!("\"{}-{count}\"", hex_upper(&md5::Md5::digest(&md5s)));
        obj.content_md5 = None;
    }
    let (bname, key) = (ctx.bucket_name().to_string(), ctx.key_name().to_string());
    let reply = Reply::xml(format!(
        "{XML_DECL}<CompleteMultipartUploadResult><Location>/{bname}/{0}</Location><Bucket>{bname}</Bucket><Key>{0}</Key><ETag>{1}</ETag></CompleteMultipartUploadResult>",
        escape(&key),
        escape(&obj.etag)
    ))
    .header("x-oss-hash-crc64ecma", obj.crc64.to_string())
    .header("ETag", obj.etag.clone());
    // Phase 3: the upload must still exist; it ends here.
    let upload = {
        let mut store = shared.store();
        store
            .buckets
            .get_mut(&bname)
            .and_then(|b| b.uploads.remove(&id))
    };
    let Some(upload) = upload else {
        release(&obj.data);
        return Err(OssError::no_such_upload(&id));
    };
    for p in upload.parts.values() {
        release(&p.data);
    }
    commit(shared, ctx, obj, |_| Ok(()))?;
    Ok(reply)
}
