//! Bad requests get the right OSS error, and never crash the server or damage stored data.

mod common;
use common::*;
use std::net::SocketAddr;

/// The object `k` in bucket `b` still holds `want`, and the server still answers.
fn intact(a: SocketAddr, want: &[u8]) {
    let r = Req::new("GET", Some("bad"), Some("k"))
        .v4(&creds(OWNER))
        .send(a);
    assert_eq!((r.status, r.body.as_slice()), (200, want));
}

fn setup() -> (ossemu::Server, SocketAddr) {
    let s = start();
    let a = s.addr();
    let owner = creds(OWNER);
    Req::new("PUT", Some("bad"), None).v4(&owner).send(a);
    Req::new("PUT", Some("bad"), Some("k"))
        .body(b"precious")
        .v4(&owner)
        .send(a);
    (s, a)
}

#[test]
fn garbage_authorization() {
    let (_s, a) = setup();
    for auth in [
        "garbage",
        "OSS",
        "OSS nocolon",
        "OSS4-HMAC-SHA256",
        "OSS4-HMAC-SHA256 Credential=x",
        "Bearer abc",
    ] {
        let r = Req::new("PUT", Some("bad"), Some("k"))
            .body(b"evil")
            .header("Authorization", auth)
            .send(a);
        assert!(r.status == 400 || r.status == 403, "{auth}: {}", r.status);
        assert!(
            r.xml("Code").is_some() && r.xml("RequestId").is_some(),
            "{auth}: {}",
            r.text()
        );
    }
    let r = Req::new("PUT", Some("bad"), Some("k"))
        .body(b"evil")
        .header("Authorization", "OSS demo-owner-ak:AAAA")
        .send(a);
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("Missing or invalid Date header.")
    );
    let r = Req::new("PUT", Some("bad"), Some("k"))
        .body(b"evil")
        .header("Date", &ossc::time::rfc1123(ossc::time::now_unix()))
        .header("Authorization", "OSS demo-owner-ak:AAAA")
        .send(a);
    assert_eq!(r.xml("Code").as_deref(), Some("SignatureDoesNotMatch"));
    assert!(r.xml("StringToSign").is_some());
    intact(a, b"precious");
}

#[test]
fn tampering_after_signing_is_detected() {
    let (_s, a) = setup();
    let owner = creds(OWNER);
    // Sign one key, send another; sign a Content-Type, send another.
    let mut r = Req::new("PUT", Some("bad"), Some("other"))
        .body(b"evil")
        .v4(&owner);
    r.sr.key = Some("k".into());
    assert_eq!(
        r.send(a).xml("Code").as_deref(),
        Some("SignatureDoesNotMatch")
    );
    let mut r = Req::new("PUT", Some("bad"), Some("k"))
        .header("Content-Type", "a/b")
        .body(b"evil")
        .v1(&owner);
    r.sr.set_header("Content-Type", "c/d");
    assert_eq!(
        r.send(a).xml("Code").as_deref(),
        Some("SignatureDoesNotMatch")
    );
    intact(a, b"precious");
}

#[test]
fn truncated_bodies_and_wrong_content_length_store_nothing() {
    let (_s, a) = setup();
    let owner = creds(OWNER);
    // Declares 1000 bytes, sends 8, hangs up: no answer is owed, nothing is stored.
    let req = Req::new("PUT", Some("bad"), Some("k"))
        .body(b"shortbod")
        .v4(&owner);
    let bytes = String::from_utf8(req.bytes(a))
        .unwrap()
        .replace("Content-Length: 8", "Content-Length: 1000");
    let _ = raw_then_hang_up(a, bytes.as_bytes());
    intact(a, b"precious");
    // A chunked body cut off mid-chunk.
    let req = Req::new("PUT", Some("bad"), Some("k")).v4(&owner);
    let head = String::from_utf8(req.bytes(a))
        .unwrap()
        .replace("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n");
    let _ = raw_then_hang_up(a, format!("{head}10\r\nabc").as_bytes());
    intact(a, b"precious");
    // Declares fewer bytes than sent: the object is exactly what was declared... and signed
    // Content-MD5 catches the difference.
    let md5 = {
        use base64::Engine;
        use md5::Digest;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(b"fullbody"))
    };
    let req = Req::new("PUT", Some("bad"), Some("k"))
        .header("Content-MD5", &md5)
        .body(b"fullbody")
        .v4(&owner);
    let bytes = String::from_utf8(req.bytes(a))
        .unwrap()
        .replace("Content-Length: 8", "Content-Length: 4");
    let r = raw(a, bytes.as_bytes()).unwrap();
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (400, Some("InvalidDigest"))
    );
    intact(a, b"precious");
    // A garbage Content-Length.
    let bytes = String::from_utf8(req.bytes(a))
        .unwrap()
        .replace("Content-Length: 8", "Content-Length: lots");
    // hyper refuses an unparsable Content-Length before ossemu sees the request.
    assert_eq!(raw(a, bytes.as_bytes()).map(|r| r.status), Some(400));
    intact(a, b"precious");
}

#[test]
fn wrong_content_md5_is_invalid_digest() {
    let (_s, a) = setup();
    let r = Req::new("PUT", Some("bad"), Some("k"))
        .header("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
        .body(b"not empty")
        .v4(&creds(OWNER))
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (400, Some("InvalidDigest"))
    );
    intact(a, b"precious");
}

#[test]
fn huge_headers_are_refused_and_the_server_lives_on() {
    let (_s, a) = setup();
    let big = "x".repeat(1 << 20);
    let req =
        format!("GET /bad/k HTTP/1.1\r\nHost: {a}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n");
    // Beyond hyper's header limits the answer is HTTP's own 431, without an OSS body.
    assert_eq!(raw(a, req.as_bytes()).map(|r| r.status), Some(431));
    let many: String = (0..2000)
        .map(|i| format!("x-oss-meta-h{i}: v\r\n"))
        .collect();
    let req = format!("GET /bad/k HTTP/1.1\r\nHost: {a}\r\n{many}Connection: close\r\n\r\n");
    assert_eq!(raw(a, req.as_bytes()).map(|r| r.status), Some(431));
    intact(a, b"precious");
}

#[test]
fn invalid_xml_and_json_bodies() {
    let (_s, a) = setup();
    let owner = creds(OWNER);
    for (sub, body, code) in [
        (
            "requestPayment",
            &b"<RequestPaymentConfiguration><Payer>"[..],
            "MalformedXML",
        ),
        ("requestPayment", b"\xff\xfe", "MalformedXML"),
        ("policy", b"{", "InvalidPolicyDocument"),
        ("policy", b"{\"Statement\": 5}", "InvalidPolicyDocument"),
    ] {
        let r = Req::new("PUT", Some("bad"), None)
            .sub(sub, None)
            .body(body)
            .v4(&owner)
            .send(a);
        assert_eq!(
            (r.status, r.xml("Code").as_deref()),
            (400, Some(code)),
            "{sub} {body:?}"
        );
    }
    let r = Req::new("POST", Some("bad"), None)
        .sub("delete", None)
        .body(b"<Delete><Object>")
        .v4(&owner)
        .send(a);
    assert_eq!(r.xml("Code").as_deref(), Some("MalformedXML"));
    // The bucket's settings are unchanged.
    let r = Req::new("GET", Some("bad"), None)
        .sub("requestPayment", None)
        .v4(&owner)
        .send(a);
    assert!(r.text().contains("BucketOwner"));
    assert_eq!(
        Req::new("GET", Some("bad"), None)
            .sub("policy", None)
            .v4(&owner)
            .send(a)
            .status,
        404
    );
    intact(a, b"precious");
}

#[test]
fn invalid_bucket_names_and_keys() {
    let (_s, a) = setup();
    let owner = creds(OWNER);
    for name in ["ab", "Upper", "under_score", "-lead", "trail-", "_ossemu"] {
        let req = Req::new("PUT", Some(name), None).v4(&owner);
        let r = req.send(a);
        assert_eq!(
            (r.status, r.xml("Code").as_deref()),
            (400, Some("InvalidBucketName")),
            "{name}"
        );
    }
    let long = "k".repeat(1024);
    let r = Req::new("PUT", Some("bad"), Some(&long))
        .body(b"x")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (400, Some("InvalidObjectName"))
    );
    let ok = "k".repeat(1023);
    assert_eq!(
        Req::new("PUT", Some("bad"), Some(&ok))
            .body(b"x")
            .v4(&owner)
            .send(a)
            .status,
        200
    );
    let r = raw(
        a,
        format!("GET /bad//lead HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidObjectName"));
    let r = raw(
        a,
        format!("GET /bad/%zz HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidURI"));
    let r = Req::new("GET", Some("missing-bucket"), Some("k"))
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (404, Some("NoSuchBucket"))
    );
    let r = Req::new("PATCH", Some("bad"), Some("k")).v4(&owner).send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (501, Some("NotImplemented"))
    );
    intact(a, b"precious");
}

#[test]
fn clock_skew_and_expired_urls() {
    let (s, a) = setup();
    s.set_clock_offset(16 * 60);
    let r = Req::new("GET", Some("bad"), Some("k"))
        .v1(&creds(OWNER))
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (403, Some("RequestTimeTooSkewed"))
    );
    let r = Req::new("GET", Some("bad"), Some("k"))
        .presign_v4(&creds(OWNER))
        .send(a);
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired."));
    s.set_clock_offset(14 * 60);
    assert_eq!(
        Req::new("GET", Some("bad"), Some("k"))
            .v4(&creds(OWNER))
            .send(a)
            .status,
        200
    );
}

#[test]
fn user_metadata_rules_and_policy_size() {
    let (_s, a) = setup();
    let owner = creds(OWNER);
    let r = Req::new("PUT", Some("bad"), Some("k"))
        .header("x-oss-meta-file_type", "x")
        .body(b"evil")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("EC").as_deref()),
        (400, Some("0011-00000002")),
        "{}",
        r.text()
    );
    let mut req = Req::new("PUT", Some("bad"), Some("k")).body(b"evil");
    for i in 0..100 {
        req = req.header(&format!("x-oss-meta-m{i}"), &"v".repeat(80));
    }
    let r = req.v4(&owner).send(a);
    assert_eq!(
        (r.status, r.xml("EC").as_deref()),
        (400, Some("0011-00000002")),
        "over 8 KB"
    );
    let r = Req::new("POST", Some("bad"), Some("log"))
        .sub("append", None)
        .sub("position", Some("0"))
        .header("x-oss-meta-a_b", "x")
        .body(b"evil")
        .v4(&owner)
        .send(a);
    assert_eq!(r.xml("EC").as_deref(), Some("0011-00000002"));
    assert_eq!(
        Req::new("HEAD", Some("bad"), Some("log"))
            .v4(&owner)
            .send(a)
            .status,
        404
    );
    let big = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Principal":["1"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:bad/{}"]}}]}}"#,
        "x".repeat(17 * 1024)
    );
    let r = Req::new("PUT", Some("bad"), None)
        .sub("policy", None)
        .body(big.as_bytes())
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("EC").as_deref()),
        (400, Some("0030-00000001"))
    );
    intact(a, b"precious");
}
