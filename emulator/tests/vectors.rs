//! ossemu's verifier accepts every request in the shared signature vectors (computed with the
//! official SDKs) at the vector's time, and rejects each one with a byte changed.

use ossc::sign::SignableRequest;
use ossemu::accounts::{Account, Identity};
use ossemu::auth::{authenticate, AuthMethod, Keyring};

#[path = "../../tests/vectors/cases.rs"]
mod cases;
use cases::{cases, request, s};

fn keyring() -> Keyring {
    Keyring {
        accounts: vec![Account {
            uid: "42".into(),
            name: "vectors".into(),
            access_key_id: "ak".into(),
            access_key_secret: "sk".into(),
        }],
        sts: vec![],
    }
}

fn accepted(req: &SignableRequest, now: i64) -> bool {
    match authenticate(&keyring(), "cn-hangzhou", req, now) {
        Ok((Identity::Account { uid, .. }, m)) => uid == "42" && m != AuthMethod::Anonymous,
        _ => false,
    }
}

fn tampered(req: &SignableRequest) -> SignableRequest {
    let mut t = req.clone();
    t.method = if t.method == "GET" {
        "PUT".into()
    } else {
        "GET".into()
    };
    t
}

#[test]
fn v1_header_vectors_verify() {
    for c in &cases("v1_header") {
        let mut req = request(c);
        let date = c["date"].as_str().unwrap();
        if req.header("Date").is_none() {
            req.set_header("Date", date);
        }
        req.set_header("Authorization", c["authorization"].as_str().unwrap());
        let now = ossc::time::parse_rfc1123(date).unwrap();
        assert!(accepted(&req, now), "{}", c["name"]);
        assert!(!accepted(&tampered(&req), now), "{}", c["name"]);
    }
}

#[test]
fn v1_presign_vectors_verify() {
    for c in &cases("v1_presign") {
        if c["security_token"].is_string() {
            continue; // signed for an STS identity this keyring does not have
        }
        let mut req = request(c);
        let exp = c["expires"].as_i64().unwrap();
        let sig =
            ossc::encode::uri_decode(c["signature_urlencoded"].as_str().unwrap(), false).unwrap();
        req.query.push(("Expires".into(), Some(exp.to_string())));
        req.query.push(("OSSAccessKeyId".into(), Some("ak".into())));
        req.query.push(("Signature".into(), Some(sig)));
        assert!(accepted(&req, exp - 10), "{}", c["name"]);
        assert!(!accepted(&req, exp + 10), "expired: {}", c["name"]);
        assert!(!accepted(&tampered(&req), exp - 10));
    }
}

#[test]
fn v4_header_vectors_verify() {
    for c in &cases("v4_header") {
        if c["security_token"].is_string() {
            continue;
        }
        let mut req = request(c);
        let time = c["time"].as_i64().unwrap();
        let datetime = ossc::time::iso8601_basic(time);
        req.set_header("x-oss-date", datetime.clone());
        let auth = match c["authorization"].as_str() {
            Some(a) => a.to_string(),
            None => format!(
                "OSS4-HMAC-SHA256 Credential=ak/{}/cn-hangzhou/oss/aliyun_v4_request,Signature={}",
                &datetime[..8],
                c["signature"].as_str().unwrap()
            ),
        };
        req.set_header("Authorization", auth.replace(",Signature", ", Signature"));
        assert!(accepted(&req, time), "{}", c["name"]);
        assert!(!accepted(&tampered(&req), time), "{}", c["name"]);
    }
}

#[test]
fn v4_presign_vectors_verify() {
    for c in &cases("v4_presign") {
        if c["security_token"].is_string() {
            continue;
        }
        let mut req = request(c);
        let time = c["time"].as_i64().unwrap();
        let date = &c["x-oss-date"].as_str().unwrap()[..8];
        let q = &mut req.query;
        q.push((
            "x-oss-signature-version".into(),
            Some("OSS4-HMAC-SHA256".into()),
        ));
        q.push(("x-oss-date".into(), s(&c["x-oss-date"])));
        q.push((
            "x-oss-expires".into(),
            Some(c["expires_in"].as_i64().unwrap().to_string()),
        ));
        q.push((
            "x-oss-credential".into(),
            Some(format!("ak/{date}/cn-hangzhou/oss/aliyun_v4_request")),
        ));
        if let Some(h) = c["x-oss-additional-headers"].as_str() {
            q.push((
                "x-oss-additional-headers".into(),
                ossc::encode::uri_decode(h, false),
            ));
        }
        q.push(("x-oss-signature".into(), s(&c["x-oss-signature"])));
        assert!(accepted(&req, time + 1), "{}", c["name"]);
        assert!(!accepted(&req, time + 10_000), "expired: {}", c["name"]);
        assert!(!accepted(&tampered(&req), time + 1), "{}", c["name"]);
    }
}
