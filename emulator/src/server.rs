//! The HTTP side: hyper on tokio, request parsing, routing, the ledger and the log line.
//!
//! A request is handled in this order: parse the target and authenticate from the headers
//! alone; then either stream the body (uploads, see transfer.rs) or collect a small body
//! (configuration, XML) and run the operation under the store lock (ops.rs).

use crate::accounts::Identity;
use crate::auth::{authenticate, AuthMethod, Keyring};
use crate::error::{OssError, OssResult};
use crate::ledger::{self, Entry};
use crate::persist::Persist;
use crate::store::{Source, Store};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{HeaderMap, Request, Response};
use ossc::encode::{parse_query, uri_decode};
use ossc::sign::SignableRequest;
use ossc::time::{iso8601_extended, now_unix, rfc1123};
use std::io::Read;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};

/// Largest single PUT OSS accepts (5 GiB).
pub const MAX_OBJECT_SIZE: u64 = 5 << 30;
/// Largest body of a non-upload request (XML, JSON): 1000 keys to delete, 10000 parts.
pub(crate) const MAX_CONFIG_BODY: usize = 4 << 20;
/// After an early refusal, at most this much of the request body is read and discarded so the
/// client sees the error rather than a broken pipe; beyond it the connection is closed.
const MAX_DRAIN: u64 = 64 << 20;

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
    /// Present with `--data-dir`.
    pub persist: Option<Persist>,
    pub ledger: Mutex<Vec<Entry>>,
    seq: AtomicU64,
    /// Lets tests run the server on a shifted clock (seconds added to now).
    pub clock_offset: std::sync::atomic::AtomicI64,
}

impl Shared {
    pub fn new(settings: Settings, keys: Keyring, store: Store, persist: Option<Persist>) -> Self {
        Shared {
            settings,
            keys,
            store: Mutex::new(store),
            persist,
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

    /// A writer for incoming data: a temporary file with `--data-dir`, else memory.
    pub(crate) fn writer(&self) -> OssResult<crate::store::Writer> {
        match &self.persist {
            Some(p) => crate::store::Writer::file(p.tmp_path()).map_err(|e| internal(&e)),
            None => Ok(crate::store::Writer::memory()),
        }
    }
}

pub(crate) fn internal(e: &dyn std::fmt::Display) -> OssError {
    OssError::new(
        500,
        "InternalError",
        format!("ossemu storage failure: {e}"),
        "0001-00000001",
    )
}

/// What a successful answer carries.
pub(crate) enum Payload {
    Bytes(Bytes),
    /// `len` bytes of opened object data from `start`.
    Source {
        source: Source,
        start: u64,
        len: u64,
    },
}

/// A successful answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) payload: Payload,
}

impl Reply {
    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            payload: Payload::Bytes(Bytes::new()),
        }
    }
    pub(crate) fn xml(body: String) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            payload: Payload::Bytes(Bytes::from(body)),
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
    /// The collected body of a non-upload request.
    pub(crate) body: Bytes,
    pub(crate) bytes_in: u64,
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

/// A response body: bytes in memory, or object data streamed from its file.
pub enum RespBody {
    Bytes(Option<Bytes>),
    File { file: std::fs::File, left: u64 },
}

impl hyper::body::Body for RespBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            RespBody::Bytes(b) => Poll::Ready(
                b.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            RespBody::File { file, left } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                // A plain read: object files are local and mostly in the page cache, and a read
                // of 256 KiB is short next to sending it.
                let mut buf = vec![0u8; (*left).min(256 << 10) as usize];
                match file.read(&mut buf) {
                    Ok(0) => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "object file is shorter than recorded",
                    )))),
                    Ok(n) => {
                        buf.truncate(n);
                        *left -= n as u64;
                        Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
                    }
                    Err(e) => Poll::Ready(Some(Err(e))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RespBody::Bytes(b) => b.as_ref().is_none_or(|b| b.is_empty()),
            RespBody::File { left, .. } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RespBody::Bytes(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            RespBody::File { left, .. } => SizeHint::with_exact(*left),
        }
    }
}

fn payload_body(p: Payload) -> std::io::Result<(RespBody, u64)> {
    Ok(match p {
        Payload::Bytes(b) => {
            let n = b.len() as u64;
            (RespBody::Bytes(Some(b)), n)
        }
        Payload::Source {
            source: Source::Mem(b),
            start,
            len,
        } => (
            RespBody::Bytes(Some(b.slice(start as usize..(start + len) as usize))),
            len,
        ),
        Payload::Source {
            source: Source::File(mut f, _),
            start,
            len,
        } => {
            use std::io::Seek;
            f.seek(std::io::SeekFrom::Start(start))?;
            (RespBody::File { file: f, left: len }, len)
        }
    })
}

/// Serves one HTTP request.
pub async fn handle(shared: std::sync::Arc<Shared>, req: Request<Incoming>) -> Response<RespBody> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if path == "/_ossemu/ledger" || path == "/_ossemu/usage" {
        return admin(&shared, &path, parts.uri.query().unwrap_or(""));
    }
    let request_id = shared.request_id();
    let mut ctx = Ctx {
        method: parts.method.as_str().to_string(),
        bucket: None,
        key: None,
        query: Vec::new(),
        headers: parts.headers,
        body: Bytes::new(),
        bytes_in: 0,
        now: shared.now(),
        operation: "Unknown",
        identity: Identity::Anonymous,
        auth: AuthMethod::Anonymous,
        payer: String::new(),
        charged: false,
    };
    let result = serve(&shared, &mut ctx, &parts.uri, body).await;
    let host_id = ctx.h("host").unwrap_or("localhost").to_string();
    let head = ctx.method == "HEAD";
    let (status, code, reply) = match result {
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
                r.payload = Payload::Bytes(Bytes::from(xml));
            }
            (e.status, e.code.to_string(), r)
        }
    };
    let mut headers = reply.headers;
    if ctx.charged && status < 300 {
        headers.push(("x-oss-request-charged".into(), "requester".into()));
    }
    let (body, bytes_out) = if head {
        (RespBody::Bytes(None), 0)
    } else {
        payload_body(reply.payload).unwrap_or_else(|_| (RespBody::Bytes(None), 0))
    };
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
        bytes_in: ctx.bytes_in,
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
        .header("Date", rfc1123(ctx.now))
        .header("Server", "AliyunOSS");
    for (k, v) in &headers {
        resp = resp.header(k.as_str(), v.as_str());
    }
    resp.body(body)
        .unwrap_or_else(|_| Response::new(RespBody::Bytes(None)))
}

async fn serve(
    shared: &Shared,
    ctx: &mut Ctx,
    uri: &hyper::Uri,
    body: Incoming,
) -> OssResult<Reply> {
    if let Err(e) = prepare(shared, ctx, uri) {
        drain(ctx, body).await;
        return Err(e);
    }
    if crate::transfer::handles(ctx.operation) {
        return crate::transfer::run(shared, ctx, body).await;
    }
    collect(ctx, body, MAX_CONFIG_BODY).await?;
    check_content_md5(ctx)?;
    let mut store = shared.store();
    crate::ops::run(shared, ctx, &mut store)
}

/// Reads a small body into `ctx.body`.
pub(crate) async fn collect(ctx: &mut Ctx, mut body: Incoming, limit: usize) -> OssResult<()> {
    let mut buf = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| incomplete(&e))?;
        if let Ok(data) = frame.into_data() {
            ctx.bytes_in += data.len() as u64;
            if buf.len() + data.len() > limit {
                return Err(OssError::new(
                    400,
                    "EntityTooLarge",
                    format!("The request body is larger than the {limit} bytes allowed for this operation."),
                    "0006-00000101",
                ));
            }
            buf.extend_from_slice(&data);
        }
    }
    ctx.body = buf.freeze();
    Ok(())
}

pub(crate) fn incomplete(e: &dyn std::fmt::Display) -> OssError {
    OssError::new(
        400,
        "IncompleteBody",
        format!("The request body could not be read completely: {e}"),
        "0006-00000201",
    )
}

/// After an early refusal, reads and discards the body (bounded) so that the client, still
/// sending, gets the error answer instead of a reset. Not for `Expect: 100-continue` clients,
/// which are waiting for a go-ahead that a refusal does not give.
pub(crate) async fn drain(ctx: &mut Ctx, mut body: Incoming) {
    if ctx
        .h("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        return;
    }
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(d) = frame.into_data() {
            ctx.bytes_in += d.len() as u64;
            if ctx.bytes_in > MAX_DRAIN {
                return;
            }
        }
    }
}

pub(crate) fn check_content_md5(ctx: &Ctx) -> OssResult<()> {
    if let Some(md5) = ctx.h("content-md5") {
        use base64::Engine;
        use md5::Digest;
        let got = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&ctx.body));
        if md5.trim() != got {
            return Err(invalid_digest());
        }
    }
    Ok(())
}

pub(crate) fn invalid_digest() -> OssError {
    OssError::new(
        400,
        "InvalidDigest",
        "The Content-MD5 you specified is not valid.",
        "0016-00000305",
    )
}

fn admin(shared: &Shared, path: &str, query: &str) -> Response<RespBody> {
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
        .body(RespBody::Bytes(Some(Bytes::from(body))))
        .unwrap_or_else(|_| Response::new(RespBody::Bytes(None)))
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

/// Everything that needs only the request line and headers: target, operation, identity.
fn prepare(shared: &Shared, ctx: &mut Ctx, uri: &hyper::Uri) -> OssResult<()> {
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
    Ok(())
}
