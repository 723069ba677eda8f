//! The C ABI. This layer only checks and converts arguments, calls the Rust core and converts
//! results; `include/ossc.h` is generated from it by build.rs (cbindgen).
//!
//! Conventions (also in the README): every fallible function returns `oss_error *`, NULL on
//! success; outputs are written only on success; memory the library returns is freed by the
//! matching `*_free` function; enum-like parameters are `uint32_t` and validated; no panic
//! crosses the boundary.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod bucket;
pub mod error;
pub mod object;
mod util;

use std::ffi::{c_char, CString};

/// Who pays for a request (object operations) or for a bucket (request payment).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_payer {
    /// Object operations: use the bucket handle's `default_payer`. Not valid for
    /// `oss_set_request_payment`.
    OSS_PAYER_DEFAULT = 0,
    /// The bucket owner pays (no `x-oss-request-payer` header is sent).
    OSS_PAYER_BUCKET_OWNER = 1,
    /// The requester pays (`x-oss-request-payer: requester` is sent).
    OSS_PAYER_REQUESTER = 2,
}

/// Signature version for `oss_bucket_config.signature_version`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_signature_version {
    /// V4 (`OSS4-HMAC-SHA256`), the default.
    OSS_SIGNATURE_DEFAULT = 0,
    /// V1 (`OSS AccessKeyId:Signature`, HMAC-SHA1).
    OSS_SIGNATURE_V1 = 1,
    /// V4 (`OSS4-HMAC-SHA256`).
    OSS_SIGNATURE_V4 = 4,
}

/// URL style for `oss_bucket_config.addressing`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_addressing {
    /// Path style for IP and `localhost` endpoints, virtual-hosted otherwise.
    OSS_ADDRESSING_AUTO = 0,
    /// `http://endpoint/bucket/key`
    OSS_ADDRESSING_PATH_STYLE = 1,
    /// `https://bucket.endpoint/key`
    OSS_ADDRESSING_VIRTUAL_HOSTED = 2,
}

/// Canned bucket ACL.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_acl {
    /// For `oss_create_bucket`: send no ACL (the bucket is private).
    OSS_ACL_DEFAULT = 0,
    OSS_ACL_PRIVATE = 1,
    OSS_ACL_PUBLIC_READ = 2,
    OSS_ACL_PUBLIC_READ_WRITE = 3,
}

/// HTTP method of a presigned URL.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_http_method {
    OSS_HTTP_GET = 1,
    OSS_HTTP_PUT = 2,
    OSS_HTTP_HEAD = 3,
}

/// What kind of failure an `oss_error` is (`oss_error_get_kind`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_error_kind {
    /// A bad argument: NULL where a value is needed, an unknown enum value, invalid UTF-8,
    /// a bad bucket name or key. Nothing was sent.
    OSS_ERROR_KIND_INVALID_ARGUMENT = 1,
    /// OSS answered with an error: see the HTTP status, code, message, EC and request id.
    OSS_ERROR_KIND_SERVICE = 2,
    /// The connection could not be made or broke.
    OSS_ERROR_KIND_NETWORK = 3,
    /// The connect or read timeout expired.
    OSS_ERROR_KIND_TIMEOUT = 4,
    /// Data arrived damaged or incomplete (CRC-64 mismatch, short body).
    OSS_ERROR_KIND_INTEGRITY = 5,
    /// A local file or one of your callbacks failed.
    OSS_ERROR_KIND_IO = 6,
    /// A bug in ossc (a caught panic) or an answer it could not understand.
    OSS_ERROR_KIND_INTERNAL = 7,
}

/// For `oss_range.end`: read to the end of the object.
pub const OSS_RANGE_TO_END: u64 = u64::MAX;

/// The library version, such as "0.1.0". Static storage: never free it.
#[no_mangle]
pub extern "C" fn oss_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Frees a string returned by ossc (`oss_get_bucket_policy`, `oss_presign_url`).
/// NULL is ignored. Never pass a string you allocated or one from another function.
#[no_mangle]
pub unsafe extern "C" fn oss_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller passes a pointer from CString::into_raw in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Frees a buffer returned by `oss_get_object`, with the length returned with it.
/// NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn oss_bytes_free(data: *mut u8, len: usize) {
    if !data.is_null() {
        // SAFETY: the caller passes the pointer and length from util::bytes_out, which leaked
        // a Box<[u8]> of exactly this length.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) });
    }
}
