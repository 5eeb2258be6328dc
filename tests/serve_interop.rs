//! Interop tests of `evdoc serve` with the official `socket.io-client` (npm, lockfile in
//! `tests/interop/`), over both transports, plus hostile traffic, restarts, `--mock`,
//! `--forward` and JWT auth. Each test starts its own server on 127.0.0.1 (port 0, read from the
//! log) and stops it on drop, also when an assertion fails. Feature `interop-tests`:
//! `cargo test --features interop-tests --test serve_interop` (scripts/test runs it).
#![cfg(feature = "serve")]

mod common;

use common::{free_port, interop_dir, npm_ready, root, Serve};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// `evdoc serve` on the fixture catalog and sessions, publish token `tok`, a free port.
fn serve(extra: &[&str]) -> Serve {
    serve_on(0, "catalog.yaml", extra)
}

/// `evdoc serve` on `port` (0: a free one) and the fixture `catalog`.
fn serve_on(port: u16, catalog: &str, extra: &[&str]) -> Serve {
    let (catalog, sessions) = (common::fixture(catalog), common::fixture("sessions.json"));
    let port = port.to_string();
    let mut args = vec![
        "--catalog",
        &catalog,
        "--sessions",
        &sessions,
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--publish-token",
        "tok",
    ];
    args.extend_from_slice(extra);
    Serve::spawn(&args)
}

/// A running node script, killed on drop.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn node(script: &str, args: &[&str]) -> Node {
    npm_ready();
    Node(
        Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(interop_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node is needed for the interop tests"),
    )
}

/// Run a scenario script to the end (at most 120 s) and fail with its output unless it passed.
fn run_script(server: &Serve, script: &str, args: &[&str]) {
    let url = server.url();
    let mut all = vec!["--url", url.as_str(), "--token", "tok"];
    all.extend_from_slice(args);
    let mut n = node(script, &all);
    let start = Instant::now();
    let status = loop {
        if let Some(st) = n.0.try_wait().unwrap() {
            break Some(st);
        }
        if start.elapsed() > Duration::from_secs(120) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    let mut err = String::new();
    use std::io::Read;
    if let Some(mut o) = n.0.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = n.0.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    println!("{out}");
    assert!(
        status.is_some_and(|s| s.success()),
        "{script} {args:?} failed (status {status:?}):\n{out}\n{err}\n--- server log ---\n{}",
        server.log()
    );
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

#[test]
fn socket_io_client_over_websocket() {
    let s = serve(&[]);
    run_script(&s, "interop.js", &["--transport", "websocket"]);
}

#[test]
fn socket_io_client_over_polling() {
    let s = serve(&[]);
    run_script(&s, "interop.js", &["--transport", "polling"]);
}

#[test]
fn binary_payloads_over_websocket() {
    let s = serve(&[]);
    run_script(&s, "binary.js", &["--transport", "websocket"]);
}

#[test]
fn binary_payloads_over_polling() {
    let s = serve(&[]);
    run_script(&s, "binary.js", &["--transport", "polling"]);
}

/// One HTTP/1.1 request on a fresh connection: the status code and the whole response.
fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = tcp.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

const DASHBOARD: &str = "http://dash.example.test";

#[test]
fn origins_listed_are_served_and_others_refused_over_websocket() {
    let s = serve(&["--allow-origin", DASHBOARD]);
    run_script(
        &s,
        "origin.js",
        &["--transport", "websocket", "--allowed", DASHBOARD],
    );
}

#[test]
fn origins_listed_are_served_and_others_refused_over_polling() {
    let s = serve(&["--allow-origin", DASHBOARD]);
    run_script(
        &s,
        "origin.js",
        &["--transport", "polling", "--allowed", DASHBOARD],
    );
}

/// With no list, only the server's own origin (and clients without `Origin`) get in, and the
/// start-up log says so; the catalog's list is the policy when no flag replaces it.
#[test]
fn without_a_list_only_the_servers_own_origin_is_allowed() {
    let s = serve(&[]);
    let addr = s.url().trim_start_matches("http://").to_string();
    let handshake = "/socket.io/?EIO=4&transport=polling";
    assert_eq!(http_get(&addr, handshake, &[]).0, 200);
    let own = s.url();
    assert_eq!(
        http_get(&addr, handshake, &[("Origin", own.as_str())]).0,
        200
    );
    let (status, body) = http_get(&addr, handshake, &[("Origin", DASHBOARD)]);
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("\"sid\""), "{body}");
    assert!(s.log().contains("same-origin only"), "{}", s.log());

    let dir = tempfile::tempdir().unwrap();
    let catalog = std::fs::read_to_string(common::fixture("catalog.yaml")).unwrap();
    let catalog = catalog.replacen(
        "connection:\n",
        &format!("connection:\n  cors:\n    origins: [\"{DASHBOARD}\"]\n"),
        1,
    );
    assert!(
        catalog.contains("cors:"),
        "the fixture has a connection block"
    );
    let path = dir.path().join("catalog.yaml");
    std::fs::write(&path, catalog).unwrap();
    let sessions = common::fixture("sessions.json");
    let listed = Serve::spawn(&[
        "--catalog",
        path.to_str().unwrap(),
        "--sessions",
        &sessions,
        "--port",
        "0",
    ]);
    let addr = listed.url().trim_start_matches("http://").to_string();
    assert_eq!(http_get(&addr, handshake, &[("Origin", DASHBOARD)]).0, 200);
    assert_eq!(
        http_get(&addr, handshake, &[("Origin", "http://evil.example")]).0,
        403
    );
}

/// `--admin-addr`: publish, metrics and health move to their own listener.
#[test]
fn the_admin_listener_serves_publish_metrics_and_health_apart() {
    let admin = format!("127.0.0.1:{}", free_port());
    let s = serve(&["--admin-addr", &admin]);
    let public = s.url().trim_start_matches("http://").to_string();
    // The admin listener binds just after the public one: wait for it.
    let start = Instant::now();
    while std::net::TcpStream::connect(&admin).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "admin listener never came up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(http_get(&admin, "/healthz", &[]).0, 200);
    let (status, metrics) = http_get(&admin, "/metrics", &[]);
    assert_eq!(status, 200);
    assert!(metrics.contains("evdoc_origins_refused_total"), "{metrics}");
    assert_eq!(http_get(&public, "/metrics", &[]).0, 404);
    assert_eq!(http_get(&public, "/healthz", &[]).0, 404);
    assert_eq!(
        http_get(&public, "/socket.io/?EIO=4&transport=polling", &[]).0,
        200
    );
}

#[test]
fn hostile_traffic_is_answered_or_cut_off() {
    let s = serve(&["--max-connections", "20"]);
    run_script(&s, "hostile.js", &[]);
    // One flooding connection is cut off once: the packets it had already sent are dropped
    // while the disconnect goes through, not logged and counted as more floods.
    let log = s.log();
    assert_eq!(
        log.matches("event flood: disconnecting").count(),
        1,
        "{log}"
    );
}

#[test]
fn mock_mode_answers_from_examples() {
    let s = serve(&["--mock"]);
    run_script(
        &s,
        "modes.js",
        &["--mode", "mock", "--transport", "websocket"],
    );
}

#[test]
fn forward_mode_posts_to_the_backend_and_validates_its_emits() {
    let backend = free_port();
    let url = format!("http://127.0.0.1:{backend}/events");
    let s = serve(&["--forward", &url]);
    let port = backend.to_string();
    run_script(
        &s,
        "modes.js",
        &[
            "--mode",
            "forward",
            "--backend-port",
            &port,
            "--transport",
            "polling",
        ],
    );
}

/// A real HTTP backend for `--forward` on 127.0.0.1 (port 0), axum on its own runtime, stopped
/// on drop. `execute:trade` is answered by the payload's `symbol`: `OK` (an emit and an ack),
/// `SLOW` (the same after 2 s), `E500`/`E503`/`E429`/`E403`/`E302` (that status), `E422` (a
/// refusal with message and errors), `GARBAGE` (not JSON), `ARRAY`, `TYPO` (`emits`), `MIXED`
/// (valid emits next to invalid ones); `chat:send` gets an ack that breaks its ack schema;
/// anything else `{}`.
struct Backend {
    rt: Option<tokio::runtime::Runtime>,
    port: u16,
}

impl Backend {
    fn start() -> Backend {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;
        use serde_json::{json, Value};
        async fn answer(axum::Json(ev): axum::Json<Value>) -> axum::response::Response {
            let ok = json!({
                "emit": [{"event": "trade:executed", "payload": {"tradeId": "t-1"}, "to": "socket"}],
                "ack": {"tradeId": "t-1"},
            });
            let status = |code: u16, body: &'static str| {
                (StatusCode::from_u16(code).unwrap(), body).into_response()
            };
            if ev["event"] == "chat:send" {
                return axum::Json(json!({"ack": 5})).into_response();
            }
            if ev["event"] != "execute:trade" {
                return axum::Json(json!({})).into_response();
            }
            match ev["payload"]["symbol"].as_str().unwrap_or("") {
                "OK" => axum::Json(ok).into_response(),
                "SLOW" => {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    axum::Json(json!({
                        "emit": [{"event": "trade:executed", "payload": {"tradeId": "late"}}],
                        "ack": {"tradeId": "late"},
                    }))
                    .into_response()
                }
                "E500" => status(500, "oops"),
                "E503" => status(503, "maintenance"),
                "E429" => status(429, "slow down"),
                "E403" => status(403, "forbidden"),
                "E302" => (StatusCode::FOUND, [("location", "/elsewhere")], "").into_response(),
                "E422" => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    axum::Json(json!({
                        "message": "insufficient funds",
                        "errors": [{"path": "/quantity", "message": "exceeds the balance"}],
                    })),
                )
                    .into_response(),
                "GARBAGE" => status(200, "<html>not json</html>"),
                "ARRAY" => axum::Json(json!([1, 2])).into_response(),
                "TYPO" => axum::Json(json!({"emits": []})).into_response(),
                "MIXED" => axum::Json(json!({
                    "emit": [
                        {"event": "trade:executed", "payload": {"tradeId": "t-2"}, "to": "socket"},
                        {"event": "trade:update", "payload": {"tradeId": "t-2", "status": "filled"}, "to": format!("room:user:{}", ev["socket"]["userId"].as_str().unwrap_or(""))},
                        {"event": "trade:update", "payload": {"tradeId": "t-2", "status": "bogus"}, "to": "socket"},
                        {"event": "not:catalogued", "payload": {}, "to": "socket"},
                        {"event": "trade:executed", "payload": {"tradeId": "t-2"}, "to": "everyone"},
                        {"event": "trade:update", "payload": {"tradeId": "t-2", "status": "filled"}, "to": "room:signals"},
                    ],
                    "ack": {"tradeId": "t-2"},
                }))
                .into_response(),
                _ => status(400, "unknown symbol"),
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        rt.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().route("/events", axum::routing::post(answer));
            let _ = axum::serve(listener, app).await;
        });
        Backend { rt: Some(rt), port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/events", self.port)
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

fn forward_failures(transport: &str) {
    let backend = Backend::start();
    let s = serve(&["--forward", &backend.url(), "--forward-timeout", "1s"]);
    run_script(
        &s,
        "forward.js",
        &["--mode", "up", "--transport", transport],
    );
    // Down: nothing listens at the forward URL (a port just bound and released).
    let closed = free_port();
    let url = format!("http://127.0.0.1:{closed}/events");
    let s = serve(&["--forward", &url]);
    run_script(
        &s,
        "forward.js",
        &["--mode", "down", "--transport", transport],
    );
}

#[test]
fn forward_failures_reach_the_client_over_websocket() {
    forward_failures("websocket");
}

#[test]
fn forward_failures_reach_the_client_over_polling() {
    forward_failures("polling");
}

#[test]
fn jwt_tokens() {
    let s = serve_on(0, "token-catalog.yaml", &["--jwt-secret", "s3cret"]);
    run_script(
        &s,
        "token.js",
        &["--secret", "s3cret", "--transport", "websocket"],
    );
}

/// The client reconnects to a restarted server and re-subscribes; publishing then reaches it.
/// Also: SIGTERM stops the server cleanly (exit 0) while clients are connected.
fn reconnect(transport: &str) {
    let mut first = serve(&[]);
    let port = first.port;
    let url = first.url();
    let mut n = node(
        "reconnect.js",
        &["--url", &url, "--token", "tok", "--transport", transport],
    );
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = n.0.stdout.take().unwrap();
    let stderr = n.0.stderr.take().unwrap();
    let node_err = Arc::new(Mutex::new(String::new()));
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    {
        let node_err = node_err.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                node_err.lock().unwrap().push_str(&(line + "\n"));
            }
        });
    }
    let wait_for = |want: &str, rx: &mpsc::Receiver<String>, log: &dyn Fn() -> String| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l == want => return,
                Ok(_) => continue,
                Err(_) => panic!(
                    "no `{want}` from reconnect.js\n{}\n--- server log ---\n{}",
                    node_err.lock().unwrap(),
                    log()
                ),
            }
        }
    };
    wait_for("SUBSCRIBED 1", &rx, &|| first.log());
    assert_eq!(
        first.terminate(Duration::from_secs(10)),
        Some(true),
        "SIGTERM must stop the server cleanly:\n{}",
        first.log()
    );
    assert!(first.log().contains("stopped"), "{}", first.log());
    let second = serve_on(port, "catalog.yaml", &[]);
    wait_for("SUBSCRIBED 2", &rx, &|| second.log());
    wait_for("DELIVERED", &rx, &|| second.log());
}

#[test]
fn reconnects_and_resubscribes_after_restart_websocket() {
    reconnect("websocket");
}

#[test]
fn reconnects_and_resubscribes_after_restart_polling() {
    reconnect("polling");
}

#[test]
fn unusable_inputs_are_clear_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .args(["serve", "--catalog", "tests/fixtures/serve/catalog.yaml"])
        .args(["--sessions", "/nonexistent/sessions.json", "--port", "0"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read sessions file"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("sessions.json");
    std::fs::write(&bad, r#"{"s": {"user": "x"}}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .args([
            "serve",
            "--catalog",
            "tests/fixtures/serve/catalog.yaml",
            "--port",
            "0",
        ])
        .arg("--sessions")
        .arg(&bad)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("userId"));

    for (bad, says) in [
        ("0", "more than zero"),
        ("-1s", "more than zero"),
        ("soon", "not a duration"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_evdoc"))
            .args(["serve", "--catalog", "tests/fixtures/serve/catalog.yaml"])
            .args(["--port", "0", "--forward", "http://127.0.0.1:9/events"])
            .arg(format!("--forward-timeout={bad}"))
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--forward-timeout {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "--forward-timeout {bad}: {err}");
    }
}

#[test]
fn serve_help_text() {
    let out = Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .args(["serve", "--help"])
        .env_remove("HOST")
        .env_remove("PORT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Examples:"));
    insta::assert_snapshot!("help_serve", text);
}

/// The catalog of [`access_tells_one_story`]: one room per `access:` word (and one without), one
/// event joining each, and one event per `auth:` word (and one without), in an authenticated
/// API whose `/` namespace lets anonymous connections in.
const ACCESS_WORDS: [(&str, Option<&str>); 7] = [
    ("plain:{id}", None),
    ("open:{id}", Some("none")),
    ("pub:{id}", Some("public")),
    ("mine:{userId}", Some("self")),
    ("members:{id}", Some("authenticated")),
    ("req:{id}", Some("required")),
    ("ops:{id}", Some("\"role:admin\"")),
];
const AUTH_WORDS: [(&str, Option<&str>); 6] = [
    ("send:plain", None),
    ("send:none", Some("none")),
    ("send:public", Some("public")),
    ("send:required", Some("required")),
    ("send:authenticated", Some("authenticated")),
    ("send:admin", Some("\"role:admin\"")),
];

fn join_event(template: &str) -> String {
    format!("join:{}", template.split(':').next().unwrap())
}

fn access_catalog() -> String {
    let payload =
        "payload: {type: object, properties: {id: {type: string}, userId: {type: string}}}";
    let mut y = String::from(
        "evdoc: 1\ninfo: {title: Access, version: '1'}\nauth: {scheme: session}\n\
         namespaces:\n  /: {auth: none}\nerrors:\n  SubscriptionError: {}\n  AuthenticationError: {}\nrooms:\n",
    );
    for (t, access) in ACCESS_WORDS {
        let access = access.map(|a| format!("access: {a}")).unwrap_or_default();
        y.push_str(&format!("  \"{t}\": {{{access}}}\n"));
    }
    y.push_str("events:\n");
    for (t, _) in ACCESS_WORDS {
        let e = join_event(t);
        y.push_str(&format!(
            "  {e}:\n    direction: c2s\n    {payload}\n    joins: \"{t}\"\n"
        ));
    }
    for (e, auth) in AUTH_WORDS {
        let auth = auth.map(|a| format!("\n    auth: {a}")).unwrap_or_default();
        y.push_str(&format!(
            "  {e}:\n    direction: c2s\n    {payload}{auth}\n"
        ));
    }
    y
}

/// Whom a documented word lets in: anonymous, user u-1 (role user), admin-1 (roles user, admin).
fn admitted(word: &str, refusal: &'static str) -> [&'static str; 3] {
    match word {
        "none" => ["ok", "ok", "ok"],
        "self" => [refusal, "ok", refusal],
        "required" | "authenticated" => [refusal, "ok", "ok"],
        "role:admin" => [refusal, refusal, "ok"],
        other => panic!("the docs print `{other}`, which is not a canonical rule word"),
    }
}

/// One story about who may do what: for every `access:` and `auth:` word, and for rules left
/// unwritten, what `lint` says, what the rendered docs say, and whom `evdoc serve` lets in agree;
/// and an authenticated API's rooms are not public by default.
#[test]
fn access_tells_one_story() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.yaml");
    std::fs::write(&catalog, access_catalog()).unwrap();
    let catalog = catalog.to_string_lossy().into_owned();
    let evdoc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_evdoc"))
            .args(args)
            .output()
    };
    let lint = evdoc(&["lint", "--catalog", &catalog]).unwrap();
    assert!(lint.status.success(), "lint accepts every word: {lint:?}");
    let docs = dir.path().join("docs").to_string_lossy().into_owned();
    let render = evdoc(&["render", "--quiet", "--catalog", &catalog, "--out", &docs]).unwrap();
    assert!(render.status.success(), "{render:?}");
    let read =
        |page: &str| std::fs::read_to_string(std::path::Path::new(&docs).join(page)).unwrap();
    let (rooms_page, events_page) = (
        read("connection-lifecycle.md"),
        read("websocket-event-catalog.md"),
    );
    let room_word = |t: &str| -> String {
        let at = rooms_page
            .find(&format!("### `{t}`"))
            .expect("the room is documented");
        let line = rooms_page[at..]
            .lines()
            .find(|l| l.starts_with("- Access:"))
            .unwrap();
        line.split('`').nth(1).unwrap().to_owned()
    };
    let auth_word = |e: &str| -> String {
        let row = events_page
            .lines()
            .find(|l| l.starts_with(&format!("| [`{e}`]")))
            .unwrap();
        row.split('|')
            .nth(4)
            .unwrap()
            .trim()
            .trim_matches('`')
            .to_owned()
    };

    let sessions = common::fixture("sessions.json");
    let server = Serve::spawn(&[
        "--catalog",
        &catalog,
        "--sessions",
        &sessions,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]);
    let mut events: Vec<String> = ACCESS_WORDS.iter().map(|(t, _)| join_event(t)).collect();
    events.extend(AUTH_WORDS.iter().map(|(e, _)| e.to_string()));
    // Every step of access.js has a timeout (connect 6 s, ack 3 s), so it cannot hang.
    let out = Command::new("node")
        .args([
            "access.js",
            "--url",
            &server.url(),
            "--events",
            &events.join(","),
        ])
        .current_dir(interop_dir())
        .output()
        .expect("node is needed for the interop tests");
    assert!(out.status.success(), "{out:?}\n{}", server.log());
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seen = |e: &str| {
        [&got[e]["anonymous"], &got[e]["user"], &got[e]["admin"]]
            .map(|v| v.as_str().unwrap().to_owned())
    };

    for (t, written) in ACCESS_WORDS {
        let word = room_word(t);
        let expected = admitted(&word, "SubscriptionError");
        assert_eq!(
            seen(&join_event(t)),
            expected,
            "room `{t}` (access {written:?}) is documented `{word}`"
        );
    }
    for (e, written) in AUTH_WORDS {
        let word = auth_word(e);
        let expected = admitted(&word, "AuthenticationError");
        assert_eq!(
            seen(e),
            expected,
            "`{e}` (auth {written:?}) is documented `{word}`"
        );
    }
    assert_eq!(
        room_word("plain:{id}"),
        "authenticated",
        "not public by default"
    );
    assert_eq!(room_word("pub:{id}"), "none");
    assert_eq!(room_word("req:{id}"), "authenticated");
    assert_eq!(auth_word("send:plain"), "none", "the namespace's rule");
    assert_eq!(auth_word("send:authenticated"), "required");
}
