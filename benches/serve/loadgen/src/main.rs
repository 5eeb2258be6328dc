//! evdoc-loadgen: the fan-out scenario of node-baseline's loadgen.js (`--mode fanout
//! --client raw`), rewritten in Rust.
//!
//! Why: in the fan-out scenarios of benches/serve/run.sh (2000 subscribers × 50 publishes/s of
//! `signal:new` to room `signals` = 100k deliveries/s) the Node load generator uses 96–98 % of
//! its core even with its raw protocol client, so it, not the server under test, sets the
//! delivered rate and the latencies. This one does the same work on a current-thread tokio
//! runtime (the load generator is pinned to one CPU) with a half to a third of loadgen.js's
//! user-space CPU per delivery. What is left is mostly kernel time that any client on loopback
//! pays: one recv per delivery, the immediate TCP ACK that recv sends (a receiver that sends
//! nothing is not in delayed-ACK "pingpong" mode), and the loopback processing of that ACK on
//! the server's socket, which runs in the receiver's context. At 100k deliveries/s that is
//! about 50 % of a core; the load generator as a whole ran at ~75–85 % with zero loss.
//!
//! Note for reading its figures next to loadgen.js's: the server's CPU per delivery came out
//! higher under this load generator than under a saturated loadgen.js (evdoc at 100k
//! deliveries/s: ~9–10 µs against 7.1 µs). The likely reason: a receiver that keeps up reads,
//! and so ACKs, every frame on its own, which means one ACK to process and one wake-up per
//! delivery on the server's side; a saturated receiver reads several frames per recv. The
//! former is what independent clients do.
//!
//! What it does, as loadgen.js does it: open C WebSocket connections at ≤ --ramp-rate/s with
//! ≤ --max-pending handshakes in flight, each a raw Engine.IO 4 / Socket.IO 5 client (see
//! sio.rs) authenticating with `{"sessionId": "sess-<offset+i>"}`; settle; emit
//! `subscribe:signals {}` on every connected socket and wait (≤ 15 s) for as many
//! `signals:subscribed`; then POST `{event: "signal:new", room: "signals", payload}` to
//! --publish-path at K/s for T s (see publish.rs). Each publish `sig-<seq>` is stamped with the
//! monotonic time it was sent; a delivery's latency is its arrival time minus that stamp (one
//! clock, inside this process). Then it waits ≤ --drain s for the outstanding deliveries and
//! reports deliveries, loss (expected = accepted publishes × subscribers), latency percentiles
//! and the server's, its own and the rest of the machine's CPU over the window (procfs.rs).
//!
//! Output: one JSON line on stdout with loadgen.js's fan-out fields, in its order, so that
//! node-baseline's report.js and benches/serve/ratios.js read it unchanged (`client` says
//! which load generator it was); progress on stderr. Exit code 0, 1 (no connections or an
//! error), 2 (hard deadline). Loopback targets only; every phase is bounded in time and the
//! whole run by a hard deadline.
//!
//! Build: `cargo build --release --locked --manifest-path benches/serve/loadgen/Cargo.toml
//! --target-dir target/loadgen`; run.sh runs it as its `fanout_rs` scenario.

mod procfs;
mod publish;
mod sio;
mod state;
mod stats;

use crate::procfs::{read_status, CpuWindow};
use crate::publish::{signal_body, Publisher};
use crate::state::{Phase, Shared};
use crate::stats::{iso_now, num, rnum, Samples};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{spawn_local, LocalSet};
use tokio::time::sleep;

const USAGE: &str = "usage: evdoc-loadgen [--mode fanout] [options]   (loadgen.js --mode fanout --client raw, in Rust)
  --host 127.0.0.1 --port 3900 --path /socket.io/
  --clients C (100) --publish-rate K publishes/s (50) --duration T s (10)
  --ramp-rate conns/s (1000) --max-pending in-flight handshakes (500)
  --connect-timeout ms (20000) --settle s (2) --drain s (5)
  --session-prefix sess- --session-offset first session index (1)
  --server-pid PID (for VmRSS / CPU sampling from /proc) --label text
  --publish-path /publish  --publish-token TOKEN (sent as Authorization: Bearer)
";

/// The command line, with loadgen.js's names, defaults and caps.
pub struct Config {
    host: String,
    port: u16,
    clients: usize,
    duration: f64,
    publish_rate: f64,
    ramp_rate: f64,
    max_pending: usize,
    pub connect_timeout_ms: f64,
    settle_s: f64,
    drain_s: f64,
    pub session_prefix: String,
    pub session_offset: u64,
    server_pid: Option<u32>,
    label: String,
    publish_path: String,
    publish_token: Option<String>,
    /// the resolved loopback address the WebSocket connections go to
    pub addr: SocketAddr,
    /// `ws://<addr><path>?EIO=4&transport=websocket`
    pub ws_url: String,
}

/// loadgen.js's `parseArgs`: `--key value`, `--key=value`, or a bare `--key` meaning "true".
fn parse_kv(argv: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        let Some(k) = a.strip_prefix("--") else {
            return Err(format!("unexpected argument {a}"));
        };
        if let Some((k, v)) = k.split_once('=').filter(|(k, _)| !k.is_empty()) {
            out.push((k.to_owned(), v.to_owned()));
        } else if i + 1 < argv.len() && !argv[i + 1].starts_with("--") {
            out.push((k.to_owned(), argv[i + 1].clone()));
            i += 1;
        } else {
            out.push((k.to_owned(), "true".to_owned()));
        }
        i += 1;
    }
    Ok(out)
}

/// The loopback pattern of loadgen.js and run.sh.
fn is_loopback_name(h: &str) -> bool {
    if matches!(h, "localhost" | "::1" | "[::1]") {
        return true;
    }
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts[1..]
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
}

fn parse_config(argv: &[String]) -> Result<Option<Config>, String> {
    let kv = parse_kv(argv)?;
    let mut get = std::collections::HashMap::new();
    for (k, v) in kv {
        const KNOWN: [&str; 19] = [
            "help",
            "mode",
            "host",
            "port",
            "path",
            "clients",
            "publish-rate",
            "duration",
            "ramp-rate",
            "max-pending",
            "connect-timeout",
            "settle",
            "drain",
            "session-prefix",
            "session-offset",
            "server-pid",
            "label",
            "publish-path",
            "publish-token",
        ];
        if !KNOWN.contains(&k.as_str()) {
            return Err(format!(
                "unknown option --{k} (only fan-out mode is implemented)"
            ));
        }
        get.insert(k, v);
    }
    if get.contains_key("help") {
        return Ok(None);
    }
    if let Some(m) = get.get("mode").filter(|m| *m != "fanout") {
        return Err(format!("--mode {m}: only fanout is implemented"));
    }
    let f = |k: &str, d: f64| -> Result<f64, String> {
        get.get(k).map_or(Ok(d), |v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("--{k} {v}: not a number"))
        })
    };
    let int = |k: &str, d: f64| -> Result<f64, String> {
        let x = f(k, d)?;
        if x.fract() != 0.0 || x < 0.0 {
            return Err(format!("--{k} must be a non-negative integer"));
        }
        Ok(x)
    };
    let s = |k: &str, d: &str| get.get(k).cloned().unwrap_or_else(|| d.to_owned());
    let clients = int("clients", 100.0)?;
    let duration = f("duration", 10.0)?;
    let publish_rate = f("publish-rate", 50.0)?;
    let ramp_rate = f("ramp-rate", 1000.0)?;
    // Hard caps so that a typo cannot produce an unbounded run (loadgen.js's CAPS).
    for (k, x, max) in [
        ("clients", clients, 20000.0),
        ("duration", duration, 300.0),
        ("publish-rate", publish_rate, 5000.0),
        ("ramp-rate", ramp_rate, 20000.0),
    ] {
        if !(x > 0.0 && x <= max) {
            return Err(format!("--{k} must be in (0, {max}]"));
        }
    }
    let host = s("host", "127.0.0.1");
    if !is_loopback_name(&host) {
        return Err(format!("refusing non-loopback target {host}"));
    }
    let port = int("port", 3900.0)?;
    if !(1.0..=65535.0).contains(&port) {
        return Err("--port must be in [1, 65535]".into());
    }
    let port = port as u16;
    // Resolve once; every resolved address must be loopback as well.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback()) {
        return Err(format!("refusing {host}: resolves to {addrs:?}"));
    }
    let addr = addrs[0];
    let path = s("path", "/socket.io/");
    let server_pid = match get.get("server-pid") {
        Some(_) => Some(int("server-pid", 0.0)? as u32),
        None => None,
    };
    Ok(Some(Config {
        ws_url: format!("ws://{addr}{path}?EIO=4&transport=websocket"),
        host,
        port,
        clients: clients as usize,
        duration,
        publish_rate,
        ramp_rate,
        max_pending: (int("max-pending", 500.0)? as usize).max(1),
        connect_timeout_ms: f("connect-timeout", 20000.0)?,
        settle_s: f("settle", 2.0)?.max(0.0),
        drain_s: f("drain", 5.0)?.max(0.0),
        session_prefix: s("session-prefix", "sess-"),
        session_offset: int("session-offset", 1.0)? as u64,
        server_pid,
        label: s("label", ""),
        publish_path: s("publish-path", "/publish"),
        publish_token: get.get("publish-token").cloned(),
        addr,
    }))
}

fn log(msg: &str) {
    eprintln!("[evdoc-loadgen fanout] {msg}");
}

/// The result object, filled in as the run goes (a hard deadline prints what is there).
struct Res(RefCell<Map<String, Value>>);

impl Res {
    fn set(&self, k: &str, v: impl Into<Value>) {
        self.0.borrow_mut().insert(k.to_owned(), v.into());
    }
    fn extend(&self, m: Map<String, Value>) {
        self.0.borrow_mut().extend(m);
    }
    fn f64(&self, k: &str) -> Option<f64> {
        self.0.borrow().get(k).and_then(Value::as_f64)
    }
}

/// loadgen.js `baseResult()` plus the fan-out parameters.
fn base_result(cfg: &Config) -> Res {
    let r = Res(RefCell::new(Map::new()));
    r.set("mode", "fanout");
    r.set("label", cfg.label.as_str());
    r.set("target", format!("{}:{}", cfg.host, cfg.port));
    r.set("client", "rust(tokio-tungstenite@0.30)");
    r.set("node", Value::Null);
    r.set(
        "loadgen",
        concat!("evdoc-loadgen@", env!("CARGO_PKG_VERSION")),
    );
    r.set("clients_requested", cfg.clients);
    r.set("started_at", iso_now());
    r
}

async fn wait_until(sh: &Shared, ms: f64, pred: impl Fn() -> bool) -> bool {
    let end = sh.now() + ms;
    while !pred() && sh.now() < end {
        sleep(Duration::from_millis(20)).await;
    }
    pred()
}

/// loadgen.js `connectAll` + `connectPhase`: open the clients at a bounded rate, then settle.
async fn connect_phase(
    cfg: &'static Config,
    sh: &Rc<Shared>,
    res: &Res,
    ctl: &watch::Sender<Phase>,
) -> Result<usize, String> {
    let before = match cfg.server_pid {
        Some(p) => Some(read_status(Some(p)).ok_or(format!("cannot read /proc/{p}/status"))?),
        None => None,
    };
    if let Some(b) = &before {
        res.set("server_cpus", b.cpus.clone());
        res.set("server_threads", b.threads);
    }
    res.set("loadgen_cpus", read_status(None).and_then(|s| s.cpus));
    log(&format!(
        "connecting {} clients to {} at <={}/s",
        cfg.clients, cfg.addr, cfg.ramp_rate
    ));
    let conn_cpu = CpuWindow::start(cfg.server_pid);

    let c = cfg.clients;
    let t0 = sh.now();
    sh.connect_t0.set(t0);
    let deadline = t0 + (c as f64 / cfg.ramp_rate) * 1000.0 + cfg.connect_timeout_ms + 5000.0;
    let mut created = 0;
    while !sh.connect_done() {
        sleep(Duration::from_millis(5)).await;
        if sh.connect_done() {
            break;
        }
        let t = sh.now();
        if t > deadline {
            sh.complete_connect();
            break;
        }
        let allowed = c.min((((t - t0) / 1000.0) * cfg.ramp_rate).floor() as usize + 1);
        while created < allowed && sh.pending.get() < cfg.max_pending {
            sh.pending.set(sh.pending.get() + 1);
            spawn_local(sio::run(created, sh.clone(), cfg, ctl.subscribe()));
            created += 1;
        }
    }
    let o = sh.connect_outcome.get().expect("connect phase completed");
    let timed_out = c.saturating_sub(o.connected + o.failed);
    if timed_out > 0 {
        sh.bump_by("connect_timeout", timed_out as u64);
    }
    let failed = o.failed + timed_out;
    let connect_time_s = stats::round((o.at_ms - t0) / 1000.0, 2).unwrap_or(0.0);
    let connect_latency = sh.conn_lat.borrow().stats();

    let cc = conn_cpu.end();
    res.set("connect_server_cpu_pct", cc["server_cpu_pct"].clone());
    res.set("connect_loadgen_cpu_pct", cc["loadgen_cpu_pct"].clone());
    log(&format!(
        "connected {}/{} in {}s (failed {})",
        o.connected, c, connect_time_s, failed
    ));
    sleep(Duration::from_secs_f64(cfg.settle_s)).await;
    let after = cfg.server_pid.and_then(|p| read_status(Some(p)));
    res.set("clients_connected", o.connected);
    res.set("connect_failed", failed);
    res.set("connect_time_s", num(connect_time_s));
    res.set(
        "connect_rate_per_s",
        rnum(o.connected as f64 / connect_time_s.max(1e-3), 1),
    );
    res.set("connect_latency_ms", connect_latency);
    res.set("server_rss_before_kb", before.as_ref().map(|b| b.rss_kb));
    res.set(
        "server_rss_after_connect_kb",
        after.as_ref().map(|a| a.rss_kb),
    );
    res.set(
        "rss_per_conn_kb",
        match (&before, &after) {
            (Some(b), Some(a)) if o.connected > 0 => {
                rnum((a.rss_kb as f64 - b.rss_kb as f64) / o.connected as f64, 2)
            }
            _ => Value::Null,
        },
    );
    Ok(o.connected)
}

/// Publish-side counters (loadgen.js `runFanout`'s locals).
#[derive(Default)]
struct PubStats {
    ok: Cell<u64>,
    failed: Cell<u64>,
    inflight: Cell<u64>,
    recipients: Cell<f64>,
}

/// loadgen.js `runFanout`. Returns the exit code.
async fn run_fanout(
    cfg: &'static Config,
    sh: &Rc<Shared>,
    res: &Res,
    ctl: &watch::Sender<Phase>,
) -> Result<i32, String> {
    res.set("publish_rate_per_s", num(cfg.publish_rate));
    res.set("duration_s", num(cfg.duration));
    let n = connect_phase(cfg, sh, res, ctl).await?;
    if n == 0 {
        res.set("aborted", "no_connections");
        return Ok(1);
    }
    log(&format!("subscribing {n} clients to signals"));
    let _ = ctl.send(Phase::Subscribe);
    wait_until(sh, 15000.0, || sh.subscribed.get() >= n).await;
    res.set("subscribed", sh.subscribed.get());

    let authority = cfg.addr.to_string();
    let publisher = Rc::new(Publisher::new(
        &authority,
        &cfg.publish_path,
        cfg.publish_token.as_deref(),
    )?);
    let ps = Rc::new(PubStats::default());
    let pub_lat = Rc::new(RefCell::new(Samples::new(sh.max_publishes + 10)));
    log(&format!(
        "publishing signal:new at {}/s for {}s to {} subscribers",
        cfg.publish_rate,
        cfg.duration,
        sh.subscribed.get()
    ));
    let cpu = CpuWindow::start(cfg.server_pid);
    let t_start = sh.now();

    // Open-loop scheduler (loadgen.js `schedule`): every 2 ms, send what is due by now.
    let max_count = sh.max_publishes;
    let mut k = 0usize;
    let elapsed_s = loop {
        sleep(Duration::from_millis(2)).await;
        let el = (sh.now() - t_start) / 1000.0;
        if el >= cfg.duration || k >= max_count {
            break el;
        }
        let due = max_count.min((el * cfg.publish_rate).floor() as usize);
        while k < due {
            let seq = k;
            k += 1;
            let t = sh.now();
            sh.pub_times.borrow_mut()[seq] = t;
            ps.inflight.set(ps.inflight.get() + 1);
            let body = signal_body(seq);
            let (sh, ps, pub_lat, publisher) =
                (sh.clone(), ps.clone(), pub_lat.clone(), publisher.clone());
            spawn_local(async move {
                let r = publisher.post(body).await;
                ps.inflight.set(ps.inflight.get() - 1);
                if (200..300).contains(&r.status) {
                    ps.ok.set(ps.ok.get() + 1);
                    pub_lat.borrow_mut().push(sh.now() - t);
                    if let Some(n) = r.recipients {
                        ps.recipients.set(ps.recipients.get() + n);
                    }
                } else {
                    ps.failed.set(ps.failed.get() + 1);
                    let err = r.error.map(|e| format!(":{e}")).unwrap_or_default();
                    sh.bump(&format!("publish_http_{}{err}", r.status));
                }
            });
        }
    };
    let sent = k as u64;
    wait_until(sh, cfg.drain_s * 1000.0, || {
        ps.inflight.get() == 0 && sh.delivered.get() >= ps.ok.get() * sh.subscribed.get() as u64
    })
    .await;
    let send_cpu = cpu.end(); // publish window + drain of outstanding deliveries

    // every publish that did not fail is expected to reach every subscriber (in-flight ones included)
    let expected = (sent - ps.failed.get()) * sh.subscribed.get() as u64;
    let delivered = sh.delivered.get();
    let window = (sh.last_delivery.get().unwrap_or_else(|| sh.now()) - t_start) / 1000.0;
    let end_status = cfg.server_pid.and_then(|p| read_status(Some(p)));
    res.set("published", sent);
    res.set("publish_ok", ps.ok.get());
    res.set("publish_failed", ps.failed.get());
    res.set("publish_inflight_at_end", ps.inflight.get());
    res.set(
        "publish_rate_achieved_per_s",
        rnum(sent as f64 / elapsed_s, 1),
    );
    res.set("server_reported_recipients", num(ps.recipients.get()));
    res.set("expected_deliveries", expected);
    res.set("delivered", delivered);
    res.set("lost", expected as i64 - delivered as i64);
    res.set("unknown_signals", sh.unknown_signals.get());
    res.set("delivered_per_s", rnum(delivered as f64 / window, 1));
    res.set("delivery_window_s", rnum(window, 2));
    res.extend(send_cpu);
    res.set("delivery_latency_ms", sh.lat.borrow().stats());
    res.set("publish_http_latency_ms", pub_lat.borrow().stats());
    res.set("server_rss_end_kb", end_status.as_ref().map(|s| s.rss_kb));
    res.set("server_rss_peak_kb", end_status.as_ref().map(|s| s.hwm_kb));
    per_msg_cost(res, delivered);
    Ok(0)
}

/// loadgen.js `perMsgCost`: CPU µs per delivery from the (rounded) window figures.
fn per_msg_cost(res: &Res, msgs: u64) {
    let Some(w) = res.f64("window_s").filter(|w| *w != 0.0) else {
        return;
    };
    if msgs == 0 {
        return;
    }
    let per_sec = msgs as f64 / w;
    if let Some(p) = res.f64("server_cpu_pct") {
        res.set(
            "server_cpu_us_per_msg",
            rnum((p / 100.0) * 1e6 / per_sec, 2),
        );
    }
    if let Some(p) = res.f64("loadgen_cpu_pct") {
        res.set(
            "loadgen_cpu_us_per_msg",
            rnum((p / 100.0) * 1e6 / per_sec, 2),
        );
    }
}

/// loadgen.js `finish`: the JSON line on stdout, then every socket disconnected (bounded).
async fn finish(sh: &Shared, res: &Res, ctl: &watch::Sender<Phase>) {
    sh.finished.set(true);
    res.set("errors", sh.errors());
    println!("{}", Value::Object(res.0.borrow().clone()));
    let _ = ctl.send(Phase::Close);
    wait_until(sh, 2000.0, || sh.open.get() == 0).await;
}

async fn async_main(cfg: &'static Config) -> i32 {
    let max_publishes = (cfg.publish_rate * cfg.duration).floor() as usize;
    let sh = Rc::new(Shared::new(cfg.clients, max_publishes));
    let res = base_result(cfg);
    let (ctl, _) = watch::channel(Phase::Connecting);
    let hard = cfg.clients as f64 / cfg.ramp_rate
        + cfg.connect_timeout_ms / 1000.0
        + cfg.settle_s
        + cfg.duration
        + cfg.drain_s
        + 90.0;
    // Backstop should the runtime itself wedge: the timeout below needs it to run.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(hard + 30.0));
        eprintln!("[evdoc-loadgen fanout] backstop deadline reached, exiting");
        println!(r#"{{"mode":"fanout","aborted":"hard_deadline"}}"#);
        std::process::exit(2);
    });
    let code = match tokio::time::timeout(
        Duration::from_secs_f64(hard),
        run_fanout(cfg, &sh, &res, &ctl),
    )
    .await
    {
        Ok(Ok(code)) => code,
        Ok(Err(msg)) => {
            log(&format!("fatal: {msg}"));
            let fresh = base_result(cfg);
            fresh.set("aborted", "exception");
            fresh.set("message", msg);
            finish(&sh, &fresh, &ctl).await;
            return 1;
        }
        Err(_) => {
            log(&format!("hard deadline of {hard}s reached, aborting"));
            res.set("aborted", "hard_deadline");
            2
        }
    };
    finish(&sh, &res, &ctl).await;
    code
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_config(&argv) {
        Ok(Some(c)) => c,
        Ok(None) => {
            eprint!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("evdoc-loadgen: {e}");
            std::process::exit(2);
        }
    };
    let cfg: &'static Config = Box::leak(Box::new(cfg));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = LocalSet::new().block_on(&rt, async_main(cfg));
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn loopback_only() {
        assert!(is_loopback_name("127.0.0.1") && is_loopback_name("127.1.2.3"));
        assert!(is_loopback_name("localhost") && is_loopback_name("::1"));
        assert!(!is_loopback_name("10.0.0.1") && !is_loopback_name("127.0.0.1.example.com"));
        assert!(parse_config(&args("--host 192.168.1.1")).is_err());
    }

    #[test]
    fn parses_loadgen_js_flags() {
        let c = parse_config(&args(
            "--mode fanout --clients 2000 --publish-rate=50 --duration 10 --server-pid 1 \
             --publish-path /v1/publish --publish-token t --label fanout_rs",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c.clients, 2000);
        assert_eq!(c.publish_rate, 50.0);
        assert_eq!(c.server_pid, Some(1));
        assert_eq!(c.publish_token.as_deref(), Some("t"));
        assert_eq!(
            c.ws_url,
            "ws://127.0.0.1:3900/socket.io/?EIO=4&transport=websocket"
        );
        assert!(parse_config(&args("--mode echo")).is_err());
        assert!(parse_config(&args("--clients 0")).is_err());
        assert!(parse_config(&args("--duration 301")).is_err());
        assert!(parse_config(&args("--rate 5")).is_err());
    }
}
