//! The `x-socketio-*` extensions evdoc writes into AsyncAPI documents for what AsyncAPI cannot
//! say about Socket.IO, and reads back on import. One list, shared by `export` and `import`, so
//! the two cannot drift apart; README.md ("AsyncAPI") documents each one for readers of the
//! exported document.

/// The AsyncAPI version `evdoc export asyncapi` writes.
pub const VERSION: &str = "3.0.0";

/// The description export gives the server (the import knows it is not the user's text).
pub const SERVER_DESCRIPTION: &str =
    "The Socket.IO server; the connection settings are in `x-socketio-connection`.";

/// Message: the Socket.IO event name (the first element of the packet), which the message's
/// `name` repeats; message ids are the name made safe for component keys (`trade:update` →
/// `trade.update`).
pub const EVENT: &str = "x-socketio-event";
/// Message of a `direction: both` event whose directions differ: `c2s` or `s2c`.
pub const VARIANT: &str = "x-socketio-variant";
/// Message: `true` when the payload is the list of arguments of a multi-argument event (the
/// payload schema is then a tuple `type: array, items: [one schema per argument]`).
pub const ARGS: &str = "x-socketio-args";
/// Message: the event whose acknowledgement (the callback's arguments) this message is.
pub const ACK: &str = "x-socketio-ack";
/// Message: the room template the server emits it to (`user:{userId}`).
pub const ROOM: &str = "x-socketio-room";
/// Message: the room template a client→server event joins (bound from payload fields).
pub const JOINS: &str = "x-socketio-joins";
/// Message: the room template a client→server event leaves.
pub const LEAVES: &str = "x-socketio-leaves";
/// Message: events the server sends back after handling it (`[name]` or `{event, payload}`).
pub const REPLIES: &str = "x-socketio-replies";
/// Message: error codes (keys of the root `x-socketio-errors`) the event may cause.
pub const ERRORS: &str = "x-socketio-errors";
/// Message: who may send (c2s) or receive (s2c) it, when the event sets its own rule:
/// `none`, `required` or `role:NAME`. Channel (namespace): who may connect.
pub const AUTH: &str = "x-socketio-auth";
/// Message: the API version that introduced the event.
pub const SINCE: &str = "x-socketio-since";
/// Message: the deprecation notice `{since, use, reason}` behind `deprecated: true`.
pub const DEPRECATED: &str = "x-socketio-deprecated";
/// Message: when the server sends it (free text).
pub const EMITTED_WHEN: &str = "x-socketio-emitted-when";
/// Message: a name Socket.IO reserves (`connect`, `disconnect`…), described for completeness:
/// no application code emits it.
pub const RESERVED: &str = "x-socketio-reserved";
/// Channel: `namespace` (its address is the namespace a client connects to) or `room` (its
/// address is a room template; the room lives inside a namespace and only the server joins
/// sockets to it).
pub const KIND: &str = "x-socketio-kind";
/// Room channel: the namespace the room lives in.
pub const NAMESPACE: &str = "x-socketio-namespace";
/// Room channel: who may join (`self`, `authenticated`, `role:NAME`, `none`…).
pub const ACCESS: &str = "x-socketio-access";
/// Security scheme: the key of the handshake `auth` object carrying the credential
/// (`io(url, { auth: { sessionId } })`).
pub const HANDSHAKE_FIELD: &str = "x-socketio-handshake-field";
/// Root: the handshake scheme, `session` or `token`.
pub const AUTH_SCHEME: &str = "x-socketio-auth-scheme";
/// Root: transport settings: path, transports, ping interval and timeout, max payload, client
/// reconnection settings, CORS origins (the catalog's `connection:`).
pub const CONNECTION: &str = "x-socketio-connection";
/// Root: error codes the server sends, `{code: {description, remedy, message}}`.
pub const ERROR_CODES: &str = "x-socketio-errors";
/// Root: the server URL when it is not a `scheme://host` URL an AsyncAPI server can hold.
pub const SERVER_URL: &str = "x-socketio-server-url";
/// Root: the catalog sections that are evdoc's own tooling (flows, troubleshooting, monitoring,
/// conventions, scan, stack), kept so that import gives them back.
pub const EVDOC: &str = "x-evdoc";
