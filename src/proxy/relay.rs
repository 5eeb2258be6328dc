//! The proxy's client-facing side: each client's Engine.IO session (any transport) is paired
//! with one upstream session ([`super::upstream`]), and what either side sends is relayed to the
//! other as it came: Socket.IO packets as text, binary attachments as frames.
//!
//! engineioxide serves the clients, not socketioxide: socketioxide would decode every packet,
//! answer acks itself and refuse a namespace with a bare message, where a relay has to pass the
//! upstream's packets through (a refusal keeps its `data`). Validation against the catalog is
//! the next step (issue 16); this relays only.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use engineioxide::handler::EngineIoHandler;
use engineioxide::{DisconnectReason, Socket, Str};
use tokio::sync::mpsc;

use super::upstream::{Incoming, Target, Upstream, RELAYED_HEADERS};
use crate::vocab::packet::{parse_header, PacketKind};

/// What a client sent, on its way to the upstream (as engineioxide handed it, not copied).
#[derive(Debug)]
enum Outgoing {
    Packet(Str),
    Binary(Bytes),
}

/// Per client session: the queue to its upstream session, once that is being opened.
#[derive(Debug, Default)]
pub struct Link {
    to_upstream: OnceLock<mpsc::UnboundedSender<Outgoing>>,
}

/// The Engine.IO handler of `evdoc proxy`.
#[derive(Clone, Debug)]
pub struct Relay {
    /// The upstream server.
    pub target: Target,
    /// How long opening an upstream session may take.
    pub open_timeout: Duration,
}

impl EngineIoHandler for Relay {
    type Data = Link;

    fn on_connect(self: Arc<Self>, socket: Arc<Socket<Link>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = socket.data.to_upstream.set(tx);
        tokio::spawn(pair(self, socket, rx));
    }

    fn on_disconnect(&self, _socket: Arc<Socket<Link>>, _reason: DisconnectReason) {
        // Dropping the socket drops its queue; the pairing task then closes the upstream.
    }

    fn on_message(self: &Arc<Self>, msg: Str, socket: Arc<Socket<Link>>) {
        if let Some(tx) = socket.data.to_upstream.get() {
            let _ = tx.send(Outgoing::Packet(msg));
        }
    }

    fn on_binary(self: &Arc<Self>, data: Bytes, socket: Arc<Socket<Link>>) {
        if let Some(tx) = socket.data.to_upstream.get() {
            let _ = tx.send(Outgoing::Binary(data));
        }
    }
}

/// The query the upstream sees: the client's, without Engine.IO's own parameters.
fn client_query(query: Option<&str>) -> String {
    query
        .unwrap_or("")
        .split('&')
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !kv.is_empty() && !matches!(key, "EIO" | "transport" | "sid" | "t" | "b64")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The handshake headers relayed, with `X-Forwarded-For` and `-Proto` appended.
fn relayed_headers(socket: &Socket<Link>) -> Vec<(String, String)> {
    let headers = &socket.req_parts.headers;
    let mut out: Vec<(String, String)> = RELAYED_HEADERS
        .iter()
        .flat_map(|name| {
            headers
                .get_all(*name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect();
    let peer = socket
        .req_parts
        .extensions
        .get::<std::net::SocketAddr>()
        .map(|a| a.ip().to_string());
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(chain) = match (forwarded, peer) {
        (Some(f), Some(p)) => Some(format!("{f}, {p}")),
        (f, p) => f.or(p),
    } {
        out.push(("x-forwarded-for".into(), chain));
    }
    out.push(("x-forwarded-proto".into(), "http".into()));
    out
}

/// Runs one pairing: opens the upstream session, then relays both ways until either side ends.
async fn pair(
    relay: Arc<Relay>,
    socket: Arc<Socket<Link>>,
    mut from_client: mpsc::UnboundedReceiver<Outgoing>,
) {
    let query = client_query(socket.req_parts.uri.query());
    let headers = relayed_headers(&socket);
    let mut up = match Upstream::open(&relay.target, &query, &headers, relay.open_timeout).await {
        Ok(up) => up,
        Err(e) => return refuse_all(&socket, &mut from_client, &e.to_string()).await,
    };
    loop {
        tokio::select! {
            sent = from_client.recv() => {
                let relayed = match sent {
                    Some(Outgoing::Packet(p)) => up.send(&p).await,
                    Some(Outgoing::Binary(b)) => up.send_binary(b).await,
                    None => break,
                };
                if relayed.is_err() {
                    socket.close(DisconnectReason::TransportError);
                    return;
                }
            }
            got = up.next() => match got {
                Ok(Incoming::Packet(p)) => { let _ = socket.emit(p); }
                Ok(Incoming::Binary(b)) => { let _ = socket.emit_binary(b); }
                Err(_) => {
                    // Never leave a client connected to nothing: it reconnects.
                    socket.close(DisconnectReason::TransportError);
                    return;
                }
            },
        }
    }
    up.close().await;
}

/// The upstream cannot be reached: every namespace the client asks for is refused with
/// `UpstreamUnavailable`, until the client goes away.
async fn refuse_all(
    socket: &Socket<Link>,
    from_client: &mut mpsc::UnboundedReceiver<Outgoing>,
    why: &str,
) {
    while let Some(sent) = from_client.recv().await {
        let Outgoing::Packet(p) = sent else { continue };
        let Ok(h) = parse_header(&p) else { continue };
        if h.kind != PacketKind::Connect {
            continue;
        }
        let ns = if h.namespace == "/" {
            String::new()
        } else {
            format!("{},", h.namespace)
        };
        let body =
            serde_json::json!({ "message": "UpstreamUnavailable", "data": { "reason": why } });
        let _ = socket.emit(format!("4{ns}{body}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_gets_the_clients_own_query() {
        assert_eq!(
            client_query(Some("EIO=4&transport=polling&t=Nx1&room=a&sid=x")),
            "room=a"
        );
        assert_eq!(client_query(Some("token=abc&EIO=4")), "token=abc");
        assert_eq!(client_query(None), "");
    }
}
