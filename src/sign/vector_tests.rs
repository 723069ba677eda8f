//! Every case of `tests/vectors/signatures.json` (a copy of the project's shared vectors,
//! checked against the official SDKs) must pass.

use super::{v1, v4, SignableRequest};
use crate::credentials::Credentials;
use serde_json::Value;

#[path = "../../tests/vectors/cases.rs"]
mod cases;
use cases::{cases, request, s};

fn creds(c: &Value) -> Credentials {
    Credentials::new(
        s(&c["access_key_id"]).unwrap(),
        s(&c["access_key_secret"]).unwrap(),
        s(&c["security_token"]),
    )
}

fn additional(c: &Value) -> Vec<String> {
    c["additional_headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| s(h).unwrap())
        .collect()
}

fn query_value<'a>(req: &'a SignableRequest, name: &str) -> &'a str {
    req.query
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
        .unwrap_or_else(|| panic!("no {name} in query"))
}

#[test]
fn v1_header_vectors() {
    for c in cases("v1_header") {
        let name = c["name"].as_str().unwrap();
        let req = request(&c);
        let sts = v1::string_to_sign(&req, c["date"].as_str().unwrap());
        assert_eq!(sts, c["string_to_sign"].as_str().unwrap(), "{name}");
        let auth = format!(
            "OSS {}:{}",
            c["access_key_id"].as_str().unwrap(),
            v1::signature(c["access_key_secret"].as_str().unwrap(), &sts)
        );
        assert_eq!(auth, c["authorization"].as_str().unwrap(), "{name}");
    }
}

#[test]
fn v1_presign_vectors() {
    for c in cases("v1_presign") {
        let name = c["name"].as_str().unwrap();
        let mut req = request(&c);
        let expires = c["expires"].as_i64().unwrap();
        v1::presign(&mut req, &creds(&c), expires);
        if let Some(want) = c["string_to_sign"].as_str() {
            let mut unsigned = request(&c);
            if let Some(t) = s(&c["security_token"]) {
                unsigned.query.push(("security-token".into(), Some(t)));
            }
            assert_eq!(
                v1::string_to_sign(&unsigned, &expires.to_string()),
                want,
                "{name}"
            );
        }
        let sig = crate::encode::uri_encode(query_value(&req, "Signature"), false);
        assert_eq!(sig, c["signature_urlencoded"].as_str().unwrap(), "{name}");
        assert_eq!(query_value(&req, "Expires"), expires.to_string());
        assert_eq!(query_value(&req, "OSSAccessKeyId"), "ak");
    }
}

#[test]
fn v4_header_vectors() {
    for c in cases("v4_header") {
        let name = c["name"].as_str().unwrap();
        let mut req = request(&c);
        let time = c["time"].as_i64().unwrap();
        v4::sign_headers(
            &mut req,
            &creds(&c),
            c["region"].as_str().unwrap(),
            time,
            &additional(&c),
        );
        if let Some(want) = c["canonical_request"].as_str() {
            assert_eq!(v4::canonical_request(&req, &additional(&c)), want, "{name}");
        }
        let auth = req.header("Authorization").unwrap().to_string();
        if let Some(want) = c["authorization"].as_str() {
            assert_eq!(auth, want, "{name}");
        }
        if let Some(want) = c["signature"].as_str() {
            assert!(
                auth.ends_with(&format!("Signature={want}")),
                "{name}: {auth}"
            );
        }
        // A verifier that parses the header and recomputes gets the same signature.
        let parsed = v4::parse_authorization(&auth).unwrap();
        let canon = v4::canonical_request(&req, &parsed.additional_headers);
        let scope = v4::scope(&parsed.date, &parsed.region);
        let sts = v4::string_to_sign(req.header("x-oss-date").unwrap(), &scope, &canon);
        assert_eq!(
            v4::signature("sk", &parsed.date, &parsed.region, &sts),
            parsed.signature,
            "{name}"
        );
    }
}

#[test]
fn v4_presign_vectors() {
    for c in cases("v4_presign") {
        let name = c["name"].as_str().unwrap();
        let mut req = request(&c);
        v4::presign(
            &mut req,
            &creds(&c),
            c["region"].as_str().unwrap(),
            c["time"].as_i64().unwrap(),
            c["expires_in"].as_i64().unwrap(),
            &additional(&c),
        );
        let url_query = crate::encode::build_query(&req.query);
        assert_eq!(
            query_value(&req, "x-oss-date"),
            c["x-oss-date"].as_str().unwrap(),
            "{name}"
        );
        for field in ["x-oss-credential", "x-oss-additional-headers"] {
            if let Some(want) = c[field].as_str() {
                assert!(
                    url_query.contains(&format!("{field}={want}")),
                    "{name}: {url_query}"
                );
            }
        }
        if let Some(t) = c["security_token"].as_str() {
            assert_eq!(query_value(&req, "x-oss-security-token"), t);
        }
        assert_eq!(
            query_value(&req, "x-oss-signature"),
            c["x-oss-signature"].as_str().unwrap(),
            "{name}"
        );
    }
}
