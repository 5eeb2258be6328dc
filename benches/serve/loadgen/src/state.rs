//! State shared by the subscriber tasks, the publisher tasks and the driver. Everything runs on
//! one thread (a current-thread runtime with a `LocalSet`: the load generator is pinned to one
//! CPU), so plain `Cell`/`RefCell` suffice and no delivery pays for an atomic or a lock.

use crate::stats::Samples;
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::time::Instant;

/// What the driver tells every subscriber task (through a `watch` channel).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    Connecting,
    /// emit `subscribe:signals` once
    Subscribe,
    /// disconnect: Socket.IO DISCONNECT, then a WebSocket close
    Close,
}

/// The outcome of the connect phase, frozen when it completes (loadgen.js `connectAll`).
#[derive(Clone, Copy)]
pub struct ConnectOutcome {
    pub connected: usize,
    pub failed: usize,
    pub at_ms: f64,
}

pub struct Shared {
    base: Instant,
    pub clients: usize,
    pub finished: Cell<bool>,
    errors: RefCell<Map<String, Value>>,

    // connect phase
    pub connect_t0: Cell<f64>,
    pub pending: Cell<usize>,
    pub connected: Cell<usize>,
    pub failed: Cell<usize>,
    pub connect_outcome: Cell<Option<ConnectOutcome>>,
    pub conn_lat: RefCell<Samples>,
    /// WebSocket connections currently open (for the bounded close at the end)
    pub open: Cell<usize>,

    // fan-out
    pub subscribed: Cell<usize>,
    /// publish time (ms on `now()`) per signal seq; NaN = not published
    pub pub_times: RefCell<Vec<f64>>,
    pub max_publishes: usize,
    pub lat: RefCell<Samples>,
    pub delivered: Cell<u64>,
    pub last_delivery: Cell<Option<f64>>,
    pub unknown_signals: Cell<u64>,
}

impl Shared {
    pub fn new(clients: usize, max_publishes: usize) -> Self {
        let lat_cap = ((max_publishes * clients) as f64 * 1.02).ceil() as usize + 100;
        Shared {
            base: Instant::now(),
            clients,
            finished: Cell::new(false),
            errors: RefCell::new(Map::new()),
            connect_t0: Cell::new(0.0),
            pending: Cell::new(0),
            connected: Cell::new(0),
            failed: Cell::new(0),
            connect_outcome: Cell::new(None),
            conn_lat: RefCell::new(Samples::new(clients)),
            open: Cell::new(0),
            subscribed: Cell::new(0),
            pub_times: RefCell::new(vec![f64::NAN; max_publishes + 1]),
            max_publishes,
            lat: RefCell::new(Samples::new(lat_cap)),
            delivered: Cell::new(0),
            last_delivery: Cell::new(None),
            unknown_signals: Cell::new(0),
        }
    }

    /// Monotonic milliseconds since start (loadgen.js `performance.now()`).
    pub fn now(&self) -> f64 {
        self.base.elapsed().as_secs_f64() * 1000.0
    }

    /// Count one occurrence of `key` in the result's `errors` object.
    pub fn bump(&self, key: &str) {
        self.bump_by(key, 1);
    }

    pub fn bump_by(&self, key: &str, n: u64) {
        let mut e = self.errors.borrow_mut();
        let v = e.get(key).and_then(Value::as_u64).unwrap_or(0) + n;
        e.insert(key.to_owned(), Value::from(v));
    }

    pub fn errors(&self) -> Value {
        Value::Object(self.errors.borrow().clone())
    }

    /// A `signal:new` with signalId `sig-<seq>` arrived at time `t` (loadgen.js `onSignal`).
    pub fn on_signal(&self, t: f64, seq: Option<u64>) {
        let sent = seq
            .filter(|&s| s < self.max_publishes as u64)
            .and_then(|s| {
                let p = self.pub_times.borrow()[s as usize];
                (!p.is_nan()).then_some(p)
            });
        match sent {
            Some(p) => {
                self.lat.borrow_mut().push(t - p);
                self.delivered.set(self.delivered.get() + 1);
                self.last_delivery.set(Some(t));
            }
            None => self.unknown_signals.set(self.unknown_signals.get() + 1),
        }
    }

    /// Close the connect phase (first call wins), as loadgen.js `connectAll`'s `complete`.
    pub fn complete_connect(&self) {
        if self.connect_outcome.get().is_none() {
            self.connect_outcome.set(Some(ConnectOutcome {
                connected: self.connected.get(),
                failed: self.failed.get(),
                at_ms: self.now(),
            }));
        }
    }

    pub fn connect_done(&self) -> bool {
        self.connect_outcome.get().is_some()
    }

    /// Every requested client has either connected or failed.
    pub fn check_all_settled(&self) {
        if self.connected.get() + self.failed.get() == self.clients {
            self.complete_connect();
        }
    }
}
