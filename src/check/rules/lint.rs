//! EV007 and EV008: catalog lint problems, reported as findings.

use super::Context;
use crate::catalog::lint::lint;
use crate::check::Finding;

/// Lint the catalog and turn each problem into a finding.
pub fn run(ctx: &Context) -> Vec<Finding> {
    lint(ctx.catalog)
        .into_iter()
        .map(|p| Finding {
            rule: p.rule,
            severity: p.rule.severity(),
            message: p.message,
            event: p.event,
            code: None,
            catalog: p.at,
            help: p.help,
        })
        .collect()
}
