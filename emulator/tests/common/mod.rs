//! A raw HTTP/1.1 client for driving ossemu byte by byte, and request signing helpers.
#![allow(dead_code)]

use ossc::sign::{v1, v4, SignableRequest};
use ossc::Credentials;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub const OWNER: (&str, &str) = ("demo-owner-ak", "demo-owner-sk");
pub const REQUESTER: (&str, &str) = ("demo-requester-ak", "demo-requester-sk");
pub const OWNER_UID: &str = "1000000000000001";
pub const REQUESTER_UID: &str = "1000000000000002";
pub const ROLE_OWNER_UID: &str = "1000000000000003";

pub fn creds(c: (&str, &str)) -> Credentials {
    Credentials::new(c.0, c.1, None)
}

pub fn sts() -> Credentials {
    Credentials::new(
        "STS.demo-role-ak",
        "demo-role-sk",
        Some("demo-role-token".into()),
    )
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The `<Tag>` text of an error body.
    pub fn xml(&self, tag: &str) -> Option<String> {
        let t = self.text();
        let a = t.find(&format!("<{tag}>"))? + tag.len() + 2;
        let b = t[a..].find(&format!("</{tag}>"))? + a;
        Some(t[a..b].to_string())
    }
}

/// Sends raw bytes on a fresh connection and reads the whole answer (the request should say
/// `Connection: close`). None if the server closed without answering.
pub fn raw(addr: SocketAddr, request: &[u8]) -> Option<Resp> {
    send_raw(addr, request, false)
}

/// As [`raw`], but half-closes after sending: the way a client that dies mid-request looks.
pub fn raw_then_hang_up(addr: SocketAddr, request: &[u8]) -> Option<Resp> {
    send_raw(addr, request, true)
}

fn send_raw(addr: SocketAddr, request: &[u8], hang_up: bool) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let _ = s.write_all(request);
    if hang_up {
        let _ = s.shutdown(std::net::Shutdown::Write);
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse(&buf)
}

pub fn parse(buf: &[u8]) -> Option<Resp> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n")?;
            let n =
                usize::from_str_radix(std::str::from_utf8(&rest[..nl]).ok()?.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 4 + n..];
        }
        body = out;
    }
    Some(Resp {
        status,
        headers,
        body,
    })
}

/// A request to sign and send.
pub struct Req {
    pub sr: SignableRequest,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, bucket: Option<&str>, key: Option<&str>) -> Self {
        Req {
            sr: SignableRequest {
                method: method.into(),
                bucket: bucket.map(str::to_string),
                key: key.map(str::to_string),
                query: vec![],
                headers: vec![],
            },
            body: vec![],
        }
    }
    pub fn sub(mut self, name: &str, value: Option<&str>) -> Self {
        self.sr.query.push((name.into(), value.map(str::to_string)));
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.sr.set_header(k, v);
        self
    }
    pub fn body(mut self, b: &[u8]) -> Self {
        self.body = b.to_vec();
        self
    }
    pub fn payer(self) -> Self {
        self.header("x-oss-request-payer", "requester")
    }
    pub fn v1(mut self, c: &Credentials) -> Self {
        v1::sign_headers(&mut self.sr, c, ossc::time::now_unix());
        self
    }
    pub fn v4(mut self, c: &Credentials) -> Self {
        v4::sign_headers(&mut self.sr, c, "cn-hangzhou", ossc::time::now_unix(), &[]);
        self
    }
    pub fn presign_v1(mut self, c: &Credentials) -> Self {
        v1::presign(&mut self.sr, c, ossc::time::now_unix() + 60);
        self
    }
    pub fn presign_v4(mut self, c: &Credentials) -> Self {
        v4::presign(
            &mut self.sr,
            c,
            "cn-hangzhou",
            ossc::time::now_unix(),
            60,
            &[],
        );
        self
    }
    /// The request's bytes, path style.
    pub fn bytes(&self, addr: SocketAddr) -> Vec<u8> {
        let mut path = match (&self.sr.bucket, &self.sr.key) {
            (None, _) => "/".to_string(),
            (Some(b), None) => format!("/{b}/"),
            (Some(b), Some(k)) => format!("/{b}/{}", ossc::encode::uri_encode(k, true)),
        };
        if !self.sr.query.is_empty() {
            path.push('?');
            path.push_str(&ossc::encode::build_query(&self.sr.query));
        }
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
            self.sr.method
        );
        for (k, v) in &self.sr.headers {
            head += &format!("{k}: {v}\r\n");
        }
        head += &format!("Content-Length: {}\r\n\r\n", self.body.len());
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
    pub fn send(&self, addr: SocketAddr) -> Resp {
        raw(addr, &self.bytes(addr)).expect("an answer")
    }
}

pub fn start() -> ossemu::Server {
    ossemu::start(ossemu::Options::default()).expect("start ossemu")
}

/// Creates `bucket` as the owner with a policy granting the requester and the STS role's
/// account everything on objects, and turns requester pays on.
pub fn requester_pays_bucket(addr: SocketAddr, bucket: &str) {
    let owner = creds(OWNER);
    assert_eq!(
        Req::new("PUT", Some(bucket), None)
            .v4(&owner)
            .send(addr)
            .status,
        200
    );
    let policy = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Principal":["{REQUESTER_UID}","{ROLE_OWNER_UID}"],"Action":["oss:*"],"Resource":["acs:oss:*:*:{bucket}","acs:oss:*:*:{bucket}/*"]}}]}}"#
    );
    let r = Req::new("PUT", Some(bucket), None)
        .sub("policy", None)
        .body(policy.as_bytes())
        .v4(&owner)
        .send(addr);
    assert_eq!(r.status, 200, "{}", r.text());
    let body =
        b"<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>";
    let r = Req::new("PUT", Some(bucket), None)
        .sub("requestPayment", None)
        .body(body)
        .v4(&owner)
        .send(addr);
    assert_eq!(r.status, 200, "{}", r.text());
}
