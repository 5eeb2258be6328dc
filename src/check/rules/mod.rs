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

pub mod direction;
pub mod dynamic;
pub mod lint;
pub mod one_sided;
pub mod payload;
pub mod room;
pub mod stale;
pub mod undocumented;

use super::Finding;
use crate::catalog::LoadedCatalog;
use crate::diagnostic::Location;
use crate::scan::{ScanResult, Site};

/// What every rule reads.
pub struct Context<'a> {
    /// The contract.
    pub catalog: &'a LoadedCatalog,
    /// The evidence.
    pub scan: &'a ScanResult,
}

/// A finding of rule `id` with the rule's default severity.
pub(crate) fn finding(id: &'static str, event: Option<&str>, message: String) -> Finding {
    let info = by_id(id).expect("rule ids used by rules are registered");
    Finding {
        rule: info.id,
        name: info.name,
        severity: info.severity,
        message,
        event: event.map(str::to_owned),
        code: None,
        catalog: None,
        help: None,
    }
}

/// The code location of a site.
pub(crate) fn site_location(site: &Site) -> Location {
    Location::new(site.file.clone(), site.line, site.column)
}

/// Run every rule; findings in no particular order (the caller sorts).
pub fn run_all(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(undocumented::run(ctx));
    out.extend(stale::run(ctx));
    out.extend(direction::run(ctx));
    out.extend(one_sided::run(ctx));
    out.extend(payload::run(ctx));
    out.extend(room::run(ctx));
    out.extend(lint::run(ctx));
    out.extend(dynamic::run(ctx));
    out
}
