//! The catalog compiled for serving: per namespace and event name, the auth rule, the compiled
//! argument and ack validators, room templates with their access rules, and the replies.

use super::error::ClientError;
use super::rooms::Template;
pub use crate::catalog::contract::Args;
use crate::catalog::model::{AuthRule, Catalog, Event, Reply, ReplyPayload, RoomAccess};
use crate::catalog::schema::{self, arg_schemas, Validator};
use crate::vocab::Direction;
use prometheus_client::metrics::counter::Counter;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// Per-event counters, resolved once so that the hot path does no label lookups.
#[derive(Clone, Default)]
pub struct EventCounters {
    /// Client events handled.
    pub accepted: Counter,
    /// Client events refused.
    pub rejected: Counter,
    /// Server events published (HTTP or forward backend).
    pub published: Counter,
}

/// A room template with its access rule.
#[derive(Clone, Debug)]
pub struct RoomRule {
    /// The template.
    pub template: Template,
    /// Who may join.
    pub access: RoomAccess,
}

/// Where a reply's payload comes from, resolved.
#[derive(Clone, Debug)]
pub enum ReplySource {
    /// `{"room": <bound room>}` after a join/leave; nothing otherwise (unless mocking).
    Default,
    /// The request's arguments, echoed.
    Request,
    /// A fixed payload (the reply event's first catalog example).
    Example(Option<Value>),
}

/// A reply to send after an event succeeded.
#[derive(Clone, Debug)]
pub struct ReplySpec {
    /// Event name.
    pub event: String,
    /// Payload source.
    pub source: ReplySource,
    /// The reply event's first example, for `--mock`.
    pub example: Option<Value>,
}

impl ReplySpec {
    /// Where the reply's payload comes from, and the reply event's first example.
    fn compile(catalog: &Catalog, r: &Reply) -> ReplySpec {
        let example = first_example(catalog.events.get(r.event()));
        let source = match r {
            Reply::Name(_) | Reply::Detailed { payload: None, .. } => ReplySource::Default,
            Reply::Detailed {
                payload: Some(ReplyPayload::Request),
                ..
            } => ReplySource::Request,
            Reply::Detailed {
                payload: Some(ReplyPayload::Example),
                ..
            } => ReplySource::Example(example.clone()),
        };
        ReplySpec {
            event: r.event().to_owned(),
            source,
            example,
        }
    }
}

/// One catalogued event, ready to serve.
pub struct EventSpec {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Direction as catalogued.
    pub direction: Direction,
    /// Who may send it (c2s).
    pub auth: AuthRule,
    /// Client→server arguments.
    pub c2s: Args,
    /// Server→client arguments.
    pub s2c: Args,
    /// Ack schema.
    pub ack: Option<Validator>,
    /// First `examples` entry of the ack schema, for `--mock`.
    pub ack_example: Option<Value>,
    /// Room a c2s event joins.
    pub joins: Option<RoomRule>,
    /// Room a c2s event leaves.
    pub leaves: Option<RoomRule>,
    /// Room template of an s2c event.
    pub room: Option<Template>,
    /// Replies.
    pub replies: Vec<ReplySpec>,
    /// Metrics of this event.
    pub counters: EventCounters,
}

impl EventSpec {
    /// Compile one catalogued event: its rule, argument and ack validators, rooms, replies.
    fn compile(catalog: &Catalog, name: &str, ev: &Event) -> Result<EventSpec, Vec<String>> {
        let mut problems = Vec::new();
        let args = |dir| Args::compile(name, arg_schemas(ev, dir));
        let (c2s, s2c) = match (args(Direction::C2s), args(Direction::S2c)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                problems.extend(a.err());
                problems.extend(b.err());
                return Err(problems);
            }
        };
        let ack_schema = ev
            .ack
            .as_ref()
            .or(ev.c2s.as_ref().and_then(|v| v.ack.as_ref()))
            .filter(|s| !s.is_null());
        let ack = match ack_schema.map(schema::compile_wire) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => return Err(vec![format!("event `{name}`: invalid ack schema: {e}")]),
        };
        let ns = ev.namespace();
        let room_rule = |t: &str| RoomRule {
            template: Template::parse(t),
            access: catalog.room_access(t, ns),
        };
        Ok(EventSpec {
            name: name.to_owned(),
            namespace: ns.to_owned(),
            direction: ev.direction,
            auth: catalog.event_auth(ev),
            c2s,
            s2c,
            ack,
            ack_example: ack_schema
                .and_then(|s| s.get("examples"))
                .and_then(|e| e.get(0))
                .cloned(),
            joins: ev.joins.as_deref().map(room_rule),
            leaves: ev.leaves.as_deref().map(room_rule),
            room: ev
                .room
                .as_deref()
                .or(ev.s2c.as_ref().and_then(|v| v.room.as_deref()))
                .map(Template::parse),
            replies: ev
                .replies
                .iter()
                .map(|r| ReplySpec::compile(catalog, r))
                .collect(),
            counters: EventCounters::default(),
        })
    }

    /// Whether clients may send it.
    pub fn accepts_from_client(&self) -> bool {
        matches!(self.direction, Direction::C2s | Direction::Both)
    }

    /// Whether the server may send it.
    pub fn sendable_to_client(&self) -> bool {
        matches!(self.direction, Direction::S2c | Direction::Both)
    }
}

/// The whole catalog, compiled.
pub struct Contract {
    /// Events by namespace, then name.
    pub events: HashMap<String, HashMap<String, EventSpec>>,
    /// Every namespace to register (always includes `/`), with its connection rule.
    pub namespaces: Vec<(String, AuthRule)>,
    /// The catalog's `errors.<code>.message`, where it sets one.
    pub error_messages: HashMap<String, String>,
}

impl Contract {
    /// Compile `catalog`; every problem (bad schema) is reported at once. The auth and access
    /// rules were parsed when the catalog was read, and their defaults are the catalog's own
    /// ([`Catalog::namespace_auth`], [`Catalog::room_access`]): serve enforces what the docs say.
    pub fn compile(catalog: &Catalog) -> Result<Contract, Vec<String>> {
        let mut problems = Vec::new();
        let mut events: HashMap<String, HashMap<String, EventSpec>> = HashMap::new();
        for (name, ev) in &catalog.events {
            match EventSpec::compile(catalog, name, ev) {
                Ok(spec) => {
                    let by_name = events.entry(spec.namespace.clone()).or_default();
                    by_name.insert(name.clone(), spec);
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let error_messages = catalog
            .errors
            .iter()
            .filter_map(|(code, e)| Some((code.clone(), e.message.clone()?)))
            .collect();
        Ok(Contract {
            events,
            namespaces: namespaces(catalog),
            error_messages,
        })
    }

    /// `err` in the words the catalog gives its code, if any (see [`ClientError::worded`]);
    /// borrowed as it is otherwise, since refusing a flood of bad events must stay cheap.
    pub fn word<'e>(&self, err: &'e ClientError) -> Cow<'e, ClientError> {
        match self.error_messages.get(err.code.as_str()) {
            Some(m) => Cow::Owned(err.clone().worded(m)),
            None => Cow::Borrowed(err),
        }
    }

    /// The event `name` in namespace `ns`.
    pub fn get(&self, ns: &str, name: &str) -> Option<&EventSpec> {
        self.events.get(ns)?.get(name)
    }
}

fn first_example(ev: Option<&Event>) -> Option<Value> {
    let ev = ev?;
    ev.examples
        .first()
        .or(ev.s2c.as_ref().and_then(|v| v.examples.first()))
        .cloned()
}

/// Every namespace to register, with who may connect: the catalog's `namespaces:`, `/`, and
/// every namespace an event names, in that order.
fn namespaces(catalog: &Catalog) -> Vec<(String, AuthRule)> {
    let mut names: Vec<&str> = catalog.namespaces.keys().map(String::as_str).collect();
    names.push("/");
    names.extend(catalog.events.values().map(Event::namespace));
    let mut out: Vec<(String, AuthRule)> = Vec::new();
    for n in names {
        if !out.iter().any(|(seen, _)| seen == n) {
            out.push((n.to_owned(), catalog.namespace_auth(n)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_are_asserted_and_missing_object_args_are_empty_objects() {
        let s1 = json!({"type": "object", "required": ["at"], "properties": {"at": {"type": "string", "format": "date-time"}}});
        let args = Args::compile("e", vec![&s1]).unwrap();
        assert!(args
            .validate(&[json!({"at": "2026-01-02T03:04:05Z"})])
            .is_empty());
        assert_eq!(args.validate(&[json!({"at": "yesterday"})])[0].path, "/at");
        // missing argument → validated as {} → the required field is reported
        assert!(args.validate(&[])[0].message.contains("at"));
        // one argument too many
        assert!(!args
            .validate(&[json!({"at": "2026-01-02T03:04:05Z"}), json!(1)])
            .is_empty());
    }
}
