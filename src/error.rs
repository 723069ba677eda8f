//! The error value every fallible operation returns. It carries all a user needs to act on a
//! failure and to report it to Alibaba Cloud: kind, HTTP status, OSS Code, Message, RequestId,
//! HostId and EC. It never holds a secret.

use std::fmt;

/// What sort of failure this is. The numbers are part of the C ABI and never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ErrorKind {
    /// The caller passed something unusable (NULL, bad enum value, bad bucket name or key...).
    InvalidArgument = 1,
    /// The service answered with an error (see status, code, message, EC).
    Service = 2,
    /// The connection failed or broke.
    Network = 3,
    /// A connect or read timeout expired.
    Timeout = 4,
    /// Data arrived damaged or incomplete (CRC-64 mismatch, short body).
    Integrity = 5,
    /// A local file or a caller's callback failed.
    Io = 6,
    /// A bug in this library (including a caught panic), or an answer it could not understand.
    Internal = 7,
}

/// An error from an OSS operation. One pointer wide (the details are boxed), so `Result`s
/// stay small on the success path; read the fields through `Deref` (`err.code`).
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorDetails>);

/// Everything an [`Error`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDetails {
    pub kind: ErrorKind,
    /// HTTP status, 0 when no response was received.
    pub status: u16,
    /// OSS error code such as `AccessDenied`; empty if none.
    pub code: String,
    pub message: String,
    pub request_id: String,
    pub host_id: String,
    /// OSS diagnostic code such as `0003-00000703`; empty if none.
    pub ec: String,
    /// For `SignatureDoesNotMatch`, the StringToSign the server computed.
    pub string_to_sign: String,
    /// The server's clock (its answer's `Date`), when it sent one.
    pub server_time: Option<i64>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl std::ops::Deref for Error {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorDetails {
            kind,
            status: 0,
            code: String::new(),
            message: message.into(),
            request_id: String::new(),
            host_id: String::new(),
            ec: String::new(),
            string_to_sign: String::new(),
            server_time: None,
        }))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Integrity, message)
    }

    pub fn io(context: &str, e: &std::io::Error) -> Self {
        Self::new(ErrorKind::Io, format!("{context}: {e}"))
    }

    /// A network-level I/O failure while talking to the server.
    pub fn transport(context: &str, e: &std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::TimedOut {
            ErrorKind::Timeout
        } else {
            ErrorKind::Network
        };
        Self::new(kind, format!("{context}: {e}"))
    }

    /// A service error decoded from an OSS error XML body (or from `x-oss-err` for HEAD).
    pub fn from_service(status: u16, xml: Option<&str>, request_id: &str, ec_header: &str) -> Self {
        let mut e = Self::new(ErrorKind::Service, "");
        e.status = status;
        if let Some(fields) = xml.and_then(|x| crate::xml::leaves(x).ok()) {
            for (path, text) in fields {
                match path.as_str() {
                    "Error/Code" => e.code = text,
                    "Error/Message" => e.message = text,
                    "Error/RequestId" => e.request_id = text,
                    "Error/HostId" => e.host_id = text,
                    "Error/EC" => e.ec = text,
                    "Error/StringToSign" => e.string_to_sign = text,
                    _ => {}
                }
            }
        }
        if e.request_id.is_empty() {
            e.request_id = request_id.to_string();
        }
        if e.ec.is_empty() {
            e.ec = ec_header.to_string();
        }
        if e.message.is_empty() {
            e.message = format!("HTTP status {status} with no error details");
        }
        e
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind != ErrorKind::Service {
            return write!(f, "{:?} error: {}", self.kind, self.message);
        }
        write!(f, "OSS error (HTTP {})", self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.ec.is_empty() {
            write!(f, " [EC {}]", self.ec)?;
        }
        if !self.request_id.is_empty() {
            write!(f, " [RequestId {}]", self.request_id)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_requester_pays_denial() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Access denied for requester pay bucket</Message>
  <RequestId>5C3D8D2A0ACA54D87B43****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0003-00000703</EC>
</Error>"#;
        let e = Error::from_service(403, Some(xml), "hdr-id", "");
        assert_eq!(e.kind, ErrorKind::Service);
        assert_eq!(e.status, 403);
        assert_eq!(e.code, "AccessDenied");
        assert_eq!(e.message, "Access denied for requester pay bucket");
        assert_eq!(e.request_id, "5C3D8D2A0ACA54D87B43****");
        assert_eq!(e.host_id, "test.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec, "0003-00000703");
        assert!(e.to_string().contains("AccessDenied"));
    }

    #[test]
    fn falls_back_to_headers_and_status() {
        let e = Error::from_service(404, None, "RID", "0026-00000001");
        assert_eq!(e.request_id, "RID");
        assert_eq!(e.ec, "0026-00000001");
        assert!(e.message.contains("404"));
        let bad = Error::from_service(500, Some("<Error><Code>X"), "RID", "");
        assert_eq!(bad.status, 500);
    }
}
