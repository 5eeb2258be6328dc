//! The book: everything the pages show, computed once from the catalog and the scan, as plain
//! serialisable data that templates read (no logic left for the templates but layout).

use super::text::{anchor, md_code};
use super::{builtin, diagrams, Options};
use crate::catalog::{self, AuthScheme, Catalog, Event, Trouble};
use crate::scan::{Direction, ScanResult, Site};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Which code the documentation describes: the commit and its committer date.
#[derive(Clone, Debug, Default, Serialize)]
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
    /// Generated JavaScript snippets.
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

/// Handshake authentication, ready to print.
#[derive(Clone, Debug, Serialize)]
pub struct AuthView {
    /// `session`, `token` or `none`.
    pub scheme: String,
    /// Key of the handshake `auth` object.
    pub handshake_field: Option<String>,
    /// Session cookie.
    pub cookie: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

/// A namespace and its events.
#[derive(Clone, Debug, Serialize)]
pub struct NamespaceView {
    /// `/admin`.
    pub name: String,
    /// Text.
    pub description: Option<String>,
    /// Auth rule.
    pub auth: String,
    /// Rooms in it.
    pub rooms: Vec<String>,
    /// Number of events in it.
    pub event_count: usize,
}

/// A room with the events that join, leave and target it.
#[derive(Clone, Debug, Serialize)]
pub struct RoomView {
    /// Template (`user:{userId}`).
    pub name: String,
    /// Anchor on the connection page.
    pub anchor: String,
    /// Text.
    pub description: Option<String>,
    /// Access rule.
    pub access: String,
    /// Namespace.
    pub namespace: String,
    /// Events that join it.
    pub joined_by: Vec<EventRef>,
    /// Events that leave it.
    pub left_by: Vec<EventRef>,
    /// Events emitted to it.
    pub carries: Vec<EventRef>,
}

/// A link to an event.
#[derive(Clone, Debug, Serialize)]
pub struct EventRef {
    /// Event name.
    pub name: String,
    /// Its anchor on the catalog page; empty when the catalog does not define it.
    pub anchor: String,
}

/// An error code.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorView {
    /// Code.
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Text.
    pub description: Option<String>,
    /// Remedy.
    pub remedy: Option<String>,
    /// The fixed `message` sent with the code, if the catalog sets one.
    pub message: Option<String>,
}

/// A domain (trades, signals…) and its events.
#[derive(Clone, Debug, Serialize)]
pub struct Domain {
    /// Name.
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Events.
    pub events: Vec<EventView>,
}

/// One event, ready to print.
#[derive(Clone, Debug, Serialize)]
pub struct EventView {
    /// Name.
    pub name: String,
    /// Anchor on the catalog page.
    pub anchor: String,
    /// `c2s`, `s2c`, `both`.
    pub direction: String,
    /// `C→S`, `S→C`, `C↔S`.
    pub arrow: String,
    /// Reserved Socket.IO name.
    pub reserved: bool,
    /// Namespace.
    pub namespace: String,
    /// Effective auth rule.
    pub auth: String,
    /// Room (s2c).
    pub room: Option<String>,
    /// Room joined.
    pub joins: Option<String>,
    /// Room left.
    pub leaves: Option<String>,
    /// One line.
    pub summary: Option<String>,
    /// Markdown text.
    pub description: Option<String>,
    /// Compact payload type for the master table (`{ userId: string }`).
    pub payload_summary: String,
    /// Payload fields, flattened.
    pub fields: Vec<Field>,
    /// The payload (or args) schema as pretty JSON.
    pub schema_json: Option<String>,
    /// The ack schema as pretty JSON.
    pub ack_json: Option<String>,
    /// Examples as pretty JSON.
    pub examples: Vec<String>,
    /// Replies.
    pub replies: Vec<EventRef>,
    /// Error codes.
    pub errors: Vec<EventRef>,
    /// When it is sent.
    pub emitted_when: Option<String>,
    /// Since version.
    pub since: Option<String>,
    /// Deprecation.
    pub deprecated: Option<DeprecationView>,
    /// Per-direction variants (`c2s:` / `s2c:` sub-entries), when the payloads differ.
    pub variants: Vec<VariantView>,
    /// Events that reply with this one.
    pub reply_to: Vec<EventRef>,
    /// Code references from the scan.
    pub sites: Vec<SiteView>,
    /// The master table's Code Reference cell (Markdown links).
    pub code_cell: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// One direction of an event whose two directions carry different payloads.
#[derive(Clone, Debug, Serialize)]
pub struct VariantView {
    /// `C→S` or `S→C`.
    pub arrow: String,
    /// Room in this direction.
    pub room: Option<String>,
    /// Compact payload type.
    pub payload_summary: String,
    /// Payload fields.
    pub fields: Vec<Field>,
    /// Payload schema as pretty JSON.
    pub schema_json: Option<String>,
    /// Ack schema as pretty JSON.
    pub ack_json: Option<String>,
    /// Examples as pretty JSON.
    pub examples: Vec<String>,
}

fn variant_view(arrow: &str, v: &catalog::Variant) -> VariantView {
    let schema = v
        .payload
        .clone()
        .or_else(|| v.args.clone().map(Value::Array));
    let mut flds = vec![];
    match (&v.payload, &v.args) {
        (Some(p), _) => fields("", p, true, &mut flds),
        (None, Some(args)) => {
            for (i, a) in args.iter().enumerate() {
                fields(&format!("arg{}", i + 1), a, true, &mut flds);
            }
        }
        _ => {}
    }
    VariantView {
        arrow: arrow.into(),
        room: v.room.clone(),
        payload_summary: schema
            .as_ref()
            .map_or_else(|| "—".into(), |p| type_of(p, 0)),
        fields: flds,
        schema_json: schema.as_ref().map(pretty),
        ack_json: v.ack.as_ref().map(pretty),
        examples: v.examples.iter().map(pretty).collect(),
    }
}

/// A deprecation notice.
#[derive(Clone, Debug, Serialize)]
pub struct DeprecationView {
    /// Version.
    pub since: Option<String>,
    /// Replacement.
    pub use_instead: Option<EventRef>,
    /// Why.
    pub reason: Option<String>,
}

/// One field of a payload.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    /// Path (`positions[].symbol`, `arg1`).
    pub path: String,
    /// Type (`string`, `"buy" \| "sell"`).
    pub ty: String,
    /// Required in its object.
    pub required: bool,
    /// Description and constraints.
    pub notes: String,
}

/// A code reference.
#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    /// `file:line`.
    pub label: String,
    /// Link target.
    pub url: String,
    /// `emit` / `listen`.
    pub role: String,
    /// `server` / `client` / `unknown`.
    pub side: String,
    /// The call shape.
    pub call: String,
    /// Room expression.
    pub room: Option<String>,
}

/// Where the code handles a connection lifecycle event.
#[derive(Clone, Debug, Serialize)]
pub struct LifecycleSite {
    /// The reserved event (`connection`, `disconnect`…).
    pub event: String,
    /// The site.
    pub site: SiteView,
}

/// A flow diagram.
#[derive(Clone, Debug, Serialize)]
pub struct FlowView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub description: Option<String>,
    /// Mermaid source.
    pub mermaid: String,
}

/// The fixed diagrams of the architecture page.
#[derive(Clone, Debug, Serialize)]
pub struct Diagrams {
    /// Server initialisation and middleware stack.
    pub server_init: String,
    /// Load balancer, instances, Redis adapter.
    pub multi_server: String,
    /// Namespaces and rooms.
    pub namespaces: String,
}

/// A subscription event and its sequence diagram.
#[derive(Clone, Debug, Serialize)]
pub struct SubscriptionView {
    /// The subscription event.
    pub event: EventRef,
    /// Room joined.
    pub room: String,
    /// Mermaid source.
    pub mermaid: String,
}

/// JavaScript snippets generated from `connection:`, `auth:` and the subscriptions.
#[derive(Clone, Debug, Serialize)]
pub struct Snippets {
    /// The socket.io-client configuration.
    pub client: String,
    /// The Socket.IO server setup.
    pub server: String,
    /// Re-subscription on reconnect.
    pub reconnect: String,
}

/// Where an event is documented: the catalog page and its anchor.
pub fn event_anchor(name: &str) -> String {
    anchor("ev-", name)
}

/// The domain of an event: its first tag, else the resource of `subscribe:x`/`unsubscribe:x`,
/// else the part before the first `:`, else `lifecycle` for reserved names, else `other`.
pub fn domain_of(name: &str, ev: &Event) -> String {
    if let Some(t) = ev.tags.first() {
        return t.clone();
    }
    let mut parts = name.split(':');
    let first = parts.next().unwrap_or_default();
    if let (Some(second), true) = (parts.next(), name.contains(':')) {
        if matches!(first, "subscribe" | "unsubscribe") && !second.is_empty() {
            return second.to_string();
        }
        if !first.is_empty() {
            return first.to_string();
        }
    }
    if crate::vocab::is_reserved(name) {
        "lifecycle".into()
    } else {
        "other".into()
    }
}

fn arrow(d: Direction) -> &'static str {
    match d {
        Direction::C2s => "C→S",
        Direction::S2c => "S→C",
        Direction::Both => "C↔S",
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The compact type of a schema (`string`, `{ userId: string }`, `"buy" | "sell"`).
pub fn type_of(s: &Value, depth: usize) -> String {
    let Some(o) = s.as_object() else {
        return if s == &Value::Bool(true) {
            "any".into()
        } else {
            "never".into()
        };
    };
    if let Some(c) = o.get("const") {
        return c.to_string();
    }
    if let Some(Value::Array(e)) = o.get("enum") {
        let mut parts: Vec<String> = e.iter().take(6).map(|v| v.to_string()).collect();
        if e.len() > 6 {
            parts.push("…".into());
        }
        return parts.join(" | ");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(xs)) = o.get(key) {
            return xs
                .iter()
                .map(|x| type_of(x, depth))
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    let ty = match o.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        _ if o.contains_key("properties") => "object".into(),
        _ => "any".into(),
    };
    let fmt = o.get("format").and_then(Value::as_str);
    match (ty.as_str(), fmt) {
        ("string", Some("date-time")) => "ISO8601".into(),
        ("object", _) => {
            let Some(Value::Object(props)) = o.get("properties") else {
                return "object".into();
            };
            if depth >= 1 || props.is_empty() {
                return "object".into();
            }
            let req = required(s);
            let mut parts: Vec<String> = props
                .iter()
                .take(8)
                .map(|(k, v)| {
                    let q = if req.contains(k) { "" } else { "?" };
                    format!("{k}{q}: {}", type_of(v, depth + 1))
                })
                .collect();
            if props.len() > 8 {
                parts.push("…".into());
            }
            format!("{{ {} }}", parts.join(", "))
        }
        ("array", _) => match o.get("items") {
            Some(items) => format!("{}[]", type_of(items, depth + 1)),
            None => "array".into(),
        },
        _ => ty,
    }
}

fn required(s: &Value) -> Vec<String> {
    s.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn notes(s: &Value) -> String {
    let mut constraints = vec![];
    for key in [
        "format",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "default",
    ] {
        if let Some(v) = s.get(key) {
            let v = match v {
                Value::String(x) => x.clone(),
                other => other.to_string(),
            };
            constraints.push(format!("{key} {}", md_code(&v)));
        }
    }
    let desc = s
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    match (desc.is_empty(), constraints.is_empty()) {
        (_, true) => desc.to_string(),
        (true, false) => constraints.join(", "),
        (false, false) => format!("{desc} ({})", constraints.join(", ")),
    }
}

/// Flatten a schema's properties into field rows (`a`, `a.b`, `items[].c`), at most 200 rows.
pub fn fields(prefix: &str, s: &Value, required_here: bool, out: &mut Vec<Field>) {
    if out.len() >= 200 {
        return;
    }
    if !prefix.is_empty() {
        out.push(Field {
            path: prefix.to_string(),
            ty: type_of(s, 1),
            required: required_here,
            notes: notes(s),
        });
    }
    if let Some(Value::Object(props)) = s.get("properties") {
        let req = required(s);
        for (k, v) in props {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            fields(&p, v, req.contains(k), out);
        }
    }
    if let Some(items) = s.get("items") {
        if items.get("properties").is_some() {
            let p = format!("{prefix}[]");
            if let Some(Value::Object(props)) = items.get("properties") {
                let req = required(items);
                for (k, v) in props {
                    fields(&format!("{p}.{k}"), v, req.contains(k), out);
                }
            }
        }
    }
}

/// A link to where a site is in the code: a permalink at the scanned commit with `repo_url`,
/// else a relative path from the output folder.
fn site_url(site: &Site, opts: &Options) -> String {
    match (&opts.repo_url, opts.provenance.commit.is_empty()) {
        (Some(url), false) => format!(
            "{}/blob/{}/{}{}#L{}",
            url.trim_end_matches('/'),
            opts.provenance.commit,
            opts.repo_path,
            site.file,
            site.line
        ),
        _ => format!("{}{}#L{}", opts.code_base, site.file, site.line),
    }
}

/// Percent-encode what would break a Markdown link destination (spaces, parentheses, `<>`).
fn link_safe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            '"' => out.push_str("%22"),
            '`' => out.push_str("%60"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The room an event is emitted to: its own `room`, or its server→client variant's.
fn target_room(e: &Event) -> Option<&String> {
    e.room
        .as_ref()
        .or_else(|| e.s2c.as_ref().and_then(|v| v.room.as_ref()))
}

fn site_view(s: &Site, opts: &Options) -> SiteView {
    SiteView {
        label: format!("{}:{}", s.file, s.line),
        url: link_safe(&site_url(s, opts)),
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

impl Book {
    /// Build the book from a catalog and (optionally) a scan of the code it documents.
    pub fn new(cat: &Catalog, scan: Option<&ScanResult>, opts: &Options) -> Book {
        let defined = |n: &str| cat.events.contains_key(n);
        let eref = |n: &str| EventRef {
            name: n.to_string(),
            anchor: if defined(n) {
                event_anchor(n)
            } else {
                String::new()
            },
        };
        let ns_auth = |ns: &str| cat.namespace_auth(ns).to_string();

        let mut by_event: BTreeMap<&str, Vec<&Site>> = BTreeMap::new();
        if let Some(s) = scan {
            for site in &s.sites {
                if let Some(e) = &site.event {
                    by_event.entry(e.as_str()).or_default().push(site);
                }
            }
        }
        let mut reply_to: BTreeMap<&str, Vec<EventRef>> = BTreeMap::new();
        for (name, ev) in &cat.events {
            for r in &ev.replies {
                reply_to.entry(r.event()).or_default().push(eref(name));
            }
        }

        let mut domains: BTreeMap<String, Vec<EventView>> = BTreeMap::new();
        for (name, ev) in &cat.events {
            let namespace = ev.namespace.clone().unwrap_or_else(|| "/".into());
            let payload = ev
                .payload
                .clone()
                .or_else(|| ev.args.clone().map(Value::Array));
            let variants: Vec<VariantView> = [("C→S", &ev.c2s), ("S→C", &ev.s2c)]
                .into_iter()
                .filter_map(|(arrow, v)| v.as_ref().map(|v| variant_view(arrow, v)))
                .collect();
            let payload_summary = match (&ev.payload, &ev.args) {
                (Some(p), _) => type_of(p, 0),
                (None, Some(args)) => format!(
                    "({})",
                    args.iter()
                        .map(|a| type_of(a, 0))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ if !variants.is_empty() => variants
                    .iter()
                    .map(|v| format!("{} {}", v.arrow, v.payload_summary))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => "—".into(),
            };
            let mut flds = vec![];
            match (&ev.payload, &ev.args) {
                (Some(p), _) => fields("", p, true, &mut flds),
                (None, Some(args)) => {
                    for (i, a) in args.iter().enumerate() {
                        fields(&format!("arg{}", i + 1), a, true, &mut flds);
                    }
                }
                _ => {}
            }
            let examples: Vec<String> = ev.examples.iter().map(pretty).collect();
            let sites: Vec<SiteView> = by_event
                .get(name.as_str())
                .map(|ss| ss.iter().map(|s| site_view(s, opts)).collect())
                .unwrap_or_default();
            let code_cell = if sites.is_empty() {
                if scan.is_some() && !crate::vocab::is_reserved(name) {
                    "not found in code".into()
                } else {
                    "—".into()
                }
            } else {
                let mut cells: Vec<String> = sites
                    .iter()
                    .take(3)
                    .map(|s| format!("[{}]({})", super::text::escape_all(&s.label), s.url))
                    .collect();
                if sites.len() > 3 {
                    cells.push(format!("+{} more", sites.len() - 3));
                }
                cells.join("<br>")
            };
            let view = EventView {
                name: name.clone(),
                anchor: event_anchor(name),
                direction: ev.direction.as_str().into(),
                arrow: arrow(ev.direction).into(),
                reserved: crate::vocab::is_reserved(name),
                auth: cat.event_auth(ev).to_string(),
                namespace,
                room: ev
                    .room
                    .clone()
                    .or_else(|| ev.s2c.as_ref().and_then(|v| v.room.clone())),
                joins: ev.joins.clone(),
                leaves: ev.leaves.clone(),
                summary: ev.summary.clone(),
                description: ev.description.clone(),
                payload_summary,
                fields: flds,
                schema_json: payload.as_ref().map(pretty),
                ack_json: ev.ack.as_ref().map(pretty),
                examples,
                replies: ev.replies.iter().map(|r| eref(r.event())).collect(),
                errors: ev
                    .errors
                    .iter()
                    .map(|e| EventRef {
                        name: e.clone(),
                        anchor: if cat.errors.contains_key(e) {
                            anchor("err-", e)
                        } else {
                            String::new()
                        },
                    })
                    .collect(),
                emitted_when: ev.emitted_when.clone(),
                since: ev.since.clone(),
                deprecated: ev.deprecated.as_ref().map(|d| DeprecationView {
                    since: d.since.clone(),
                    use_instead: d.use_instead.as_deref().map(eref),
                    reason: d.reason.clone(),
                }),
                variants,
                reply_to: reply_to.remove(name.as_str()).unwrap_or_default(),
                sites,
                code_cell,
                tags: ev.tags.clone(),
            };
            domains.entry(domain_of(name, ev)).or_default().push(view);
        }
        let domains: Vec<Domain> = domains
            .into_iter()
            .map(|(name, events)| Domain {
                anchor: anchor("domain-", &name),
                name,
                events,
            })
            .collect();

        let rooms: Vec<RoomView> = cat
            .rooms
            .iter()
            .map(|(name, r)| {
                let pick = |f: &dyn Fn(&Event) -> Option<&String>| {
                    cat.events
                        .iter()
                        .filter(|(_, e)| f(e).is_some_and(|x| x == name))
                        .map(|(n, _)| eref(n))
                        .collect::<Vec<_>>()
                };
                RoomView {
                    anchor: anchor("room-", name),
                    description: r.description.clone(),
                    access: cat.room_access(name, "/").to_string(),
                    namespace: r.namespace.clone().unwrap_or_else(|| "/".into()),
                    joined_by: pick(&|e| e.joins.as_ref()),
                    left_by: pick(&|e| e.leaves.as_ref()),
                    carries: pick(&target_room),
                    name: name.clone(),
                }
            })
            .collect();

        let mut ns_names: Vec<String> = cat.namespaces.keys().cloned().collect();
        for ev in cat.events.values() {
            let ns = ev.namespace.clone().unwrap_or_else(|| "/".into());
            if !ns_names.contains(&ns) {
                ns_names.push(ns);
            }
        }
        let namespaces: Vec<NamespaceView> = ns_names
            .iter()
            .map(|n| NamespaceView {
                name: n.clone(),
                description: cat.namespaces.get(n).and_then(|x| x.description.clone()),
                auth: ns_auth(n),
                rooms: rooms
                    .iter()
                    .filter(|r| &r.namespace == n)
                    .map(|r| r.name.clone())
                    .collect(),
                event_count: cat
                    .events
                    .values()
                    .filter(|e| e.namespace.as_deref().unwrap_or("/") == n)
                    .count(),
            })
            .collect();

        let flows: Vec<FlowView> = cat
            .flows
            .iter()
            .map(|(id, f)| FlowView {
                id: anchor("flow-", id),
                title: f.title.clone(),
                description: f.description.clone(),
                mermaid: diagrams::flow(&f.steps),
            })
            .collect();

        let subscriptions: Vec<SubscriptionView> = cat
            .events
            .iter()
            .filter_map(|(name, ev)| {
                let room = ev.joins.as_ref()?;
                let replies: Vec<&str> = ev.replies.iter().map(|r| r.event()).collect();
                let pushes: Vec<&str> = cat
                    .events
                    .iter()
                    .filter(|(_, e)| target_room(e) == Some(room))
                    .map(|(n, _)| n.as_str())
                    .collect();
                Some(SubscriptionView {
                    event: eref(name),
                    room: room.clone(),
                    mermaid: diagrams::subscription(name, room, &replies, &ev.errors, &pushes),
                })
            })
            .collect();

        let auth = AuthView {
            scheme: match cat.auth.scheme {
                AuthScheme::None => "none",
                AuthScheme::Session => "session",
                AuthScheme::Token => "token",
            }
            .into(),
            handshake_field: match cat.auth.scheme {
                AuthScheme::Session => {
                    Some(cat.auth.session.clone().unwrap_or_default().handshake_field)
                }
                AuthScheme::Token => {
                    Some(cat.auth.token.clone().unwrap_or_default().handshake_field)
                }
                AuthScheme::None => None,
            },
            cookie: cat.auth.session.as_ref().and_then(|s| s.cookie.clone()),
            description: cat.auth.description.clone(),
        };
        let server_url = cat
            .info
            .server_url
            .clone()
            .unwrap_or_else(|| "http://localhost:3000".into());
        let alerts = if cat.monitoring.alerts.is_empty() {
            builtin::default_alerts()
        } else {
            cat.monitoring.alerts.clone()
        };
        let first = |d: Direction| {
            cat.events
                .iter()
                .find(|(n, e)| e.direction == d && !crate::vocab::is_reserved(n))
                .map(|(n, _)| n.clone())
        };
        let snippets = Snippets {
            client: diagrams_free::client_snippet(&server_url, &cat.connection, &auth),
            server: diagrams_free::server_snippet(cat, &auth),
            reconnect: diagrams_free::reconnect_snippet(cat),
        };
        let commit_short = opts.provenance.commit.chars().take(10).collect();
        Book {
            title: if cat.info.title.is_empty() {
                "Socket.IO API".into()
            } else {
                cat.info.title.clone()
            },
            version: cat.info.version.clone(),
            description: cat.info.description.clone(),
            server_url,
            provenance: opts.provenance.clone(),
            commit_short,
            scanned: scan.is_some(),
            site_count: scan.map(|s| s.sites.len()).unwrap_or(0),
            connection: cat.connection.clone(),
            diagrams: Diagrams {
                server_init: diagrams::server_init(cat),
                multi_server: diagrams::multi_server(cat),
                namespaces: diagrams::namespaces(&namespaces),
            },
            auth,
            namespaces,
            rooms,
            errors: cat
                .errors
                .iter()
                .map(|(n, e)| ErrorView {
                    name: n.clone(),
                    anchor: anchor("err-", n),
                    description: e.description.clone(),
                    remedy: e.remedy.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            event_count: cat.events.len(),
            domains,
            flows,
            subscriptions,
            troubleshooting: builtin::merge_troubleshooting(&cat.troubleshooting),
            tips: builtin::debugging_tips(),
            metrics: builtin::metrics(),
            alerts_yaml: builtin::prometheus_rules(&alerts),
            alerts,
            event_pattern: cat.conventions.event_pattern.clone(),
            versioning: cat.conventions.versioning.clone(),
            snippets,
            lifecycle_sites: scan
                .map(|sc| {
                    sc.sites
                        .iter()
                        .filter_map(|s| {
                            let e = s.event.as_deref()?;
                            crate::vocab::is_reserved(e).then(|| LifecycleSite {
                                event: e.to_string(),
                                site: site_view(s, opts),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
            error_anchor: cat
                .events
                .contains_key("error")
                .then(|| event_anchor("error")),
            example_c2s: first(Direction::C2s),
            example_s2c: first(Direction::S2c),
        }
    }
}

/// The JavaScript snippets (kept apart from the diagrams: they are code, not pictures).
mod diagrams_free {
    use super::AuthView;
    use crate::catalog::{Catalog, Connection, Transport};

    fn js(s: &str) -> String {
        serde_json::to_string(s)
            .unwrap_or_default()
            .replace('\'', "\\'")
    }

    fn transports(c: &Connection) -> String {
        c.transports
            .iter()
            .map(|t| match t {
                Transport::Websocket => "'websocket'",
                Transport::Polling => "'polling'",
                Transport::Webtransport => "'webtransport'",
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn client_snippet(url: &str, c: &Connection, auth: &AuthView) -> String {
        let mut s = format!(
            "import {{ io }} from 'socket.io-client';\n\nconst socket = io({}, {{\n",
            js(url)
        );
        if c.path != "/socket.io" {
            s.push_str(&format!("  path: {},\n", js(&c.path)));
        }
        match (auth.scheme.as_str(), &auth.handshake_field) {
            ("session", Some(f)) => {
                s.push_str(&format!("  auth: {{ {}: getSessionId() }},\n", js(f)))
            }
            ("token", Some(f)) => s.push_str(&format!("  auth: {{ {}: getToken() }},\n", js(f))),
            _ => {}
        }
        if auth.cookie.is_some() {
            s.push_str("  withCredentials: true, // send the session cookie cross-origin\n");
        }
        s.push_str(&format!("  transports: [{}],\n", transports(c)));
        s.push_str("  reconnection: true,\n");
        s.push_str(&format!(
            "  reconnectionDelay: {},\n",
            c.client.reconnection_delay_ms
        ));
        s.push_str(&format!(
            "  reconnectionDelayMax: {},\n",
            c.client.reconnection_delay_max_ms
        ));
        match c.client.reconnection_attempts {
            Some(n) => s.push_str(&format!("  reconnectionAttempts: {n},\n")),
            None => s.push_str("  reconnectionAttempts: Infinity,\n"),
        }
        s.push_str("});");
        s
    }

    pub fn server_snippet(cat: &Catalog, auth: &AuthView) -> String {
        let c = &cat.connection;
        let mut s = String::from(
            "const express = require('express');\nconst { createServer } = require('node:http');\nconst { Server } = require('socket.io');\n\nconst app = express();\nconst httpServer = createServer(app);\nconst io = new Server(httpServer, {\n",
        );
        s.push_str(&format!("  path: {},\n", js(&c.path)));
        s.push_str(&format!("  transports: [{}],\n", transports(c)));
        s.push_str(&format!("  pingInterval: {},\n", c.ping_interval_ms));
        s.push_str(&format!("  pingTimeout: {},\n", c.ping_timeout_ms));
        s.push_str(&format!("  maxHttpBufferSize: {},\n", c.max_payload_bytes));
        s.push_str("});\n");
        match auth.scheme.as_str() {
            "session" => {
                let f = auth.handshake_field.clone().unwrap_or_default();
                s.push_str("\n// Share the express-session middleware so a browser handshake carries the cookie.\nio.engine.use(sessionMiddleware);\n\n");
                s.push_str(&format!(
                    "io.use(async (socket, next) => {{\n  const id = socket.handshake.auth?.{} ?? socket.request.session?.id;\n  const session = id && (await sessionStore.get(id));\n  if (!session?.userId) return next(new Error('AuthenticationError'));\n  socket.data.userId = session.userId;\n  socket.data.role = session.role;\n  next();\n}});\n",
                    f.replace(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'), "_")
                ));
            }
            "token" => s.push_str("\nio.use((socket, next) => {\n  try {\n    socket.data.user = verifyJwt(socket.handshake.auth.token);\n    next();\n  } catch {\n    next(new Error('AuthenticationError'));\n  }\n});\n"),
            _ => {}
        }
        for (ns, n) in &cat.namespaces {
            if ns != "/" {
                if let Some(crate::vocab::AuthRule::Role(role)) = &n.auth {
                    s.push_str(&format!(
                        "\nio.of({}).use((socket, next) =>\n  socket.data.role === {} ? next() : next(new Error('AuthenticationError')));\n",
                        js(ns),
                        js(role)
                    ));
                }
            }
        }
        s.push_str("\nhttpServer.listen(process.env.PORT || 3000);");
        s
    }

    pub fn reconnect_snippet(cat: &Catalog) -> String {
        let mut s = String::from("// Rooms do not survive a new connection: subscribe on every connect.\n// (`connect` fires on the first connection and after each automatic reconnection.)\nfunction subscribeAll() {\n");
        let mut any = false;
        for (name, ev) in &cat.events {
            if let Some(room) = &ev.joins {
                any = true;
                let fields: Vec<String> = crate::catalog::room::RoomTemplate::parse(room)
                    .placeholders()
                    .filter(|f| !f.is_empty())
                    .map(|f| f.replace(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'), "_"))
                    .collect();
                let payload = if fields.is_empty() {
                    "{}".to_string()
                } else {
                    format!(
                        "{{ {} }}",
                        fields
                            .iter()
                            .map(|f| format!("{f}: currentUser.id"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                s.push_str(&format!("  socket.emit({}, {payload});\n", js(name)));
            }
        }
        if !any {
            s.push_str("  // (the catalog declares no subscription events)\n");
        }
        s.push_str("}\nsocket.on('connect', subscribeAll);\n\n// The Manager reports each attempt and the final success.\nsocket.io.on('reconnect_attempt', (attempt) => console.log('reconnecting, attempt', attempt));\nsocket.io.on('reconnect', (attempts) => console.log('reconnected after', attempts, 'attempts'));");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_types_read_like_the_task_list() {
        let s = json!({"type": "object", "required": ["userId"], "properties": {
            "userId": {"type": "string"}, "status": {"enum": ["buy", "sell"]},
            "at": {"type": "string", "format": "date-time"},
            "items": {"type": "array", "items": {"type": "number"}}}});
        assert_eq!(
            type_of(&s, 0),
            r#"{ userId: string, status?: "buy" | "sell", at?: ISO8601, items?: number[] }"#
        );
        assert_eq!(type_of(&json!(true), 0), "any");
        assert_eq!(
            type_of(&json!({"type": ["string", "null"]}), 0),
            "string | null"
        );
    }

    #[test]
    fn fields_flatten_nested_objects_and_arrays() {
        let s = json!({"type": "object", "required": ["positions"], "properties": {
            "positions": {"type": "array", "items": {"type": "object", "required": ["symbol"],
                "properties": {"symbol": {"type": "string", "description": "Ticker"}}}}}});
        let mut out = vec![];
        fields("", &s, true, &mut out);
        let paths: Vec<_> = out.iter().map(|f| (f.path.as_str(), f.required)).collect();
        assert_eq!(paths, [("positions", true), ("positions[].symbol", true)]);
        assert_eq!(out[1].notes, "Ticker");
    }

    #[test]
    fn domains_come_from_tags_subscriptions_and_prefixes() {
        let ev = |tags: &[&str]| -> Event {
            serde_json::from_value(json!({"direction": "c2s", "tags": tags})).unwrap()
        };
        assert_eq!(domain_of("subscribe:trades", &ev(&[])), "trades");
        assert_eq!(domain_of("trade:update", &ev(&[])), "trade");
        assert_eq!(domain_of("trade:update", &ev(&["trades"])), "trades");
        assert_eq!(domain_of("disconnect", &ev(&[])), "lifecycle");
        assert_eq!(domain_of("ping!", &ev(&[])), "other");
    }

    #[test]
    fn link_targets_cannot_break_markdown_links() {
        assert_eq!(
            link_safe("a b(c)<d>|`\"\\"),
            "a%20b%28c%29%3Cd%3E%7C%60%22%5C"
        );
    }
}
