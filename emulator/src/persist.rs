//! `--data-dir`: buckets and objects on disk, surviving restarts.
//!
//! Layout: `DIR/buckets/<bucket>/bucket.json`, and per object version
//! `DIR/buckets/<bucket>/objects/<id>.data` with `<id>.json` (key, ETag, CRC-64, type, metadata).
//! Uploads stream into `DIR/tmp/`. Committing renames the data into place, then writes the
//! JSON to a temporary name and renames it: that rename is the commit point, so a crash at any
//! moment leaves either the old version or the new one visible, never half an object. At
//! start, files not committed (temporary files, data without JSON) are removed, and if a crash
//! left two versions of one key, the newer id wins. Multipart uploads in progress are kept in
//! memory only and are lost on restart, like an abort.

use crate::store::{Bucket, Data, Object, Store};
use ossc::xml::{Acl, Payer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Persist {
    root: PathBuf,
    seq: AtomicU64,
}

#[derive(Serialize, Deserialize)]
struct BucketRecord {
    owner: String,
    created: i64,
    acl: String,
    policy: Option<String>,
    payer: String,
}

#[derive(Serialize, Deserialize)]
struct ObjectRecord {
    key: String,
    etag: String,
    crc64: u64,
    content_md5: Option<String>,
    content_type: String,
    metadata: BTreeMap<String, String>,
    last_modified: i64,
    appendable: bool,
    size: u64,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

impl Persist {
    /// Opens (creating) the directory and loads what it holds.
    pub fn open(root: &Path) -> std::io::Result<(Persist, Store)> {
        std::fs::create_dir_all(root.join("buckets"))?;
        let tmp = root.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        let p = Persist {
            root: root.to_path_buf(),
            seq: AtomicU64::new(0),
        };
        let store = p.load()?;
        Ok((p, store))
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join("buckets").join(bucket)
    }

    /// A fresh, unique, sortable id (newer ids sort after older ones).
    pub fn new_id(&self) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!(
            "{nanos:024}-{:08x}",
            self.seq.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// A path for a temporary file in `DIR/tmp`.
    pub fn tmp_path(&self) -> PathBuf {
        self.root.join("tmp").join(self.new_id())
    }

    pub fn save_bucket(&self, name: &str, b: &Bucket) -> std::io::Result<()> {
        let dir = self.bucket_dir(name);
        std::fs::create_dir_all(dir.join("objects"))?;
        let rec = BucketRecord {
            owner: b.owner.clone(),
            created: b.created,
            acl: b.acl.as_str().into(),
            policy: b.policy.as_ref().map(|(t, _)| t.clone()),
            payer: b.payer.as_str().into(),
        };
        write_atomic(
            &dir.join("bucket.json"),
            &serde_json::to_vec_pretty(&rec).unwrap_or_default(),
        )
    }

    pub fn remove_bucket(&self, name: &str) -> std::io::Result<()> {
        std::fs::remove_dir_all(self.bucket_dir(name))
    }

    /// Makes `obj` (whose data is a temporary file) the committed version of `key`.
    pub fn commit_object(&self, bucket: &str, key: &str, obj: &mut Object) -> std::io::Result<()> {
        let dir = self.bucket_dir(bucket).join("objects");
        obj.id = self.new_id();
        let data_path = dir.join(format!("{}.data", obj.id));
        match &obj.data {
            Data::File { path, len } => {
                std::fs::rename(path, &data_path)?;
                obj.data = Data::File {
                    path: data_path,
                    len: *len,
                };
            }
            Data::Mem(b) => {
                let mut f = std::fs::File::create(&data_path)?;
                f.write_all(b)?;
                f.sync_all()?;
                obj.data = Data::File {
                    path: data_path,
                    len: b.len() as u64,
                };
            }
        }
        let rec = ObjectRecord {
            key: key.to_string(),
            etag: obj.etag.clone(),
            crc64: obj.crc64,
            content_md5: obj.content_md5.clone(),
            content_type: obj.content_type.clone(),
            metadata: obj.metadata.clone(),
            last_modified: obj.last_modified,
            appendable: obj.appendable,
            size: obj.data.len(),
        };
        write_atomic(
            &dir.join(format!("{}.json", obj.id)),
            &serde_json::to_vec(&rec).unwrap_or_default(),
        )
    }

    /// Forgets a committed version: the JSON first (so it is never visible half-removed).
    pub fn remove_object(&self, bucket: &str, obj: &Object) {
        let dir = self.bucket_dir(bucket).join("objects");
        let _ = std::fs::remove_file(dir.join(format!("{}.json", obj.id)));
        crate::store::release(&obj.data);
    }

    fn load(&self) -> std::io::Result<Store> {
        let mut store = Store::default();
        for entry in std::fs::read_dir(self.root.join("buckets"))? {
            let dir = entry?.path();
            let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            let Ok(text) = std::fs::read(dir.join("bucket.json")) else {
                continue;
            };
            let Ok(rec) = serde_json::from_slice::<BucketRecord>(&text) else {
                continue;
            };
            let mut b = Bucket::new(
                &rec.owner,
                Acl::parse(&rec.acl).unwrap_or(Acl::Private),
                rec.created,
            );
            b.payer = if rec.payer == "Requester" {
                Payer::Requester
            } else {
                Payer::BucketOwner
            };
            b.policy = rec
                .policy
                .and_then(|t| crate::policy::Policy::parse(&t).ok().map(|p| (t, p)));
            let objects = dir.join("objects");
            std::fs::create_dir_all(&objects)?;
            let mut ids: Vec<String> = Vec::new();
            for f in std::fs::read_dir(&objects)? {
                let p = f?.path();
                match p.extension().and_then(|e| e.to_str()) {
                    Some("json") => ids.push(
                        p.file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or("")
                            .to_string(),
                    ),
                    Some("data") => {}
                    _ => {
                        let _ = std::fs::remove_file(&p);
                    }
                }
            }
            ids.sort();
            for id in ids {
                let json = objects.join(format!("{id}.json"));
                let data = objects.join(format!("{id}.data"));
                let rec = std::fs::read(&json)
                    .ok()
                    .and_then(|t| serde_json::from_slice::<ObjectRecord>(&t).ok());
                let size = std::fs::metadata(&data).map(|m| m.len()).ok();
                let Some(rec) = rec.filter(|r| Some(r.size) == size) else {
                    let _ = std::fs::remove_file(&json);
                    continue;
                };
                let obj = Object {
                    data: Data::File {
                        path: data,
                        len: rec.size,
                    },
                    etag: rec.etag,
                    crc64: rec.crc64,
                    content_md5: rec.content_md5,
                    content_type: rec.content_type,
                    metadata: rec.metadata,
                    last_modified: rec.last_modified,
                    appendable: rec.appendable,
                    id,
                };
                // Ids sort by age: a later one for the same key replaces the earlier.
                if let Some(old) = b.objects.insert(rec.key, obj) {
                    self.remove_object(&name, &old);
                }
            }
            // Data files no committed JSON refers to are leftovers of a crash.
            let live: std::collections::HashSet<PathBuf> = b
                .objects
                .values()
                .filter_map(|o| match &o.data {
                    Data::File { path, .. } => Some(path.clone()),
                    Data::Mem(_) => None,
                })
                .collect();
            for f in std::fs::read_dir(&objects)? {
                let p = f?.path();
                if p.extension().and_then(|e| e.to_str()) == Some("data") && !live.contains(&p) {
                    let _ = std::fs::remove_file(&p);
                }
            }
            store.buckets.insert(name, b);
        }
        Ok(store)
    }
}
