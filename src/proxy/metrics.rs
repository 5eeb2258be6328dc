//! Prometheus metrics of the proxy (`GET /metrics`): pairs open, events and acks relayed by
//! event, direction and outcome, violations by code, and the upstream's timings. Names, types,
//! labels and help are `crate::vocab::metrics`' (`PROXY_*`), as serve's are.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Metric, Registry};

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::validate::Breach;
use crate::vocab::metrics::{self as vocab, MetricDef};
use crate::vocab::Direction;

/// Label set: `(name, value)` pairs.
pub type Labels = Vec<(&'static str, String)>;

/// The event label of names the catalog does not have.
pub const UNKNOWN: &str = "(unknown)";

/// What became of one event or ack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Kept the catalog; relayed.
    Valid,
    /// Broke the catalog; relayed (observe mode).
    Relayed,
    /// A client's packet that broke the catalog, answered with an error instead (enforce).
    Refused,
    /// An upstream packet that broke the catalog, not delivered (enforce).
    Dropped,
}

impl Outcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Relayed => "relayed",
            Outcome::Refused => "refused",
            Outcome::Dropped => "dropped",
        }
    }
}

/// The counters of one event label, by direction and outcome, made on first use: the relay
/// counts every packet, and looking a counter up by a label set costs three allocations and a
/// lock each time.
#[derive(Default)]
struct Slots([OnceLock<Counter>; 8]);

/// Every metric of the proxy, registered once.
pub struct Metrics {
    registry: Registry,
    /// Counters by event label (the catalog's names, and `(unknown)`).
    slots: HashMap<String, Slots>,
    /// Paired sessions now.
    pub pairs: Gauge,
    events: Family<Labels, Counter>,
    violations: Family<Labels, Counter>,
    /// Time to open an upstream session.
    pub upstream_open: Histogram,
    /// Round trip of a client event through the upstream to its ack.
    pub upstream_ack: Histogram,
    /// Upstream sessions not opened, or ended before the client's.
    pub upstream_failures: Counter,
    /// Upstream packets a client did not get (queue full, or gone).
    pub undelivered: Counter,
    /// Clients cut off for sending faster than the upstream takes it.
    pub backlog_closes: Counter,
}

fn add(registry: &mut Registry, def: &MetricDef, metric: impl Metric) {
    let help = def.help.strip_suffix('.').unwrap_or(def.help);
    registry.register(def.name, help, metric);
}

impl Metrics {
    /// Create and register every metric, for a catalog with `events`; every violation code
    /// starts at 0 in both directions.
    pub fn new<'a>(events: impl IntoIterator<Item = &'a str>) -> Metrics {
        let mut registry = Registry::with_prefix(vocab::PREFIX);
        // 100 µs … ~3.3 s
        let buckets = || exponential_buckets(1e-4, 2.0, 16);
        let m = Metrics {
            registry: Registry::default(),
            slots: events
                .into_iter()
                .chain([UNKNOWN])
                .map(|e| (e.to_owned(), Slots::default()))
                .collect(),
            pairs: Gauge::default(),
            events: Family::default(),
            violations: Family::default(),
            upstream_open: Histogram::new(buckets()),
            upstream_ack: Histogram::new(buckets()),
            upstream_failures: Counter::default(),
            undelivered: Counter::default(),
            backlog_closes: Counter::default(),
        };
        add(&mut registry, &vocab::PROXY_PAIRS, m.pairs.clone());
        add(&mut registry, &vocab::PROXY_EVENTS, m.events.clone());
        add(
            &mut registry,
            &vocab::PROXY_VIOLATIONS,
            m.violations.clone(),
        );
        add(
            &mut registry,
            &vocab::PROXY_UPSTREAM_OPEN_SECONDS,
            m.upstream_open.clone(),
        );
        add(
            &mut registry,
            &vocab::PROXY_UPSTREAM_ACK_SECONDS,
            m.upstream_ack.clone(),
        );
        add(
            &mut registry,
            &vocab::PROXY_UPSTREAM_FAILURES,
            m.upstream_failures.clone(),
        );
        add(
            &mut registry,
            &vocab::PROXY_UNDELIVERED,
            m.undelivered.clone(),
        );
        add(
            &mut registry,
            &vocab::PROXY_BACKLOG_CLOSES,
            m.backlog_closes.clone(),
        );
        for code in Breach::ALL {
            for d in [Direction::C2s, Direction::S2c] {
                let _ = m.violations.get_or_create(&labels_of(code, d));
            }
        }
        Metrics { registry, ..m }
    }

    /// Count one event or ack (`event` is a catalog name; any other counts as `(unknown)`).
    pub fn event(&self, event: &str, direction: Direction, outcome: Outcome) {
        let (label, slots) = match self.slots.get_key_value(event) {
            Some((label, slots)) => (label.as_str(), slots),
            None => (UNKNOWN, &self.slots[UNKNOWN]),
        };
        let i = usize::from(direction == Direction::S2c) * 4 + outcome as usize;
        slots.0[i]
            .get_or_init(|| {
                self.events.get_or_create_owned(&vec![
                    ("event", label.to_owned()),
                    ("direction", direction.as_str().to_owned()),
                    ("outcome", outcome.as_str().to_owned()),
                ])
            })
            .inc();
    }

    /// Count one violation.
    pub fn violation(&self, code: Breach, direction: Direction) {
        self.violations
            .get_or_create(&labels_of(code, direction))
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }
}

fn labels_of(code: Breach, direction: Direction) -> Labels {
    vec![
        ("code", code.as_str().to_owned()),
        ("direction", direction.as_str().to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_of_the_vocabulary_is_exported() {
        let m = Metrics::new(["x"]);
        // A family without a series is not written at all.
        m.event("x", Direction::C2s, Outcome::Valid);
        m.event("x", Direction::C2s, Outcome::Valid);
        m.event("nope", Direction::S2c, Outcome::Dropped);
        let text = m.render();
        assert!(text.contains(
            "evdoc_proxy_events_total{event=\"x\",direction=\"c2s\",outcome=\"valid\"} 2"
        ));
        assert!(text.contains(
            "evdoc_proxy_events_total{event=\"(unknown)\",direction=\"s2c\",outcome=\"dropped\"} 1"
        ));
        for def in vocab::PROXY_ALL {
            let line = format!("# TYPE {} {}", def.family_name(), def.kind.as_str());
            assert!(text.contains(&line), "{line} missing from:\n{text}");
        }
    }
}
