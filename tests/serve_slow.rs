//! Slow and half-open clients of `evdoc serve`, by raw TCP: a connection that never finishes its
//! request head, a polling session that stops polling, and a WebSocket that stops reading. Each
//! is closed on a bounded timer (the header-read timeout; Engine.IO's heartbeat: the fixture's
//! ping interval + ping timeout, 4 s), after which the server holds nothing of it. Feature
//! `interop-tests`: `cargo test --features interop-tests --test serve_slow`.
#![cfg(feature = "serve")]

mod common;

use common::Serve;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn serve() -> Serve {
    let (catalog, sessions) = (
        common::fixture("catalog.yaml"),
        common::fixture("sessions.json"),
    );
    Serve::spawn(&[
        "--catalog",
        &catalog,
        "--sessions",
        &sessions,
        "--port",
        "0",
        "--publish-token",
        "tok",
    ])
}

fn addr(s: &Serve) -> String {
    format!("127.0.0.1:{}", s.port)
}

/// One request on its own connection (`Connection: close`): status and body.
fn request(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer tok\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(head.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = tcp.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

/// The value of the series `series` (name and labels as exported) in `/metrics` now.
fn metric(addr: &str, series: &str) -> f64 {
    let (_, metrics) = request(addr, "GET", "/metrics", "");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// `evdoc_connections{namespace="/"}` now.
fn connected(addr: &str) -> f64 {
    metric(addr, "evdoc_connections{namespace=\"/\"}")
}

/// Wait (at most `within`) until `f` holds.
fn eventually(within: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < within,
            "{what} did not happen within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_connection_that_never_finishes_its_request_head_is_closed() {
    let s = serve();
    let addr = addr(&s);
    // One half-sent request head, one connection that sends nothing at all.
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut silent = TcpStream::connect(&addr).unwrap();
    let start = Instant::now();
    for tcp in [&mut half, &mut silent] {
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut rest = Vec::new();
        // EOF (after an optional 408): the server closed it. A read timeout would be an error.
        tcp.read_to_end(&mut rest)
            .expect("the server closes the connection");
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(8) && took < Duration::from_secs(20),
        "closed after {took:?}; the header-read timeout is 10 s"
    );
    // The server still serves everyone else.
    assert_eq!(
        request(&addr, "GET", "/socket.io/?EIO=4&transport=polling", "").0,
        200
    );
}

#[test]
fn a_polling_session_that_stops_polling_is_closed_by_the_heartbeat() {
    let s = serve();
    let addr = addr(&s);
    let (status, open) = request(&addr, "GET", "/socket.io/?EIO=4&transport=polling", "");
    assert_eq!(status, 200, "{open}");
    let sid = open
        .split("\"sid\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a session id")
        .to_string();
    let path = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(
        request(&addr, "POST", &path, r#"40{"sessionId":"sess-1"}"#).0,
        200
    );
    // The CONNECT reply. engineioxide sends its first ping as soon as the session opens, so a
    // poll may hold only that ping (`2`) when the async auth middleware has not answered yet;
    // the next poll then has the reply.
    let mut bodies = Vec::new();
    while bodies.len() < 3 && !bodies.iter().any(|b: &String| b.contains("40{\"sid\"")) {
        bodies.push(request(&addr, "GET", &path, "").1);
    }
    assert!(
        bodies.iter().any(|b| b.contains("40{\"sid\"")),
        "{bodies:?}"
    );
    assert_eq!(connected(&addr), 1.0);
    // No more polls: no pong reaches the server, which drops the session after
    // ping interval + ping timeout.
    eventually(Duration::from_secs(12), "the socket's close", || {
        connected(&addr) == 0.0
    });
    assert_eq!(
        request(&addr, "GET", &path, "").0,
        400,
        "the session is gone"
    );
}

/// A masked client text frame (a zero mask: the payload goes as is).
fn ws_text(payload: &str) -> Vec<u8> {
    let mut f = vec![0x81u8];
    let len = payload.len();
    if len < 126 {
        f.push(0x80 | len as u8);
    } else {
        f.push(0x80 | 126);
        f.extend_from_slice(&(len as u16).to_be_bytes());
    }
    f.extend_from_slice(&[0, 0, 0, 0]);
    f.extend_from_slice(payload.as_bytes());
    f
}

#[test]
fn a_websocket_that_stops_reading_is_closed_by_the_heartbeat() {
    let s = serve();
    let addr = addr(&s);
    let mut ws = TcpStream::connect(&addr).unwrap();
    ws.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let upgrade = format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    ws.write_all(upgrade.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        ws.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        String::from_utf8_lossy(&head).starts_with("HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    ws.write_all(&ws_text(r#"40{"sessionId":"sess-1"}"#))
        .unwrap();
    // Like socket.io-client, emit only once the namespace has answered the CONNECT.
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("40{\"sid\"") {
        let mut chunk = [0u8; 512];
        let n = ws.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the CONNECT answer");
        seen.extend_from_slice(&chunk[..n]);
    }
    ws.write_all(&ws_text(r#"42["subscribe:signals",{}]"#))
        .unwrap();
    eventually(Duration::from_secs(5), "the connect", || {
        connected(&addr) == 1.0
    });
    // From here the client reads nothing: publishes to its room queue up unread, pings go
    // unanswered, and the heartbeat closes the socket.
    for _ in 0..50 {
        let (status, body) = request(
            &addr,
            "POST",
            "/v1/publish",
            r#"{"event":"signal:new","room":"signals","payload":{"symbol":"AAPL"}}"#,
        );
        assert_eq!(status, 202, "{body}");
    }
    eventually(Duration::from_secs(12), "the socket's close", || {
        connected(&addr) == 0.0
    });
    assert_eq!(
        metric(&addr, "evdoc_disconnects_total{reason=\"ping timeout\"}"),
        1.0
    );
}
