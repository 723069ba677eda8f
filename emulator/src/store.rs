//! What ossemu stores: buckets with their settings and objects, and the object data itself,
//! in memory or, with `--data-dir`, in immutable files.

use bytes::{Bytes, BytesMut};
use ossc::xml::{Acl, Payer};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Object data. Files are never modified once committed (a new version is a new file), so a
/// reader that opened one keeps a consistent view, and copies can be hard links.
#[derive(Clone, Debug)]
pub enum Data {
    Mem(Bytes),
    File { path: PathBuf, len: u64 },
}

impl Data {
    pub fn len(&self) -> u64 {
        match self {
            Data::Mem(b) => b.len() as u64,
            Data::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Opens the data for reading (do this under the store lock: the file may be replaced
    /// afterwards, and an open handle keeps the old version readable).
    pub fn open(&self) -> std::io::Result<Source> {
        Ok(match self {
            Data::Mem(b) => Source::Mem(b.clone()),
            Data::File { path, len } => Source::File(std::fs::File::open(path)?, *len),
        })
    }
}

/// Opened data.
pub enum Source {
    Mem(Bytes),
    File(std::fs::File, u64),
}

impl Source {
    pub fn size(&self) -> u64 {
        match self {
            Source::Mem(b) => b.len() as u64,
            Source::File(_, l) => *l,
        }
    }

    /// Copies `start..start+len` into `w` in pieces.
    pub fn copy_range(&mut self, start: u64, len: u64, w: &mut Writer) -> std::io::Result<()> {
        match self {
            Source::Mem(b) => w.write(&b[start as usize..(start + len) as usize]),
            Source::File(f, _) => {
                f.seek(SeekFrom::Start(start))?;
                let mut left = len;
                let mut buf = vec![0u8; 1 << 20];
                while left > 0 {
                    let n = f.read(&mut buf[..left.min(1 << 20) as usize])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "stored data is short",
                        ));
                    }
                    w.write(&buf[..n])?;
                    left -= n as u64;
                }
                Ok(())
            }
        }
    }
}

/// MD5, CRC-64 and length of written data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    pub md5: [u8; 16],
    pub crc64: u64,
    pub len: u64,
}

/// Receives data (an upload, a copy, a concatenation) into memory or a temporary file,
/// computing its digests on the way. MD5 (OSS's ETag) runs on a thread of its own, fed the
/// same reference-counted buffers, so hashing overlaps receiving, CRC-64 and writing: one MD5
/// stream is the slowest part of an upload.
pub struct Writer {
    sink: Sink,
    md5: Option<(
        std::sync::mpsc::SyncSender<Bytes>,
        std::thread::JoinHandle<[u8; 16]>,
    )>,
    crc: ossc::crc64::Crc64,
    len: u64,
    /// Where the data not yet handed to the disk starts (see `write_bytes`).
    flushed_to: u64,
}

/// Writeback is started every this many bytes.
const WRITEBACK_STEP: u64 = 16 << 20;

enum Sink {
    Mem(BytesMut),
    /// Unbuffered: uploads arrive in frames of hundreds of KiB, and copies write 1 MiB pieces.
    File(std::fs::File, PathBuf),
}

impl Writer {
    pub fn memory() -> Self {
        Self::with(Sink::Mem(BytesMut::new()))
    }

    pub fn file(path: PathBuf) -> std::io::Result<Self> {
        let f = std::fs::File::create(&path)?;
        Ok(Self::with(Sink::File(f, path)))
    }

    fn with(sink: Sink) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(16);
        let hasher = std::thread::spawn(move || {
            use md5::Digest;
            let mut h = md5::Md5::new();
            for b in rx {
                h.update(&b);
            }
            h.finalize().into()
        });
        Writer {
            sink,
            md5: Some((tx, hasher)),
            crc: Default::default(),
            len: 0,
            flushed_to: 0,
        }
    }

    pub fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.write_bytes(Bytes::copy_from_slice(data))
    }

    /// Writes a buffer without copying it for the hasher.
    pub fn write_bytes(&mut self, data: Bytes) -> std::io::Result<()> {
        self.crc.update(&data);
        self.len += data.len() as u64;
        match &mut self.sink {
            Sink::Mem(b) => b.extend_from_slice(&data),
            Sink::File(f, _) => {
                f.write_all(&data)?;
                // Ask the kernel to start writing what we have to disk now, without waiting:
                // otherwise a large upload stays dirty in memory and the fsync that commits it
                // does all the disk work at the end, after the last byte arrived.
                if self.len - self.flushed_to >= WRITEBACK_STEP {
                    start_writeback(f, self.flushed_to, self.len - self.flushed_to);
                    self.flushed_to = self.len;
                }
            }
        }
        if let Some((tx, _)) = &self.md5 {
            tx.send(data)
                .map_err(|_| std::io::Error::other("the MD5 thread stopped"))?;
        }
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.len
    }

    fn md5(&mut self) -> std::io::Result<[u8; 16]> {
        let (tx, hasher) = self
            .md5
            .take()
            .ok_or_else(|| std::io::Error::other("MD5 already taken"))?;
        drop(tx);
        hasher
            .join()
            .map_err(|_| std::io::Error::other("the MD5 thread panicked"))
    }

    /// Finishes: file data is flushed and synced (it is about to become visible).
    pub fn finish(mut self) -> std::io::Result<(Data, Digests)> {
        let md5 = self.md5()?;
        let digests = Digests {
            md5,
            crc64: self.crc.value(),
            len: self.len,
        };
        let data = match self.sink {
            Sink::Mem(b) => Data::Mem(b.freeze()),
            Sink::File(f, path) => {
                f.sync_all()?;
                Data::File {
                    path,
                    len: self.len,
                }
            }
        };
        Ok((data, digests))
    }

    /// Abandons the data (removes a temporary file).
    pub fn discard(mut self) {
        let _ = self.md5();
        if let Sink::File(_, path) = &self.sink {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(target_os = "linux")]
fn start_writeback(f: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; SYNC_FILE_RANGE_WRITE only starts writeback of the
    // range and touches no memory of ours. Failure is harmless: the final fsync still syncs.
    unsafe {
        libc::sync_file_range(
            f.as_raw_fd(),
            offset as i64,
            len as i64,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &std::fs::File, _: u64, _: u64) {}

pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[derive(Clone, Debug)]
pub struct Object {
    pub data: Data,
    /// Quoted upper-case hex MD5 (or multipart form).
    pub etag: String,
    pub crc64: u64,
    /// base64 MD5 of the data, when the ETag is a plain MD5.
    pub content_md5: Option<String>,
    pub content_type: String,
    /// Lowercased names without the `x-oss-meta-` prefix.
    pub metadata: BTreeMap<String, String>,
    pub last_modified: i64,
    /// Created by AppendObject.
    pub appendable: bool,
    /// Names the stored files in `--data-dir` mode; unique per version.
    pub id: String,
}

impl Object {
    pub fn new(
        data: Data,
        d: &Digests,
        content_type: String,
        metadata: BTreeMap<String, String>,
        now: i64,
    ) -> Self {
        use base64::Engine;
        Object {
            etag: format!("\"{}\"", hex_upper(&d.md5)),
            crc64: d.crc64,
            content_md5: Some(base64::engine::general_purpose::STANDARD.encode(d.md5)),
            data,
            content_type,
            metadata,
            last_modified: now,
            appendable: false,
            id: String::new(),
        }
    }

    /// An in-memory object from bytes (tests, small objects).
    pub fn from_bytes(
        data: Bytes,
        content_type: String,
        metadata: BTreeMap<String, String>,
        now: i64,
    ) -> Self {
        let mut w = Writer::memory();
        let _ = w.write(&data);
        let (data, d) = w.finish().unwrap_or((
            Data::Mem(Bytes::new()),
            Digests {
                md5: [0; 16],
                crc64: 0,
                len: 0,
            },
        ));
        Object::new(data, &d, content_type, metadata, now)
    }

    pub fn kind(&self) -> &'static str {
        if self.appendable {
            "Appendable"
        } else if self.etag.contains('-') {
            "Multipart"
        } else {
            "Normal"
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
    /// Multipart uploads in progress, by upload id (kept in memory only).
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
    /// Parts by number; a part is stored like an object (data, ETag, CRC-64).
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

/// Removes the files behind data that is no longer referenced (memory data needs nothing).
pub fn release(data: &Data) {
    if let Data::File { path, .. } = data {
        let _ = std::fs::remove_file(path);
    }
}
