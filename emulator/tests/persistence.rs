//! `--data-dir`: everything survives a restart; crash leftovers are cleaned; an interrupted
//! upload never becomes visible; memory does not hold object data.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ossemu-persist-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn start_in(d: &Path) -> ossemu::Server {
    ossemu::start(ossemu::Options {
        data_dir: Some(d.to_path_buf()),
        ..Default::default()
    })
    .unwrap()
}

fn files(d: &Path, ext: &str) -> Vec<PathBuf> {
    fn walk(p: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().and_then(|e| e.to_str()) == Some(ext) || ext.is_empty() {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(d, ext, &mut out);
    out
}

#[test]
fn buckets_settings_and_objects_survive_a_restart() {
    let d = dir("restart");
    let owner = creds(OWNER);
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    {
        let s = start_in(&d);
        let a = s.addr();
        requester_pays_bucket(a, "keep");
        Req::new("PUT", Some("keep"), Some("small"))
            .body(b"tiny")
            .header("x-oss-meta-a", "1")
            .v4(&owner)
            .send(a);
        Req::new("PUT", Some("keep"), Some("big"))
            .body(&big)
            .v4(&owner)
            .send(a);
        Req::new("PUT", Some("keep"), Some("copy"))
            .header("x-oss-copy-source", "/keep/big")
            .v4(&owner)
            .send(a);
        Req::new("POST", Some("keep"), Some("log"))
            .sub("append", None)
            .sub("position", Some("0"))
            .body(b"ab")
            .v4(&owner)
            .send(a);
        Req::new("PUT", Some("keep"), Some("gone"))
            .body(b"x")
            .v4(&owner)
            .send(a);
        Req::new("DELETE", Some("keep"), Some("gone"))
            .v4(&owner)
            .send(a);
        Req::new("PUT", Some("keep"), Some("small"))
            .body(b"tiny v2")
            .header("x-oss-meta-a", "2")
            .v4(&owner)
            .send(a);
        s.stop();
    }
    // One committed version per live key; nothing left in tmp.
    assert_eq!(files(&d.join("buckets/keep/objects"), "json").len(), 4);
    assert_eq!(files(&d.join("tmp"), "").len(), 0);
    let s = start_in(&d);
    let a = s.addr();
    let r = Req::new("GET", Some("keep"), Some("small"))
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.body.as_slice(), r.header("x-oss-meta-a")),
        (&b"tiny v2"[..], Some("2"))
    );
    let r = Req::new("GET", Some("keep"), Some("big"))
        .v4(&owner)
        .send(a);
    assert_eq!(r.body, big);
    assert_eq!(
        r.header("x-oss-hash-crc64ecma").unwrap(),
        ossc::crc64::checksum(&big).to_string()
    );
    assert_eq!(
        Req::new("GET", Some("keep"), Some("copy"))
            .v4(&owner)
            .send(a)
            .body,
        big
    );
    assert_eq!(
        Req::new("HEAD", Some("keep"), Some("gone"))
            .v4(&owner)
            .send(a)
            .status,
        404
    );
    let r = Req::new("POST", Some("keep"), Some("log"))
        .sub("append", None)
        .sub("position", Some("2"))
        .body(b"cd")
        .v4(&owner)
        .send(a);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        Req::new("GET", Some("keep"), Some("log"))
            .v4(&owner)
            .send(a)
            .body,
        b"abcd"
    );
    // Requester pays and the policy came back too.
    let r = Req::new("GET", Some("keep"), Some("small"))
        .v4(&creds(REQUESTER))
        .send(a);
    assert_eq!(r.xml("EC").as_deref(), Some("0003-00000703"));
    let r = Req::new("GET", Some("keep"), Some("small"))
        .payer()
        .v4(&creds(REQUESTER))
        .send(a);
    assert_eq!(r.status, 200);
    // Deleting the bucket removes its directory.
    for k in ["small", "big", "copy", "log"] {
        Req::new("DELETE", Some("keep"), Some(k)).v4(&owner).send(a);
    }
    assert_eq!(
        Req::new("DELETE", Some("keep"), None)
            .v4(&owner)
            .send(a)
            .status,
        204
    );
    assert!(!d.join("buckets/keep").exists());
    s.stop();
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_interrupted_upload_is_never_visible() {
    let d = dir("interrupt");
    let owner = creds(OWNER);
    let s = start_in(&d);
    let a = s.addr();
    Req::new("PUT", Some("cut"), None).v4(&owner).send(a);
    Req::new("PUT", Some("cut"), Some("k"))
        .body(b"old")
        .v4(&owner)
        .send(a);
    let req = Req::new("PUT", Some("cut"), Some("k"))
        .body(&vec![7u8; 100_000])
        .v4(&owner);
    let bytes = req.bytes(a);
    let cut = bytes.len() - 50_000;
    let text = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    assert!(text.contains("Content-Length: 100000"));
    let _ = raw_then_hang_up(a, &bytes[..cut]);
    // The old version stays; the partial data was removed.
    assert_eq!(
        Req::new("GET", Some("cut"), Some("k"))
            .v4(&owner)
            .send(a)
            .body,
        b"old"
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(files(&d.join("tmp"), "").len(), 0);
    s.stop();
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn crash_leftovers_are_cleaned_at_start() {
    let d = dir("crash");
    let owner = creds(OWNER);
    {
        let s = start_in(&d);
        let a = s.addr();
        Req::new("PUT", Some("crash"), None).v4(&owner).send(a);
        Req::new("PUT", Some("crash"), Some("k"))
            .body(b"committed")
            .v4(&owner)
            .send(a);
        s.stop();
    }
    let objects = d.join("buckets/crash/objects");
    // What a crash can leave: an upload in tmp, data renamed but its JSON never written, a JSON
    // half-written under its temporary name, a JSON whose data is short.
    std::fs::write(d.join("tmp/partial"), b"half an upload").unwrap();
    std::fs::write(
        objects.join("99999999999999999999999-00000001.data"),
        b"orphan",
    )
    .unwrap();
    std::fs::write(
        objects.join("99999999999999999999999-00000002.json.tmp"),
        b"{\"key\":",
    )
    .unwrap();
    std::fs::write(objects.join("99999999999999999999999-00000003.data"), b"ab").unwrap();
    std::fs::write(
        objects.join("99999999999999999999999-00000003.json"),
        br#"{"key":"k","etag":"\"X\"","crc64":1,"content_md5":null,"content_type":"a","metadata":{},"last_modified":1,"appendable":false,"size":99}"#,
    )
    .unwrap();
    let s = start_in(&d);
    let a = s.addr();
    assert_eq!(
        Req::new("GET", Some("crash"), Some("k"))
            .v4(&owner)
            .send(a)
            .body,
        b"committed"
    );
    assert_eq!(files(&d.join("tmp"), "").len(), 0);
    assert_eq!(files(&objects, "json").len(), 1);
    assert_eq!(files(&objects, "data").len(), 1);
    assert_eq!(files(&objects, "tmp").len(), 0);
    s.stop();
    let _ = std::fs::remove_dir_all(&d);
}
