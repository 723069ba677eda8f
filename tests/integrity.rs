//! A transfer never reports success unless every byte arrived intact. These tests use a tiny
//! hand-written HTTP server that lies (wrong CRC-64, short body, dropped connection), since a
//! correct server cannot reach these paths.

use ossc::{Bucket, Config, Credentials, ErrorKind, PutOptions};
use std::io::{Read, Write};
use std::net::TcpListener;

/// Serves one canned response per connection, `n` connections, then stops.
fn liar(responses: Vec<Vec<u8>>) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        for resp in responses {
            let (mut s, _) = l.accept().unwrap();
            // Read the request head (and whatever body arrives with it).
            let mut buf = [0u8; 65536];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            let _ = s.write_all(&resp);
            let _ = s.flush();
        }
    });
    (format!("http://{addr}"), t)
}

/// Retries off: these tests are about detecting damage (tests/retries.rs covers retrying it).
fn client(endpoint: &str) -> Bucket {
    let mut cfg = Config::new(endpoint, "bucket", Credentials::new("ak", "sk", None));
    cfg.region = "cn-hangzhou".into();
    cfg.max_attempts = 1;
    Bucket::new(cfg).unwrap()
}

fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        r += &format!("{k}: {v}\r\n");
    }
    r += "\r\n";
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn download_with_wrong_crc_is_an_integrity_error() {
    let body = b"hello world";
    let bad_crc = ossc::crc64::checksum(body) ^ 1;
    let (ep, t) = liar(vec![response(
        "200 OK",
        &[
            ("Content-Length", body.len().to_string()),
            ("x-oss-hash-crc64ecma", bad_crc.to_string()),
        ],
        body,
    )]);
    let e = client(&ep).get_object("k", None, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    assert!(e.message.contains("CRC-64"), "{e}");
    t.join().unwrap();
}

#[test]
fn truncated_download_is_an_integrity_error() {
    let body = b"only part of it";
    let (ep, t) = liar(vec![response(
        "200 OK",
        &[("Content-Length", "1000".into())],
        body,
    )]);
    let e = client(&ep).get_object("k", None, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    t.join().unwrap();
}

#[test]
fn truncated_download_to_file_leaves_no_file() {
    let (ep, t) = liar(vec![response(
        "200 OK",
        &[("Content-Length", "1000".into())],
        b"abc",
    )]);
    let dir = std::env::temp_dir().join(format!("ossc-integrity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.bin");
    let e = client(&ep)
        .get_object_to_file("k", &path, None, None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "temporary file removed"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    t.join().unwrap();
}

#[test]
fn upload_acknowledged_with_wrong_crc_is_an_integrity_error() {
    let (ep, t) = liar(vec![response(
        "200 OK",
        &[
            ("Content-Length", "0".into()),
            ("x-oss-hash-crc64ecma", "12345".into()),
            ("ETag", "\"X\"".into()),
        ],
        b"",
    )]);
    let e = client(&ep)
        .put_object("k", b"data", &PutOptions::default(), None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    t.join().unwrap();
}

#[test]
fn unreadable_crc_header_is_an_integrity_error() {
    let (ep, t) = liar(vec![response(
        "200 OK",
        &[
            ("Content-Length", "2".into()),
            ("x-oss-hash-crc64ecma", "not-a-number".into()),
        ],
        b"ok",
    )]);
    let e = client(&ep).get_object("k", None, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    t.join().unwrap();
}

#[test]
fn dropped_connection_is_a_network_error() {
    let (ep, t) = liar(vec![Vec::new()]);
    let e = client(&ep).head_object("k", None).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Network), "{e}");
    t.join().unwrap();
}

#[test]
fn garbage_error_body_still_gives_status_and_request_id() {
    let (ep, t) = liar(vec![response(
        "503 Service Unavailable",
        &[
            ("Content-Length", "9".into()),
            ("x-oss-request-id", "RID123".into()),
        ],
        b"<Error><C",
    )]);
    let e = client(&ep).get_object("k", None, None).unwrap_err();
    assert_eq!(
        (e.kind, e.status, e.request_id.as_str()),
        (ErrorKind::Service, 503, "RID123")
    );
    t.join().unwrap();
}

#[test]
fn read_timeout_is_a_timeout_error() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let ep = format!("http://{}", l.local_addr().unwrap());
    let t = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(s);
    });
    let mut cfg = Config::new(&ep, "bucket", Credentials::new("ak", "sk", None));
    cfg.region = "cn-hangzhou".into();
    cfg.read_timeout = std::time::Duration::from_millis(300);
    cfg.max_attempts = 1;
    let e = Bucket::new(cfg)
        .unwrap()
        .get_object("k", None, None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    t.join().unwrap();
}
