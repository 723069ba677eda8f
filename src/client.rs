//! [`Bucket`]: the client for one bucket, and every operation on it.

use crate::config::{parse_endpoint, region_from_host, validate_bucket_name, validate_key};
use crate::config::{Config, Endpoint};
use crate::crc64::Crc64;
use crate::encode::{build_query, uri_encode};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::{v1, v4, SignableRequest, SignatureVersion};
use crate::transport::{self, Body, Response, UploadReader};
use crate::xml::{self, Acl, Payer};
use base64::Engine;
use std::io::{Read, Write};

/// Longest bucket policy we read back.
const MAX_POLICY: u64 = 1 << 20;

/// Content-MD5 handling for uploads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ContentMd5 {
    #[default]
    None,
    /// Compute it from the data (needs the data up front: memory or file uploads).
    Compute,
    /// Use this base64 MD5 as given.
    Given(String),
}

/// Options for uploads.
#[derive(Clone, Debug, Default)]
pub struct PutOptions {
    pub content_type: Option<String>,
    /// User metadata, sent as `x-oss-meta-<name>`.
    pub metadata: Vec<(String, String)>,
    pub content_md5: ContentMd5,
}

/// What a successful upload reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutResult {
    /// Bytes sent (and acknowledged with a matching CRC-64).
    pub size: u64,
    pub etag: String,
    /// The CRC-64 of the object, checked against what was sent.
    pub crc64: Option<u64>,
    pub request_id: String,
    /// The request was charged to the requester.
    pub request_charged: bool,
}

/// An object's metadata, from HEAD or from a GET's headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Whole object size in bytes.
    pub size: u64,
    pub etag: String,
    pub crc64: Option<u64>,
    pub content_type: String,
    /// Seconds since the Unix epoch; 0 if the server sent none.
    pub last_modified: i64,
    /// User metadata, names lowercased without the `x-oss-meta-` prefix, sorted by name.
    pub metadata: Vec<(String, String)>,
    pub request_charged: bool,
    pub request_id: String,
}

/// A byte range, `start` to `end` inclusive (`None`: to the end of the object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub end: Option<u64>,
}

/// HTTP methods a presigned URL can be made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresignMethod {
    Get,
    Put,
    Head,
}

/// A client for one bucket. Cheap to share: `&Bucket` is `Send + Sync`, and the connection pool
/// inside is shared by every thread using it.
pub struct Bucket {
    config: Config,
    endpoint: Endpoint,
    region: String,
    agent: ureq::Agent,
    /// Seconds to add to the local clock, learnt from a RequestTimeTooSkewed answer.
    clock_skew: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("endpoint", &self.config.endpoint)
            .field("bucket", &self.config.bucket)
            .field("region", &self.region)
            .field("credentials", &self.config.credentials)
            .finish()
    }
}

/// One request before signing.
#[derive(Clone)]
struct Call<'a> {
    method: &'static str,
    key: Option<&'a str>,
    query: Vec<(String, Option<String>)>,
    headers: Vec<(String, String)>,
    payer: Payer,
}

impl<'a> Call<'a> {
    fn new(method: &'static str, key: Option<&'a str>, payer: Payer) -> Self {
        Self {
            method,
            key,
            query: Vec::new(),
            headers: Vec::new(),
            payer,
        }
    }
    fn sub(mut self, name: &str) -> Self {
        self.query.push((name.to_string(), None));
        self
    }
    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

fn md5_base64(data: &[u8]) -> String {
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

fn parse_crc(resp_value: Option<&str>) -> Result<Option<u64>> {
    match resp_value {
        None => Ok(None),
        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            Error::integrity(format!(
                "server sent an unreadable x-oss-hash-crc64ecma {v:?}"
            ))
        }),
    }
}

/// Failures worth another attempt: the network, timeouts, damaged data, and the service's
/// transient answers (5xx, 408, 429) and clock-skew refusals.
fn retryable(e: &Error) -> bool {
    match e.kind {
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Integrity => true,
        ErrorKind::Service => {
            e.status >= 500
                || e.status == 408
                || e.status == 429
                || e.code == "RequestTimeTooSkewed"
        }
        _ => false,
    }
}

/// Full-jitter exponential backoff: a random wait up to base * 2^(attempt-1), capped at 20 s.
fn backoff(base: std::time::Duration, attempt: u32) -> std::time::Duration {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
    }
    // xorshift64: jitter only needs to spread clients apart, not to be unpredictable.
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    let cap = base
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
        .min(std::time::Duration::from_secs(20));
    cap.mul_f64((x >> 11) as f64 / (1u64 << 53) as f64)
}

fn check_crc(what: &str, local: u64, server: Option<u64>) -> Result<()> {
    match server {
        Some(s) if s != local => Err(Error::integrity(format!(
            "{what}: CRC-64 mismatch, local {local} but server {s}"
        ))),
        _ => Ok(()),
    }
}

/// OSS's rules for user metadata: names of ASCII letters, digits and hyphens; the names and
/// values together at most 8 KB. Values are sent as HTTP header values: printable ASCII.
fn validate_metadata(meta: &[(String, String)]) -> Result<()> {
    let mut total = 0;
    for (k, v) in meta {
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::invalid(format!(
                "metadata name {k:?} must be non-empty ASCII letters, digits and '-'"
            )));
        }
        if v.chars().any(|c| c.is_control() || !c.is_ascii()) {
            return Err(Error::invalid(format!(
                "metadata value of {k:?} must be printable ASCII (encode other text yourself)"
            )));
        }
        total += "x-oss-meta-".len() + k.len() + v.len();
    }
    if total > 8 * 1024 {
        return Err(Error::invalid(format!(
            "user metadata is {total} bytes; OSS allows 8 KB in all"
        )));
    }
    Ok(())
}

fn meta_from(resp: &Response) -> Result<ObjectMeta> {
    let mut metadata: Vec<(String, String)> = resp
        .headers
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str().strip_prefix("x-oss-meta-")?;
            Some((name.to_string(), v.to_str().ok()?.to_string()))
        })
        .collect();
    metadata.sort();
    let size = match resp
        .header("content-range")
        .and_then(|r| r.rsplit('/').next())
    {
        Some(total) => total.parse().unwrap_or(0),
        None => resp
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    };
    Ok(ObjectMeta {
        size,
        etag: resp.header("etag").unwrap_or("").to_string(),
        crc64: parse_crc(resp.header("x-oss-hash-crc64ecma"))?,
        content_type: resp.header("content-type").unwrap_or("").to_string(),
        last_modified: resp
            .header("last-modified")
            .and_then(crate::time::parse_rfc1123)
            .unwrap_or(0),
        metadata,
        request_charged: resp
            .header("x-oss-request-charged")
            .is_some_and(|v| v.eq_ignore_ascii_case("requester")),
        request_id: resp.request_id(),
    })
}

impl Bucket {
    /// Checks the configuration and builds a client. No request is made.
    pub fn new(config: Config) -> Result<Self> {
        validate_bucket_name(&config.bucket)?;
        let endpoint = parse_endpoint(&config.endpoint, config.addressing)?;
        let c = &config.credentials;
        if c.access_key_id.is_empty() || c.access_key_secret.is_empty() {
            return Err(Error::invalid("access key id and secret must not be empty"));
        }
        let header_safe = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
        if !header_safe(&c.access_key_id)
            || c.security_token.as_deref().is_some_and(|t| !header_safe(t))
        {
            return Err(Error::invalid(
                "access key id and security token must be printable ASCII",
            ));
        }
        let region = if !config.region.is_empty() {
            config.region.clone()
        } else if let Some(r) = region_from_host(&endpoint.host) {
            r
        } else if config.signature_version == SignatureVersion::V4 {
            return Err(Error::invalid(
                "signature V4 needs a region (such as cn-hangzhou); none was given and the \
                 endpoint does not name one",
            ));
        } else {
            String::new()
        };
        if !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(Error::invalid(format!("invalid region {region:?}")));
        }
        let agent = transport::agent(config.connect_timeout, config.read_timeout);
        if config.max_attempts == 0 {
            return Err(Error::invalid("max_attempts must be at least 1"));
        }
        Ok(Self {
            config,
            endpoint,
            region,
            agent,
            clock_skew: Default::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn payer(&self, payer: Option<Payer>) -> Payer {
        payer.unwrap_or(self.config.default_payer)
    }

    fn url(&self, key: Option<&str>, query: &[(String, Option<String>)]) -> String {
        let b = &self.config.bucket;
        let ep = &self.endpoint;
        let mut url = if ep.path_style {
            format!("{}://{}/{}/", ep.scheme, ep.authority, b)
        } else {
            format!("{}://{}.{}/", ep.scheme, b, ep.authority)
        };
        if let Some(k) = key {
            url.push_str(&uri_encode(k, true));
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&build_query(query));
        }
        url
    }

    fn signable(&self, call: Call<'_>) -> Result<SignableRequest> {
        if let Some(k) = call.key {
            validate_key(k)?;
        }
        let mut req = SignableRequest {
            method: call.method.to_string(),
            bucket: Some(self.config.bucket.clone()),
            key: call.key.map(str::to_string),
            query: call.query,
            headers: call.headers,
        };
        if call.payer == Payer::Requester {
            req.set_header("x-oss-request-payer", "requester");
        }
        Ok(req)
    }

    /// Now, on the server's clock as far as we know it.
    fn now(&self) -> i64 {
        crate::time::now_unix() + self.clock_skew.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `attempt` up to `max_attempts` times while it fails in a way worth retrying
    /// (see `retryable`) and `replayable()` still holds, waiting between attempts with
    /// full-jitter exponential backoff. A RequestTimeTooSkewed answer first corrects the
    /// clock from the answer's Date and is retried at once.
    fn retrying<T>(
        &self,
        replayable: &dyn Fn() -> bool,
        mut attempt: impl FnMut() -> Result<T>,
    ) -> Result<T> {
        let mut n = 1;
        loop {
            let e = match attempt() {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if n >= self.config.max_attempts || !retryable(&e) || !replayable() {
                return Err(e);
            }
            match (e.code.as_str(), e.server_time) {
                ("RequestTimeTooSkewed", Some(server)) => self.clock_skew.store(
                    server - crate::time::now_unix(),
                    std::sync::atomic::Ordering::Relaxed,
                ),
                _ => std::thread::sleep(backoff(self.config.retry_base_delay, n)),
            }
            n += 1;
        }
    }

    /// Sends a request whose body is in memory, with retries.
    fn send(&self, call: Call<'_>, body: &[u8]) -> Result<Response> {
        self.retrying(&|| true, || {
            let b = if body.is_empty() {
                Body::Empty
            } else {
                Body::Bytes(body)
            };
            self.execute(call.clone(), b)
        })
    }

    /// One attempt: signs (with a fresh date) and sends.
    fn execute(&self, call: Call<'_>, body: Body<'_>) -> Result<Response> {
        let mut req = self.signable(call)?;
        let now = self.now();

        match self.config.signature_version {
            SignatureVersion::V1 => v1::sign_headers(&mut req, &self.config.credentials, now),
            SignatureVersion::V4 => {
                v4::sign_headers(&mut req, &self.config.credentials, &self.region, now, &[])
            }
        }
        let url = self.url(req.key.as_deref(), &req.query);
        transport::send(&self.agent, &url, &req, body).map_err(|e| self.redact(e))
    }

    /// The server echoes what it signed (SignatureDoesNotMatch's StringToSign), and with STS
    /// credentials that includes `x-oss-security-token:<token>`: the token never leaves here.
    fn redact(&self, mut e: Error) -> Error {
        if let Some(t) = self
            .config
            .credentials
            .security_token
            .as_deref()
            .filter(|t| !t.is_empty())
        {
            let d: &mut crate::error::ErrorDetails = &mut e;
            for field in [&mut d.string_to_sign, &mut d.message, &mut d.host_id] {
                if field.contains(t) {
                    *field = field.replace(t, "<redacted>");
                }
            }
        }
        e
    }

    // ---- bucket operations -------------------------------------------------------------

    /// PutBucket, optionally with a canned ACL.
    pub fn create_bucket(&self, acl: Option<Acl>) -> Result<()> {
        let mut call = Call::new("PUT", None, Payer::BucketOwner);
        if let Some(a) = acl {
            call = call.header("x-oss-acl", a.as_str());
        }
        self.send(call, &[]).map(drop)
    }

    /// DeleteBucket (the bucket must be empty).
    pub fn delete_bucket(&self) -> Result<()> {
        self.send(Call::new("DELETE", None, Payer::BucketOwner), &[])
            .map(drop)
    }

    fn put_xml(&self, sub: &str, body: &str) -> Result<()> {
        let call = Call::new("PUT", None, Payer::BucketOwner)
            .sub(sub)
            .header("Content-Type", "application/xml")
            .header("Content-MD5", md5_base64(body.as_bytes()));
        self.send(call, body.as_bytes()).map(drop)
    }

    fn get_text(&self, sub: &str, limit: u64) -> Result<String> {
        let payer = self.config.default_payer;
        self.send(Call::new("GET", None, payer).sub(sub), &[])?
            .text(limit)
    }

    /// PutBucketRequestPayment (owner only).
    pub fn set_request_payment(&self, payer: Payer) -> Result<()> {
        self.put_xml("requestPayment", &xml::request_payment_body(payer))
    }

    /// GetBucketRequestPayment.
    pub fn get_request_payment(&self) -> Result<Payer> {
        xml::parse_request_payment(&self.get_text("requestPayment", MAX_POLICY)?)
    }

    /// PutBucketAcl.
    pub fn set_acl(&self, acl: Acl) -> Result<()> {
        let call = Call::new("PUT", None, self.config.default_payer)
            .sub("acl")
            .header("x-oss-acl", acl.as_str());
        self.send(call, &[]).map(drop)
    }

    /// GetBucketAcl.
    pub fn get_acl(&self) -> Result<Acl> {
        xml::parse_acl(&self.get_text("acl", MAX_POLICY)?)
    }

    /// PutBucketPolicy with a JSON policy document.
    pub fn put_policy(&self, policy_json: &str) -> Result<()> {
        if policy_json.trim().is_empty() {
            return Err(Error::invalid("bucket policy must not be empty"));
        }
        let call = Call::new("PUT", None, self.config.default_payer)
            .sub("policy")
            .header("Content-Type", "application/json")
            .header("Content-MD5", md5_base64(policy_json.as_bytes()));
        self.send(call, policy_json.as_bytes()).map(drop)
    }

    /// GetBucketPolicy: the JSON text.
    pub fn get_policy(&self) -> Result<String> {
        self.get_text("policy", MAX_POLICY)
    }

    /// DeleteBucketPolicy.
    pub fn delete_policy(&self) -> Result<()> {
        let call = Call::new("DELETE", None, self.config.default_payer).sub("policy");
        self.send(call, &[]).map(drop)
    }

    // ---- object operations -------------------------------------------------------------

    fn put_call<'a>(
        &self,
        key: &'a str,
        opts: &PutOptions,
        md5_of: Option<&dyn Fn() -> Result<String>>,
        payer: Option<Payer>,
    ) -> Result<Call<'a>> {
        validate_metadata(&opts.metadata)?;
        let mut call = Call::new("PUT", Some(key), self.payer(payer));
        if let Some(ct) = &opts.content_type {
            if ct.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(Error::invalid("content type must be printable ASCII"));
            }
            call = call.header("Content-Type", ct.clone());
        }
        for (k, v) in &opts.metadata {
            call = call.header(&format!("x-oss-meta-{}", k.to_ascii_lowercase()), v.clone());
        }
        match (&opts.content_md5, md5_of) {
            (ContentMd5::None, _) => {}
            (ContentMd5::Given(m), _) => call = call.header("Content-MD5", m.clone()),
            (ContentMd5::Compute, Some(f)) => call = call.header("Content-MD5", f()?),
            (ContentMd5::Compute, None) => {
                return Err(Error::invalid(
                    "computing Content-MD5 needs the data up front; for a streamed upload \
                     pass the MD5 you computed",
                ))
            }
        }
        Ok(call)
    }

    fn put_result(resp: &Response, local_crc: u64, size: u64) -> Result<PutResult> {
        let crc = parse_crc(resp.header("x-oss-hash-crc64ecma"))?;
        check_crc("upload", local_crc, crc)?;
        Ok(PutResult {
            size,
            etag: resp.header("etag").unwrap_or("").to_string(),
            crc64: crc,
            request_id: resp.request_id(),
            request_charged: resp
                .header("x-oss-request-charged")
                .is_some_and(|v| v.eq_ignore_ascii_case("requester")),
        })
    }

    /// PutObject from memory.
    pub fn put_object(
        &self,
        key: &str,
        data: &[u8],
        opts: &PutOptions,
        payer: Option<Payer>,
    ) -> Result<PutResult> {
        let md5 = || Ok(md5_base64(data));
        let call = self.put_call(key, opts, Some(&md5), payer)?;
        let crc = crate::crc64::checksum(data);
        self.retrying(&|| true, || {
            let resp = self.execute(call.clone(), Body::Bytes(data))?;
            Self::put_result(&resp, crc, data.len() as u64)
        })
    }

    /// PutObject from a reader; `length` known (Content-Length) or not (chunked).
    pub fn put_object_from_reader(
        &self,
        key: &str,
        reader: &mut dyn Read,
        length: Option<u64>,
        opts: &PutOptions,
        payer: Option<Payer>,
    ) -> Result<PutResult> {
        let call = self.put_call(key, opts, None, payer)?;
        // A reader cannot be rewound: one attempt only.
        self.upload_once(call, reader, length)
    }

    fn upload_once(
        &self,
        call: Call<'_>,
        reader: &mut dyn Read,
        length: Option<u64>,
    ) -> Result<PutResult> {
        let mut up = UploadReader::new(reader, length);
        let result = self.execute(call, Body::Reader(&mut up, length));
        if let Some(f) = up.failure.take() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("reading the upload data: {f}"),
            ));
        }
        Self::put_result(&result?, up.crc.value(), up.sent)
    }

    /// PutObject from a file.
    pub fn put_object_from_file(
        &self,
        key: &str,
        path: &std::path::Path,
        opts: &PutOptions,
        payer: Option<Payer>,
    ) -> Result<PutResult> {
        let open = || {
            std::fs::File::open(path)
                .map_err(|e| Error::io(&format!("opening {}", path.display()), &e))
        };
        let len = open()?
            .metadata()
            .map_err(|e| Error::io("reading file size", &e))?
            .len();
        let mut opts = opts.clone();
        if opts.content_md5 == ContentMd5::Compute {
            use md5::Digest;
            let mut h = md5::Md5::new();
            std::io::copy(&mut open()?, &mut h).map_err(|e| Error::io("reading file", &e))?;
            opts.content_md5 =
                ContentMd5::Given(base64::engine::general_purpose::STANDARD.encode(h.finalize()));
        }
        let call = self.put_call(key, &opts, None, payer)?;
        // A file can be read again from the start: each attempt reopens it.
        self.retrying(&|| true, || {
            self.upload_once(call.clone(), &mut open()?, Some(len))
        })
    }

    /// GetObject, streaming the body into `sink`. Returns the metadata from the response.
    /// A whole-object GET is checked against the server's CRC-64; every GET against the
    /// Content-Length. A failing `sink` ends the transfer with an I/O error.
    pub fn get_object_to(
        &self,
        key: &str,
        range: Option<Range>,
        payer: Option<Payer>,
        sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<ObjectMeta> {
        let call = self.get_call(key, range, payer)?;
        // Retried only while nothing has reached the sink: what it got cannot be taken back.
        let delivered = std::cell::Cell::new(false);
        self.retrying(&|| !delivered.get(), || {
            self.get_once(call.clone(), key, &mut |b| {
                delivered.set(true);
                sink(b)
            })
        })
    }

    fn get_call<'a>(
        &self,
        key: &'a str,
        range: Option<Range>,
        payer: Option<Payer>,
    ) -> Result<Call<'a>> {
        let mut call = Call::new("GET", Some(key), self.payer(payer));
        if let Some(r) = range {
            if r.end.is_some_and(|e| e < r.start) {
                return Err(Error::invalid("range end is before its start"));
            }
            let end = r.end.map(|e| e.to_string()).unwrap_or_default();
            call = call.header("Range", format!("bytes={}-{end}", r.start));
        }
        Ok(call)
    }

    /// One GET attempt, streaming into `sink`, checked by length and (whole objects) CRC-64.
    fn get_once(
        &self,
        call: Call<'_>,
        key: &str,
        sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<ObjectMeta> {
        let mut resp = self.execute(call, Body::Empty)?;

        let meta = meta_from(&resp)?;
        let expected: Option<u64> = resp.header("content-length").and_then(|v| v.parse().ok());
        let whole = resp.status == 200;
        let mut crc = Crc64::new();
        let mut got: u64 = 0;
        let mut buf = vec![0u8; 256 * 1024];
        let mut reader = resp.body.with_config().reader();
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(Error::integrity(format!(
                        "download of {key:?} ended early after {got} bytes{}",
                        expected.map(|e| format!(" of {e}")).unwrap_or_default()
                    )))
                }
                Err(e) => return Err(Error::transport("reading the object", &e)),
            };
            if whole {
                crc.update(&buf[..n]);
            }
            got += n as u64;
            sink(&buf[..n]).map_err(|e| Error::io("writing the downloaded data", &e))?;
        }
        if let Some(e) = expected.filter(|&e| e != got) {
            return Err(Error::integrity(format!(
                "download of {key:?} got {got} bytes but Content-Length is {e}"
            )));
        }
        if whole {
            check_crc("download", crc.value(), meta.crc64)?;
        }
        Ok(meta)
    }

    /// GetObject into memory.
    pub fn get_object(
        &self,
        key: &str,
        range: Option<Range>,
        payer: Option<Payer>,
    ) -> Result<(Vec<u8>, ObjectMeta)> {
        let call = self.get_call(key, range, payer)?;
        let mut out = Vec::new();
        // Memory can start over: every attempt begins with an empty buffer.
        let meta = self.retrying(&|| true, || {
            out.clear();
            self.get_once(call.clone(), key, &mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })
        })?;
        Ok((out, meta))
    }

    /// GetObject into a file. The data goes to a temporary file beside `path` that replaces
    /// `path` only once every byte arrived and checked, so a failure never clobbers it.
    pub fn get_object_to_file(
        &self,
        key: &str,
        path: &std::path::Path,
        range: Option<Range>,
        payer: Option<Payer>,
    ) -> Result<ObjectMeta> {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let name = path
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{} is not a file path", path.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(
            ".ossc-{}-{}.part",
            std::process::id(),
            SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let tmp = path.with_file_name(tmp_name);
        let call = self.get_call(key, range, payer)?;
        // The temporary file can start over: every attempt creates it afresh.
        let result = self.retrying(&|| true, || {
            let file = std::fs::File::create(&tmp)
                .map_err(|e| Error::io(&format!("creating {}", tmp.display()), &e))?;
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
            let m = self.get_once(call.clone(), key, &mut |b| w.write_all(b))?;
            Ok((m, w))
        });
        let result = result.and_then(|(m, w)| {
            let f = w
                .into_inner()
                .map_err(|e| Error::io("writing file", e.error()))?;
            f.sync_all().map_err(|e| Error::io("syncing file", &e))?;
            std::fs::rename(&tmp, path)
                .map_err(|e| Error::io(&format!("renaming to {}", path.display()), &e))?;
            Ok(m)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// HeadObject.
    pub fn head_object(&self, key: &str, payer: Option<Payer>) -> Result<ObjectMeta> {
        let resp = self.send(Call::new("HEAD", Some(key), self.payer(payer)), &[])?;
        meta_from(&resp)
    }

    /// DeleteObject. Deleting a missing key succeeds, as on OSS.
    pub fn delete_object(&self, key: &str, payer: Option<Payer>) -> Result<()> {
        self.send(Call::new("DELETE", Some(key), self.payer(payer)), &[])
            .map(drop)
    }

    /// A presigned URL valid for `expires_in` seconds. With the requester as payer, the URL
    /// carries (and signs) `x-oss-request-payer=requester`.
    pub fn presign(
        &self,
        method: PresignMethod,
        key: &str,
        expires_in: i64,
        payer: Option<Payer>,
    ) -> Result<String> {
        let max = match self.config.signature_version {
            SignatureVersion::V1 => i64::from(u32::MAX),
            SignatureVersion::V4 => v4::MAX_PRESIGN_EXPIRES,
        };
        if expires_in <= 0 || expires_in > max {
            return Err(Error::invalid(format!(
                "expiry of {expires_in} s is outside 1..={max} s"
            )));
        }
        let m = match method {
            PresignMethod::Get => "GET",
            PresignMethod::Put => "PUT",
            PresignMethod::Head => "HEAD",
        };
        let mut call = Call::new(m, Some(key), Payer::BucketOwner);
        if self.payer(payer) == Payer::Requester {
            call.query
                .push(("x-oss-request-payer".into(), Some("requester".into())));
        }
        let mut req = self.signable(call)?;
        let now = self.now();
        let creds = &self.config.credentials;
        match self.config.signature_version {
            SignatureVersion::V1 => v1::presign(&mut req, creds, now + expires_in),
            SignatureVersion::V4 => {
                v4::presign(&mut req, creds, &self.region, now, expires_in, &[])
            }
        }
        Ok(self.url(Some(key), &req.query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    fn bucket(endpoint: &str, region: &str) -> Result<Bucket> {
        let mut cfg = Config::new(endpoint, "my-bucket", Credentials::new("ak", "sk", None));
        cfg.region = region.into();
        Bucket::new(cfg)
    }

    #[test]
    fn urls_follow_addressing() {
        let b = bucket("http://127.0.0.1:9000", "cn-hangzhou").unwrap();
        assert_eq!(
            b.url(Some("a b/c+d"), &[]),
            "http://127.0.0.1:9000/my-bucket/a%20b/c%2Bd"
        );
        let mut cfg = Config::new(
            "oss-cn-beijing.aliyuncs.com",
            "my-bucket",
            Credentials::new("ak", "sk", None),
        );
        cfg.region.clear();
        let b = Bucket::new(cfg).unwrap();
        assert_eq!(b.region, "cn-beijing");
        assert_eq!(
            b.url(None, &[("requestPayment".into(), None)]),
            "https://my-bucket.oss-cn-beijing.aliyuncs.com/?requestPayment"
        );
    }

    #[test]
    fn v4_needs_a_region() {
        let e = bucket("http://127.0.0.1:9000", "").map(drop);
        // 127.0.0.1 names no region: V4 cannot sign.
        assert_eq!(e.unwrap_err().kind, ErrorKind::InvalidArgument);
    }

    #[test]
    fn presigned_url_carries_the_payer() {
        let mut cfg = Config::new(
            "oss-cn-hangzhou.aliyuncs.com",
            "my-bucket",
            Credentials::new("ak", "sk", None),
        );
        cfg.default_payer = Payer::Requester;
        let b = Bucket::new(cfg.clone()).unwrap();
        let url = b.presign(PresignMethod::Get, "k", 60, None).unwrap();
        assert!(url.contains("x-oss-request-payer=requester"), "{url}");
        assert!(url.contains("x-oss-signature="), "{url}");
        cfg.signature_version = SignatureVersion::V1;
        let b = Bucket::new(cfg).unwrap();
        let url = b
            .presign(PresignMethod::Get, "k", 60, Some(Payer::BucketOwner))
            .unwrap();
        assert!(!url.contains("request-payer"), "{url}");
        assert!(url.contains("OSSAccessKeyId=ak"));
        assert!(b.presign(PresignMethod::Get, "k", 0, None).is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let mut cfg = Config::new(
            "oss-cn-hangzhou.aliyuncs.com",
            "my-bucket",
            Credentials::new("ak", "s3cr3t", Some("t0k".into())),
        );
        cfg.region = "cn-hangzhou".into();
        let s = format!("{:?}", Bucket::new(cfg).unwrap());
        assert!(!s.contains("s3cr3t") && !s.contains("t0k"), "{s}");
    }
}
