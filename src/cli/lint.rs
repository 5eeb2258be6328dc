//! `evdoc lint`: the catalog alone.

use super::check::write_report;
use super::{load_catalog, FailOn, Ui, BAD_INPUT, FINDINGS, OK};
use clap::Args;
use evdoc::check::{self, report};
use evdoc::scan::{self, ScanResult};
use std::path::{Path, PathBuf};

/// `evdoc lint`.
#[derive(Args)]
pub struct LintArgs {
    /// The catalog: a YAML file or a folder of them.
    #[arg(long, default_value = "catalog")]
    pub catalog: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = report::Format::Text)]
    pub format: report::Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// `evdoc lint`.
pub fn lint(ui: &Ui, a: LintArgs) -> u8 {
    let Some(cat) = load_catalog(ui, &a.catalog) else {
        return BAD_INPUT;
    };
    let empty = ScanResult {
        version: scan::run::FORMAT_VERSION,
        root: String::new(),
        files_scanned: 0,
        skipped: vec![],
        parse_errors: vec![],
        sites: vec![],
    };
    let ctx = check::rules::Context {
        catalog: &cat,
        scan: &empty,
    };
    let mut findings = check::rules::lint::run(&ctx);
    let mut sup = check::suppress::Suppressions::new(Path::new("."));
    findings.retain(|f| !sup.is_suppressed(f));
    check::sort(&mut findings);
    if let Err(code) = write_report(ui, a.format, &findings, Path::new("."), 0, None) {
        return code;
    }
    if check::fails(&findings, a.fail_on.into()) {
        FINDINGS
    } else {
        OK
    }
}
