//! Request signing, V1 (`OSS AK:sig`, HMAC-SHA1) and V4 (`OSS4-HMAC-SHA256`).
//!
//! Everything here works on a [`SignableRequest`]: the method, bucket, key (plain UTF-8, not
//! encoded), the decoded query and the headers as they will be sent. The canonicalisation
//! functions are pure, so the emulator verifies with exactly the rules the client signs with.

pub mod v1;
pub mod v4;

/// A request as the signer sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignableRequest {
    pub method: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Decoded query parameters in order; `None` is a bare name (`?acl`).
    pub query: Vec<(String, Option<String>)>,
    /// Header names and values as sent (any case).
    pub headers: Vec<(String, String)>,
}

impl SignableRequest {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a header, replacing any with the same name.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }
}

/// Signature version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    V1,
    V4,
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
        s.push(char::from(b"0123456789abcdef"[(b & 15) as usize]));
    }
    s
}

/// Constant-time comparison of two signatures.
pub fn signatures_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod vector_tests;
