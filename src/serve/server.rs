//! The server as a whole: shared state, the HTTP routes around the Socket.IO layer, and the
//! run loop with graceful shutdown on SIGTERM/SIGINT.

use super::auth::{load_sessions, Authenticator, Rule};
use super::config::{Limits, ServeOptions};
use super::contract::{Contract, EventCounters};
use super::forward::Forwarder;
use super::handler;
use super::metrics::Metrics;
use crate::catalog::model::Transport;
use crate::catalog::LoadedCatalog;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use prometheus_client::metrics::counter::Counter;
use serde_json::Value;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::{SocketIo, TransportType};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// State shared by the socket handlers and the HTTP routes.
pub struct Server {
    /// The compiled catalog.
    pub contract: Contract,
    /// Handshake authentication.
    pub auth: Authenticator,
    /// Limits in force.
    pub limits: Limits,
    /// Metrics.
    pub metrics: Metrics,
    /// `--mock`.
    pub mock: bool,
    /// `--forward`.
    pub forward: Option<Forwarder>,
    /// `--publish-token`.
    pub publish_token: Option<String>,
    /// Events from clients that the catalog does not have.
    pub unknown_events: Counter,
    io: OnceLock<SocketIo>,
    connected: AtomicUsize,
}

impl Server {
    /// Sockets connected now (all namespaces).
    pub fn connected(&self) -> usize {
        self.connected.load(Ordering::Relaxed)
    }

    /// The Socket.IO handle (set once the layer is built).
    pub fn io(&self) -> &SocketIo {
        self.io.get().expect("io is set before the server listens")
    }

    pub(crate) fn socket_opened(&self, ns: &str) {
        self.connected.fetch_add(1, Ordering::Relaxed);
        let l = vec![("namespace", ns.to_string())];
        self.metrics.connects.get_or_create(&l).inc();
        self.metrics.connections.get_or_create(&l).inc();
    }

    pub(crate) fn socket_closed(&self, ns: &str, reason: &str) {
        self.connected.fetch_sub(1, Ordering::Relaxed);
        self.metrics
            .connections
            .get_or_create(&vec![("namespace", ns.to_string())])
            .dec();
        self.metrics
            .disconnects
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }
}

/// Build the server for `catalog` and `opts`: the router to serve and the shared state.
pub fn build(loaded: &LoadedCatalog, opts: &ServeOptions) -> Result<(Router, Arc<Server>), String> {
    let catalog = &loaded.catalog;
    let mut contract = Contract::compile(catalog).map_err(|p| p.join("\n"))?;
    let sessions = match &opts.sessions {
        Some(p) => load_sessions(p)?,
        None => Default::default(),
    };
    let auth = Authenticator::new(&catalog.auth, sessions, opts.jwt_secret.clone());
    let limits = Limits::resolve(opts, catalog);
    let metrics = Metrics::new();
    for by_name in contract.events.values_mut() {
        for spec in by_name.values_mut() {
            // Only the series that can move are registered (an unregistered counter is inert).
            let mut c = EventCounters::default();
            if spec.accepts_from_client() {
                c.accepted = metrics.event_counter(&spec.name, "c2s", "accepted");
                c.rejected = metrics.event_counter(&spec.name, "c2s", "rejected");
            }
            if spec.sendable_to_client() {
                c.published = metrics.event_counter(&spec.name, "s2c", "published");
            }
            spec.counters = c;
        }
    }
    let unknown_events = metrics.event_counter("<unknown>", "c2s", "rejected");
    for code in super::error::Code::ALL {
        // Pre-create every code at 0, so dashboards see the series before the first error.
        let _ = metrics
            .rejections
            .get_or_create_owned(&vec![("code", code.as_str().to_string())]);
    }
    let forward = opts
        .forward
        .as_deref()
        .map(|url| Forwarder::new(url, opts.forward_timeout))
        .transpose()?;
    let srv = Arc::new(Server {
        contract,
        auth,
        limits: limits.clone(),
        metrics,
        mock: opts.mock,
        forward,
        publish_token: opts.publish_token.clone(),
        unknown_events,
        io: OnceLock::new(),
        connected: AtomicUsize::new(0),
    });

    let conn = &catalog.connection;
    let ws = conn.transports.contains(&Transport::Websocket);
    let polling = conn.transports.contains(&Transport::Polling);
    let builder = SocketIo::builder()
        .req_path(conn.path.clone())
        .ping_interval(Duration::from_millis(conn.ping_interval_ms.max(1)))
        .ping_timeout(Duration::from_millis(conn.ping_timeout_ms.max(1)))
        // max_payload bounds polling bodies only; WebSocket messages need their own bound
        // (socketioxide's default is 64 MiB).
        .max_payload(limits.max_payload_bytes)
        .ws_max_message_size(limits.max_payload_bytes as usize)
        .ws_max_frame_size(limits.max_payload_bytes as usize)
        // The read buffer is allocated per connection up front: 1 KiB instead of 4 KiB keeps
        // idle connections small; larger messages are read in more chunks.
        .ws_read_buffer_size(1024)
        // Room for a whole burst of replies plus the errors that follow it: with the default
        // (128 packets) a burst fills the socket's queue and the RateLimited error is dropped.
        .max_buffer_size((2.0 * limits.burst) as usize + 64);
    let builder = match (ws, polling) {
        (true, false) => builder.transports([TransportType::Websocket]),
        (false, true) => builder.transports([TransportType::Polling]),
        _ => builder.transports([TransportType::Polling, TransportType::Websocket]),
    };
    let (layer, io) = builder.build_layer();
    for (ns, rule) in &srv.contract.namespaces {
        register_namespace(&io, &srv, ns.clone(), rule.clone());
    }
    let _ = srv.io.set(io);

    let app = Router::new()
        .route("/v1/publish", post(super::publish::publish))
        .route("/metrics", get(metrics_route))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(srv.clone())
        .layer(layer)
        .layer(axum::middleware::map_request(detach_request));
    Ok((app, srv))
}

/// Give the request its own copies of the URI and header values.
///
/// hyper parses them without copying: they are slices of the connection's read buffer (8 KiB,
/// often grown to 16). engineioxide keeps the request's `Parts` for the socket's whole life, so
/// every connection would pin that buffer: about 16 KB per idle socket, the largest single
/// item of a socket's memory. Copying a few hundred bytes once per request frees it.
async fn detach_request(req: axum::extract::Request) -> axum::extract::Request {
    use axum::http::{HeaderMap, HeaderValue, Uri};
    let (mut parts, body) = req.into_parts();
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        // Every value hyper accepted is valid again; keep the original if not.
        let copy = match HeaderValue::from_bytes(value.as_bytes()) {
            Ok(mut copy) => {
                copy.set_sensitive(value.is_sensitive());
                copy
            }
            Err(_) => value.clone(),
        };
        headers.append(name.clone(), copy);
    }
    parts.headers = headers;
    // A fresh String becomes the URI's own buffer.
    if let Ok(uri) = Uri::try_from(parts.uri.to_string()) {
        parts.uri = uri;
    }
    axum::extract::Request::from_parts(parts, body)
}

fn register_namespace(io: &SocketIo, srv: &Arc<Server>, ns: String, rule: Rule) {
    // Everything happens in the middleware (see `handler::admit`): nothing is left to do once
    // the socket is connected.
    let on_connect = || async {};
    let middleware = {
        let srv = srv.clone();
        move |s: SocketRef, TryData(auth): TryData<Value>| {
            let srv = srv.clone();
            let rule = rule.clone();
            async move { handler::admit(&srv, &s, auth.unwrap_or(Value::Null), &rule) }
        }
    };
    io.ns(ns, on_connect.with(middleware));
}

async fn metrics_route(
    axum::extract::State(srv): axum::extract::State<Arc<Server>>,
) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        srv.metrics.render(),
    )
}

/// Bind, serve until SIGTERM/SIGINT, then disconnect every socket and stop. `on_listen` is
/// told the bound address (useful with port 0).
pub async fn run(
    loaded: &LoadedCatalog,
    opts: &ServeOptions,
    on_listen: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let (app, srv) = build(loaded, opts)?;
    let addr = format!("{}:{}", opts.host, opts.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    on_listen(local);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let io = srv.io().clone();
    let shutdown = async move {
        super::shutdown::signal().await;
        tracing::info!("shutting down: disconnecting sockets");
        io.close().await;
        let _ = stop_tx.send(true);
    };
    let serve = axum::serve(listener, app).with_graceful_shutdown(shutdown);
    let mut stop = stop_rx;
    tokio::select! {
        r = serve => r.map_err(|e| e.to_string())?,
        // Upgraded WebSocket connections and long polls are not tracked by the HTTP server's
        // graceful shutdown: give them a bounded grace period.
        _ = async {
            let _ = stop.wait_for(|s| *s).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        } => tracing::warn!("connections still open 5 s after shutdown; stopping anyway"),
    }
    tracing::info!("stopped");
    Ok(())
}
