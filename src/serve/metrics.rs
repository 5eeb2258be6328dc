//! Prometheus metrics of the server (`GET /metrics`): connections, connects and disconnects,
//! events by name/direction/outcome, rejections by code, room membership, validation latency,
//! packets that could not be handed to a socket, and for cluster nodes (`--redis`) the adapter,
//! whether Redis answers and local-only fallbacks.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

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
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Create and register every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("evdoc");
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
            registry: Registry::default(),
        };
        registry.register(
            "connections",
            "Sockets connected now",
            m.connections.clone(),
        );
        registry.register("connects", "Accepted connections", m.connects.clone());
        registry.register(
            "disconnects",
            "Disconnections by reason",
            m.disconnects.clone(),
        );
        registry.register(
            "events",
            "Events by name, direction and outcome",
            m.events.clone(),
        );
        registry.register("rejections", "Errors by code", m.rejections.clone());
        registry.register(
            "room_members",
            "Socket memberships of catalogued rooms, by room template",
            m.room_members.clone(),
        );
        registry.register(
            "validation_seconds",
            "Schema validation time per event",
            m.validation.clone(),
        );
        registry.register(
            "adapter_info",
            "Socket.IO adapter in use (local: one node; redis: cluster through Redis)",
            m.adapter.clone(),
        );
        registry.register(
            "redis_up",
            "1 when Redis answered the last health check (cluster nodes only)",
            m.redis_up.clone(),
        );
        registry.register(
            "broadcast_local_fallbacks",
            "Broadcasts delivered to this node's sockets only because Redis failed",
            m.local_fallbacks.clone(),
        );
        registry.register(
            "deliveries_dropped",
            "Packets not handed to a socket because its outgoing queue was full (a client that \
             does not read fast enough) or it had closed, by event, kind and reason",
            m.dropped.clone(),
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
