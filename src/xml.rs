//! The little XML OSS speaks: error bodies, request payment, ACL, and the bodies we send.
//! Parsing flattens a document into (path, text) leaves, which is all these formats need.

use crate::error::{Error, Result};
use quick_xml::events::Event;
use quick_xml::Reader;

/// Flattens `xml` into `("Root/Child/Leaf", text)` pairs, in document order.
/// Elements with no text produce no pair. Fails on malformed XML.
pub fn leaves(xml: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(s) => {
                path.push(String::from_utf8_lossy(s.local_name().as_ref()).into_owned());
                text.clear();
            }
            Event::End(_) => {
                if !text.trim().is_empty() {
                    out.push((path.join("/"), std::mem::take(&mut text)));
                }
                text.clear();
                if path.pop().is_none() {
                    return Err("unbalanced end tag".into());
                }
            }
            Event::Text(t) => {
                let decoded = t.decode().map_err(|e| e.to_string())?;
                let unescaped = quick_xml::escape::unescape(&decoded).map_err(|e| e.to_string())?;
                text.push_str(&unescaped);
            }
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let resolved = match name.as_str() {
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "amp" => "&".to_string(),
                    "apos" => "'".to_string(),
                    "quot" => "\"".to_string(),
                    n => match r.resolve_char_ref().map_err(|e| e.to_string())? {
                        Some(c) => c.to_string(),
                        None => return Err(format!("unknown entity &{n};")),
                    },
                };
                text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err("document ended inside an element".into());
    }
    Ok(out)
}

/// Escapes text for an XML element body.
pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Who pays for requests to a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payer {
    BucketOwner,
    Requester,
}

impl Payer {
    pub fn as_str(self) -> &'static str {
        match self {
            Payer::BucketOwner => "BucketOwner",
            Payer::Requester => "Requester",
        }
    }
}

pub fn request_payment_body(payer: Payer) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RequestPaymentConfiguration><Payer>{}</Payer></RequestPaymentConfiguration>",
        payer.as_str()
    )
}

/// Parses a RequestPaymentConfiguration; an empty one means BucketOwner.
pub fn parse_request_payment(xml: &str) -> Result<Payer> {
    let leaves = leaves(xml).map_err(|e| bad_answer("RequestPaymentConfiguration", &e))?;
    let mut saw_root = xml.contains("RequestPaymentConfiguration");
    let mut payer = Payer::BucketOwner;
    for (path, text) in leaves {
        if path == "RequestPaymentConfiguration/Payer" {
            saw_root = true;
            payer = match text.trim() {
                "Requester" => Payer::Requester,
                "BucketOwner" => Payer::BucketOwner,
                other => return Err(bad_answer("Payer", other)),
            };
        }
    }
    if !saw_root {
        return Err(bad_answer("RequestPaymentConfiguration", "missing"));
    }
    Ok(payer)
}

/// A bucket's canned ACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acl {
    Private,
    PublicRead,
    PublicReadWrite,
}

impl Acl {
    pub fn as_str(self) -> &'static str {
        match self {
            Acl::Private => "private",
            Acl::PublicRead => "public-read",
            Acl::PublicReadWrite => "public-read-write",
        }
    }
    pub fn parse(s: &str) -> Option<Acl> {
        match s.trim() {
            "private" => Some(Acl::Private),
            "public-read" => Some(Acl::PublicRead),
            "public-read-write" => Some(Acl::PublicReadWrite),
            _ => None,
        }
    }
}

/// Parses an AccessControlPolicy answer to `GET ?acl`.
pub fn parse_acl(xml: &str) -> Result<Acl> {
    let leaves = leaves(xml).map_err(|e| bad_answer("AccessControlPolicy", &e))?;
    leaves
        .iter()
        .find(|(p, _)| p == "AccessControlPolicy/AccessControlList/Grant")
        .and_then(|(_, t)| Acl::parse(t))
        .ok_or_else(|| bad_answer("AccessControlPolicy", "no known Grant"))
}

fn bad_answer(what: &str, detail: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::Internal,
        format!("could not understand the server's {what}: {detail}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_payment_round_trip_and_empty() {
        for p in [Payer::Requester, Payer::BucketOwner] {
            assert_eq!(parse_request_payment(&request_payment_body(p)).unwrap(), p);
        }
        assert_eq!(
            parse_request_payment("<RequestPaymentConfiguration/>").unwrap(),
            Payer::BucketOwner
        );
        assert!(parse_request_payment(
            "<RequestPaymentConfiguration><Payer>Me</Payer></RequestPaymentConfiguration>"
        )
        .is_err());
        assert!(parse_request_payment("<Other/>").is_err());
        assert!(parse_request_payment("<a><b></a>").is_err());
    }

    #[test]
    fn acl_answer() {
        let xml = "<?xml version=\"1.0\"?><AccessControlPolicy><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>";
        assert_eq!(parse_acl(xml).unwrap(), Acl::PublicRead);
    }

    #[test]
    fn leaves_unescape_entities() {
        let l = leaves("<E><M>a &amp; b &lt;c&gt; &#65;</M></E>").unwrap();
        assert_eq!(l, vec![("E/M".to_string(), "a & b <c> A".to_string())]);
        assert_eq!(escape("a<&>"), "a&lt;&amp;&gt;");
    }
}
