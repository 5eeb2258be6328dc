//! Which web pages may open a socket: the `Origin` check in front of both transports, and the
//! CORS answers polling clients on another allowed origin need.
//!
//! A browser attaches the user's cookies to a WebSocket handshake and to a credentialed polling
//! request whatever page starts it, so without this check any page could open an authenticated
//! socket as its visitor (cross-site WebSocket hijacking). The check runs before the request
//! reaches Engine.IO: a refused origin never gets a session, a packet parsed or an upgrade.
//!
//! The policy: the origins listed (`--allow-origin`, else the catalog's
//! `connection.cors.origins`), `*` for any when written explicitly, and with no list the
//! server's own origin only (the `Origin` host and port are the `Host` header's). A request
//! without `Origin` is not a browser's cross-origin request (scripts, native and server-side
//! clients) and is let through: their authentication is the handshake's.

use super::metrics::Labels;
pub use crate::vocab::origin::Origin;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The origins allowed to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// No list: the server's own origin only.
    SameOrigin,
    /// These origins (and the server's own).
    Listed(Vec<Origin>),
    /// Any origin (`*`, written explicitly).
    Any,
}

impl Policy {
    /// The policy of `flags` (`--allow-origin`), else of the catalog's list; an error names the
    /// first entry that is not an origin.
    pub fn resolve(flags: &[String], catalog: &[String]) -> Result<Policy, String> {
        let list = if flags.is_empty() { catalog } else { flags };
        if list.is_empty() {
            return Ok(Policy::SameOrigin);
        }
        if list.iter().any(|o| o.trim() == "*") {
            return Ok(Policy::Any);
        }
        list.iter()
            .map(|o| Origin::parse(o.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(Policy::Listed)
    }

    /// One line for the startup log.
    pub fn describe(&self) -> String {
        match self {
            Policy::SameOrigin => "same-origin only (no --allow-origin or connection.cors.origins); requests without Origin allowed".into(),
            Policy::Any => "any origin (`*`): every web page may open a socket with its visitor's cookies".into(),
            Policy::Listed(list) => format!(
                "{} and the server's own; requests without Origin allowed",
                list.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Why an origin was refused (the `reason` label of `evdoc_origins_refused_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not the server's own origin, and no list allows others.
    CrossOrigin,
    /// Not in the list.
    NotListed,
    /// `Origin` is not an origin (`null` from a sandboxed frame or a file, garbage).
    Opaque,
}

impl Refusal {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::CrossOrigin => "cross_origin",
            Refusal::NotListed => "not_listed",
            Refusal::Opaque => "opaque",
        }
    }
}

/// What the policy says of one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No `Origin` header: not a browser's cross-origin request.
    NoOrigin,
    /// Allowed; `cross` when it is not the server's own origin (CORS headers needed).
    Allowed {
        /// Another origin than the server's.
        cross: bool,
    },
    /// Refused.
    Refused(Refusal),
}

impl Policy {
    /// The verdict on a request with these `Origin` and `Host` headers.
    pub fn judge(&self, origin: Option<&str>, host: Option<&str>) -> Verdict {
        let Some(raw) = origin else {
            return Verdict::NoOrigin;
        };
        let parsed = Origin::parse(raw).ok();
        let same = match (&parsed, host) {
            (Some(o), Some(h)) => o.same_as_host(h),
            _ => false,
        };
        if same {
            return Verdict::Allowed { cross: false };
        }
        match (self, parsed) {
            (Policy::Any, _) => Verdict::Allowed { cross: true },
            (_, None) => Verdict::Refused(Refusal::Opaque),
            (Policy::SameOrigin, Some(_)) => Verdict::Refused(Refusal::CrossOrigin),
            (Policy::Listed(list), Some(o)) if list.contains(&o) => {
                Verdict::Allowed { cross: true }
            }
            (Policy::Listed(_), Some(_)) => Verdict::Refused(Refusal::NotListed),
        }
    }
}

/// The guard in front of the Engine.IO path: the policy, its counter, and when each refused
/// origin was last logged.
pub struct Guard {
    policy: Policy,
    path: String,
    refused: Family<Labels, Counter>,
    logged: Mutex<HashMap<String, Instant>>,
}

/// How often one refused origin is logged.
const LOG_EVERY: Duration = Duration::from_secs(60);
/// Most origins remembered for the log's rate limit (an attacker can send any number).
const LOG_MEMORY: usize = 1024;

impl Guard {
    /// A guard for the Engine.IO endpoint at `path`, counting into `refused`.
    pub fn new(policy: Policy, path: &str, refused: Family<Labels, Counter>) -> Guard {
        for r in [Refusal::CrossOrigin, Refusal::NotListed, Refusal::Opaque] {
            // Every reason at 0 from the start, so dashboards see the series.
            let _ = refused.get_or_create(&vec![("reason", r.as_str().to_string())]);
        }
        Guard {
            policy,
            path: path.trim_end_matches('/').to_string(),
            refused,
            logged: Mutex::new(HashMap::new()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn guards(&self, path: &str) -> bool {
        path == self.path
            || path
                .strip_prefix(self.path.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Count a refusal, and log it once per origin per minute.
    fn refuse(&self, reason: Refusal, origin: &str) {
        self.refused
            .get_or_create(&vec![("reason", reason.as_str().to_string())])
            .inc();
        let mut logged = self.logged.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if logged.len() >= LOG_MEMORY {
            logged.retain(|_, at| now.duration_since(*at) < LOG_EVERY);
        }
        let due = logged
            .get(origin)
            .is_none_or(|at| now.duration_since(*at) >= LOG_EVERY);
        if due && logged.len() < LOG_MEMORY {
            logged.insert(origin.to_string(), now);
            tracing::warn!(
                origin = %origin.escape_debug(),
                reason = reason.as_str(),
                "refused a connection from a web page of another origin (allow it with --allow-origin or connection.cors.origins)"
            );
        }
    }
}

/// The middleware: refuse (403) what the policy refuses on the Engine.IO path, answer CORS
/// preflights, and add CORS headers to allowed cross-origin responses. Other paths pass.
pub async fn guard(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    if !g.guards(req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match g.policy.judge(origin, host) {
        Verdict::NoOrigin => next.run(req).await,
        Verdict::Refused(reason) => {
            g.refuse(reason, origin.unwrap_or_default());
            (StatusCode::FORBIDDEN, "origin not allowed\n").into_response()
        }
        Verdict::Allowed { cross } => {
            let origin = req.headers().get(header::ORIGIN).cloned();
            if req.method() == Method::OPTIONS {
                let mut resp = StatusCode::NO_CONTENT.into_response();
                cors_headers(resp.headers_mut(), origin, Some(req.headers()));
                return resp;
            }
            let mut resp = next.run(req).await;
            if cross {
                cors_headers(resp.headers_mut(), origin, None);
            }
            resp
        }
    }
}

/// `Access-Control-*` for an allowed origin: the origin echoed (never `*`, which browsers
/// refuse with credentials), credentials allowed; on a preflight also the methods and the
/// headers it asked for.
fn cors_headers(out: &mut HeaderMap, origin: Option<HeaderValue>, preflight: Option<&HeaderMap>) {
    if let Some(o) = origin {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
    }
    out.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    out.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(req) = preflight {
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        let asked = req
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("content-type"));
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(origins: &[&str]) -> Policy {
        let v: Vec<String> = origins.iter().map(|s| s.to_string()).collect();
        Policy::resolve(&v, &[]).unwrap()
    }

    #[test]
    fn origins_parse_to_scheme_host_and_port() {
        let o = Origin::parse("HTTPS://Dash.Example.com/").unwrap();
        assert_eq!(o.to_string(), "https://dash.example.com");
        assert_eq!(o, Origin::parse("https://dash.example.com:443").unwrap());
        assert_eq!(
            Origin::parse("http://[::1]:5173").unwrap().to_string(),
            "http://[::1]:5173"
        );
        for bad in [
            "dash.example.com",
            "ftp://x",
            "https://x/path",
            "https://x:port",
            "https://u@x",
            "https://",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_list_means_the_servers_own_origin_only() {
        let p = Policy::SameOrigin;
        let host = Some("127.0.0.1:3000");
        assert_eq!(p.judge(None, host), Verdict::NoOrigin);
        assert_eq!(
            p.judge(Some("http://127.0.0.1:3000"), host),
            Verdict::Allowed { cross: false }
        );
        assert_eq!(
            p.judge(Some("http://evil.example"), host),
            Verdict::Refused(Refusal::CrossOrigin)
        );
        // Another port of the same host is another origin.
        assert_eq!(
            p.judge(Some("http://127.0.0.1:3001"), host),
            Verdict::Refused(Refusal::CrossOrigin)
        );
        assert_eq!(
            p.judge(Some("null"), host),
            Verdict::Refused(Refusal::Opaque)
        );
        // Default ports: `Host: example.com` is port 443 for an https page.
        assert_eq!(
            p.judge(Some("https://example.com"), Some("example.com")),
            Verdict::Allowed { cross: false }
        );
    }

    #[test]
    fn a_list_allows_exactly_its_origins_and_star_only_when_written() {
        let p = listed(&["https://dash.example.com", "http://localhost:5173"]);
        let host = Some("api.example.com");
        assert_eq!(
            p.judge(Some("https://dash.example.com"), host),
            Verdict::Allowed { cross: true }
        );
        assert_eq!(
            p.judge(Some("https://evil.dash.example.com"), host),
            Verdict::Refused(Refusal::NotListed)
        );
        assert_eq!(
            p.judge(Some("http://dash.example.com"), host),
            Verdict::Refused(Refusal::NotListed)
        );
        assert_eq!(listed(&["*"]), Policy::Any);
        assert_eq!(
            Policy::resolve(&[], &["https://a.example".into()]).unwrap(),
            listed(&["https://a.example"])
        );
        // Flags replace the catalog's list.
        assert_eq!(
            Policy::resolve(&["https://b.example".into()], &["https://a.example".into()]).unwrap(),
            listed(&["https://b.example"])
        );
        assert!(Policy::resolve(&["dash.example.com".into()], &[]).is_err());
    }
}
