//! The HTTP/1 listener: accept, TCP_NODELAY, hyper with a header-read timeout, and a graceful
//! stop.
//!
//! `axum::serve` would do the rest, but it gives hyper no timer, so hyper's header-read timeout
//! never runs: a client that opens a TCP connection and never finishes its request line holds
//! the connection, its task and its buffers for ever (slowloris). Here every connection must
//! send its whole request head within [`HEADER_READ_TIMEOUT`] or is closed. Connections past
//! the head are bounded elsewhere: Engine.IO's heartbeat closes a polling session that stops
//! polling and a WebSocket that stops answering pings (ping interval + ping timeout), and a
//! socket's outgoing queue is bounded (`max_buffer_size`), so a client that stops reading loses
//! packets (counted) instead of growing the server.

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a connection has to send a request's head (request line and headers), on a new
/// connection and between keep-alive requests.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve `app` on `listener` until `stop` turns true, then stop accepting and close every
/// connection gracefully (an in-flight request finishes; upgraded connections are the
/// Socket.IO server's to close). Returns when every connection is done; the caller bounds the
/// wait.
pub async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        // Reap finished connections so the set holds only live ones.
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stop) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                // little instead of spinning, and keep serving the connections there are.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Every Socket.IO packet is its own small write that must leave now: without
        // TCP_NODELAY, Nagle's algorithm holds a frame back until the previous one is
        // acknowledged, and a client's delayed ACK turns that into tens of milliseconds. Node's
        // http server sets it too.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        conns.spawn(connection(tcp, peer, app.clone(), stop.clone()));
    }
    while conns.join_next().await.is_some() {}
}

/// One connection: hyper's HTTP/1 with upgrades, its header-read timeout on a Tokio timer.
/// Every request carries the peer's address as an extension (`SocketAddr`): the proxy appends
/// it to `X-Forwarded-For`.
async fn connection(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(axum::body::Body::new);
        req.extensions_mut().insert(peer);
        app.clone().oneshot(req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        }
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Resolves once `stop` is true (or its sender is gone). The watch guard is dropped inside, so
/// the futures waiting on it stay `Send`.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
