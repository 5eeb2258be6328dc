//! Event names Socket.IO itself uses. They are never undocumented app events, and the catalog
//! may still describe them for the docs.

/// Names reserved by Socket.IO (socket and namespace level) and the client Manager.
pub const RESERVED_EVENTS: &[&str] = &[
    "connect",
    "connection",
    "connect_error",
    "connect_timeout",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
    "reconnect",
    "reconnect_attempt",
    "reconnect_error",
    "reconnect_failed",
    "reconnecting",
    "ping",
];

/// True when `name` is reserved by Socket.IO.
pub fn is_reserved(name: &str) -> bool {
    RESERVED_EVENTS.contains(&name)
}
