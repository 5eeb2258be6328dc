//! The rule registry: id, name, default severity and a one-line summary of each rule.
//!
//! Each rule's logic lives in a module of its own beside this one; this table is what reports
//! (SARIF `rules`, `--help`, docs) list.

use crate::diagnostic::Severity;

/// What a rule is, independent of any finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (`EV001`).
    pub id: &'static str,
    /// Kebab-case name (`undocumented-event`).
    pub name: &'static str,
    /// Severity of its findings unless the rule says otherwise.
    pub severity: Severity,
    /// One sentence.
    pub summary: &'static str,
}

/// Every rule evdoc knows, in id order.
pub const ALL: &[RuleInfo] = &[
    RuleInfo { id: "EV001", name: "undocumented-event", severity: Severity::Error, summary: "An event is emitted or listened to in code but absent from the catalog." },
    RuleInfo { id: "EV002", name: "stale-event", severity: Severity::Error, summary: "An event in the catalog has no site in the code." },
    RuleInfo { id: "EV003", name: "direction-mismatch", severity: Severity::Error, summary: "The code sends an event in a direction the catalog does not declare." },
    RuleInfo { id: "EV004", name: "one-sided-event", severity: Severity::Warning, summary: "An event is emitted but never listened to, or listened to but never emitted, although both sides are scanned." },
    RuleInfo { id: "EV005", name: "payload-shape", severity: Severity::Error, summary: "The payload literal at an emit site contradicts the event's schema." },
    RuleInfo { id: "EV006", name: "room-mismatch", severity: Severity::Error, summary: "An emit site targets a room other than the catalog's room for the event." },
    RuleInfo { id: "EV007", name: "naming-convention", severity: Severity::Warning, summary: "An event name does not follow the catalog's naming convention." },
    RuleInfo { id: "EV008", name: "catalog-lint", severity: Severity::Error, summary: "The catalog is unsound: invalid schema, failing example, dangling reply or error reference." },
    RuleInfo { id: "EV009", name: "dynamic-event", severity: Severity::Info, summary: "An event name is computed at run time and cannot be verified." },
];

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static RuleInfo> {
    ALL.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}
