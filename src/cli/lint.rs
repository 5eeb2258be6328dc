//! `evdoc lint`: the catalog alone.

use super::check::write_report;
use super::{load_catalog, ReportFlags, Ui, BAD_INPUT, FINDINGS, OK};
use clap::Args;
use evdoc::check;
use evdoc::scan::{self, ScanResult};
use std::path::Path;

/// `evdoc lint`.
#[derive(Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub report: ReportFlags,
}

/// `evdoc lint`.
pub fn lint(ui: &Ui, a: LintArgs) -> u8 {
    let Some(catalog) = super::discover::catalog(ui, a.report.catalog.as_deref(), Path::new("."))
    else {
        ui.error("no catalog: none in the working directory or a folder above it (`catalog/` or `evdoc.yaml`)\n  help: run `evdoc init` to draft one, or pass --catalog");
        return BAD_INPUT;
    };
    let Some(cat) = load_catalog(ui, &catalog) else {
        return BAD_INPUT;
    };
    let empty = ScanResult {
        version: scan::run::FORMAT_VERSION,
        root: String::new(),
        files_scanned: 0,
        skipped: vec![],
        parse_errors: vec![],
        sites: vec![],
        stack: Default::default(),
    };
    let ctx = check::rules::Context {
        catalog: &cat,
        scan: &empty,
    };
    let mut findings = check::rules::lint::run(&ctx);
    let mut sup = check::suppress::Suppressions::new(Path::new("."));
    findings.retain(|f| !sup.is_suppressed(f));
    check::sort(&mut findings);
    if let Err(code) = write_report(ui, a.report.format, &findings, Path::new("."), 0, None) {
        return code;
    }
    if check::fails(&findings, a.report.fail_on.into()) {
        FINDINGS
    } else {
        OK
    }
}
