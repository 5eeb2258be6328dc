//! An AsyncAPI 2.6 or 3.0 document (YAML or JSON) as a catalog: the reverse of
//! `evdoc export asyncapi`, reading back every `x-socketio-*` extension it writes
//! (crate::vocab::asyncapi), and a best reading of documents written by others. What the
//! catalog cannot hold is listed in [`Imported::dropped`], never silently left out.
//!
//! Directions are the document's application's: its `receive` (2.x: `publish`) is client→server,
//! its `send` (2.x: `subscribe`) server→client; an operation's `reply` (2.x: a message's
//! `x-ack`) is the event's acknowledgement.

use super::{Dropped, ImportError};
use crate::catalog::positions::{escape, Positions};
use crate::catalog::{
    Auth, Catalog, Connection, Deprecation, ErrorCode, Event, Info, Namespace, Reply, Room,
    SessionAuth, TokenAuth, Variant,
};
use crate::vocab::asyncapi as x;
use crate::vocab::{AuthRule, AuthScheme, Direction, RoomAccess};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The catalog.
    pub catalog: Catalog,
    /// The AsyncAPI version read.
    pub version: String,
    /// What the catalog cannot hold, with where it was in the document.
    pub dropped: Vec<Dropped>,
}

/// Import the AsyncAPI document `text`, read from `file` (for messages).
pub fn import(file: &str, text: &str) -> Result<Imported, ImportError> {
    let doc = parse(file, text)?;
    let positions = Positions::index(file, text);
    let version = match doc.get("asyncapi") {
        Some(Value::String(v)) => v.clone(),
        Some(_) | None => {
            return Err(ImportError {
                location: positions.find("/asyncapi").cloned(),
                message: format!(
                "`{file}` is not an AsyncAPI document: no `asyncapi: <version>` string at its root"
            ),
            })
        }
    };
    let mut r = Reader {
        doc: &doc,
        positions: &positions,
        dropped: Vec::new(),
        catalog: Catalog::default(),
        events: IndexMap::new(),
    };
    // 3.1 only adds to 3.0 (a minor version), so the 3.0 reader reads it.
    if version.starts_with("3.0.") || version.starts_with("3.1.") {
        r.v3()?;
    } else if version.starts_with("2.") {
        r.v2()?;
    } else {
        return Err(ImportError {
            location: positions.find("/asyncapi").cloned(),
            message: format!(
                "AsyncAPI {version} is not supported: evdoc imports 2.x (2.6), 3.0 and 3.1 documents"
            ),
        });
    }
    r.finish_events();
    Ok(Imported {
        catalog: r.catalog,
        version,
        dropped: r.dropped,
    })
}

/// YAML (JSON is YAML) into a value, with the parser's position on error.
fn parse(file: &str, text: &str) -> Result<Value, ImportError> {
    let v: Value =
        serde_saphyr::from_str_with_options(text, serde_saphyr::options! { strict_booleans: true })
            .map_err(|e| ImportError {
                location: e.location().filter(|l| l.line() > 0).map(|l| {
                    crate::vocab::diagnostic::Location::new(
                        file,
                        l.line() as u32,
                        l.column() as u32,
                    )
                }),
                message: format!(
                    "`{file}` is not valid YAML or JSON: {}",
                    e.without_snippet()
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .split(" at line ")
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("error: ")
                ),
            })?;
    if !v.is_object() {
        return Err(ImportError {
            location: None,
            message: format!("`{file}` is not an AsyncAPI document: its root is not a mapping"),
        });
    }
    Ok(v)
}

/// One direction of an event as read from a message.
#[derive(Clone, Debug, Default)]
struct Dir {
    /// The message (for metadata), dereferenced.
    message: Map<String, Value>,
    payload: Option<Value>,
    args: Option<Vec<Value>>,
    ack: Option<Value>,
    room: Option<String>,
    examples: Vec<Value>,
}

#[derive(Clone, Debug, Default)]
struct Acc {
    namespace: String,
    c2s: Option<Dir>,
    s2c: Option<Dir>,
    /// An operation's description when the message has none.
    description: Option<String>,
}

struct Reader<'d> {
    doc: &'d Value,
    positions: &'d Positions,
    dropped: Vec<Dropped>,
    catalog: Catalog,
    events: IndexMap<String, Acc>,
}

/// The keys of a 3.0 message evdoc reads; the rest is reported.
const MESSAGE_KEYS: &[&str] = &[
    "name",
    "title",
    "summary",
    "description",
    "contentType",
    "payload",
    "tags",
    "deprecated",
    "examples",
    x::EVENT,
    x::VARIANT,
    x::ARGS,
    x::ACK,
    x::ROOM,
    x::JOINS,
    x::LEAVES,
    x::REPLIES,
    x::ERRORS,
    x::AUTH,
    x::SINCE,
    x::DEPRECATED,
    x::EMITTED_WHEN,
    x::RESERVED,
    "x-ack",
];

impl Reader<'_> {
    fn drop(&mut self, path: &str, what: impl Into<String>) {
        self.dropped.push(Dropped {
            path: path.to_owned(),
            what: what.into(),
        });
    }

    fn error(&self, path: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            location: self.positions.find(path).cloned(),
            message: message.into(),
        }
    }

    /// The value a local `$ref` names, followed until it is not a reference; `at` is where the
    /// reference is written (for the error). Returns the value and its pointer.
    fn follow(&self, v: &Value, at: &str) -> Result<(Value, String), ImportError> {
        let mut cur = v.clone();
        let mut here = at.to_owned();
        for _ in 0..32 {
            let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
                return Ok((cur, here));
            };
            let Some(ptr) = r.strip_prefix('#') else {
                return Err(self.error(&format!("{here}/$ref"), format!("`$ref: {r}` points outside the document; evdoc imports self-contained documents (bundle it first, e.g. `asyncapi bundle`)")));
            };
            let ptr = percent_decode(ptr);
            match self.doc.pointer(&ptr) {
                Some(t) => {
                    cur = t.clone();
                    here = ptr;
                }
                None => {
                    return Err(self.error(
                        &format!("{here}/$ref"),
                        format!("broken `$ref: {r}`: nothing at `{ptr}` in the document"),
                    ))
                }
            }
        }
        Err(self.error(at, "`$ref` chain too long (circular?)"))
    }

    /// A schema with every local `$ref` inlined (the catalog holds schemas inline).
    fn inline(&self, v: &Value, at: &str, depth: usize) -> Result<Value, ImportError> {
        if depth > 64 {
            return Err(self.error(at, "recursive schema: the catalog holds schemas inline and cannot express a schema that contains itself"));
        }
        let (v, at) = if v.get("$ref").is_some() {
            self.follow(v, at)?
        } else {
            (v.clone(), at.to_owned())
        };
        Ok(match v {
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, child) in map {
                    let skip = matches!(
                        k.as_str(),
                        "const" | "enum" | "default" | "examples" | "example"
                    );
                    let child = if skip {
                        child
                    } else {
                        self.inline(&child, &format!("{at}/{}", escape(&k)), depth + 1)?
                    };
                    out.insert(k, child);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, c) in items.iter().enumerate() {
                    out.push(self.inline(c, &format!("{at}/{i}"), depth + 1)?);
                }
                Value::Array(out)
            }
            other => other,
        })
    }

    fn info(&mut self) {
        let Some(info) = self.doc.get("info").and_then(Value::as_object) else {
            return;
        };
        let s = |k: &str| info.get(k).and_then(Value::as_str).map(str::to_owned);
        self.catalog.info = Info {
            title: s("title").unwrap_or_default(),
            version: s("version").unwrap_or_default(),
            description: s("description"),
            server_url: None,
        };
        for k in info.keys() {
            if !matches!(k.as_str(), "title" | "version" | "description") {
                self.drop(
                    &format!("/info/{}", escape(k)),
                    format!("`{k}`: the catalog's info has a title, version and description only"),
                );
            }
        }
    }

    /// The first server as the catalog's server URL; the others are reported.
    fn servers(&mut self, v3: bool) {
        let Some(servers) = self.doc.get("servers").and_then(Value::as_object).cloned() else {
            if let Some(u) = self.doc.get(x::SERVER_URL).and_then(Value::as_str) {
                self.catalog.info.server_url = Some(u.to_owned());
            }
            return;
        };
        for (i, (name, s)) in servers.iter().enumerate() {
            let at = format!("/servers/{}", escape(name));
            if i > 0 {
                self.drop(&at, "another server: the catalog has one server URL");
                continue;
            }
            let Ok((s, _)) = self.follow(s, &at) else {
                continue;
            };
            let get = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or_default();
            let url = if v3 {
                format!("{}://{}{}", get("protocol"), get("host"), get("pathname"))
            } else if get("url").contains("://") {
                get("url").to_owned()
            } else {
                format!("{}://{}", get("protocol"), get("url"))
            };
            self.catalog.info.server_url = Some(url);
            let known = ["host", "protocol", "pathname", "url", "security"];
            let ours = s.get("description").and_then(Value::as_str) == Some(x::SERVER_DESCRIPTION);
            if let Some(obj) = s.as_object() {
                let lost =
                    |k: &&String| !(known.contains(&k.as_str()) || ours && *k == "description");
                for k in obj.keys().filter(lost) {
                    self.drop(
                        &format!("{at}/{}", escape(k)),
                        format!("server `{k}`: the catalog keeps the server URL only"),
                    );
                }
            }
        }
    }

    /// The handshake credentials from the security schemes.
    fn auth(&mut self) {
        let Some(schemes) = self
            .doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .cloned()
        else {
            return;
        };
        let mut auth = Auth::default();
        for (name, scheme) in &schemes {
            let at = format!("/components/securitySchemes/{}", escape(name));
            let Ok((s, _)) = self.follow(scheme, &at) else {
                continue;
            };
            let get = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_owned);
            let field = get(x::HANDSHAKE_FIELD);
            if auth.description.is_none() {
                auth.description = get("description");
            }
            match (get("type").as_deref(), get("in").as_deref()) {
                (Some("httpApiKey"), Some("cookie")) => {
                    auth.scheme = AuthScheme::Session;
                    auth.session.get_or_insert_with(SessionAuth::default).cookie = get("name");
                }
                (Some("apiKey"), _) if field.is_some() => {
                    auth.scheme = AuthScheme::Session;
                    auth.session.get_or_insert_with(SessionAuth::default).handshake_field = field.unwrap_or_default();
                }
                (Some("http"), _) if get("scheme").as_deref() == Some("bearer") => {
                    auth.scheme = AuthScheme::Token;
                    let mut t = TokenAuth::default();
                    if let Some(f) = field {
                        t.handshake_field = f;
                    } else {
                        self.drop(&at, format!("bearer token `{name}`: read as a token in the handshake `auth.{}` (the catalog's default); HTTP headers are not read by Socket.IO's auth", t.handshake_field));
                    }
                    auth.token = Some(t);
                }
                (t, _) => self.drop(&at, format!("security scheme `{name}` ({}): the catalog's handshake auth is a session (cookie or handshake field) or a token", t.unwrap_or("no type"))),
            }
        }
        if let Some(s) = self.doc.get(x::AUTH_SCHEME).and_then(Value::as_str) {
            auth.scheme = match s {
                "session" => AuthScheme::Session,
                "token" => AuthScheme::Token,
                _ => auth.scheme,
            };
        }
        self.catalog.auth = auth;
    }

    /// Root extensions: connection, error codes, evdoc's own sections; unknown ones reported.
    fn root_extensions(&mut self) -> Result<(), ImportError> {
        let Some(root) = self.doc.as_object() else {
            return Ok(());
        };
        if let Some(c) = root.get(x::CONNECTION) {
            self.catalog.connection =
                serde_json::from_value::<Connection>(c.clone()).map_err(|e| {
                    self.error(
                        &format!("/{}", x::CONNECTION),
                        format!("`{}`: {e}", x::CONNECTION),
                    )
                })?;
        }
        if let Some(e) = root.get(x::ERROR_CODES) {
            self.catalog.errors = serde_json::from_value::<IndexMap<String, ErrorCode>>(e.clone())
                .map_err(|e| {
                    self.error(
                        &format!("/{}", x::ERROR_CODES),
                        format!("`{}`: {e}", x::ERROR_CODES),
                    )
                })?;
        }
        if let Some(Value::Object(ev)) = root.get(x::EVDOC) {
            let mut full = Map::new();
            for (k, v) in ev {
                full.insert(k.clone(), v.clone());
            }
            let extra: Catalog = serde_json::from_value(Value::Object(full)).map_err(|e| {
                self.error(&format!("/{}", x::EVDOC), format!("`{}`: {e}", x::EVDOC))
            })?;
            self.catalog.flows = extra.flows;
            self.catalog.troubleshooting = extra.troubleshooting;
            self.catalog.monitoring = extra.monitoring;
            self.catalog.conventions = extra.conventions;
            self.catalog.scan = extra.scan;
            self.catalog.stack = extra.stack;
        }
        let ours = [
            x::CONNECTION,
            x::ERROR_CODES,
            x::EVDOC,
            x::AUTH_SCHEME,
            x::SERVER_URL,
        ];
        let known = [
            "asyncapi",
            "info",
            "servers",
            "channels",
            "operations",
            "components",
            "defaultContentType",
        ];
        for (k, v) in root {
            if ours.contains(&k.as_str()) || known.contains(&k.as_str()) {
                if k == "defaultContentType" && v.as_str() != Some("application/json") {
                    self.drop("/defaultContentType", "content type other than application/json: Socket.IO payloads are JSON (and binary attachments)");
                }
                continue;
            }
            self.drop(
                &format!("/{}", escape(k)),
                format!("`{k}`: no place for it in the catalog"),
            );
        }
        Ok(())
    }

    /// A message (dereferenced, at `at`) as one direction of its event.
    fn read_message(&mut self, msg: &Value, at: &str) -> Result<(String, Dir), ImportError> {
        let (msg, at) = self.follow(msg, at)?;
        let mut m = msg.as_object().cloned().unwrap_or_default();
        if let Some(Value::Array(traits)) = m.remove("traits") {
            self.drop(&format!("{at}/traits"), format!("{} message trait(s): not applied; the catalog has no traits (copy what they say into the event)", traits.len()));
        }
        let format = m
            .get("schemaFormat")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let json_schema = format.as_deref().is_none_or(|f| {
            f.starts_with("application/vnd.aai.asyncapi")
                || f.starts_with("application/schema+json")
        });
        for k in m.keys() {
            if !MESSAGE_KEYS.contains(&k.as_str()) {
                let why = match k.as_str() {
                    "headers" => "headers: Socket.IO events have no headers",
                    "correlationId" => "correlation id: Socket.IO matches acks to requests itself",
                    "bindings" => "bindings: the catalog has no protocol bindings",
                    "schemaFormat" if !json_schema => "payload schema format: the catalog holds JSON Schema only, so the payload is left out",
                    "schemaFormat" | "messageId" => continue,
                    _ => "not something the catalog holds",
                };
                self.drop(
                    &format!("{at}/{}", escape(k)),
                    format!("message `{k}`: {why}"),
                );
            }
        }
        if let Some(ct) = m.get("contentType").and_then(Value::as_str) {
            if ct != "application/json" {
                self.drop(
                    &format!("{at}/contentType"),
                    format!("content type `{ct}`: the catalog's payloads are JSON"),
                );
            }
        }
        let name = m
            .get(x::EVENT)
            .or_else(|| m.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| {
                at.rsplit('/')
                    .next()
                    .unwrap_or("message")
                    .replace("~1", "/")
                    .replace("~0", "~")
            });
        let mut dir = Dir::default();
        if let Some(p) = m.get("payload").filter(|_| json_schema) {
            let p = self.payload(p, &format!("{at}/payload"))?;
            if m.get(x::ARGS) == Some(&Value::Bool(true)) {
                dir.args = p
                    .as_ref()
                    .and_then(|p| p.get("items"))
                    .and_then(Value::as_array)
                    .cloned();
            } else {
                dir.payload = p;
            }
        }
        if let Some(ack) = m.get("x-ack") {
            dir.ack = Some(self.inline(ack, &format!("{at}/x-ack"), 0)?);
        }
        if let Some(Value::Array(ex)) = m.get("examples") {
            for (i, e) in ex.iter().enumerate() {
                match e.get("payload") {
                    Some(p) => dir.examples.push(p.clone()),
                    None => self.drop(
                        &format!("{at}/examples/{i}"),
                        "example without a payload (headers only)",
                    ),
                }
                if e.get("headers").is_some() {
                    self.drop(
                        &format!("{at}/examples/{i}/headers"),
                        "example headers: Socket.IO events have no headers",
                    );
                }
                for k in ["name", "summary"] {
                    if e.get(k).is_some() {
                        self.drop(
                            &format!("{at}/examples/{i}/{k}"),
                            format!("example {k}: the catalog's examples are bare payloads"),
                        );
                    }
                }
            }
        }
        let text = |k: &str| m.get(k).and_then(Value::as_str);
        if let (Some(t), Some(s)) = (text("title"), text("summary")) {
            if t != s {
                self.drop(
                    &format!("{at}/title"),
                    "message title beside a summary: the catalog has one summary per event",
                );
            }
        }
        dir.room = m.get(x::ROOM).and_then(Value::as_str).map(str::to_owned);
        dir.message = m;
        Ok((name, dir))
    }

    /// A payload schema, inlined; a multi-format schema is read when it is JSON Schema.
    fn payload(&mut self, p: &Value, at: &str) -> Result<Option<Value>, ImportError> {
        if let (Some(format), Some(schema)) = (
            p.get("schemaFormat").and_then(Value::as_str),
            p.get("schema"),
        ) {
            let json_like = format.starts_with("application/vnd.aai.asyncapi")
                || format.starts_with("application/schema+json");
            if !json_like {
                self.drop(
                    at,
                    format!("payload in `{format}`: the catalog holds JSON Schema only"),
                );
                return Ok(None);
            }
            return Ok(Some(self.inline(schema, &format!("{at}/schema"), 0)?));
        }
        Ok(Some(self.inline(p, at, 0)?))
    }

    /// An operation's texts: its summary and description stand in for the message's missing
    /// ones; a title (other than the one export writes, `generated`), and a summary,
    /// description or tags that differ from the message's, are reported (once per operation,
    /// `first`): the catalog describes an event once.
    fn operation_text(
        &mut self,
        op: &Value,
        at: &str,
        dir: &mut Dir,
        first: bool,
        generated: Option<&str>,
    ) {
        let mut lost = Vec::new();
        for k in ["summary", "description"] {
            match (op.get(k), dir.message.get(k)) {
                (Some(v), None) => {
                    dir.message.insert(k.into(), v.clone());
                }
                (Some(v), Some(m)) if v != m => lost.push(k),
                _ => {}
            }
        }
        if let Some(t) = op.get("title").and_then(Value::as_str) {
            if Some(t) != generated {
                lost.push("title");
            }
        }
        let names = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        if op.get("tags").is_some() && names(op.get("tags")) != names(dir.message.get("tags")) {
            lost.push("tags");
        }
        if first && !lost.is_empty() {
            self.drop(at, format!("operation {}: the catalog describes an event once, with its message's texts and tags", lost.join(", ")));
        }
    }

    /// Record `dir` as the `direction` of event `name` in `namespace`, read at `at`. The
    /// catalog names an event once: the same name in another namespace, or a second, different
    /// message for the same direction, is reported and left out.
    fn record(
        &mut self,
        at: &str,
        name: String,
        namespace: &str,
        direction: Direction,
        dir: Dir,
        description: Option<String>,
    ) {
        if let Some(acc) = self.events.get(&name) {
            let previous = if direction == Direction::C2s {
                &acc.c2s
            } else {
                &acc.s2c
            };
            let why = if acc.namespace != namespace {
                Some(format!("event `{name}` is already read in namespace `{}`: the catalog names an event once, in one namespace", acc.namespace))
            } else {
                previous
                    .as_ref()
                    .filter(|p| !same(p, &dir))
                    .map(|_| format!("a second, different `{name}` {direction} message: the catalog has one per event and direction"))
            };
            if let Some(why) = why {
                self.drop(at, why);
                return;
            }
        }
        let acc = self.events.entry(name).or_insert_with(|| Acc {
            namespace: namespace.to_owned(),
            ..Acc::default()
        });
        if acc.description.is_none() {
            acc.description = description;
        }
        match direction {
            Direction::C2s => acc.c2s = Some(dir),
            _ => acc.s2c = Some(dir),
        }
    }

    fn finish_events(&mut self) {
        let events = std::mem::take(&mut self.events);
        for (name, acc) in events {
            let event = self.build_event(acc);
            self.catalog.events.insert(name, event);
        }
    }

    /// The event from its directions: one shared message gives event-level fields; two
    /// different ones give `c2s:`/`s2c:` variants.
    fn build_event(&mut self, acc: Acc) -> Event {
        let direction = match (&acc.c2s, &acc.s2c) {
            (Some(_), Some(_)) => Direction::Both,
            (Some(_), None) => Direction::C2s,
            _ => Direction::S2c,
        };
        let first = acc
            .c2s
            .as_ref()
            .or(acc.s2c.as_ref())
            .cloned()
            .unwrap_or_default();
        let m = &first.message;
        let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut event = Event {
            direction,
            summary: s("summary").or_else(|| s("title")),
            description: s("description").or(acc.description.clone()),
            namespace: (acc.namespace != "/").then(|| acc.namespace.clone()),
            auth: s(x::AUTH).and_then(|a| a.parse::<AuthRule>().ok()),
            payload: None,
            args: None,
            ack: None,
            room: None,
            joins: s(x::JOINS),
            leaves: s(x::LEAVES),
            replies: m
                .get(x::REPLIES)
                .and_then(|v| serde_json::from_value::<Vec<Reply>>(v.clone()).ok())
                .unwrap_or_default(),
            errors: m
                .get(x::ERRORS)
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default(),
            examples: Vec::new(),
            emitted_when: s(x::EMITTED_WHEN),
            since: s(x::SINCE),
            deprecated: None,
            tags: m
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            c2s: None,
            s2c: None,
            at: None,
        };
        if m.get("deprecated") == Some(&Value::Bool(true)) || m.get(x::DEPRECATED).is_some() {
            event.deprecated = Some(
                m.get(x::DEPRECATED)
                    .and_then(|v| serde_json::from_value::<Deprecation>(v.clone()).ok())
                    .unwrap_or_default(),
            );
        }
        let split = match (&acc.c2s, &acc.s2c) {
            (Some(a), Some(b)) => {
                a.message.contains_key(x::VARIANT)
                    || b.message.contains_key(x::VARIANT)
                    || !same(a, b)
            }
            _ => false,
        };
        if split {
            event.c2s = acc.c2s.map(variant);
            event.s2c = acc.s2c.map(variant);
        } else {
            // Room: the server→client direction's, where there is one.
            let room = acc
                .s2c
                .as_ref()
                .and_then(|d| d.room.clone())
                .or(first.room.clone());
            event.payload = first.payload;
            event.args = first.args;
            event.ack = first.ack;
            event.examples = first.examples;
            event.room = room;
        }
        event
    }
}

fn same(a: &Dir, b: &Dir) -> bool {
    a.payload == b.payload
        && a.args == b.args
        && a.ack == b.ack
        && a.examples == b.examples
        && a.room == b.room
}

fn variant(d: Dir) -> Variant {
    Variant {
        payload: d.payload,
        args: d.args,
        ack: d.ack,
        room: d.room,
        examples: d.examples,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A channel as the catalog sees it.
#[derive(Clone, Debug)]
enum Place {
    /// A namespace.
    Namespace(String),
    /// A room template in a namespace.
    Room { template: String, namespace: String },
}

impl Place {
    fn namespace(&self) -> &str {
        match self {
            Place::Namespace(n) | Place::Room { namespace: n, .. } => n,
        }
    }
}

mod v2;
mod v3;

/// Read a channel's extensions into the catalog's namespaces or rooms: its place.
fn place_of(r: &mut Reader<'_>, address: Option<&str>, ch: &Map<String, Value>, at: &str) -> Place {
    let kind = ch.get(x::KIND).and_then(Value::as_str);
    let address = address.unwrap_or("/");
    let has_params = address.contains('{') || ch.get("parameters").is_some();
    let description = ch
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if kind == Some("room") || (kind.is_none() && has_params) {
        let namespace = ch
            .get(x::NAMESPACE)
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_owned();
        if kind.is_none() {
            r.drop(at, format!("channel `{address}` has parameters: read as the room template `{address}` in namespace `/` (Socket.IO namespaces have no parameters)"));
        }
        let access = ch
            .get(x::ACCESS)
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<RoomAccess>().ok());
        let declared_ns = ch
            .get(x::NAMESPACE)
            .and_then(Value::as_str)
            .map(str::to_owned);
        if description.is_some() || access.is_some() || declared_ns.is_some() {
            r.catalog.rooms.insert(
                address.to_owned(),
                Room {
                    description,
                    access,
                    namespace: declared_ns,
                    at: None,
                },
            );
        }
        return Place::Room {
            template: address.to_owned(),
            namespace,
        };
    }
    let ns = if address.starts_with('/') || kind == Some("namespace") {
        address.to_owned()
    } else {
        r.drop(
            at,
            format!("channel address `{address}` read as the namespace `/{address}`"),
        );
        format!("/{address}")
    };
    let auth = ch
        .get(x::AUTH)
        .and_then(Value::as_str)
        .and_then(|a| a.parse::<AuthRule>().ok());
    if description.is_some() || auth.is_some() || !r.catalog.namespaces.contains_key(&ns) {
        r.catalog.namespaces.insert(
            ns.clone(),
            Namespace {
                description,
                auth,
                at: None,
            },
        );
    }
    Place::Namespace(ns)
}
