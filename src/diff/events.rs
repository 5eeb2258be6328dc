//! Event-level changes: removed, renamed, added, deprecated events; direction, namespace, room,
//! joins/leaves, auth, ack and error codes; and each message's schemas through
//! [`super::schema`], in the flow its direction and part give it.
//!
//! Acks travel against their event: the ack of a c2s event is written by the server and read
//! by the client (judged like an s2c payload), the ack of an s2c event is written by the
//! client's handler and read by the server (judged like a c2s payload).

use super::rule::ChangeRule as R;
use super::schema::{self, Flow};
use super::{Change, Scope};
use crate::catalog::model::{Event, Schema};
use crate::catalog::positions::pointer;
use crate::catalog::LoadedCatalog;
use crate::vocab::{AuthRule, Direction};
use std::collections::BTreeSet;

/// Every event change between `old` and `new`, by event name.
pub fn compare(old: &LoadedCatalog, new: &LoadedCatalog) -> Vec<Change> {
    let (oe, ne) = (&old.catalog.events, &new.catalog.events);
    let removed: Vec<&String> = oe.keys().filter(|k| !ne.contains_key(*k)).collect();
    let mut added: BTreeSet<&String> = ne.keys().filter(|k| !oe.contains_key(*k)).collect();
    let mut out = Vec::new();
    for name in removed {
        let ev = &oe[name];
        let twin = added
            .iter()
            .find(|a| same_contract(ev, &ne[a.as_str()]))
            .copied();
        let change = match twin {
            Some(to) => {
                added.remove(to);
                let mut c = event_change(R::EventRenamed, name, format!("renamed to `{to}`"));
                c.location = new.event_location(to);
                c
            }
            None => {
                let was = ev
                    .at
                    .as_ref()
                    .map(|l| format!(" (was at {l})"))
                    .unwrap_or_default();
                event_change(R::EventRemoved, name, format!("event removed{was}"))
            }
        };
        out.push(change);
        if !planned(ev, new) {
            out.push(unversioned(name, new));
        }
    }
    for name in added {
        let mut c = event_change(R::EventAdded, name, "event added".into());
        c.direction = Some(ne[name.as_str()].direction);
        c.location = new.event_location(name);
        out.push(c);
    }
    for (name, o) in oe {
        let Some(n) = ne.get(name) else { continue };
        let mut changes = EventDiff {
            old,
            new,
            name,
            o,
            n,
            out: Vec::new(),
        }
        .run();
        let breaks = changes.iter().any(|c| c.is_breaking());
        if breaks && !planned(o, new) && !planned(n, new) {
            changes.push(unversioned(name, new));
        }
        out.extend(changes);
    }
    // By event; the in-place flag closes each event's list, after what it sums up.
    let key = |c: &Change| {
        (
            c.rule == R::UnversionedBreakingChange,
            c.rule,
            c.path.clone(),
        )
    };
    out.sort_by(|a, b| a.subject.cmp(&b.subject).then_with(|| key(a).cmp(&key(b))));
    out
}

fn event_change(rule: R, name: &str, message: String) -> Change {
    Change {
        rule,
        scope: Scope::Event,
        subject: name.to_owned(),
        direction: None,
        part: None,
        path: String::new(),
        message,
        location: None,
    }
}

/// Whether `event` was deprecated with `use:` naming an event of the new catalog: its clients
/// were told where to go, so breaking it is the planned end of a deprecation.
fn planned(event: &Event, new: &LoadedCatalog) -> bool {
    event
        .deprecated
        .as_ref()
        .and_then(|d| d.use_instead.as_deref())
        .is_some_and(|u| new.catalog.events.contains_key(u))
}

/// The D021 change for `name`, with the version to ship instead.
fn unversioned(name: &str, new: &LoadedCatalog) -> Change {
    let next = next_version(name);
    let msg = format!(
        "`{name}` breaks in place: ship it as `{next}` and deprecate `{name}` with `use: {next}`"
    );
    let mut c = event_change(R::UnversionedBreakingChange, name, msg);
    c.location = new.event_location(name);
    c
}

/// `trade:update` → `trade:update:v2`; `trade:update:v2` → `trade:update:v3` (the `:vN`
/// convention of `conventions.event_pattern`).
pub fn next_version(name: &str) -> String {
    if let Some((base, v)) = name.rsplit_once(":v") {
        if let Ok(n) = v.parse::<u32>() {
            return format!("{base}:v{}", n + 1);
        }
    }
    format!("{name}:v2")
}

/// Whether two events carry the same contract under different names (a rename).
fn same_contract(a: &Event, b: &Event) -> bool {
    let key = |e: &Event| {
        serde_json::json!([
            e.direction,
            e.namespace(),
            e.payload,
            e.args,
            e.ack,
            e.c2s,
            e.s2c,
            e.room,
            e.joins,
            e.leaves
        ])
    };
    key(a) == key(b)
}

/// The messages an event's direction allows.
fn messages(d: Direction) -> &'static [Direction] {
    match d {
        Direction::C2s => &[Direction::C2s],
        Direction::S2c => &[Direction::S2c],
        Direction::Both => &[Direction::C2s, Direction::S2c],
    }
}

/// One schema of a message with its part name and catalog pointer.
struct Part<'a> {
    name: String,
    pointer: String,
    schema: &'a Schema,
}

/// The argument schemas of `event` in direction `m`, as [`crate::catalog::schema::arg_schemas`]
/// picks them, with where each is written.
fn arg_parts<'a>(name: &str, event: &'a Event, m: Direction) -> Vec<Part<'a>> {
    let (vkey, variant) = match m {
        Direction::C2s => ("c2s", event.c2s.as_ref()),
        _ => ("s2c", event.s2c.as_ref()),
    };
    let from = |prefix: Vec<&str>, args: Option<&'a Vec<Schema>>, payload: Option<&'a Schema>| {
        if let Some(args) = args {
            let base = pointer(prefix.iter().chain(&["args"]));
            return Some(
                args.iter()
                    .enumerate()
                    .map(|(i, s)| Part {
                        name: format!("args[{i}]"),
                        pointer: format!("{base}/{i}"),
                        schema: s,
                    })
                    .collect(),
            );
        }
        payload.map(|p| {
            vec![Part {
                name: "payload".into(),
                pointer: pointer(prefix.iter().chain(&["payload"])),
                schema: p,
            }]
        })
    };
    variant
        .and_then(|v| {
            from(
                vec!["events", name, vkey],
                v.args.as_ref(),
                v.payload.as_ref(),
            )
        })
        .or_else(|| {
            from(
                vec!["events", name],
                event.args.as_ref(),
                event.payload.as_ref(),
            )
        })
        .unwrap_or_default()
}

/// The ack schema of `event` in direction `m`, with where it is written.
fn ack_part<'a>(name: &str, event: &'a Event, m: Direction) -> Option<Part<'a>> {
    let (vkey, variant) = match m {
        Direction::C2s => ("c2s", event.c2s.as_ref()),
        _ => ("s2c", event.s2c.as_ref()),
    };
    let (ptr, schema) = match variant.and_then(|v| v.ack.as_ref()) {
        Some(a) => (pointer(["events", name, vkey, "ack"]), a),
        None => (pointer(["events", name, "ack"]), event.ack.as_ref()?),
    };
    Some(Part {
        name: "ack".into(),
        pointer: ptr,
        schema,
    })
}

/// The room an s2c message goes to, with `{placeholders}` blanked so that renaming one is no
/// change.
fn room(event: &Event) -> Option<String> {
    let r = event
        .s2c
        .as_ref()
        .and_then(|v| v.room.as_ref())
        .or(event.room.as_ref())?;
    Some(blank(r))
}

fn blank(template: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

/// The comparison of one event present in both catalogs.
struct EventDiff<'a> {
    old: &'a LoadedCatalog,
    new: &'a LoadedCatalog,
    name: &'a str,
    o: &'a Event,
    n: &'a Event,
    out: Vec<Change>,
}

impl EventDiff<'_> {
    fn push(&mut self, rule: R, direction: Option<Direction>, message: String) {
        let mut c = event_change(rule, self.name, message);
        c.direction = direction;
        c.location = self.new.event_location(self.name);
        self.out.push(c);
    }

    fn run(mut self) -> Vec<Change> {
        self.direction();
        if self.o.namespace() != self.n.namespace() {
            let msg = format!(
                "namespace changed from `{}` to `{}`",
                self.o.namespace(),
                self.n.namespace()
            );
            self.push(R::NamespaceChanged, None, msg);
        }
        for &m in messages(self.o.direction) {
            if self.n.direction.allows(m) {
                self.message(m);
            }
        }
        self.rooms();
        self.auth();
        self.errors();
        if self.o.deprecated.is_none() {
            if let Some(d) = &self.n.deprecated {
                let to = d
                    .use_instead
                    .as_deref()
                    .map(|u| format!(": use `{u}`"))
                    .unwrap_or_default();
                self.push(R::EventDeprecated, None, format!("deprecated{to}"));
            }
        }
        self.out
    }

    fn direction(&mut self) {
        let (a, b) = (self.o.direction, self.n.direction);
        let rule = match (a, b) {
            _ if a == b => return,
            (Direction::Both, _) => R::DirectionNarrowed,
            (_, Direction::Both) => R::DirectionWidened,
            _ => R::DirectionReversed,
        };
        self.push(rule, Some(b), format!("direction changed from {a} to {b}"));
    }

    /// Arguments and ack of message `m`, which both catalogs allow.
    fn message(&mut self, m: Direction) {
        let flow = if m == Direction::C2s {
            Flow::Sent
        } else {
            Flow::Received
        };
        let (op, np) = (
            arg_parts(self.name, self.o, m),
            arg_parts(self.name, self.n, m),
        );
        for i in 0..op.len().max(np.len()) {
            match (op.get(i), np.get(i)) {
                (Some(a), Some(b)) => self.schemas(m, flow, a, b),
                (None, Some(b)) => {
                    let msg = format!("argument {i} added");
                    self.part_change(schema::Kind::ArgumentAdded.rule(flow), m, b, msg);
                }
                (Some(a), None) => {
                    let msg = format!("argument {i} ({}) removed", a.name);
                    let mut c = self.new_change(schema::Kind::ArgumentRemoved.rule(flow), m, msg);
                    c.part = Some(a.name.clone());
                    self.out.push(c);
                }
                (None, None) => {}
            }
        }
        // The ack goes the other way.
        let ack_flow = if flow == Flow::Sent {
            Flow::Received
        } else {
            Flow::Sent
        };
        match (
            ack_part(self.name, self.o, m),
            ack_part(self.name, self.n, m),
        ) {
            (Some(a), Some(b)) => self.schemas(m, ack_flow, &a, &b),
            (Some(_), None) => self.push(R::AckRemoved, Some(m), "ack removed".into()),
            (None, Some(b)) => self.part_change(R::AckAdded, m, &b, "ack added".into()),
            (None, None) => {}
        }
    }

    fn new_change(&self, rule: R, m: Direction, message: String) -> Change {
        let mut c = event_change(rule, self.name, message);
        c.direction = Some(m);
        c.location = self.new.event_location(self.name);
        c
    }

    fn part_change(&mut self, rule: R, m: Direction, part: &Part, message: String) {
        let mut c = self.new_change(rule, m, message);
        c.part = Some(part.name.clone());
        c.location = self.new.locate(&part.pointer);
        self.out.push(c);
    }

    fn schemas(&mut self, m: Direction, flow: Flow, a: &Part, b: &Part) {
        for f in schema::compare(a.schema, b.schema) {
            let mut c = self.new_change(f.kind.rule(flow), m, f.message);
            c.part = Some(b.name.clone());
            c.path = f.path;
            c.location = self.new.locate(&format!("{}{}", b.pointer, f.pointer));
            self.out.push(c);
        }
    }

    fn rooms(&mut self) {
        if self.o.direction.allows(Direction::S2c) && self.n.direction.allows(Direction::S2c) {
            let s2c = Some(Direction::S2c);
            match (room(self.o), room(self.n)) {
                (a, b) if a == b => {}
                (Some(a), None) => {
                    self.push(
                        R::RoomRemoved,
                        s2c,
                        format!("no longer sent to room `{a}` only"),
                    );
                }
                (a, Some(b)) => {
                    let from = a.map_or("the whole namespace".into(), |a| format!("room `{a}`"));
                    self.push(
                        R::RoomChanged,
                        s2c,
                        format!("sent to room `{b}` instead of {from}"),
                    );
                }
                (None, None) => {}
            }
        }
        for (what, a, b, changed, added) in [
            (
                "joins",
                &self.o.joins,
                &self.n.joins,
                R::JoinsChanged,
                R::JoinsAdded,
            ),
            (
                "leaves",
                &self.o.leaves,
                &self.n.leaves,
                R::LeavesChanged,
                R::LeavesAdded,
            ),
        ] {
            let (a, b) = (a.as_deref().map(blank), b.as_deref().map(blank));
            let show =
                |r: &Option<String>| r.as_ref().map_or("no room".into(), |r| format!("`{r}`"));
            let msg = format!("{what} changed from {} to {}", show(&a), show(&b));
            match (&a, &b) {
                _ if a == b => {}
                (None, Some(_)) => self.push(added, Some(Direction::C2s), msg),
                _ => self.push(changed, Some(Direction::C2s), msg),
            }
        }
    }

    /// The event's own `auth:` (a namespace's change is reported once, for the namespace).
    fn auth(&mut self) {
        if self.o.auth.is_none() && self.n.auth.is_none() {
            return;
        }
        let (a, b) = (
            self.old.catalog.event_auth(self.o),
            self.new.catalog.event_auth(self.n),
        );
        if let Some(rule) = auth_change(&a, &b) {
            self.push(rule, None, format!("auth changed from `{a}` to `{b}`"));
        }
    }

    fn errors(&mut self) {
        let (a, b): (BTreeSet<_>, BTreeSet<_>) = (
            self.o.errors.iter().collect(),
            self.n.errors.iter().collect(),
        );
        let list = |s: Vec<&&String>| {
            s.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let added: Vec<_> = b.difference(&a).collect();
        let removed: Vec<_> = a.difference(&b).collect();
        if !added.is_empty() {
            self.push(
                R::ErrorCodeAdded,
                None,
                format!("error code {} added", list(added)),
            );
        }
        if !removed.is_empty() {
            self.push(
                R::ErrorCodeRemoved,
                None,
                format!("error code {} removed", list(removed)),
            );
        }
    }
}

/// Tightened or loosened, `None` when equal: none < required < role; another role is tighter
/// (old clients may lack it).
pub fn auth_change(a: &AuthRule, b: &AuthRule) -> Option<R> {
    let rank = |r: &AuthRule| match r {
        AuthRule::None => 0,
        AuthRule::Required => 1,
        AuthRule::Role(_) => 2,
    };
    match (a, b) {
        _ if a == b => None,
        _ if rank(b) >= rank(a) => Some(R::AuthTightened),
        _ => Some(R::AuthLoosened),
    }
}
