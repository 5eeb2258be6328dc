//! Server settings: the command-line options, and the limits resolved from flags, the catalog's
//! `connection:` block and the defaults of `ServeOptions::default` (README.md, "Serve", lists them;
//! ARCHITECTURE.md says why they are what they are).

use crate::catalog::model::Catalog;
use std::path::PathBuf;

/// How `evdoc serve` logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (for log shippers).
    Json,
}

/// Everything `evdoc serve` is started with (besides the catalog).
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to bind (loopback by default).
    pub host: String,
    /// TCP port (0 picks a free one).
    pub port: u16,
    /// `{"<sessionId>": {"userId": "...", "roles": [...]}}` file, or a `redis://` URL of the
    /// connect-redis store of an express-session app.
    pub sessions: Option<PathBuf>,
    /// express-session secrets: with any, session ids must be signed by one of them.
    pub session_secrets: Vec<String>,
    /// Key prefix of the sessions in Redis (connect-redis' `prefix`).
    pub session_prefix: String,
    /// Dotted path of the user id in a Redis session.
    pub session_user_field: String,
    /// Dotted path of the roles in a Redis session.
    pub session_roles_field: String,
    /// Redis URL of the cluster adapter; `None`: one node, local adapter.
    pub redis: Option<String>,
    /// Bearer token of `POST /v1/publish`; publishing is refused without one.
    pub publish_token: Option<String>,
    /// HS256 secret for `auth.scheme: token`.
    pub jwt_secret: Option<String>,
    /// Answer client events' replies from catalog examples.
    pub mock: bool,
    /// Backend URL that receives every valid client event.
    pub forward: Option<String>,
    /// How long the backend has to answer one forwarded event.
    pub forward_timeout: std::time::Duration,
    /// Log format.
    pub log_format: LogFormat,
    /// Deepest JSON nesting accepted in an event's arguments.
    pub max_json_depth: usize,
    /// Sustained events per second per socket.
    pub max_event_rate: f64,
    /// Events a socket may send in a burst above the rate.
    pub event_burst: f64,
    /// Most sockets connected at once (all namespaces).
    pub max_connections: usize,
    /// Overrides the catalog's `connection.max_payload_bytes`.
    pub max_payload_bytes: Option<u64>,
    /// Origins whose pages may connect (`--allow-origin`; replaces the catalog's
    /// `connection.cors.origins`; `*` for any).
    pub allow_origins: Vec<String>,
    /// Serve `/v1/publish`, `/metrics` and `/healthz` on this address instead of the public
    /// port.
    pub admin_addr: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            host: "127.0.0.1".into(),
            port: 3000,
            sessions: None,
            session_secrets: Vec::new(),
            session_prefix: "sess:".into(),
            session_user_field: "userId".into(),
            session_roles_field: "roles".into(),
            redis: None,
            publish_token: None,
            jwt_secret: None,
            mock: false,
            forward: None,
            forward_timeout: super::forward::DEFAULT_TIMEOUT,
            log_format: LogFormat::Text,
            max_json_depth: 32,
            max_event_rate: 100.0,
            event_burst: 200.0,
            max_connections: 100_000,
            max_payload_bytes: None,
            allow_origins: Vec::new(),
            admin_addr: None,
        }
    }
}

/// Limits in force, resolved once at start.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest Engine.IO message (polling body and WebSocket message).
    pub max_payload_bytes: u64,
    /// Deepest JSON nesting of an event's arguments.
    pub max_json_depth: usize,
    /// Token bucket refill per second.
    pub rate: f64,
    /// Token bucket size.
    pub burst: f64,
    /// Most sockets at once.
    pub max_connections: usize,
}

impl Limits {
    /// Flags win over the catalog, the catalog over the defaults.
    pub fn resolve(opts: &ServeOptions, catalog: &Catalog) -> Limits {
        Limits {
            max_payload_bytes: opts
                .max_payload_bytes
                .unwrap_or(catalog.connection.max_payload_bytes)
                .max(1024),
            max_json_depth: opts.max_json_depth.max(1),
            rate: opts.max_event_rate.max(0.001),
            burst: opts.event_burst.max(1.0),
            max_connections: opts.max_connections,
        }
    }
}

/// A per-socket token bucket: `rate` tokens a second, at most `burst` banked.
#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    last: std::time::Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(burst: f64) -> Self {
        TokenBucket {
            tokens: burst,
            last: std::time::Instant::now(),
        }
    }

    /// Take one token; `false` when the bucket is empty.
    pub fn take(&mut self, rate: f64, burst: f64) -> bool {
        let now = std::time::Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Nesting depth of a JSON value (a scalar is 0, `{}` and `[]` are 1).
pub fn json_depth(v: &serde_json::Value) -> usize {
    // Iterative, so that a value at serde_json's own recursion limit cannot overflow our stack.
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            serde_json::Value::Array(a) => {
                max = max.max(d + 1);
                stack.extend(a.iter().map(|x| (x, d + 1)));
            }
            serde_json::Value::Object(o) => {
                max = max.max(d + 1);
                stack.extend(o.values().map(|x| (x, d + 1)));
            }
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_counts_containers() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}]})), 4);
    }

    #[test]
    fn bucket_refuses_past_the_burst() {
        let mut b = TokenBucket::new(3.0);
        let taken = (0..10).filter(|_| b.take(0.001, 3.0)).count();
        assert_eq!(taken, 3);
    }
}
