//! The proxy's client side (`evdoc::proxy::upstream`) against a real upstream: the bundled
//! example app (Node, socket.io 4), started by `tests/interop/upstream_app.js`. Opening with the
//! client's cookie or `auth`, subscriptions and their replies, a refusal passed on verbatim
//! (message and `data`), an upstream that is not there. Feature `interop-tests`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use evdoc::proxy::upstream::{Incoming, Target, Upstream, UpstreamError};
use serde_json::Value;

/// The example app, running until dropped (its stdin closes, and it is killed to be sure).
struct App {
    child: Child,
    port: u16,
    session_id: String,
    user_id: String,
    cookie: String,
}

impl App {
    fn start() -> App {
        let app = common::root().join("examples/trading-app");
        assert!(
            app.join("node_modules/socket.io").exists(),
            "run `npm ci` in examples/trading-app (scripts/test does it)"
        );
        let mut child = Command::new("node")
            .arg(common::interop_dir().join("upstream_app.js"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node is installed");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        App {
            port: v["port"].as_u64().unwrap() as u16,
            session_id: v["sessionId"].as_str().unwrap().to_owned(),
            user_id: v["userId"].as_str().unwrap().to_owned(),
            cookie: v["cookie"].as_str().unwrap().to_owned(),
            child,
        }
    }

    fn target(&self) -> Target {
        Target::parse(&format!("http://127.0.0.1:{}", self.port)).unwrap()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const WITHIN: Duration = Duration::from_secs(5);

/// `evdoc::proxy::run` in front of `app`, on a free port of 127.0.0.1 (it stops with the test's
/// runtime).
async fn start_proxy(app: &App) -> std::net::SocketAddr {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let opts = evdoc::proxy::ProxyOptions::new(app.target(), "127.0.0.1", 0);
    let catalog = evdoc::catalog::load(&common::root().join("catalog")).unwrap();
    tokio::spawn(async move {
        evdoc::proxy::run(&catalog, opts, move |addr| {
            let _ = tx.send(addr);
        })
        .await
    });
    rx.await.unwrap()
}

/// The next Socket.IO packet, skipping binary frames; fails after 5 s.
async fn packet(up: &mut Upstream) -> String {
    loop {
        match tokio::time::timeout(WITHIN, up.next()).await {
            Ok(Ok(Incoming::Packet(p))) => return p,
            Ok(Ok(Incoming::Binary(_))) => {}
            Ok(Err(e)) => panic!("upstream: {e}"),
            Err(_) => panic!("no packet within {WITHIN:?}"),
        }
    }
}

/// Packets until one starts with `prefix`.
async fn packet_starting(up: &mut Upstream, prefix: &str) -> String {
    loop {
        let p = packet(up).await;
        if p.starts_with(prefix) {
            return p;
        }
    }
}

#[tokio::test]
async fn opens_with_auth_and_relays_subscriptions() {
    let app = App::start();
    let mut up = Upstream::open(&app.target(), "", &[], WITHIN)
        .await
        .unwrap();
    assert!(up.open["sid"].is_string(), "{}", up.open);
    assert!(up.open["pingInterval"].is_u64(), "{}", up.open);
    up.send(&format!(r#"0{{"sessionId":"{}"}}"#, app.session_id))
        .await
        .unwrap();
    let connected = packet(&mut up).await;
    assert!(connected.starts_with(r#"0{"sid":"#), "{connected}");
    up.send(&format!(
        r#"2["subscribe:trades",{{"userId":"{}"}}]"#,
        app.user_id
    ))
    .await
    .unwrap();
    let reply = packet_starting(&mut up, r#"2["trades:subscribed""#).await;
    assert!(reply.contains(&format!("user:{}", app.user_id)), "{reply}");
    up.close().await;
}

#[tokio::test]
async fn the_clients_cookie_reaches_the_upstreams_middleware() {
    let app = App::start();
    assert!(app.cookie.starts_with("connect.sid="), "{}", app.cookie);
    let headers = [("cookie".to_owned(), app.cookie.clone())];
    let mut up = Upstream::open(&app.target(), "", &headers, WITHIN)
        .await
        .unwrap();
    up.send("0").await.unwrap();
    let connected = packet(&mut up).await;
    assert!(connected.starts_with(r#"0{"sid":"#), "{connected}");
}

#[tokio::test]
async fn a_refusal_comes_back_as_the_upstream_wrote_it() {
    let app = App::start();
    let mut up = Upstream::open(&app.target(), "", &[], WITHIN)
        .await
        .unwrap();
    up.send("0").await.unwrap();
    let refused = packet(&mut up).await;
    let (kind, body) = refused.split_at(1);
    assert_eq!(kind, "4", "{refused}");
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["message"], "AuthenticationError", "{refused}");
    assert_eq!(body["data"]["code"], "AuthenticationError", "{refused}");
}

#[tokio::test]
async fn an_upstream_that_is_not_there_is_unreachable() {
    let port = common::free_port();
    let target = Target::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    match Upstream::open(&target, "", &[], WITHIN).await {
        Err(UpstreamError::Unreachable(_)) => {}
        Err(e) => panic!("expected Unreachable, got {e}"),
        Ok(_) => panic!("connected to a closed port"),
    }
}

/// The official socket.io-client through the proxy (`evdoc::proxy::run`) to the example app:
/// websocket, polling and polling upgraded to websocket; auth and cookie logins, a subscription's
/// reply, a refusal with its `data` (tests/interop/proxy.js).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_io_client_reaches_the_app_through_the_proxy() {
    common::npm_ready();
    let app = App::start();
    let addr = start_proxy(&app).await;
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(common::interop_dir().join("proxy.js"))
            .arg(format!("http://{addr}"))
            .args([&app.session_id, &app.user_id, &app.cookie])
            .output()
            .expect("node is installed")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("proxy: all checks passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An upstream that goes away mid-session: the client is disconnected (so that it reconnects),
/// not left connected to nothing (tests/interop/proxy_upstream_gone.js).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_whose_upstream_goes_away_is_disconnected() {
    common::npm_ready();
    let app = App::start();
    let addr = start_proxy(&app).await;
    let mut client = Command::new("node")
        .arg(common::interop_dir().join("proxy_upstream_gone.js"))
        .arg(format!("http://{addr}"))
        .arg(&app.session_id)
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is installed");
    let mut lines = BufReader::new(client.stdout.take().unwrap()).lines();
    let first = tokio::task::spawn_blocking(move || {
        let first = lines.next().unwrap().unwrap();
        (first, lines)
    });
    let (first, mut lines) = first.await.unwrap();
    assert_eq!(first, "connected");
    drop(app);
    let last = tokio::task::spawn_blocking(move || lines.next().unwrap().unwrap())
        .await
        .unwrap();
    assert_eq!(last, "disconnected: transport close", "{last}");
    assert!(client.wait().unwrap().success());
}
