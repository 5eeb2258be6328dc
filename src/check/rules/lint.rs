//! EV007 and EV008: catalog lint problems, reported as findings.

use super::{by_id, Context};
use crate::catalog::lint::lint;
use crate::check::Finding;

/// Lint the catalog and turn each problem into a finding.
pub fn run(ctx: &Context) -> Vec<Finding> {
    lint(ctx.catalog)
        .into_iter()
        .map(|p| {
            let info = by_id(p.rule).expect("lint rules are registered");
            Finding {
                rule: info.id,
                name: info.name,
                severity: p.severity,
                message: p.message,
                event: p.event,
                code: None,
                catalog: p.at,
                help: p.help,
            }
        })
        .collect()
}
