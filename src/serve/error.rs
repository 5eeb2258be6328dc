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
    /// `--forward`: the backend could not be reached, did not answer within `--forward-timeout`,
    /// or answered 5xx, 408 or 429. Transient: the client may retry later.
    BackendUnavailable,
    /// `--forward`: the backend refused the event with a 4xx; its `{"message", "errors"}` are
    /// passed on. Retrying the same event will not help.
    BackendRejected,
    /// `--forward`: the backend's answer cannot be carried out (not the answer shape, or an emit
    /// or ack that breaks the catalog); none of it was. A backend bug.
    BackendContractError,
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
            Code::BackendUnavailable => "BackendUnavailable",
            Code::BackendRejected => "BackendRejected",
            Code::BackendContractError => "BackendContractError",
        }
    }

    /// Every code, for pre-registering metrics.
    pub const ALL: [Code; 8] = [
        Code::PayloadError,
        Code::AuthenticationError,
        Code::SubscriptionError,
        Code::UnknownEvent,
        Code::RateLimited,
        Code::BackendUnavailable,
        Code::BackendRejected,
        Code::BackendContractError,
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
    /// Schema violations (`path` is a JSON pointer into the payload; for the backend codes, into
    /// the backend's answer or its own `errors`); empty for other codes.
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

    /// The error with `message` (the catalog's wording of its code). evdoc's own explanation
    /// is kept as the first entry of `errors` (path `""`) unless schema errors already say what
    /// is wrong.
    pub fn worded(mut self, message: &str) -> Self {
        let own = std::mem::replace(&mut self.message, message.to_string());
        if self.errors.is_empty() {
            self.errors.push(SchemaError {
                path: String::new(),
                message: own,
            });
        }
        self
    }
}

/// What an ack callback receives when the event failed.
#[derive(Serialize)]
pub struct AckError<'a> {
    /// The same object as the `error` event.
    pub error: &'a ClientError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worded_keeps_evdoc_s_explanation_in_errors_unless_schema_errors_are_there() {
        let refused = ClientError::new(Code::SubscriptionError, "subscribe:trades", "not yours")
            .worded("Unauthorized");
        assert_eq!(refused.message, "Unauthorized");
        assert_eq!(refused.errors.len(), 1);
        assert_eq!(
            (
                refused.errors[0].path.as_str(),
                refused.errors[0].message.as_str()
            ),
            ("", "not yours")
        );

        let mut bad = ClientError::new(Code::PayloadError, "x", "does not match its schema");
        bad.errors.push(SchemaError {
            path: "/userId".into(),
            message: "not a string".into(),
        });
        let bad = bad.worded("Bad payload");
        assert_eq!(bad.message, "Bad payload");
        assert_eq!(bad.errors.len(), 1);
        assert_eq!(bad.errors[0].path, "/userId");
    }
}
