//! The event catalog section: events grouped by domain, each with its payload, replies,
//! errors, deprecation, per-direction variants and the code references the scan found.

use super::schema::{payload_fields, payload_schema, pretty, type_of, Field};
use super::{code_ref, event_anchor, event_ref, CodeRef, EventRef};
use crate::catalog::{self, AuthRule, Catalog, Event};
use crate::render::text::anchor;
use crate::scan::{Direction, ScanResult, Site};
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub auth: AuthRule,
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
    pub sites: Vec<CodeRef>,
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

/// The events section: every event of the catalog, grouped by domain (domains sorted, events
/// in catalog order).
pub(super) fn domains(cat: &Catalog, scan: Option<&ScanResult>) -> Vec<Domain> {
    let sites = sites_by_event(scan);
    let mut reply_to = replies_by_target(cat);
    let mut domains: BTreeMap<String, Vec<EventView>> = BTreeMap::new();
    for (name, ev) in &cat.events {
        let code: Vec<CodeRef> = sites
            .get(name.as_str())
            .map(|ss| ss.iter().map(|s| code_ref(s)).collect())
            .unwrap_or_default();
        let replied_to = reply_to.remove(name.as_str()).unwrap_or_default();
        let view = event_view(cat, name, ev, code, replied_to);
        domains
            .entry(crate::vocab::domain_of(name, &ev.tags))
            .or_default()
            .push(view);
    }
    domains
        .into_iter()
        .map(|(name, events)| Domain {
            anchor: anchor("domain-", &name),
            name,
            events,
        })
        .collect()
}

/// The scan's sites by the event they name (sites of dynamic names are left out).
fn sites_by_event(scan: Option<&ScanResult>) -> BTreeMap<&str, Vec<&Site>> {
    let mut by_event: BTreeMap<&str, Vec<&Site>> = BTreeMap::new();
    for site in scan.map(|s| s.sites.as_slice()).unwrap_or_default() {
        if let Some(e) = &site.event {
            by_event.entry(e.as_str()).or_default().push(site);
        }
    }
    by_event
}

/// For each event, the events that declare it as a reply (the "In response to" links).
fn replies_by_target(cat: &Catalog) -> BTreeMap<&str, Vec<EventRef>> {
    let mut reply_to: BTreeMap<&str, Vec<EventRef>> = BTreeMap::new();
    for (name, ev) in &cat.events {
        for r in &ev.replies {
            reply_to
                .entry(r.event())
                .or_default()
                .push(event_ref(cat, name));
        }
    }
    reply_to
}

/// One event: the catalog's entry, the code references found for it and the events it answers.
fn event_view(
    cat: &Catalog,
    name: &str,
    ev: &Event,
    sites: Vec<CodeRef>,
    reply_to: Vec<EventRef>,
) -> EventView {
    let namespace = ev.namespace.clone().unwrap_or_else(|| "/".into());
    let variants: Vec<VariantView> = [("C→S", &ev.c2s), ("S→C", &ev.s2c)]
        .into_iter()
        .filter_map(|(arrow, v)| v.as_ref().map(|v| variant_view(arrow, v)))
        .collect();
    let payload = payload_schema(ev.payload.as_ref(), ev.args.as_ref());
    EventView {
        name: name.to_string(),
        anchor: event_anchor(name),
        direction: ev.direction.as_str().into(),
        arrow: arrow(ev.direction).into(),
        reserved: crate::vocab::is_reserved(name),
        auth: cat.event_auth(ev),
        namespace,
        room: target_room(ev).cloned(),
        joins: ev.joins.clone(),
        leaves: ev.leaves.clone(),
        summary: ev.summary.clone(),
        description: ev.description.clone(),
        payload_summary: payload_summary(ev, &variants),
        fields: payload_fields(ev.payload.as_ref(), ev.args.as_ref()),
        schema_json: payload.as_ref().map(pretty),
        ack_json: ev.ack.as_ref().map(pretty),
        examples: ev.examples.iter().map(pretty).collect(),
        replies: ev
            .replies
            .iter()
            .map(|r| event_ref(cat, r.event()))
            .collect(),
        errors: ev.errors.iter().map(|e| error_ref(cat, e)).collect(),
        emitted_when: ev.emitted_when.clone(),
        since: ev.since.clone(),
        deprecated: ev.deprecated.as_ref().map(|d| DeprecationView {
            since: d.since.clone(),
            use_instead: d.use_instead.as_deref().map(|n| event_ref(cat, n)),
            reason: d.reason.clone(),
        }),
        variants,
        reply_to,
        sites,
        tags: ev.tags.clone(),
    }
}

/// A link to an error code; no anchor when the catalog does not define it.
fn error_ref(cat: &Catalog, code: &str) -> EventRef {
    EventRef {
        name: code.to_string(),
        anchor: cat.errors.contains_key(code).then(|| anchor("err-", code)),
    }
}

/// The master table's payload cell: the payload's compact type, the args as a tuple, or each
/// direction's type when the variants differ.
fn payload_summary(ev: &Event, variants: &[VariantView]) -> String {
    match (&ev.payload, &ev.args) {
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
    }
}

fn variant_view(arrow: &str, v: &catalog::Variant) -> VariantView {
    let schema = payload_schema(v.payload.as_ref(), v.args.as_ref());
    VariantView {
        arrow: arrow.into(),
        room: v.room.clone(),
        payload_summary: schema
            .as_ref()
            .map_or_else(|| "—".into(), |p| type_of(p, 0)),
        fields: payload_fields(v.payload.as_ref(), v.args.as_ref()),
        schema_json: schema.as_ref().map(pretty),
        ack_json: v.ack.as_ref().map(pretty),
        examples: v.examples.iter().map(pretty).collect(),
    }
}

fn arrow(d: Direction) -> &'static str {
    match d {
        Direction::C2s => "C→S",
        Direction::S2c => "S→C",
        Direction::Both => "C↔S",
    }
}

/// The room an event is emitted to: its own `room`, or its server→client variant's.
pub(super) fn target_room(e: &Event) -> Option<&String> {
    e.room
        .as_ref()
        .or_else(|| e.s2c.as_ref().and_then(|v| v.room.as_ref()))
}
