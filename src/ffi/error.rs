//! `oss_error`: the error value returned by every fallible function.

use super::util::cstring;
use crate::error::Error;
use std::ffi::{c_char, CString};

/// An error. Returned by fallible functions (NULL means success); read it with the
/// `oss_error_*` accessors and free it once with `oss_error_free`. Immutable: it may be read
/// from any thread, but must be freed only once.
pub struct oss_error {
    pub(crate) inner: Error,
    code: CString,
    message: CString,
    request_id: CString,
    host_id: CString,
    ec: CString,
    string_to_sign: CString,
    description: CString,
}

impl oss_error {
    pub(crate) fn boxed(e: Error) -> *mut oss_error {
        let err = oss_error {
            code: cstring(&e.code),
            message: cstring(&e.message),
            request_id: cstring(&e.request_id),
            host_id: cstring(&e.host_id),
            ec: cstring(&e.ec),
            string_to_sign: cstring(&e.string_to_sign),
            description: cstring(&e.to_string()),
            inner: e,
        };
        Box::into_raw(Box::new(err))
    }
}

fn field(e: *const oss_error, f: impl FnOnce(&oss_error) -> &CString) -> *const c_char {
    // SAFETY: the caller passes NULL or an error returned by this library and not yet freed.
    match unsafe { e.as_ref() } {
        Some(e) => f(e).as_ptr(),
        None => c"".as_ptr(),
    }
}

/// The kind of failure, an `oss_error_kind` value; 0 if `err` is NULL.
#[no_mangle]
pub unsafe extern "C" fn oss_error_get_kind(err: *const oss_error) -> u32 {
    // SAFETY: NULL or a live error from this library.
    unsafe { err.as_ref() }.map_or(0, |e| e.inner.kind as u32)
}

/// The HTTP status of the service's answer; 0 if there was none (network, argument errors)
/// or `err` is NULL.
#[no_mangle]
pub unsafe extern "C" fn oss_error_http_status(err: *const oss_error) -> u16 {
    // SAFETY: NULL or a live error from this library.
    unsafe { err.as_ref() }.map_or(0, |e| e.inner.status)
}

/// The OSS error code such as "AccessDenied"; "" if none. Never NULL. The string lives as
/// long as `err`.
#[no_mangle]
pub unsafe extern "C" fn oss_error_code(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.code)
}

/// The error message: the service's Message, or ossc's own explanation. Never NULL; lives
/// as long as `err`.
#[no_mangle]
pub unsafe extern "C" fn oss_error_message(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.message)
}

/// The OSS RequestId (quote it when asking Alibaba Cloud for help); "" if none. Never NULL;
/// lives as long as `err`.
#[no_mangle]
pub unsafe extern "C" fn oss_error_request_id(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.request_id)
}

/// The OSS HostId; "" if none. Never NULL; lives as long as `err`.
#[no_mangle]
pub unsafe extern "C" fn oss_error_host_id(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.host_id)
}

/// The OSS diagnostic code (EC) such as "0003-00000703"; "" if none. Never NULL; lives as
/// long as `err`.
#[no_mangle]
pub unsafe extern "C" fn oss_error_ec(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.ec)
}

/// For SignatureDoesNotMatch, the StringToSign the server computed (compare it with yours);
/// "" otherwise. Never NULL; lives as long as `err`. Contains no secret.
#[no_mangle]
pub unsafe extern "C" fn oss_error_string_to_sign(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.string_to_sign)
}

/// A one-line description with everything above, for logs. Never NULL; lives as long as
/// `err`. Contains no secret.
#[no_mangle]
pub unsafe extern "C" fn oss_error_description(err: *const oss_error) -> *const c_char {
    field(err, |e| &e.description)
}

/// Frees an error. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn oss_error_free(err: *mut oss_error) {
    if !err.is_null() {
        // SAFETY: a pointer from oss_error::boxed, freed once per the contract.
        drop(unsafe { Box::from_raw(err) });
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::ffi::oss_error_kind as C;

    /// The C enum is the ABI contract; oss_error_get_kind returns the core kind's number, so
    /// the two must agree value for value.
    #[test]
    fn c_kinds_match_core_kinds() {
        let pairs = [
            (
                ErrorKind::InvalidArgument,
                C::OSS_ERROR_KIND_INVALID_ARGUMENT,
            ),
            (ErrorKind::Service, C::OSS_ERROR_KIND_SERVICE),
            (ErrorKind::Network, C::OSS_ERROR_KIND_NETWORK),
            (ErrorKind::Timeout, C::OSS_ERROR_KIND_TIMEOUT),
            (ErrorKind::Integrity, C::OSS_ERROR_KIND_INTEGRITY),
            (ErrorKind::Io, C::OSS_ERROR_KIND_IO),
            (ErrorKind::Internal, C::OSS_ERROR_KIND_INTERNAL),
        ];
        for (core, c) in pairs {
            assert_eq!(core as u32, c as u32, "{core:?}");
        }
    }
}
