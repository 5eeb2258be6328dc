//! The metrics `evdoc serve` exports on `GET /metrics`, in one list: serve registers each family
//! under the name and help written here, and render builds the monitoring page's table from the
//! same list, so a metric cannot be renamed, added or dropped in one place only (a serve unit
//! test compares the registry with [`ALL`]). Alerts, in the catalog and the default ones, are
//! written against [`MetricDef::promql_name`].

/// Prefix of every family (`evdoc_…`).
pub const PREFIX: &str = "evdoc";

/// The Prometheus type of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Gauge,
    Counter,
    Histogram,
}

impl MetricKind {
    /// The type as the exposition's `# TYPE` line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Gauge => "gauge",
            MetricKind::Counter => "counter",
            MetricKind::Histogram => "histogram",
        }
    }
}

/// One metric family.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    /// The name registered, without the prefix (and without the `_total` of counter samples).
    pub name: &'static str,
    pub kind: MetricKind,
    /// Label names, in the order serve sets them; empty for a single series.
    pub labels: &'static [&'static str],
    /// What it measures: the `# HELP` line and the docs' "meaning" column. One or more
    /// sentences, the last ending with a full stop (the Prometheus client adds its own, so serve
    /// strips it).
    pub help: &'static str,
}

impl MetricDef {
    /// The family name in the exposition's `# TYPE` and `# HELP` lines: `evdoc_connects`.
    pub fn family_name(&self) -> String {
        format!("{PREFIX}_{}", self.name)
    }

    /// The name queries use: counters' samples carry `_total` (`evdoc_connects_total`);
    /// a histogram's are this name plus `_bucket`, `_sum` and `_count`.
    pub fn promql_name(&self) -> String {
        match self.kind {
            MetricKind::Counter => format!("{PREFIX}_{}_total", self.name),
            MetricKind::Gauge | MetricKind::Histogram => self.family_name(),
        }
    }
}

pub const CONNECTIONS: MetricDef = MetricDef {
    name: "connections",
    kind: MetricKind::Gauge,
    labels: &["namespace"],
    help:
        "Sockets connected now, by namespace (a client connected to two namespaces counts twice).",
};

pub const CONNECTS: MetricDef = MetricDef {
    name: "connects",
    kind: MetricKind::Counter,
    labels: &["namespace"],
    help: "Accepted connections, by namespace; its rate is the connection rate.",
};

pub const DISCONNECTS: MetricDef = MetricDef {
    name: "disconnects",
    kind: MetricKind::Counter,
    labels: &["reason"],
    help: "Disconnections by reason, in Socket.IO's words (`transport close`, `transport error`, \
           `ping timeout`, `parse error`, `client namespace disconnect`, `server namespace \
           disconnect`, `server shutting down`); the involuntary ones are followed by a reconnection.",
};

pub const EVENTS: MetricDef = MetricDef {
    name: "events",
    kind: MetricKind::Counter,
    labels: &["event", "direction", "outcome"],
    help: "Events by name, `direction` (`c2s`, `s2c`) and `outcome`: `accepted` or `rejected` \
           for client events (unknown ones as event `<unknown>`), `published` for server events \
           (publish API and `--forward` answers).",
};

pub const REJECTIONS: MetricDef = MetricDef {
    name: "rejections",
    kind: MetricKind::Counter,
    labels: &["code"],
    help: "Errors sent to clients and publishers, by error code (refused handshakes included).",
};

pub const ROOM_MEMBERS: MetricDef = MetricDef {
    name: "room_members",
    kind: MetricKind::Gauge,
    labels: &["room"],
    help: "Socket memberships of catalogued rooms, by room template as the catalog writes it.",
};

pub const VALIDATION_SECONDS: MetricDef = MetricDef {
    name: "validation_seconds",
    kind: MetricKind::Histogram,
    labels: &[],
    help: "Time to validate one client event's arguments against its schema (not authorisation, \
           not dispatch), all events together; buckets from 1 µs to 33 ms.",
};

pub const ADAPTER_INFO: MetricDef = MetricDef {
    name: "adapter_info",
    kind: MetricKind::Gauge,
    labels: &["adapter"],
    help: "1 for the adapter in use: `local` (one node) or `redis` (a cluster node, `--redis`).",
};

pub const REDIS_UP: MetricDef = MetricDef {
    name: "redis_up",
    kind: MetricKind::Gauge,
    labels: &[],
    help:
        "1 while Redis answers the node's health check (cluster nodes; always 0 without `--redis`).",
};

pub const BROADCAST_LOCAL_FALLBACKS: MetricDef = MetricDef {
    name: "broadcast_local_fallbacks",
    kind: MetricKind::Counter,
    labels: &[],
    help: "Broadcasts that reached this node's clients only, because Redis refused them.",
};

pub const DELIVERIES_DROPPED: MetricDef = MetricDef {
    name: "deliveries_dropped",
    kind: MetricKind::Counter,
    labels: &["event", "kind", "reason"],
    help: "Packets not handed to a socket, by `event`, `kind` (`event` or `ack`) and `reason`: \
           `queue_full` (a client that does not read as fast as it is sent to) or `closed`.",
};

pub const ORIGINS_REFUSED: MetricDef = MetricDef {
    name: "origins_refused",
    kind: MetricKind::Counter,
    labels: &["reason"],
    help: "Browser requests to the Socket.IO endpoint refused (HTTP 403) for their `Origin`, by \
           `reason`: `cross_origin` (no allowed list, not the server's own origin), `not_listed` \
           or `opaque` (`null` or not an origin).",
};

/// Every family serve exports, in the order of the docs.
pub const ALL: &[MetricDef] = &[
    CONNECTIONS,
    CONNECTS,
    DISCONNECTS,
    REJECTIONS,
    ORIGINS_REFUSED,
    EVENTS,
    ROOM_MEMBERS,
    VALIDATION_SECONDS,
    ADAPTER_INFO,
    REDIS_UP,
    BROADCAST_LOCAL_FALLBACKS,
    DELIVERIES_DROPPED,
];

/// Events relayed by `evdoc proxy`.
pub const PROXY_EVENTS: MetricDef = MetricDef {
    name: "proxy_events",
    kind: MetricKind::Counter,
    labels: &["event", "direction", "outcome"],
    help: "Events and acks through evdoc proxy, by event (`(unknown)` for names not in the catalog), direction (c2s/s2c) and outcome: `valid`, `relayed` (breaks the catalog, relayed in observe mode), `refused` (client event refused in enforce mode), `dropped` (upstream packet dropped in enforce mode).",
};

/// Violations seen by `evdoc proxy`.
pub const PROXY_VIOLATIONS: MetricDef = MetricDef {
    name: "proxy_violations",
    kind: MetricKind::Counter,
    labels: &["code", "direction"],
    help: "Events and acks through evdoc proxy that break the catalog, by code (UnknownEvent, WrongDirection, PayloadError, AckError) and direction.",
};

/// Client sessions paired with an upstream session.
pub const PROXY_PAIRS: MetricDef = MetricDef {
    name: "proxy_pairs",
    kind: MetricKind::Gauge,
    labels: &[],
    help: "Client sessions of evdoc proxy paired with an upstream session now.",
};

/// Time to open one upstream session.
pub const PROXY_UPSTREAM_OPEN_SECONDS: MetricDef = MetricDef {
    name: "proxy_upstream_open_seconds",
    kind: MetricKind::Histogram,
    labels: &[],
    help: "Time evdoc proxy took to open an upstream Engine.IO session (TCP, WebSocket upgrade, open packet), in seconds.",
};

/// Round trip of a client event through the upstream to its ack.
pub const PROXY_UPSTREAM_ACK_SECONDS: MetricDef = MetricDef {
    name: "proxy_upstream_ack_seconds",
    kind: MetricKind::Histogram,
    labels: &[],
    help: "Round trip through the upstream of a client event sent with an ack callback: from relaying the event to the upstream's ack arriving, in seconds.",
};

/// Upstream sessions that could not be opened.
pub const PROXY_UPSTREAM_FAILURES: MetricDef = MetricDef {
    name: "proxy_upstream_failures",
    kind: MetricKind::Counter,
    labels: &[],
    help: "Upstream sessions evdoc proxy could not open (the client got UpstreamUnavailable) or that ended before the client's.",
};

/// Upstream packets a client did not get.
pub const PROXY_UNDELIVERED: MetricDef = MetricDef {
    name: "proxy_undelivered",
    kind: MetricKind::Counter,
    labels: &[],
    help: "Upstream packets and attachments evdoc proxy could not hand to a client: its queue was full (it reads slower than it is sent to) or it had gone.",
};

/// Clients cut off for sending faster than the upstream takes it.
pub const PROXY_BACKLOG_CLOSES: MetricDef = MetricDef {
    name: "proxy_backlog_closes",
    kind: MetricKind::Counter,
    labels: &[],
    help: "Clients evdoc proxy disconnected because more of what they sent was waiting for the upstream than the backlog limit (they send faster than the upstream reads).",
};

/// Every metric `evdoc proxy` exports.
pub const PROXY_ALL: &[MetricDef] = &[
    PROXY_PAIRS,
    PROXY_EVENTS,
    PROXY_VIOLATIONS,
    PROXY_UPSTREAM_OPEN_SECONDS,
    PROXY_UPSTREAM_ACK_SECONDS,
    PROXY_UPSTREAM_FAILURES,
    PROXY_UNDELIVERED,
    PROXY_BACKLOG_CLOSES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_prometheus_shaped() {
        let mut seen = std::collections::HashSet::new();
        for m in ALL.iter().chain(PROXY_ALL) {
            assert!(seen.insert(m.name), "{} twice", m.name);
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                m.name
            );
            assert!(!m.name.ends_with("_total"), "{}: serve adds _total", m.name);
            assert!(m.help.ends_with('.'), "{}: help ends a sentence", m.name);
        }
        assert_eq!(CONNECTS.promql_name(), "evdoc_connects_total");
        assert_eq!(VALIDATION_SECONDS.promql_name(), "evdoc_validation_seconds");
    }
}
