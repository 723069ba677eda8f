//! Retries: what is retried, how often, and what never is. A scripted HTTP server answers
//! each connection with the next canned response and counts the requests it saw.

use ossc::{Bucket, Config, Credentials, ErrorKind, Payer, PutOptions};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct Script {
    endpoint: String,
    seen: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Script {
    /// Serves `responses` in order, one per connection, then refuses nothing more (stops
    /// after a quiet second).
    fn new(responses: Vec<Vec<u8>>) -> Script {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", l.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let thread = std::thread::spawn(move || {
            let mut responses = responses.into_iter();
            let mut idle = std::time::Instant::now();
            while idle.elapsed() < Duration::from_secs(1) {
                let Ok((mut s, _)) = l.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 65536];
                // Read the head and as much body as Content-Length says.
                loop {
                    let n = s.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    req.extend_from_slice(&buf[..n]);
                    if let Some(end) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&req[..end]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if req.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                if let Some(r) = responses.next() {
                    let _ = s.write_all(&r);
                }
                idle = std::time::Instant::now();
            }
        });
        Script {
            endpoint,
            seen,
            thread: Some(thread),
        }
    }

    fn requests(mut self) -> usize {
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.seen.load(Ordering::SeqCst)
    }
}

fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        r += &format!("{k}: {v}\r\n");
    }
    r += "\r\n";
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

fn ok(body: &[u8]) -> Vec<u8> {
    response(
        "200 OK",
        &[(
            "x-oss-hash-crc64ecma",
            ossc::crc64::checksum(body).to_string(),
        )],
        body,
    )
}

fn unavailable() -> Vec<u8> {
    response(
        "503 Service Unavailable",
        &[],
        b"<Error><Code>ServiceUnavailable</Code></Error>",
    )
}

fn client(endpoint: &str, attempts: u32) -> Bucket {
    let mut cfg = Config::new(endpoint, "bucket", Credentials::new("ak", "sk", None));
    cfg.region = "cn-hangzhou".into();
    cfg.max_attempts = attempts;
    cfg.retry_base_delay = Duration::from_millis(10);
    Bucket::new(cfg).unwrap()
}

#[test]
fn transient_errors_are_retried_until_success() {
    let s = Script::new(vec![
        unavailable(),
        response("429 Too Many Requests", &[], b""),
        ok(b"finally"),
    ]);
    let (data, _) = client(&s.endpoint, 3).get_object("k", None, None).unwrap();
    assert_eq!(data, b"finally");
    assert_eq!(s.requests(), 3);
}

#[test]
fn attempts_are_bounded() {
    let s = Script::new(vec![
        unavailable(),
        unavailable(),
        unavailable(),
        ok(b"too late"),
    ]);
    let e = client(&s.endpoint, 3).head_object("k", None).unwrap_err();
    assert_eq!(e.status, 503);
    assert_eq!(s.requests(), 3);
    let s = Script::new(vec![unavailable(), ok(b"x")]);
    assert_eq!(
        client(&s.endpoint, 1)
            .delete_object("k", None)
            .unwrap_err()
            .status,
        503
    );
    assert_eq!(s.requests(), 1, "max_attempts 1 means no retry");
}

#[test]
fn client_errors_are_not_retried() {
    let body = b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
    let s = Script::new(vec![response("403 Forbidden", &[], body), ok(b"x")]);
    let e = client(&s.endpoint, 3)
        .get_object("k", None, None)
        .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert_eq!(s.requests(), 1);
}

#[test]
fn a_damaged_download_into_memory_or_file_is_fetched_again() {
    let bad = response(
        "200 OK",
        &[("x-oss-hash-crc64ecma", "1".into())],
        b"payload",
    );
    let s = Script::new(vec![bad.clone(), ok(b"payload")]);
    assert_eq!(
        client(&s.endpoint, 3)
            .get_object("k", None, None)
            .unwrap()
            .0,
        b"payload"
    );
    assert_eq!(s.requests(), 2);
    let path = std::env::temp_dir().join(format!("ossc-retry-{}.bin", std::process::id()));
    let s = Script::new(vec![bad, ok(b"payload")]);
    client(&s.endpoint, 3)
        .get_object_to_file("k", &path, None, None)
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"payload");
    assert_eq!(s.requests(), 2);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_download_is_not_retried_once_the_sink_got_bytes() {
    let bad = response(
        "200 OK",
        &[("x-oss-hash-crc64ecma", "1".into())],
        b"payload",
    );
    let s = Script::new(vec![bad, ok(b"payload")]);
    let mut got = Vec::new();
    let e = client(&s.endpoint, 3)
        .get_object_to("k", None, None, &mut |b| {
            got.extend_from_slice(b);
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity);
    assert_eq!(s.requests(), 1);
    // Before any byte reached the sink, it is retried.
    let s = Script::new(vec![unavailable(), ok(b"payload")]);
    let mut got = Vec::new();
    client(&s.endpoint, 3)
        .get_object_to("k", None, None, &mut |b| {
            got.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
    assert_eq!(got, b"payload");
    assert_eq!(s.requests(), 2);
}

#[test]
fn uploads_are_retried_only_when_replayable() {
    let ack = |data: &[u8]| {
        response(
            "200 OK",
            &[
                (
                    "x-oss-hash-crc64ecma",
                    ossc::crc64::checksum(data).to_string(),
                ),
                ("ETag", "\"E\"".into()),
            ],
            b"",
        )
    };
    let s = Script::new(vec![unavailable(), ack(b"memory")]);
    let r = client(&s.endpoint, 3)
        .put_object("k", b"memory", &PutOptions::default(), None)
        .unwrap();
    assert_eq!(r.size, 6);
    assert_eq!(s.requests(), 2);

    let path = std::env::temp_dir().join(format!("ossc-retry-up-{}.bin", std::process::id()));
    std::fs::write(&path, b"from a file").unwrap();
    let s = Script::new(vec![unavailable(), ack(b"from a file")]);
    client(&s.endpoint, 3)
        .put_object_from_file("k", &path, &PutOptions::default(), Some(Payer::Requester))
        .unwrap();
    assert_eq!(s.requests(), 2);
    std::fs::remove_file(&path).unwrap();

    // A reader cannot be replayed.
    let s = Script::new(vec![unavailable(), ack(b"stream")]);
    let mut r = std::io::Cursor::new(b"stream".to_vec());
    let e = client(&s.endpoint, 3)
        .put_object_from_reader("k", &mut r, Some(6), &PutOptions::default(), None)
        .unwrap_err();
    assert_eq!(e.status, 503);
    assert_eq!(s.requests(), 1);
}

#[test]
fn clock_skew_is_corrected_from_the_server() {
    let server = ossemu::start(ossemu::Options::default()).unwrap();
    let mut cfg = Config::new(
        &server.endpoint(),
        "skewed",
        Credentials::new("demo-owner-ak", "demo-owner-sk", None),
    );
    cfg.region = "cn-hangzhou".into();
    let b = Bucket::new(cfg.clone()).unwrap();
    b.create_bucket(None).unwrap();
    server.set_clock_offset(3600);
    // The first attempt is refused as skewed; the client learns the server's clock and the
    // second attempt succeeds. Later calls use the corrected clock from the start.
    b.put_object("k", b"v", &PutOptions::default(), None)
        .unwrap();
    let before = server.ledger().len();
    assert_eq!(b.get_object("k", None, None).unwrap().0, b"v");
    assert_eq!(
        server.ledger().len(),
        before + 1,
        "no second attempt needed"
    );
    let skewed: Vec<_> = server
        .ledger()
        .into_iter()
        .filter(|e| e.error_code == "RequestTimeTooSkewed")
        .collect();
    assert_eq!(skewed.len(), 1);
    // With retries off the refusal is reported.
    cfg.max_attempts = 1;
    let e = Bucket::new(cfg)
        .unwrap()
        .get_object("k", None, None)
        .unwrap_err();
    assert_eq!(e.code, "RequestTimeTooSkewed");
    assert!(e.server_time.is_some());
}
