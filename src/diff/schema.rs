//! Comparing two JSON Schemas of one payload, recursively, into kinds of change with the JSON
//! path of the value they concern (`/items/*/price`: `*` is every item of an array or every
//! value of a map). Whether a kind breaks old clients depends on who writes the payload
//! ([`Flow`]); [`Kind::rule`] decides.

use super::rule::ChangeRule;
use crate::catalog::positions::escape;
use crate::catalog::schema::binary;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Who writes a payload, seen from an old client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// The client writes it, the server reads it: c2s arguments, the ack of an s2c event.
    Sent,
    /// The server writes it, the client reads it: s2c arguments, the ack of a c2s event.
    Received,
}

/// A kind of schema change, before the flow says whether it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ArgumentAdded,
    ArgumentRemoved,
    BecameRequired,
    BecameOptional,
    PropertyAdded,
    PropertyRemoved,
    /// Removed while the new schema forbids unknown properties.
    PropertyRejected,
    EnumValueAdded,
    EnumValueRemoved,
    TypeNarrowed,
    TypeWidened,
    TypeChanged,
    Tightened,
    Loosened,
    Closed,
    Opened,
    /// A change that cannot be ordered.
    Unordered,
}

impl Kind {
    /// The rule for this kind of change in a payload of `flow`.
    pub fn rule(self, flow: Flow) -> ChangeRule {
        use ChangeRule as R;
        let (sent, received) = match self {
            Kind::ArgumentAdded => (R::SentArgumentAdded, R::ReceivedArgumentAdded),
            Kind::ArgumentRemoved => (R::SentArgumentRemoved, R::ReceivedArgumentRemoved),
            Kind::BecameRequired => (
                R::SentPropertyBecameRequired,
                R::ReceivedPropertyBecameRequired,
            ),
            Kind::BecameOptional => (
                R::SentPropertyBecameOptional,
                R::ReceivedPropertyBecameOptional,
            ),
            Kind::PropertyAdded => (R::SentPropertyAdded, R::ReceivedPropertyAdded),
            Kind::PropertyRemoved => (R::SentPropertyRemoved, R::ReceivedPropertyRemoved),
            Kind::PropertyRejected => (R::SentPropertyRejected, R::ReceivedPropertyRemoved),
            Kind::EnumValueAdded => (R::SentEnumValueAdded, R::ReceivedEnumValueAdded),
            Kind::EnumValueRemoved => (R::SentEnumValueRemoved, R::ReceivedEnumValueRemoved),
            Kind::TypeNarrowed => (R::SentTypeNarrowed, R::ReceivedTypeNarrowed),
            Kind::TypeWidened => (R::SentTypeWidened, R::ReceivedTypeWidened),
            Kind::TypeChanged => (R::SentTypeChanged, R::ReceivedTypeChanged),
            Kind::Tightened => (R::SentConstraintTightened, R::ReceivedConstraintTightened),
            Kind::Loosened => (R::SentConstraintLoosened, R::ReceivedConstraintLoosened),
            Kind::Closed => (R::SentPropertiesClosed, R::ReceivedPropertiesClosed),
            Kind::Opened => (R::SentPropertiesOpened, R::ReceivedPropertiesOpened),
            Kind::Unordered => (R::SentSchemaChanged, R::ReceivedSchemaChanged),
        };
        match flow {
            Flow::Sent => sent,
            Flow::Received => received,
        }
    }
}

/// One difference between two schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// What kind of change.
    pub kind: Kind,
    /// JSON path of the value in the payload (`/items/*/price`; empty: the payload itself).
    pub path: String,
    /// JSON pointer of the schema node, relative to the payload's schema (for locations).
    pub pointer: String,
    /// What changed, in words.
    pub message: String,
}

/// Keywords that bound a value from above (smaller is tighter) or below (larger is tighter).
const UPPER: [&str; 6] = [
    "maxLength",
    "maximum",
    "exclusiveMaximum",
    "maxItems",
    "maxProperties",
    "maxBytes",
];
const LOWER: [&str; 5] = [
    "minLength",
    "minimum",
    "exclusiveMinimum",
    "minItems",
    "minProperties",
];
/// Keywords whose presence restricts and whose change cannot be ordered.
const EXACT: [&str; 4] = ["pattern", "format", "multipleOf", "contentMediaType"];
/// Keywords evdoc does not look inside: any change is [`Kind::Unordered`].
const OPAQUE: [&str; 15] = [
    "not",
    "$defs",
    "definitions",
    "if",
    "then",
    "else",
    "$ref",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "contains",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Every difference between `old` and `new`, the schemas of one payload.
pub fn compare(old: &Value, new: &Value) -> Vec<Found> {
    let mut out = Vec::new();
    Walk { out: &mut out }.node(old, new, "", "");
    out
}

struct Walk<'a> {
    out: &'a mut Vec<Found>,
}

impl Walk<'_> {
    fn push(&mut self, kind: Kind, path: &str, pointer: &str, message: String) {
        self.out.push(Found {
            kind,
            path: path.to_owned(),
            pointer: pointer.to_owned(),
            message,
        });
    }

    fn node(&mut self, old: &Value, new: &Value, path: &str, ptr: &str) {
        if old == new {
            return;
        }
        let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
            let msg = format!("schema changed from `{old}` to `{new}`");
            return self.push(Kind::Unordered, path, ptr, msg);
        };
        if !self.types(old, new, path, ptr) {
            return;
        }
        self.enums(o, n, path, ptr);
        self.bounds(o, n, path, ptr);
        self.opaque(o, n, path, ptr);
        self.properties(o, n, path, ptr);
        self.additional(o, n, path, ptr);
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.node(oi, ni, &format!("{path}/*"), &format!("{ptr}/items"));
        } else if o.get("items") != n.get("items") {
            let kind = if n.contains_key("items") {
                Kind::Tightened
            } else {
                Kind::Loosened
            };
            self.push(kind, path, ptr, "`items` schema added or removed".into());
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            self.branches(o, n, key, path, ptr);
        }
    }

    /// Compare the sets of types; `false` when the type changed outright (nothing below it
    /// compares).
    fn types(&mut self, old: &Value, new: &Value, path: &str, ptr: &str) -> bool {
        let (ot, nt) = (types(old), types(new));
        let show = |t: &Option<BTreeSet<String>>| match t {
            None => "any type".to_owned(),
            Some(s) => s.iter().cloned().collect::<Vec<_>>().join(" | "),
        };
        let covers = |set: &BTreeSet<String>, t: &str| {
            set.contains(t) || (t == "integer" && set.contains("number"))
        };
        let (lost, gained) = match (&ot, &nt) {
            (None, None) => return true,
            (None, Some(_)) => (true, false),
            (Some(_), None) => (false, true),
            (Some(o), Some(n)) => (
                o.iter().any(|t| !covers(n, t)),
                n.iter().any(|t| !covers(o, t)),
            ),
        };
        let msg = format!("type changed from {} to {}", show(&ot), show(&nt));
        match (lost, gained) {
            (true, true) => {
                self.push(Kind::TypeChanged, path, ptr, msg);
                return false;
            }
            (true, false) => self.push(Kind::TypeNarrowed, path, ptr, msg),
            (false, true) => self.push(Kind::TypeWidened, path, ptr, msg),
            (false, false) => {}
        }
        true
    }

    fn enums(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, path: &str, ptr: &str) {
        let (oe, ne) = (enum_values(o), enum_values(n));
        match (oe, ne) {
            (None, None) => {}
            (None, Some(_)) => self.push(Kind::Tightened, path, ptr, "`enum` added".into()),
            (Some(_), None) => self.push(Kind::Loosened, path, ptr, "`enum` removed".into()),
            (Some(oe), Some(ne)) => {
                let list = |v: Vec<&Value>| {
                    v.iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let removed: Vec<&Value> = oe.iter().filter(|v| !ne.contains(v)).copied().collect();
                let added: Vec<&Value> = ne.iter().filter(|v| !oe.contains(v)).copied().collect();
                if !removed.is_empty() {
                    let msg = format!("enum value {} removed", list(removed));
                    self.push(Kind::EnumValueRemoved, path, &format!("{ptr}/enum"), msg);
                }
                if !added.is_empty() {
                    let msg = format!("enum value {} added", list(added));
                    self.push(Kind::EnumValueAdded, path, &format!("{ptr}/enum"), msg);
                }
            }
        }
    }

    fn bounds(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, path: &str, ptr: &str) {
        let num = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64);
        for (keys, upper) in [(&UPPER[..], true), (&LOWER[..], false)] {
            for &k in keys {
                let kind = match (num(o, k), num(n, k)) {
                    (None, None) => continue,
                    (Some(a), Some(b)) if a == b => continue,
                    (Some(a), Some(b)) if (b < a) == upper => Kind::Tightened,
                    (Some(_), Some(_)) | (Some(_), None) => Kind::Loosened,
                    (None, Some(_)) => Kind::Tightened,
                };
                let show =
                    |m: &Map<String, Value>| m.get(k).map_or("none".into(), Value::to_string);
                let msg = format!("`{k}` changed from {} to {}", show(o), show(n));
                self.push(kind, path, &format!("{ptr}/{k}"), msg);
            }
        }
        if o.get("uniqueItems") != n.get("uniqueItems") {
            let on = n.get("uniqueItems") == Some(&Value::Bool(true));
            let kind = if on { Kind::Tightened } else { Kind::Loosened };
            let msg = format!("`uniqueItems` {}", if on { "added" } else { "removed" });
            self.push(kind, path, &format!("{ptr}/uniqueItems"), msg);
        }
        for k in EXACT {
            let (a, b) = (o.get(k), n.get(k));
            let kind = match (a, b) {
                (x, y) if x == y => continue,
                // `format: binary` is a type, compared by `types`.
                (Some(Value::String(f)), _) | (_, Some(Value::String(f)))
                    if k == "format" && f == "binary" =>
                {
                    continue
                }
                (None, Some(_)) => Kind::Tightened,
                (Some(_), None) => Kind::Loosened,
                _ => Kind::Unordered,
            };
            let show = |v: Option<&Value>| v.map_or("none".into(), Value::to_string);
            let msg = format!("`{k}` changed from {} to {}", show(a), show(b));
            self.push(kind, path, &format!("{ptr}/{k}"), msg);
        }
    }

    fn opaque(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, path: &str, ptr: &str) {
        for k in OPAQUE {
            if o.get(k) != n.get(k) {
                let msg =
                    format!("`{k}` changed; evdoc cannot tell whether it admits more or less");
                self.push(Kind::Unordered, path, &format!("{ptr}/{k}"), msg);
            }
        }
    }

    fn branches(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        key: &str,
        path: &str,
        ptr: &str,
    ) {
        match (
            o.get(key).and_then(Value::as_array),
            n.get(key).and_then(Value::as_array),
        ) {
            (Some(a), Some(b)) if a.len() == b.len() => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.node(x, y, path, &format!("{ptr}/{key}/{i}"));
                }
            }
            (a, b) if a == b => {}
            _ => {
                let msg =
                    format!("`{key}` changed; evdoc cannot tell whether it admits more or less");
                self.push(Kind::Unordered, path, &format!("{ptr}/{key}"), msg);
            }
        }
    }

    fn properties(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &str,
        ptr: &str,
    ) {
        let empty = Map::new();
        let props = |m: &Map<String, Value>| {
            m.get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty)
                .clone()
        };
        let (op, np) = (props(o), props(n));
        let (or, nr) = (required(o), required(n));
        let closed = n.get("additionalProperties") == Some(&Value::Bool(false));
        let names: BTreeSet<&String> = op.keys().chain(np.keys()).chain(&or).chain(&nr).collect();
        for name in names {
            let p = format!("{path}/{}", escape(name));
            let sp = format!("{ptr}/properties/{}", escape(name));
            let (was, is) = (op.get(name.as_str()), np.get(name.as_str()));
            let (was_req, is_req) = (or.contains(name), nr.contains(name));
            if is_req && !was_req {
                let msg = if was.is_none() && is.is_some() {
                    format!("new required property `{name}`")
                } else {
                    format!("`{name}` is now required")
                };
                self.push(Kind::BecameRequired, &p, &sp, msg);
            }
            match (was, is) {
                (Some(a), Some(b)) => {
                    if was_req && !is_req {
                        let msg = format!("`{name}` is no longer required");
                        self.push(Kind::BecameOptional, &p, &sp, msg);
                    }
                    self.node(a, b, &p, &sp);
                }
                (None, Some(_)) if !is_req => {
                    self.push(
                        Kind::PropertyAdded,
                        &p,
                        &sp,
                        format!("optional property `{name}` added"),
                    );
                }
                (Some(_), None) => {
                    let kind = if closed {
                        Kind::PropertyRejected
                    } else {
                        Kind::PropertyRemoved
                    };
                    let req = if was_req { "required " } else { "" };
                    let mut msg = format!("{req}property `{name}` removed");
                    if closed {
                        msg.push_str(" and now refused by `additionalProperties: false`");
                    }
                    self.push(kind, &p, ptr, msg);
                }
                _ => {
                    if was_req && !is_req {
                        let msg = format!("`{name}` is no longer required");
                        self.push(Kind::BecameOptional, &p, &sp, msg);
                    }
                }
            }
        }
    }

    fn additional(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &str,
        ptr: &str,
    ) {
        let (a, b) = (o.get("additionalProperties"), n.get("additionalProperties"));
        let is_false = |v: Option<&Value>| v == Some(&Value::Bool(false));
        let sp = format!("{ptr}/additionalProperties");
        if is_false(b) && !is_false(a) {
            self.push(
                Kind::Closed,
                path,
                &sp,
                "`additionalProperties: false` added".into(),
            );
        } else if is_false(a) && !is_false(b) {
            self.push(
                Kind::Opened,
                path,
                &sp,
                "`additionalProperties: false` removed".into(),
            );
        } else if let (Some(x @ Value::Object(_)), Some(y @ Value::Object(_))) = (a, b) {
            self.node(x, y, &format!("{path}/*"), &sp);
        } else if a != b {
            let msg = "`additionalProperties` changed".to_owned();
            self.push(Kind::Unordered, path, &sp, msg);
        }
    }
}

/// The set of types a schema admits (`binary` standing for a binary value); `None`: any.
fn types(schema: &Value) -> Option<BTreeSet<String>> {
    if binary(schema).is_some() {
        return Some(BTreeSet::from(["binary".to_owned()]));
    }
    match schema.get("type")? {
        Value::String(t) => Some(BTreeSet::from([t.clone()])),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

/// `enum`, or `const` as an enum of one.
fn enum_values(m: &Map<String, Value>) -> Option<Vec<&Value>> {
    if let Some(Value::Array(v)) = m.get("enum") {
        return Some(v.iter().collect());
    }
    m.get("const").map(|c| vec![c])
}

fn required(m: &Map<String, Value>) -> BTreeSet<String> {
    m.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
