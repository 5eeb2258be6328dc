//! `evdoc diff`: what changed between two catalogs, and whether it breaks clients written
//! against the old one.
//!
//! Changes are judged the way oasdiff judges OpenAPI requests and responses, with Socket.IO's
//! twist that acks travel the other way: see [`rule`] for who writes what, [`schema`] for the
//! recursive payload comparison, [`events`] for events, [`connection`] for the handshake and
//! transport. [`source`] reads `OLD`/`NEW` from disk or from a git revision; [`report`] writes
//! text, JSON, Markdown (a pull-request comment) and GitHub annotations.

pub mod connection;
pub mod events;
pub mod report;
pub mod rule;
pub mod schema;
pub mod source;

use crate::catalog::LoadedCatalog;
use crate::vocab::diagnostic::Location;
use crate::vocab::Direction;
pub use rule::{ChangeRule, Level};
use serde::Serialize;

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `connection:` (path, transports, payload size, CORS).
    Connection,
    /// `auth:` (the handshake).
    Auth,
    /// A namespace's `auth:`.
    Namespace,
    /// A room's `access:`.
    Room,
    /// An event.
    Event,
}

/// One change between the two catalogs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The rule: its id, and through it the level and explanation.
    pub rule: ChangeRule,
    /// What the change is about.
    pub scope: Scope,
    /// The event name, the namespace (`/admin`), the room template, or `connection`/`auth`.
    pub subject: String,
    /// The direction of the message concerned (`c2s`, `s2c`), when one is.
    pub direction: Option<Direction>,
    /// The part of the message: `payload`, `args[1]` or `ack`, when a schema changed.
    pub part: Option<String>,
    /// JSON path of the value in that part (`/items/*/price`); empty for the whole part.
    pub path: String,
    /// What changed, in words.
    pub message: String,
    /// Where in the new catalog (the old one for what is gone), when known.
    pub location: Option<Location>,
}

impl Change {
    /// Whether it breaks old clients.
    pub fn level(&self) -> Level {
        self.rule.level()
    }

    /// Whether it breaks old clients.
    pub fn is_breaking(&self) -> bool {
        self.level() == Level::Breaking
    }
}

/// Every change between `old` and `new`, connection first, then events by name.
pub fn diff(old: &LoadedCatalog, new: &LoadedCatalog) -> Vec<Change> {
    let mut out = connection::compare(old, new);
    out.extend(events::compare(old, new));
    out
}
