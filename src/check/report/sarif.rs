//! The sarif format: a SARIF 2.1.0 log with one run, for code-scanning dashboards.
//!
//! A few hand-written serde structs cover the part of SARIF that evdoc uses; a SARIF crate as a
//! normal dependency would drag in code generation (see ARCHITECTURE.md). The tests round-trip the
//! output through `serde-sarif` and validate it against the official schema.

use super::{rule_index, ReportContext};
use crate::check::Finding;
use crate::vocab::diagnostic::{Location, Severity};
use crate::vocab::Rule;
use serde::Serialize;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Base id of code paths, which are relative to the scanned root.
const SRCROOT: &str = "%SRCROOT%";
/// Base id of catalog paths when they are not relative to the scanned root.
const CATALOGROOT: &str = "CATALOGROOT";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    /// evdoc's columns count characters, not UTF-16 units.
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor>,
}

/// A rule's metadata (SARIF's `reportingDescriptor`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "evdoc/v1")]
    v1: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

/// Write the SARIF log followed by a newline.
pub(super) fn write(
    findings: &[Finding],
    ctx: &ReportContext,
    out: &mut dyn Write,
) -> io::Result<()> {
    let catalog_base = if ctx.catalog_root == ctx.code_root {
        SRCROOT
    } else {
        CATALOGROOT
    };
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "evdoc",
                    version: ctx.tool_version,
                    information_uri: information_uri(),
                    rules: Rule::ALL.into_iter().map(descriptor).collect(),
                },
            },
            results: findings.iter().map(|f| result(f, catalog_base)).collect(),
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The project's home page from Cargo.toml, when it names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

fn descriptor(rule: Rule) -> ReportingDescriptor {
    ReportingDescriptor {
        id: rule.id(),
        name: rule.name(),
        short_description: Text {
            text: rule.summary().into(),
        },
        default_configuration: Configuration {
            level: level(rule.severity()),
        },
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result<'a>(f: &'a Finding, catalog_base: &'static str) -> SarifResult<'a> {
    let mut text = std::borrow::Cow::Borrowed(f.message.as_str());
    if let Some(help) = &f.help {
        text = format!("{}\n\nhelp: {help}", f.message).into();
    }
    let code = f.code.as_ref().map(|l| physical(l, SRCROOT));
    let catalog = f.catalog.as_ref().map(|l| physical(l, catalog_base));
    let (primary, related) = match (code, catalog) {
        (Some(code), Some(catalog)) => (
            Some(code),
            Some(SarifLocation {
                id: Some(1),
                physical_location: catalog,
                message: Some(Text {
                    text: "catalog entry".into(),
                }),
            }),
        ),
        (code, catalog) => (code.or(catalog), None),
    };
    SarifResult {
        rule_id: f.rule.id(),
        rule_index: rule_index(f.rule),
        level: level(f.severity),
        message: Text { text },
        locations: primary
            .map(|p| SarifLocation {
                id: None,
                physical_location: p,
                message: None,
            })
            .into_iter()
            .collect(),
        related_locations: related.into_iter().collect(),
        partial_fingerprints: Fingerprints {
            v1: f.fingerprint(),
        },
    }
}

fn physical(loc: &Location, base: &'static str) -> PhysicalLocation {
    let absolute = loc.file.starts_with('/');
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: if absolute {
                format!("file://{}", encode_uri_path(&loc.file))
            } else {
                encode_uri_path(&loc.file)
            },
            uri_base_id: (!absolute).then_some(base),
        },
        region: (loc.line > 0).then(|| Region {
            start_line: loc.line,
            start_column: (loc.column > 0).then_some(loc.column),
        }),
    }
}

/// Percent-encode a `/`-separated path so that it is a valid URI reference.
fn encode_uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::encode_uri_path;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(encode_uri_path("src/a b/é.js"), "src/a%20b/%C3%A9.js");
        assert_eq!(encode_uri_path("x%y#z?.ts"), "x%25y%23z%3F.ts");
    }
}
