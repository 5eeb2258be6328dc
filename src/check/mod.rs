//! Catalog vs evidence: findings with rule ids, suppressions, baselines, and the report writers.

pub mod finding;
pub mod report;
pub mod rules;
pub mod suppress;

pub use finding::Finding;

use crate::catalog::LoadedCatalog;
use crate::scan::ScanResult;
use crate::vocab::diagnostic::Severity;
use crate::vocab::Rule;
use std::path::Path;

/// Which rules run and which findings count.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Only these rules (empty: all).
    pub select: Vec<Rule>,
    /// Never these rules.
    pub ignore: Vec<Rule>,
}

/// Compare the catalog with the scan: every finding, suppressions applied, sorted by location.
pub fn check(
    catalog: &LoadedCatalog,
    scan: &ScanResult,
    code_root: &Path,
    opts: &CheckOptions,
) -> Vec<Finding> {
    let ctx = rules::Context { catalog, scan };
    let mut sup = suppress::Suppressions::new(code_root);
    let wanted = |rule: Rule| {
        (opts.select.is_empty() || opts.select.contains(&rule)) && !opts.ignore.contains(&rule)
    };
    let mut findings: Vec<Finding> = rules::run_all(&ctx)
        .into_iter()
        .filter(|f| wanted(f.rule))
        .filter(|f| !sup.is_suppressed(f))
        .collect();
    sort(&mut findings);
    findings
}

/// Order findings: code findings by file and line, then catalog-only findings, then by rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.code.is_none(),
                f.primary().cloned(),
                f.rule,
                f.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// True when any finding is at least as severe as `threshold`.
pub fn fails(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}
