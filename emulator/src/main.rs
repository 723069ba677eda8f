//! `ossemu` command line. See `ossemu --help`.

use std::io::Write;

const USAGE: &str = "\
ossemu: a local OSS-compatible server that verifies signatures and enforces requester pays

usage: ossemu [--listen ADDR] [--config FILE] [--data-dir DIR] [--region REGION] [--domain DOMAIN] [--quiet]

  --listen ADDR     address to listen on (default 127.0.0.1:9000; port 0 picks a free port)
  --config FILE     TOML file with [[account]] and [[sts]] identities (default: demo identities)
  --data-dir DIR    keep buckets and objects in DIR across restarts (default: in memory)
  --region REGION   region for V4 signatures (default cn-hangzhou, or the config file's)
  --domain DOMAIN   also accept virtual-hosted requests for Host: <bucket>.DOMAIN
  --quiet           no per-request log lines on stderr

The first line on stdout is `ossemu listening on http://HOST:PORT`.
GET /_ossemu/ledger[?since=N] lists every request and who paid; GET /_ossemu/usage totals per payer.
Without --data-dir, objects live in memory and are gone when the server stops.
";

fn fail(msg: &str) -> ! {
    eprintln!("ossemu: {msg}");
    eprintln!("run `ossemu --help` for usage");
    std::process::exit(2);
}

fn main() {
    let mut opts = ossemu::Options {
        listen: "127.0.0.1:9000".into(),
        quiet: false,
        ..Default::default()
    };
    let mut config: Option<String> = None;
    let mut region: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(&format!("{name} needs a value")))
        };
        match a.as_str() {
            "--listen" => opts.listen = value("--listen"),
            "--config" => config = Some(value("--config")),
            "--region" => region = Some(value("--region")),
            "--data-dir" => opts.data_dir = Some(value("--data-dir").into()),
            "--domain" => opts.domain = Some(value("--domain")),
            "--quiet" => opts.quiet = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other:?}")),
        }
    }
    let builtin = config.is_none();
    if let Some(path) = &config {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("reading {path}: {e}")));
        let file = ossemu::accounts::ConfigFile::parse(&text)
            .unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        if file.accounts.is_empty() {
            fail(&format!("{path} defines no [[account]]"));
        }
        if let Some(r) = file.region {
            opts.region = r;
        }
        opts.accounts = file.accounts;
        opts.sts = file.sts;
    }
    if let Some(r) = region {
        opts.region = r;
    }
    let accounts = opts.accounts.clone();
    let sts = opts.sts.clone();
    let server = ossemu::start(opts).unwrap_or_else(|e| fail(&format!("cannot listen: {e}")));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ossemu listening on {}", server.endpoint());
    let _ = out.flush();
    if builtin {
        let _ = writeln!(
            out,
            "built-in demo identities (use --config FILE for your own):"
        );
        for a in &accounts {
            let _ = writeln!(
                out,
                "  account {:<10} uid {}  access key {} / {}",
                a.name, a.uid, a.access_key_id, a.access_key_secret
            );
        }
        for s in &sts {
            let _ = writeln!(
                out,
                "  sts role of account {}  access key {} / {}  security token {}",
                s.account, s.access_key_id, s.access_key_secret, s.security_token
            );
        }
        let _ = out.flush();
    }
    drop(out);
    wait_for_signal();
    eprintln!("ossemu: shutting down");
    server.stop();
}

fn wait_for_signal() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(rt) = rt else {
        fail("cannot start the signal handler")
    };
    rt.block_on(async {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => fail(&format!("cannot install SIGTERM handler: {e}")),
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    });
}
