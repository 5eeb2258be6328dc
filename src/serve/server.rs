//! The server as a whole: shared state, the HTTP routes around the Socket.IO layer, and the
//! run loop with graceful shutdown on SIGTERM/SIGINT.

use super::auth::{Authenticator, SessionStore};
use super::cluster::{Cluster, ClusterAdapter};
use super::config::{Limits, ServeOptions};
use super::contract::{Contract, EventCounters};
use super::forward::Forwarder;
use super::handler;
use super::metrics::Metrics;
use crate::catalog::model::Transport;
use crate::catalog::LoadedCatalog;
use crate::vocab::AuthRule;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use prometheus_client::metrics::counter::Counter;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketError;
use socketioxide::{SocketIo, SocketIoBuilder, TransportType};
use socketioxide_core::adapter::DefinedAdapter;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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
    /// The `Origin` check in front of the Socket.IO endpoint.
    pub origins: Arc<super::origin::Guard>,
    /// `--admin-addr`: the HTTP routes live on their own listener.
    admin_apart: bool,
    io: OnceLock<Io>,
    connected: AtomicUsize,
    /// When the last dropped-delivery warning was logged.
    drop_warned: Mutex<Option<Instant>>,
}

/// The Socket.IO handle: on the local adapter (one node), or on the Redis adapter (`--redis`).
pub enum Io {
    /// One node: rooms and broadcasts stay in this process.
    Local(SocketIo),
    /// A cluster node: broadcasts go through Redis to every node.
    Redis(SocketIo<ClusterAdapter>),
}

impl Io {
    /// Disconnect every socket (graceful shutdown).
    pub async fn close(&self) {
        match self {
            Io::Local(io) => io.close().await,
            Io::Redis(io) => io.close().await,
        }
    }

    /// `local` or `redis`.
    pub fn kind(&self) -> &'static str {
        match self {
            Io::Local(_) => "local",
            Io::Redis(_) => "redis",
        }
    }
}

impl Server {
    /// Sockets connected now (all namespaces).
    pub fn connected(&self) -> usize {
        self.connected.load(Ordering::Relaxed)
    }

    /// The Socket.IO handle (set once the layer is built).
    pub fn io(&self) -> &Io {
        self.io.get().expect("io is set before the server listens")
    }

    /// Whether Redis answered the last health check (always `false` without `--redis`).
    pub fn redis_up(&self) -> bool {
        self.metrics.redis_up.get() == 1
    }

    pub(crate) fn socket_opened(&self, ns: &str) {
        self.connected.fetch_add(1, Ordering::Relaxed);
        let l = vec![("namespace", ns.to_string())];
        self.metrics.connects.get_or_create(&l).inc();
        self.metrics.connections.get_or_create(&l).inc();
    }

    /// Count packets of `event` (`kind`: `event` or `ack`) that could not be handed to
    /// sockets. A full queue is a client that does not read as fast as it is sent to: the
    /// packet is dropped rather than buffered without bound, and the log says so at most once
    /// a second, since a stalled subscriber would otherwise turn every publish into a warning.
    pub(crate) fn dropped(&self, event: &str, kind: &'static str, errors: &[SocketError]) {
        let full = errors
            .iter()
            .filter(|e| matches!(e, SocketError::InternalChannelFull))
            .count();
        let closed = errors.len() - full;
        for (reason, n) in [("queue_full", full), ("closed", closed)] {
            if n > 0 {
                self.metrics
                    .dropped
                    .get_or_create(&vec![
                        ("event", event.to_string()),
                        ("kind", kind.to_string()),
                        ("reason", reason.to_string()),
                    ])
                    .inc_by(n as u64);
            }
        }
        if full == 0 {
            tracing::debug!(
                event,
                kind,
                sockets = closed,
                "not delivered: socket closed"
            );
            return;
        }
        let now = Instant::now();
        let due = {
            let mut last = self.drop_warned.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
            if due {
                *last = Some(now);
            }
            due
        };
        if due {
            tracing::warn!(
                event,
                kind,
                sockets = full,
                "dropped: the client's outgoing queue is full (it does not read fast enough); \
                 evdoc_deliveries_dropped_total counts every drop"
            );
        } else {
            tracing::debug!(event, kind, sockets = full, "dropped: outgoing queue full");
        }
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

/// Build the server for `catalog` and `opts` on the local adapter (one node): the router to
/// serve and the shared state.
pub fn build(loaded: &LoadedCatalog, opts: &ServeOptions) -> Result<(Router, Arc<Server>), String> {
    let (builder, srv) = prepare(loaded, opts)?;
    let (layer, io) = builder.build_layer();
    for (ns, rule) in &srv.contract.namespaces {
        register_namespace(&io, &srv, ns.clone(), rule.clone());
    }
    let _ = srv.io.set(Io::Local(io));
    srv.metrics.adapter_info(srv.io().kind());
    Ok((app(&srv, layer), srv))
}

/// Build a cluster node (`--redis`): like [`build`], on socketioxide's Redis adapter. Each
/// namespace subscribes to its Redis channels before this returns, so the node hears every
/// broadcast from the moment it listens.
pub async fn build_cluster(
    loaded: &LoadedCatalog,
    opts: &ServeOptions,
    cluster: Cluster,
) -> Result<(Router, Arc<Server>), String> {
    let (builder, srv) = prepare(loaded, opts)?;
    let (layer, io) = builder
        .with_adapter::<ClusterAdapter>(cluster.state)
        .build_layer();
    for (ns, rule) in &srv.contract.namespaces {
        register_namespace(&io, &srv, ns.clone(), rule.clone())
            .await
            .map_err(|e| format!("Redis adapter: cannot subscribe for namespace `{ns}`: {e}"))?;
    }
    let _ = srv.io.set(Io::Redis(io));
    srv.metrics.adapter_info(srv.io().kind());
    srv.metrics.redis_up.set(1);
    tokio::spawn(super::cluster::watch(
        cluster.conn,
        srv.metrics.redis_up.clone(),
    ));
    Ok((app(&srv, layer), srv))
}

/// The shared state and the configured Socket.IO builder, common to both adapters.
fn prepare(
    loaded: &LoadedCatalog,
    opts: &ServeOptions,
) -> Result<(SocketIoBuilder, Arc<Server>), String> {
    let catalog = &loaded.catalog;
    let mut contract = Contract::compile(catalog).map_err(|p| p.join("\n"))?;
    let sessions = SessionStore::open(opts)?;
    let auth = Authenticator::new(&catalog.auth, sessions, opts.jwt_secret.clone())
        .with_secrets(&opts.session_secrets)?;
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
    let policy =
        super::origin::Policy::resolve(&opts.allow_origins, &catalog.connection.cors.origins)
            .map_err(|e| format!("origin policy: {e}"))?;
    let origins = Arc::new(super::origin::Guard::new(
        policy,
        &catalog.connection.path,
        metrics.origins_refused.clone(),
    ));
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
        origins,
        admin_apart: opts.admin_addr.is_some(),
        io: OnceLock::new(),
        connected: AtomicUsize::new(0),
        drop_warned: Mutex::new(None),
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
    Ok((builder, srv))
}

/// The whole app: the HTTP routes, the Socket.IO layer, and under both the copy of the
/// request that keeps sockets from pinning hyper's read buffer.
/// The origin guard is outermost: a refused page gets its 403 before Engine.IO sees anything.
/// With `--admin-addr` the HTTP routes are not here but on [`admin_routes`].
fn app<A: Adapter>(srv: &Arc<Server>, layer: socketioxide::layer::SocketIoLayer<A>) -> Router {
    let routes = if srv.admin_apart {
        Router::new()
    } else {
        admin_routes(srv)
    };
    routes
        .layer(layer)
        .layer(axum::middleware::map_request(detach_request))
        .layer(axum::middleware::from_fn_with_state(
            srv.origins.clone(),
            super::origin::guard,
        ))
}

/// The HTTP routes around the Socket.IO layer (publish, metrics, health): on the public port,
/// or on their own listener with `--admin-addr`.
pub fn admin_routes(srv: &Arc<Server>) -> Router {
    Router::new()
        .route("/v1/publish", post(super::publish::publish))
        .route("/metrics", get(metrics_route))
        .route("/healthz", get(healthz))
        .with_state(srv.clone())
}

/// `ok`, then (cluster nodes only) the adapter and whether Redis answers. Always 200: a node
/// without Redis still serves its own clients, so a load balancer must not take it out.
async fn healthz(axum::extract::State(srv): axum::extract::State<Arc<Server>>) -> String {
    match srv.io() {
        Io::Local(_) => "ok\n".into(),
        Io::Redis(_) => format!(
            "ok\nadapter: redis\nredis: {}\n",
            if srv.redis_up() { "up" } else { "down" }
        ),
    }
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

fn register_namespace<A: Adapter + DefinedAdapter>(
    io: &SocketIo<A>,
    srv: &Arc<Server>,
    ns: String,
    rule: AuthRule,
) -> A::InitRes {
    // Everything happens in the middleware (see `handler::admit`): nothing is left to do once
    // the socket is connected.
    let on_connect = || async {};
    let middleware = {
        let srv = srv.clone();
        move |s: SocketRef<A>, TryData(auth): TryData<Value>| {
            let srv = srv.clone();
            let rule = rule.clone();
            async move { handler::admit(&srv, &s, auth.unwrap_or(Value::Null), &rule).await }
        }
    };
    io.ns(ns, on_connect.with(middleware))
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
    let (app, srv) = match &opts.redis {
        None => build(loaded, opts)?,
        Some(url) => {
            let cluster = super::cluster::connect(url).await?;
            let built = build_cluster(loaded, opts, cluster).await?;
            tracing::info!(redis = %super::cluster::redact(url), "cluster node: rooms and broadcasts shared through Redis");
            built
        }
    };
    srv.auth.check_store().await?;
    let addr = format!("{}:{}", opts.host, opts.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(policy = %srv.origins.policy().describe(), "origins allowed to connect");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if let Some(admin) = &opts.admin_addr {
        let l = tokio::net::TcpListener::bind(admin)
            .await
            .map_err(|e| format!("cannot listen on --admin-addr {admin}: {e}"))?;
        tracing::info!(addr = %admin, "admin listener: /v1/publish, /metrics, /healthz");
        tokio::spawn(super::listen::serve(l, admin_routes(&srv), stop_rx.clone()));
    }
    on_listen(local);
    let srv2 = srv.clone();
    tokio::spawn(async move {
        super::shutdown::signal().await;
        tracing::info!("shutting down: disconnecting sockets");
        srv2.io().close().await;
        let _ = stop_tx.send(true);
    });
    let serve = super::listen::serve(listener, app, stop_rx.clone());
    let mut stop = stop_rx;
    tokio::select! {
        () = serve => {},
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
