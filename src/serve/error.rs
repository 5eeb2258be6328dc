//! The one error shape every client sees: the `error` event payload (and, when the client passed
//! an ack callback, `{"error": <same>}` as the ack).

use crate::catalog::schema::SchemaError;
use serde::Serialize;

/// The error codes `evdoc serve` sends; the names are part of the wire contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Code {
    /// The payload does not match the event's schema (or breaks a limit such as JSON depth).
    PayloadError,
    /// No identity, or the identity lacks the role the event requires.
    AuthenticationError,
    /// A room join or leave that the room's `access` rule refuses.
    SubscriptionError,
    /// The event is not in the catalog as client→server in this namespace.
    UnknownEvent,
    /// The socket sends faster than the per-socket event rate.
    RateLimited,
}

impl Code {
    /// The code as written on the wire and in metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::PayloadError => "PayloadError",
            Code::AuthenticationError => "AuthenticationError",
            Code::SubscriptionError => "SubscriptionError",
            Code::UnknownEvent => "UnknownEvent",
            Code::RateLimited => "RateLimited",
        }
    }

    /// Every code, for pre-registering metrics.
    pub const ALL: [Code; 5] = [
        Code::PayloadError,
        Code::AuthenticationError,
        Code::SubscriptionError,
        Code::UnknownEvent,
        Code::RateLimited,
    ];
}

/// The payload of the `error` event.
#[derive(Clone, Debug, Serialize)]
pub struct ClientError {
    /// Human-readable reason.
    pub message: String,
    /// Machine-readable code.
    pub code: Code,
    /// The event the error is about.
    pub event: String,
    /// Schema violations (`path` is a JSON pointer into the payload); empty for other codes.
    pub errors: Vec<SchemaError>,
}

impl ClientError {
    /// An error without schema details.
    pub fn new(code: Code, event: &str, message: impl Into<String>) -> Self {
        ClientError {
            message: message.into(),
            code,
            event: event.to_string(),
            errors: Vec::new(),
        }
    }
}

/// What an ack callback receives when the event failed.
#[derive(Serialize)]
pub struct AckError<'a> {
    /// The same object as the `error` event.
    pub error: &'a ClientError,
}
