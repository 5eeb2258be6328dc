//! `evdoc proxy` against a real upstream: the bundled example app (Node, socket.io 4), started
//! by `tests/interop/upstream_app.js`, and the official socket.io-client. The client side
//! (`evdoc::proxy::upstream`) alone: opening with the client's cookie or `auth`, subscriptions
//! and their replies, a refusal passed on verbatim (message and `data`), an upstream that is not
//! there. The whole proxy (the `evdoc proxy` binary): the matrix of tests/interop/proxy_matrix.js
//! in enforce and observe mode with its report file, and reconnection after the proxy or the
//! upstream restarts. Feature `interop-tests`.

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
        App::start_with(false, 0)
    }

    /// The app on `port` (0: any free port), with the test extras when `extras`.
    fn start_with(extras: bool, port: u16) -> App {
        App::start_env(extras, port, false)
    }

    /// As [`App::start_with`]; when `polling_only`, the app refuses WebSocket.
    fn start_env(extras: bool, port: u16, polling_only: bool) -> App {
        let app = common::root().join("examples/trading-app");
        assert!(
            app.join("node_modules/socket.io").exists(),
            "run `npm ci` in examples/trading-app (scripts/test does it)"
        );
        let mut child = Command::new("node")
            .arg(common::interop_dir().join("upstream_app.js"))
            .env("PORT", port.to_string())
            .env("EVDOC_TEST_EXTRAS", if extras { "1" } else { "0" })
            .env(
                "EVDOC_TEST_POLLING_ONLY",
                if polling_only { "1" } else { "0" },
            )
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
    start_proxy_with(app, &common::root().join("catalog")).await
}

/// As [`start_proxy`], with the catalog in `catalog`.
async fn start_proxy_with(app: &App, catalog: &std::path::Path) -> std::net::SocketAddr {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let opts = evdoc::proxy::ProxyOptions::new(app.target(), "127.0.0.1", 0);
    let catalog = evdoc::catalog::load(catalog).unwrap();
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

/// A client's last packet, sent just before it closes the session, still reaches the upstream:
/// the pairing hears that the client left through the same queue as its packets, after them.
/// Five rounds. The client is evdoc's own Engine.IO client, which sends and closes at once; a
/// watcher connected straight to the app, in the user's room, hears from the app that the packet
/// arrived.
#[tokio::test]
async fn a_clients_last_packet_reaches_the_upstream() {
    let app = App::start_with(true, 0);
    let catalog = test_catalog();
    let addr = start_proxy_with(&app, catalog.path()).await;
    let mut watcher = logged_in(&app.target(), &app).await;
    let subscribe = format!(r#"2["subscribe:trades",{{"userId":"{}"}}]"#, app.user_id);
    watcher.send(&subscribe).await.unwrap();
    packet_starting(&mut watcher, r#"2["trades:subscribed""#).await;
    for round in 0..5 {
        let mut leaver = logged_in(&through(addr), &app).await;
        leaver.send(r#"2["test:last-words",{}]"#).await.unwrap();
        leaver.close().await;
        let push = tokio::time::timeout(
            WITHIN,
            packet_starting(&mut watcher, r#"2["test:done",{"step":"last-words"}"#),
        )
        .await;
        assert!(push.is_ok(), "round {round}: the last packet was lost");
    }
    watcher.close().await;
}

/// A client that sends faster than the upstream reads is disconnected once 8 MiB of it wait for
/// the upstream, and counted in `evdoc_proxy_backlog_closes_total`; the proxy keeps serving. The
/// app is stopped (SIGSTOP), so it reads nothing, and the client sends 60 KB binary uploads
/// (valid, so relayed) until the proxy closes it: 48 MB at most, the limit and every socket
/// buffer on the way well below that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_outpaces_the_upstream_is_cut_off() {
    outpace(false).await;
}

/// The same with an upstream that only polls: the POST queue is bounded too, so the client's
/// backlog grows in the proxy's count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_outpaces_a_polling_upstream_is_cut_off() {
    outpace(true).await;
}

async fn outpace(polling_only: bool) {
    let app = App::start_env(true, 0, polling_only);
    let catalog = test_catalog();
    let addr = start_proxy_with(&app, catalog.path()).await;
    let mut flooder = logged_in(&through(addr), &app).await;
    signal(&app, "STOP");
    let chunk = bytes::Bytes::from(vec![7u8; 60_000]);
    let upload = r#"51-["test:upload",{"name":"x","data":{"_placeholder":true,"num":0}}]"#;
    let flood = async {
        for _ in 0..800 {
            if flooder.send(upload).await.is_err()
                || flooder.send_binary(chunk.clone()).await.is_err()
            {
                return;
            }
        }
        // Everything went out: the close is still to be read.
        loop {
            if flooder.next().await.is_err() {
                return;
            }
        }
    };
    let cut = tokio::time::timeout(Duration::from_secs(20), flood).await;
    signal(&app, "CONT");
    assert!(cut.is_ok(), "the proxy kept the flooding client");
    assert_backlog_closes(addr, 1).await;
    // Everyone else is still served.
    logged_in(&through(addr), &app).await.close().await;
}

/// A client that announces 1,000 attachments and keeps sending frames holds them in the proxy
/// (the packet is not complete): they count against the same 8 MiB backlog, and the client is
/// disconnected rather than let to fill the proxy's memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_completes_a_binary_packet_is_cut_off() {
    let app = App::start_with(true, 0);
    let catalog = test_catalog();
    let addr = start_proxy_with(&app, catalog.path()).await;
    let mut client = logged_in(&through(addr), &app).await;
    let chunk = bytes::Bytes::from(vec![7u8; 60_000]);
    let held = async {
        let announce = r#"51000-["test:upload",{"name":"x","data":{"_placeholder":true,"num":0}}]"#;
        if client.send(announce).await.is_err() {
            return;
        }
        // 999 frames, 60 MB: the packet never completes.
        for _ in 0..999 {
            if client.send_binary(chunk.clone()).await.is_err() {
                return;
            }
        }
        while client.next().await.is_ok() {}
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(20), held)
            .await
            .is_ok(),
        "the proxy kept the client"
    );
    assert_backlog_closes(addr, 1).await;
}

/// The proxy at `addr`, as a target to open sessions with.
fn through(addr: std::net::SocketAddr) -> Target {
    Target::parse(&format!("http://{addr}")).unwrap()
}

/// A session with `target` (the app, or the proxy in front of it), connected to `/` as the
/// app's user, with the handshake `auth`.
async fn logged_in(target: &Target, app: &App) -> Upstream {
    let mut up = Upstream::open(target, "", &[], WITHIN).await.unwrap();
    up.send(&format!(r#"0{{"sessionId":"{}"}}"#, app.session_id))
        .await
        .unwrap();
    packet_starting(&mut up, "0{").await;
    up
}

/// The proxy at `addr` has disconnected `n` clients for their backlog.
async fn assert_backlog_closes(addr: std::net::SocketAddr, n: u32) {
    let port = addr.port();
    let (_, metrics) = tokio::task::spawn_blocking(move || http_get(port, "/metrics"))
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!("evdoc_proxy_backlog_closes_total {n}\n")),
        "{metrics}"
    );
}

/// Send `sig` (`STOP`, `CONT`) to the app's process.
fn signal(app: &App, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(app.child.id().to_string())
        .status()
        .expect("kill is installed");
    assert!(status.success(), "kill -{sig}");
}

/// catalog/ with the events of the example app's test extras (tests/fixtures/proxy/).
fn test_catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::root().join("catalog"), dir.path());
    std::fs::copy(
        common::root().join("tests/fixtures/proxy/test-events.yaml"),
        dir.path().join("events/proxy-tests.yaml"),
    )
    .unwrap();
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The report's lines, as JSON.
fn report_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `(direction, event, ack, code, action)` of each report line, in order.
fn report_summary(lines: &[Value]) -> Vec<(String, String, bool, String, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["direction"].as_str().unwrap_or("").to_owned(),
                l["event"].as_str().unwrap_or("").to_owned(),
                l["ack"].as_bool().unwrap_or(false),
                l["code"].as_str().unwrap_or("").to_owned(),
                l["action"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The official client through the `evdoc proxy` binary in `mode`, over websocket and polling
/// (tests/interop/proxy_matrix.js); then SIGTERM, and the report file checked line by line.
fn matrix(mode: &str) {
    matrix_with(mode, false);
}

fn matrix_with(mode: &str, polling_only: bool) {
    let app = App::start_env(true, 0, polling_only);
    let catalog = test_catalog();
    let report = catalog.path().join("violations.jsonl");
    let upstream = format!("http://127.0.0.1:{}", app.port);
    let mut proxy = common::Serve::command(
        "proxy",
        &[
            "--upstream",
            &upstream,
            "--catalog",
            catalog.path().to_str().unwrap(),
            "--port",
            "0",
            "--mode",
            mode,
            "--report",
            report.to_str().unwrap(),
            "--report-payloads",
        ],
    );
    let out = Command::new("node")
        .arg(common::interop_dir().join("proxy_matrix.js"))
        .arg(proxy.url())
        .args([mode, &app.session_id, &app.user_id, &app.cookie])
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("proxy_matrix: all checks passed"),
        "{stdout}\n{}\nproxy log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        proxy.log()
    );
    // Every client closed; the proxy sees the last close a moment later.
    let until = std::time::Instant::now() + WITHIN;
    let mut metrics = http_get(proxy.port, "/metrics").1;
    while !metrics.contains("evdoc_proxy_pairs 0") && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
        metrics = http_get(proxy.port, "/metrics").1;
    }
    let outcome = if mode == "observe" {
        "relayed"
    } else {
        "dropped"
    };
    for series in [
        "evdoc_proxy_violations_total{code=\"PayloadError\",direction=\"s2c\"} 2".to_owned(),
        "evdoc_proxy_violations_total{code=\"UnknownEvent\",direction=\"s2c\"} 2".to_owned(),
        format!("evdoc_proxy_events_total{{event=\"(unknown)\",direction=\"s2c\",outcome=\"{outcome}\"}} 2"),
        "evdoc_proxy_events_total{event=\"test:done\",direction=\"s2c\",outcome=\"valid\"} 4".to_owned(),
        // The client's acked emits the upstream answered: two a transport, and in observe mode
        // the bad notification:ack too.
        format!(
            "evdoc_proxy_upstream_ack_seconds_count {}",
            if mode == "observe" { 6 } else { 4 }
        ),
        "evdoc_proxy_pairs 0".to_owned(),
    ] {
        assert!(metrics.contains(&series), "{series} missing:\n{metrics}");
    }
    let (status, health) = http_get(proxy.port, "/healthz");
    assert!(
        status == 200 && health.contains("upstream: up"),
        "{status} {health}"
    );
    assert_eq!(
        proxy.terminate(Duration::from_secs(10)),
        Some(true),
        "SIGTERM must stop the proxy cleanly:\n{}",
        proxy.log()
    );
    let lines = report_lines(&report);
    let action = |direction: &str| match (mode, direction) {
        ("observe", _) => "relayed",
        (_, "c2s") => "refused",
        _ => "dropped",
    };
    let one_transport = [
        ("c2s", "notification:ack", false, "PayloadError"),
        ("c2s", "subscribe:signals", false, "AckError"),
        ("s2c", "notification:new", false, "PayloadError"),
        ("s2c", "debug:internal", false, "UnknownEvent"),
        ("c2s", "test:question", true, "AckError"),
    ];
    let expected: Vec<_> = [one_transport, one_transport]
        .concat()
        .into_iter()
        .map(|(d, e, ack, code)| {
            (
                d.to_owned(),
                e.to_owned(),
                ack,
                code.to_owned(),
                action(d).to_owned(),
            )
        })
        .collect();
    assert_eq!(report_summary(&lines), expected, "{lines:#?}");
    // Paths into the payload, the packet (--report-payloads), the client's session id.
    let bad_notification = &lines[2];
    let paths: Vec<&str> = bad_notification["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"/type") && paths.contains(&"/timestamp"),
        "{paths:?}"
    );
    assert!(bad_notification["packet"]
        .as_str()
        .unwrap()
        .contains("\"urgent\""));
    assert_eq!(lines[0]["namespace"], "/");
    assert!(!lines[0]["socket"].as_str().unwrap().is_empty());
    assert_ne!(
        lines[0]["socket"], lines[5]["socket"],
        "two client sessions"
    );
}

#[test]
fn enforce_refuses_and_drops_what_breaks_the_catalog_and_reports_it() {
    matrix("enforce");
}

#[test]
fn observe_relays_everything_and_reports_what_breaks_the_catalog() {
    matrix("observe");
}

/// The same matrix with an upstream that refuses WebSocket: the proxy's upstream session polls.
#[test]
fn the_matrix_holds_with_an_upstream_that_only_polls() {
    matrix_with("enforce", true);
}

/// tests/interop/proxy_reconnect.js, its output lines on a channel.
struct Dashboard {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Dashboard {
    fn start(url: &str, transport: &str, app: &App) -> Dashboard {
        let mut child = Command::new("node")
            .arg(common::interop_dir().join("proxy_reconnect.js"))
            .args([url, transport, &app.session_id, &app.user_id])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node is installed");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Dashboard {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (20 s at most) for a line starting with `prefix`.
    fn wait_for(&mut self, prefix: &str) -> String {
        let until = std::time::Instant::now() + Duration::from_secs(20);
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no `{prefix}` line; the client said: {:?}", self.seen);
    }

    fn say(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_proxy(app_port: u16, port: u16) -> common::Serve {
    common::Serve::command(
        "proxy",
        &[
            "--upstream",
            &format!("http://127.0.0.1:{app_port}"),
            "--catalog",
            common::root().join("catalog").to_str().unwrap(),
            "--port",
            &port.to_string(),
        ],
    )
}

/// A proxy stopped (SIGTERM) and started again on the same port: the client is disconnected
/// (a transport close, so it reconnects), and comes back subscribed through the new proxy.
#[test]
fn clients_come_back_after_a_proxy_restart() {
    let app = App::start();
    for transport in ["websocket", "polling"] {
        let port = common::free_port();
        let mut proxy = spawn_proxy(app.port, port);
        let mut client = Dashboard::start(&proxy.url(), transport, &app);
        client.wait_for("connected 1");
        assert_eq!(proxy.terminate(Duration::from_secs(10)), Some(true));
        // `transport close`, or over polling `transport error` when the session is gone before
        // the client's next poll: either way not `io server disconnect`, so it reconnects.
        let reason = client.wait_for("disconnected");
        assert!(reason.starts_with("disconnected transport "), "{reason}");
        let _proxy = spawn_proxy(app.port, port);
        client.wait_for("connected 2");
    }
}

/// The upstream stopped and started again on the same port: the client is disconnected, told
/// `UpstreamUnavailable` while the upstream is away, and once it is back (with a fresh session,
/// since the restarted app forgot its sessions) connected and subscribed again.
#[test]
fn clients_come_back_after_an_upstream_restart() {
    let first = App::start();
    let app_port = first.port;
    let proxy = spawn_proxy(app_port, 0);
    let mut client = Dashboard::start(&proxy.url(), "websocket", &first);
    client.wait_for("connected 1");
    drop(first);
    client.wait_for("disconnected");
    client.wait_for("refused UpstreamUnavailable");
    let second = App::start_with(false, app_port);
    // The old session is unknown to the new app: its refusal, passed on, then the new session.
    client.wait_for("refused AuthenticationError");
    client.say(&format!("session {}", second.session_id));
    client.wait_for("connected 2");
}

/// `GET path` on 127.0.0.1:port: the status and the body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    tcp.read_to_string(&mut text).unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

/// `/healthz` says 503 while the upstream does not answer, 200 once it does.
#[test]
fn healthz_says_whether_the_upstream_answers() {
    let app_port = common::free_port();
    let proxy = spawn_proxy(app_port, 0);
    let (status, body) = http_get(proxy.port, "/healthz");
    assert!(
        status == 503 && body.contains("upstream: down"),
        "{status} {body}"
    );
    let _app = App::start_with(false, app_port);
    let (status, body) = http_get(proxy.port, "/healthz");
    assert!(
        status == 200 && body.contains("upstream: up"),
        "{status} {body}"
    );
}
