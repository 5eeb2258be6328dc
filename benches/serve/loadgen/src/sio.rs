//! One subscriber: a minimal Engine.IO 4 / Socket.IO 5 client over a WebSocket, with the wire
//! behaviour of node-baseline's rawclient.js (which is socket.io-client's websocket transport):
//!
//! * `GET <path>?EIO=4&transport=websocket` upgraded to a WebSocket directly (no polling);
//! * Engine.IO OPEN `0{...}` → Socket.IO CONNECT to the main namespace with the handshake auth,
//!   `40{"sessionId":"sess-<i>"}`; `40...` back is the connect, `44{"message":...}` a
//!   connect_error;
//! * Engine.IO PING `2` → PONG `3` (Engine.IO 4: the server pings, the client answers);
//! * Socket.IO EVENT `42[...]`: a `signal:new` is taken from the packet text without parsing
//!   the JSON (rawclient.js's `onRaw` fast path), others are parsed;
//! * Socket.IO DISCONNECT `41` from the server, Engine.IO CLOSE `1`.
//!
//! Text frames only, no acks, no binary attachments: the fan-out scenario needs none.

use crate::state::{Phase, Shared};
use crate::Config;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::rc::Rc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{client_async_with_config, WebSocketStream};

type Ws = WebSocketStream<TcpStream>;

/// The text a `signal:new` EVENT packet starts with (`42["signal:new",`).
const SIGNAL_PREFIX: &str = r#"42["signal:new","#;

/// tungstenite zero-fills its read buffer up to its capacity before every read (default
/// 128 KiB, i.e. a 128 KiB memset per delivery). A signal frame is ~270 bytes: 512 bytes per
/// connection holds one, keeps the 2000 buffers in cache, and grows by itself for a larger
/// frame.
const READ_BUFFER: usize = 512;

/// What the subscriber loop has to do after one packet.
enum Action {
    None,
    Pong,
    /// Socket.IO DISCONNECT from the server
    ServerDisconnect,
    /// Engine.IO CLOSE
    Close,
}

/// Runs subscriber `idx` from connect to disconnect, updating `sh`
/// (loadgen.js `connectAll`'s `createOne` plus `runFanout`'s per-socket handlers).
pub async fn run(idx: usize, sh: Rc<Shared>, cfg: &'static Config, ctl: watch::Receiver<Phase>) {
    let started = sh.now();
    let auth = serde_json::json!({
        "sessionId": format!("{}{}", cfg.session_prefix, cfg.session_offset + idx as u64)
    })
    .to_string();
    let timeout = Duration::from_secs_f64(cfg.connect_timeout_ms / 1000.0);
    let hs = tokio::time::timeout(timeout, handshake(cfg, &auth)).await;
    sh.pending.set(sh.pending.get() - 1);
    let mut ws = match hs {
        Ok(Ok(ws)) => ws,
        Ok(Err(msg)) => return connect_failed(&sh, &msg),
        Err(_) => return connect_failed(&sh, "timeout"),
    };
    if sh.connect_done() {
        // connected after the ramp deadline: not used
        disconnect(&mut ws).await;
        return;
    }
    sh.conn_lat.borrow_mut().push(sh.now() - started);
    sh.connected.set(sh.connected.get() + 1);
    sh.open.set(sh.open.get() + 1);
    sh.check_all_settled();

    // One pending "phase changed" future for the socket's whole life, not one per packet:
    // re-creating it on every wake-up cost a Notify registration per delivery.
    let mut phase = Box::pin(next_phase(ctl));
    let reason = loop {
        tokio::select! {
            biased;
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => match on_packet(&sh, t.as_str()) {
                    Action::None => {}
                    Action::Pong => {
                        if ws.send(Message::text("3")).await.is_err() {
                            break Some("transport close");
                        }
                    }
                    Action::ServerDisconnect => {
                        let _ = ws.close(None).await;
                        break Some("io server disconnect");
                    }
                    Action::Close => {
                        let _ = ws.close(None).await;
                        break Some("transport close");
                    }
                },
                Some(Ok(_)) => {} // binary, WebSocket ping/pong (answered by tungstenite)
                Some(Err(_)) | None => break Some("transport close"),
            },
            (rx, p) = &mut phase => {
                let Some(p) = p else {
                    break None;
                };
                phase.set(next_phase(rx));
                match p {
                    Phase::Subscribe => {
                        let emit = Message::text(r#"42["subscribe:signals",{}]"#);
                        if ws.send(emit).await.is_err() {
                            break Some("transport close");
                        }
                    }
                    Phase::Close => {
                        disconnect(&mut ws).await;
                        break None;
                    }
                    Phase::Connecting => {}
                }
            }
        }
    };
    if let Some(reason) = reason {
        if !sh.finished.get() {
            sh.bump(&format!("disconnect:{reason}"));
        }
    }
    sh.open.set(sh.open.get() - 1);
}

/// The next phase the driver announces (`None`: the driver is gone).
async fn next_phase(mut rx: watch::Receiver<Phase>) -> (watch::Receiver<Phase>, Option<Phase>) {
    let p = match rx.changed().await {
        Ok(()) => Some(*rx.borrow_and_update()),
        Err(_) => None,
    };
    (rx, p)
}

fn connect_failed(sh: &Shared, msg: &str) {
    sh.failed.set(sh.failed.get() + 1);
    sh.bump(&format!("connect_error:{msg}"));
    sh.check_all_settled();
}

/// Client-side disconnect as rawclient.js does it: Socket.IO DISCONNECT `41`, then a WebSocket
/// close, whose handshake gets a second to finish.
async fn disconnect(ws: &mut Ws) {
    let _ = ws.send(Message::text("41")).await;
    let _ = ws.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// TCP connect, WebSocket upgrade, Engine.IO open and Socket.IO CONNECT; `Err` carries the
/// connect_error message (the server's `message` for a CONNECT_ERROR).
async fn handshake(cfg: &Config, auth: &str) -> Result<Ws, String> {
    let tcp = TcpStream::connect(cfg.addr)
        .await
        .map_err(|e| e.to_string())?;
    // ws sets TCP_NODELAY on its sockets too
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let conf = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (mut ws, _) = client_async_with_config(cfg.ws_url.as_str(), tcp, Some(conf))
        .await
        .map_err(|e| e.to_string())?;
    const CLOSED: &str = "websocket closed before connect";
    loop {
        let t = match ws.next().await {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) | None => return Err(CLOSED.into()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.to_string()),
        };
        let b = t.as_bytes();
        match (b.first(), b.get(1)) {
            // Engine.IO OPEN → Socket.IO CONNECT with auth
            (Some(b'0'), _) => ws
                .send(Message::text(format!("40{auth}")))
                .await
                .map_err(|e| e.to_string())?,
            (Some(b'2'), _) => ws
                .send(Message::text("3"))
                .await
                .map_err(|e| e.to_string())?,
            (Some(b'4'), Some(b'0')) => return Ok(ws),
            (Some(b'4'), Some(b'4')) => {
                let msg = serde_json::from_str::<Value>(&t[2..])
                    .ok()
                    .and_then(|j| j.get("message")?.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "connect_error".into());
                return Err(msg);
            }
            (Some(b'4'), Some(b'1')) | (Some(b'1'), _) => return Err(CLOSED.into()),
            _ => {}
        }
    }
}

/// One Engine.IO packet received after the connect.
fn on_packet(sh: &Shared, text: &str) -> Action {
    let b = text.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(b'4'), Some(b'2')) => {
            if text.starts_with(SIGNAL_PREFIX) {
                let t = sh.now();
                sh.on_signal(t, signal_seq(text));
            } else {
                on_event(sh, &text[2..]);
            }
            Action::None
        }
        (Some(b'4'), Some(b'1')) => Action::ServerDisconnect,
        (Some(b'2'), _) => Action::Pong,
        (Some(b'1'), _) => Action::Close,
        _ => Action::None, // noop `6`, a repeated CONNECT
    }
}

/// A Socket.IO EVENT other than `signal:new` (after `42`): count `signals:subscribed`, record
/// `error` events by code as loadgen.js does (`server_error:<code>`).
fn on_event(sh: &Shared, rest: &str) {
    let mut s = rest;
    if s.starts_with('/') {
        // namespace (only "/" is used); skip "/nsp,"
        s = s.find(',').map_or("", |i| &s[i + 1..]);
    }
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit()); // ack id (unused)
    let Ok(Value::Array(arr)) = serde_json::from_str::<Value>(s) else {
        sh.bump("unparsable_packet");
        return;
    };
    match arr.first().and_then(Value::as_str) {
        Some("signals:subscribed") => sh.subscribed.set(sh.subscribed.get() + 1),
        Some("error") => {
            // JS `${e && e.code}`
            let code = match arr.get(1) {
                None => "undefined".to_owned(),
                Some(Value::Null) => "null".to_owned(),
                Some(e) => match e.get("code") {
                    None => "undefined".to_owned(),
                    Some(Value::String(c)) => c.clone(),
                    Some(c) => c.to_string(),
                },
            };
            sh.bump(&format!("server_error:{code}"));
        }
        _ => {}
    }
}

/// loadgen.js's `/"signalId"\s*:\s*"sig-(\d+)"/` on the packet text: the publish sequence
/// number of a delivered signal, `None` when there is none (counted as an unknown signal).
fn signal_seq(text: &str) -> Option<u64> {
    const KEY: &str = "\"signalId\"";
    let b = text.as_bytes();
    let ws = |mut i: usize| {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
        }
        i
    };
    // A plain scan: the key sits a few bytes into the packet, where a two-way searcher's
    // set-up costs more than the search.
    let key = KEY.as_bytes();
    let mut from = 0;
    while let Some(off) = b[from..].windows(key.len()).position(|w| w == key) {
        let at = from + off;
        from = at + 1;
        let mut i = ws(at + key.len());
        if b.get(i) != Some(&b':') {
            continue;
        }
        i = ws(i + 1);
        if !b[i..].starts_with(b"\"sig-") {
            continue;
        }
        i += 5;
        let d = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > d && b.get(i) == Some(&b'"') {
            // more digits than a u64 holds is no publish of ours either
            return text[d..i].parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_signal_id_like_the_regex() {
        assert_eq!(
            signal_seq(r#"42["signal:new",{"signalId":"sig-42","x":1}]"#),
            Some(42)
        );
        assert_eq!(
            signal_seq(r#"42["signal:new",{"signalId" : "sig-7"}]"#),
            Some(7)
        );
        assert_eq!(
            signal_seq(r#"42["signal:new",{"signalId":"x","note":{"signalId":"sig-3"}}]"#),
            Some(3)
        );
        assert_eq!(signal_seq(r#"42["signal:new",{"signalId":"sig-"}]"#), None);
        assert_eq!(signal_seq(r#"42["signal:new",{}]"#), None);
    }

    #[test]
    fn counts_events() {
        let sh = Shared::new(1, 10);
        sh.pub_times.borrow_mut()[3] = 1.0;
        assert!(matches!(
            on_packet(&sh, r#"42["signals:subscribed",{"room":"signals"}]"#),
            Action::None
        ));
        on_packet(&sh, r#"42["error",{"code":"PayloadError"}]"#);
        on_packet(&sh, r#"42["signal:new",{"signalId":"sig-3"}]"#);
        on_packet(&sh, r#"42["signal:new",{"signalId":"sig-4"}]"#);
        on_packet(&sh, r#"42["signal:new",{"signalId":"sig-99"}]"#);
        assert!(matches!(on_packet(&sh, "2"), Action::Pong));
        assert!(matches!(on_packet(&sh, "41"), Action::ServerDisconnect));
        assert_eq!(sh.subscribed.get(), 1);
        assert_eq!(sh.delivered.get(), 1);
        assert_eq!(sh.unknown_signals.get(), 2);
        assert_eq!(sh.errors()["server_error:PayloadError"], 1);
    }
}
