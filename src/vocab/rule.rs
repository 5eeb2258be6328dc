//! The rules `check` and `lint` report, as one type.
//!
//! A rule id used to be a string (`"EV001"`) typed in each rule, in the lint, in the registry, in
//! the CLI's validation and by hand in `check --help`, so the lists could (and did) drift apart.
//! Now every rule is a variant of [`Rule`]: the id, name, default severity, summary and help live
//! in one `match` below, and everything that lists or parses rules ([`Rule::ALL`], [`FromStr`])
//! reads from here. A new rule is a new variant; the compiler then points at every place that
//! must know about it.

use crate::vocab::diagnostic::Severity;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// One rule of `evdoc check` / `evdoc lint`, ordered by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// EV001: a site names an event the catalog does not have.
    UndocumentedEvent,
    /// EV002: a catalog event has no site in the code.
    StaleEvent,
    /// EV003: a site sends or handles an event in a direction the catalog does not declare.
    DirectionMismatch,
    /// EV004: an event is only emitted, or only listened to, although both sides are scanned.
    OneSidedEvent,
    /// EV005: an emit's payload literal contradicts the event's schema.
    PayloadShape,
    /// EV006: an emit targets a room other than the catalog's.
    RoomMismatch,
    /// EV007: an event name breaks the catalog's naming convention.
    NamingConvention,
    /// EV008: the catalog itself is unsound.
    CatalogLint,
    /// EV009: an event name is computed at run time.
    DynamicEvent,
}

/// What is said about a rule, kept together so that one rule reads as one entry.
struct Meta {
    id: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
}

impl Rule {
    /// Every rule, in id order: what `check --help`, SARIF and the README list.
    pub const ALL: [Rule; 9] = [
        Rule::UndocumentedEvent,
        Rule::StaleEvent,
        Rule::DirectionMismatch,
        Rule::OneSidedEvent,
        Rule::PayloadShape,
        Rule::RoomMismatch,
        Rule::NamingConvention,
        Rule::CatalogLint,
        Rule::DynamicEvent,
    ];

    /// Stable id (`EV001`): what users type, suppress, select and what every report shows.
    pub const fn id(self) -> &'static str {
        self.meta().id
    }

    /// Kebab-case name (`undocumented-event`).
    pub const fn name(self) -> &'static str {
        self.meta().name
    }

    /// The severity of the rule's findings.
    pub const fn severity(self) -> Severity {
        self.meta().severity
    }

    /// One sentence: what the rule finds (SARIF's `shortDescription`).
    pub const fn summary(self) -> &'static str {
        self.meta().summary
    }

    /// A few sentences for `check --help`: what does not fire, and how to fix what does.
    pub const fn help(self) -> &'static str {
        self.meta().help
    }

    const fn meta(self) -> &'static Meta {
        match self {
            Rule::UndocumentedEvent => &Meta {
                id: "EV001",
                name: "undocumented-event",
                severity: Severity::Error,
                summary: "An event is emitted or listened to in code but absent from the catalog.",
                help: "Reserved events (connect, disconnect, error…) are never reported. Add the \
                       event to the catalog (`evdoc init` can draft it) or fix the name's typo.",
            },
            Rule::StaleEvent => &Meta {
                id: "EV002",
                name: "stale-event",
                severity: Severity::Error,
                summary: "An event in the catalog has no site in the code.",
                help: "One emit or listen anywhere in the scanned code keeps an event alive. \
                       Remove it from the catalog, or declare the wrapper that sends it in \
                       `scan.wrappers`.",
            },
            Rule::DirectionMismatch => &Meta {
                id: "EV003",
                name: "direction-mismatch",
                severity: Severity::Error,
                summary: "The code sends an event in a direction the catalog does not declare.",
                help: "A client emit or a server listen is c2s, the reverse is s2c; `both` allows \
                       either. Fix the call, or change the event's `direction`.",
            },
            Rule::OneSidedEvent => &Meta {
                id: "EV004",
                name: "one-sided-event",
                severity: Severity::Warning,
                summary: "An event is emitted but never listened to, or listened to but never emitted, although both sides are scanned.",
                help: "Silent unless the scan saw both a server and a client. Add the missing \
                       listener or emit, or remove the dead one.",
            },
            Rule::PayloadShape => &Meta {
                id: "EV005",
                name: "payload-shape",
                severity: Severity::Error,
                summary: "The payload literal at an emit site contradicts the event's schema.",
                help: "Only what a literal shows is compared: a missing required property (unless \
                       a spread may supply it), a property `additionalProperties: false` forbids, \
                       a literal of an excluded type. Identifiers and `$ref`/`oneOf` schemas are \
                       left alone.",
            },
            Rule::RoomMismatch => &Meta {
                id: "EV006",
                name: "room-mismatch",
                severity: Severity::Error,
                summary: "An emit site targets a room other than the catalog's room for the event.",
                help: "Rooms are compared as patterns (`user:{userId}` matches `` `user:${id}` `` \
                       and `format!(\"user:{}\", id)`); a room held in a variable is left alone.",
            },
            Rule::NamingConvention => &Meta {
                id: "EV007",
                name: "naming-convention",
                severity: Severity::Warning,
                summary: "An event name does not follow the catalog's naming convention.",
                help: "The convention is `conventions.event_pattern` (default `domain:action`); \
                       reserved names, `error` and `message` are exempt.",
            },
            Rule::CatalogLint => &Meta {
                id: "EV008",
                name: "catalog-lint",
                severity: Severity::Error,
                summary: "The catalog is unsound: invalid schema, failing example, dangling reply or error reference.",
                help: "Also reported by `evdoc lint`, which needs no code: fix the catalog entry \
                       the finding points at.",
            },
            Rule::DynamicEvent => &Meta {
                id: "EV009",
                name: "dynamic-event",
                severity: Severity::Info,
                summary: "An event name is computed at run time and cannot be verified.",
                help: "Information only. Use a constant, or declare the helper that takes the \
                       event name as a wrapper in `scan.wrappers` so its calls become the sites.",
            },
        }
    }
}

impl fmt::Display for Rule {
    /// The id, as every report prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    /// The id string, so that reports read `"rule": "EV001"` as before rules were a type.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Lets tests and callers compare with an id as written (`rule == "EV008"`).
impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

/// A rule id or name that names no rule (`--select EV999`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        write!(
            f,
            "unknown rule `{}`; the rules are {} (or their names, such as `{}`)",
            self.0,
            ids.join(", "),
            Rule::UndocumentedEvent.name()
        )
    }
}

impl std::error::Error for UnknownRule {}

impl FromStr for Rule {
    type Err = UnknownRule;

    /// An id in any case (`EV001`, `ev001`) or a name (`undocumented-event`), like ruff's codes.
    fn from_str(s: &str) -> Result<Rule, UnknownRule> {
        let s = s.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.id().eq_ignore_ascii_case(s) || r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownRule(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sequential_and_names_kebab_case() {
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(rule.id(), format!("EV{:03}", i + 1));
            assert!(rule
                .name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(rule.summary().ends_with('.') && rule.help().ends_with('.'));
        }
        let mut sorted = Rule::ALL;
        sorted.sort();
        assert_eq!(sorted, Rule::ALL, "Ord follows the ids");
    }

    #[test]
    fn parses_ids_in_any_case_and_names() {
        assert_eq!("EV005".parse(), Ok(Rule::PayloadShape));
        assert_eq!("ev005".parse(), Ok(Rule::PayloadShape));
        assert_eq!("payload-shape".parse(), Ok(Rule::PayloadShape));
        let err = "EV999".parse::<Rule>().unwrap_err();
        assert_eq!(err, UnknownRule("EV999".into()));
        assert!(err.to_string().contains("EV001, EV002"), "{err}");
    }

    #[test]
    fn serialises_as_its_id() {
        assert_eq!(
            serde_json::to_string(&Rule::DynamicEvent).unwrap(),
            "\"EV009\""
        );
        assert_eq!(Rule::CatalogLint.to_string(), "EV008");
    }
}
