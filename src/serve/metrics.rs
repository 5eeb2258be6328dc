//! Prometheus metrics of the server (`GET /metrics`): connections, connects and disconnects,
//! events by name/direction/outcome, rejections by code, room membership, schema validation time,
//! packets that could not be handed to a socket, and for cluster nodes (`--redis`) the adapter,
//! whether Redis answers and local-only fallbacks. Names, types, labels and help are
//! `crate::vocab::metrics`' (the docs' table is built from the same list).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Metric, Registry};

use crate::vocab::metrics::{self as vocab, MetricDef};

/// Label set: `(name, value)` pairs.
pub type Labels = Vec<(&'static str, String)>;

/// Every metric, registered once.
pub struct Metrics {
    registry: Registry,
    /// Sockets connected now, by namespace.
    pub connections: Family<Labels, Gauge>,
    /// Accepted connections, by namespace.
    pub connects: Family<Labels, Counter>,
    /// Disconnections, by reason.
    pub disconnects: Family<Labels, Counter>,
    /// Events by `event`, `direction` (c2s/s2c) and `outcome` (accepted/rejected/published).
    pub events: Family<Labels, Counter>,
    /// Errors sent to clients or publishers, by `code` (connect refusals included).
    pub rejections: Family<Labels, Counter>,
    /// Socket memberships of catalogued rooms, by room template.
    pub room_members: Family<Labels, Gauge>,
    /// Time spent validating one event's arguments, in seconds.
    pub validation: Histogram,
    /// `evdoc_adapter_info{adapter="local"|"redis"} 1`.
    pub adapter: Family<Labels, Gauge>,
    /// 1 when Redis answered the last health check (cluster nodes; 0 otherwise).
    pub redis_up: Gauge,
    /// Broadcasts that reached this node's sockets only, because Redis refused them.
    pub local_fallbacks: Counter,
    /// Packets not handed to a socket, by `event`, `kind` (`event` or `ack`) and `reason`
    /// (`queue_full`: a client that does not read as fast as it is sent to; `closed`).
    pub dropped: Family<Labels, Counter>,
    /// Browser requests refused for their `Origin`, by `reason`.
    pub origins_refused: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Register `metric` under `def`'s name and help.
fn add(registry: &mut Registry, def: &MetricDef, metric: impl Metric) {
    // The client ends the help with its own full stop.
    let help = def.help.strip_suffix('.').unwrap_or(def.help);
    registry.register(def.name, help, metric);
}

impl Metrics {
    /// Create and register every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix(vocab::PREFIX);
        let m = Metrics {
            connections: Family::default(),
            connects: Family::default(),
            disconnects: Family::default(),
            events: Family::default(),
            rejections: Family::default(),
            room_members: Family::default(),
            // 1 µs … ~32 ms
            validation: Histogram::new(exponential_buckets(1e-6, 2.0, 16)),
            adapter: Family::default(),
            redis_up: Gauge::default(),
            local_fallbacks: Counter::default(),
            dropped: Family::default(),
            origins_refused: Family::default(),
            registry: Registry::default(),
        };
        add(&mut registry, &vocab::CONNECTIONS, m.connections.clone());
        add(&mut registry, &vocab::CONNECTS, m.connects.clone());
        add(&mut registry, &vocab::DISCONNECTS, m.disconnects.clone());
        add(&mut registry, &vocab::EVENTS, m.events.clone());
        add(&mut registry, &vocab::REJECTIONS, m.rejections.clone());
        add(&mut registry, &vocab::ROOM_MEMBERS, m.room_members.clone());
        add(
            &mut registry,
            &vocab::VALIDATION_SECONDS,
            m.validation.clone(),
        );
        add(&mut registry, &vocab::ADAPTER_INFO, m.adapter.clone());
        add(&mut registry, &vocab::REDIS_UP, m.redis_up.clone());
        add(
            &mut registry,
            &vocab::BROADCAST_LOCAL_FALLBACKS,
            m.local_fallbacks.clone(),
        );
        add(&mut registry, &vocab::DELIVERIES_DROPPED, m.dropped.clone());
        add(
            &mut registry,
            &vocab::ORIGINS_REFUSED,
            m.origins_refused.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Record the adapter in use.
    pub fn adapter_info(&self, kind: &str) {
        self.adapter
            .get_or_create(&vec![("adapter", kind.to_string())])
            .set(1);
    }

    /// The counter of one event/direction/outcome (cheap to clone and keep).
    pub fn event_counter(&self, event: &str, direction: &str, outcome: &str) -> Counter {
        self.events.get_or_create_owned(&vec![
            ("event", event.to_string()),
            ("direction", direction.to_string()),
            ("outcome", outcome.to_string()),
        ])
    }

    /// Count one rejection.
    pub fn reject(&self, code: &str) {
        self.rejections
            .get_or_create(&vec![("code", code.to_string())])
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// `# TYPE` and `# HELP` of every family in the exposition, by family name.
    fn families(text: &str) -> BTreeMap<String, (String, String)> {
        let mut out: BTreeMap<String, (String, String)> = BTreeMap::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                out.entry(name.into()).or_default().0 = kind.into();
            } else if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("# HELP name text");
                out.entry(name.into()).or_default().1 = help.into();
            }
        }
        out
    }

    /// A series with `def`'s label names.
    fn labels(def: &MetricDef) -> Labels {
        def.labels.iter().map(|l| (*l, "x".to_string())).collect()
    }

    /// Metrics with a series in every family (the exposition leaves empty families out): the
    /// helpers where they exist, otherwise the listed labels. The pattern names every field, so
    /// a new metric does not compile here until it is given a series.
    fn populated() -> Metrics {
        let m = Metrics::new();
        let Metrics {
            registry: _,
            connections,
            connects,
            disconnects,
            events: _,
            rejections: _,
            room_members,
            validation,
            adapter: _,
            redis_up,
            local_fallbacks,
            dropped,
            origins_refused,
        } = &m;
        origins_refused
            .get_or_create(&labels(&vocab::ORIGINS_REFUSED))
            .inc();
        connections
            .get_or_create(&labels(&vocab::CONNECTIONS))
            .inc();
        connects.get_or_create(&labels(&vocab::CONNECTS)).inc();
        disconnects
            .get_or_create(&labels(&vocab::DISCONNECTS))
            .inc();
        room_members
            .get_or_create(&labels(&vocab::ROOM_MEMBERS))
            .inc();
        dropped
            .get_or_create(&labels(&vocab::DELIVERIES_DROPPED))
            .inc();
        validation.observe(1e-5);
        redis_up.set(1);
        local_fallbacks.inc();
        m.event_counter("order:place", "c2s", "accepted").inc();
        m.reject("PayloadError");
        m.adapter_info("local");
        m
    }

    #[test]
    fn the_registry_is_the_vocabulary_list() {
        let exported = families(&populated().render());
        let listed: BTreeMap<String, (String, String)> = vocab::ALL
            .iter()
            .map(|d| {
                let help = d.help.replace('\\', "\\\\").replace('\n', "\\n");
                (d.family_name(), (d.kind.as_str().to_owned(), help))
            })
            .collect();
        assert_eq!(exported, listed);
    }

    #[test]
    fn series_carry_the_listed_labels() {
        let text = populated().render();
        let mut checked = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (series, labels) = match line.split_once('{') {
                Some((series, rest)) => (series, rest.split_once('}').map_or("", |(l, _)| l)),
                None => (line.split_once(' ').map_or(line, |(s, _)| s), ""),
            };
            let def = vocab::ALL
                .iter()
                .find(|d| {
                    let name = d.promql_name();
                    series == name
                        || (d.kind == vocab::MetricKind::Histogram
                            && ["_bucket", "_sum", "_count"]
                                .iter()
                                .any(|s| series.strip_suffix(s) == Some(name.as_str())))
                })
                .unwrap_or_else(|| panic!("{series} is not in vocab::metrics::ALL"));
            let names: Vec<&str> = labels
                .split("\",")
                .filter_map(|kv| kv.split_once('=').map(|(k, _)| k))
                .filter(|k| *k != "le")
                .collect();
            assert_eq!(names, def.labels, "{line}");
            checked += 1;
        }
        assert!(checked >= vocab::ALL.len(), "{text}");
    }
}
