//! The client side of Engine.IO 4 / Socket.IO 5 over both transports, as socket.io-client
//! speaks it, enough for the soak:
//!
//! * **websocket**: `GET <path>?EIO=4&transport=websocket` upgraded at once; one packet a frame.
//! * **polling**: `GET <path>?EIO=4&transport=polling` answers the OPEN packet with the session
//!   id; then a long-poll `GET …&sid=SID` is always pending (on its own keep-alive connection)
//!   and packets go out in `POST …&sid=SID` bodies (on a second one), several joined by the
//!   record separator `\x1e`. One GET and one POST at a time, as the server requires.
//! * **upgrade** (socket.io-client's default): the polling handshake and the Socket.IO CONNECT
//!   over polling, then `GET …transport=websocket&sid=SID`, `2probe` → `3probe`, `5`; the server
//!   ends the pending GET with a NOOP `6`, and from then on everything goes over the WebSocket.
//!
//! Each connection owns its TCP connections (no shared pool), so that the server's descriptors
//! are a fixed function of the clients connected: 1 per WebSocket client, 2 per polling one.

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::cell::Cell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::{spawn_local, JoinHandle};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{client_async_with_config, WebSocketStream};

type Ws = WebSocketStream<TcpStream>;

/// Engine.IO's packet separator in polling bodies.
const SEP: char = '\x1e';

/// Where the server is.
pub struct Target {
    pub addr: SocketAddr,
    /// the Socket.IO path, with its trailing slash (`/socket.io/`)
    pub path: String,
}

impl Target {
    fn query(&self, transport: &str, sid: Option<&str>) -> String {
        match sid {
            Some(s) => format!("{}?EIO=4&transport={transport}&sid={s}", self.path),
            None => format!("{}?EIO=4&transport={transport}", self.path),
        }
    }
}

/// An open Engine.IO connection, its Socket.IO CONNECT answered.
pub enum Conn {
    Ws {
        ws: Box<Ws>,
        /// packets that came over polling before an upgrade, read first
        backlog: VecDeque<String>,
        /// for an upgraded session: the client's polling packets not yet taken by the server
        /// when it sent the upgrade packet `5` (see `upgrade`)
        unsent_at_upgrade: usize,
    },
    Poll(Poll),
}

/// A polling session: the GET and POST loops run as tasks on their own connections.
pub struct Poll {
    /// packets from the GET loop; `None` when the session is over
    rx: mpsc::UnboundedReceiver<Option<String>>,
    /// packets for the POST loop
    tx: mpsc::UnboundedSender<String>,
    get_task: JoinHandle<()>,
    /// the POST loop: `true` when it ended by delivering a close `1`
    post_task: Option<JoinHandle<bool>>,
    /// set before an upgrade: the GET loop stops after its current request
    upgrading: Rc<Cell<bool>>,
    /// packets handed to the POST loop that no `200` has confirmed yet
    unsent: Rc<Cell<usize>>,
    sid: String,
}

impl Drop for Poll {
    fn drop(&mut self) {
        // dropping the tasks drops their connections: the TCP connections close
        self.get_task.abort();
        if let Some(t) = &self.post_task {
            t.abort();
        }
    }
}

impl Conn {
    /// The next packet; `None` when the connection is closed.
    pub async fn recv(&mut self) -> Option<String> {
        match self {
            Conn::Ws { ws, backlog, .. } => {
                if let Some(p) = backlog.pop_front() {
                    return Some(p);
                }
                loop {
                    match ws.next().await {
                        Some(Ok(Message::Text(t))) => return Some(t.as_str().to_owned()),
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                        Some(Ok(_)) => {} // binary, WebSocket ping/pong (answered by tungstenite)
                    }
                }
            }
            Conn::Poll(p) => p.rx.recv().await.flatten(),
        }
    }

    /// Send one packet; `false` when the connection is gone.
    pub async fn send(&mut self, packet: String) -> bool {
        match self {
            Conn::Ws { ws, .. } => ws.send(Message::text(packet)).await.is_ok(),
            Conn::Poll(p) => {
                p.unsent.set(p.unsent.get() + 1);
                p.tx.send(packet).is_ok()
            }
        }
    }

    /// For an upgraded session, the polling packets still unsent when `5` went out.
    pub fn unsent_at_upgrade(&self) -> Option<usize> {
        match self {
            Conn::Ws {
                unsent_at_upgrade, ..
            } => Some(*unsent_at_upgrade),
            Conn::Poll(_) => None,
        }
    }

    /// Send many packets at once (a flood): buffered, then one flush.
    pub async fn send_many(&mut self, packets: impl IntoIterator<Item = String>) -> bool {
        match self {
            Conn::Ws { ws, .. } => {
                for p in packets {
                    if ws.feed(Message::text(p)).await.is_err() {
                        return false;
                    }
                }
                ws.flush().await.is_ok()
            }
            Conn::Poll(p) => packets.into_iter().all(|x| {
                p.unsent.set(p.unsent.get() + 1);
                p.tx.send(x).is_ok()
            }),
        }
    }

    /// Leave as socket.io-client's `disconnect()` does: Socket.IO DISCONNECT `41`, then the
    /// Engine.IO close (a WebSocket close frame; a `1` packet over polling), bounded in time.
    /// `Err` says why the goodbye may not have reached the server: a WebSocket server still
    /// sees the TCP connection close, a polling one only its heartbeat (ping interval + timeout).
    pub async fn close(mut self) -> Result<(), &'static str> {
        let sent = self.send("41".into()).await;
        match &mut self {
            Conn::Ws { ws, .. } => {
                let _ = ws.close(None).await;
                let done = tokio::time::timeout(Duration::from_secs(2), async {
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
                match (sent, done) {
                    (false, _) => Err("websocket: send failed"),
                    (true, Err(_)) => Err("websocket: no close from the server"),
                    (true, Ok(())) => Ok(()),
                }
            }
            Conn::Poll(p) => {
                p.unsent.set(p.unsent.get() + 1);
                let _ = p.tx.send("1".into());
                let Some(t) = p.post_task.take() else {
                    return Err("polling: no POST loop");
                };
                match tokio::time::timeout(Duration::from_secs(5), t).await {
                    Ok(Ok(true)) => Ok(()),
                    Ok(_) => Err("polling: close POST failed"),
                    Err(_) => Err("polling: close POST timed out"),
                }
            }
        }
    }
}

/// TCP connect and WebSocket upgrade (with `sid` for an upgrade of a polling session).
async fn ws_open(t: &Target, sid: Option<&str>) -> Result<Ws, String> {
    let tcp = TcpStream::connect(t.addr)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let url = format!("ws://{}{}", t.addr, t.query("websocket", sid));
    // a small read buffer: tungstenite zero-fills it before each read (see ../../sio.rs)
    let conf = WebSocketConfig::default().read_buffer_size(4096);
    let (ws, _) = client_async_with_config(url.as_str(), tcp, Some(conf))
        .await
        .map_err(|e| e.to_string())?;
    Ok(ws)
}

/// Open a connection of `kind` and authenticate with the CONNECT payload `auth`.
/// `Err` carries the reason (the server's `connect_error` message when it refused).
/// `drain`: an upgrade waits for the polling writes to be taken first (see `upgrade`).
pub async fn connect(
    t: &Target,
    kind: crate::world::Kind,
    auth: &str,
    drain: bool,
) -> Result<Conn, String> {
    use crate::world::Kind;
    let mut conn = match kind {
        Kind::Ws => Conn::Ws {
            ws: Box::new(ws_open(t, None).await?),
            backlog: VecDeque::new(),
            unsent_at_upgrade: 0,
        },
        Kind::Poll | Kind::Upgrade => Conn::Poll(poll_open(t).await?),
    };
    if let Conn::Ws { .. } = conn {
        // Engine.IO OPEN first: over polling it was the handshake's answer
        match conn.recv().await {
            Some(p) if p.starts_with('0') => {}
            other => return Err(format!("expected the OPEN packet, got {other:?}")),
        }
    }
    if !conn.send(format!("40{auth}")).await {
        return Err("closed before CONNECT".into());
    }
    loop {
        let Some(p) = conn.recv().await else {
            return Err("closed before the CONNECT answer".into());
        };
        match p.as_bytes() {
            [b'4', b'0', ..] => break,
            [b'4', b'4', ..] => {
                let msg = serde_json::from_str::<Value>(&p[2..])
                    .ok()
                    .and_then(|j| j.get("message")?.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "connect_error".into());
                return Err(msg);
            }
            [b'2', ..] => {
                conn.send("3".into()).await;
            }
            [b'1', ..] | [b'4', b'1', ..] => return Err("closed before connect".into()),
            _ => {}
        }
    }
    match (kind, conn) {
        (Kind::Upgrade, Conn::Poll(p)) => upgrade(t, p, drain).await,
        (_, c) => Ok(c),
    }
}

/// Move a connected polling session to a WebSocket (Engine.IO's probe and upgrade).
///
/// Like socket.io-client (`Socket#probe`: `transport.pause()` before sending `upgrade`), the
/// upgrade packet `5` goes out only once every polling write has been answered (`drain`):
/// after `5` the server refuses POSTs (transport mismatch), and the polling connections are
/// closed, so a pong still queued for polling, say the answer to the ping the server sends as
/// the session opens, would be lost and the session would end 20 s later in a ping timeout.
async fn upgrade(t: &Target, mut p: Poll, drain: bool) -> Result<Conn, String> {
    p.upgrading.set(true);
    let mut ws = ws_open(t, Some(&p.sid)).await?;
    ws.send(Message::text("2probe"))
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(m))) if m.as_str() == "3probe" => break,
            Some(Ok(Message::Text(_))) | Some(Ok(Message::Ping(_))) => {}
            other => return Err(format!("upgrade probe failed: {other:?}")),
        }
    }
    if drain {
        let t0 = tokio::time::Instant::now();
        while p.unsent.get() > 0 {
            if t0.elapsed() > Duration::from_secs(10) {
                return Err("polling writes not answered within 10 s".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let unsent_at_upgrade = p.unsent.get();
    ws.send(Message::text("5"))
        .await
        .map_err(|e| e.to_string())?;
    // The server ends the pending GET with a NOOP; what it carried before is kept, in order.
    let get = std::mem::replace(&mut p.get_task, spawn_local(async {}));
    let _ = tokio::time::timeout(Duration::from_secs(5), get).await;
    let mut backlog = VecDeque::new();
    while let Ok(Some(x)) = p.rx.try_recv() {
        backlog.push_back(x);
    }
    Ok(Conn::Ws {
        ws: Box::new(ws),
        backlog,
        unsent_at_upgrade,
    })
}

/// One HTTP/1.1 keep-alive connection to the server, driven by a local task.
async fn http_conn(addr: SocketAddr) -> Result<(SendRequest<Full<Bytes>>, JoinHandle<()>), String> {
    let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (send, conn) = http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| e.to_string())?;
    let task = spawn_local(async move {
        let _ = conn.await;
    });
    Ok((send, task))
}

/// One request on `send`; (status, body).
pub async fn http(
    send: &mut SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: String,
) -> Result<(u16, Bytes), String> {
    send.ready().await.map_err(|e| e.to_string())?;
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    if !body.is_empty() {
        req = req.header("content-type", "text/plain;charset=UTF-8");
    }
    let req = req
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = send.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, bytes))
}

/// The packets of a polling body.
pub fn split_payload(body: &str) -> impl Iterator<Item = &str> {
    body.split(SEP).filter(|p| !p.is_empty())
}

/// The polling handshake, then the GET and POST loops.
async fn poll_open(t: &Target) -> Result<Poll, String> {
    let (mut get, get_conn) = http_conn(t.addr).await?;
    let (status, body) = http(
        &mut get,
        t.addr,
        Method::GET,
        &t.query("polling", None),
        String::new(),
    )
    .await?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let open = split_payload(&body).next().unwrap_or("");
    let sid = (status == 200 && open.starts_with('0'))
        .then(|| serde_json::from_str::<Value>(&open[1..]).ok())
        .flatten()
        .and_then(|j| j.get("sid")?.as_str().map(str::to_owned))
        .ok_or_else(|| format!("polling handshake: HTTP {status} {body:.80}"))?;
    let (post, post_conn) = http_conn(t.addr).await?;
    let uri = t.query("polling", Some(&sid));
    let (in_tx, rx) = mpsc::unbounded_channel();
    let (tx, out_rx) = mpsc::unbounded_channel();
    let upgrading = Rc::new(Cell::new(false));
    let unsent = Rc::new(Cell::new(0));
    let get_task = spawn_local(get_loop(
        get,
        get_conn,
        t.addr,
        uri.clone(),
        in_tx.clone(),
        upgrading.clone(),
    ));
    let post_task = spawn_local(post_loop(
        post,
        post_conn,
        t.addr,
        uri,
        out_rx,
        in_tx,
        unsent.clone(),
    ));
    Ok(Poll {
        rx,
        tx,
        get_task,
        post_task: Some(post_task),
        upgrading,
        unsent,
        sid,
    })
}

/// Keeps one long-poll GET pending; hands every packet to the client, `None` at the end.
async fn get_loop(
    mut get: SendRequest<Full<Bytes>>,
    conn: JoinHandle<()>,
    addr: SocketAddr,
    uri: String,
    tx: mpsc::UnboundedSender<Option<String>>,
    upgrading: Rc<Cell<bool>>,
) {
    let _conn = AbortOnDrop(conn);
    loop {
        match http(&mut get, addr, Method::GET, &uri, String::new()).await {
            Ok((200, body)) => {
                let body = String::from_utf8_lossy(&body);
                for p in split_payload(&body) {
                    let _ = tx.send(Some(p.to_owned()));
                }
                if upgrading.get() {
                    return; // the rest comes over the WebSocket
                }
            }
            _ => {
                let _ = tx.send(None);
                return;
            }
        }
    }
}

/// Sends the client's packets, as many as are waiting in one POST; ends after a close `1`.
async fn post_loop(
    mut post: SendRequest<Full<Bytes>>,
    conn: JoinHandle<()>,
    addr: SocketAddr,
    uri: String,
    mut rx: mpsc::UnboundedReceiver<String>,
    tx: mpsc::UnboundedSender<Option<String>>,
    unsent: Rc<Cell<usize>>,
) -> bool {
    let _conn = AbortOnDrop(conn);
    while let Some(first) = rx.recv().await {
        let mut closing = first == "1";
        let mut body = first;
        let mut n = 1;
        while let Ok(p) = rx.try_recv() {
            closing |= p == "1";
            body.push(SEP);
            body.push_str(&p);
            n += 1;
        }
        let r = http(&mut post, addr, Method::POST, &uri, body).await;
        if matches!(r, Ok((200, _))) {
            unsent.set(unsent.get().saturating_sub(n));
        }
        match r {
            Ok((200, _)) if !closing => {}
            Ok((200, _)) => return true,
            _ => {
                let _ = tx.send(None);
                return false;
            }
        }
    }
    false
}

/// Aborts a task when dropped (a connection's driver, with its owner).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_polling_bodies() {
        let v: Vec<&str> = split_payload("40{\"sid\":\"x\"}\x1e2\x1e42[\"a\"]").collect();
        assert_eq!(v, ["40{\"sid\":\"x\"}", "2", "42[\"a\"]"]);
        assert_eq!(split_payload("").count(), 0);
    }

    #[test]
    fn queries() {
        let t = Target {
            addr: "127.0.0.1:1".parse().unwrap(),
            path: "/socket.io/".into(),
        };
        assert_eq!(
            t.query("polling", Some("abc")),
            "/socket.io/?EIO=4&transport=polling&sid=abc"
        );
        assert_eq!(
            t.query("websocket", None),
            "/socket.io/?EIO=4&transport=websocket"
        );
    }
}
