//! Reading the shared signature vectors (`signatures.json` beside this file), for the signer's
//! tests in ossc and the verifier's tests in ossemu. Included by both with `#[path]`; the
//! including module imports `SignableRequest`.

use super::SignableRequest;
use serde_json::Value;

/// The whole vectors document.
pub fn vectors() -> Value {
    serde_json::from_str(include_str!("signatures.json")).expect("signatures.json parses")
}

/// One group of cases (`v1_header`, `v1_presign`, `v4_header`, `v4_presign`), never empty.
pub fn cases(group: &str) -> Vec<Value> {
    let v = vectors()[group].as_array().expect(group).clone();
    assert!(!v.is_empty(), "no cases in {group}");
    v
}

pub fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The request a case describes, before signing.
pub fn request(c: &Value) -> SignableRequest {
    SignableRequest {
        method: s(&c["method"]).unwrap(),
        bucket: s(&c["bucket"]),
        key: s(&c["key"]),
        query: c["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (s(&p[0]).unwrap(), s(&p[1])))
            .collect(),
        headers: c["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (s(&p[0]).unwrap(), s(&p[1]).unwrap()))
            .collect(),
    }
}
