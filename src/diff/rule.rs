//! The rules of `evdoc diff`, as one type (the house style of [`crate::vocab::Rule`]): every
//! kind of change is a variant whose id, name, level and explanation live in one `match`, from
//! which the reports, the docs' rule table (tests/diff.rs checks docs/compatibility.md lists
//! them all) and the JSON read.
//!
//! A payload change is judged by who **writes** the payload and who **reads** it, as oasdiff
//! judges requests and responses. *Sent* rules are about payloads the client writes and the
//! server reads: the arguments of c2s events, and the ack an s2c event's client handler returns.
//! There an old client keeps sending what the old schema allowed, so anything the new schema
//! refuses breaks it (narrowing breaks). *Received* rules are about payloads the server writes
//! and the client reads: the arguments of s2c events, and the ack the server returns for a c2s
//! event. There an old client parses what the new server sends with old expectations, so
//! anything the new schema admits that the old did not breaks it (widening breaks).

use serde::{Serialize, Serializer};
use std::fmt;

/// Whether a change breaks clients written against the old catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Old clients may fail: exit 1 unless `--allow-breaking`.
    Breaking,
    /// Old clients keep working.
    NonBreaking,
}

impl Level {
    /// `breaking` or `non-breaking`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::NonBreaking => "non-breaking",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $name:literal, $level:ident, $why:literal;)*) => {
        /// One kind of change `evdoc diff` reports, ordered by id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeRule {
            $(#[doc = $why] $variant,)*
        }

        impl ChangeRule {
            /// Every rule, in id order.
            pub const ALL: &'static [ChangeRule] = &[$(ChangeRule::$variant,)*];

            /// Stable id (`D001`).
            pub const fn id(self) -> &'static str {
                match self { $(ChangeRule::$variant => $id,)* }
            }

            /// Kebab-case name (`event-removed`).
            pub const fn name(self) -> &'static str {
                match self { $(ChangeRule::$variant => $name,)* }
            }

            /// Whether old clients break.
            pub const fn level(self) -> Level {
                match self { $(ChangeRule::$variant => Level::$level,)* }
            }

            /// Why the change breaks old clients, or why it does not (one or two sentences).
            pub const fn explanation(self) -> &'static str {
                match self { $(ChangeRule::$variant => $why,)* }
            }
        }
    };
}

rules! {
    EventRemoved = "D001", "event-removed", Breaking,
        "Old clients still emit it (the server now drops it) or still listen for it (it never comes).";
    EventRenamed = "D002", "event-renamed", Breaking,
        "A rename is a removal for old clients: they emit and listen under the old name.";
    EventAdded = "D003", "event-added", NonBreaking,
        "Old clients neither send nor listen for it; Socket.IO ignores events nobody listens to.";
    EventDeprecated = "D004", "event-deprecated", NonBreaking,
        "Still served; a notice to move clients to its replacement before it is removed.";
    DirectionNarrowed = "D005", "direction-narrowed", Breaking,
        "A `both` event lost a direction: old clients still send it, or still wait for it.";
    DirectionReversed = "D006", "direction-reversed", Breaking,
        "The server no longer accepts what old clients send, and sends what they never listen for.";
    DirectionWidened = "D007", "direction-widened", NonBreaking,
        "The direction old clients use is unchanged; the new one is only used by new clients.";
    NamespaceChanged = "D008", "namespace-changed", Breaking,
        "Old clients send and listen on the old namespace's socket.";
    RoomChanged = "D009", "room-changed", Breaking,
        "Old clients joined the old room (or none) and no longer receive the event.";
    RoomRemoved = "D010", "room-removed", NonBreaking,
        "The event now reaches the whole namespace, old subscribers of the room included.";
    JoinsChanged = "D011", "joins-changed", Breaking,
        "Old clients send it to join a room whose events they then wait for; it joins another (or none).";
    JoinsAdded = "D012", "joins-added", NonBreaking,
        "Old clients now also join a room; they ignore the events it brings that they do not listen for.";
    LeavesChanged = "D013", "leaves-changed", Breaking,
        "Old clients send it to leave a room and keep receiving that room's events.";
    LeavesAdded = "D014", "leaves-added", NonBreaking,
        "Old clients now leave a room when they send it; they did not rely on staying.";
    AuthTightened = "D015", "auth-tightened", Breaking,
        "Old clients without the identity or role now required are refused (an event's or namespace's `auth:`, a room's `access:`).";
    AuthLoosened = "D016", "auth-loosened", NonBreaking,
        "Everyone allowed before is still allowed.";
    AckRemoved = "D017", "ack-removed", Breaking,
        "c2s: old clients wait for a callback that never comes. s2c: old handlers call a callback that is no longer passed (TypeError).";
    AckAdded = "D018", "ack-added", NonBreaking,
        "The ack is optional: old clients that pass no callback (c2s) or ignore it (s2c) keep working; the server must not rely on it.";
    ErrorCodeAdded = "D019", "error-code-added", NonBreaking,
        "Noted: old clients may receive an error code they do not handle by name.";
    ErrorCodeRemoved = "D020", "error-code-removed", NonBreaking,
        "Old clients' handling of the code becomes dead code.";
    UnversionedBreakingChange = "D021", "unversioned-breaking-change", Breaking,
        "The contract changed under the same name, so nothing tells old clients from new ones: version the event instead, keeping the old one deprecated with `use:` until its clients are gone.";
    PathChanged = "D022", "connection-path-changed", Breaking,
        "Old clients connect to the old Engine.IO path.";
    TransportRemoved = "D023", "transport-removed", Breaking,
        "Old clients configured for that transport alone cannot connect.";
    TransportAdded = "D024", "transport-added", NonBreaking,
        "Old clients keep using the transports they know.";
    MaxPayloadDecreased = "D025", "max-payload-decreased", Breaking,
        "Messages old clients could send are now refused and close the connection.";
    MaxPayloadIncreased = "D026", "max-payload-increased", NonBreaking,
        "Everything old clients sent still fits.";
    CorsOriginRemoved = "D027", "cors-origin-removed", Breaking,
        "Browser clients served from that origin are refused.";
    CorsOriginAdded = "D028", "cors-origin-added", NonBreaking,
        "Every origin allowed before is still allowed.";
    AuthSchemeChanged = "D029", "auth-scheme-changed", Breaking,
        "Old clients present the old credentials in the old place.";
    HandshakeChanged = "D030", "handshake-changed", Breaking,
        "Old clients put their credential in the old handshake field or cookie.";
    SentArgumentAdded = "D031", "sent-argument-added", Breaking,
        "Old clients do not send the new argument.";
    ReceivedArgumentAdded = "D032", "received-argument-added", NonBreaking,
        "Old clients' handlers ignore arguments they do not declare.";
    SentArgumentRemoved = "D033", "sent-argument-removed", NonBreaking,
        "Old clients send an argument the server now ignores.";
    ReceivedArgumentRemoved = "D034", "received-argument-removed", Breaking,
        "Old clients' handlers read an argument that no longer comes.";
    SentPropertyBecameRequired = "D035", "sent-property-became-required", Breaking,
        "Old clients do not send the property and are refused.";
    ReceivedPropertyBecameRequired = "D036", "received-property-became-required", NonBreaking,
        "Old clients get the property every time instead of sometimes.";
    SentPropertyBecameOptional = "D037", "sent-property-became-optional", NonBreaking,
        "Old clients always send it, which is still allowed.";
    ReceivedPropertyBecameOptional = "D038", "received-property-became-optional", Breaking,
        "Old clients read the property unconditionally and meet `undefined`.";
    SentPropertyAdded = "D039", "sent-property-added", NonBreaking,
        "An optional property old clients do not send.";
    ReceivedPropertyAdded = "D040", "received-property-added", NonBreaking,
        "Old clients ignore properties they do not know.";
    SentPropertyRemoved = "D041", "sent-property-removed", NonBreaking,
        "Old clients still send it; the schema does not forbid other properties, so it is ignored.";
    SentPropertyRejected = "D042", "sent-property-rejected", Breaking,
        "Old clients still send it and `additionalProperties: false` now refuses it.";
    ReceivedPropertyRemoved = "D043", "received-property-removed", Breaking,
        "Old clients read a property that no longer comes.";
    SentEnumValueAdded = "D044", "sent-enum-value-added", NonBreaking,
        "Old clients send the old values, all still accepted.";
    ReceivedEnumValueAdded = "D045", "received-enum-value-added", Breaking,
        "Old clients meet a value their switch does not handle.";
    SentEnumValueRemoved = "D046", "sent-enum-value-removed", Breaking,
        "Old clients still send the removed value and are refused.";
    ReceivedEnumValueRemoved = "D047", "received-enum-value-removed", NonBreaking,
        "Old clients simply stop seeing a value they handle.";
    SentTypeNarrowed = "D048", "sent-type-narrowed", Breaking,
        "Old clients may send a type that is no longer accepted.";
    ReceivedTypeNarrowed = "D049", "received-type-narrowed", NonBreaking,
        "Old clients handle every type they can still receive.";
    SentTypeWidened = "D050", "sent-type-widened", NonBreaking,
        "Everything old clients send is still accepted.";
    ReceivedTypeWidened = "D051", "received-type-widened", Breaking,
        "Old clients may receive a type they do not handle.";
    SentTypeChanged = "D052", "sent-type-changed", Breaking,
        "Old clients send the old type (binary to or from JSON is a type change too).";
    ReceivedTypeChanged = "D053", "received-type-changed", Breaking,
        "Old clients parse the old type (binary to or from JSON is a type change too).";
    SentConstraintTightened = "D054", "sent-constraint-tightened", Breaking,
        "Values old clients send may now be refused (maxLength, minimum, pattern, maxBytes…).";
    ReceivedConstraintTightened = "D055", "received-constraint-tightened", NonBreaking,
        "Old clients receive values inside the range they already handle.";
    SentConstraintLoosened = "D056", "sent-constraint-loosened", NonBreaking,
        "Everything old clients send is still accepted.";
    ReceivedConstraintLoosened = "D057", "received-constraint-loosened", Breaking,
        "Old clients may rely on the constraint (a length, a range, a format) that no longer holds.";
    SentPropertiesClosed = "D058", "sent-additional-properties-closed", Breaking,
        "`additionalProperties: false` now refuses extra properties old clients may send.";
    ReceivedPropertiesClosed = "D059", "received-additional-properties-closed", NonBreaking,
        "Old clients receive fewer kinds of objects, all of which they handle.";
    SentPropertiesOpened = "D060", "sent-additional-properties-opened", NonBreaking,
        "Everything old clients send is still accepted.";
    ReceivedPropertiesOpened = "D061", "received-additional-properties-opened", NonBreaking,
        "Old clients ignore properties they do not know.";
    SentSchemaChanged = "D062", "sent-schema-changed", Breaking,
        "A change evdoc cannot order (oneOf, anyOf, not, a changed pattern…): review it; counted as breaking.";
    ReceivedSchemaChanged = "D063", "received-schema-changed", Breaking,
        "A change evdoc cannot order (oneOf, anyOf, not, a changed pattern…): review it; counted as breaking.";
}

impl fmt::Display for ChangeRule {
    /// The id, as every report prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for ChangeRule {
    /// The id string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sequential_names_kebab_and_unique() {
        for (i, rule) in ChangeRule::ALL.iter().enumerate() {
            assert_eq!(rule.id(), format!("D{:03}", i + 1));
            assert!(rule
                .name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(rule.explanation().ends_with('.'), "{rule}");
        }
        let mut names: Vec<_> = ChangeRule::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ChangeRule::ALL.len());
    }
}
