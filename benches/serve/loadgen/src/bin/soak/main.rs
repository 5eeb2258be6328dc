//! evdoc-soak: the long run of `evdoc serve` that benches/soak.sh drives (issue 14).
//!
//! Why: the other benches measure seconds of one kind of traffic. A leak shows only over
//! time and mixed traffic: sockets that come and go over both transports, refusals, floods,
//! rooms joined and left, publishes. This keeps 2,000 clients (one of them the flooder) on a
//! running server for the given time and checks, from outside, that memory, descriptors and
//! live sockets stay flat and that nothing the server owes a client goes missing:
//!
//! * valid events with acks (`ping:echo`, every `--ack-every-ms` per client), each answered
//!   `{"ok": true}` plus its `pong:echo` reply; invalid ones with acks (`--invalid-every-ms`:
//!   wrong types, extra fields, a missing argument, a payload nested beyond the depth limit, an
//!   unknown event, a server→client event, another user's room, an admin-only event), each
//!   answered with its error code;
//! * rooms: every client joins its user room `user:u-<n>` (several clients share a user), one
//!   in four `signals`; each leaves and re-joins its user room every `--toggle-every-ms`;
//! * publishes on `POST /v1/publish`: `trade:update` to a random user room (`--trade-rate`/s)
//!   and `signal:new` to `signals` (`--signal-rate`/s). The members expected are the clients
//!   whose join the server had answered when the publish was sent; each must receive it on
//!   that same connection, unless the connection has ended since (excused);
//! * a flooder above the rate limit (`--flood-rate`/s), with a burst now and then that gets it
//!   cut off (`--blast-every`), after which it reconnects;
//! * churn: every `--churn-every` s a tenth of the clients leave (half of the WebSocket ones by
//!   dropping the TCP connection, the others with a proper disconnect) and reconnect within
//!   `--reconnect-max-ms`; `--polling-pct` of the clients are polling-only and
//!   `--upgrade-pct` start with polling and upgrade, the rest use WebSocket.
//!
//! It samples the server every `--sample-every` s into the CSV (sample.rs), and takes the
//! samples the verdict compares at checkpoints (verdict.rs): before the first client; at the
//! end of the warm-up (`--warmup`, default min(120 s, a third of the run)) and at the end, with
//! churn and bursts paused and every client connected; after every client left.
//!
//! Output: progress and the summary on stderr, the summary as JSON in `--summary`, exit code
//! 0 (pass), 1 (fail: each reason on its own line) or 2 (usage, set-up). Loopback only.
//!
//! `evdoc-soak --write-sessions FILE --clients N --users U` writes the sessions file the
//! server needs (`sess-<i>` → user `u-<(i-1) mod U>`, role `user`) and exits.

#[allow(dead_code)]
#[path = "../../procfs.rs"]
mod procfs;
#[allow(dead_code)]
#[path = "../../publish.rs"]
mod publish;
#[allow(dead_code)]
#[path = "../../stats.rs"]
mod stats;

mod client;
mod conn;
mod sample;
mod verdict;
mod world;

use crate::client::{Cmd, Params, Rng};
use crate::conn::Target;
use crate::publish::Publisher;
use crate::sample::{Sample, Sampler};
use crate::verdict::{Inputs, Limits, Tally};
use crate::world::{Counters, Kind, Pending, Slot, Which, World};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};
use tokio::task::{spawn_local, LocalSet};
use tokio::time::{sleep, sleep_until, Instant};

const USAGE: &str =
    "usage: evdoc-soak --port P --server-pid PID --publish-token T --seconds S [options]
       evdoc-soak --write-sessions FILE [--clients N] [--users U]
  --host 127.0.0.1 --path /socket.io/ --clients 2000 (the last one floods) --users 500
  --seconds S | --minutes M      length of the run (warm-up included)
  --warmup S (min(120, S/3))     --sample-every 10 --csv soak.csv --summary soak.json
  --metrics-out FILE (the server's /metrics after every client left)
  --polling-pct 10 --upgrade-pct 5 --churn-pct 10 --churn-every 10 --reconnect-max-ms 2000
  --ack-every-ms 5000 --invalid-every-ms 20000 --toggle-every-ms 60000 --ack-timeout-ms 20000
  --trade-rate 20 --signal-rate 2 --publish-grace-ms 5000
  --flood-rate 500 --blast-every 30 --blast-size 2500
  --connect-rate 400 --connect-timeout-ms 20000 --session-prefix sess- --seed 1
  --upgrade-drain 1 (0: send the upgrade packet with polling writes still unanswered)
  --heartbeat-ms 45000 (the catalog's ping interval + timeout: how long a silent session lives)
  --rss-growth-pct 5 --fd-slack 16
";

struct Config {
    addr: SocketAddr,
    path: String,
    pid: u32,
    token: String,
    seconds: f64,
    warmup: f64,
    clients: usize,
    users: usize,
    sample_every: f64,
    csv: String,
    summary: Option<String>,
    metrics_out: Option<String>,
    polling_pct: usize,
    upgrade_pct: usize,
    churn_pct: usize,
    churn_every: f64,
    trade_rate: f64,
    signal_rate: f64,
    publish_grace_ms: f64,
    connect_rate: f64,
    heartbeat_ms: u64,
    limits: Limits,
    params: Params,
}

type Args = HashMap<String, String>;

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut out = HashMap::new();
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        let k = a
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument {a}"))?;
        if k == "help" {
            out.insert("help".into(), String::new());
            continue;
        }
        let v = it.next().ok_or_else(|| format!("--{k} needs a value"))?;
        out.insert(k.to_owned(), v.clone());
    }
    Ok(out)
}

fn num(a: &Args, k: &str, default: f64) -> Result<f64, String> {
    match a.get(k) {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("--{k} {v}: not a non-negative number")),
    }
}

fn config(a: &Args) -> Result<Config, String> {
    const KNOWN: &[&str] = &[
        "host",
        "port",
        "path",
        "server-pid",
        "publish-token",
        "seconds",
        "minutes",
        "warmup",
        "clients",
        "users",
        "sample-every",
        "csv",
        "summary",
        "metrics-out",
        "polling-pct",
        "upgrade-pct",
        "churn-pct",
        "churn-every",
        "reconnect-max-ms",
        "ack-every-ms",
        "invalid-every-ms",
        "toggle-every-ms",
        "ack-timeout-ms",
        "trade-rate",
        "signal-rate",
        "publish-grace-ms",
        "flood-rate",
        "blast-every",
        "blast-size",
        "connect-rate",
        "connect-timeout-ms",
        "heartbeat-ms",
        "session-prefix",
        "seed",
        "upgrade-drain",
        "rss-growth-pct",
        "fd-slack",
    ];
    if let Some(k) = a.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!("unknown option --{k}"));
    }
    let host = a.get("host").map_or("127.0.0.1", String::as_str);
    let ip: IpAddr = host
        .parse()
        .map_err(|_| format!("--host {host}: not an IP address"))?;
    if !ip.is_loopback() {
        return Err(format!("refusing non-loopback host {host}"));
    }
    let port = num(a, "port", 0.0)? as u16;
    let pid = num(a, "server-pid", 0.0)? as u32;
    if port == 0 || pid == 0 {
        return Err("--port and --server-pid are required".into());
    }
    let seconds = match (a.get("seconds"), a.get("minutes")) {
        (Some(_), _) => num(a, "seconds", 0.0)?,
        (None, Some(_)) => num(a, "minutes", 0.0)? * 60.0,
        (None, None) => return Err("--seconds or --minutes is required".into()),
    };
    // a typo must not start a week-long run
    if !(10.0..=48.0 * 3600.0).contains(&seconds) {
        return Err("the run must last between 10 s and 48 h".into());
    }
    let clients = num(a, "clients", 2000.0)? as usize;
    let users = (num(a, "users", 500.0)? as usize).max(1);
    if !(2..=20_000).contains(&clients) {
        return Err("--clients must be in [2, 20000]".into());
    }
    let pct = |k: &str, d: f64| num(a, k, d).map(|x| (x as usize).min(100));
    let ms = |k: &str, d: f64| num(a, k, d).map(|x| x as u64);
    Ok(Config {
        addr: SocketAddr::new(ip, port),
        path: a
            .get("path")
            .cloned()
            .unwrap_or_else(|| "/socket.io/".into()),
        pid,
        token: a.get("publish-token").cloned().unwrap_or_default(),
        warmup: num(a, "warmup", (seconds / 3.0).min(120.0))?.min(seconds / 2.0),
        seconds,
        clients,
        users,
        sample_every: num(a, "sample-every", 10.0)?.max(1.0),
        csv: a.get("csv").cloned().unwrap_or_else(|| "soak.csv".into()),
        summary: a.get("summary").cloned(),
        metrics_out: a.get("metrics-out").cloned(),
        polling_pct: pct("polling-pct", 10.0)?,
        upgrade_pct: pct("upgrade-pct", 5.0)?,
        churn_pct: pct("churn-pct", 10.0)?,
        churn_every: num(a, "churn-every", 10.0)?.max(1.0),
        trade_rate: num(a, "trade-rate", 20.0)?,
        signal_rate: num(a, "signal-rate", 2.0)?,
        publish_grace_ms: num(a, "publish-grace-ms", 5000.0)?,
        connect_rate: num(a, "connect-rate", 400.0)?.max(1.0),
        heartbeat_ms: num(a, "heartbeat-ms", 45_000.0)? as u64,
        limits: Limits {
            rss_growth_pct: num(a, "rss-growth-pct", 5.0)?,
            fd_slack: num(a, "fd-slack", 16.0)? as u64,
        },
        params: Params {
            session_prefix: a
                .get("session-prefix")
                .cloned()
                .unwrap_or_else(|| "sess-".into()),
            ack_every_ms: ms("ack-every-ms", 5000.0)?,
            invalid_every_ms: ms("invalid-every-ms", 20_000.0)?,
            toggle_every_ms: ms("toggle-every-ms", 60_000.0)?,
            ack_timeout_ms: num(a, "ack-timeout-ms", 20_000.0)?,
            connect_timeout_ms: ms("connect-timeout-ms", 20_000.0)?,
            reconnect_max_ms: ms("reconnect-max-ms", 2000.0)?,
            flood_rate: ms("flood-rate", 500.0)?,
            blast_every_ms: (num(a, "blast-every", 30.0)? * 1000.0) as u64,
            blast_size: num(a, "blast-size", 2500.0)? as usize,
            seed: ms("seed", 1.0)?,
            upgrade_drain: num(a, "upgrade-drain", 1.0)? != 0.0,
        },
    })
}

/// The user of client `i` (0-based): `u-<i mod users>`, so that a user room has several members.
fn user_of(i: usize, users: usize) -> usize {
    i % users
}

/// The sessions file for `clients` clients: `sess-<i+1>` is client `i`.
fn sessions_json(clients: usize, users: usize) -> String {
    let mut m = serde_json::Map::new();
    for i in 0..clients {
        m.insert(
            format!("sess-{}", i + 1),
            json!({"userId": format!("u-{}", user_of(i, users)), "roles": ["user"]}),
        );
    }
    Value::Object(m).to_string()
}

/// Client `i`'s transport: in each hundred, the first `polling` poll, the next `upgrade` upgrade.
fn kind_of(i: usize, polling: usize, upgrade: usize) -> Kind {
    match i % 100 {
        x if x < polling => Kind::Poll,
        x if x < polling + upgrade => Kind::Upgrade,
        _ => Kind::Ws,
    }
}

fn log(msg: &str) {
    eprintln!("[evdoc-soak] {msg}");
}

/// The body of publish `seq` of `trade:update` to user `u-<user>`'s room.
fn trade_body(seq: u64, user: usize) -> String {
    json!({
        "event": "trade:update",
        "room": format!("user:u-{user}"),
        "payload": {
            "tradeId": format!("t-{seq}"),
            "userId": format!("u-{user}"),
            "symbol": "AAPL",
            "side": if seq.is_multiple_of(2) { "buy" } else { "sell" },
            "status": "executed",
            "executedPrice": 100.0 + (seq % 50) as f64,
            "quantity": 1 + seq % 10,
            "timestamp": stats::iso_now(),
        }
    })
    .to_string()
}

/// Publishes `which` at `rate`/s while the world is sending and `run` holds.
async fn publisher(
    w: Rc<World>,
    publ: Rc<Publisher>,
    which: Which,
    rate: f64,
    seq: Rc<Cell<u64>>,
    run: Rc<Cell<bool>>,
    users: usize,
) {
    if rate <= 0.0 {
        return;
    }
    let mut rng = Rng::new(0xB0B ^ which as u64);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while run.get() {
        tick.tick().await;
        if !w.sending.get() || !run.get() {
            continue;
        }
        let s = seq.get();
        seq.set(s + 1);
        let (expected, body) = match which {
            Which::Trades => {
                let user = rng.below(users as u64) as usize;
                (w.members(Which::Trades, user), trade_body(s, user))
            }
            Which::Signals => (
                w.members(Which::Signals, 0),
                publish::signal_body(s as usize),
            ),
        };
        Counters::inc(&w.c.publishes);
        Counters::add(&w.c.deliveries_expected, expected.len() as u64);
        w.pending.borrow_mut().insert(
            s,
            Pending {
                which,
                got: vec![false; expected.len()],
                expected,
                answered_at: None,
                sent_at: w.now(),
                failed: false,
            },
        );
        let (w, publ) = (w.clone(), publ.clone());
        spawn_local(async move {
            let r = publ.post(body).await;
            let now = w.now();
            let mut pending = w.pending.borrow_mut();
            let ok = r.status == 202;
            if let Some(p) = pending.get_mut(&s) {
                p.answered_at = Some(now);
                p.failed = !ok;
            }
            drop(pending);
            if !ok {
                Counters::inc(&w.c.publish_failed);
                let e = r.error.unwrap_or_default();
                w.c.note(&format!("publish_http_{}{e}", r.status));
                w.oddity(&format!("publish {s} answered HTTP {}", r.status));
            }
        });
    }
}

/// Every `every` s, a `pct` share of the regular clients leave (spread over a second).
async fn churn(w: Rc<World>, cmds: Rc<Vec<mpsc::UnboundedSender<Cmd>>>, pct: usize, every: f64) {
    let regular = w.slots.len() - 1; // the last client is the flooder
    let n = regular * pct / 100;
    if n == 0 {
        return;
    }
    // a fixed shuffled order, walked round: every client churns as often as the others
    let mut rng = Rng::new(0xC4E2);
    let mut order: Vec<u32> = (0..regular as u32).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut at = 0usize;
    let mut k = 0u64;
    let period = Duration::from_secs_f64(every);
    // half a period out of step with the samples and checkpoints, which come on the period
    let mut tick = tokio::time::interval_at(Instant::now() + period / 2, period);
    while !w.quit.get() {
        tick.tick().await;
        if !w.churn.get() || !w.sending.get() {
            continue;
        }
        for _ in 0..n {
            let idx = order[at];
            at = (at + 1) % order.len();
            k += 1;
            // polling clients always say goodbye: a silent polling client is held until the
            // heartbeat times out (45 s), which the descriptor checks would wait for
            let abrupt = w.slots[idx as usize].kind != Kind::Poll && k.is_multiple_of(2);
            let delay = Duration::from_millis(rng.below(1000));
            let (w, cmds) = (w.clone(), cmds.clone());
            spawn_local(async move {
                sleep(delay).await;
                if w.churn.get() && w.slots[idx as usize].connected.get() {
                    let _ = cmds[idx as usize].send(Cmd::Drop { abrupt });
                }
            });
        }
    }
}

/// Pause churn and bursts, wait for every client to be connected and for the server to count
/// exactly them, then take the checkpoint sample; resume.
async fn checkpoint(w: &World, sampler: &Mutex<Sampler>, label: &str) -> Option<Sample> {
    w.churn.set(false);
    w.blasts.set(false);
    let all = w.slots.len();
    let t0 = Instant::now();
    while w.connected() < all && t0.elapsed() < Duration::from_secs(30) {
        sleep(Duration::from_millis(100)).await;
    }
    sleep(Duration::from_secs(2)).await;
    let t1 = Instant::now();
    loop {
        let sockets = sampler.lock().await.sockets().await;
        if sockets == Some(w.connected() as u64) || t1.elapsed() > Duration::from_secs(15) {
            break;
        }
        sleep(Duration::from_millis(500)).await;
    }
    let s = sampler.lock().await.sample(w, label).await;
    log(&format!(
        "checkpoint {label}: {} of {all} clients, server: {} live sockets, RSS {} kB, {} fds, {} threads (paused {:.1} s)",
        w.connected(),
        s.as_ref().and_then(|s| s.sockets).map_or("?".into(), |v| v.to_string()),
        s.as_ref().map_or(0, |s| s.rss_kb),
        s.as_ref().map_or(0, |s| s.fds),
        s.as_ref().map_or(0, |s| s.threads),
        t0.elapsed().as_secs_f64()
    ));
    w.churn.set(true);
    w.blasts.set(true);
    s
}

/// Wait up to `limit` for `cond`.
async fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let t0 = Instant::now();
    while !cond() {
        if t0.elapsed() > limit {
            return false;
        }
        sleep(Duration::from_millis(100)).await;
    }
    true
}

#[allow(clippy::too_many_lines)] // the run's timeline, read top to bottom
async fn run(cfg: &'static Config) -> Result<bool, String> {
    let n = cfg.clients;
    let slots: Vec<Slot> = (0..n)
        .map(|i| {
            let flooder = i == n - 1;
            let kind = if flooder {
                Kind::Ws
            } else {
                kind_of(i, cfg.polling_pct, cfg.upgrade_pct)
            };
            Slot::new(kind, user_of(i, cfg.users), !flooder && i % 4 == 1)
        })
        .collect();
    let w = Rc::new(World::new(slots, cfg.users));
    let target = Rc::new(Target {
        addr: cfg.addr,
        path: cfg.path.clone(),
    });
    let sampler = Rc::new(Mutex::new(Sampler::new(cfg.pid, cfg.addr, &cfg.csv)?));
    let t_start = Instant::now();
    let start = sampler
        .lock()
        .await
        .sample(&w, "start")
        .await
        .ok_or("cannot read the server's /proc entries")?;
    if start.sockets.is_none() {
        return Err(format!("cannot read http://{}/metrics", cfg.addr));
    }
    let kinds = |k: Kind| w.slots.iter().filter(|s| s.kind == k).count();
    log(&format!(
        "{n} clients ({} websocket, {} polling, {} polling+upgrade; the last one floods) for {} s, warm-up {} s; server RSS {} kB, {} fds at start",
        kinds(Kind::Ws),
        kinds(Kind::Poll),
        kinds(Kind::Upgrade),
        cfg.seconds,
        cfg.warmup,
        start.rss_kb,
        start.fds
    ));

    // the clients, at --connect-rate per second
    let mut cmds = Vec::with_capacity(n);
    let mut rxs = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx, rx) = mpsc::unbounded_channel();
        cmds.push(tx);
        rxs.push(rx);
    }
    let cmds = Rc::new(cmds);
    {
        let (w, target) = (w.clone(), target.clone());
        let p = &cfg.params;
        let gap = Duration::from_secs_f64(1.0 / cfg.connect_rate);
        spawn_local(async move {
            for (i, rx) in rxs.into_iter().enumerate() {
                if i == n - 1 {
                    spawn_local(client::flooder(i as u32, w.clone(), target.clone(), p, rx));
                } else {
                    spawn_local(client::client(i as u32, w.clone(), target.clone(), p, rx));
                }
                sleep(gap).await;
            }
        });
    }
    let ramp = Duration::from_secs_f64(n as f64 / cfg.connect_rate);
    wait_for(ramp + Duration::from_secs(30), || w.connected() == n).await;
    log(&format!(
        "connected {} of {n} in {:.1} s",
        w.connected(),
        t_start.elapsed().as_secs_f64()
    ));

    // publishers, churn, delivery checks, periodic samples
    let publ = Rc::new(Publisher::new(
        &cfg.addr.to_string(),
        "/v1/publish",
        Some(&cfg.token),
    )?);
    let publishing = Rc::new(Cell::new(true));
    let seq = Rc::new(Cell::new(0u64));
    for (which, rate) in [
        (Which::Trades, cfg.trade_rate),
        (Which::Signals, cfg.signal_rate),
    ] {
        spawn_local(publisher(
            w.clone(),
            publ.clone(),
            which,
            rate,
            seq.clone(),
            publishing.clone(),
            cfg.users,
        ));
    }
    spawn_local(churn(
        w.clone(),
        cmds.clone(),
        cfg.churn_pct,
        cfg.churn_every,
    ));
    {
        let w = w.clone();
        let grace = cfg.publish_grace_ms;
        spawn_local(async move {
            while !w.quit.get() {
                sleep(Duration::from_secs(1)).await;
                w.check_publishes(grace, false);
            }
        });
    }
    let dead = Rc::new(Cell::new(false));
    // what the periodic samples are labelled with: warmup, run, drain, closing
    let phase = Rc::new(Cell::new("warmup"));
    // (t, RSS) from the end of the warm-up to the end of the run, for verdict::rss_trend
    let rss_run: Rc<RefCell<Vec<(f64, u64)>>> = Rc::default();
    let sampling = {
        let (w, sampler, dead, rss_run, phase) = (
            w.clone(),
            sampler.clone(),
            dead.clone(),
            rss_run.clone(),
            phase.clone(),
        );
        let every = Duration::from_secs_f64(cfg.sample_every);
        spawn_local(async move {
            let mut tick = tokio::time::interval_at(t_start + every, every);
            loop {
                tick.tick().await;
                let phase = phase.get();
                let after_warm = phase == "run";
                let Some(s) = sampler.lock().await.sample(&w, phase).await else {
                    dead.set(true);
                    log("the server process is gone");
                    return;
                };
                if after_warm {
                    rss_run.borrow_mut().push((s.t_s, s.rss_kb));
                }
                log(&format!(
                    "t={:>6.0}s {phase:<6} RSS {} kB, {} fds, {} threads, {} sockets, {} clients; acks {}/{} (+{} pending), publishes {}, deliveries {}, reconnects {}, load {:.1}",
                    s.t_s,
                    s.rss_kb,
                    s.fds,
                    s.threads,
                    s.sockets.map_or("?".into(), |v| v.to_string()),
                    s.clients,
                    w.c.acks_answered.get(),
                    w.c.acks_sent.get(),
                    w.c.acks_pending.get(),
                    w.c.publishes.get(),
                    w.c.deliveries.get(),
                    w.c.reconnects.get(),
                    s.load1
                ));
            }
        })
    };
    let gone = || dead.get();

    sleep_until(t_start + Duration::from_secs_f64(cfg.warmup)).await;
    if gone() {
        return Err("the server exited during the warm-up".into());
    }
    let warm = checkpoint(&w, &sampler, "checkpoint-warm")
        .await
        .ok_or("the server exited")?;
    rss_run.borrow_mut().push((warm.t_s, warm.rss_kb));
    phase.set("run");
    sleep_until(t_start + Duration::from_secs_f64(cfg.seconds)).await;
    if gone() {
        return Err("the server exited during the run".into());
    }
    let end = checkpoint(&w, &sampler, "checkpoint-end")
        .await
        .ok_or("the server exited")?;

    // drain: no new events or publishes; every ack and delivery in flight gets its chance
    phase.set("drain");
    rss_run.borrow_mut().push((end.t_s, end.rss_kb));
    w.sending.set(false);
    w.churn.set(false);
    publishing.set(false);
    wait_for(Duration::from_secs(10), || w.c.acks_pending.get() == 0).await;
    let grace = cfg.publish_grace_ms;
    wait_for(Duration::from_millis(grace as u64 + 20_000), || {
        w.check_publishes(grace, false);
        w.pending.borrow().is_empty()
    })
    .await;
    w.check_publishes(grace, true);

    // everybody leaves; the server must let go of everything they held
    phase.set("closing");
    w.quit.set(true);
    for c in cmds.iter() {
        let _ = c.send(Cmd::Quit);
    }
    wait_for(Duration::from_secs(15), || w.connected() == 0).await;
    drop(publ); // its keep-alive connections close with it (once the last request task ends)
                // A polling session whose goodbye was lost is only ended by the heartbeat: wait that long.
    let t_left = Instant::now();
    let limit = Duration::from_millis(cfg.heartbeat_ms + 15_000);
    let mut released = None;
    while t_left.elapsed() < limit {
        sleep(Duration::from_secs(1)).await;
        let fds = sample::count_fds(cfg.pid).unwrap_or(u64::MAX);
        let sockets = sampler.lock().await.sockets().await;
        if sockets == Some(0) && fds <= start.fds + cfg.limits.fd_slack {
            released = Some(t_left.elapsed().as_secs_f64());
            break;
        }
    }
    let after = sampler.lock().await.sample(&w, "after-close").await;
    sampling.abort();
    let server_alive = sampler.lock().await.alive();
    let after = after.unwrap_or_else(|| Sample {
        phase: "after-close".into(),
        ..Sample::default()
    });
    let metrics = sample::scrape(cfg.addr).await.unwrap_or_default();
    if let Some(path) = &cfg.metrics_out {
        std::fs::write(path, &metrics).map_err(|e| format!("{path}: {e}"))?;
    }

    let tally = Tally::of(&w.c);
    let rss = verdict::rss_trend(&rss_run.borrow());
    let failures = verdict::verdict(
        &Inputs {
            start: &start,
            warm: &warm,
            end: &end,
            after: &after,
            clients: n,
            tally: &tally,
            rss: &rss,
            server_alive,
        },
        &cfg.limits,
    );
    let mut summary = summary(
        cfg,
        &w,
        [&start, &warm, &end, &after],
        &rss,
        &metrics,
        &failures,
    );
    summary["released_after_clients_left_s"] = json!(released);
    if let Some(path) = &cfg.summary {
        std::fs::write(path, format!("{summary:#}\n")).map_err(|e| format!("{path}: {e}"))?;
    }
    report(&summary, &failures);
    Ok(failures.is_empty())
}

/// Everything the run found, as JSON.
fn summary(
    cfg: &Config,
    w: &World,
    cps: [&Sample; 4],
    rss: &verdict::RssTrend,
    metrics: &str,
    failures: &[String],
) -> Value {
    let c = &w.c;
    // a family without series yet (nothing dropped, say) is 0; no scrape at all is null
    let read = !metrics.is_empty();
    let m = |name: &str| read.then(|| sample::metric_sum(metrics, name).unwrap_or(0.0));
    let code = |code: &str| {
        let label = format!("code=\"{code}\"");
        read.then(|| sample::metric_with(metrics, "evdoc_rejections_total", &label).unwrap_or(0.0))
    };
    json!({
        "verdict": if failures.is_empty() { "pass" } else { "fail" },
        "failures": failures,
        "seconds": cfg.seconds,
        "warmup_s": cfg.warmup,
        "clients": cfg.clients,
        "checkpoints": cps.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        "rss_after_warmup": {
            "window_s": rss.window_s,
            "first_window_median_kb": rss.first_kb,
            "last_window_median_kb": rss.last_kb,
            "growth_pct": rss.growth_pct,
            "min_kb": rss.min_kb,
            "max_kb": rss.max_kb,
            "checkpoint_growth_pct": verdict::pct(cps[1].rss_kb, cps[2].rss_kb),
        },
        "connections": {
            "connects": c.connects.get(), "reconnects": c.reconnects.get(),
            "churn_drops": c.churn_drops.get(), "upgrades": c.upgrades.get(),
            "connect_failures": c.connect_failures.get(),
            "goodbyes_unconfirmed": c.close_unconfirmed.get(),
            "unexpected_disconnects": c.unexpected_disconnects.get(),
        },
        "acks": {
            "sent": c.acks_sent.get(), "answered": c.acks_answered.get(),
            "abandoned_at_churn": c.acks_abandoned.get(), "lost_unexpected": c.acks_lost.get(),
            "unanswered": c.acks_unanswered.get(),
            "valid_sent": c.valid_sent.get(), "valid_ok": c.valid_ok.get(),
            "valid_refused": c.valid_refused.get(), "pongs": c.pongs.get(),
        },
        "invalid": {
            "sent": c.invalid_sent.get(), "refused_with_expected_code": c.invalid_refused.get(),
            "refused_with_other_code": c.invalid_other_code.get(),
            "accepted": c.invalid_accepted.get(), "error_events": c.error_events.get(),
        },
        "flood": {
            "sent": c.flood_sent.get(), "rate_limited_errors_seen": c.flood_rate_limited.get(),
            "cut_off": c.flood_cutoffs.get(),
        },
        "publishes": {
            "sent": c.publishes.get(), "failed": c.publish_failed.get(),
            "deliveries_expected": c.deliveries_expected.get(),
            "delivered": c.deliveries.get(), "excused_connection_ended": c.deliveries_excused.get(),
            "missing": c.deliveries_missing.get(), "stray": c.deliveries_stray.get(),
            "late": c.deliveries_late.get(), "to_members_joined_after": c.deliveries_extra.get(),
        },
        "server_metrics": {
            "connects_total": m("evdoc_connects_total"),
            "disconnects_total": m("evdoc_disconnects_total"),
            "disconnects_by_reason": sample::by_label(metrics, "evdoc_disconnects_total", "reason"),
            "rejections_rate_limited": code("RateLimited"),
            "rejections_payload_error": code("PayloadError"),
            "rejections_unknown_event": code("UnknownEvent"),
            "rejections_subscription_error": code("SubscriptionError"),
            "rejections_authentication_error": code("AuthenticationError"),
            "deliveries_dropped_total": m("evdoc_deliveries_dropped_total"),
        },
        "detail": c.detail(),
    })
}

/// The summary for people, on stderr.
fn report(s: &Value, failures: &[String]) {
    let g = |p: &str| s.pointer(p).cloned().unwrap_or(Value::Null);
    eprintln!("\n== evdoc-soak summary");
    for cp in s["checkpoints"].as_array().into_iter().flatten() {
        eprintln!(
            "  {:<17} t={:>7}s RSS {:>8} kB  fds {:>5}  threads {:>3}  sockets {:>5}  clients {:>5}",
            cp["phase"].as_str().unwrap_or(""),
            cp["t_s"],
            cp["rss_kb"],
            cp["fds"],
            cp["threads"],
            cp["sockets"],
            cp["clients"]
        );
    }
    eprintln!(
        "  RSS after warm-up: {:+.2} % (median of the first {:.0} s {} kB, of the last {} kB; range {}-{} kB; checkpoints {:+.2} %)",
        g("/rss_after_warmup/growth_pct").as_f64().unwrap_or(0.0),
        g("/rss_after_warmup/window_s").as_f64().unwrap_or(0.0),
        g("/rss_after_warmup/first_window_median_kb"),
        g("/rss_after_warmup/last_window_median_kb"),
        g("/rss_after_warmup/min_kb"),
        g("/rss_after_warmup/max_kb"),
        g("/rss_after_warmup/checkpoint_growth_pct").as_f64().unwrap_or(0.0),
    );
    for k in [
        "connections",
        "acks",
        "invalid",
        "flood",
        "publishes",
        "server_metrics",
    ] {
        eprintln!("  {k}: {}", s[k]);
    }
    eprintln!("  detail: {}", s["detail"]);
    if failures.is_empty() {
        eprintln!("PASS");
    } else {
        for f in failures {
            eprintln!("FAIL: {f}");
        }
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let a = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("evdoc-soak: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if a.contains_key("help") || argv.is_empty() {
        eprint!("{USAGE}");
        return;
    }
    if let Some(path) = a.get("write-sessions") {
        let clients = a
            .get("clients")
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let users = a
            .get("users")
            .and_then(|v| v.parse().ok())
            .unwrap_or(500usize)
            .max(1);
        if let Err(e) = std::fs::write(path, sessions_json(clients, users)) {
            eprintln!("evdoc-soak: {path}: {e}");
            std::process::exit(2);
        }
        return;
    }
    let cfg: &'static Config = match config(&a) {
        Ok(c) => Box::leak(Box::new(c)),
        Err(e) => {
            eprintln!("evdoc-soak: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // A backstop should the run wedge: every phase above is bounded, this bounds the whole.
    let hard = cfg.seconds + cfg.clients as f64 / cfg.connect_rate + 300.0;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(hard));
        eprintln!("[evdoc-soak] FAIL: hard deadline of {hard:.0} s reached");
        std::process::exit(1);
    });
    match LocalSet::new().block_on(&rt, run(cfg)) {
        Ok(true) => std::process::exit(0),
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("[evdoc-soak] FAIL: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Args {
        parse_args(&s.split_whitespace().map(str::to_owned).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn config_and_warmup() {
        let c = config(&args("--port 3000 --server-pid 1 --minutes 30")).unwrap();
        assert_eq!((c.seconds, c.warmup, c.clients), (1800.0, 120.0, 2000));
        let c = config(&args("--port 3000 --server-pid 1 --seconds 60")).unwrap();
        assert_eq!(c.warmup, 20.0);
        assert!(config(&args(
            "--port 3000 --server-pid 1 --seconds 60 --host 10.0.0.1"
        ))
        .is_err());
        assert!(config(&args("--port 3000 --server-pid 1")).is_err());
        assert!(config(&args("--port 3000 --server-pid 1 --seconds 60 --bogus 1")).is_err());
        assert!(config(&args("--port 3000 --server-pid 1 --seconds 5")).is_err());
    }

    #[test]
    fn sessions_match_the_clients() {
        let s: Value = serde_json::from_str(&sessions_json(5, 2)).unwrap();
        assert_eq!(s["sess-1"]["userId"], "u-0");
        assert_eq!(s["sess-2"]["userId"], "u-1");
        assert_eq!(s["sess-5"]["userId"], "u-0");
        assert_eq!(s.as_object().unwrap().len(), 5);
    }

    #[test]
    fn transports_mix() {
        let kinds: Vec<Kind> = (0..200).map(|i| kind_of(i, 10, 5)).collect();
        let count = |k| kinds.iter().filter(|x| **x == k).count();
        assert_eq!(
            (count(Kind::Poll), count(Kind::Upgrade), count(Kind::Ws)),
            (20, 10, 170)
        );
    }

    #[test]
    fn trade_bodies_carry_their_id_and_room() {
        let b: Value = serde_json::from_str(&trade_body(7, 3)).unwrap();
        assert_eq!(b["room"], "user:u-3");
        assert_eq!(b["payload"]["tradeId"], "t-7");
        assert_eq!(b["payload"]["userId"], "u-3");
    }
}
