//! The book: everything the pages show, computed once from the catalog and the scan, as neutral
//! serialisable data: plain text, anchors, typed cells, code references relative to the scan
//! root and diagrams as Mermaid source. No output format's syntax (Markdown escaping, links
//! relative to an output folder) is stored here, so one book serves every renderer; the
//! Markdown renderer's templates and filters do the escaping and the linking.
//!
//! [`Book::new`] is the pipeline; each section has its own builder in a submodule: `events`
//! (domains, events, payload fields from `schema`), `connection` (auth, namespaces, rooms,
//! error codes, lifecycle sites), `architecture` (flows and diagrams), `stack` (which server
//! and client the pages describe), `snippets` (generated code for that stack), and the
//! troubleshooting and monitoring content of [`builtin`].

mod architecture;
mod connection;
mod events;
mod schema;
mod snippets;
mod stack;

pub use architecture::{Diagrams, FlowView, SubscriptionView};
pub use connection::{AuthView, ErrorView, LifecycleSite, NamespaceView, RoomView};
pub use events::{DeprecationView, Domain, EventView, VariantView};
pub use schema::{fields, type_of, Constraint, Field};
pub use snippets::Snippets;
pub use stack::StackView;

use super::builtin;
use super::text::anchor;
use crate::catalog::{self, Catalog, Trouble};
use crate::scan::{Direction, ScanResult, Site};
use serde::{Deserialize, Serialize};

/// Which code the documentation describes: the commit and its committer date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Full commit hash; empty when unknown (no git).
    pub commit: String,
    /// Committer date, `YYYY-MM-DD`; empty when unknown.
    pub date: String,
}

/// The whole documentation set as data.
#[derive(Clone, Debug, Serialize)]
pub struct Book {
    /// `info.title` (or "Socket.IO API").
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.server_url`.
    pub server_url: String,
    /// Commit and date of the scanned code.
    pub provenance: Provenance,
    /// First 10 characters of the commit.
    pub commit_short: String,
    /// Whether code was scanned (code references exist).
    pub scanned: bool,
    /// Number of sites found by the scan.
    pub site_count: usize,
    /// The `connection:` block.
    pub connection: catalog::Connection,
    /// Handshake authentication.
    pub auth: AuthView,
    /// Namespaces.
    pub namespaces: Vec<NamespaceView>,
    /// Rooms.
    pub rooms: Vec<RoomView>,
    /// Error codes.
    pub errors: Vec<ErrorView>,
    /// Events grouped by domain, domains sorted, events in catalog order.
    pub domains: Vec<Domain>,
    /// Number of events.
    pub event_count: usize,
    /// Flows with their Mermaid source.
    pub flows: Vec<FlowView>,
    /// The fixed architecture diagrams (Mermaid source).
    pub diagrams: Diagrams,
    /// One sequence diagram per subscription event.
    pub subscriptions: Vec<SubscriptionView>,
    /// Built-in troubleshooting entries merged with the catalog's.
    pub troubleshooting: Vec<Trouble>,
    /// Debugging tips.
    pub tips: Vec<builtin::Tip>,
    /// Metrics the reference server exposes.
    pub metrics: Vec<builtin::Metric>,
    /// Alerts (the catalog's, or the defaults).
    pub alerts: Vec<catalog::Alert>,
    /// The Prometheus rules file.
    pub alerts_yaml: String,
    /// Event name pattern (EV007).
    pub event_pattern: String,
    /// Versioning strategy text.
    pub versioning: Option<String>,
    /// The stack the pages describe (server and main client).
    pub stack: StackView,
    /// Generated code snippets, for that stack.
    pub snippets: Snippets,
    /// Sites of reserved lifecycle events (`connection`, `disconnect`, `reconnect`…) in the code.
    pub lifecycle_sites: Vec<LifecycleSite>,
    /// Anchor of the `error` event, when the catalog defines it.
    pub error_anchor: Option<String>,
    /// A c2s event to use in the quick start, if any.
    pub example_c2s: Option<String>,
    /// An s2c event to use in the quick start, if any.
    pub example_s2c: Option<String>,
}

/// A link to an event.
#[derive(Clone, Debug, Serialize)]
pub struct EventRef {
    /// Event name.
    pub name: String,
    /// Its anchor on the catalog page; none when the catalog does not define it.
    pub anchor: Option<String>,
}

/// A code reference: a site the scan found, by its path relative to the scan root. Renderers
/// turn it into a link from their own output folder (or a permalink), so the book does not
/// depend on where it is written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeRef {
    /// `/`-separated path relative to the scan root (`server/app.js`).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// `emit` / `listen`.
    pub role: String,
    /// `server` / `client` / `unknown`.
    pub side: String,
    /// The call shape.
    pub call: String,
    /// Room expression.
    pub room: Option<String>,
}

#[cfg(test)]
impl CodeRef {
    /// A server emit at `file:line`, for the renderers' tests.
    pub(crate) fn emit_at(file: &str, line: u32) -> CodeRef {
        CodeRef {
            file: file.into(),
            line,
            role: "emit".into(),
            side: "server".into(),
            call: "io.emit".into(),
            room: None,
        }
    }
}

impl Book {
    /// Build the book from a catalog, (optionally) a scan of the code it documents, and which
    /// commit that code is at.
    pub fn new(cat: &Catalog, scan: Option<&ScanResult>, provenance: &Provenance) -> Book {
        let auth = connection::auth(cat);
        let rooms = connection::rooms(cat);
        let namespaces = connection::namespaces(cat, &rooms);
        let server_url = server_url(cat);
        let alerts = alerts(cat);
        let stack = stack::stack(cat, scan);
        let example_c2s = example_event(cat, Direction::C2s);
        let example_s2c = example_event(cat, Direction::S2c);
        let tips = builtin::debugging_tips(&stack);
        let troubleshooting = builtin::merge_troubleshooting(&cat.troubleshooting, &stack);
        Book {
            title: title(cat),
            version: cat.info.version.clone(),
            description: cat.info.description.clone(),
            provenance: provenance.clone(),
            commit_short: provenance.commit.chars().take(10).collect(),
            scanned: scan.is_some(),
            site_count: scan.map(|s| s.sites.len()).unwrap_or(0),
            connection: cat.connection.clone(),
            diagrams: architecture::fixed_diagrams(cat, &namespaces, &stack),
            snippets: snippets::snippets(
                cat,
                &server_url,
                &auth,
                &stack,
                (example_c2s.as_deref(), example_s2c.as_deref()),
            ),
            stack,
            server_url,
            auth,
            namespaces,
            rooms,
            errors: connection::errors(cat),
            event_count: cat.events.len(),
            domains: events::domains(cat, scan),
            flows: architecture::flows(cat),
            subscriptions: architecture::subscriptions(cat),
            troubleshooting,
            tips,
            metrics: builtin::metrics(),
            alerts_yaml: builtin::prometheus_rules(&alerts),
            alerts,
            event_pattern: cat.conventions.event_pattern.clone(),
            versioning: cat.conventions.versioning.clone(),
            lifecycle_sites: connection::lifecycle_sites(scan),
            error_anchor: cat
                .events
                .contains_key("error")
                .then(|| event_anchor("error")),
            example_c2s,
            example_s2c,
        }
    }
}

/// `info.title`, or a generic one.
fn title(cat: &Catalog) -> String {
    if cat.info.title.is_empty() {
        "Socket.IO API".into()
    } else {
        cat.info.title.clone()
    }
}

/// `info.server_url`, or a local default for the snippets.
fn server_url(cat: &Catalog) -> String {
    cat.info
        .server_url
        .clone()
        .unwrap_or_else(|| "http://localhost:3000".into())
}

/// The monitoring section's alerts: the catalog's, or the built-in defaults.
fn alerts(cat: &Catalog) -> Vec<catalog::Alert> {
    if cat.monitoring.alerts.is_empty() {
        builtin::default_alerts()
    } else {
        cat.monitoring.alerts.clone()
    }
}

/// The first non-reserved event of a direction, for the quick start.
fn example_event(cat: &Catalog, d: Direction) -> Option<String> {
    cat.events
        .iter()
        .find(|(n, e)| e.direction == d && !crate::vocab::is_reserved(n))
        .map(|(n, _)| n.clone())
}

/// Where an event is documented: the catalog page and its anchor.
pub fn event_anchor(name: &str) -> String {
    anchor("ev-", name)
}

/// A link to an event; no anchor when the catalog does not define it.
fn event_ref(cat: &Catalog, name: &str) -> EventRef {
    EventRef {
        name: name.to_string(),
        anchor: cat.events.contains_key(name).then(|| event_anchor(name)),
    }
}

/// The neutral form of a scan site: where it is relative to the scan root, and what it does.
fn code_ref(s: &Site) -> CodeRef {
    CodeRef {
        file: s.file.clone(),
        line: s.line,
        role: match s.role {
            crate::scan::Role::Emit => "emit",
            crate::scan::Role::Listen => "listen",
        }
        .into(),
        side: s.side.map(|x| x.as_str()).unwrap_or("unknown").into(),
        call: s.call.clone(),
        room: s.room.clone(),
    }
}
