//! Catalog lint: problems a loadable catalog can still have. Invalid schemas, examples that fail
//! their schema, replies/errors/rooms/namespaces that name nothing (rule EV008), and names that
//! break the naming convention (EV007). `evdoc lint` prints these; `evdoc check` includes them.

use super::load::LoadedCatalog;
use super::model::{AuthScheme, Catalog, Event, Schema};
use super::positions::{escape, pointer};
use super::room::RoomTemplate;
use super::schema;
use crate::vocab::diagnostic::Location;
use crate::vocab::is_reserved;
use crate::vocab::{Direction, Rule};
use regex::Regex;

/// One lint problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// [`Rule::NamingConvention`] or [`Rule::CatalogLint`]; the severity is the rule's.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
    /// The event concerned, if any.
    pub event: Option<String>,
    /// Where in the catalog.
    pub at: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
}

struct Linter<'a> {
    loaded: &'a LoadedCatalog,
    out: Vec<Problem>,
}

impl Linter<'_> {
    fn push(
        &mut self,
        rule: Rule,
        event: Option<&str>,
        ptr: &str,
        message: String,
        help: Option<String>,
    ) {
        self.out.push(Problem {
            rule,
            message,
            event: event.map(str::to_owned),
            at: self.loaded.locate(ptr),
            help,
        });
    }
}

/// Lint a loaded catalog; problems come in catalog order.
pub fn lint(loaded: &LoadedCatalog) -> Vec<Problem> {
    let mut l = Linter {
        loaded,
        out: Vec::new(),
    };
    let cat = &loaded.catalog;
    naming(&mut l, cat);
    for (name, event) in &cat.events {
        schemas_and_examples(&mut l, name, event);
        references(&mut l, cat, name, event);
    }
    unsatisfiable_rules(&mut l, cat);
    for (i, origin) in cat.connection.cors.origins.iter().enumerate() {
        if origin.trim() == "*" {
            continue;
        }
        if let Err(e) = crate::vocab::origin::Origin::parse(origin.trim()) {
            l.push(
                Rule::CatalogLint,
                None,
                &pointer(["connection", "cors", "origins", &i.to_string()]),
                e,
                Some("an origin is what a browser sends in `Origin`: `https://dash.example.com`, `http://localhost:5173`; `*` for any".into()),
            );
        }
    }
    for (name, room) in &cat.rooms {
        check_template(
            &mut l,
            None,
            &pointer(["rooms", name]),
            &RoomTemplate::parse(name),
        );
        if let Some(ns) = &room.namespace {
            known_namespace(
                &mut l,
                cat,
                None,
                &pointer(["rooms", name, "namespace"]),
                ns,
            );
        }
    }
    for (id, flow) in &cat.flows {
        for (i, step) in flow.steps.iter().enumerate() {
            if let super::model::FlowStep::Emit { emit } = step {
                if !cat.events.contains_key(emit) && !is_reserved(emit) {
                    l.push(
                        Rule::CatalogLint,
                        None,
                        &format!("{}/{i}", pointer(["flows", id, "steps"])),
                        format!("flow `{id}` emits `{emit}`, which is not in the catalog"),
                        did_you_mean(emit, cat.events.keys()),
                    );
                }
            }
        }
    }
    l.out
}

fn naming(l: &mut Linter, cat: &Catalog) {
    let pattern = &cat.conventions.event_pattern;
    let re = match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => {
            l.push(
                Rule::CatalogLint,
                None,
                "/conventions/event_pattern",
                format!("`event_pattern` is not a valid regex: {e}"),
                None,
            );
            return;
        }
    };
    for name in cat.events.keys() {
        if !is_reserved(name) && name != "error" && name != "message" && !re.is_match(name) {
            l.push(Rule::NamingConvention, Some(name), &pointer(["events", name]), format!("event `{name}` does not match the naming convention `{pattern}`"), Some("name events `domain:action` (`trade:update`), subscriptions `subscribe:domain`".into()));
        }
    }
}

fn schemas_and_examples(l: &mut Linter, name: &str, event: &Event) {
    let base = pointer(["events", name]);
    if event.payload.is_some() && event.args.is_some() {
        l.push(
            Rule::CatalogLint,
            Some(name),
            &format!("{base}/args"),
            format!("event `{name}` has both `payload` and `args`"),
            Some("use `payload` for one argument, `args` for several".into()),
        );
    }
    let mut compiled_ok = true;
    let mut check = |l: &mut Linter, ptr: String, s: &Schema| match schema::compile(s) {
        Ok(_) => binary_keywords(l, name, &ptr, s),
        Err(e) => {
            compiled_ok = false;
            l.push(
                Rule::CatalogLint,
                Some(name),
                &ptr,
                format!("invalid JSON Schema for `{name}`: {e}"),
                None,
            );
        }
    };
    if let Some(p) = &event.payload {
        check(l, format!("{base}/payload"), p);
    }
    if let Some(a) = &event.ack {
        check(l, format!("{base}/ack"), a);
    }
    for (i, a) in event.args.iter().flatten().enumerate() {
        check(l, format!("{base}/args/{i}"), a);
    }
    for (dir, v) in [("c2s", &event.c2s), ("s2c", &event.s2c)] {
        if let Some(v) = v {
            if let Some(p) = &v.payload {
                check(l, format!("{base}/{dir}/payload"), p);
            }
            if let Some(a) = &v.ack {
                check(l, format!("{base}/{dir}/ack"), a);
            }
        }
    }
    if !compiled_ok {
        return;
    }
    // Examples: with one argument each example is the payload; with `args` it is the list of
    // arguments.
    let direction = match event.direction {
        Direction::Both => Direction::C2s,
        d => d,
    };
    let mut examples: Vec<(String, &serde_json::Value, Direction)> = event
        .examples
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("{base}/examples/{i}"), e, direction))
        .collect();
    for (dir, d, v) in [
        ("c2s", Direction::C2s, &event.c2s),
        ("s2c", Direction::S2c, &event.s2c),
    ] {
        if let Some(v) = v {
            examples.extend(
                v.examples
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("{base}/{dir}/examples/{i}"), e, d)),
            );
        }
    }
    for (ptr, example, d) in examples {
        let schemas = schema::arg_schemas(event, d);
        let multi = event.args.is_some();
        let values: Vec<&serde_json::Value> = if multi {
            match example.as_array() {
                Some(a) => a.iter().collect(),
                None => {
                    l.push(Rule::CatalogLint, Some(name), &ptr, format!("example of `{name}` must be a list of arguments, since the event has `args`"), None);
                    continue;
                }
            }
        } else {
            vec![example]
        };
        for (i, (s, v)) in schemas.iter().zip(values).enumerate() {
            let Ok(validator) = schema::compile(s) else {
                continue;
            };
            for err in schema::validate(&validator, v) {
                let arg = if multi {
                    format!(" (argument {i})")
                } else {
                    String::new()
                };
                let path = if err.path.is_empty() {
                    "the root".to_owned()
                } else {
                    format!("`{}`", err.path)
                };
                l.push(
                    Rule::CatalogLint,
                    Some(name),
                    &ptr,
                    format!(
                        "example of `{name}`{arg} fails its schema at {path}: {}",
                        err.message
                    ),
                    None,
                );
            }
        }
    }
}

/// `maxBytes` outside a binary value, or `format: binary` on a type that is not a string: the
/// server would ignore the one and the docs would misread the other.
fn binary_keywords(l: &mut Linter, name: &str, ptr: &str, s: &Schema) {
    let Some(obj) = s.as_object() else { return };
    let is_binary = schema::binary(s).is_some();
    if obj.contains_key("maxBytes") && !is_binary {
        l.push(
            Rule::CatalogLint,
            Some(name),
            &format!("{ptr}/maxBytes"),
            format!("`maxBytes` in `{name}` applies only to a binary value (`format: binary`)"),
            Some("add `format: binary` for bytes sent as a Buffer or ArrayBuffer, or use `maxLength` for a string".into()),
        );
    }
    if obj.get("format").and_then(serde_json::Value::as_str) == Some("binary") && !is_binary {
        l.push(
            Rule::CatalogLint,
            Some(name),
            &format!("{ptr}/type"),
            format!("`format: binary` in `{name}` needs `type: string` or no `type`"),
            None,
        );
    }
    for (k, v) in obj {
        if super::binary::DATA_KEYWORDS.contains(&k.as_str()) {
            continue;
        }
        match v {
            serde_json::Value::Object(_) => {
                binary_keywords(l, name, &format!("{ptr}/{}", escape(k)), v)
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    binary_keywords(l, name, &format!("{ptr}/{}/{i}", escape(k)), item);
                }
            }
            _ => {}
        }
    }
}

fn references(l: &mut Linter, cat: &Catalog, name: &str, event: &Event) {
    let base = pointer(["events", name]);
    for (i, r) in event.replies.iter().enumerate() {
        let reply = r.event();
        if !cat.events.contains_key(reply) && !is_reserved(reply) {
            l.push(
                Rule::CatalogLint,
                Some(name),
                &format!("{base}/replies/{i}"),
                format!("`{name}` replies with `{reply}`, which is not in the catalog"),
                did_you_mean(reply, cat.events.keys()),
            );
        }
    }
    for (i, code) in event.errors.iter().enumerate() {
        if !cat.errors.contains_key(code) {
            l.push(
                Rule::CatalogLint,
                Some(name),
                &format!("{base}/errors/{i}"),
                format!("`{name}` may fail with `{code}`, which is not in `errors`"),
                did_you_mean(code, cat.errors.keys()),
            );
        }
    }
    if let Some(d) = &event.deprecated {
        if let Some(u) = &d.use_instead {
            if !cat.events.contains_key(u) {
                l.push(
                    Rule::CatalogLint,
                    Some(name),
                    &format!("{base}/deprecated/use"),
                    format!(
                        "`{name}` is deprecated in favour of `{u}`, which is not in the catalog"
                    ),
                    did_you_mean(u, cat.events.keys()),
                );
            }
        }
    }
    if let Some(ns) = &event.namespace {
        known_namespace(l, cat, Some(name), &format!("{base}/namespace"), ns);
    }
    for (field, template) in [
        ("room", &event.room),
        ("joins", &event.joins),
        ("leaves", &event.leaves),
    ] {
        let Some(t) = template else { continue };
        let ptr = format!("{base}/{field}");
        let parsed = RoomTemplate::parse(t);
        // A template declared in `rooms` is checked there, once.
        if !cat.rooms.contains_key(t) {
            check_template(l, Some(name), &ptr, &parsed);
        }
        if !cat.rooms.is_empty() && !cat.rooms.contains_key(t) {
            l.push(
                Rule::CatalogLint,
                Some(name),
                &ptr,
                format!(
                    "`{name}` {} room `{t}`, which is not in `rooms`",
                    if field == "room" { "targets" } else { field }
                ),
                did_you_mean(t, cat.rooms.keys()),
            );
        }
        if field != "room" {
            // `joins`/`leaves` bind placeholders from the payload: each must be a payload field.
            let props = event
                .payload
                .as_ref()
                .and_then(|p| p.get("properties"))
                .and_then(|p| p.as_object());
            for var in parsed.placeholders() {
                if !props.is_some_and(|p| p.contains_key(var)) {
                    l.push(Rule::CatalogLint, Some(name), &ptr, format!("`{name}` {field} `{t}`, but its payload schema has no property `{var}` to bind `{{{var}}}` from"), None);
                }
            }
        }
    }
}

/// A room template that is legal but almost surely a typo (`{}`, `{a{b}`, an unclosed `{`):
/// serve would bind or match it in a way its author did not mean.
fn check_template(l: &mut Linter, event: Option<&str>, ptr: &str, template: &RoomTemplate) {
    for problem in template.problems() {
        l.push(
            Rule::CatalogLint,
            event,
            ptr,
            format!("room `{template}`: {problem}"),
            Some("placeholders are `{name}`, one word each, e.g. `user:{userId}`".into()),
        );
    }
}

fn known_namespace(l: &mut Linter, cat: &Catalog, event: Option<&str>, ptr: &str, ns: &str) {
    if !cat.namespaces.is_empty() && !cat.namespaces.contains_key(ns) {
        l.push(
            Rule::CatalogLint,
            event,
            ptr,
            format!("namespace `{ns}` is not in `namespaces`"),
            did_you_mean(ns, cat.namespaces.keys()),
        );
    }
}

/// Rules no connection can meet: an `auth:` or `access:` that needs an identity in a catalog
/// without an auth scheme (`evdoc serve` would refuse everyone). The words themselves were
/// checked when the catalog was read (crate::vocab::access).
fn unsatisfiable_rules(l: &mut Linter, cat: &Catalog) {
    if cat.auth.scheme != AuthScheme::None {
        return;
    }
    let help = || Some("set `auth.scheme` (session or token), or make the rule `none`".to_owned());
    for (name, ns) in &cat.namespaces {
        if let Some(rule) = ns.auth.as_ref().filter(|r| r.needs_identity()) {
            l.push(
                Rule::CatalogLint,
                None,
                &pointer(["namespaces", name, "auth"]),
                format!("namespace `{name}` needs `{rule}`, but the catalog has no auth scheme: no connection can meet it"),
                help(),
            );
        }
    }
    for (name, room) in &cat.rooms {
        if let Some(access) = room.access.as_ref().filter(|a| a.needs_identity()) {
            l.push(
                Rule::CatalogLint,
                None,
                &pointer(["rooms", name, "access"]),
                format!("room `{name}` needs `{access}`, but the catalog has no auth scheme: nobody can join it"),
                help(),
            );
        }
    }
    for (name, event) in &cat.events {
        if let Some(rule) = event.auth.as_ref().filter(|r| r.needs_identity()) {
            l.push(
                Rule::CatalogLint,
                Some(name),
                &pointer(["events", name, "auth"]),
                format!("`{name}` needs `{rule}`, but the catalog has no auth scheme: no connection can meet it"),
                help(),
            );
        }
    }
}

fn did_you_mean<'a>(word: &str, names: impl Iterator<Item = &'a String>) -> Option<String> {
    let names: Vec<String> = names.cloned().collect();
    super::load::did_you_mean(word, &names).map(|s| format!("did you mean `{s}`?"))
}
