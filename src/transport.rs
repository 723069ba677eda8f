//! HTTP over ureq: one agent per bucket handle (it pools and reuses connections and is safe to
//! share between threads), requests built from a signed [`SignableRequest`], responses checked
//! and turned into [`Error`]s.

use crate::error::{Error, ErrorKind, Result};
use crate::sign::SignableRequest;
use std::io::Read;
use std::time::Duration;
use ureq::http;

/// Largest error body we read; OSS error documents are a few hundred bytes.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// What goes up with a request.
pub enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// A reader; with a length it is sent with Content-Length, without it chunked.
    Reader(&'a mut dyn Read, Option<u64>),
}

pub(crate) fn agent(connect: Duration, read: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(connect))
        .timeout_per_read(Some(read))
        .timeout_per_write(Some(read))
        .user_agent(concat!("ossc/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::new_with_config(config)
}

fn map_ureq_error(e: ureq::Error) -> Error {
    match e {
        ureq::Error::Timeout(t) => Error::new(ErrorKind::Timeout, format!("timed out ({t:?})")),
        ureq::Error::Io(io) => Error::transport("connection failed", &io),
        ureq::Error::HostNotFound => Error::new(ErrorKind::Network, "host not found"),
        ureq::Error::ConnectionFailed => Error::new(ErrorKind::Network, "connection failed"),
        ureq::Error::BadUri(u) => Error::invalid(format!("bad URL: {u}")),
        other => Error::new(ErrorKind::Network, format!("HTTP failure: {other}")),
    }
}

/// Wraps an upload reader: counts, computes CRC-64, enforces the declared length and remembers
/// whether it was the caller's reader (not the network) that failed.
pub(crate) struct UploadReader<'a> {
    inner: &'a mut dyn Read,
    pub crc: crate::crc64::Crc64,
    pub sent: u64,
    limit: Option<u64>,
    pub failure: Option<String>,
}

impl<'a> UploadReader<'a> {
    pub fn new(inner: &'a mut dyn Read, limit: Option<u64>) -> Self {
        Self {
            inner,
            crc: Default::default(),
            sent: 0,
            limit,
            failure: None,
        }
    }
}

impl Read for UploadReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = match self.limit {
            Some(l) => buf
                .len()
                .min((l - self.sent).min(usize::MAX as u64) as usize),
            None => buf.len(),
        };
        if want == 0 && !buf.is_empty() {
            return Ok(0);
        }
        match self.inner.read(&mut buf[..want]) {
            Ok(0) if self.limit.is_some_and(|l| self.sent < l) => {
                let msg = format!(
                    "the data source ended after {} of the {} bytes declared",
                    self.sent,
                    self.limit.unwrap_or(0)
                );
                self.failure = Some(msg.clone());
                Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, msg))
            }
            Ok(n) => {
                let n = n.min(want);
                self.crc.update(&buf[..n]);
                self.sent += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failure = Some(e.to_string());
                Err(e)
            }
        }
    }
}

/// A response whose status was checked as a success.
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: ureq::Body,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn request_id(&self) -> String {
        self.header("x-oss-request-id").unwrap_or("").to_string()
    }
    /// The whole body as text (small bodies: XML answers, policies).
    pub fn text(mut self, limit: u64) -> Result<String> {
        let mut s = String::new();
        self.body
            .with_config()
            .limit(limit)
            .reader()
            .read_to_string(&mut s)
            .map_err(|e| Error::transport("reading the response", &e))?;
        Ok(s)
    }
}

/// Sends a signed request. Non-2xx answers become service errors decoded from the XML body
/// (or, for HEAD, from `x-oss-err` / `x-oss-ec`).
pub(crate) fn send(
    agent: &ureq::Agent,
    url: &str,
    req: &SignableRequest,
    body: Body<'_>,
) -> Result<Response> {
    let mut builder = http::Request::builder()
        .method(req.method.as_str())
        .uri(url);
    for (k, v) in &req.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let result = match body {
        Body::Empty => {
            let r = builder
                .body(())
                .map_err(|e| Error::invalid(format!("bad request: {e}")))?;
            agent.run(r)
        }
        Body::Bytes(b) => {
            let r = builder
                .body(b)
                .map_err(|e| Error::invalid(format!("bad request: {e}")))?;
            agent.run(r)
        }
        Body::Reader(reader, len) => {
            if let Some(len) = len {
                builder = builder.header("Content-Length", len.to_string());
            }
            let r = builder
                .body(ureq::SendBody::from_reader(reader))
                .map_err(|e| Error::invalid(format!("bad request: {e}")))?;
            agent.run(r)
        }
    };
    let resp = result.map_err(map_ureq_error)?;
    let (parts, body) = resp.into_parts();
    let resp = Response {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    };
    if (200..300).contains(&resp.status) {
        return Ok(resp);
    }
    Err(service_error(resp, req.method == "HEAD"))
}

fn service_error(resp: Response, head: bool) -> Error {
    use base64::Engine;
    let rid = resp.request_id();
    let ec = resp.header("x-oss-ec").unwrap_or("").to_string();
    let status = resp.status;
    let date = resp.header("date").map(str::to_string);
    let xml = if head {
        resp.header("x-oss-err").and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        })
    } else {
        resp.text(MAX_ERROR_BODY).ok()
    };
    let mut e = Error::from_service(status, xml.as_deref(), &rid, &ec);
    e.server_time = date.as_deref().and_then(crate::time::parse_rfc1123);
    e
}
