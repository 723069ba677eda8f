//! Signature V4: `OSS4-HMAC-SHA256`, in the Authorization header or in a presigned URL.

use super::{hex, hmac_sha256, SignableRequest};
use crate::credentials::Credentials;
use crate::encode::uri_encode;

pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Longest validity of a V4 presigned URL, in seconds (7 days).
pub const MAX_PRESIGN_EXPIRES: i64 = 604_800;

fn signed_by_default(lower: &str) -> bool {
    lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5"
}

/// The sorted, lowercased additional headers that are present and not signed by default.
pub fn effective_additional_headers(req: &SignableRequest, additional: &[String]) -> Vec<String> {
    let mut out: Vec<String> = additional
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty() && !signed_by_default(h) && req.header(h).is_some())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `/bucket/key` percent-encoded with `/` kept; `/bucket/` for bucket operations; `/` for service.
pub fn canonical_uri(req: &SignableRequest) -> String {
    match (&req.bucket, &req.key) {
        (None, _) => "/".into(),
        (Some(b), None) => format!("/{}/", uri_encode(b, true)),
        (Some(b), Some(k)) => format!("/{}/{}", uri_encode(b, true), uri_encode(k, true)),
    }
}

/// Every query parameter, encoded, sorted by encoded name, `k=v` or bare `k`.
/// `x-oss-signature` is left out (a verifier passes the query as received).
pub fn canonical_query(req: &SignableRequest) -> String {
    let mut q: Vec<(String, Option<String>)> = req
        .query
        .iter()
        .filter(|(k, _)| k != "x-oss-signature")
        .map(|(k, v)| {
            (
                uri_encode(k, false),
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| uri_encode(v, false)),
            )
        })
        .collect();
    q.sort();
    q.into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// CanonicalRequest as in PROTOCOL.md.
pub fn canonical_request(req: &SignableRequest, additional: &[String]) -> String {
    let extra = effective_additional_headers(req, additional);
    let mut headers: Vec<(String, &str)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .filter(|(k, _)| signed_by_default(k) || extra.contains(k))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let payload = req
        .header("x-oss-content-sha256")
        .unwrap_or(UNSIGNED_PAYLOAD)
        .trim();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(req),
        canonical_query(req),
        canonical_headers,
        extra.join(";"),
        payload
    )
}

/// `<yyyymmdd>/<region>/oss/aliyun_v4_request`
pub fn scope(date: &str, region: &str) -> String {
    format!("{date}/{region}/oss/aliyun_v4_request")
}

pub fn string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    use sha2::Digest;
    format!(
        "{ALGORITHM}\n{datetime}\n{scope}\n{}",
        hex(&sha2::Sha256::digest(canonical_request.as_bytes()))
    )
}

/// hex(HMAC(k4, string_to_sign)) where k4 is derived from the secret, date and region.
pub fn signature(secret: &str, date: &str, region: &str, string_to_sign: &str) -> String {
    let k1 = hmac_sha256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes());
    let k2 = hmac_sha256(&k1, region.as_bytes());
    let k3 = hmac_sha256(&k2, b"oss");
    let k4 = hmac_sha256(&k3, b"aliyun_v4_request");
    hex(&hmac_sha256(&k4, string_to_sign.as_bytes()))
}

/// Signs in headers: sets `x-oss-date`, `x-oss-content-sha256` (if absent),
/// `x-oss-security-token` for STS, and `Authorization`.
pub fn sign_headers(
    req: &mut SignableRequest,
    creds: &Credentials,
    region: &str,
    now: i64,
    additional: &[String],
) {
    let datetime = crate::time::iso8601_basic(now);
    req.set_header("x-oss-date", datetime.clone());
    if req.header("x-oss-content-sha256").is_none() {
        req.set_header("x-oss-content-sha256", UNSIGNED_PAYLOAD);
    }
    if let Some(t) = &creds.security_token {
        req.set_header("x-oss-security-token", t.clone());
    }
    let scope = scope(&datetime[..8], region);
    let extra = effective_additional_headers(req, additional);
    let sts = string_to_sign(&datetime, &scope, &canonical_request(req, &extra));
    let sig = signature(&creds.access_key_secret, &datetime[..8], region, &sts);
    let mut auth = format!("{ALGORITHM} Credential={}/{scope}", creds.access_key_id);
    if !extra.is_empty() {
        auth.push_str(",AdditionalHeaders=");
        auth.push_str(&extra.join(";"));
    }
    auth.push_str(",Signature=");
    auth.push_str(&sig);
    req.set_header("Authorization", auth);
}

/// Presigns: adds the `x-oss-*` signing parameters, then `x-oss-signature`, to the query.
pub fn presign(
    req: &mut SignableRequest,
    creds: &Credentials,
    region: &str,
    now: i64,
    expires_in: i64,
    additional: &[String],
) {
    let datetime = crate::time::iso8601_basic(now);
    let scope = scope(&datetime[..8], region);
    let extra = effective_additional_headers(req, additional);
    let q = &mut req.query;
    q.push(("x-oss-signature-version".into(), Some(ALGORITHM.into())));
    q.push(("x-oss-date".into(), Some(datetime.clone())));
    q.push(("x-oss-expires".into(), Some(expires_in.to_string())));
    q.push((
        "x-oss-credential".into(),
        Some(format!("{}/{scope}", creds.access_key_id)),
    ));
    if let Some(t) = &creds.security_token {
        q.push(("x-oss-security-token".into(), Some(t.clone())));
    }
    if !extra.is_empty() {
        q.push(("x-oss-additional-headers".into(), Some(extra.join(";"))));
    }
    let sts = string_to_sign(&datetime, &scope, &canonical_request(req, &extra));
    let sig = signature(&creds.access_key_secret, &datetime[..8], region, &sts);
    req.query.push(("x-oss-signature".into(), Some(sig)));
}

/// The parts of a V4 Authorization header.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthorizationV4 {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub additional_headers: Vec<String>,
    pub signature: String,
}

/// Parses `OSS4-HMAC-SHA256 Credential=AK/date/region/oss/aliyun_v4_request,...`; parts in any
/// order, with or without a space after the commas.
pub fn parse_authorization(value: &str) -> Option<AuthorizationV4> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let (mut cred, mut sig, mut extra) = (None, None, Vec::new());
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=')?;
        match k.trim() {
            "Credential" => cred = Some(v.trim()),
            "Signature" => sig = Some(v.trim().to_string()),
            "AdditionalHeaders" => {
                extra = v
                    .split(';')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect()
            }
            _ => return None,
        }
    }
    let (ak, date, region) = parse_credential(cred?)?;
    Some(AuthorizationV4 {
        access_key_id: ak,
        date,
        region,
        additional_headers: extra,
        signature: sig?,
    })
}

/// Splits `AK/yyyymmdd/region/oss/aliyun_v4_request`.
pub fn parse_credential(cred: &str) -> Option<(String, String, String)> {
    let mut parts = cred.rsplitn(5, '/');
    let (term, product, region, date, ak) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if term != "aliyun_v4_request" || product != "oss" || date.len() != 8 || ak.is_empty() {
        return None;
    }
    Some((ak.into(), date.into(), region.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization_in_any_layout() {
        let want = AuthorizationV4 {
            access_key_id: "AK".into(),
            date: "20231216".into(),
            region: "cn-hangzhou".into(),
            additional_headers: vec!["abc".into(), "zabc".into()],
            signature: "ff".into(),
        };
        for v in [
            "OSS4-HMAC-SHA256 Credential=AK/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=ff",
            "OSS4-HMAC-SHA256 Credential=AK/20231216/cn-hangzhou/oss/aliyun_v4_request, Signature=ff, AdditionalHeaders=abc;zabc",
        ] {
            assert_eq!(parse_authorization(v).as_ref(), Some(&want), "{v}");
        }
        assert_eq!(
            parse_authorization("OSS4-HMAC-SHA256 Credential=AK/x,Signature=1"),
            None
        );
        assert_eq!(parse_authorization("OSS AK:sig"), None);
        assert_eq!(parse_authorization("OSS4-HMAC-SHA256 Bogus=1"), None);
    }
}
