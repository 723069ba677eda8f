//! Client configuration: where the bucket is, who we are, how we sign and address.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::sign::SignatureVersion;
use crate::xml::Payer;
use std::time::Duration;

/// How the bucket appears in URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressing {
    /// Path style for IP and `localhost` endpoints, virtual-hosted otherwise (what oss2 does).
    Auto,
    /// `http://endpoint/bucket/key`
    PathStyle,
    /// `https://bucket.endpoint/key`
    VirtualHosted,
}

/// Everything needed to talk to one bucket.
#[derive(Clone, Debug)]
pub struct Config {
    /// `oss-cn-hangzhou.aliyuncs.com`, `https://...` or `http://127.0.0.1:9000`.
    /// Without a scheme, https is used (http for IP and localhost endpoints).
    pub endpoint: String,
    pub bucket: String,
    pub credentials: Credentials,
    /// Region for V4 signing, such as `cn-hangzhou`. Empty: taken from an
    /// `oss-<region>.aliyuncs.com` endpoint, else an error for V4.
    pub region: String,
    pub signature_version: SignatureVersion,
    pub addressing: Addressing,
    /// Payer used by operations that are not given one.
    pub default_payer: Payer,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// Attempts per operation (1: no retries). Retried: network failures, timeouts, 5xx, 408,
    /// 429, RequestTimeTooSkewed (after correcting the clock), CRC-64 mismatches; and only
    /// when the data can be sent or received again (not a read callback's upload, not a
    /// download whose bytes already reached a write callback).
    pub max_attempts: u32,
    /// The first retry waits up to this long, each next one up to twice as long (20 s at most).
    pub retry_base_delay: Duration,
}

impl Config {
    /// A configuration with the SDK-like defaults: V4, automatic addressing, bucket owner pays,
    /// 10 s connect and 20 s read timeouts, 3 attempts with backoff from 200 ms.
    pub fn new(endpoint: &str, bucket: &str, credentials: Credentials) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            bucket: bucket.to_string(),
            credentials,
            region: String::new(),
            signature_version: SignatureVersion::V4,
            addressing: Addressing::Auto,
            default_payer: Payer::BucketOwner,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            max_attempts: 3,
            retry_base_delay: Duration::from_millis(200),
        }
    }

    /// Reads credentials from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_SESSION_TOKEN`,
    /// the endpoint from `OSS_ENDPOINT` and the region from `OSS_REGION`.
    pub fn from_env(bucket: &str) -> Result<Self> {
        let creds = Credentials::from_env().ok_or_else(|| {
            Error::invalid("OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET must be set")
        })?;
        let endpoint = std::env::var("OSS_ENDPOINT")
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid("OSS_ENDPOINT must be set"))?;
        let mut c = Self::new(&endpoint, bucket, creds);
        c.region = std::env::var("OSS_REGION").unwrap_or_default();
        Ok(c)
    }
}

/// A checked endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub scheme: &'static str,
    /// host[:port]
    pub authority: String,
    pub host: String,
    pub path_style: bool,
}

fn is_ip_or_localhost(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::Ipv4Addr>().is_ok()
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::Ipv6Addr>()
            .is_ok()
}

pub(crate) fn parse_endpoint(endpoint: &str, addressing: Addressing) -> Result<Endpoint> {
    let e = endpoint.trim();
    let (scheme, rest) = if let Some(r) = e.strip_prefix("http://") {
        (Some("http"), r)
    } else if let Some(r) = e.strip_prefix("https://") {
        (Some("https"), r)
    } else if e.contains("://") {
        return Err(Error::invalid(format!(
            "endpoint {e:?}: only http and https are supported"
        )));
    } else {
        (None, e)
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
        || !authority.is_ascii()
    {
        return Err(Error::invalid(format!(
            "endpoint {endpoint:?} must be a host name with an optional port and scheme"
        )));
    }
    let host = if authority.starts_with('[') {
        authority.split(']').next().unwrap_or("").to_string() + "]"
    } else {
        authority.split(':').next().unwrap_or("").to_string()
    };
    let local = is_ip_or_localhost(&host);
    let path_style = match addressing {
        Addressing::Auto => local,
        Addressing::PathStyle => true,
        Addressing::VirtualHosted => false,
    };
    Ok(Endpoint {
        scheme: scheme.unwrap_or(if local { "http" } else { "https" }),
        authority: authority.to_string(),
        host,
        path_style,
    })
}

/// `oss-cn-hangzhou.aliyuncs.com` (or `-internal`) gives `cn-hangzhou`.
pub(crate) fn region_from_host(host: &str) -> Option<String> {
    let first = host.split('.').next()?;
    let r = first.strip_prefix("oss-")?;
    let r = r.strip_suffix("-internal").unwrap_or(r);
    (!r.is_empty() && host.ends_with(".aliyuncs.com")).then(|| r.to_string())
}

/// Bucket names: 3 to 63 of `[a-z0-9-]`, starting and ending with a letter or digit.
pub fn validate_bucket_name(name: &str) -> Result<()> {
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid bucket name {name:?}: 3 to 63 lowercase letters, digits and hyphens, \
             starting and ending with a letter or digit"
        )))
    }
}

/// Object keys: 1 to 1023 bytes of UTF-8, not starting with `/` or `\`.
pub fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 1023 {
        return Err(Error::invalid(format!(
            "invalid object key: length {} is not between 1 and 1023 bytes",
            key.len()
        )));
    }
    if key.starts_with('/') || key.starts_with('\\') {
        return Err(Error::invalid(format!(
            "invalid object key {key:?}: must not start with '/' or '\\'"
        )));
    }
    if key.contains(['\r', '\n', '\0']) {
        return Err(Error::invalid("invalid object key: contains CR, LF or NUL"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = parse_endpoint("http://127.0.0.1:9000", Addressing::Auto).unwrap();
        assert_eq!(
            (e.scheme, e.authority.as_str(), e.path_style),
            ("http", "127.0.0.1:9000", true)
        );
        let e = parse_endpoint("localhost:9000/", Addressing::Auto).unwrap();
        assert_eq!((e.scheme, e.path_style), ("http", true));
        let e = parse_endpoint("oss-cn-hangzhou.aliyuncs.com", Addressing::Auto).unwrap();
        assert_eq!((e.scheme, e.path_style), ("https", false));
        assert_eq!(region_from_host(&e.host).as_deref(), Some("cn-hangzhou"));
        let e = parse_endpoint("https://x.example", Addressing::PathStyle).unwrap();
        assert!(e.path_style);
        assert!(parse_endpoint("ftp://x", Addressing::Auto).is_err());
        assert!(parse_endpoint("", Addressing::Auto).is_err());
        assert!(parse_endpoint("http://a/b", Addressing::Auto).is_err());
    }

    #[test]
    fn names_and_keys() {
        assert!(validate_bucket_name("my-bucket-1").is_ok());
        for bad in ["ab", "-ab", "ab-", "Abc", "a_b", &"a".repeat(64)] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
        assert!(validate_key("dir/a b.txt").is_ok());
        assert!(validate_key(&"k".repeat(1023)).is_ok());
        for bad in ["", "/a", "\\a", &"k".repeat(1024)] {
            assert!(validate_key(bad).is_err());
        }
    }
}
