//! `evdoc proxy` (issue 16): a validating proxy between a team's clients and their own
//! Socket.IO server, checking both directions against the catalog.
//!
//! [`upstream`] is the client side (an Engine.IO 4 session with the upstream over WebSocket),
//! [`relay`] the client-facing side that pairs each client session with one upstream session,
//! [`judge`] puts packets together with their attachments and judges them with
//! `validate`'s contract, [`report`] writes `--report` and [`metrics`] `/metrics`. The design is
//! in ARCHITECTURE.md (`src/proxy/`). The proxy comes after serve in the pipeline: it reuses
//! serve's listener, shutdown, origin guard and error shape.

pub mod judge;
pub mod metrics;
pub mod polling;
pub mod relay;
pub mod report;
pub mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use engineioxide::config::EngineIoConfig;
use engineioxide::layer::EngineIoLayer;

use crate::catalog::load::LoadedCatalog;
use crate::validate::Contract;
pub use relay::Mode;
use relay::Relay;
use upstream::{Target, Upstream};

/// How long a stopping proxy waits for its pairs to close and its report to be written.
const DRAIN: Duration = Duration::from_secs(5);

/// Where the proxy listens, what it relays to and how it judges.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// The upstream Socket.IO server.
    pub upstream: Target,
    /// Address to listen on.
    pub host: String,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Enforce or observe.
    pub mode: Mode,
    /// `--report FILE.jsonl`.
    pub report: Option<PathBuf>,
    /// `--report-payloads`.
    pub report_payloads: bool,
    /// `--allow-origin` (else the catalog's `connection.cors.origins`).
    pub allow_origins: Vec<String>,
    /// `--admin-addr`: /metrics and /healthz on their own listener.
    pub admin_addr: Option<String>,
    /// How long opening an upstream session may take.
    pub open_timeout: Duration,
}

impl ProxyOptions {
    /// Options with the defaults of the CLI: enforce, no report, same-origin only.
    pub fn new(upstream: Target, host: &str, port: u16) -> ProxyOptions {
        ProxyOptions {
            upstream,
            host: host.to_owned(),
            port,
            mode: Mode::Enforce,
            report: None,
            report_payloads: false,
            allow_origins: Vec::new(),
            admin_addr: None,
            open_timeout: Duration::from_secs(5),
        }
    }
}

/// What the HTTP routes share.
struct Shared {
    metrics: Arc<metrics::Metrics>,
    upstream: Target,
}

/// Runs the proxy until SIGINT/SIGTERM; `on_listen` gets the bound address. On the way out
/// every client is disconnected (so that it reconnects), every upstream session closed and the
/// report written.
pub async fn run(
    loaded: &LoadedCatalog,
    opts: ProxyOptions,
    on_listen: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let catalog = &loaded.catalog;
    let contract = Contract::new(catalog).map_err(|p| p.join("\n"))?;
    let report = match &opts.report {
        Some(path) => Some(report::Report::create(path, opts.report_payloads)?),
        None => None,
    };
    let policy = crate::serve::origin::Policy::resolve(
        &opts.allow_origins,
        &catalog.connection.cors.origins,
    )
    .map_err(|e| format!("origin policy: {e}"))?;
    tracing::info!(origins = %policy.describe(), "origin policy");
    let metrics = Arc::new(metrics::Metrics::new(contract.event_names()));
    let refused = prometheus_client::metrics::family::Family::default();
    let guard = Arc::new(crate::serve::origin::Guard::new(
        policy,
        "/socket.io",
        refused,
    ));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let relay = Arc::new(Relay {
        target: opts.upstream.clone(),
        open_timeout: opts.open_timeout,
        contract: Arc::new(contract),
        error_messages: catalog
            .errors
            .iter()
            .filter_map(|(code, e)| Some((code.clone(), e.message.clone()?)))
            .collect(),
        mode: opts.mode,
        report: report.clone(),
        metrics: metrics.clone(),
        stop: stop_rx.clone(),
        backlog_limit: backlog_limit(catalog.connection.max_payload_bytes),
    });
    let shared = Arc::new(Shared {
        metrics: metrics.clone(),
        upstream: opts.upstream.clone(),
    });
    let config = engine_config(&catalog.connection);
    let routes = if opts.admin_addr.is_some() {
        Router::new()
    } else {
        admin_routes(&shared)
    };
    let app = routes
        .layer(EngineIoLayer::from_config(relay, config))
        .layer(axum::middleware::from_fn_with_state(
            guard,
            crate::serve::origin::guard,
        ));
    let addr = format!("{}:{}", opts.host, opts.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    if let Some(admin) = &opts.admin_addr {
        let l = tokio::net::TcpListener::bind(admin)
            .await
            .map_err(|e| format!("cannot listen on --admin-addr {admin}: {e}"))?;
        tokio::spawn(crate::serve::listen::serve(
            l,
            admin_routes(&shared),
            stop_rx.clone(),
        ));
    }
    on_listen(listener.local_addr().map_err(|e| e.to_string())?);
    tokio::spawn(async move {
        crate::serve::shutdown::signal().await;
        let _ = stop_tx.send(true);
    });
    crate::serve::listen::serve(listener, app, stop_rx).await;
    drain(&metrics).await;
    if let Some(r) = &report {
        r.close(DRAIN);
    }
    Ok(())
}

/// Clients' Engine.IO sessions as the catalog's `connection:` describes the server: its path,
/// heartbeat and largest message (polling bodies and WebSocket messages alike).
fn engine_config(conn: &crate::catalog::model::Connection) -> EngineIoConfig {
    let max = conn.max_payload_bytes;
    EngineIoConfig::builder()
        .req_path(conn.path.clone())
        .ping_interval(Duration::from_millis(conn.ping_interval_ms.max(1)))
        .ping_timeout(Duration::from_millis(conn.ping_timeout_ms.max(1)))
        .max_payload(max)
        .ws_max_message_size(usize::try_from(max).unwrap_or(usize::MAX))
        .ws_max_frame_size(usize::try_from(max).unwrap_or(usize::MAX))
        // As `evdoc serve`: a client's messages are small, and the buffer is held per connection.
        .ws_read_buffer_size(1024)
        // A relay passes on bursts it did not make (a room push to many): room for them.
        .max_buffer_size(1024)
        .build()
}

/// What a client may have waiting for the upstream ([`relay::Relay::backlog_limit`]): 8 MiB, or
/// four of the largest messages the catalog allows when that is more.
fn backlog_limit(max_payload_bytes: u64) -> usize {
    const FLOOR: usize = 8 << 20;
    usize::try_from(max_payload_bytes)
        .map_or(usize::MAX, |m| m.saturating_mul(4))
        .max(FLOOR)
}

/// Wait (at most [`DRAIN`]) for every pair to close.
async fn drain(metrics: &metrics::Metrics) {
    let t0 = Instant::now();
    while metrics.pairs.get() > 0 && t0.elapsed() < DRAIN {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn admin_routes(shared: &Arc<Shared>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_route))
        .route("/healthz", get(healthz))
        .with_state(shared.clone())
}

async fn metrics_route(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(),
    )
}

/// Opens an Engine.IO session with the upstream: `200 ok` with the time it took, or `503`
/// with why not (a load balancer should not send clients to a proxy whose upstream is down).
async fn healthz(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let t0 = Instant::now();
    match Upstream::open(&shared.upstream, "", &[], Duration::from_secs(2)).await {
        Ok(up) => {
            let took = t0.elapsed();
            up.close().await;
            (
                StatusCode::OK,
                format!(
                    "ok\nupstream: up ({:.1} ms to open a session)\n",
                    took.as_secs_f64() * 1e3
                ),
            )
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unavailable\nupstream: down ({e})\n"),
        ),
    }
}
