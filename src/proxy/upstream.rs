//! The proxy's client side: one Engine.IO 4 session with the upstream Socket.IO server, over
//! WebSocket, opened with what the client's handshake carried (query parameters, cookies,
//! authorisation, user agent, forwarded-for).
//!
//! Socket.IO packets travel as text (`4` + the packet: `40/admin,{"token":…}`, `42["x",…]`) and
//! binary attachments as frames of their own; this side relays them without re-encoding, so what
//! the upstream sends is what the client gets, byte for byte. It answers the upstream's pings
//! itself: the client's own heartbeat is with the proxy.
//!
//! An upstream that refuses the WebSocket upgrade (socket.io's `transports: ['polling']`) gets
//! the session over HTTP long-polling instead ([`super::polling`]).
//!
//! Why not a Rust Socket.IO client crate: `rust_socketio` (the maintained one) cannot answer an
//! ack the server asks for (`emitWithAck` from the server; its issues #461 and #491), decodes and
//! re-encodes every payload, and connects one namespace per client; socketioxide's parser is the
//! server's (it reads a CONNECT_ERROR as a bare message and drops its `data`). A relay needs the
//! packets as they came, so the client role is written here on tokio-tungstenite, the WebSocket
//! stack engineioxide already serves with, and `vocab::packet` reads the headers.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::polling::Polling;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The upstream WebSocket's read buffer.
const READ_BUFFER: usize = 4096;

/// Where the upstream listens: `http://host:port[/path]` as given to `--upstream`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Host name or address, as written.
    pub host: String,
    /// TCP port (80 when the URL names none).
    pub port: u16,
    /// The Engine.IO path, `/socket.io/` unless the URL gives one.
    pub path: String,
}

impl Target {
    /// Reads `http://host:port[/path]` (`ws://` too). HTTPS upstreams are not supported yet.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("ws://"))
            .ok_or_else(|| {
                format!("upstream `{url}`: expected http://host:port (https is not supported)")
            })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("upstream `{url}`: `{p}` is not a port"))?,
            ),
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err(format!("upstream `{url}`: no host"));
        }
        let path = match path.trim_end_matches('/') {
            "" => "/socket.io/".to_owned(),
            p => format!("{p}/"),
        };
        Ok(Target {
            host: host.to_owned(),
            port,
            path,
        })
    }

    /// The WebSocket URL of an Engine.IO 4 session, with the client's own query parameters.
    fn websocket_url(&self, query: &str) -> String {
        self.url("ws", "websocket", query)
    }

    /// The polling URL of an Engine.IO 4 session, with the client's own query parameters.
    fn polling_url(&self, query: &str) -> String {
        self.url("http", "polling", query)
    }

    fn url(&self, scheme: &str, transport: &str, query: &str) -> String {
        let extra = if query.is_empty() {
            String::new()
        } else {
            format!("&{query}")
        };
        format!(
            "{scheme}://{}:{}{}?EIO=4&transport={transport}{extra}",
            self.host, self.port, self.path
        )
    }
}

/// Why the upstream session could not be opened or went away.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No TCP connection, or no WebSocket upgrade.
    #[error("upstream unreachable: {0}")]
    Unreachable(String),
    /// The upstream did not open an Engine.IO session in time.
    #[error("upstream did not open an Engine.IO session within {0:?}")]
    Timeout(Duration),
    /// The upstream broke the protocol (not an Engine.IO open packet first).
    #[error("upstream protocol error: {0}")]
    Protocol(String),
    /// The connection closed.
    #[error("upstream closed the connection")]
    Closed,
    /// A WebSocket error after the opening.
    #[error("upstream connection failed: {0}")]
    Transport(String),
}

/// What the upstream sent, ready to relay.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A Socket.IO packet (the Engine.IO message without its `4`).
    Packet(String),
    /// A binary attachment of the packet before it.
    Binary(Bytes),
}

/// One Engine.IO session with the upstream.
pub struct Upstream {
    conn: Conn,
    /// The Engine.IO open packet's JSON (`sid`, `pingInterval`, `pingTimeout`, `maxPayload`).
    pub open: serde_json::Value,
}

/// Headers of the client's handshake that the upstream's own middleware may read; the caller
/// appends `X-Forwarded-For` and `X-Forwarded-Proto`.
pub const RELAYED_HEADERS: [&str; 3] = ["cookie", "authorization", "user-agent"];

/// The session's transport.
enum Conn {
    WebSocket(Box<WebSocketStream<TcpStream>>),
    Polling(Polling),
}

/// Why a WebSocket opening failed: the upstream answered HTTP without upgrading (try polling),
/// or anything else.
enum WsFailure {
    NoUpgrade(String),
    Other(UpstreamError),
}

impl Upstream {
    /// Opens a session: TCP, the WebSocket upgrade with `headers` (names from the client's
    /// request, see [`RELAYED_HEADERS`], plus `X-Forwarded-*`), then waits for Engine.IO's open
    /// packet. `query` is the client's query string without Engine.IO's own parameters.
    pub async fn open(
        target: &Target,
        query: &str,
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<Upstream, UpstreamError> {
        let opening = async {
            match open_websocket(target, query, headers).await {
                Ok(up) => Ok(up),
                Err(WsFailure::NoUpgrade(why)) => {
                    tracing::debug!(%why, "upstream refused the WebSocket upgrade; polling");
                    let (polling, open) =
                        Polling::open(&target.polling_url(query), headers).await?;
                    Ok(Upstream {
                        conn: Conn::Polling(polling),
                        open,
                    })
                }
                Err(WsFailure::Other(e)) => Err(e),
            }
        };
        tokio::time::timeout(timeout, opening)
            .await
            .map_err(|_| UpstreamError::Timeout(timeout))?
    }

    /// Whether the session is over long-polling (the upstream does not offer WebSocket).
    pub fn is_polling(&self) -> bool {
        matches!(self.conn, Conn::Polling(_))
    }

    /// Sends one Socket.IO packet (`40/admin,{…}`, `42["x",1]`).
    pub async fn send(&mut self, packet: &str) -> Result<(), UpstreamError> {
        match &mut self.conn {
            Conn::WebSocket(ws) => write(ws, Message::text(format!("4{packet}"))).await,
            Conn::Polling(p) => p.send(format!("4{packet}")).await,
        }
    }

    /// Sends one binary attachment, after the packet that announced it.
    pub async fn send_binary(&mut self, data: Bytes) -> Result<(), UpstreamError> {
        match &mut self.conn {
            Conn::WebSocket(ws) => write(ws, Message::binary(data)).await,
            Conn::Polling(p) => p.send_binary(&data).await,
        }
    }

    /// The next packet or attachment from the upstream; pings are answered here, noops and
    /// WebSocket control frames skipped. `Err(Closed)` once the session is over.
    pub async fn next(&mut self) -> Result<Incoming, UpstreamError> {
        let ws = match &mut self.conn {
            Conn::WebSocket(ws) => ws,
            Conn::Polling(p) => return p.next().await,
        };
        loop {
            let message = match ws.next().await {
                Some(Ok(m)) => m,
                Some(Err(e)) => return Err(UpstreamError::Transport(e.to_string())),
                None => return Err(UpstreamError::Closed),
            };
            match message {
                Message::Text(t) => match t.as_bytes().first() {
                    Some(b'4') => return Ok(Incoming::Packet(t[1..].to_owned())),
                    Some(b'2') => write(ws, Message::text(format!("3{}", &t[1..]))).await?,
                    Some(b'1') => return Err(UpstreamError::Closed),
                    // `6` (noop) and anything Engine.IO 4 does not send after the opening.
                    _ => {}
                },
                Message::Binary(b) => return Ok(Incoming::Binary(b)),
                Message::Close(_) => return Err(UpstreamError::Closed),
                _ => {}
            }
        }
    }

    /// Ends the session: Engine.IO close, then the WebSocket close.
    pub async fn close(self) {
        match self.conn {
            Conn::WebSocket(mut ws) => {
                let _ = ws.send(Message::text("1")).await;
                let _ = WebSocketStream::close(&mut ws, None).await;
            }
            Conn::Polling(p) => p.close().await,
        }
    }
}

async fn write(ws: &mut WebSocketStream<TcpStream>, message: Message) -> Result<(), UpstreamError> {
    ws.send(message)
        .await
        .map_err(|e| UpstreamError::Transport(e.to_string()))
}

/// TCP, the WebSocket upgrade with `headers`, then Engine.IO's open packet.
async fn open_websocket(
    target: &Target,
    query: &str,
    headers: &[(String, String)],
) -> Result<Upstream, WsFailure> {
    let other = |e: UpstreamError| WsFailure::Other(e);
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| other(UpstreamError::Unreachable(e.to_string())))?;
    tcp.set_nodelay(true).ok();
    let mut request = target
        .websocket_url(query)
        .into_client_request()
        .map_err(|e| other(UpstreamError::Unreachable(e.to_string())))?;
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        request.headers_mut().append(name, value);
    }
    // tungstenite zeroes its read buffer's spare room before every read: at its default size
    // (128 KiB) that memset was 43 % of the proxy's CPU under load (perf, benches/proxy).
    // 4 KiB, engineioxide's own read buffer size; larger messages take more reads.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let mut ws = match tokio_tungstenite::client_async_with_config(request, tcp, Some(config)).await
    {
        Ok((ws, _)) => ws,
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            return Err(WsFailure::NoUpgrade(format!("HTTP {}", res.status())))
        }
        Err(e) => return Err(other(UpstreamError::Unreachable(e.to_string()))),
    };
    let open = match ws.next().await {
        Some(Ok(Message::Text(t))) if t.starts_with('0') => {
            serde_json::from_str(&t[1..]).map_err(|e| {
                other(UpstreamError::Protocol(format!(
                    "Engine.IO open packet: {e}"
                )))
            })?
        }
        Some(Ok(other_message)) => {
            return Err(other(UpstreamError::Protocol(format!(
                "expected the Engine.IO open packet, got {other_message:?}"
            ))))
        }
        Some(Err(e)) => return Err(other(UpstreamError::Transport(e.to_string()))),
        None => return Err(other(UpstreamError::Closed)),
    };
    Ok(Upstream {
        conn: Conn::WebSocket(Box::new(ws)),
        open,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_upstream_urls() {
        let t = Target::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 3000, "/socket.io/")
        );
        let t = Target::parse("ws://localhost:8080/realtime/").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("localhost", 8080, "/realtime/")
        );
        let t = Target::parse("http://app.internal").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("app.internal", 80));
        assert_eq!(
            Target::parse("http://127.0.0.1:3000")
                .unwrap()
                .websocket_url("room=a"),
            "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&room=a"
        );
        for bad in [
            "https://x:1",
            "127.0.0.1:3000",
            "http://:3000",
            "http://x:port",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
