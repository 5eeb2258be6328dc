//! evdoc-floor: the cost floor of `evdoc serve`'s stack, for benches/serve/floor.sh.
//!
//! Why: the bar of issue 5 is evdoc's server CPU per message at most ⅓ of Node's. Part of that
//! CPU is not evdoc's to spend: the kernel's loopback TCP and the WebSocket transport cost the
//! same whatever runs above them. This server is the same stack as `evdoc serve` (tokio on a
//! current-thread runtime, hyper 1 with HTTP upgrades, tokio-tungstenite 0.30) with everything
//! Socket.IO, schema and staging about it taken out, so that its CPU per message is the least
//! a server on this stack can spend on node-baseline's scenarios. What is between it and evdoc
//! is evdoc's own cost (socketioxide, engineioxide, validation, metrics); what is between it
//! and Node is what no user-space change in evdoc can remove.
//!
//! What it speaks, just enough for node-baseline's loadgen.js (socket.io-client and its raw
//! client) and evdoc-loadgen, over a WebSocket only:
//!
//! * Engine.IO OPEN `0{...}` on connect (ping every 25 s, answered pongs ignored), Socket.IO
//!   CONNECT `40...` answered with `40{"sid":...}` (no authentication);
//! * `42["ping:echo",<payload>]` answered with `42["pong:echo",<payload>]` by rewriting the
//!   packet text (no JSON parse, no validation);
//! * `42["subscribe:signals",...]` joins the one room, answered with `signals:subscribed`;
//! * `POST /v1/publish` `{"event", "room", "payload"}`: one packet text built once, queued to
//!   every member of the room (a bounded queue per socket, drops when full), `202`;
//! * `GET /healthz`, which also says how many deliveries were dropped for full queues.
//!
//! Each socket is one task that waits on its WebSocket, its queue and its ping timer (no split
//! stream, no second task): the cheapest shape for this work. It binds loopback only.
//!
//! Usage: `evdoc-floor [--host 127.0.0.1] [--port 3000]` (or env `HOST`, `PORT`).

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::{spawn_local, LocalSet};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

/// Packets queued per socket before publishes to it are dropped (evdoc: 2 × burst + 64).
const QUEUE: usize = 464;
/// The room `subscribe:signals` joins.
const ROOM: &str = "signals";

/// The server's state: the room's members and a socket counter (one thread, no locks).
#[derive(Default)]
struct State {
    members: RefCell<Vec<(u64, mpsc::Sender<Utf8Bytes>)>>,
    next_id: Cell<u64>,
    dropped: Cell<u64>,
}

type Body = Full<Bytes>;

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

async fn route(req: Request<Incoming>, st: Rc<State>) -> Result<Response<Body>, hyper::Error> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => Ok(reply(
            StatusCode::OK,
            format!(
                "ok, {} publishes dropped for full queues\n",
                st.dropped.get()
            ),
        )),
        (&Method::POST, "/v1/publish") => Ok(publish(req, &st).await),
        (&Method::GET, "/socket.io/") if req.headers().contains_key(SEC_WEBSOCKET_KEY) => {
            Ok(upgrade(req, st))
        }
        _ => Ok(reply(StatusCode::NOT_FOUND, "not found")),
    }
}

/// Build the packet once and queue it to every member of the room.
async fn publish(req: Request<Incoming>, st: &State) -> Response<Body> {
    let Ok(body) = Limited::new(req.into_body(), 1 << 20).collect().await else {
        return reply(StatusCode::BAD_REQUEST, "unreadable body");
    };
    let Ok(v) = serde_json::from_slice::<Value>(&body.to_bytes()) else {
        return reply(StatusCode::BAD_REQUEST, "not JSON");
    };
    let (Some(event), Some(payload)) = (v["event"].as_str(), v.get("payload")) else {
        return reply(StatusCode::BAD_REQUEST, "event and payload needed");
    };
    if v["room"].as_str() != Some(ROOM) {
        return reply(StatusCode::BAD_REQUEST, "only the signals room");
    }
    let packet = Utf8Bytes::from(format!("42[{},{}]", Value::from(event), payload));
    for (_, tx) in st.members.borrow().iter() {
        if tx.try_send(packet.clone()).is_err() {
            st.dropped.set(st.dropped.get() + 1);
        }
    }
    reply(StatusCode::ACCEPTED, r#"{"accepted":true}"#)
}

/// Answer the WebSocket handshake and run the socket once hyper hands the connection over.
fn upgrade(mut req: Request<Incoming>, st: Rc<State>) -> Response<Body> {
    let accept = derive_accept_key(req.headers()[SEC_WEBSOCKET_KEY].as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut req);
    spawn_local(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        // evdoc's settings: a 1 KiB read buffer per connection.
        let cfg = WebSocketConfig::default().read_buffer_size(1024);
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(cfg)).await;
        socket(ws, st).await;
    });
    let mut r = reply(StatusCode::SWITCHING_PROTOCOLS, "");
    let h = r.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    // Base64, so always a valid header value.
    h.insert(
        SEC_WEBSOCKET_ACCEPT,
        accept.parse().expect("base64 accept key"),
    );
    r
}

type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// One socket: its reads, its queue and its pings, in one task.
async fn socket(mut ws: Ws, st: Rc<State>) {
    let id = st.next_id.get();
    st.next_id.set(id + 1);
    let sid = format!("floor{id:012}");
    let open = format!(
        r#"0{{"sid":"{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}"#
    );
    if ws.send(Message::text(open)).await.is_err() {
        return;
    }
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(QUEUE);
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    ping.tick().await;
    loop {
        let out = tokio::select! {
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => answer(&t, &sid, id, &tx, &st),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => None,
            },
            Some(p) = rx.recv() => {
                // Write what is queued, then flush once.
                let mut ok = ws.feed(Message::Text(p)).await.is_ok();
                while let (true, Ok(p)) = (ok, rx.try_recv()) {
                    ok = ws.feed(Message::Text(p)).await.is_ok();
                }
                if !ok || ws.flush().await.is_err() {
                    break;
                }
                None
            },
            _ = ping.tick() => Some(Utf8Bytes::from_static("2")),
        };
        if let Some(out) = out {
            if ws.send(Message::Text(out)).await.is_err() {
                break;
            }
        }
    }
    st.members.borrow_mut().retain(|(m, _)| *m != id);
}

/// The reply to one text frame, if it needs one.
fn answer(
    t: &str,
    sid: &str,
    id: u64,
    tx: &mpsc::Sender<Utf8Bytes>,
    st: &State,
) -> Option<Utf8Bytes> {
    if t.starts_with("40") {
        return Some(Utf8Bytes::from(format!(r#"40{{"sid":"{sid}"}}"#)));
    }
    // `42` EVENT, an optional ack id, then the JSON array.
    let body = t
        .strip_prefix("42")?
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if let Some(rest) = body.strip_prefix(r#"["ping:echo","#) {
        return Some(Utf8Bytes::from(format!(r#"42["pong:echo",{rest}"#)));
    }
    if body.starts_with(r#"["subscribe:signals""#) {
        st.members.borrow_mut().push((id, tx.clone()));
        return Some(Utf8Bytes::from_static(
            r#"42["signals:subscribed",{"room":"signals"}]"#,
        ));
    }
    None
}

fn arg(name: &str, env: &str, default: &str) -> String {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok())
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let host: IpAddr = match arg("--host", "HOST", "127.0.0.1").parse() {
        Ok(h) if IpAddr::is_loopback(&h) => h,
        _ => {
            eprintln!("evdoc-floor: --host must be a loopback address");
            std::process::exit(2);
        }
    };
    let Ok(port) = arg("--port", "PORT", "3000").parse::<u16>() else {
        eprintln!("evdoc-floor: --port must be a port number");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    LocalSet::new().block_on(&rt, async move {
        let listener = match TcpListener::bind(SocketAddr::new(host, port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("evdoc-floor: cannot listen on {host}:{port}: {e}");
                std::process::exit(1);
            }
        };
        eprintln!("evdoc-floor listening on http://{host}:{port}");
        let st = Rc::new(State::default());
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let st = st.clone();
            spawn_local(async move {
                let svc = service_fn(move |req| route(req, st.clone()));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .with_upgrades()
                    .await;
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_to(t: &str) -> (Option<String>, usize) {
        let st = State::default();
        let (tx, _rx) = mpsc::channel(1);
        let out = answer(t, "s1", 7, &tx, &st).map(|u| u.as_str().to_string());
        let members = st.members.borrow().len();
        (out, members)
    }

    #[test]
    fn connect_is_answered_with_the_sid() {
        assert_eq!(
            answer_to(r#"40{"sessionId":"sess-1"}"#).0.as_deref(),
            Some(r#"40{"sid":"s1"}"#)
        );
    }

    #[test]
    fn ping_echo_is_rewritten_to_pong_echo_with_the_same_payload() {
        let p = r#"{"seq":3,"sentAt":1.5}]"#;
        for t in [
            format!(r#"42["ping:echo",{p}"#),
            format!(r#"4212["ping:echo",{p}"#),
        ] {
            assert_eq!(answer_to(&t).0, Some(format!(r#"42["pong:echo",{p}"#)));
        }
    }

    #[test]
    fn subscribe_joins_the_room_and_other_packets_are_ignored() {
        assert_eq!(answer_to(r#"42["subscribe:signals",{}]"#).1, 1);
        for t in ["3", r#"42["other",{}]"#, "41", ""] {
            assert_eq!(answer_to(t), (None, 0), "{t}");
        }
    }
}
