//! Signature V1: `Authorization: OSS <AccessKeyId>:<base64 HMAC-SHA1>` and presigned V1 URLs.

use super::SignableRequest;
use crate::credentials::Credentials;
use base64::Engine;

/// Query parameters that V1 signs (the list of oss2 2.19; see PROTOCOL.md). Sorted.
pub const SIGNED_SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-access-point-name",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-redundancy-transition-taskid",
    "x-oss-request-payer",
    "x-oss-target-redundancy-type",
    "x-oss-traffic-limit",
    "x-oss-write-get-object-response",
];

/// `/`, `/bucket/` or `/bucket/key`, then `?` and the signed sub-resources sorted by name.
pub fn canonical_resource(req: &SignableRequest) -> String {
    let mut out = match (&req.bucket, &req.key) {
        (None, _) => "/".to_string(),
        (Some(b), None) => format!("/{b}/"),
        (Some(b), Some(k)) => format!("/{b}/{k}"),
    };
    let mut subs: Vec<&(String, Option<String>)> = req
        .query
        .iter()
        .filter(|(k, _)| SIGNED_SUBRESOURCES.binary_search(&k.as_str()).is_ok())
        .collect();
    subs.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (k, v)) in subs.into_iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// Every `x-oss-*` header, lowercased, trimmed, sorted, each `name:value\n`.
pub fn canonical_oss_headers(req: &SignableRequest) -> String {
    let mut h: Vec<(String, &str)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .filter(|(k, _)| k.starts_with("x-oss-"))
        .collect();
    h.sort();
    h.into_iter().map(|(k, v)| format!("{k}:{v}\n")).collect()
}

/// The V1 StringToSign; `date` is the `Date` header, or the `Expires` epoch for a presigned URL.
pub fn string_to_sign(req: &SignableRequest, date: &str) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        req.method,
        req.header("Content-MD5").unwrap_or("").trim(),
        req.header("Content-Type").unwrap_or("").trim(),
        date,
        canonical_oss_headers(req),
        canonical_resource(req)
    )
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs in headers: sets `Date` (RFC 1123 of `now`), `x-oss-security-token` for STS, and
/// `Authorization`.
pub fn sign_headers(req: &mut SignableRequest, creds: &Credentials, now: i64) {
    let date = crate::time::rfc1123(now);
    req.set_header("Date", date.clone());
    if let Some(t) = &creds.security_token {
        req.set_header("x-oss-security-token", t.clone());
    }
    let sig = signature(&creds.access_key_secret, &string_to_sign(req, &date));
    req.set_header(
        "Authorization",
        format!("OSS {}:{}", creds.access_key_id, sig),
    );
}

/// Presigns: adds `security-token` (before signing, it is a sub-resource), then `Expires`,
/// `OSSAccessKeyId` and `Signature` to the query.
pub fn presign(req: &mut SignableRequest, creds: &Credentials, expires: i64) {
    if let Some(t) = &creds.security_token {
        req.query.push(("security-token".into(), Some(t.clone())));
    }
    let sig = signature(
        &creds.access_key_secret,
        &string_to_sign(req, &expires.to_string()),
    );
    req.query
        .push(("Expires".into(), Some(expires.to_string())));
    req.query
        .push(("OSSAccessKeyId".into(), Some(creds.access_key_id.clone())));
    req.query.push(("Signature".into(), Some(sig)));
}

#[cfg(test)]
mod tests {
    #[test]
    fn subresource_list_is_sorted_for_binary_search() {
        let mut s = super::SIGNED_SUBRESOURCES.to_vec();
        s.sort();
        assert_eq!(s, super::SIGNED_SUBRESOURCES);
    }
}
