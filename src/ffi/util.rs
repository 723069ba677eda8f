//! Argument plumbing: C strings, slices, out-pointers, enum values and the panic boundary.

use super::error::oss_error;
use crate::error::{Error, ErrorKind};
use crate::xml::{Acl, Payer};
use std::ffi::{c_char, CStr, CString};

/// Runs `f`, turning a panic into an internal error. Every exported function goes through
/// this: since Rust 1.81 a panic escaping `extern "C"` would abort the caller's process.
pub fn boundary(f: impl FnOnce() -> Result<(), Error>) -> *mut oss_error {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => oss_error::boxed(e),
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            oss_error::boxed(Error::new(
                ErrorKind::Internal,
                format!("internal panic: {what}"),
            ))
        }
    }
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub unsafe fn str_arg<'a>(p: *const c_char, what: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid(format!("{what} must not be NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the function contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::invalid(format!("{what} is not valid UTF-8")))
}

/// An optional string: NULL (or, when `empty_is_none`, "") gives None.
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn opt_str_arg<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: as str_arg.
    let s = unsafe { str_arg(p, what)? };
    Ok((!s.is_empty()).then_some(s))
}

/// A byte slice: NULL with length 0 is empty; NULL with a length is an error.
///
/// # Safety
/// `p` is NULL or valid for `len` bytes for the duration of the call.
pub unsafe fn bytes_arg<'a>(p: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::invalid(format!(
            "{what} is NULL but its length is {len}"
        )));
    }
    // SAFETY: non-NULL and valid for len bytes per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks that a required out-pointer is not NULL.
pub fn out_arg<T>(p: *mut T, what: &str) -> Result<(), Error> {
    if p.is_null() {
        return Err(Error::invalid(format!("{what} must not be NULL")));
    }
    Ok(())
}

/// Writes `v` through an out-pointer checked with [`out_arg`].
///
/// # Safety
/// `p` is non-NULL and valid for a write of `T`.
pub unsafe fn write_out<T>(p: *mut T, v: T) {
    // SAFETY: per the contract.
    unsafe { p.write(v) }
}

/// A CString from text that may contain NUL bytes (they are dropped).
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// Object-operation payer: DEFAULT gives None (the handle's default).
pub fn payer_arg(v: u32) -> Result<Option<Payer>, Error> {
    match v {
        0 => Ok(None),
        1 => Ok(Some(Payer::BucketOwner)),
        2 => Ok(Some(Payer::Requester)),
        other => Err(Error::invalid(format!(
            "payer {other} is not one of OSS_PAYER_DEFAULT (0), OSS_PAYER_BUCKET_OWNER (1), OSS_PAYER_REQUESTER (2)"
        ))),
    }
}

/// A payer that must be explicit (bucket request payment, handle default).
pub fn explicit_payer_arg(v: u32, default: Option<Payer>) -> Result<Payer, Error> {
    match (payer_arg(v)?, default) {
        (Some(p), _) | (None, Some(p)) => Ok(p),
        (None, None) => Err(Error::invalid(
            "payer must be OSS_PAYER_BUCKET_OWNER (1) or OSS_PAYER_REQUESTER (2) here",
        )),
    }
}

pub fn acl_arg(v: u32, allow_default: bool) -> Result<Option<Acl>, Error> {
    match v {
        0 if allow_default => Ok(None),
        1 => Ok(Some(Acl::Private)),
        2 => Ok(Some(Acl::PublicRead)),
        3 => Ok(Some(Acl::PublicReadWrite)),
        other => Err(Error::invalid(format!(
            "acl {other} is not one of OSS_ACL_PRIVATE (1), OSS_ACL_PUBLIC_READ (2), OSS_ACL_PUBLIC_READ_WRITE (3){}",
            if allow_default { " or OSS_ACL_DEFAULT (0)" } else { "" }
        ))),
    }
}

pub fn acl_value(a: Acl) -> u32 {
    match a {
        Acl::Private => 1,
        Acl::PublicRead => 2,
        Acl::PublicReadWrite => 3,
    }
}

pub fn payer_value(p: Payer) -> u32 {
    match p {
        Payer::BucketOwner => 1,
        Payer::Requester => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_not_an_abort() {
        let err = boundary(|| panic!("boom"));
        assert!(!err.is_null());
        // SAFETY: a live error from boundary, freed once below.
        let e = unsafe { &*err };
        assert_eq!(e.inner.kind, ErrorKind::Internal);
        assert!(e.inner.message.contains("boom"), "{}", e.inner.message);
        // SAFETY: as above.
        unsafe { crate::ffi::error::oss_error_free(err) };
        assert!(boundary(|| Ok(())).is_null());
    }

    #[test]
    fn enum_values_are_validated() {
        assert_eq!(payer_arg(0).unwrap(), None);
        assert_eq!(payer_arg(2).unwrap(), Some(Payer::Requester));
        assert!(payer_arg(3).is_err() && payer_arg(u32::MAX).is_err());
        assert!(explicit_payer_arg(0, None).is_err());
        assert_eq!(acl_arg(0, true).unwrap(), None);
        assert!(acl_arg(0, false).is_err() && acl_arg(4, true).is_err());
        for a in [Acl::Private, Acl::PublicRead, Acl::PublicReadWrite] {
            assert_eq!(acl_arg(acl_value(a), false).unwrap(), Some(a));
        }
    }
}
