//! What the client tasks, the publishers, the sampler and the driver share: one slot per client
//! (its connection and room state), the run's counters, and the ledger of publishes waiting
//! for their deliveries. Everything runs on one thread (a current-thread runtime with a
//! `LocalSet`), so `Cell`/`RefCell` suffice.

use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Instant;

/// The transport a client connects with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// WebSocket from the first request (socket.io-client with `transports: ["websocket"]`).
    Ws,
    /// HTTP long-polling only (`transports: ["polling"]`).
    Poll,
    /// Polling handshake, then upgraded to a WebSocket (socket.io-client's default).
    Upgrade,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ws => "websocket",
            Kind::Poll => "polling",
            Kind::Upgrade => "polling+upgrade",
        }
    }
}

/// Where a client stands with one room, from what the server told it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Room {
    Out,
    /// subscribe sent, reply not yet received
    Joining,
    /// the subscription reply arrived: the server has joined the socket to the room
    Member,
    /// unsubscribe sent, reply not yet received
    Leaving,
}

/// The two rooms of benches/serve/catalog.yaml the clients join.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Which {
    /// `user:{userId}` (`subscribe:trades`, access `self`), fed by `trade:update` publishes
    Trades,
    /// `signals` (`subscribe:signals`), fed by `signal:new` publishes
    Signals,
}

/// One client's state as the rest of the run sees it.
pub struct Slot {
    pub kind: Kind,
    /// index into the user table: the client authenticates as `u-<user>`
    pub user: usize,
    /// whether this client subscribes to `signals`
    pub signals: bool,
    /// bumped each time a connection of this client ends: a publish expected on one
    /// connection is excused when that connection is gone by the time it is checked
    pub epoch: Cell<u32>,
    pub connected: Cell<bool>,
    /// when the current connection was made (ms on `World::now`)
    pub since: Cell<f64>,
    pub trades: Cell<Room>,
    pub signals_room: Cell<Room>,
    /// whether the current connection ever asked to join the room (a delivery to a connection
    /// that never did is a stray)
    pub asked_trades: Cell<bool>,
    pub asked_signals: Cell<bool>,
}

impl Slot {
    pub fn new(kind: Kind, user: usize, signals: bool) -> Self {
        Slot {
            kind,
            user,
            signals,
            epoch: Cell::new(0),
            connected: Cell::new(false),
            since: Cell::new(0.0),
            trades: Cell::new(Room::Out),
            signals_room: Cell::new(Room::Out),
            asked_trades: Cell::new(false),
            asked_signals: Cell::new(false),
        }
    }

    pub fn room(&self, w: Which) -> &Cell<Room> {
        match w {
            Which::Trades => &self.trades,
            Which::Signals => &self.signals_room,
        }
    }

    pub fn asked(&self, w: Which) -> &Cell<bool> {
        match w {
            Which::Trades => &self.asked_trades,
            Which::Signals => &self.asked_signals,
        }
    }

    /// A new connection: no rooms yet.
    pub fn reset_rooms(&self) {
        for w in [Which::Trades, Which::Signals] {
            self.room(w).set(Room::Out);
            self.asked(w).set(false);
        }
    }

    /// The connection ended.
    pub fn ended(&self) {
        self.connected.set(false);
        self.epoch.set(self.epoch.get().wrapping_add(1));
        self.reset_rooms();
    }
}

/// The run's counters. Plain numbers; `detail` keeps the breakdowns (by error code, reason).
#[derive(Default)]
pub struct Counters {
    pub connects: Cell<u64>,
    pub reconnects: Cell<u64>,
    pub connect_failures: Cell<u64>,
    /// connections the server or the transport ended without the client (or its flooding) asking
    pub unexpected_disconnects: Cell<u64>,
    pub churn_drops: Cell<u64>,
    /// goodbyes the server may not have received (see `Conn::close`)
    pub close_unconfirmed: Cell<u64>,
    pub upgrades: Cell<u64>,

    pub acks_sent: Cell<u64>,
    pub acks_answered: Cell<u64>,
    /// acks in flight when their client dropped on purpose (churn): not answerable
    pub acks_abandoned: Cell<u64>,
    /// acks in flight when a connection ended unexpectedly
    pub acks_lost: Cell<u64>,
    /// acks not answered within the ack timeout on a connection that stayed up
    pub acks_unanswered: Cell<u64>,
    pub acks_pending: Cell<u64>,
    pub valid_sent: Cell<u64>,
    pub valid_ok: Cell<u64>,
    /// a valid event answered with an error
    pub valid_refused: Cell<u64>,
    pub pongs: Cell<u64>,

    pub invalid_sent: Cell<u64>,
    /// refused with the expected error code
    pub invalid_refused: Cell<u64>,
    /// refused, but with another code than expected
    pub invalid_other_code: Cell<u64>,
    /// answered `{"ok": true}`: the server let an invalid payload through
    pub invalid_accepted: Cell<u64>,
    pub error_events: Cell<u64>,

    pub flood_sent: Cell<u64>,
    pub flood_rate_limited: Cell<u64>,
    pub flood_cutoffs: Cell<u64>,

    pub publishes: Cell<u64>,
    pub publish_failed: Cell<u64>,
    pub deliveries_expected: Cell<u64>,
    pub deliveries: Cell<u64>,
    /// expected on a connection that ended before the check: excused
    pub deliveries_excused: Cell<u64>,
    /// expected on a connection still up at the check, never received
    pub deliveries_missing: Cell<u64>,
    /// delivered to a connection that never asked to join the room
    pub deliveries_stray: Cell<u64>,
    /// received after their publish was checked (already counted missing), or unknown ids
    pub deliveries_late: Cell<u64>,
    /// delivered to a member that joined after the publish was sent (fine, counted apart)
    pub deliveries_extra: Cell<u64>,

    detail: RefCell<Map<String, Value>>,
}

impl Counters {
    pub fn inc(c: &Cell<u64>) {
        c.set(c.get() + 1);
    }

    pub fn add(c: &Cell<u64>, n: u64) {
        c.set(c.get() + n);
    }

    pub fn sub(c: &Cell<u64>, n: u64) {
        c.set(c.get().saturating_sub(n));
    }

    /// Count one occurrence of `key` in the breakdown.
    pub fn note(&self, key: &str) {
        let mut d = self.detail.borrow_mut();
        let v = d.get(key).and_then(Value::as_u64).unwrap_or(0) + 1;
        d.insert(key.to_owned(), Value::from(v));
    }

    pub fn detail(&self) -> Value {
        Value::Object(self.detail.borrow().clone())
    }
}

/// A publish waiting for its deliveries: who was a member of the room when it was sent.
pub struct Pending {
    pub which: Which,
    /// (client, epoch) sorted by client
    pub expected: Vec<(u32, u32)>,
    pub got: Vec<bool>,
    /// when the HTTP answer came (ms on `World::now`); `None` while in flight
    pub answered_at: Option<f64>,
    pub sent_at: f64,
    /// the HTTP answer was not 202: nothing was expected to arrive
    pub failed: bool,
}

/// The result of checking one publish.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub delivered: u64,
    pub excused: u64,
    pub missing: u64,
}

impl Pending {
    /// Which expected deliveries arrived, and which did not on a connection still the same.
    pub fn outcome(&self, epoch_of: impl Fn(u32) -> u32) -> Outcome {
        let mut o = Outcome::default();
        for ((idx, epoch), got) in self.expected.iter().zip(&self.got) {
            if *got {
                o.delivered += 1;
            } else if epoch_of(*idx) != *epoch {
                o.excused += 1;
            } else {
                o.missing += 1;
            }
        }
        o
    }
}

/// The shared state.
pub struct World {
    base: Instant,
    pub slots: Vec<Slot>,
    /// slots by user (`u-<i>`: the members of room `user:u-<i>`)
    pub by_user: Vec<Vec<u32>>,
    pub c: Counters,
    pub pending: RefCell<HashMap<u64, Pending>>,
    /// new valid and invalid events go out only while this is set (cleared for the final drain)
    pub sending: Cell<bool>,
    /// whether the driver lets clients be dropped on purpose (cleared at checkpoints)
    pub churn: Cell<bool>,
    /// whether the flooder may send its bursts that get it cut off (cleared at checkpoints)
    pub blasts: Cell<bool>,
    /// the run is over: clients close and stop reconnecting
    pub quit: Cell<bool>,
    /// log the first few unexpected things in full (then only count them)
    logged: Cell<u32>,
}

impl World {
    pub fn new(slots: Vec<Slot>, users: usize) -> Self {
        let mut by_user = vec![Vec::new(); users];
        for (i, s) in slots.iter().enumerate() {
            by_user[s.user].push(i as u32);
        }
        World {
            base: Instant::now(),
            slots,
            by_user,
            c: Counters::default(),
            pending: RefCell::new(HashMap::new()),
            sending: Cell::new(true),
            churn: Cell::new(true),
            blasts: Cell::new(true),
            quit: Cell::new(false),
            logged: Cell::new(0),
        }
    }

    /// Monotonic milliseconds since the start of the run.
    pub fn now(&self) -> f64 {
        self.base.elapsed().as_secs_f64() * 1000.0
    }

    /// Log an unexpected event, the first 20 in full.
    pub fn oddity(&self, msg: &str) {
        let n = self.logged.get();
        if n < 20 {
            eprintln!("[evdoc-soak] {msg}");
        } else if n == 20 {
            eprintln!("[evdoc-soak] (further oddities only counted)");
        }
        self.logged.set(n + 1);
    }

    /// The connected members of a room now, as (client, epoch), sorted by client.
    pub fn members(&self, which: Which, user: usize) -> Vec<(u32, u32)> {
        let member = |i: u32| {
            let s = &self.slots[i as usize];
            (s.connected.get() && s.room(which).get() == Room::Member).then(|| (i, s.epoch.get()))
        };
        match which {
            Which::Trades => self.by_user[user]
                .iter()
                .copied()
                .filter_map(member)
                .collect(),
            Which::Signals => (0..self.slots.len() as u32)
                .filter(|&i| self.slots[i as usize].signals)
                .filter_map(member)
                .collect(),
        }
    }

    /// A publish `seq` of `which` arrived at client `idx` on its connection `epoch`.
    pub fn delivered(&self, which: Which, seq: u64, idx: u32, epoch: u32) {
        let slot = &self.slots[idx as usize];
        if !slot.asked(which).get() {
            Counters::inc(&self.c.deliveries_stray);
            self.oddity(&format!(
                "stray delivery: publish {seq} ({which:?}) reached client {idx}, which never asked to join"
            ));
            return;
        }
        let mut pending = self.pending.borrow_mut();
        let Some(p) = pending.get_mut(&seq).filter(|p| p.which == which) else {
            Counters::inc(&self.c.deliveries_late);
            return;
        };
        match p.expected.binary_search_by_key(&idx, |e| e.0) {
            Ok(i) if p.expected[i].1 == epoch && !p.got[i] => p.got[i] = true,
            Ok(i) if p.expected[i].1 == epoch => {
                drop(pending);
                self.c.note("duplicate_delivery");
            }
            _ => Counters::inc(&self.c.deliveries_extra),
        }
    }

    /// Check every publish answered at least `grace_ms` ago (all of them with `all`): count its
    /// deliveries, excused and missing ones, and forget it.
    pub fn check_publishes(&self, grace_ms: f64, all: bool) {
        let now = self.now();
        let mut pending = self.pending.borrow_mut();
        let due: Vec<u64> = pending
            .iter()
            .filter(|(_, p)| {
                all || p.answered_at.is_some_and(|t| now - t >= grace_ms)
                    // an HTTP request that never came back (10 s timeout) is answered as failed
                    || now - p.sent_at >= grace_ms + 15_000.0
            })
            .map(|(k, _)| *k)
            .collect();
        for seq in due {
            let p = pending.remove(&seq).expect("listed above");
            if p.failed || p.answered_at.is_none() {
                continue;
            }
            let o = p.outcome(|i| self.slots[i as usize].epoch.get());
            Counters::add(&self.c.deliveries, o.delivered);
            Counters::add(&self.c.deliveries_excused, o.excused);
            Counters::add(&self.c.deliveries_missing, o.missing);
            if o.missing > 0 {
                let who: Vec<String> = p
                    .expected
                    .iter()
                    .zip(&p.got)
                    .filter(|((i, e), got)| !**got && self.slots[*i as usize].epoch.get() == *e)
                    .map(|((i, _), _)| {
                        let s = &self.slots[*i as usize];
                        format!(
                            "client {i} ({}, connected {:.1} s before the publish)",
                            s.kind.as_str(),
                            (p.sent_at - s.since.get()) / 1000.0
                        )
                    })
                    .collect();
                self.oddity(&format!(
                    "publish {seq} ({:?}, sent at t={:.1} s): {} of {} connected members did not receive it: {}",
                    p.which,
                    p.sent_at / 1000.0,
                    o.missing,
                    p.expected.len(),
                    who.join(", ")
                ));
            }
        }
    }

    /// Clients connected now.
    pub fn connected(&self) -> usize {
        self.slots.iter().filter(|s| s.connected.get()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        // four clients, two users: 0 and 2 are u-0, 1 and 3 are u-1; 0 and 1 take signals
        let slots = (0..4).map(|i| Slot::new(Kind::Ws, i % 2, i < 2)).collect();
        World::new(slots, 2)
    }

    fn join(w: &World, i: usize, which: Which) {
        let s = &w.slots[i];
        s.connected.set(true);
        s.asked(which).set(true);
        s.room(which).set(Room::Member);
    }

    #[test]
    fn members_are_connected_clients_whose_join_was_answered() {
        let w = world();
        join(&w, 0, Which::Trades);
        join(&w, 2, Which::Trades);
        w.slots[2].room(Which::Trades).set(Room::Joining);
        join(&w, 1, Which::Signals);
        assert_eq!(w.members(Which::Trades, 0), vec![(0, 0)]);
        assert_eq!(w.members(Which::Trades, 1), vec![]);
        assert_eq!(w.members(Which::Signals, 0), vec![(1, 0)]);
    }

    #[test]
    fn a_publish_is_missing_only_on_a_connection_still_up() {
        let w = world();
        for i in [0, 2] {
            join(&w, i, Which::Trades);
        }
        let expected = w.members(Which::Trades, 0);
        w.pending.borrow_mut().insert(
            7,
            Pending {
                which: Which::Trades,
                got: vec![false; expected.len()],
                expected,
                answered_at: Some(0.0),
                sent_at: 0.0,
                failed: false,
            },
        );
        w.delivered(Which::Trades, 7, 0, 0);
        w.delivered(Which::Trades, 8, 0, 0); // unknown publish
        w.delivered(Which::Signals, 7, 3, 0); // 3 never asked for signals
        w.check_publishes(0.0, true);
        assert_eq!(w.c.deliveries.get(), 1);
        assert_eq!(w.c.deliveries_missing.get(), 1);
        assert_eq!(w.c.deliveries_late.get(), 1);
        assert_eq!(w.c.deliveries_stray.get(), 1);

        let p = Pending {
            which: Which::Trades,
            expected: vec![(0, 0), (2, 0)],
            got: vec![true, false],
            answered_at: Some(0.0),
            sent_at: 0.0,
            failed: false,
        };
        // client 2's connection ended since: excused, not missing
        let o = p.outcome(|i| if i == 2 { 1 } else { 0 });
        assert_eq!(
            o,
            Outcome {
                delivered: 1,
                excused: 1,
                missing: 0
            }
        );
    }
}
