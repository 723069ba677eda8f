//! Percent-encoding as OSS wants it (RFC 3986: unreserved characters are kept, everything else
//! becomes upper-case `%XX`), and the matching decoder used by the emulator.

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `s`, keeping RFC 3986 unreserved characters and, when `keep_slash`, `/`.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

/// Decodes `%XX` escapes (and, when `plus_as_space`, `+` as a space as in query strings).
/// Returns `None` for a malformed escape or a result that is not UTF-8.
pub fn uri_decode(s: &str, plus_as_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hi = (hex[0] as char).to_digit(16)?;
                let lo = (hex[1] as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Splits a raw query string into decoded `(name, value)` pairs; a bare `name` has no value.
pub fn parse_query(q: &str) -> Option<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((k, v)) => out.push((uri_decode(k, true)?, Some(uri_decode(v, true)?))),
            None => out.push((uri_decode(part, true)?, None)),
        }
    }
    Some(out)
}

/// Builds a query string from pairs, encoding names and values.
pub fn build_query(pairs: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&uri_encode(k, false));
        if let Some(v) = v {
            out.push('=');
            out.push_str(&uri_encode(v, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_oss() {
        assert_eq!(uri_encode("1234+-/123/1.txt", true), "1234%2B-/123/1.txt");
        assert_eq!(uri_encode("a b/ü", false), "a%20b%2F%C3%BC");
    }

    #[test]
    fn decodes_and_rejects_bad_escapes() {
        assert_eq!(uri_decode("a%20b%2Fc+d", true).as_deref(), Some("a b/c d"));
        assert_eq!(uri_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(uri_decode("%zz", false), None);
        assert_eq!(uri_decode("%4", false), None);
        assert_eq!(uri_decode("%FF", false), None);
    }

    #[test]
    fn query_round_trip() {
        let q = parse_query("requestPayment&x=1&y=&a%2Bb=c%26d").unwrap();
        assert_eq!(
            q,
            vec![
                ("requestPayment".into(), None),
                ("x".into(), Some("1".into())),
                ("y".into(), Some("".into())),
                ("a+b".into(), Some("c&d".into())),
            ]
        );
        assert_eq!(build_query(&q), "requestPayment&x=1&y=&a%2Bb=c%26d");
    }
}
