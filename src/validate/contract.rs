//! The catalog compiled for judging traffic, one event or ack at a time: `evdoc validate` reads
//! captured packets with it and `evdoc proxy` the live ones, so both say the same thing about
//! the same packet.
//!
//! An event is judged by its namespace and name (known?), its direction (sent the way the
//! catalog says?) and its arguments (the compiled [`Args`] serve uses: arity, binary
//! attachments where their placeholders are); an ack by the ack schema of the event it
//! answers, in that event's direction.

use crate::catalog::contract::Args;
use crate::catalog::model::{Catalog, Variant};
use crate::catalog::schema::{self, arg_schemas, SchemaError, Validator};
use crate::vocab::Direction;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// How an event or ack breaks the catalog. The names are part of evdoc's output (reports, logs,
/// metrics labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Breach {
    /// Not an event of its namespace in the catalog.
    UnknownEvent,
    /// In the catalog, but for the other direction only.
    WrongDirection,
    /// Arguments that break the event's schemas.
    PayloadError,
    /// An ack that breaks the event's ack schema, or asked for where the catalog documents none.
    AckError,
}

impl Breach {
    /// The code as written in reports and labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Breach::UnknownEvent => "UnknownEvent",
            Breach::WrongDirection => "WrongDirection",
            Breach::PayloadError => "PayloadError",
            Breach::AckError => "AckError",
        }
    }

    /// Every code, for pre-registering metrics.
    pub const ALL: [Breach; 4] = [
        Breach::UnknownEvent,
        Breach::WrongDirection,
        Breach::PayloadError,
        Breach::AckError,
    ];
}

/// One event or ack that breaks the catalog: how, and where (at least one error; paths are JSON
/// pointers into the arguments, `/ack…` into an ack).
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// How.
    pub breach: Breach,
    /// What is wrong, with paths.
    pub errors: Vec<SchemaError>,
}

impl Violation {
    fn one(breach: Breach, message: String) -> Violation {
        Violation {
            breach,
            errors: vec![SchemaError {
                path: String::new(),
                message,
            }],
        }
    }
}

/// The catalog compiled for judging traffic.
pub struct Contract {
    /// By namespace, then event name (looked up by `&str`, no key built per packet).
    events: HashMap<String, HashMap<String, Rules>>,
}

struct Rules {
    direction: Direction,
    c2s: Args,
    s2c: Args,
    /// The ack of a c2s event (sent by the server) and of an s2c event (sent by the client).
    ack_c2s: Option<Validator>,
    ack_s2c: Option<Validator>,
}

impl Rules {
    fn compile(name: &str, ev: &crate::catalog::model::Event) -> Result<Rules, Vec<String>> {
        let args = |d| Args::compile(name, arg_schemas(ev, d));
        let ack = |v: Option<&Variant>| {
            v.and_then(|v| v.ack.as_ref())
                .or(ev.ack.as_ref())
                .filter(|s| !s.is_null())
                .map(schema::compile_wire)
                .transpose()
                .map_err(|e| format!("event `{name}`: ack: {e}"))
        };
        match (
            args(Direction::C2s),
            args(Direction::S2c),
            ack(ev.c2s.as_ref()),
            ack(ev.s2c.as_ref()),
        ) {
            (Ok(c2s), Ok(s2c), Ok(ack_c2s), Ok(ack_s2c)) => Ok(Rules {
                direction: ev.direction,
                c2s,
                s2c,
                ack_c2s,
                ack_s2c,
            }),
            (a, b, c, d) => Err([a.err(), b.err(), c.err(), d.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }

    fn ack(&self, event_direction: Direction) -> Option<&Validator> {
        match event_direction {
            Direction::S2c => self.ack_s2c.as_ref(),
            _ => self.ack_c2s.as_ref(),
        }
    }
}

impl Contract {
    /// Compile every event of `catalog`; `Err` lists the schemas that do not compile.
    pub fn new(catalog: &Catalog) -> Result<Contract, Vec<String>> {
        let mut events: HashMap<String, HashMap<String, Rules>> = HashMap::new();
        let mut problems = Vec::new();
        for (name, ev) in &catalog.events {
            match Rules::compile(name, ev) {
                Ok(rules) => {
                    let by_name = events.entry(ev.namespace().to_owned()).or_default();
                    by_name.insert(name.clone(), rules);
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        if problems.is_empty() {
            Ok(Contract { events })
        } else {
            Err(problems)
        }
    }

    fn rules(&self, ns: &str, event: &str) -> Option<&Rules> {
        self.events.get(ns)?.get(event)
    }

    /// Every event name of the catalog (a name in several namespaces more than once).
    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.events
            .values()
            .flat_map(|m| m.keys().map(String::as_str))
    }

    /// Whether `event` is in the catalog for namespace `ns` (in either direction).
    pub fn knows(&self, ns: &str, event: &str) -> bool {
        self.rules(ns, event).is_some()
    }

    /// Judge one event sent `direction` in `ns`: known, sent the way the catalog says,
    /// arguments valid (binary attachments, their sizes when known, where their placeholders
    /// are).
    pub fn event(
        &self,
        ns: &str,
        event: &str,
        direction: Direction,
        args: &[Value],
        attachments: &[Option<u64>],
    ) -> Result<(), Violation> {
        let Some(rules) = self.rules(ns, event) else {
            return Err(Violation::one(
                Breach::UnknownEvent,
                format!("`{event}` is not an event of namespace `{ns}` in the catalog"),
            ));
        };
        if !rules.direction.allows(direction) {
            return Err(Violation::one(
                Breach::WrongDirection,
                format!(
                    "`{event}` is a {} event, seen {}",
                    rules.direction.as_str(),
                    direction.as_str()
                ),
            ));
        }
        let args_rules = match direction {
            Direction::C2s => &rules.c2s,
            _ => &rules.s2c,
        };
        let errors = args_rules
            .judge(args, attachments)
            .unwrap_or_else(|message| {
                vec![SchemaError {
                    path: String::new(),
                    message,
                }]
            });
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Violation {
                breach: Breach::PayloadError,
                errors,
            })
        }
    }

    /// Whether the catalog documents an ack for `event` sent `direction` (the sender may then
    /// pass a callback).
    pub fn documents_ack(&self, ns: &str, event: &str, direction: Direction) -> bool {
        self.rules(ns, event)
            .is_some_and(|r| r.ack(direction).is_some())
    }

    /// Judge the ack answering `event` (which was sent `event_direction`; the ack travels the
    /// other way) against the event's ack schema: its first argument, binary attachments
    /// standing where their placeholders are. An event without an ack schema accepts any ack.
    pub fn ack(
        &self,
        ns: &str,
        event: &str,
        event_direction: Direction,
        args: &[Value],
        attachments: &[Option<u64>],
    ) -> Result<(), Violation> {
        let Some(validator) = self.rules(ns, event).and_then(|r| r.ack(event_direction)) else {
            return Ok(());
        };
        let seen = crate::catalog::binary::attach(args, attachments)
            .map_err(|why| Violation::one(Breach::AckError, why))?;
        let null = Value::Null;
        let value = seen.first().unwrap_or(&null);
        if validator.is_valid(value) {
            return Ok(());
        }
        let errors = schema::validate(validator, value)
            .into_iter()
            .map(|e| SchemaError {
                path: format!("/ack{}", e.path),
                message: e.message,
            })
            .collect();
        Err(Violation {
            breach: Breach::AckError,
            errors,
        })
    }
}

/// Events waiting for their ack, by a key naming where they were sent and their ack id (the
/// namespace and id, and for a capture the direction), oldest first. Bounded: past `max`, the
/// oldest is forgotten (its ack, if it ever comes, is then unmatched).
pub struct AckBook<K, V = String> {
    /// The event (and whatever the caller keeps with it) and the sequence number it was
    /// remembered under.
    by_id: HashMap<K, (u64, V)>,
    /// Keys in the order remembered, with their sequence numbers: an entry whose number is no
    /// longer the key's (answered, then the id used again) is stale and ages out harmlessly.
    order: VecDeque<(K, u64)>,
    next: u64,
    max: usize,
}

impl<K: Hash + Eq + Clone, V> AckBook<K, V> {
    /// An empty book keeping at most `max` events.
    pub fn new(max: usize) -> Self {
        AckBook {
            by_id: HashMap::new(),
            order: VecDeque::new(),
            next: 0,
            max,
        }
    }

    /// `event` was sent under `key` and waits for its ack.
    pub fn remember(&mut self, key: K, event: V) {
        self.next += 1;
        self.by_id.insert(key.clone(), (self.next, event));
        self.order.push_back((key, self.next));
        while self.order.len() > self.max {
            if let Some((old, seq)) = self.order.pop_front() {
                if self.by_id.get(&old).is_some_and(|(s, _)| *s == seq) {
                    self.by_id.remove(&old);
                }
            }
        }
    }

    /// The event an ack under `key` answers, forgotten once answered.
    pub fn take(&mut self, key: &K) -> Option<V> {
        self.by_id.remove(key).map(|(_, event)| event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_forgets_the_oldest_past_its_bound() {
        let mut book = AckBook::new(2);
        book.remember(("/", 1), "a".to_owned());
        book.remember(("/", 2), "b".to_owned());
        book.remember(("/", 3), "c".to_owned());
        assert_eq!(book.take(&("/", 1)), None);
        assert_eq!(book.take(&("/", 3)).as_deref(), Some("c"));
        assert_eq!(book.take(&("/", 3)), None);
        // An id used again after its ack keeps its new event when the old entry ages out.
        book.remember(("/", 4), "d".to_owned());
        book.take(&("/", 4));
        book.remember(("/", 4), "e".to_owned());
        book.remember(("/", 5), "f".to_owned());
        assert_eq!(book.take(&("/", 4)).as_deref(), Some("e"));
    }
}
