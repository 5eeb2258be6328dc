//! The json format: one pretty document, `{"version":1,"findings":[…],"summary":{…}}`.
//!
//! The field order and names are a contract for scripts; bump `version` when they change.

use super::{ReportContext, Tally};
use crate::check::Finding;
use crate::vocab::diagnostic::{Location, Severity};
use serde::Serialize;
use std::io::{self, Write};

/// Version of this document's shape.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    event: Option<&'a str>,
    code: Option<&'a Location>,
    catalog: Option<&'a Location>,
    help: Option<&'a str>,
    fingerprint: String,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    info: usize,
    files_scanned: usize,
}

/// Write `findings` as one JSON document followed by a newline.
pub(super) fn write(
    findings: &[Finding],
    ctx: &ReportContext,
    out: &mut dyn Write,
) -> io::Result<()> {
    let tally = Tally::of(findings);
    let doc = Document {
        version: VERSION,
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule.id(),
                name: f.rule.name(),
                severity: f.severity,
                message: &f.message,
                event: f.event.as_deref(),
                code: f.code.as_ref(),
                catalog: f.catalog.as_ref(),
                help: f.help.as_deref(),
                fingerprint: f.fingerprint(),
            })
            .collect(),
        summary: Summary {
            errors: tally.errors,
            warnings: tally.warnings,
            info: tally.info,
            files_scanned: ctx.files_scanned,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
