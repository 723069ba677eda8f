//! What ossemu stores: buckets with their settings and objects.

use bytes::Bytes;
use ossc::xml::{Acl, Payer};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Object {
    pub data: Bytes,
    /// Quoted upper-case hex MD5 (or multipart form).
    pub etag: String,
    pub crc64: u64,
    pub content_type: String,
    /// Lowercased names without the `x-oss-meta-` prefix.
    pub metadata: BTreeMap<String, String>,
    pub last_modified: i64,
    /// Created by AppendObject.
    pub appendable: bool,
}

impl Object {
    /// base64 MD5 of the data (simple objects only).
    pub fn content_md5(&self) -> String {
        use base64::Engine;
        use md5::Digest;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&self.data))
    }

    pub fn new(
        data: Bytes,
        content_type: String,
        metadata: BTreeMap<String, String>,
        now: i64,
    ) -> Self {
        use md5::Digest;
        let md5 = md5::Md5::digest(&data);
        let hex: String = md5.iter().map(|b| format!("{b:02X}")).collect();
        Object {
            crc64: ossc::crc64::checksum(&data),
            etag: format!("\"{hex}\""),
            data,
            content_type,
            metadata,
            last_modified: now,
            appendable: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub owner: String,
    pub created: i64,
    pub acl: Acl,
    pub policy: Option<(String, crate::policy::Policy)>,
    pub payer: Payer,
    pub objects: BTreeMap<String, Object>,
    /// Multipart uploads in progress, by upload id.
    pub uploads: BTreeMap<String, Upload>,
    pub upload_seq: u64,
}

/// A multipart upload in progress.
#[derive(Clone, Debug)]
pub struct Upload {
    pub key: String,
    pub initiated: i64,
    pub content_type: String,
    pub metadata: BTreeMap<String, String>,
    /// Parts by number; a part is stored as an object of its own (data, ETag, CRC-64).
    pub parts: BTreeMap<u32, Object>,
}

impl Bucket {
    pub fn new(owner: &str, acl: Acl, now: i64) -> Self {
        Bucket {
            owner: owner.to_string(),
            created: now,
            acl,
            policy: None,
            payer: Payer::BucketOwner,
            objects: BTreeMap::new(),
            uploads: BTreeMap::new(),
            upload_seq: 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub buckets: BTreeMap<String, Bucket>,
}
