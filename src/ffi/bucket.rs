//! `oss_bucket`: the handle, its configuration and the bucket-level operations.

use super::error::oss_error;
use super::util::*;
use crate::client::Bucket;
use crate::config::{Addressing, Config};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::sign::SignatureVersion;
use std::ffi::c_char;
use std::time::Duration;

/// A client for one bucket, made by `oss_bucket_new` or `oss_bucket_new_from_env` and freed
/// by `oss_bucket_free`.
///
/// Thread safety: every operation takes a `const oss_bucket *`; one handle may be used by
/// any number of threads at once (it holds a connection pool they share). Free it only after
/// every call using it has returned.
pub struct oss_bucket {
    pub(crate) inner: Bucket,
}

/// Settings for `oss_bucket_new`. A zero-initialised struct (`oss_bucket_config cfg = {0};`)
/// plus the four required strings is a valid configuration. The library copies everything it
/// needs: the strings may be freed once `oss_bucket_new` returns.
#[repr(C)]
pub struct oss_bucket_config {
    /// Required. `oss-cn-hangzhou.aliyuncs.com`, `https://...`, or `http://127.0.0.1:9000`.
    /// Without a scheme, https is used (http for IP and localhost endpoints).
    pub endpoint: *const c_char,
    /// Required. The bucket name.
    pub bucket: *const c_char,
    /// Required. AccessKey id.
    pub access_key_id: *const c_char,
    /// Required. AccessKey secret. Never logged or put in an error.
    pub access_key_secret: *const c_char,
    /// STS security token, or NULL / "" for none.
    pub security_token: *const c_char,
    /// Region for V4 signing such as "cn-hangzhou"; NULL / "": taken from an
    /// `oss-<region>.aliyuncs.com` endpoint (V4 fails without one).
    pub region: *const c_char,
    /// An `oss_signature_version` value (0: V4).
    pub signature_version: u32,
    /// An `oss_addressing` value (0: automatic).
    pub addressing: u32,
    /// An `oss_payer` value used by object operations given `OSS_PAYER_DEFAULT`
    /// (0: the bucket owner).
    pub default_payer: u32,
    /// Connect timeout in milliseconds (0: 10000).
    pub connect_timeout_ms: u32,
    /// Read and write timeout in milliseconds (0: 20000).
    pub read_timeout_ms: u32,
    /// Attempts per operation (0: 3; 1: no retries). Network failures, timeouts, HTTP 5xx,
    /// 408 and 429, RequestTimeTooSkewed (after correcting the clock from the server's Date)
    /// and CRC-64 mismatches are retried with full-jitter exponential backoff from 200 ms,
    /// when the data can be sent or received again: never for `oss_put_object_from_callback`,
    /// and for `oss_get_object_to_callback` only before the first byte reached the callback.
    pub max_attempts: u32,
}

unsafe fn config_from(c: &oss_bucket_config) -> Result<Config, Error> {
    // SAFETY (all str args): the struct's strings are NULL or valid C strings per the contract.
    let creds = Credentials::new(
        unsafe { str_arg(c.access_key_id, "config.access_key_id")? },
        unsafe { str_arg(c.access_key_secret, "config.access_key_secret")? },
        unsafe { opt_str_arg(c.security_token, "config.security_token")? }.map(str::to_string),
    );
    let mut cfg = Config::new(
        unsafe { str_arg(c.endpoint, "config.endpoint")? },
        unsafe { str_arg(c.bucket, "config.bucket")? },
        creds,
    );
    cfg.region = unsafe { opt_str_arg(c.region, "config.region")? }
        .unwrap_or("")
        .to_string();
    cfg.signature_version = match c.signature_version {
        0 | 4 => SignatureVersion::V4,
        1 => SignatureVersion::V1,
        v => {
            return Err(Error::invalid(format!(
                "config.signature_version {v} is not OSS_SIGNATURE_DEFAULT (0), OSS_SIGNATURE_V1 (1) or OSS_SIGNATURE_V4 (4)"
            )))
        }
    };
    cfg.addressing = match c.addressing {
        0 => Addressing::Auto,
        1 => Addressing::PathStyle,
        2 => Addressing::VirtualHosted,
        v => {
            return Err(Error::invalid(format!(
                "config.addressing {v} is not an oss_addressing value (0, 1 or 2)"
            )))
        }
    };
    cfg.default_payer = explicit_payer_arg(c.default_payer, Some(crate::xml::Payer::BucketOwner))?;
    if c.connect_timeout_ms > 0 {
        cfg.connect_timeout = Duration::from_millis(c.connect_timeout_ms.into());
    }
    if c.read_timeout_ms > 0 {
        cfg.read_timeout = Duration::from_millis(c.read_timeout_ms.into());
    }
    if c.max_attempts > 0 {
        cfg.max_attempts = c.max_attempts;
    }
    Ok(cfg)
}

/// Makes a bucket handle from `config`. On success writes it to `*bucket_out`; free it with
/// `oss_bucket_free`. No request is made: a wrong key or endpoint shows on the first call.
/// Errors: INVALID_ARGUMENT for NULL `config`, `bucket_out` or required strings, invalid
/// UTF-8, an unknown enum value, a bad bucket name or endpoint, or V4 without a region.
#[no_mangle]
pub unsafe extern "C" fn oss_bucket_new(
    config: *const oss_bucket_config,
    bucket_out: *mut *mut oss_bucket,
) -> *mut oss_error {
    boundary(|| {
        out_arg(bucket_out, "bucket_out")?;
        // SAFETY: NULL or a valid config per the contract.
        let c =
            unsafe { config.as_ref() }.ok_or_else(|| Error::invalid("config must not be NULL"))?;
        // SAFETY: strings in the config are valid per the contract.
        let b = Bucket::new(unsafe { config_from(c)? })?;
        // SAFETY: checked non-NULL above.
        unsafe { write_out(bucket_out, Box::into_raw(Box::new(oss_bucket { inner: b }))) };
        Ok(())
    })
}

/// Makes a bucket handle for `bucket` from the standard environment variables:
/// `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_SESSION_TOKEN` (optional),
/// `OSS_ENDPOINT` and `OSS_REGION` (optional for `oss-<region>.aliyuncs.com` endpoints).
/// Signature V4, automatic addressing, the bucket owner as default payer, default timeouts.
/// Errors: INVALID_ARGUMENT if a required variable is missing or as for `oss_bucket_new`.
#[no_mangle]
pub unsafe extern "C" fn oss_bucket_new_from_env(
    bucket: *const c_char,
    bucket_out: *mut *mut oss_bucket,
) -> *mut oss_error {
    boundary(|| {
        out_arg(bucket_out, "bucket_out")?;
        // SAFETY: NULL or a C string per the contract.
        let name = unsafe { str_arg(bucket, "bucket")? };
        let b = Bucket::new(Config::from_env(name)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { write_out(bucket_out, Box::into_raw(Box::new(oss_bucket { inner: b }))) };
        Ok(())
    })
}

/// Frees a bucket handle and its connections. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn oss_bucket_free(bucket: *mut oss_bucket) {
    if !bucket.is_null() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: a pointer from oss_bucket_new*, freed once per the contract.
            drop(unsafe { Box::from_raw(bucket) })
        }));
    }
}

/// The core client behind a handle, or an INVALID_ARGUMENT error for NULL.
pub(crate) unsafe fn handle<'a>(b: *const oss_bucket) -> Result<&'a Bucket, Error> {
    // SAFETY: NULL or a live handle per the contract.
    unsafe { b.as_ref() }
        .map(|b| &b.inner)
        .ok_or_else(|| Error::invalid("bucket must not be NULL"))
}

/// Creates the bucket (PutBucket) with an `oss_acl` (`OSS_ACL_DEFAULT`: private).
/// Errors: SERVICE 409 BucketAlreadyExists if it exists, 403 for anonymous or denied callers.
#[no_mangle]
pub unsafe extern "C" fn oss_create_bucket(bucket: *const oss_bucket, acl: u32) -> *mut oss_error {
    boundary(|| {
        let acl = acl_arg(acl, true)?;
        // SAFETY: per the contract.
        unsafe { handle(bucket)? }.create_bucket(acl)
    })
}

/// Deletes the bucket (DeleteBucket). Errors: SERVICE 409 BucketNotEmpty unless it is empty.
#[no_mangle]
pub unsafe extern "C" fn oss_delete_bucket(bucket: *const oss_bucket) -> *mut oss_error {
    // SAFETY: per the contract.
    boundary(|| unsafe { handle(bucket)? }.delete_bucket())
}

/// Sets who pays for requests to the bucket (PutBucketRequestPayment; owner only):
/// `OSS_PAYER_REQUESTER` or `OSS_PAYER_BUCKET_OWNER`. `OSS_PAYER_DEFAULT` is an error.
#[no_mangle]
pub unsafe extern "C" fn oss_set_request_payment(
    bucket: *const oss_bucket,
    payer: u32,
) -> *mut oss_error {
    boundary(|| {
        let p = explicit_payer_arg(payer, None)?;
        // SAFETY: per the contract.
        unsafe { handle(bucket)? }.set_request_payment(p)
    })
}

/// Reads who pays for requests to the bucket (GetBucketRequestPayment). On success writes
/// `OSS_PAYER_REQUESTER` or `OSS_PAYER_BUCKET_OWNER` to `*payer_out`.
#[no_mangle]
pub unsafe extern "C" fn oss_get_request_payment(
    bucket: *const oss_bucket,
    payer_out: *mut u32,
) -> *mut oss_error {
    boundary(|| {
        out_arg(payer_out, "payer_out")?;
        // SAFETY: per the contract.
        let p = unsafe { handle(bucket)? }.get_request_payment()?;
        // SAFETY: checked non-NULL.
        unsafe { write_out(payer_out, payer_value(p)) };
        Ok(())
    })
}

/// Sets the bucket's canned ACL (PutBucketAcl): an `oss_acl` other than `OSS_ACL_DEFAULT`.
#[no_mangle]
pub unsafe extern "C" fn oss_set_bucket_acl(bucket: *const oss_bucket, acl: u32) -> *mut oss_error {
    boundary(|| {
        let acl = acl_arg(acl, false)?.ok_or_else(|| Error::invalid("acl must be set"))?;
        // SAFETY: per the contract.
        unsafe { handle(bucket)? }.set_acl(acl)
    })
}

/// Reads the bucket's canned ACL (GetBucketAcl) into `*acl_out` (an `oss_acl` value).
#[no_mangle]
pub unsafe extern "C" fn oss_get_bucket_acl(
    bucket: *const oss_bucket,
    acl_out: *mut u32,
) -> *mut oss_error {
    boundary(|| {
        out_arg(acl_out, "acl_out")?;
        // SAFETY: per the contract.
        let a = unsafe { handle(bucket)? }.get_acl()?;
        // SAFETY: checked non-NULL.
        unsafe { write_out(acl_out, acl_value(a)) };
        Ok(())
    })
}

/// Sets the bucket policy (PutBucketPolicy) from a JSON document.
#[no_mangle]
pub unsafe extern "C" fn oss_put_bucket_policy(
    bucket: *const oss_bucket,
    policy_json: *const c_char,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY: per the contract.
        let json = unsafe { str_arg(policy_json, "policy_json")? };
        // SAFETY: per the contract.
        unsafe { handle(bucket)? }.put_policy(json)
    })
}

/// Reads the bucket policy (GetBucketPolicy). On success writes a NUL-terminated JSON string
/// to `*policy_out`; free it with `oss_string_free`. Errors: SERVICE 404 NoSuchBucketPolicy.
#[no_mangle]
pub unsafe extern "C" fn oss_get_bucket_policy(
    bucket: *const oss_bucket,
    policy_out: *mut *mut c_char,
) -> *mut oss_error {
    boundary(|| {
        out_arg(policy_out, "policy_out")?;
        // SAFETY: per the contract.
        let p = unsafe { handle(bucket)? }.get_policy()?;
        // SAFETY: checked non-NULL.
        unsafe { write_out(policy_out, cstring(&p).into_raw()) };
        Ok(())
    })
}

/// Deletes the bucket policy (DeleteBucketPolicy).
#[no_mangle]
pub unsafe extern "C" fn oss_delete_bucket_policy(bucket: *const oss_bucket) -> *mut oss_error {
    // SAFETY: per the contract.
    boundary(|| unsafe { handle(bucket)? }.delete_policy())
}
