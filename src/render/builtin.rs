//! Built-in documentation content: troubleshooting entries, debugging tips, the metrics the
//! reference server exposes, default alerts, and the Prometheus rules file writer.
//!
//! These are defaults: catalog `troubleshooting:` entries replace a built-in one with the same
//! `id` and add the others; catalog `monitoring.alerts` replace the default alerts. Prose pages
//! (scaling) are templates, replaced with `--templates DIR`.

use super::model::StackView;
use crate::catalog::{Alert, Trouble};
use serde::Serialize;

fn t(
    id: &str,
    title: &str,
    symptoms: &[&str],
    causes: &[&str],
    steps: &[&str],
    solution: &str,
) -> Trouble {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
    Trouble {
        id: id.into(),
        title: title.into(),
        symptoms: v(symptoms),
        causes: v(causes),
        steps: v(steps),
        solution: Some(solution.into()),
    }
}

/// The built-in troubleshooting entries (the task list's five, and more).
pub fn troubleshooting() -> Vec<Trouble> {
    vec![
        t("transport-error", "Transport Error",
          &["The client cannot establish a WebSocket connection; the console shows `transport error`."],
          &["A firewall or proxy does not forward WebSocket traffic.", "The proxy strips the `Upgrade` / `Connection` headers.", "CORS rejects the polling handshake."],
          &["Browser DevTools → Network → WS tab.", "Verify the `Upgrade: websocket` header in the request.", "Test with polling only: `transports: ['polling']`.", "Check the server logs for connection attempts."],
          "Configure the proxy to forward WebSocket headers; allow the client origin in CORS."),
        t("events-not-received", "Events Not Received",
          &["The server emits an event but the client listener is never triggered."],
          &["The client is not in the room.", "A typo in the event name (names are case-sensitive).", "A payload serialisation error."],
          &["Server: log room membership: `console.log(io.sockets.adapter.rooms)`.", "Client: add a catch-all listener: `socket.onAny((event, ...args) => console.log(event, args))`.", "Verify event names match exactly (`evdoc check`).", "Check payload serialisation: `JSON.stringify(payload)`."],
          "Verify the room subscription, fix event names, send plain JSON payloads."),
        t("connection-drops", "Connection Drops Frequently",
          &["The client reconnects every few minutes."],
          &["A proxy idle timeout.", "A platform idle timeout (Heroku, Railway).", "Ping/pong misconfigured."],
          &["Check the Socket.IO `pingTimeout` and `pingInterval` settings.", "Watch the disconnect reason in DevTools and in `socket.on('disconnect', reason => …)`.", "Look for ping timeout errors in the server logs."],
          "Configure `pingInterval: 25000` and `pingTimeout: 60000`; keep proxy idle timeouts above the ping interval."),
        t("authentication-failed", "Authentication Failed",
          &["The connection is rejected with an authentication error (`connect_error`)."],
          &["Invalid session.", "Session expired.", "The cookie is not sent."],
          &["Verify the session cookie is present (DevTools → Application → Cookies).", "Check the session is valid (not expired) in the session store.", "Verify the Socket.IO `auth` object includes the session id."],
          "Re-authenticate the user; extend the session lifetime."),
        t("events-delayed", "Events Delayed or Lost",
          &["Events arrive late or not at all."],
          &["Network congestion.", "Server overload.", "Several instances without the Redis adapter."],
          &["Check the event queue size on the server.", "Monitor server CPU and memory.", "Verify the Redis adapter is configured on every instance.", "Check network latency (ping times)."],
          "Scale horizontally, add the Redis adapter, trim event payloads."),
        t("cors-blocked", "CORS Blocked Handshake or 403 Forbidden",
          &["The console shows `blocked by CORS policy` for `/socket.io/?EIO=4&transport=polling`.", "The polling handshake or the WebSocket upgrade answers HTTP 403 (`origin not allowed`) and the client reports `xhr poll error` or `websocket error`."],
          &["The page's origin is not allowed: `evdoc serve` allows the origins of `--allow-origin` or the catalog's `connection.cors.origins`, else only its own origin (a Node server: its `cors.origin`).", "Credentials are sent but not allowed."],
          &["Compare the page's origin (scheme, host and port) with the allowed list; the server's start-up log states the policy in force.", "`evdoc_origins_refused_total{reason}` counts refusals; the server logs each refused origin once a minute.", "Check `Access-Control-Allow-Origin` and `Access-Control-Allow-Credentials` on the polling response."],
          "Add the dashboard's exact origin to `connection.cors.origins` in the catalog (or `--allow-origin https://dash.example.com`; a Node server: `cors: { origin: [...], credentials: true }`). Never allow `*` on a server that accepts cookies: any web page could then connect as its visitor."),
        t("duplicate-listeners", "Duplicate Events After Reconnect",
          &["Each event is handled twice, three times…, growing with every reconnection."],
          &["Listeners are registered inside the `connect` handler."],
          &["Count listeners: `socket.listeners('event').length`."],
          "Register listeners once at start-up; only re-emit subscriptions on `connect`."),
        t("sticky-sessions", "Polling Fails Behind a Load Balancer",
          &["HTTP 400 `Session ID unknown` on polling requests."],
          &["Several instances without session affinity while the client uses HTTP long-polling."],
          &["Check whether consecutive polling requests reach the same instance.", "Try `transports: ['websocket']` to confirm."],
          "Enable sticky sessions on the load balancer or connect with WebSocket only; add the Redis adapter."),
    ]
}

/// Catalog entries merged over the built-in ones: same `id` replaces (in place), others follow.
pub fn merge_troubleshooting(catalog: &[Trouble], stack: &StackView) -> Vec<Trouble> {
    let mut out = troubleshooting();
    if stack.rust_server {
        for step in out.iter_mut().flat_map(|t| t.steps.iter_mut()) {
            if step.contains("io.sockets.adapter.rooms") {
                *step =
                    "Server: log room membership: `io.rooms().await?` and `socket.rooms().await?`."
                        .into();
            }
        }
    }
    for entry in catalog {
        match out.iter_mut().find(|b| b.id == entry.id) {
            Some(slot) => *slot = entry.clone(),
            None => out.push(entry.clone()),
        }
    }
    out
}

/// A debugging tip: what to do, and the command or code.
#[derive(Clone, Debug, Serialize)]
pub struct Tip {
    /// What it is for.
    pub title: String,
    /// The command or code.
    pub code: String,
}

/// The task list's debugging tips, for the server the pages describe.
pub fn debugging_tips(stack: &StackView) -> Vec<Tip> {
    let tip = |title: &str, code: &str| Tip {
        title: title.into(),
        code: code.into(),
    };
    if stack.rust_server {
        return vec![
            tip("Client debug logs (browser console)", "localStorage.debug = 'socket.io-client:*';"),
            tip("Server debug logs (socketioxide, through tracing)", "RUST_LOG=socketioxide=debug,engineioxide=debug cargo run"),
            tip("Inspect rooms and their members", "let rooms = io.rooms().await?;\nlet members = io.within(\"room\").fetch_sockets().await?;"),
            tip("Log every incoming event (frequency per event)", "socket.on_fallback(|socket: SocketRef, Event(event): Event| {\n    tracing::info!(ns = socket.ns(), %event, \"unhandled event\");\n});"),
            tip("Compare the code with this catalog", "evdoc check . --catalog catalog/"),
        ];
    }
    if stack.nest {
        return vec![
            tip("Client debug logs (browser console)", "localStorage.debug = 'socket.io-client:*';"),
            tip("Server debug logs (NestJS on socket.io)", "DEBUG=socket.io:* npm run start"),
            tip("Inspect rooms and their members (in a gateway)", "this.server.of('/').adapter.rooms"),
            tip("Log every incoming event (frequency per event), in the gateway", "afterInit(server: Server) {\n  server.use((socket, next) => {\n    socket.onAny((event) => counts.set(event, (counts.get(event) ?? 0) + 1));\n    next();\n  });\n}"),
            tip("Compare the code with this catalog", "evdoc check . --catalog catalog/"),
        ];
    }
    vec![
        tip("Client debug logs (browser console)", "localStorage.debug = 'socket.io-client:*';"),
        tip("Server debug logs (Node)", "DEBUG=socket.io:* node server.js"),
        tip("Inspect rooms and their members", "io.of('/').adapter.rooms"),
        tip("Log every incoming event (frequency per event)", "io.use((socket, next) => {\n  socket.onAny((event) => counts.set(event, (counts.get(event) ?? 0) + 1));\n  next();\n});"),
        tip("Compare the code with this catalog", "evdoc check . --catalog catalog/"),
    ]
}

/// A metric the reference server (`evdoc serve`) exposes on `/metrics`.
#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    /// Prometheus name.
    pub name: String,
    /// `gauge`, `counter` or `histogram`.
    pub kind: String,
    /// Labels.
    pub labels: String,
    /// What it measures.
    pub help: String,
}

/// The metrics `evdoc serve` exposes (the names the default and catalog alerts use), from the
/// list serve registers them from.
pub fn metrics() -> Vec<Metric> {
    crate::vocab::metrics::ALL
        .iter()
        .map(|d| Metric {
            name: d.promql_name(),
            kind: d.kind.as_str().into(),
            labels: if d.labels.is_empty() {
                "—".into()
            } else {
                d.labels.join(", ")
            },
            help: d.help.into(),
        })
        .collect()
}

/// The default alerts: the task list's thresholds.
pub fn default_alerts() -> Vec<Alert> {
    let a = |name: &str, expr: &str, for_: &str, severity: &str, d: &str| Alert {
        name: name.into(),
        expr: expr.into(),
        for_: Some(for_.into()),
        severity: Some(severity.into()),
        description: Some(d.into()),
    };
    vec![
        a("ConnectionsDropped", "sum(evdoc_connections) < 0.5 * sum(evdoc_connections offset 5m)", "1m", "critical", "Connections dropped by more than 50% in 5 minutes."),
        a("ValidationSlow", "histogram_quantile(0.99, sum by (le) (rate(evdoc_validation_seconds_bucket[5m]))) > 0.01", "5m", "warning", "Validating client payloads takes more than 10 ms at the 99th percentile."),
        a("ReconnectionRateHigh", "sum(increase(evdoc_disconnects_total{reason=~\"transport close|transport error|ping timeout\"}[1m])) > 10", "5m", "warning", "More than 10 reconnections per minute: investigate."),
    ]
}

/// A Prometheus alerting rules file (`rule_files:`) for `alerts`. Strings are written as JSON
/// strings, which are valid YAML double-quoted scalars, so no catalog text can break the file.
pub fn prometheus_rules(alerts: &[Alert]) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let mut out = String::from(
        "# Generated by `evdoc render` from the catalog's monitoring.alerts. Load with\n# `rule_files: [prometheus-alerts.yml]` and check with `promtool check rules`.\ngroups:\n  - name: evdoc-socketio\n    rules:\n",
    );
    if alerts.is_empty() {
        out.truncate(out.len() - "    rules:\n".len());
        out.push_str("    rules: []\n");
    }
    for a in alerts {
        out.push_str(&format!("      - alert: {}\n", q(&a.name)));
        out.push_str(&format!("        expr: {}\n", q(&a.expr)));
        if let Some(f) = &a.for_ {
            out.push_str(&format!("        for: {}\n", q(f)));
        }
        out.push_str(&format!(
            "        labels:\n          severity: {}\n",
            q(a.severity.as_deref().unwrap_or("warning"))
        ));
        if let Some(d) = &a.description {
            out.push_str(&format!(
                "        annotations:\n          summary: {}\n",
                q(d)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::metrics::{MetricKind, ALL, PROXY_ALL};

    /// Every `evdoc_…` series named in `text` (with its `{…}` selector) is one serve or the
    /// proxy exports, and the selector's labels are the family's.
    fn assert_real_metrics(text: &str, origin: &str) {
        let re = regex::Regex::new(r"\b(evdoc_[a-z_]+)(\{[^}]*\})?").expect("valid regex");
        let lre = regex::Regex::new(r#"([a-z_]+)\s*(=~|!~|!=|=)\s*""#).expect("valid regex");
        for c in re.captures_iter(text) {
            let name = &c[1];
            let def = ALL.iter().chain(PROXY_ALL).find(|d| {
                let n = d.promql_name();
                name == n
                    || (d.kind == MetricKind::Histogram
                        && ["_bucket", "_sum", "_count"]
                            .iter()
                            .any(|s| name.strip_suffix(s) == Some(n.as_str())))
            });
            let def = def
                .unwrap_or_else(|| panic!("{origin}: `{name}` is not a metric of serve or proxy"));
            let Some(sel) = c.get(2) else { continue };
            for l in lre.captures_iter(sel.as_str()) {
                assert!(
                    def.labels.contains(&&l[1]) || &l[1] == "le",
                    "{origin}: `{name}` has no label `{}`",
                    &l[1]
                );
            }
        }
    }

    #[test]
    fn default_alerts_use_real_metrics() {
        for a in default_alerts() {
            assert_real_metrics(&a.expr, &a.name);
        }
    }

    #[test]
    fn the_example_catalog_and_hand_written_docs_use_real_metrics() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in ["catalog/evdoc.yaml", "docs/catalog-format.md", "README.md"] {
            let text = std::fs::read_to_string(root.join(file)).expect("readable");
            assert_real_metrics(&text, file);
        }
        let reference =
            std::fs::read_to_string(root.join("docs/catalog-format.md")).expect("readable");
        for d in ALL {
            let name = format!("`{}`", d.promql_name());
            assert!(
                reference.contains(&name),
                "docs/catalog-format.md does not list {name}"
            );
        }
    }

    #[test]
    fn the_table_lists_every_metric() {
        let names: Vec<String> = metrics().into_iter().map(|m| m.name).collect();
        assert_eq!(names.len(), ALL.len());
        assert!(names.contains(&"evdoc_connects_total".to_string()));
    }
}
