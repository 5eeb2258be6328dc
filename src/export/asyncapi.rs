//! The catalog as an **AsyncAPI 3.0.0** document, from the server's point of view.
//!
//! - One channel per namespace (address: the namespace a client connects to), holding every
//!   message of its events and their acknowledgements.
//! - One channel per room template (address: the template, `{placeholders}` as channel
//!   parameters). AsyncAPI 3's own guidance reads Socket.IO channels as rooms, and a reader
//!   wants to see where `trade:update` goes (`user:{userId}`) and what `userId` is. A client
//!   never addresses a room (the server joins it), so every room channel says its namespace in
//!   `x-socketio-namespace` and its messages are also in the namespace channel.
//! - One message per event and direction (`both` with `c2s:`/`s2c:` variants: two), in
//!   `components.messages`; every schema in `components.schemas`, identical schemas once.
//! - Operations: client→server events are the server's `receive`, server→client its `send`
//!   (on the room channel when the event names a room); an ack is the operation's `reply`.
//! - The handshake credential is a security scheme; what AsyncAPI has no field for is under
//!   `x-socketio-*` (crate::vocab::asyncapi lists them).
//!
//! The output is deterministic: maps keep the catalog's order.

use crate::catalog::room::RoomTemplate;
use crate::catalog::schema::binary;
use crate::catalog::{Catalog, Event, Schema};
use crate::vocab::asyncapi as x;
use crate::vocab::{AuthScheme, Direction};
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The AsyncAPI document for `catalog`.
pub fn export(catalog: &Catalog) -> Value {
    let mut b = Builder::new(catalog);
    b.namespaces();
    b.rooms();
    for (name, event) in &catalog.events {
        b.event(name, event);
    }
    b.finish()
}

/// The schemas of `catalog` that are not valid JSON Schemas (`event `x` payload: why`): an
/// AsyncAPI document holding them would not be valid, so the CLI refuses to export them and
/// points at `evdoc lint`.
pub fn invalid_schemas(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for (name, e) in &catalog.events {
        let dirs: &[Direction] = match e.direction {
            Direction::Both => &[Direction::C2s, Direction::S2c],
            Direction::C2s => &[Direction::C2s],
            Direction::S2c => &[Direction::S2c],
        };
        for &d in dirs {
            let s = side(e, d);
            let args = s.args.into_iter().flatten();
            let all = args.chain(s.payload).map(|p| ("payload", p));
            for (what, schema) in all.chain(s.ack.map(|a| ("ack", a))) {
                if let Err(why) = crate::catalog::schema::compile(schema) {
                    let line = format!("event `{name}` ({d}) {what}: {why}");
                    if !out.contains(&line) {
                        out.push(line);
                    }
                }
            }
        }
    }
    out
}

/// A key for `components` or `channels`/`operations` (`^[A-Za-z0-9._-]+$`) made from `raw`:
/// `trade:update` → `trade.update`, unique within `used`.
fn key(raw: &str, used: &mut IndexSet<String>) -> String {
    let mut k = String::new();
    for c in raw.chars() {
        let c = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' | '-' => c,
            ':' | '.' | '/' => '.',
            '{' | '}' => continue,
            _ => '_',
        };
        k.push(c);
    }
    let k = k.trim_matches(|c| c == '.' || c == '_').to_owned();
    let k = if k.is_empty() { "x".to_owned() } else { k };
    let mut unique = k.clone();
    let mut n = 2;
    while used.contains(&unique) {
        unique = format!("{k}_{n}");
        n += 1;
    }
    used.insert(unique.clone());
    unique
}

fn reference(path: &[&str]) -> Value {
    let escaped: Vec<String> = path
        .iter()
        .map(|p| p.replace('~', "~0").replace('/', "~1"))
        .collect();
    json!({ "$ref": format!("#/{}", escaped.join("/")) })
}

/// A serialised model value without its empty parts (`null`, `[]`, `{}`), top level only:
/// schemas and examples inside keep their `null`s.
pub(crate) fn pruned<T: Serialize>(value: &T) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.retain(|_, v| !is_empty(v));
    }
    v
}

/// A serialised model value without empty parts at any depth: for the sections that hold no
/// schema or example (connection, errors, flows…), where a `null` only means "not written".
pub(crate) fn pruned_deep<T: Serialize>(value: &T) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    prune(&mut v);
    v
}

fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A schema as AsyncAPI reads it: binary values (crate::catalog::schema::binary) get the
/// `type: string` AsyncAPI's `format: binary` goes with, wherever they are nested.
pub fn asyncapi_schema(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    mark_binary(&mut s);
    s
}

fn mark_binary(v: &mut Value) {
    let Value::Object(map) = v else { return };
    if binary(&Value::Object(map.clone())).is_some() && !map.contains_key("type") {
        let mut out = Map::new();
        out.insert("type".into(), json!("string"));
        out.extend(std::mem::take(map));
        *map = out;
    }
    for (k, child) in map.iter_mut() {
        if matches!(
            k.as_str(),
            "const" | "enum" | "default" | "examples" | "example"
        ) {
            continue;
        }
        match child {
            Value::Object(_) => mark_binary(child),
            Value::Array(items) => items.iter_mut().for_each(mark_binary),
            _ => {}
        }
    }
}

/// What one direction of an event carries: the variant's values over the event's own.
pub struct Side<'e> {
    /// Argument schemas (one for a single payload), or none.
    pub args: Option<&'e [Schema]>,
    /// The single payload, when not `args`.
    pub payload: Option<&'e Schema>,
    /// Ack schema.
    pub ack: Option<&'e Schema>,
    /// Room template.
    pub room: Option<&'e str>,
    /// Examples.
    pub examples: &'e [Value],
}

/// The effective values of `event` in `direction` (crate::catalog::schema::arg_schemas' rule,
/// extended to ack, room and examples).
pub fn side(event: &Event, direction: Direction) -> Side<'_> {
    let variant = match direction {
        Direction::C2s => event.c2s.as_ref(),
        Direction::S2c => event.s2c.as_ref(),
        Direction::Both => None,
    };
    let (args, payload) = match variant {
        Some(v) if v.args.is_some() => (v.args.as_deref(), None),
        Some(v) if v.payload.is_some() => (None, v.payload.as_ref()),
        _ => (event.args.as_deref(), event.payload.as_ref()),
    };
    let payload = if args.is_some() { None } else { payload };
    Side {
        args,
        payload,
        ack: variant.and_then(|v| v.ack.as_ref()).or(event.ack.as_ref()),
        room: variant
            .and_then(|v| v.room.as_deref())
            .or(event.room.as_deref()),
        examples: match variant {
            Some(v) if !v.examples.is_empty() => &v.examples,
            _ => &event.examples,
        },
    }
}

struct Builder<'c> {
    catalog: &'c Catalog,
    channel_ids: IndexSet<String>,
    op_ids: IndexSet<String>,
    message_ids: IndexSet<String>,
    schema_ids: IndexSet<String>,
    channels: Map<String, Value>,
    operations: Map<String, Value>,
    messages: Map<String, Value>,
    schemas: Map<String, Value>,
    /// namespace → channel id.
    ns_channel: IndexMap<String, String>,
    /// room template → channel id.
    room_channel: IndexMap<String, String>,
    /// Schemas already in `components.schemas`, to reuse their name.
    seen_schemas: Vec<(Value, String)>,
    /// message id → its ack message id.
    acks: IndexMap<String, String>,
}

impl<'c> Builder<'c> {
    fn new(catalog: &'c Catalog) -> Self {
        Builder {
            catalog,
            channel_ids: IndexSet::new(),
            op_ids: IndexSet::new(),
            message_ids: IndexSet::new(),
            schema_ids: IndexSet::new(),
            channels: Map::new(),
            operations: Map::new(),
            messages: Map::new(),
            schemas: Map::new(),
            ns_channel: IndexMap::new(),
            room_channel: IndexMap::new(),
            seen_schemas: Vec::new(),
            acks: IndexMap::new(),
        }
    }

    /// A channel per namespace: the declared ones, then those only events name.
    fn namespaces(&mut self) {
        let mut names: IndexSet<&str> =
            self.catalog.namespaces.keys().map(String::as_str).collect();
        names.extend(self.catalog.events.values().map(Event::namespace));
        for ns in names {
            let raw = if ns == "/" { "root" } else { ns };
            let id = key(raw, &mut self.channel_ids);
            let mut ch = Map::new();
            ch.insert("address".into(), json!(ns));
            let declared = self.catalog.namespaces.get(ns);
            if let Some(d) = declared.and_then(|n| n.description.as_deref()) {
                ch.insert("description".into(), json!(d));
            }
            ch.insert("messages".into(), json!({}));
            ch.insert(x::KIND.into(), json!("namespace"));
            if let Some(rule) = declared.and_then(|n| n.auth.as_ref()) {
                ch.insert(x::AUTH.into(), json!(rule.to_string()));
            }
            self.channels.insert(id.clone(), Value::Object(ch));
            self.ns_channel.insert(ns.to_owned(), id);
        }
    }

    /// A channel per room template: the declared ones, then those events name.
    fn rooms(&mut self) {
        let mut templates: IndexMap<&str, &str> = IndexMap::new();
        for (t, r) in &self.catalog.rooms {
            templates.insert(t, r.namespace.as_deref().unwrap_or("/"));
        }
        for e in self.catalog.events.values() {
            let named = [e.room.as_deref(), e.joins.as_deref(), e.leaves.as_deref()];
            let variants = [&e.c2s, &e.s2c].map(|v| v.as_ref().and_then(|v| v.room.as_deref()));
            for t in named.into_iter().chain(variants).flatten() {
                templates.entry(t).or_insert(e.namespace());
            }
        }
        for (template, ns) in templates {
            let id = key(&format!("room.{template}"), &mut self.channel_ids);
            let declared = self.catalog.rooms.get(template);
            let mut ch = Map::new();
            ch.insert("address".into(), json!(template));
            if let Some(text) = declared.and_then(|r| r.description.as_deref()) {
                ch.insert("description".into(), json!(text));
            }
            ch.insert("messages".into(), json!({}));
            let params = room_parameters(template);
            if !params.is_empty() {
                ch.insert("parameters".into(), Value::Object(params));
            }
            ch.insert(x::KIND.into(), json!("room"));
            if let Some(ns) = declared.and_then(|r| r.namespace.as_deref()) {
                ch.insert(x::NAMESPACE.into(), json!(ns));
            } else if ns != "/" {
                ch.insert(x::NAMESPACE.into(), json!(ns));
            }
            if let Some(a) = declared.and_then(|r| r.access.as_ref()) {
                ch.insert(x::ACCESS.into(), json!(a.to_string()));
            }
            self.channels.insert(id.clone(), Value::Object(ch));
            self.room_channel.insert(template.to_owned(), id);
        }
    }

    /// Register `schema` in `components.schemas` (once per distinct schema) and return its
    /// `$ref`. A schema with a `title` is named after it.
    fn schema(&mut self, schema: &Schema, fallback: &str) -> Value {
        let schema = asyncapi_schema(schema);
        if let Some((_, name)) = self.seen_schemas.iter().find(|(s, _)| *s == schema) {
            return reference(&["components", "schemas", name]);
        }
        let titled = schema
            .get("title")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty());
        let name = key(titled.unwrap_or(fallback), &mut self.schema_ids);
        self.schemas.insert(name.clone(), schema.clone());
        self.seen_schemas.push((schema, name.clone()));
        reference(&["components", "schemas", &name])
    }

    fn event(&mut self, name: &str, event: &Event) {
        let split =
            event.direction == Direction::Both && (event.c2s.is_some() || event.s2c.is_some());
        let directions: &[Direction] = match event.direction {
            Direction::C2s => &[Direction::C2s],
            Direction::S2c => &[Direction::S2c],
            Direction::Both => &[Direction::C2s, Direction::S2c],
        };
        let base = key(name, &mut IndexSet::new());
        let mut shared: Option<String> = None;
        for &dir in directions {
            let s = side(event, dir);
            let message = match (&shared, split) {
                (Some(id), false) => id.clone(),
                _ => {
                    let raw = if split {
                        format!("{base}.{dir}")
                    } else {
                        base.clone()
                    };
                    let id = key(&raw, &mut self.message_ids);
                    let m = self.message(name, event, &s, split.then_some(dir), &id);
                    self.messages.insert(id.clone(), m);
                    shared = Some(id.clone());
                    id
                }
            };
            self.operation(name, event, dir, &s, &message);
        }
    }

    /// The message of `event` in one direction (`variant` when the directions differ).
    fn message(
        &mut self,
        name: &str,
        event: &Event,
        s: &Side<'_>,
        variant: Option<Direction>,
        id: &str,
    ) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if let Some(t) = &event.summary {
            m.insert("summary".into(), json!(t));
        }
        if let Some(t) = &event.description {
            m.insert("description".into(), json!(t));
        }
        m.insert("contentType".into(), json!("application/json"));
        if let Some(args) = s.args {
            // A tuple (draft-07 `items: [...]`, the AsyncAPI schema's dialect): one schema per
            // argument, in order.
            let tuple = json!({"type": "array", "items": args});
            m.insert("payload".into(), self.schema(&tuple, &format!("{id}.args")));
        } else if let Some(p) = s.payload {
            m.insert("payload".into(), self.schema(p, &format!("{id}.payload")));
        }
        if !event.tags.is_empty() {
            let tags: Vec<Value> = event.tags.iter().map(|t| json!({"name": t})).collect();
            m.insert("tags".into(), json!(tags));
        }
        if event.deprecated.is_some() {
            m.insert("deprecated".into(), json!(true));
        }
        if !s.examples.is_empty() {
            let ex: Vec<Value> = s.examples.iter().map(|e| json!({"payload": e})).collect();
            m.insert("examples".into(), json!(ex));
        }
        m.insert(x::EVENT.into(), json!(name));
        if s.args.is_some() {
            m.insert(x::ARGS.into(), json!(true));
        }
        if let Some(dir) = variant {
            m.insert(x::VARIANT.into(), json!(dir.as_str()));
        }
        message_extensions(name, event, s, &mut m);
        Value::Object(m)
    }
}

/// The catalog's words for an event that AsyncAPI has no field for.
fn message_extensions(name: &str, event: &Event, s: &Side<'_>, m: &mut Map<String, Value>) {
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v.filter(|v| !is_empty(v)) {
            m.insert(k.into(), v);
        }
    };
    put(x::ROOM, s.room.map(|r| json!(r)));
    put(x::JOINS, event.joins.as_ref().map(|r| json!(r)));
    put(x::LEAVES, event.leaves.as_ref().map(|r| json!(r)));
    put(x::REPLIES, Some(pruned_deep(&event.replies)));
    put(x::ERRORS, Some(json!(event.errors)));
    put(x::AUTH, event.auth.as_ref().map(|a| json!(a.to_string())));
    put(x::SINCE, event.since.as_ref().map(|v| json!(v)));
    put(x::DEPRECATED, event.deprecated.as_ref().map(pruned_deep));
    put(
        x::EMITTED_WHEN,
        event.emitted_when.as_ref().map(|v| json!(v)),
    );
    if crate::vocab::is_reserved(name) {
        put(x::RESERVED, Some(json!(true)));
    }
}

impl Builder<'_> {
    /// The server's `receive` (c2s) or `send` (s2c) of `message`, with the ack as `reply`.
    fn operation(
        &mut self,
        name: &str,
        event: &Event,
        dir: Direction,
        s: &Side<'_>,
        message: &str,
    ) {
        let ns_id = self.ns_channel[event.namespace()].clone();
        let channel = match (dir, s.room) {
            (Direction::S2c, Some(room)) => self.room_channel[room].clone(),
            _ => ns_id.clone(),
        };
        for ch in [&ns_id, &channel] {
            self.add_to_channel(ch, message);
        }
        let action = if dir == Direction::C2s {
            "receive"
        } else {
            "send"
        };
        let op_id = key(&format!("{name}.{action}"), &mut self.op_ids);
        let mut op = Map::new();
        op.insert("action".into(), json!(action));
        op.insert("channel".into(), reference(&["channels", &channel]));
        let verb = if dir == Direction::C2s {
            "Receive"
        } else {
            "Send"
        };
        op.insert("title".into(), json!(format!("{verb} `{name}`")));
        if let Some(t) = &event.summary {
            op.insert("summary".into(), json!(t));
        }
        op.insert(
            "messages".into(),
            json!([reference(&["channels", &channel, "messages", message])]),
        );
        if let Some(ack) = s.ack {
            let ack_id = match self.acks.get(message) {
                Some(id) => id.clone(),
                None => {
                    let id = key(&format!("{message}.ack"), &mut self.message_ids);
                    let payload = self.schema(ack, &id);
                    let title = format!("Acknowledgement of `{name}`");
                    let m = json!({"title": title, "contentType": "application/json", "payload": payload, x::ACK: name});
                    self.messages.insert(id.clone(), m);
                    self.acks.insert(message.to_owned(), id.clone());
                    id
                }
            };
            self.add_to_channel(&ns_id, &ack_id);
            op.insert(
                "reply".into(),
                json!({
                    "channel": reference(&["channels", &ns_id]),
                    "messages": [reference(&["channels", &ns_id, "messages", &ack_id])],
                }),
            );
        }
        if !event.tags.is_empty() {
            let tags: Vec<Value> = event.tags.iter().map(|t| json!({"name": t})).collect();
            op.insert("tags".into(), json!(tags));
        }
        self.operations.insert(op_id, Value::Object(op));
    }

    fn add_to_channel(&mut self, channel: &str, message: &str) {
        if let Some(Value::Object(msgs)) = self.channels[channel].get_mut("messages") {
            msgs.entry(message.to_owned())
                .or_insert_with(|| reference(&["components", "messages", message]));
        }
    }

    /// A room parameter's `location` (`$message.payload#/userId`) where every message of the
    /// room's channel has that top-level payload field: tools can then tell the room of a
    /// message, as serve binds it.
    fn parameter_locations(&mut self) {
        for id in self.room_channel.values() {
            let Some(Value::Object(ch)) = self.channels.get(id) else {
                continue;
            };
            let messages: Vec<String> = ch
                .get("messages")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let names: Vec<String> = ch
                .get("parameters")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let bound: Vec<String> = names
                .into_iter()
                .filter(|p| !messages.is_empty() && messages.iter().all(|m| self.has_field(m, p)))
                .collect();
            let Some(Value::Object(params)) = self
                .channels
                .get_mut(id)
                .and_then(|c| c.get_mut("parameters"))
            else {
                continue;
            };
            for p in bound {
                if let Some(Value::Object(param)) = params.get_mut(&p) {
                    param.insert("location".into(), json!(format!("$message.payload#/{p}")));
                }
            }
        }
    }

    /// Whether message `id`'s payload schema (in `components.schemas`) has property `field`.
    fn has_field(&self, id: &str, field: &str) -> bool {
        let schema = self
            .messages
            .get(id)
            .and_then(|m| m.pointer("/payload/$ref"))
            .and_then(Value::as_str);
        let name = schema.and_then(|r| r.strip_prefix("#/components/schemas/"));
        let name = name.map(|n| n.replace("~1", "/").replace("~0", "~"));
        name.and_then(|n| self.schemas.get(&n))
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(field))
            .is_some()
    }

    fn finish(mut self) -> Value {
        self.parameter_locations();
        let c = self.catalog;
        let mut doc = Map::new();
        doc.insert("asyncapi".into(), json!(x::VERSION));
        let mut info = Map::new();
        info.insert("title".into(), json!(c.info.title));
        info.insert("version".into(), json!(c.info.version));
        if let Some(d) = &c.info.description {
            info.insert("description".into(), json!(d));
        }
        doc.insert("info".into(), Value::Object(info));
        let schemes = security_schemes(c);
        match c.info.server_url.as_deref().map(server) {
            Some(Some(mut s)) => {
                if let (Some(obj), false) = (s.as_object_mut(), schemes.is_empty()) {
                    let refs: Vec<Value> = schemes
                        .keys()
                        .map(|k| reference(&["components", "securitySchemes", k]))
                        .collect();
                    obj.insert("security".into(), json!(refs));
                }
                doc.insert("servers".into(), json!({ "main": s }));
            }
            Some(None) => {
                doc.insert(x::SERVER_URL.into(), json!(c.info.server_url));
            }
            None => {}
        }
        doc.insert("defaultContentType".into(), json!("application/json"));
        doc.insert("channels".into(), Value::Object(self.channels));
        doc.insert("operations".into(), Value::Object(self.operations));
        let mut components = Map::new();
        components.insert("schemas".into(), Value::Object(self.schemas));
        components.insert("messages".into(), Value::Object(self.messages));
        if !schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components.retain(|_, v| !is_empty(v));
        doc.insert("components".into(), Value::Object(components));
        root_extensions(c, &mut doc);
        Value::Object(doc)
    }
}

/// The channel parameters of a room template: one per distinct placeholder.
fn room_parameters(template: &str) -> Map<String, Value> {
    let t = RoomTemplate::parse(template);
    let mut params = Map::new();
    for p in t.placeholders() {
        let desc = format!(
            "`{{{p}}}` of the room template `{template}`: the value of the payload field `{p}` when a client joins."
        );
        params.insert(p.to_owned(), json!({ "description": desc }));
    }
    params
}

/// `scheme://host[:port][/path]` as an AsyncAPI server; `None` when it is not such a URL.
fn server(url: &str) -> Option<Value> {
    let (scheme, rest) = url.split_once("://")?;
    let ok = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
    if !ok(scheme)
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !ok(host) || host.contains(['?', '#', '{', '}']) || path.contains(['?', '#', '{', '}']) {
        return None;
    }
    let mut s = Map::new();
    s.insert("host".into(), json!(host));
    s.insert("protocol".into(), json!(scheme));
    if !path.is_empty() {
        s.insert("pathname".into(), json!(path));
    }
    s.insert("description".into(), json!(x::SERVER_DESCRIPTION));
    Some(Value::Object(s))
}

/// The handshake credentials as security schemes: a session cookie is an `httpApiKey` in the
/// cookie; a credential in the handshake `auth` object travels in Socket.IO's CONNECT packet,
/// as MQTT's credentials travel in its CONNECT packet, so it is AsyncAPI's protocol-level
/// `apiKey` (`in: user`) for a session id and `http` bearer for a token, each naming its field
/// in `x-socketio-handshake-field`.
fn security_schemes(c: &Catalog) -> Map<String, Value> {
    let mut out = Map::new();
    let desc = c.auth.description.as_deref();
    let mut with_desc = |k: &str, mut v: Map<String, Value>| {
        if let Some(d) = desc {
            v.insert("description".into(), json!(d));
        }
        out.insert(k.into(), Value::Object(v));
    };
    match c.auth.scheme {
        AuthScheme::None => {}
        AuthScheme::Session => {
            let s = c.auth.session.clone().unwrap_or_default();
            if let Some(cookie) = &s.cookie {
                let v = json!({"type": "httpApiKey", "in": "cookie", "name": cookie});
                with_desc("sessionCookie", v.as_object().cloned().unwrap_or_default());
            }
            let v = json!({"type": "apiKey", "in": "user", x::HANDSHAKE_FIELD: s.handshake_field});
            with_desc(
                "sessionHandshake",
                v.as_object().cloned().unwrap_or_default(),
            );
        }
        AuthScheme::Token => {
            let t = c.auth.token.clone().unwrap_or_default();
            let v = json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", x::HANDSHAKE_FIELD: t.handshake_field});
            with_desc("token", v.as_object().cloned().unwrap_or_default());
        }
    }
    out
}

/// Root extensions: the scheme, connection settings, error codes and evdoc's own sections.
fn root_extensions(c: &Catalog, doc: &mut Map<String, Value>) {
    if c.auth.scheme != AuthScheme::None {
        doc.insert(x::AUTH_SCHEME.into(), json!(c.auth.scheme.as_str()));
    }
    doc.insert(x::CONNECTION.into(), pruned_deep(&c.connection));
    if !c.errors.is_empty() {
        let errors: Map<String, Value> = c
            .errors
            .iter()
            .map(|(k, e)| (k.clone(), pruned_deep(e)))
            .collect();
        doc.insert(x::ERROR_CODES.into(), Value::Object(errors));
    }
    let mut evdoc = Map::new();
    let default = Catalog::default();
    let mut keep = |k: &str, v: Value, d: Value| {
        if v != d && !is_empty(&v) {
            evdoc.insert(k.into(), v);
        }
    };
    keep("flows", pruned_deep(&c.flows), pruned(&default.flows));
    keep(
        "troubleshooting",
        pruned_deep(&c.troubleshooting),
        Value::Null,
    );
    keep(
        "monitoring",
        pruned_deep(&c.monitoring),
        pruned(&default.monitoring),
    );
    keep(
        "conventions",
        pruned_deep(&c.conventions),
        pruned(&default.conventions),
    );
    keep("scan", pruned_deep(&c.scan), pruned(&default.scan));
    keep("stack", pruned_deep(&c.stack), pruned(&default.stack));
    if !evdoc.is_empty() {
        doc.insert(x::EVDOC.into(), Value::Object(evdoc));
    }
}
