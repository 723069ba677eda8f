//! Authentication: V1 header, V1 presigned query, V4 header, V4 presigned query, STS tokens in
//! header or query, anonymous. Uses ossc's canonicalisation, the same rules the vectors pin.

use crate::accounts::{Account, Identity, StsCredential};
use crate::error::{OssError, OssResult};
use ossc::sign::{signatures_equal, v1, v4, SignableRequest};

/// Largest allowed clock difference for header-signed requests (15 minutes).
pub const MAX_SKEW: i64 = 15 * 60;

/// How a request was authenticated; presigned URLs carry the payer as a query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    Anonymous,
    Header,
    Presigned,
}

pub struct Keyring {
    pub accounts: Vec<Account>,
    pub sts: Vec<StsCredential>,
}

struct Found<'a> {
    secret: &'a str,
    uid: &'a str,
    token: Option<&'a str>,
}

impl Keyring {
    fn find(&self, ak: &str) -> OssResult<Found<'_>> {
        if let Some(a) = self.accounts.iter().find(|a| a.access_key_id == ak) {
            return Ok(Found {
                secret: &a.access_key_secret,
                uid: &a.uid,
                token: None,
            });
        }
        if let Some(s) = self.sts.iter().find(|s| s.access_key_id == ak) {
            return Ok(Found {
                secret: &s.access_key_secret,
                uid: &s.account,
                token: Some(&s.security_token),
            });
        }
        Err(OssError::new(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
            "0002-00000902",
        )
        .with("OSSAccessKeyId", ak))
    }
}

fn identity(found: &Found<'_>, token_sent: Option<&str>) -> OssResult<Identity> {
    match (found.token, token_sent) {
        (None, _) => Ok(Identity::Account {
            uid: found.uid.to_string(),
            via_sts: false,
        }),
        (Some(want), Some(got)) if signatures_equal(want, got) => Ok(Identity::Account {
            uid: found.uid.to_string(),
            via_sts: true,
        }),
        _ => Err(OssError::new(
            403,
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
            "0002-00000905",
        )),
    }
}

fn mismatch(string_to_sign: &str, provided: &str) -> OssError {
    OssError::new(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        "0002-00000040",
    )
    .with("StringToSign", string_to_sign)
    .with("SignatureProvided", provided)
}

fn skewed(now: i64, t: i64) -> OssResult<()> {
    if (now - t).abs() > MAX_SKEW {
        return Err(OssError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            "0002-00000504",
        )
        .with("MaxAllowedSkewMilliseconds", "900000"));
    }
    Ok(())
}

fn query<'a>(req: &'a SignableRequest, name: &str) -> Option<&'a str> {
    req.query
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
}

fn expired() -> OssError {
    OssError::new(403, "AccessDenied", "Request has expired.", "0002-00000069")
}

/// Authenticates `req` (method, bucket, key, decoded query, received headers) at time `now`.
pub fn authenticate(
    keys: &Keyring,
    region: &str,
    req: &SignableRequest,
    now: i64,
) -> OssResult<(Identity, AuthMethod)> {
    if let Some(auth) = req.header("Authorization") {
        let auth = auth.trim();
        if auth.starts_with(v4::ALGORITHM) {
            return v4_header(keys, region, req, auth, now).map(|i| (i, AuthMethod::Header));
        }
        if let Some(rest) = auth.strip_prefix("OSS ") {
            return v1_header(keys, req, rest, now).map(|i| (i, AuthMethod::Header));
        }
        return Err(OssError::invalid_argument(
            "Authorization header is invalid.",
        ));
    }
    if query(req, "OSSAccessKeyId").is_some() || query(req, "Signature").is_some() {
        return v1_presigned(keys, req, now).map(|i| (i, AuthMethod::Presigned));
    }
    if query(req, "x-oss-signature-version").is_some() || query(req, "x-oss-signature").is_some() {
        return v4_presigned(keys, region, req, now).map(|i| (i, AuthMethod::Presigned));
    }
    Ok((Identity::Anonymous, AuthMethod::Anonymous))
}

fn v1_header(keys: &Keyring, req: &SignableRequest, rest: &str, now: i64) -> OssResult<Identity> {
    let (ak, sig) = rest
        .trim()
        .rsplit_once(':')
        .ok_or_else(|| OssError::invalid_argument("Authorization header is invalid."))?;
    let found = keys.find(ak)?;
    let date = req.header("Date").unwrap_or("");
    let t = ossc::time::parse_rfc1123(date).ok_or_else(|| {
        OssError::new(
            403,
            "AccessDenied",
            "Missing or invalid Date header.",
            "0002-00000050",
        )
    })?;
    let sts = v1::string_to_sign(req, date.trim());
    if !signatures_equal(&v1::signature(found.secret, &sts), sig) {
        return Err(mismatch(&sts, sig));
    }
    skewed(now, t)?;
    identity(&found, req.header("x-oss-security-token"))
}

fn v1_presigned(keys: &Keyring, req: &SignableRequest, now: i64) -> OssResult<Identity> {
    let (Some(ak), Some(sig), Some(expires)) = (
        query(req, "OSSAccessKeyId"),
        query(req, "Signature"),
        query(req, "Expires"),
    ) else {
        return Err(OssError::invalid_argument(
            "A presigned V1 URL needs OSSAccessKeyId, Expires and Signature.",
        ));
    };
    let found = keys.find(ak)?;
    let exp: i64 = expires
        .parse()
        .map_err(|_| OssError::invalid_argument("Expires must be a Unix time in seconds."))?;
    let sts = v1::string_to_sign(req, expires);
    if !signatures_equal(&v1::signature(found.secret, &sts), sig) {
        return Err(mismatch(&sts, sig));
    }
    if exp < now {
        return Err(expired());
    }
    identity(&found, query(req, "security-token"))
}

fn v4_header(
    keys: &Keyring,
    region: &str,
    req: &SignableRequest,
    auth: &str,
    now: i64,
) -> OssResult<Identity> {
    let parsed = v4::parse_authorization(auth)
        .ok_or_else(|| OssError::invalid_argument("Authorization header is invalid."))?;
    let found = keys.find(&parsed.access_key_id)?;
    let datetime = req.header("x-oss-date").unwrap_or("").trim();
    let t = ossc::time::parse_iso8601_basic(datetime).ok_or_else(|| {
        OssError::new(
            403,
            "AccessDenied",
            "Missing or invalid x-oss-date header.",
            "0002-00000050",
        )
    })?;
    if !datetime.starts_with(&parsed.date) {
        return Err(OssError::invalid_argument(
            "The credential date does not match x-oss-date.",
        ));
    }
    if parsed.region != region {
        return Err(OssError::invalid_argument(format!(
            "Invalid signing region in Authorization header: {} (this server is {region}).",
            parsed.region
        )));
    }
    let canon = v4::canonical_request(req, &parsed.additional_headers);
    let scope = v4::scope(&parsed.date, &parsed.region);
    let sts = v4::string_to_sign(datetime, &scope, &canon);
    let want = v4::signature(found.secret, &parsed.date, &parsed.region, &sts);
    if !signatures_equal(&want, &parsed.signature) {
        return Err(mismatch(&sts, &parsed.signature).with("CanonicalRequest", canon));
    }
    skewed(now, t)?;
    identity(&found, req.header("x-oss-security-token"))
}

fn v4_presigned(
    keys: &Keyring,
    region: &str,
    req: &SignableRequest,
    now: i64,
) -> OssResult<Identity> {
    let get = |n: &str| {
        query(req, n).ok_or_else(|| {
            OssError::invalid_argument(format!("A presigned V4 URL needs the {n} parameter."))
        })
    };
    if get("x-oss-signature-version")? != v4::ALGORITHM {
        return Err(OssError::invalid_argument(
            "Unsupported x-oss-signature-version.",
        ));
    }
    let (ak, date, cred_region) = v4::parse_credential(get("x-oss-credential")?)
        .ok_or_else(|| OssError::invalid_argument("x-oss-credential is invalid."))?;
    let found = keys.find(&ak)?;
    let datetime = get("x-oss-date")?;
    let t = ossc::time::parse_iso8601_basic(datetime)
        .ok_or_else(|| OssError::invalid_argument("x-oss-date is invalid."))?;
    let expires: i64 = get("x-oss-expires")?
        .parse()
        .map_err(|_| OssError::invalid_argument("x-oss-expires is invalid."))?;
    if !(1..=v4::MAX_PRESIGN_EXPIRES).contains(&expires) {
        return Err(OssError::invalid_argument(
            "x-oss-expires must be between 1 and 604800.",
        ));
    }
    if cred_region != region || !datetime.starts_with(&date) {
        return Err(OssError::invalid_argument(
            "x-oss-credential does not match this request.",
        ));
    }
    let additional: Vec<String> = query(req, "x-oss-additional-headers")
        .map(|s| s.split(';').map(|h| h.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let sig = get("x-oss-signature")?;
    // Presigned requests carry no x-oss-content-sha256 header: the payload is unsigned.
    let canon = v4::canonical_request(req, &additional);
    let sts = v4::string_to_sign(datetime, &v4::scope(&date, &cred_region), &canon);
    if !signatures_equal(&v4::signature(found.secret, &date, &cred_region, &sts), sig) {
        return Err(mismatch(&sts, sig).with("CanonicalRequest", canon));
    }
    if t + expires < now {
        return Err(expired());
    }
    identity(&found, query(req, "x-oss-security-token"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ossc::Credentials;

    fn keyring() -> Keyring {
        let (accounts, sts) = crate::accounts::demo_identities();
        Keyring { accounts, sts }
    }

    fn request() -> SignableRequest {
        SignableRequest {
            method: "GET".into(),
            bucket: Some("b".into()),
            key: Some("dir/a b.txt".into()),
            query: vec![],
            headers: vec![("x-oss-request-payer".into(), "requester".into())],
        }
    }

    fn requester() -> Credentials {
        Credentials::new("demo-requester-ak", "demo-requester-sk", None)
    }

    #[test]
    fn every_signing_method_round_trips() {
        let k = keyring();
        let now = 1_700_000_000;
        let want = Identity::Account {
            uid: "1000000000000002".into(),
            via_sts: false,
        };
        let mut r = request();
        v1::sign_headers(&mut r, &requester(), now);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap(),
            (want.clone(), AuthMethod::Header)
        );
        let mut r = request();
        v4::sign_headers(&mut r, &requester(), "cn-hangzhou", now, &[]);
        assert_eq!(authenticate(&k, "cn-hangzhou", &r, now).unwrap().0, want);
        let mut r = request();
        v1::presign(&mut r, &requester(), now + 60);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap(),
            (want.clone(), AuthMethod::Presigned)
        );
        let mut r = request();
        v4::presign(&mut r, &requester(), "cn-hangzhou", now, 60, &[]);
        assert_eq!(authenticate(&k, "cn-hangzhou", &r, now).unwrap().0, want);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &request(), now).unwrap().0,
            Identity::Anonymous
        );
    }

    #[test]
    fn rejections_carry_the_right_codes() {
        let k = keyring();
        let now = 1_700_000_000;
        let bad_secret = Credentials::new("demo-requester-ak", "wrong", None);
        let mut r = request();
        v4::sign_headers(&mut r, &bad_secret, "cn-hangzhou", now, &[]);
        let e = authenticate(&k, "cn-hangzhou", &r, now).unwrap_err();
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(e
            .extra
            .iter()
            .any(|(n, v)| *n == "StringToSign" && v.starts_with("OSS4-HMAC-SHA256\n")));

        let mut r = request();
        v1::sign_headers(&mut r, &Credentials::new("nobody", "x", None), now);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "InvalidAccessKeyId"
        );

        let mut r = request();
        v1::sign_headers(&mut r, &requester(), now - 16 * 60);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "RequestTimeTooSkewed"
        );

        let mut r = request();
        v1::presign(&mut r, &requester(), now - 1);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now)
                .unwrap_err()
                .message,
            "Request has expired."
        );

        let mut r = request();
        v4::presign(&mut r, &requester(), "cn-hangzhou", now - 120, 60, &[]);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now)
                .unwrap_err()
                .message,
            "Request has expired."
        );

        let sts_bad = Credentials::new("STS.demo-role-ak", "demo-role-sk", Some("forged".into()));
        let mut r = request();
        v4::sign_headers(&mut r, &sts_bad, "cn-hangzhou", now, &[]);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "InvalidSecurityToken"
        );
        let sts_none = Credentials::new("STS.demo-role-ak", "demo-role-sk", None);
        let mut r = request();
        v1::sign_headers(&mut r, &sts_none, now);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "InvalidSecurityToken"
        );

        let sts = Credentials::new(
            "STS.demo-role-ak",
            "demo-role-sk",
            Some("demo-role-token".into()),
        );
        let mut r = request();
        v1::presign(&mut r, &sts, now + 10);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap().0,
            Identity::Account {
                uid: "1000000000000003".into(),
                via_sts: true
            }
        );

        let mut r = request();
        r.set_header("Authorization", "garbage");
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "InvalidArgument"
        );
        let mut r = request();
        v4::sign_headers(&mut r, &requester(), "cn-beijing", now, &[]);
        assert_eq!(
            authenticate(&k, "cn-hangzhou", &r, now).unwrap_err().code,
            "InvalidArgument"
        );
    }
}
