//! Object operations, their options and results, and the I/O callbacks.

use super::bucket::{handle, oss_bucket};
use super::error::oss_error;
use super::util::*;
use crate::client::{ContentMd5, ObjectMeta, PresignMethod, PutOptions, PutResult, Range};
use crate::error::Error;
use std::ffi::{c_char, c_void, CString};
use std::io::Read;

/// One user-metadata pair (`x-oss-meta-<name>: <value>`).
#[repr(C)]
pub struct oss_metadata_entry {
    pub name: *const c_char,
    pub value: *const c_char,
}

/// Options for uploads. Pass NULL for none; a zero-initialised struct means none too.
#[repr(C)]
pub struct oss_put_options {
    /// Content-Type, or NULL for the server's default.
    pub content_type: *const c_char,
    /// `metadata_len` pairs; NULL when `metadata_len` is 0. Names: ASCII letters, digits and
    /// '-' (sent lowercased); values: printable ASCII; 8 KB in all (OSS's limit).
    pub metadata: *const oss_metadata_entry,
    pub metadata_len: usize,
    /// Compute and send Content-MD5 (memory and file uploads only: callback uploads must
    /// pass `content_md5`).
    pub compute_content_md5: bool,
    /// A base64 Content-MD5 to send, or NULL. Not together with `compute_content_md5`.
    pub content_md5: *const c_char,
}

/// A byte range for downloads: `start` to `end` inclusive; `end` = `OSS_RANGE_TO_END` reads to
/// the end of the object. A range download is checked against its length; only whole-object
/// downloads can be checked against the object's CRC-64.
#[repr(C)]
pub struct oss_range {
    pub start: u64,
    pub end: u64,
}

/// What the library knows about an object after an upload, download or HEAD. Allocated by the
/// library, freed with `oss_object_info_free`; every string is non-NULL (empty when unknown)
/// and lives as long as the struct.
#[repr(C)]
pub struct oss_object_info {
    /// Whole object size in bytes.
    pub size: u64,
    /// ETag, with its quotes as OSS sends it.
    pub etag: *const c_char,
    /// CRC-64/XZ of the whole object (`x-oss-hash-crc64ecma`), valid when `has_crc64`.
    pub crc64: u64,
    pub has_crc64: bool,
    pub content_type: *const c_char,
    /// Last-Modified as seconds since the Unix epoch; 0 if unknown (uploads).
    pub last_modified: i64,
    /// User metadata, names lowercased without `x-oss-meta-`, sorted by name.
    pub metadata: *const oss_metadata_entry,
    pub metadata_len: usize,
    /// The request was charged to the requester (`x-oss-request-charged: requester`).
    pub request_charged: bool,
    pub request_id: *const c_char,
}

/// The allocation behind an `oss_object_info *`: the public struct first, then what it points
/// into.
#[repr(C)]
struct InfoBox {
    info: oss_object_info,
    strings: Vec<CString>,
    entries: Vec<oss_metadata_entry>,
}

fn info_box(m: &ObjectMeta) -> *mut oss_object_info {
    let mut strings: Vec<CString> = vec![
        cstring(&m.etag),
        cstring(&m.content_type),
        cstring(&m.request_id),
    ];
    for (k, v) in &m.metadata {
        strings.push(cstring(k));
        strings.push(cstring(v));
    }
    // CString's heap buffer does not move when the Vec does, so these pointers stay valid.
    let entries: Vec<oss_metadata_entry> = strings[3..]
        .chunks(2)
        .map(|kv| oss_metadata_entry {
            name: kv[0].as_ptr(),
            value: kv[1].as_ptr(),
        })
        .collect();
    let info = oss_object_info {
        size: m.size,
        etag: strings[0].as_ptr(),
        crc64: m.crc64.unwrap_or(0),
        has_crc64: m.crc64.is_some(),
        content_type: strings[1].as_ptr(),
        last_modified: m.last_modified,
        metadata: if entries.is_empty() {
            std::ptr::null()
        } else {
            entries.as_ptr()
        },
        metadata_len: entries.len(),
        request_charged: m.request_charged,
        request_id: strings[2].as_ptr(),
    };
    Box::into_raw(Box::new(InfoBox {
        info,
        strings,
        entries,
    }))
    .cast()
}

fn put_meta(r: &PutResult) -> ObjectMeta {
    ObjectMeta {
        size: r.size,
        etag: r.etag.clone(),
        crc64: r.crc64,
        request_charged: r.request_charged,
        request_id: r.request_id.clone(),
        ..Default::default()
    }
}

/// Frees an `oss_object_info`. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn oss_object_info_free(info: *mut oss_object_info) {
    if !info.is_null() {
        // SAFETY: every oss_object_info * comes from info_box, a Box<InfoBox> whose first
        // field (repr(C)) is the info; freed once per the contract.
        drop(unsafe { Box::from_raw(info.cast::<InfoBox>()) });
    }
}

/// Reads a caller's data into an upload. Called on the calling thread, during the call.
///
/// Return the number of bytes written into `buf` (at most `len`), 0 at the end of the data,
/// or a negative value to abort the upload (it fails with an IO error). `buf` is only valid
/// during the call.
pub type oss_read_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, len: usize) -> i64>;

/// Receives downloaded data. Called on the calling thread, during the call, with the bytes in
/// order. Return 0 to continue, anything else to abort the download (it fails with an IO
/// error). `buf` is only valid during the call: copy what you keep. Data passed to it is not
/// yet verified: the call's result says whether the whole download was intact.
pub type oss_write_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> i32>;

struct CallbackReader {
    cb: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> i64,
    userdata: *mut c_void,
}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // SAFETY: the caller's callback, given a buffer valid for buf.len() bytes.
        let n = unsafe { (self.cb)(self.userdata, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            return Err(std::io::Error::other(format!(
                "the read callback aborted with {n}"
            )));
        }
        if n as u64 > buf.len() as u64 {
            return Err(std::io::Error::other(format!(
                "the read callback reported {n} bytes for a {}-byte buffer",
                buf.len()
            )));
        }
        Ok(n as usize)
    }
}

unsafe fn put_options(p: *const oss_put_options) -> Result<PutOptions, Error> {
    // SAFETY: NULL or a valid struct per the contract.
    let Some(o) = (unsafe { p.as_ref() }) else {
        return Ok(PutOptions::default());
    };
    let mut out = PutOptions {
        // SAFETY: per the contract.
        content_type: unsafe { opt_str_arg(o.content_type, "options.content_type")? }
            .map(str::to_string),
        ..Default::default()
    };
    if o.metadata.is_null() && o.metadata_len > 0 {
        return Err(Error::invalid(
            "options.metadata is NULL but metadata_len is not 0",
        ));
    }
    if o.metadata_len > 0 {
        // SAFETY: non-NULL and valid for metadata_len entries per the contract.
        let entries = unsafe { std::slice::from_raw_parts(o.metadata, o.metadata_len) };
        for (i, e) in entries.iter().enumerate() {
            // SAFETY: per the contract.
            let k = unsafe { str_arg(e.name, &format!("options.metadata[{i}].name"))? };
            // SAFETY: per the contract.
            let v = unsafe { str_arg(e.value, &format!("options.metadata[{i}].value"))? };
            out.metadata.push((k.to_string(), v.to_string()));
        }
    }
    // SAFETY: per the contract.
    let given = unsafe { opt_str_arg(o.content_md5, "options.content_md5")? };
    out.content_md5 = match (o.compute_content_md5, given) {
        (true, Some(_)) => {
            return Err(Error::invalid(
                "set either options.compute_content_md5 or options.content_md5, not both",
            ))
        }
        (true, None) => ContentMd5::Compute,
        (false, Some(m)) => ContentMd5::Given(m.to_string()),
        (false, None) => ContentMd5::None,
    };
    Ok(out)
}

unsafe fn range_arg(r: *const oss_range) -> Result<Option<Range>, Error> {
    // SAFETY: NULL or a valid struct per the contract.
    Ok(unsafe { r.as_ref() }.map(|r| Range {
        start: r.start,
        end: (r.end != super::OSS_RANGE_TO_END).then_some(r.end),
    }))
}

unsafe fn write_info(out: *mut *mut oss_object_info, m: &ObjectMeta) {
    if !out.is_null() {
        // SAFETY: non-NULL out-pointer per the contract.
        unsafe { write_out(out, info_box(m)) };
    }
}

/// Uploads `len` bytes from `data` to `key` (PutObject). `data` may be NULL when `len` is 0.
/// `payer` is an `oss_payer`; `options` may be NULL. On success, if `info_out` is not NULL,
/// writes the result there (ETag, CRC-64, request id, whether the requester was charged; free
/// it with `oss_object_info_free`). The upload succeeds only if the server's CRC-64 matches
/// the data (else an INTEGRITY error).
#[no_mangle]
pub unsafe extern "C" fn oss_put_object(
    bucket: *const oss_bucket,
    key: *const c_char,
    data: *const u8,
    len: usize,
    payer: u32,
    options: *const oss_put_options,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let data = unsafe { bytes_arg(data, len, "data")? };
        let opts = unsafe { put_options(options)? };
        let r = b.put_object(key, data, &opts, payer_arg(payer)?)?;
        unsafe { write_info(info_out, &put_meta(&r)) };
        Ok(())
    })
}

/// Uploads the file at `path` to `key`, streaming it. As `oss_put_object` otherwise;
/// IO errors for a file that cannot be read.
#[no_mangle]
pub unsafe extern "C" fn oss_put_object_from_file(
    bucket: *const oss_bucket,
    key: *const c_char,
    path: *const c_char,
    payer: u32,
    options: *const oss_put_options,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let path = std::path::Path::new(unsafe { str_arg(path, "path")? });
        let opts = unsafe { put_options(options)? };
        let r = b.put_object_from_file(key, path, &opts, payer_arg(payer)?)?;
        unsafe { write_info(info_out, &put_meta(&r)) };
        Ok(())
    })
}

/// Uploads data produced by `read_cb` (called with `userdata`) to `key`. With
/// `content_length` >= 0 exactly that many bytes are sent (a callback that ends early is an IO
/// error); with -1 the length is unknown and the body is sent chunked. As `oss_put_object`
/// otherwise; a callback that aborts gives an IO error.
#[no_mangle]
pub unsafe extern "C" fn oss_put_object_from_callback(
    bucket: *const oss_bucket,
    key: *const c_char,
    read_cb: oss_read_callback,
    userdata: *mut c_void,
    content_length: i64,
    payer: u32,
    options: *const oss_put_options,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let cb = read_cb.ok_or_else(|| Error::invalid("read_cb must not be NULL"))?;
        let length = match content_length {
            -1 => None,
            n if n >= 0 => Some(n as u64),
            n => {
                return Err(Error::invalid(format!(
                    "content_length {n} must be >= 0, or -1 for unknown"
                )))
            }
        };
        let opts = unsafe { put_options(options)? };
        let mut reader = CallbackReader { cb, userdata };
        let r = b.put_object_from_reader(key, &mut reader, length, &opts, payer_arg(payer)?)?;
        unsafe { write_info(info_out, &put_meta(&r)) };
        Ok(())
    })
}

/// Downloads `key` (GetObject), the whole object or `range` (NULL: whole), into a buffer the
/// library allocates. On success writes it to `*data_out` and its length to `*len_out` (free
/// with `oss_bytes_free(data, len)`; an empty object gives NULL and 0) and, if `info_out` is not
/// NULL, the object's info. A whole-object download succeeds only if its CRC-64 matches;
/// every download only if its length matches (else INTEGRITY).
#[no_mangle]
pub unsafe extern "C" fn oss_get_object(
    bucket: *const oss_bucket,
    key: *const c_char,
    payer: u32,
    range: *const oss_range,
    data_out: *mut *mut u8,
    len_out: *mut usize,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        out_arg(data_out, "data_out")?;
        out_arg(len_out, "len_out")?;
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let (data, meta) = b.get_object(key, unsafe { range_arg(range)? }, payer_arg(payer)?)?;
        let len = data.len();
        let ptr = if len == 0 {
            std::ptr::null_mut()
        } else {
            Box::into_raw(data.into_boxed_slice()).cast::<u8>()
        };
        unsafe {
            write_out(data_out, ptr);
            write_out(len_out, len);
            write_info(info_out, &meta);
        }
        Ok(())
    })
}

/// Downloads `key` into the file at `path`. The data goes to a temporary file beside it that
/// replaces `path` only once every byte arrived and was checked: on any error `path` is left as
/// it was. As `oss_get_object` otherwise.
#[no_mangle]
pub unsafe extern "C" fn oss_get_object_to_file(
    bucket: *const oss_bucket,
    key: *const c_char,
    path: *const c_char,
    payer: u32,
    range: *const oss_range,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let path = std::path::Path::new(unsafe { str_arg(path, "path")? });
        let meta =
            b.get_object_to_file(key, path, unsafe { range_arg(range)? }, payer_arg(payer)?)?;
        unsafe { write_info(info_out, &meta) };
        Ok(())
    })
}

/// Downloads `key`, passing the data to `write_cb` (with `userdata`) as it arrives. The data
/// is verified only at the end: if this returns an error, discard what the callback received.
/// As `oss_get_object` otherwise; a callback that aborts gives an IO error.
#[no_mangle]
pub unsafe extern "C" fn oss_get_object_to_callback(
    bucket: *const oss_bucket,
    key: *const c_char,
    write_cb: oss_write_callback,
    userdata: *mut c_void,
    payer: u32,
    range: *const oss_range,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let cb = write_cb.ok_or_else(|| Error::invalid("write_cb must not be NULL"))?;
        let mut sink = |buf: &[u8]| {
            // SAFETY: the caller's callback, given a buffer valid for buf.len() bytes.
            match unsafe { cb(userdata, buf.as_ptr(), buf.len()) } {
                0 => Ok(()),
                n => Err(std::io::Error::other(format!(
                    "the write callback aborted with {n}"
                ))),
            }
        };
        let meta = b.get_object_to(
            key,
            unsafe { range_arg(range)? },
            payer_arg(payer)?,
            &mut sink,
        )?;
        unsafe { write_info(info_out, &meta) };
        Ok(())
    })
}

/// Reads an object's metadata (HeadObject) into a new `*info_out` (required; free with
/// `oss_object_info_free`). Errors from HEAD carry the code, message and EC decoded from the
/// `x-oss-err` header.
#[no_mangle]
pub unsafe extern "C" fn oss_head_object(
    bucket: *const oss_bucket,
    key: *const c_char,
    payer: u32,
    info_out: *mut *mut oss_object_info,
) -> *mut oss_error {
    boundary(|| {
        out_arg(info_out, "info_out")?;
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let meta = b.head_object(key, payer_arg(payer)?)?;
        unsafe { write_info(info_out, &meta) };
        Ok(())
    })
}

/// Deletes `key` (DeleteObject). Deleting a key that does not exist succeeds, as on OSS.
#[no_mangle]
pub unsafe extern "C" fn oss_delete_object(
    bucket: *const oss_bucket,
    key: *const c_char,
    payer: u32,
) -> *mut oss_error {
    boundary(|| {
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        b.delete_object(key, payer_arg(payer)?)
    })
}

/// Makes a presigned URL for `method` (an `oss_http_method`) on `key`, valid for
/// `expires_in_seconds` (1 to 604800 with V4). With the requester as payer the URL carries and
/// signs `x-oss-request-payer=requester`, which requester-pays buckets demand of URLs. No
/// request is made. On success writes the URL to `*url_out`; free it with `oss_string_free`.
#[no_mangle]
pub unsafe extern "C" fn oss_presign_url(
    bucket: *const oss_bucket,
    method: u32,
    key: *const c_char,
    expires_in_seconds: i64,
    payer: u32,
    url_out: *mut *mut c_char,
) -> *mut oss_error {
    boundary(|| {
        out_arg(url_out, "url_out")?;
        let m = match method {
            1 => PresignMethod::Get,
            2 => PresignMethod::Put,
            3 => PresignMethod::Head,
            v => {
                return Err(Error::invalid(format!(
                    "method {v} is not OSS_HTTP_GET (1), OSS_HTTP_PUT (2) or OSS_HTTP_HEAD (3)"
                )))
            }
        };
        // SAFETY (this block): every pointer argument is NULL or valid per the contract.
        let b = unsafe { handle(bucket)? };
        let key = unsafe { str_arg(key, "key")? };
        let url = b.presign(m, key, expires_in_seconds, payer_arg(payer)?)?;
        unsafe { write_out(url_out, cstring(&url).into_raw()) };
        Ok(())
    })
}
