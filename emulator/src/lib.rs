//! ossemu: a local OSS-compatible server that verifies signatures, enforces requester pays and
//! records who paid for each request. Use it as a binary (`ossemu --help`) or start it
//! in-process from Rust tests with [`start`].

pub mod accounts;
pub mod auth;
pub mod error;
pub mod ledger;
mod ops;
pub mod persist;
pub mod policy;
pub mod server;
pub mod store;
mod transfer;

use std::net::SocketAddr;
use std::sync::Arc;

/// How to run a server.
#[derive(Clone, Debug)]
pub struct Options {
    /// `127.0.0.1:0` picks a free port.
    pub listen: String,
    pub region: String,
    pub domain: Option<String>,
    pub quiet: bool,
    /// Keep buckets and objects in this directory (created if missing) across restarts;
    /// None keeps everything in memory.
    pub data_dir: Option<std::path::PathBuf>,
    pub accounts: Vec<accounts::Account>,
    pub sts: Vec<accounts::StsCredential>,
}

impl Default for Options {
    /// Loopback on a free port, region cn-hangzhou, the built-in demo identities, quiet.
    fn default() -> Self {
        let (accounts, sts) = accounts::demo_identities();
        Options {
            listen: "127.0.0.1:0".into(),
            region: "cn-hangzhou".into(),
            domain: None,
            quiet: true,
            data_dir: None,
            accounts,
            sts,
        }
    }
}

/// A running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// A copy of the ledger.
    pub fn ledger(&self) -> Vec<ledger::Entry> {
        self.shared.ledger().clone()
    }
    /// Shifts the server's clock by `seconds` (to test skew and expiry).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.shared
            .clock_offset
            .store(seconds, std::sync::atomic::Ordering::Relaxed);
    }
    /// Stops accepting connections and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Binds and starts serving on a background thread; returns once the port is bound.
pub fn start(opts: Options) -> std::io::Result<Server> {
    let listener = std::net::TcpListener::bind(&opts.listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (persist, store) = match &opts.data_dir {
        Some(dir) => {
            let (p, s) = persist::Persist::open(dir)?;
            (Some(p), s)
        }
        None => (None, store::Store::default()),
    };
    let shared = Arc::new(server::Shared::new(
        server::Settings {
            region: opts.region,
            domain: opts.domain,
            quiet: opts.quiet,
        },
        auth::Keyring {
            accounts: opts.accounts,
            sts: opts.sts,
        },
        store,
        persist,
    ));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let s2 = shared.clone();
    let thread = std::thread::Builder::new()
        .name("ossemu".into())
        .spawn(move || {
            rt.block_on(serve(listener, s2, rx));
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        })?;
    Ok(Server {
        addr,
        shared,
        stop: Some(tx),
        thread: Some(thread),
    })
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<server::Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, std::convert::Infallible>(server::handle(shared, req).await) }
                    });
                    // hyper's default of 100 headers would answer a request carrying many
                    // x-oss-meta-* headers with a bare 431 before ossemu could give OSS's error.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .max_headers(1000)
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        }
    }
}
