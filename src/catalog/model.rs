//! The catalog's data model (format version 1), as read from YAML.
//!
//! Every struct rejects unknown keys so that a typo in the contract is an error with a location,
//! not a silently ignored field. Positions of events and other named entries are filled in by the
//! loader after deserialisation (`at`).

use crate::vocab::diagnostic::Location;
use crate::vocab::Direction;
pub use crate::vocab::{AuthRule, AuthScheme, RoomAccess};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JSON Schema as written in the catalog (after `$ref`s to files have been inlined).
pub type Schema = Value;

/// The whole contract: one file, or a folder of files merged.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Format version; only `1` exists.
    #[serde(default)]
    pub evdoc: Option<u32>,
    /// Title, version and server URL of the API.
    #[serde(default)]
    pub info: Info,
    /// Transport settings: documented, and enforced by `serve`.
    #[serde(default)]
    pub connection: Connection,
    /// How a connection proves who it is.
    #[serde(default)]
    pub auth: Auth,
    /// Namespaces by name (`/`, `/admin`).
    #[serde(default)]
    pub namespaces: IndexMap<String, Namespace>,
    /// Rooms by name template (`user:{userId}`, `signals`).
    #[serde(default)]
    pub rooms: IndexMap<String, Room>,
    /// Error codes the server sends.
    #[serde(default)]
    pub errors: IndexMap<String, ErrorCode>,
    /// Events by name.
    #[serde(default)]
    pub events: IndexMap<String, Event>,
    /// Named flows, rendered as diagrams.
    #[serde(default)]
    pub flows: IndexMap<String, Flow>,
    /// Troubleshooting entries, merged over the built-in ones by `id`.
    #[serde(default)]
    pub troubleshooting: Vec<Trouble>,
    /// Alerts and metrics.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Naming and versioning conventions (checked by EV007).
    #[serde(default)]
    pub conventions: Conventions,
    /// How `scan` and `check` read the code.
    #[serde(default)]
    pub scan: ScanConfig,
    /// The server and client stack the docs describe; what it leaves out comes from the scan.
    #[serde(default)]
    pub stack: crate::vocab::stack::Stack,
}

/// The rules in force where the catalog does not write one. Every stage asks these, so the
/// defaults live in one place (crate::vocab::access) and the docs say what serve enforces.
impl Catalog {
    /// Who may connect to namespace `ns`: its `auth:`, else the scheme's default.
    pub fn namespace_auth(&self, ns: &str) -> AuthRule {
        self.namespaces
            .get(ns)
            .and_then(|n| n.auth.clone())
            .unwrap_or_else(|| AuthRule::default_for(self.auth.scheme))
    }

    /// Who may send (c2s) or receive (s2c) `event`: its `auth:`, else its namespace's rule.
    pub fn event_auth(&self, event: &Event) -> AuthRule {
        event
            .auth
            .clone()
            .unwrap_or_else(|| self.namespace_auth(event.namespace()))
    }

    /// Who may join the rooms of `template`: its `access:`, else [`RoomAccess::default_for`]
    /// the scheme and its namespace. A template the catalog does not declare under `rooms:`
    /// lives in `ns` (the namespace of the event that names it).
    pub fn room_access(&self, template: &str, ns: &str) -> RoomAccess {
        let room = self.rooms.get(template);
        if let Some(access) = room.and_then(|r| r.access.clone()) {
            return access;
        }
        let ns = room.and_then(|r| r.namespace.as_deref()).unwrap_or(ns);
        RoomAccess::default_for(self.auth.scheme, &self.namespace_auth(ns))
    }
}

/// General information about the API.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    /// Human title.
    #[serde(default)]
    pub title: String,
    /// Version of the API contract.
    #[serde(default)]
    pub version: String,
    /// Longer description (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// URL clients connect to.
    #[serde(default)]
    pub server_url: Option<String>,
}

/// Transport settings of the Socket.IO server and the recommended client settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Connection {
    /// HTTP path of the Engine.IO endpoint.
    pub path: String,
    /// Allowed transports, in the order the client should try them.
    pub transports: Vec<Transport>,
    /// Engine.IO ping interval.
    pub ping_interval_ms: u64,
    /// Engine.IO ping timeout.
    pub ping_timeout_ms: u64,
    /// Largest accepted message.
    pub max_payload_bytes: u64,
    /// Recommended client reconnection settings.
    pub client: ClientSettings,
    /// Which browser origins may connect (enforced by `evdoc serve`).
    pub cors: Cors,
}

/// Browser origins allowed to open a socket; empty: the server's own origin only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cors {
    /// `https://dash.example.com`, `http://localhost:5173`, or `*` for any.
    pub origins: Vec<String>,
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            path: "/socket.io".into(),
            transports: vec![Transport::Websocket, Transport::Polling],
            ping_interval_ms: 25_000,
            ping_timeout_ms: 20_000,
            max_payload_bytes: 1_000_000,
            client: ClientSettings::default(),
            cors: Cors::default(),
        }
    }
}

/// An Engine.IO transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// WebSocket.
    Websocket,
    /// HTTP long-polling.
    Polling,
    /// WebTransport.
    Webtransport,
}

/// Client reconnection settings (socket.io-client options).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// `reconnectionDelay`.
    pub reconnection_delay_ms: u64,
    /// `reconnectionDelayMax`.
    pub reconnection_delay_max_ms: u64,
    /// `reconnectionAttempts`; `None` means unlimited.
    pub reconnection_attempts: Option<u64>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            reconnection_delay_ms: 1000,
            reconnection_delay_max_ms: 5000,
            reconnection_attempts: None,
        }
    }
}

/// Authentication of the handshake.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// `session`, `token` or `none`.
    #[serde(default)]
    pub scheme: AuthScheme,
    /// Where the session id travels (scheme `session`).
    #[serde(default)]
    pub session: Option<SessionAuth>,
    /// Where the token travels (scheme `token`).
    #[serde(default)]
    pub token: Option<TokenAuth>,
    /// Free text for the docs (middleware, session store…).
    #[serde(default)]
    pub description: Option<String>,
}

/// Session-id authentication settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionAuth {
    /// Key of the handshake `auth` object carrying the session id.
    pub handshake_field: String,
    /// Cookie carrying the session id.
    pub cookie: Option<String>,
}

impl Default for SessionAuth {
    fn default() -> Self {
        Self {
            handshake_field: "sessionId".into(),
            cookie: None,
        }
    }
}

/// Token authentication settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenAuth {
    /// Key of the handshake `auth` object carrying the token.
    pub handshake_field: String,
}

impl Default for TokenAuth {
    fn default() -> Self {
        Self {
            handshake_field: "token".into(),
        }
    }
}

/// A namespace.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Who may connect; absent: [`AuthRule::default_for`] the catalog's scheme
    /// ([`Catalog::namespace_auth`]).
    #[serde(default)]
    pub auth: Option<AuthRule>,
    /// Where it is declared in the catalog.
    #[serde(skip)]
    pub at: Option<Location>,
}

/// A room (or a family of rooms, when the name has `{placeholders}`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Room {
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Who may join; absent: an authenticated connection when the catalog has an auth scheme
    /// ([`Catalog::room_access`]).
    #[serde(default)]
    pub access: Option<RoomAccess>,
    /// Namespace the room lives in, when not `/`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Where it is declared in the catalog.
    #[serde(skip)]
    pub at: Option<Location>,
}

/// An error code the server may send in an `error` event.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// When it is sent.
    #[serde(default)]
    pub description: Option<String>,
    /// What the client should do.
    #[serde(default)]
    pub remedy: Option<String>,
    /// The `message` `evdoc serve` sends with this code instead of its own explanation (which
    /// then goes into `errors`): for clients written against a server whose messages they
    /// match on (`Unauthorized`).
    #[serde(default)]
    pub message: Option<String>,
    /// Where it is declared in the catalog.
    #[serde(skip)]
    pub at: Option<Location>,
}

/// One event of the API.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `c2s`, `s2c` or `both`.
    pub direction: Direction,
    /// One line.
    #[serde(default)]
    pub summary: Option<String>,
    /// Longer text (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// Namespace, when not `/`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Who may send or receive it; absent: its namespace's rule ([`Catalog::event_auth`]).
    #[serde(default)]
    pub auth: Option<AuthRule>,
    /// Schema of the single payload argument.
    #[serde(default)]
    pub payload: Option<Schema>,
    /// Schemas of each argument, for multi-argument events (instead of `payload`).
    #[serde(default)]
    pub args: Option<Vec<Schema>>,
    /// Schema of the acknowledgement, when the sender passes a callback.
    #[serde(default)]
    pub ack: Option<Schema>,
    /// Room template the event is emitted to (s2c).
    #[serde(default)]
    pub room: Option<String>,
    /// Room template a c2s event joins, bound from payload fields.
    #[serde(default)]
    pub joins: Option<String>,
    /// Room template a c2s event leaves.
    #[serde(default)]
    pub leaves: Option<String>,
    /// Events sent back after the event is handled.
    #[serde(default)]
    pub replies: Vec<Reply>,
    /// Error codes the event may cause.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Example payloads (each must validate against the schema).
    #[serde(default)]
    pub examples: Vec<Value>,
    /// When the server sends it.
    #[serde(default)]
    pub emitted_when: Option<String>,
    /// API version that introduced it.
    #[serde(default)]
    pub since: Option<String>,
    /// Deprecation notice.
    #[serde(default)]
    pub deprecated: Option<Deprecation>,
    /// Free tags for grouping.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The client→server variant when the two directions carry different payloads.
    #[serde(default)]
    pub c2s: Option<Variant>,
    /// The server→client variant when the two directions carry different payloads.
    #[serde(default)]
    pub s2c: Option<Variant>,
    /// Where it is declared in the catalog (the event's key).
    #[serde(skip)]
    pub at: Option<Location>,
}

impl Event {
    /// The namespace it lives in (`/` when not written).
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("/")
    }
}

/// One direction of a `direction: both` event whose payloads differ.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Schema of the payload in this direction.
    #[serde(default)]
    pub payload: Option<Schema>,
    /// Argument schemas in this direction.
    #[serde(default)]
    pub args: Option<Vec<Schema>>,
    /// Ack schema in this direction.
    #[serde(default)]
    pub ack: Option<Schema>,
    /// Room in this direction.
    #[serde(default)]
    pub room: Option<String>,
    /// Examples in this direction.
    #[serde(default)]
    pub examples: Vec<Value>,
}

/// A reply: an event name, or an event with where its payload comes from.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// Just the event name.
    Name(String),
    /// The event and its payload source.
    Detailed {
        /// The reply event.
        event: String,
        /// `request` (echo the request payload) or `example` (the reply's first example).
        #[serde(default)]
        payload: Option<ReplyPayload>,
    },
}

impl Reply {
    /// The name of the reply event.
    pub fn event(&self) -> &str {
        match self {
            Reply::Name(n) => n,
            Reply::Detailed { event, .. } => event,
        }
    }
}

/// Where a reply's payload comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyPayload {
    /// The request's payload, echoed.
    Request,
    /// The reply event's first catalog example.
    Example,
}

/// Deprecation of an event.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// Version that deprecated it.
    #[serde(default)]
    pub since: Option<String>,
    /// The event to use instead.
    #[serde(default, rename = "use")]
    pub use_instead: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A named flow across components, rendered as a diagram.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Title of the diagram.
    pub title: String,
    /// Text under the diagram.
    #[serde(default)]
    pub description: Option<String>,
    /// Components and events, in order.
    pub steps: Vec<FlowStep>,
}

/// A step of a flow: a component name, or an event emitted between components.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FlowStep {
    /// A component (`Signal Parser`).
    Component(String),
    /// An event travelling to the next component.
    Emit {
        /// The event name.
        emit: String,
    },
}

/// One troubleshooting entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Trouble {
    /// Stable id (`transport-error`); an entry with a built-in id replaces it.
    pub id: String,
    /// Title (`Transport Error`).
    pub title: String,
    /// What the user sees.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// Why it happens.
    #[serde(default)]
    pub causes: Vec<String>,
    /// How to find out.
    #[serde(default)]
    pub steps: Vec<String>,
    /// What fixes it.
    #[serde(default)]
    pub solution: Option<String>,
}

/// Monitoring: alerts on the server's metrics.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Alerting rules.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

/// One alerting rule.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Alert name (`ConnectionsDropped`).
    pub name: String,
    /// PromQL expression.
    pub expr: String,
    /// How long the condition must hold (`5m`).
    #[serde(default, rename = "for")]
    pub for_: Option<String>,
    /// `critical`, `warning`, `info`.
    #[serde(default)]
    pub severity: Option<String>,
    /// What it means and what to do.
    #[serde(default)]
    pub description: Option<String>,
}

/// Naming and versioning conventions.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Conventions {
    /// Regex every event name must match (EV007).
    pub event_pattern: String,
    /// How breaking payload changes are versioned (for the docs).
    pub versioning: Option<String>,
}

/// The default naming pattern: `domain:action`, optionally `:vN` (`trade:update:v2`).
pub const DEFAULT_EVENT_PATTERN: &str = r"^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+(:v[0-9]+)?$";

impl Default for Conventions {
    fn default() -> Self {
        Self {
            event_pattern: DEFAULT_EVENT_PATTERN.into(),
            versioning: None,
        }
    }
}

/// How `scan` reads the code.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Globs of files that run on the server: the side of sites that neither their socket nor
    /// their file's imports, package or framework place (crate::scan::sides).
    #[serde(default)]
    pub server: Vec<String>,
    /// Globs of files that run on the client (as `server`).
    #[serde(default)]
    pub client: Vec<String>,
    /// Globs never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Functions that emit or listen on behalf of their caller.
    #[serde(default)]
    pub wrappers: Vec<Wrapper>,
    /// Sites whose event name is computed at run time and that a reader has reviewed.
    #[serde(default)]
    pub dynamic: Vec<ReviewedDynamic>,
}

/// A reviewed dynamic site (`client.emit(msg.action, …)` relaying names from elsewhere): EV009
/// stays quiet for it. Matched by file and by the name expression as written, not by line, so
/// that edits above it do not undo the review.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewedDynamic {
    /// The file, relative to the scanned root (a glob).
    pub file: String,
    /// The event-name expression as the scan reports it (`expr` in the scan JSON).
    pub expr: String,
    /// Why the name is dynamic and what it can be.
    #[serde(default)]
    pub note: Option<String>,
}

/// A declared wrapper function.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Wrapper {
    /// Function or method name (`emitToUser`, `SocketService.send`).
    pub function: String,
    /// 0-based index of the event-name argument.
    pub event_arg: usize,
    /// 0-based index of the room argument, if any.
    #[serde(default)]
    pub room_arg: Option<usize>,
    /// `emit` or `listen`.
    pub role: crate::vocab::Role,
    /// Side, when the wrapper does not live in a file whose side is known.
    #[serde(default)]
    pub side: Option<crate::vocab::Side>,
}
