//! The clients of the soak. A regular client connects (over its transport), joins its user
//! room (`subscribe:trades`, access `self`) and, for one in four, `signals`; then, until the
//! driver drops it (churn) or ends the run, it sends valid events with acks (`ping:echo`,
//! answered by a `pong:echo` reply and `{"ok": true}`), invalid ones with acks (each kind must
//! be answered with its error code), leaves and re-joins its user room now and then, answers
//! the server's pings, and records every publish it receives. The flooder sends `ping:echo`
//! far above the rate limit and, now and then, a burst that gets it cut off; it reconnects.
//!
//! Every ack sent is accounted for: answered, abandoned (in flight when its client was
//! dropped on purpose), lost (in flight when a connection ended unexpectedly) or unanswered
//! (no answer within the ack timeout on a connection that stayed up, or at the end).

use crate::conn::{connect, Conn, Target};
use crate::world::{Counters, Kind, Room, Which, World};
use serde_json::Value;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{interval_at, sleep, Instant, MissedTickBehavior};

/// What the driver tells a client.
#[derive(Clone, Copy, Debug)]
pub enum Cmd {
    /// Leave now and reconnect (churn): `abrupt` drops the TCP connection without a goodbye.
    Drop { abrupt: bool },
    /// The run is over: leave and stay away.
    Quit,
}

/// The knobs of the client side (see main.rs for their defaults).
pub struct Params {
    pub session_prefix: String,
    pub ack_every_ms: u64,
    pub invalid_every_ms: u64,
    pub toggle_every_ms: u64,
    pub ack_timeout_ms: f64,
    pub connect_timeout_ms: u64,
    pub reconnect_max_ms: u64,
    pub flood_rate: u64,
    pub blast_every_ms: u64,
    pub blast_size: usize,
    pub seed: u64,
    /// upgrade only once the polling writes are answered, as socket.io-client does (0: not)
    pub upgrade_drain: bool,
}

/// A small deterministic generator (xorshift64*), one per client.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The invalid events, each with the error code its ack must carry. The depth bomb is built
/// at run time (`depth_bomb`).
pub const INVALID: &[(&str, &str)] = &[
    (r#"["ping:echo",{"seq":"one","sentAt":1}]"#, "PayloadError"),
    (
        r#"["ping:echo",{"seq":1,"sentAt":1,"extra":true}]"#,
        "PayloadError",
    ),
    (r#"["ping:echo"]"#, "PayloadError"),
    (r#"["no:such:event",{}]"#, "UnknownEvent"),
    (
        r#"["subscribe:trades",{"userId":"somebody-else"}]"#,
        "SubscriptionError",
    ),
    (
        r#"["execute:trade",{"symbol":"AAPL","side":"buy","quantity":1}]"#,
        "AuthenticationError",
    ),
    (r#"["trade:update",{}]"#, "UnknownEvent"),
    ("DEPTH", "PayloadError"),
];

/// `ping:echo` with a payload nested 40 levels deep (the server's limit is 32).
pub fn depth_bomb() -> String {
    format!(
        r#"["ping:echo",{}{{"seq":1,"sentAt":1}}{}]"#,
        "[".repeat(40),
        "]".repeat(40)
    )
}

/// What an ack is for.
#[derive(Clone, Copy)]
enum AckFor {
    Valid,
    Invalid(&'static str),
}

/// Why a session ended.
enum End {
    Churn { abrupt: bool },
    Quit,
    Lost(&'static str),
}

/// A regular client, from its first connect to the end of the run.
pub async fn client(
    idx: u32,
    w: Rc<World>,
    t: Rc<Target>,
    p: &'static Params,
    mut cmd: mpsc::UnboundedReceiver<Cmd>,
) {
    let slot = &w.slots[idx as usize];
    let mut rng = Rng::new(p.seed ^ (u64::from(idx) << 20));
    let auth = format!(r#"{{"sessionId":"{}{}"}}"#, p.session_prefix, idx + 1);
    let bomb = depth_bomb();
    let mut first = true;
    while !w.quit.get() {
        let Some(mut conn) = open(&w, &t, p, slot.kind, &auth).await else {
            continue;
        };
        if w.quit.get() {
            goodbye(&w, slot.kind, conn).await;
            break;
        }
        Counters::inc(&w.c.connects);
        if !first {
            Counters::inc(&w.c.reconnects);
        }
        first = false;
        if slot.kind == Kind::Upgrade {
            Counters::inc(&w.c.upgrades);
        }
        slot.reset_rooms();
        slot.connected.set(true);
        slot.since.set(w.now());
        let unsent_at_upgrade = conn.unsent_at_upgrade();
        let mut s = Session {
            w: &w,
            idx,
            p,
            conn: &mut conn,
            pending: HashMap::new(),
            next_id: 0,
            pings: 0,
            invalid_n: rng.below(INVALID.len() as u64) as usize,
            bomb: &bomb,
        };
        let end = s.run(&mut rng, &mut cmd).await;
        let left = s.pending.len() as u64;
        let pings = s.pings;
        drop(s);
        let age_s = (w.now() - slot.since.get()) / 1000.0;
        Counters::sub(&w.c.acks_pending, left);
        slot.ended();
        match end {
            End::Churn { abrupt } => {
                Counters::add(&w.c.acks_abandoned, left);
                Counters::inc(&w.c.churn_drops);
                if abrupt {
                    drop(conn);
                } else {
                    goodbye(&w, slot.kind, conn).await;
                }
                sleep(Duration::from_millis(rng.below(p.reconnect_max_ms))).await;
            }
            End::Quit => {
                Counters::add(&w.c.acks_unanswered, left);
                goodbye(&w, slot.kind, conn).await;
                break;
            }
            End::Lost(why) => {
                Counters::add(&w.c.acks_lost, left);
                Counters::inc(&w.c.unexpected_disconnects);
                w.c.note(&format!(
                    "unexpected_disconnect:{}:{why}",
                    slot.kind.as_str()
                ));
                let upgrade = unsent_at_upgrade.map_or(String::new(), |n| {
                    format!("; {n} polling packet(s) unanswered when it sent the upgrade")
                });
                w.oddity(&format!(
                    "client {idx} ({}) lost its connection after {age_s:.1} s and {pings} ping(s): {why}{upgrade}",
                    slot.kind.as_str()
                ));
                sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Close `conn` properly; a goodbye that may not have reached the server is noted (a polling
/// session is then only ended by the server's heartbeat).
async fn goodbye(w: &World, kind: Kind, conn: Conn) {
    if let Err(why) = conn.close().await {
        Counters::inc(&w.c.close_unconfirmed);
        w.c.note(&format!("close_unconfirmed:{}:{why}", kind.as_str()));
    }
}

/// Connect with a timeout; failures are counted and retried after a second (`None`).
async fn open(w: &World, t: &Target, p: &Params, kind: Kind, auth: &str) -> Option<Conn> {
    let timeout = Duration::from_millis(p.connect_timeout_ms);
    let why = match tokio::time::timeout(timeout, connect(t, kind, auth, p.upgrade_drain)).await {
        Ok(Ok(c)) => return Some(c),
        Ok(Err(e)) => e,
        Err(_) => "timeout".into(),
    };
    Counters::inc(&w.c.connect_failures);
    let short: String = why.chars().take(60).collect();
    w.c.note(&format!("connect_failure:{}:{short}", kind.as_str()));
    w.oddity(&format!("{} connect failed: {why}", kind.as_str()));
    sleep(Duration::from_secs(1)).await;
    None
}

struct Session<'a> {
    w: &'a World,
    idx: u32,
    p: &'static Params,
    conn: &'a mut Conn,
    /// ack id → (what for, sent at ms)
    pending: HashMap<u64, (AckFor, f64)>,
    next_id: u64,
    /// server pings answered on this connection
    pings: u64,
    invalid_n: usize,
    bomb: &'a str,
}

/// A repeating timer starting at a random point of its first period (clients out of step).
fn timer(rng: &mut Rng, every_ms: u64) -> tokio::time::Interval {
    let every = Duration::from_millis(every_ms.max(1));
    let first = Instant::now() + Duration::from_millis(rng.below(every_ms.max(1)));
    let mut i = interval_at(first, every);
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);
    i
}

impl Session<'_> {
    async fn run(&mut self, rng: &mut Rng, cmd: &mut mpsc::UnboundedReceiver<Cmd>) -> End {
        let slot = &self.w.slots[self.idx as usize];
        let user = format!(r#"{{"userId":"u-{}"}}"#, slot.user);
        if !self.join(Which::Trades, &user).await
            || (slot.signals && !self.join(Which::Signals, "{}").await)
        {
            return End::Lost("send failed");
        }
        let mut ping = timer(rng, self.p.ack_every_ms);
        let mut bad = timer(rng, self.p.invalid_every_ms);
        let mut toggle = timer(rng, self.p.toggle_every_ms);
        let mut expiry = timer(rng, 2000);
        let mut seq = 0u64;
        loop {
            let ok = tokio::select! {
                p = self.conn.recv() => match p {
                    None => return End::Lost("transport close"),
                    Some(p) => match self.on_packet(&p, &user).await {
                        Ok(ok) => ok,
                        Err(end) => return end,
                    },
                },
                c = cmd.recv() => match c {
                    Some(Cmd::Drop { abrupt }) => return End::Churn { abrupt },
                    Some(Cmd::Quit) | None => return End::Quit,
                },
                _ = ping.tick(), if self.w.sending.get() => {
                    seq += 1;
                    let now = self.w.now();
                    let ev = format!(r#"["ping:echo",{{"seq":{seq},"sentAt":{now:.3}}}]"#);
                    self.emit_ack(&ev, AckFor::Valid).await
                }
                _ = bad.tick(), if self.w.sending.get() => {
                    let (ev, code) = INVALID[self.invalid_n % INVALID.len()];
                    self.invalid_n += 1;
                    let ev = if ev == "DEPTH" { self.bomb } else { ev };
                    Counters::inc(&self.w.c.invalid_sent);
                    let ev = ev.to_owned();
                    self.emit_ack(&ev, AckFor::Invalid(code)).await
                }
                _ = toggle.tick(), if self.w.sending.get() => {
                    if slot.trades.get() == Room::Member {
                        slot.trades.set(Room::Leaving);
                        let ev = format!(r#"["unsubscribe:trades",{user}]"#);
                        self.emit_ack(&ev, AckFor::Valid).await
                    } else {
                        true
                    }
                }
                _ = expiry.tick() => {
                    self.expire();
                    true
                }
            };
            if !ok {
                return End::Lost("send failed");
            }
        }
    }

    /// Ask to join a room (with an ack).
    async fn join(&mut self, which: Which, arg: &str) -> bool {
        let slot = &self.w.slots[self.idx as usize];
        slot.asked(which).set(true);
        slot.room(which).set(Room::Joining);
        let ev = match which {
            Which::Trades => format!(r#"["subscribe:trades",{arg}]"#),
            Which::Signals => format!(r#"["subscribe:signals",{arg}]"#),
        };
        self.emit_ack(&ev, AckFor::Valid).await
    }

    /// `42<id>[...]`: an event with an ack id.
    async fn emit_ack(&mut self, ev: &str, what: AckFor) -> bool {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, (what, self.w.now()));
        Counters::inc(&self.w.c.acks_sent);
        Counters::inc(&self.w.c.acks_pending);
        if let AckFor::Valid = what {
            Counters::inc(&self.w.c.valid_sent);
        }
        self.conn.send(format!("42{id}{ev}")).await
    }

    /// Acks older than the ack timeout on this live connection: unanswered.
    fn expire(&mut self) {
        let now = self.w.now();
        let limit = self.p.ack_timeout_ms;
        let before = self.pending.len();
        self.pending.retain(|_, (_, at)| now - *at < limit);
        let gone = (before - self.pending.len()) as u64;
        if gone > 0 {
            Counters::add(&self.w.c.acks_unanswered, gone);
            Counters::sub(&self.w.c.acks_pending, gone);
            self.w.oddity(&format!(
                "client {}: {gone} ack(s) unanswered after {limit} ms",
                self.idx
            ));
        }
    }

    /// One packet from the server. `Ok(false)`: a send failed; `Err`: the session is over.
    async fn on_packet(&mut self, p: &str, user: &str) -> Result<bool, End> {
        match p.as_bytes() {
            [b'2', ..] => {
                self.pings += 1;
                Ok(self.conn.send("3".into()).await)
            }
            [b'1', ..] => Err(End::Lost("engine.io close")),
            [b'4', b'1', ..] => Err(End::Lost("server disconnect")),
            [b'4', b'3', ..] => {
                self.on_ack(&p[2..]);
                Ok(true)
            }
            [b'4', b'2', ..] => Ok(self.on_event(&p[2..], user).await),
            _ => Ok(true), // noop `6`, pong `3`, a repeated CONNECT
        }
    }

    fn on_ack(&mut self, rest: &str) {
        let c = &self.w.c;
        let Some((id, payload)) = parse_ack(rest) else {
            c.note("unparsable_ack");
            return;
        };
        let Some((what, _)) = self.pending.remove(&id) else {
            c.note("ack_for_unknown_id");
            return;
        };
        Counters::inc(&c.acks_answered);
        Counters::sub(&c.acks_pending, 1);
        let code = error_code(&payload);
        match (what, code) {
            (AckFor::Valid, None) => Counters::inc(&c.valid_ok),
            (AckFor::Valid, Some(code)) => {
                Counters::inc(&c.valid_refused);
                c.note(&format!("valid_refused:{code}"));
                self.w.oddity(&format!(
                    "client {}: a valid event was refused: {payload}",
                    self.idx
                ));
            }
            (AckFor::Invalid(want), Some(got)) if got == want => {
                Counters::inc(&c.invalid_refused);
            }
            (AckFor::Invalid(want), Some(got)) => {
                Counters::inc(&c.invalid_other_code);
                c.note(&format!("invalid_refused_as:{want}->{got}"));
            }
            (AckFor::Invalid(want), None) => {
                Counters::inc(&c.invalid_accepted);
                self.w.oddity(&format!(
                    "client {}: an invalid event ({want} expected) was accepted: {payload}",
                    self.idx
                ));
            }
        }
    }

    /// A Socket.IO EVENT; `false` when a send it caused failed.
    async fn on_event(&mut self, rest: &str, user: &str) -> bool {
        let w = self.w;
        let slot = &w.slots[self.idx as usize];
        let Ok(Value::Array(arr)) = serde_json::from_str::<Value>(rest) else {
            w.c.note("unparsable_event");
            return true;
        };
        let arg = arr.get(1).unwrap_or(&Value::Null);
        match arr.first().and_then(Value::as_str).unwrap_or("") {
            "pong:echo" => Counters::inc(&w.c.pongs),
            "trades:subscribed" => slot.trades.set(Room::Member),
            "signals:subscribed" => slot.signals_room.set(Room::Member),
            "trades:unsubscribed" => {
                slot.trades.set(Room::Out);
                // back in at once: the room's membership churns as well
                if w.sending.get() {
                    return self.join(Which::Trades, user).await;
                }
            }
            "trade:update" => match publish_seq(arg, "tradeId", "t-") {
                Some(seq) => w.delivered(Which::Trades, seq, self.idx, slot.epoch.get()),
                None => w.c.note("trade_without_id"),
            },
            "signal:new" => match publish_seq(arg, "signalId", "sig-") {
                Some(seq) => w.delivered(Which::Signals, seq, self.idx, slot.epoch.get()),
                None => w.c.note("signal_without_id"),
            },
            "error" => {
                Counters::inc(&w.c.error_events);
            }
            other => w.c.note(&format!("unexpected_event:{other}")),
        }
        true
    }
}

/// `<id>[payload, …]` after `43`: the ack id and its first argument.
pub fn parse_ack(rest: &str) -> Option<(u64, Value)> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let id = rest[..digits].parse().ok()?;
    match serde_json::from_str::<Value>(&rest[digits..]).ok()? {
        Value::Array(mut a) if !a.is_empty() => Some((id, a.swap_remove(0))),
        _ => None,
    }
}

/// The error code of an ack payload (`{"error": {"code": …}}`); `None` for `{"ok": true}`.
/// Anything else is reported as the code `?`, so that it counts as a refusal.
pub fn error_code(payload: &Value) -> Option<String> {
    if payload.get("ok") == Some(&Value::Bool(true)) {
        return None;
    }
    Some(
        payload
            .get("error")
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
    )
}

/// The publish sequence in `payload[key]` = `<prefix><seq>`.
pub fn publish_seq(payload: &Value, key: &str, prefix: &str) -> Option<u64> {
    payload
        .get(key)?
        .as_str()?
        .strip_prefix(prefix)?
        .parse()
        .ok()
}

/// The flooder: `ping:echo` without acks at `flood_rate`/s (the server takes 100/s with a
/// burst of 200 and refuses the rest), and every `blast_every_ms` a burst of `blast_size`
/// events at once, which makes the server cut it off (ten bursts' worth refused within a
/// second); then it reconnects, as a misbehaving client would.
pub async fn flooder(
    idx: u32,
    w: Rc<World>,
    t: Rc<Target>,
    p: &'static Params,
    mut cmd: mpsc::UnboundedReceiver<Cmd>,
) {
    let slot = &w.slots[idx as usize];
    let auth = format!(r#"{{"sessionId":"{}{}"}}"#, p.session_prefix, idx + 1);
    const EV: &str = r#"42["ping:echo",{"seq":1,"sentAt":1}]"#;
    let per_tick = (p.flood_rate / 100).max(1) as usize;
    let mut rng = Rng::new(p.seed ^ 0xF100D);
    // one schedule of bursts for the whole run, whatever the reconnections
    let mut blast = timer(&mut rng, p.blast_every_ms);
    while !w.quit.get() {
        let Some(mut conn) = open(&w, &t, p, Kind::Ws, &auth).await else {
            continue;
        };
        Counters::inc(&w.c.connects);
        slot.connected.set(true);
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut blasted = false;
        let quit = loop {
            tokio::select! {
                m = conn.recv() => match m.as_deref() {
                    None | Some("1") | Some("41") => break false,
                    Some("2") => { conn.send("3".into()).await; }
                    Some(x) if x.starts_with(r#"42["error""#) && x.contains("RateLimited") => {
                        Counters::inc(&w.c.flood_rate_limited);
                    }
                    Some(_) => {}
                },
                c = cmd.recv() => match c {
                    Some(Cmd::Drop { .. }) => {}
                    Some(Cmd::Quit) | None => break true,
                },
                _ = tick.tick(), if w.sending.get() => {
                    Counters::add(&w.c.flood_sent, per_tick as u64);
                    if !conn.send_many(std::iter::repeat_n(EV.to_owned(), per_tick)).await {
                        break false;
                    }
                }
                _ = blast.tick(), if w.blasts.get() && w.sending.get() => {
                    blasted = true;
                    Counters::add(&w.c.flood_sent, p.blast_size as u64);
                    if !conn.send_many(std::iter::repeat_n(EV.to_owned(), p.blast_size)).await {
                        break false;
                    }
                }
            }
        };
        slot.ended();
        if quit {
            goodbye(&w, Kind::Ws, conn).await;
            break;
        }
        Counters::inc(&w.c.flood_cutoffs);
        if !blasted {
            w.c.note("flood_cutoff_without_burst");
        }
        drop(conn);
        sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_acks() {
        assert_eq!(
            parse_ack(r#"12[{"ok":true}]"#),
            Some((12, json!({"ok": true})))
        );
        let (id, p) = parse_ack(r#"3[{"error":{"code":"PayloadError","message":"x"}}]"#).unwrap();
        assert_eq!(id, 3);
        assert_eq!(error_code(&p).as_deref(), Some("PayloadError"));
        assert_eq!(error_code(&json!({"ok": true})), None);
        assert_eq!(error_code(&json!({"weird": 1})).as_deref(), Some("?"));
        assert_eq!(parse_ack("x[]"), None);
        assert_eq!(parse_ack("1[]"), None);
    }

    #[test]
    fn reads_publish_ids() {
        let p = json!({"tradeId": "t-42", "signalId": "sig-x"});
        assert_eq!(publish_seq(&p, "tradeId", "t-"), Some(42));
        assert_eq!(publish_seq(&p, "signalId", "sig-"), None);
        assert_eq!(publish_seq(&Value::Null, "tradeId", "t-"), None);
    }

    #[test]
    fn depth_bomb_is_deeper_than_the_limit() {
        let v: Value = serde_json::from_str(&depth_bomb()).unwrap();
        let mut d = 0;
        let mut x = &v[1];
        while let Some(inner) = x.get(0) {
            d += 1;
            x = inner;
        }
        assert!(d >= 40, "{d}");
        for (ev, _) in INVALID.iter().filter(|(e, _)| *e != "DEPTH") {
            serde_json::from_str::<Value>(ev).unwrap();
        }
    }

    #[test]
    fn rng_is_deterministic_and_bounded() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            let x = a.below(10);
            assert_eq!(x, b.below(10));
            assert!(x < 10);
        }
    }
}
