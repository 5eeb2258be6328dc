//! `evdoc serve` with Redis: two nodes clustered through socketioxide's Redis adapter
//! (`--redis`), a Redis outage under them, sessions made by a real express-session +
//! connect-redis app (`--sessions redis://`, `--session-secret`), and clear start-up errors.
//! Every test starts its own `redis-server` (127.0.0.1, a free port, no persistence) and its own
//! servers, and kills them on drop, also when an assertion fails. The clients are the official
//! `socket.io-client` (scripts in tests/interop/). Feature `interop-tests`:
//! `cargo test --features interop-tests --test serve_redis` (scripts/test runs it).
#![cfg(feature = "serve")]

mod common;

use common::{fixture, free_port, npm_ready, root, Serve};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `redis-server` on 127.0.0.1 without persistence, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        Self::start_on(free_port())
    }

    fn start_on(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is needed (apt-get install redis-server; scripts/test does)");
        let redis = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !redis.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    /// PING in the inline protocol.
    fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The channels subscribed to now (`PUBSUB CHANNELS`), through redis-cli.
    fn channels(&self) -> Vec<String> {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["PUBSUB", "CHANNELS", "*"])
            .output()
            .expect("redis-cli comes with redis-server");
        let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `evdoc serve` on the interop catalog, a free port and publish token `tok`, with `args`.
fn serve(args: &[&str]) -> Serve {
    let catalog = fixture("catalog.yaml");
    let mut all = vec!["--catalog", &catalog, "--host", "127.0.0.1"];
    all.extend(["--port", "0", "--publish-token", "tok"]);
    all.extend_from_slice(args);
    Serve::spawn(&all)
}

/// A node script, killed on drop; stdout lines arrive on `lines`.
struct Script {
    child: Child,
    lines: mpsc::Receiver<String>,
    out: Arc<Mutex<String>>,
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script(name: &str, args: &[&str]) -> Script {
    npm_ready();
    let mut child = Command::new("node")
        .arg(name)
        .args(args)
        .current_dir(root().join("tests/interop"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is needed for the interop tests");
    let out = Arc::new(Mutex::new(String::new()));
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    {
        let out = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                out.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
    }
    {
        let out = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                out.lock().unwrap().push_str(&format!("stderr: {line}\n"));
            }
        });
    }
    Script { child, lines, out }
}

impl Script {
    /// Wait for the script to exit (at most 120 s) and fail with everything unless it passed.
    /// `on_line` may answer the script's requests (stopping or starting Redis).
    fn finish(mut self, servers: &[&Serve], mut on_line: impl FnMut(&str, &mut Child)) {
        let start = Instant::now();
        let status = loop {
            while let Ok(line) = self.lines.try_recv() {
                on_line(&line, &mut self.child);
            }
            if let Some(st) = self.child.try_wait().unwrap() {
                break Some(st);
            }
            if start.elapsed() > Duration::from_secs(120) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader threads drain the pipes.
        std::thread::sleep(Duration::from_millis(100));
        let out = self.out.lock().unwrap().clone();
        println!("{out}");
        let logs: Vec<String> = servers
            .iter()
            .map(|s| format!("--- {} ---\n{}", s.url(), s.log()))
            .collect();
        assert!(
            status.is_some_and(|s| s.success()) && out.contains(" passed, 0 failed"),
            "script failed (status {status:?}):\n{out}\n{}",
            logs.join("\n")
        );
    }
}

fn cluster_node(redis: &Redis) -> Serve {
    serve(&[
        "--sessions",
        &fixture("sessions.json"),
        "--redis",
        &redis.url(),
    ])
}

fn cluster(transport: &str) {
    let redis = Redis::start();
    let a = cluster_node(&redis);
    let b = cluster_node(&redis);
    let (ua, ub) = (a.url(), b.url());
    let s = script(
        "cluster.js",
        &["--url", &ua, "--url-b", &ub, "--transport", transport],
    );
    s.finish(&[&a, &b], |_, _| {});
    assert!(a.log().contains("cluster node"), "{}", a.log());
    // Every namespace of each node listens on evdoc's own channels, never on the `socket.io`
    // ones of Node's @socket.io/redis-adapter (a staging Redis is often shared with the app).
    let channels = redis.channels();
    for ns in ["/", "/admin", "/public"] {
        assert!(
            channels.contains(&format!("evdoc-request#{ns}#")),
            "{channels:?}"
        );
    }
    assert_eq!(
        channels
            .iter()
            .filter(|c| c.starts_with("evdoc-response#/#"))
            .count(),
        2,
        "one response channel per node: {channels:?}"
    );
    assert!(
        channels.iter().all(|c| c.starts_with("evdoc-")),
        "{channels:?}"
    );
}

#[test]
fn two_nodes_share_rooms_and_publishes_websocket() {
    cluster("websocket");
}

#[test]
fn two_nodes_share_rooms_and_publishes_polling() {
    cluster("polling");
}

/// Redis stops under two nodes and comes back on the same port: the nodes serve their own
/// clients meanwhile, log the outage, and carry broadcasts between them again afterwards.
#[test]
fn nodes_survive_a_redis_outage_and_rejoin() {
    let redis = Redis::start();
    let port = redis.port;
    let a = cluster_node(&redis);
    let b = cluster_node(&redis);
    let (ua, ub) = (a.url(), b.url());
    let s = script(
        "outage.js",
        &["--url", &ua, "--url-b", &ub, "--transport", "websocket"],
    );
    let mut redis = Some(redis);
    s.finish(&[&a, &b], |line, child| {
        match line {
            "STOP_REDIS" => redis = None,
            "START_REDIS" => redis = Some(Redis::start_on(port)),
            _ => return,
        }
        let _ = writeln!(child.stdin.as_mut().unwrap(), "done");
    });
    for node in [&a, &b] {
        let log = node.log();
        assert!(log.contains("Redis is unreachable"), "{log}");
        assert!(log.contains("Redis is reachable again"), "{log}");
        assert!(!log.contains("panicked"), "{log}");
    }
}

/// Sessions from a real express-session + connect-redis app, with signed cookies: accepted when
/// genuine (under either of two rotated secrets), refused when unsigned, forged, unknown,
/// destroyed or expired; refused while the store is away, accepted again once it is back.
fn redis_sessions(transport: &str) {
    let redis = Redis::start();
    let (url, port) = (redis.url(), redis.port);
    let evdoc = serve(&[
        "--sessions",
        &url,
        "--session-prefix",
        "app-sess:",
        // Rotation: the newest secret first, the one the app signs with second.
        "--session-secret",
        "rotated-newer-secret",
        "--session-secret",
        "keyboard cat",
    ]);
    let base = evdoc.url();
    let s = script(
        "sessions.js",
        &[
            "--url",
            &base,
            "--redis-url",
            &url,
            "--secret",
            "keyboard cat",
            "--prefix",
            "app-sess:",
            "--transport",
            transport,
        ],
    );
    let mut redis = Some(redis);
    s.finish(&[&evdoc], |line, child| {
        match line {
            "STOP_REDIS" => redis = None,
            "START_REDIS" => redis = Some(Redis::start_on(port)),
            _ => return,
        }
        let _ = writeln!(child.stdin.as_mut().unwrap(), "done");
    });
    assert!(
        evdoc.log().contains("session store unreachable"),
        "{}",
        evdoc.log()
    );
    assert!(
        !evdoc.log().contains("without checking their signature"),
        "{}",
        evdoc.log()
    );
}

#[test]
fn express_session_cookies_from_redis_websocket() {
    redis_sessions("websocket");
}

#[test]
fn express_session_cookies_from_redis_polling() {
    redis_sessions("polling");
}

/// The body of `GET path` (HTTP/1.0, so the server closes the connection after it).
fn http_get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or(out)
}

/// Without `--redis` nothing changes (local adapter, plain `ok`), and a session cookie taken
/// without `--session-secret` is warned about, once.
#[test]
fn one_node_without_redis_and_without_secret() {
    let s = serve(&["--sessions", &fixture("sessions.json")]);
    assert_eq!(http_get(s.port, "/healthz"), "ok\n");
    let metrics = http_get(s.port, "/metrics");
    assert!(
        metrics.contains("evdoc_adapter_info{adapter=\"local\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("evdoc_redis_up 0\n"), "{metrics}");
    let log = s.log();
    assert_eq!(
        log.matches("without checking their signature").count(),
        1,
        "{log}"
    );
}

fn evdoc_fails(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .args([
            "serve",
            "--catalog",
            &fixture("catalog.yaml"),
            "--port",
            "0",
        ])
        .args(args)
        .env_remove("EVDOC_REDIS_URL")
        .env_remove("EVDOC_SESSION_SECRET")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn unusable_redis_settings_are_clear_errors() {
    // Nothing listens on this port.
    let nobody = format!("redis://127.0.0.1:{}", free_port());
    let t = Instant::now();
    let err = evdoc_fails(&["--redis", &nobody]);
    assert!(err.contains("cannot reach Redis at"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    let err = evdoc_fails(&["--redis", "redis://127.0.0.1:1/?protocol=RESP3"]);
    assert!(err.contains("lower case"), "{err}");
    let err = evdoc_fails(&["--redis", "redis://127.0.0.1:1/?protocol=resp2"]);
    assert!(err.contains("needs RESP3"), "{err}");
    let err = evdoc_fails(&["--redis", "http://127.0.0.1:1"]);
    assert!(err.contains("is not a Redis URL"), "{err}");
    let err = evdoc_fails(&["--sessions", &nobody]);
    assert!(err.contains("cannot reach the session store"), "{err}");
    let err = evdoc_fails(&["--session-secret", ""]);
    assert!(err.contains("must not be empty"), "{err}");
}

#[test]
fn the_redis_url_can_come_from_the_environment() {
    let redis = Redis::start();
    npm_ready();
    let mut child = Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .args([
            "serve",
            "--catalog",
            &fixture("catalog.yaml"),
            "--port",
            "0",
        ])
        .env("EVDOC_REDIS_URL", redis.url())
        .env("EVDOC_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut found = false;
    // Up to the `listening` line (or the end of the output): the node says what it is first.
    for l in BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        found |= l.contains("cluster node");
        if l.contains("listening") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "EVDOC_REDIS_URL did not make a cluster node");
}
