//! Report writers: the same findings as text, json, github, sarif or junit.
//!
//! Every writer takes findings already sorted by the caller and never reorders them, so that
//! output is stable across runs. Each format lives in a module of its own; this module only
//! dispatches and holds what several formats share (the tally of severities, the rule lookup).

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use crate::check::Finding;
use crate::vocab::diagnostic::Severity;
use crate::vocab::Rule;
use std::io::{self, Write};
use std::path::Path;

/// Output formats of `evdoc check` / `evdoc lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable: each finding with its source line, then a summary.
    Text,
    /// One JSON document for scripts.
    Json,
    /// GitHub Actions workflow commands, shown as annotations on a pull request.
    Github,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// JUnit XML for CI test views.
    Junit,
}

/// What a writer needs besides the findings.
pub struct ReportContext<'a> {
    /// Directory that code locations (Finding.code.file) are relative to: read source lines from here for the text format.
    pub code_root: &'a Path,
    /// Directory that catalog locations (Finding.catalog.file) are relative to (usually the current dir; catalog file paths are already as the user gave them).
    pub catalog_root: &'a Path,
    /// Colours (ANSI) in text output.
    pub color: bool,
    /// evdoc version for SARIF tool.driver.version.
    pub tool_version: &'a str,
    /// Number of files scanned, for the summary line.
    pub files_scanned: usize,
}

/// Write findings (already sorted by the caller) in `format` to `out`.
pub fn write(
    format: Format,
    findings: &[Finding],
    ctx: &ReportContext,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(findings, ctx, out),
        Format::Json => json::write(findings, ctx, out),
        Format::Github => github::write(findings, out),
        Format::Sarif => sarif::write(findings, ctx, out),
        Format::Junit => junit::write(findings, out),
    }
}

/// How many findings there are of each severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    errors: usize,
    warnings: usize,
    info: usize,
}

impl Tally {
    fn of(findings: &[Finding]) -> Self {
        let mut tally = Tally::default();
        for f in findings {
            match f.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Info => tally.info += 1,
            }
        }
        tally
    }
}

/// Position of a rule in [`Rule::ALL`]; SARIF refers to rules by this index.
fn rule_index(rule: Rule) -> usize {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .expect("Rule::ALL lists every rule")
}
