//! The rules' logic: one module per rule (EV007 and EV008 share `lint`, which wraps the catalog
//! lint), each turning the context into findings of its [`Rule`].
//!
//! What a rule *is* (id, name, severity, summary) lives in [`crate::vocab::Rule`], so this module
//! holds no table of its own to drift from it.

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
use crate::scan::{ScanResult, Site};
use crate::vocab::diagnostic::Location;
use crate::vocab::Rule;

/// What every rule reads.
pub struct Context<'a> {
    /// The contract.
    pub catalog: &'a LoadedCatalog,
    /// The evidence.
    pub scan: &'a ScanResult,
}

/// A finding of `rule` with the rule's severity.
pub(crate) fn finding(rule: Rule, event: Option<&str>, message: String) -> Finding {
    Finding {
        rule,
        severity: rule.severity(),
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
