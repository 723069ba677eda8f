//! The `ossemu` binary: its first line, a config file, --region, --domain (virtual-hosted
//! requests), --data-dir, the per-request log line, the ledger endpoints, and a clean exit on
//! SIGTERM.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn binary_serves_logs_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("ossemu-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("accounts.toml");
    std::fs::write(
        &config,
        r#"
region = "cn-shanghai"
[[account]]
uid = "7"
name = "seven"
access_key_id = "AK7"
access_key_secret = "SK7"
"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .args([
            "--region",
            "cn-beijing",
            "--domain",
            "oss.local",
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let endpoint = first
        .trim_end()
        .strip_prefix("ossemu listening on http://")
        .expect(&first)
        .to_string();
    let addr: std::net::SocketAddr = endpoint.parse().unwrap();
    assert_eq!(first, format!("ossemu listening on http://{addr}\n"));

    let me = ossc::Credentials::new("AK7", "SK7", None);
    // The config file's account works; the demo identities do not exist here.
    let r = Req::new("PUT", Some("cli-bucket"), None).v1(&me).send(addr);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        Req::new("GET", None, None)
            .v1(&creds(OWNER))
            .send(addr)
            .xml("Code")
            .as_deref(),
        Some("InvalidAccessKeyId")
    );
    // V4 must be signed for --region (cn-beijing overrides the file's cn-shanghai).
    let mut r4 = Req::new("GET", None, None);
    ossc::sign::v4::sign_headers(&mut r4.sr, &me, "cn-beijing", ossc::time::now_unix(), &[]);
    let r = r4.send(addr);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<Name>cli-bucket</Name>"),
        "ListBuckets: {}",
        r.text()
    );
    let r = Req::new("GET", Some("cli-bucket"), None)
        .sub("bucketInfo", None)
        .v1(&me)
        .send(addr);
    assert!(
        r.text().contains("<Region>cn-beijing</Region>") && r.text().contains("<ID>7</ID>"),
        "{}",
        r.text()
    );

    // Virtual-hosted: Host: <bucket>.oss.local, the key in the path. V1 signs /bucket/key.
    let req = Req::new("PUT", Some("cli-bucket"), Some("v/h.txt"))
        .body(b"virtual")
        .v1(&me);
    let text = String::from_utf8(req.bytes(addr)).unwrap();
    let text = text
        .replacen("PUT /cli-bucket/v/h.txt", "PUT /v/h.txt", 1)
        .replacen(
            &format!("Host: {addr}"),
            &format!("Host: cli-bucket.oss.local:{}", addr.port()),
            1,
        );
    let r = raw(addr, text.as_bytes()).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        Req::new("GET", Some("cli-bucket"), Some("v/h.txt"))
            .v1(&me)
            .send(addr)
            .body,
        b"virtual"
    );

    // The ledger, whole and from an offset; usage totals.
    let ledger = |q: &str| -> serde_json::Value {
        let r = raw(
            addr,
            format!("GET /_ossemu/ledger{q} HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        serde_json::from_slice(&r.body).unwrap()
    };
    let all = ledger("");
    let n = all.as_array().unwrap().len();
    assert_eq!(n, 6);
    let tail = ledger("?since=4");
    assert_eq!(tail.as_array().unwrap().len(), 2);
    assert_eq!(tail[0], all[4]);
    let e = &all[4];
    for field in [
        "request_id",
        "time",
        "operation",
        "bucket",
        "key",
        "requester",
        "payer",
        "status",
        "error_code",
        "bytes_in",
        "bytes_out",
    ] {
        assert!(!e[field].is_null(), "ledger entry lacks {field}: {e}");
    }
    assert_eq!(
        (
            e["operation"].as_str(),
            e["key"].as_str(),
            e["bytes_in"].as_u64()
        ),
        (Some("PutObject"), Some("v/h.txt"), Some(7))
    );

    // SIGTERM: a clean exit, and the log has one line per request.
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" bucket=")).collect();
    assert_eq!(lines.len(), n, "{log}");
    assert!(
        lines[4]
            .contains("PutObject bucket=cli-bucket key=\"v/h.txt\" status=200 in=7 out=0 payer=7"),
        "{}",
        lines[4]
    );
    assert!(log.contains("shutting down"));

    // The data directory kept it.
    let s = ossemu::start(ossemu::Options {
        data_dir: Some(dir.join("data")),
        accounts: vec![ossemu::accounts::Account {
            uid: "7".into(),
            name: "s".into(),
            access_key_id: "AK7".into(),
            access_key_secret: "SK7".into(),
        }],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        Req::new("GET", Some("cli-bucket"), Some("v/h.txt"))
            .v1(&me)
            .send(s.addr())
            .body,
        b"virtual"
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_command_lines_are_refused() {
    for args in [
        &["--bogus"][..],
        &["--listen"],
        &["--config", "/nonexistent/file.toml"],
        &["--listen", "not-an-address"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ossemu"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("ossemu: "),
            "{args:?}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("--data-dir"));
}
