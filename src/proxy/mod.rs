//! `evdoc proxy` (issue 16): a validating proxy between a team's clients and their own
//! Socket.IO server, checking both directions against the catalog.
//!
//! Built so far: [`upstream`], the client side (an Engine.IO 4 session with the upstream over
//! WebSocket), and [`relay`], the client-facing side that pairs each client session with one
//! upstream session and relays packets both ways as they came. Not yet: validation, the report,
//! metrics, the CLI. The design the rest follows is in ARCHITECTURE.md (`src/proxy/`). The proxy
//! comes after serve in the pipeline: it reuses serve's listener and shutdown.

pub mod relay;
pub mod upstream;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use engineioxide::config::EngineIoConfig;
use engineioxide::layer::EngineIoLayer;

use relay::Relay;
use upstream::Target;

/// Where the proxy listens and what it relays to.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// The upstream Socket.IO server.
    pub upstream: Target,
    /// Address to listen on.
    pub host: String,
    /// Port to listen on (0: any free port).
    pub port: u16,
}

/// Runs the proxy until SIGINT/SIGTERM; `on_listen` gets the bound address.
pub async fn run(opts: ProxyOptions, on_listen: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let relay = Arc::new(Relay {
        target: opts.upstream,
        open_timeout: Duration::from_secs(5),
    });
    let config = EngineIoConfig::builder().req_path("/socket.io").build();
    let app = axum::Router::new().layer(EngineIoLayer::from_config(relay, config));
    let addr = format!("{}:{}", opts.host, opts.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    on_listen(listener.local_addr().map_err(|e| e.to_string())?);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        crate::serve::shutdown::signal().await;
        let _ = stop_tx.send(true);
    });
    crate::serve::listen::serve(listener, app, stop_rx).await;
    Ok(())
}
