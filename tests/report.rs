//! The report writers on one fixed set of findings: every format snapshotted, SARIF also
//! round-tripped through `serde-sarif` and validated against the official SARIF 2.1.0 schema.
//!
//! The findings cover code+catalog, code only, catalog only, each severity, a message with `%`,
//! `,`, `:` and a newline, XML special characters, a deleted source file and a binary one.

use evdoc::check::report::{write, Format, ReportContext};
use evdoc::check::Finding;
use evdoc::vocab::diagnostic::{Location, Severity};
use evdoc::vocab::Rule;
use std::fs;
use std::path::Path;

/// A project on disk for the text format to quote from.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("server")).unwrap();
    fs::create_dir_all(root.join("client")).unwrap();
    fs::create_dir_all(root.join("bin")).unwrap();
    fs::write(
        root.join("server/x.js"),
        "io.on(\"connection\", (socket) => {\n  // état \"open\n  socket.emit(\"trade:cancelled\", { id });\n  socket.join(room);\n  socket.on(\"order:placed\", place);\n});\n",
    )
    .unwrap();
    fs::write(
        root.join("client/app.ts"),
        "export function track(s: Socket) {\r\n\ts.emit(`a:b,c`, 1);\r\n}\r\n",
    )
    .unwrap();
    fs::write(
        root.join("evdoc.yaml"),
        "version: 1\nevents:\n  order:placed:\n    direction: server-to-client\n    payload: { type: object }\n  legacy:ping:\n    direction: both\n",
    )
    .unwrap();
    fs::write(root.join("bin/blob.js"), b"\x00\x01binary\n\x00").unwrap();
    dir
}

fn finding(
    rule: Rule,
    severity: Severity,
    message: &str,
    event: Option<&str>,
    code: Option<Location>,
    catalog: Option<Location>,
    help: Option<&str>,
) -> Finding {
    Finding {
        rule,
        severity,
        message: message.to_owned(),
        event: event.map(str::to_owned),
        code,
        catalog,
        help: help.map(str::to_owned),
    }
}

fn findings() -> Vec<Finding> {
    vec![
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "Event `trade:cancelled` is emitted but not in the catalog.",
            Some("trade:cancelled"),
            Some(Location::new("server/x.js", 3, 15)),
            None,
            Some("Add `trade:cancelled` to evdoc.yaml, or run `evdoc init --merge`."),
        ),
        finding(
            Rule::DirectionMismatch,
            Severity::Error,
            "Event `order:placed` is listened to by the server, but the catalog says server-to-client.",
            Some("order:placed"),
            Some(Location::new("server/x.js", 5, 3)),
            Some(Location::new("evdoc.yaml", 4, 16)),
            Some("Change `direction` to `both`."),
        ),
        finding(
            Rule::StaleEvent,
            Severity::Error,
            "Event `legacy:ping` is in the catalog but has no site in the code.",
            Some("legacy:ping"),
            None,
            Some(Location::new("evdoc.yaml", 6, 3)),
            None,
        ),
        finding(
            Rule::OneSidedEvent,
            Severity::Warning,
            "Event `a:b,c` is 100% one-sided,\nnobody listens: check the name.",
            Some("a:b,c"),
            Some(Location::new("client/app.ts", 2, 2)),
            None,
            None,
        ),
        finding(
            Rule::NamingConvention,
            Severity::Warning,
            "Event `<&>\"'` does not follow the naming convention.",
            Some("<&>\"'"),
            Some(Location::new("gone/deleted.js", 10, 2)),
            None,
            Some("Rename it to `kebab:case` & retry."),
        ),
        finding(
            Rule::DynamicEvent,
            Severity::Info,
            "An event name is computed at run time and cannot be verified.",
            None,
            Some(Location::new("bin/blob.js", 1, 1)),
            None,
            None,
        ),
    ]
}

fn render(format: Format, findings: &[Finding], root: &Path, color: bool) -> String {
    let ctx = ReportContext {
        code_root: root,
        catalog_root: root,
        color,
        tool_version: "0.0.0-test",
        files_scanned: 4,
    };
    let mut out = Vec::new();
    write(format, findings, &ctx, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text() {
    let dir = project();
    let out = render(Format::Text, &findings(), dir.path(), false);
    assert!(!out.contains('\u{1b}'), "plain text has no ANSI escapes");
    insta::assert_snapshot!(out);
}

#[test]
fn text_in_colour_is_the_plain_text_plus_escapes() {
    let dir = project();
    let plain = render(Format::Text, &findings(), dir.path(), false);
    let styled = render(Format::Text, &findings(), dir.path(), true);
    assert!(styled.contains("\u{1b}["));
    assert_eq!(strip_ansi(&styled), plain);
}

#[test]
fn text_without_findings() {
    let dir = project();
    let out = render(Format::Text, &[], dir.path(), false);
    assert_eq!(out, "All checks passed (4 files).\n");
}

#[test]
fn text_survives_a_missing_root_and_odd_positions() {
    let odd = vec![
        // Line past the end of the file, column past the end of the line, whole-file location.
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "past the end",
            None,
            Some(Location::new("server/x.js", 99, 1)),
            None,
            None,
        ),
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "long column",
            None,
            Some(Location::new("server/x.js", 4, 80)),
            None,
            None,
        ),
        // Columns count characters, and `é` is two bytes.
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "after a multibyte char",
            None,
            Some(Location::new("server/x.js", 2, 6)),
            None,
            None,
        ),
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "unclosed quote",
            None,
            Some(Location::new("server/x.js", 2, 11)),
            None,
            None,
        ),
        finding(
            Rule::UndocumentedEvent,
            Severity::Error,
            "no column",
            None,
            Some(Location::new("server/x.js", 4, 0)),
            None,
            None,
        ),
        finding(
            Rule::CatalogLint,
            Severity::Error,
            "whole file",
            None,
            None,
            Some(Location::new("evdoc.yaml", 0, 0)),
            None,
        ),
        finding(
            Rule::CatalogLint,
            Severity::Error,
            "nowhere",
            None,
            None,
            None,
            None,
        ),
    ];
    let dir = project();
    let out = render(Format::Text, &odd, dir.path(), false);
    insta::assert_snapshot!(out);
    let missing = render(Format::Text, &findings(), &dir.path().join("nope"), false);
    assert!(missing.contains("server/x.js:3:15: EV001 [error]"));
    assert!(!missing.contains("socket.emit"));
    assert!(missing.contains("note: catalog entry\n--> evdoc.yaml:4:16\n"));
}

#[test]
fn json() {
    let dir = project();
    let out = render(Format::Json, &findings(), dir.path(), false);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["summary"]["errors"], 3);
    assert_eq!(value["findings"][2]["code"], serde_json::Value::Null);
    insta::assert_snapshot!(out);
}

#[test]
fn github() {
    let dir = project();
    let out = render(Format::Github, &findings(), dir.path(), false);
    assert_eq!(
        out.lines().count(),
        findings().len(),
        "one command per finding"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn sarif() {
    let dir = project();
    let out = render(Format::Sarif, &findings(), dir.path(), false);
    let mut value: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The home page comes from Cargo.toml and may change; keep it out of the snapshot.
    let driver = value["runs"][0]["tool"]["driver"].as_object_mut().unwrap();
    if let Some(uri) = driver.shift_remove("informationUri") {
        assert!(uri.as_str().unwrap().starts_with("https://"));
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn sarif_round_trips_through_serde_sarif() {
    let dir = project();
    let out = render(Format::Sarif, &findings(), dir.path(), false);
    let log: serde_sarif::sarif::Sarif = serde_json::from_str(&out).unwrap();
    let reserialised = serde_json::to_value(&log).unwrap();
    let original: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        reserialised, original,
        "serde-sarif drops or changes nothing"
    );
}

/// The schema is `src/schema.json` of the `serde-sarif` 0.8.0 crate on crates.io, which ships the
/// OASIS "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
/// (`$id` https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json).
#[test]
fn sarif_matches_the_official_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    // The schema's `language` patterns have a stray `]`, which fails the meta-schema's `regex`
    // format check; evdoc never writes `language`, so drop those patterns rather than all format
    // checks (uri, uri-reference, …).
    for owner in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][owner]["properties"]["language"];
        assert!(language
            .as_object_mut()
            .unwrap()
            .shift_remove("pattern")
            .is_some());
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let dir = project();
    for findings in [findings(), vec![]] {
        let out = render(Format::Sarif, &findings, dir.path(), false);
        let instance: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The validator does reject a log that breaks the schema.
    let out = render(Format::Sarif, &findings(), dir.path(), false);
    let mut broken: serde_json::Value = serde_json::from_str(&out).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_catalog_in_another_root_gets_its_own_base() {
    let findings = findings();
    let ctx = ReportContext {
        code_root: Path::new("server"),
        catalog_root: Path::new("."),
        color: false,
        tool_version: "0.0.0-test",
        files_scanned: 1,
    };
    let mut out = Vec::new();
    write(Format::Sarif, &findings, &ctx, &mut out).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let result = &value["runs"][0]["results"][1];
    let base =
        |loc: &serde_json::Value| loc["physicalLocation"]["artifactLocation"]["uriBaseId"].clone();
    assert_eq!(base(&result["locations"][0]), "%SRCROOT%");
    assert_eq!(base(&result["relatedLocations"][0]), "CATALOGROOT");
}

#[test]
fn junit() {
    let dir = project();
    let out = render(Format::Junit, &findings(), dir.path(), false);
    assert_eq!(out.matches("<testcase ").count(), findings().len());
    assert_eq!(out.matches("<failure ").count(), findings().len());
    insta::assert_snapshot!(out);
}

#[test]
fn junit_without_findings_is_one_passing_case() {
    let dir = project();
    let out = render(Format::Junit, &[], dir.path(), false);
    insta::assert_snapshot!(out);
}

#[test]
fn formats_parse_from_their_lowercase_names() {
    use clap::ValueEnum;
    for (name, format) in [
        ("text", Format::Text),
        ("json", Format::Json),
        ("github", Format::Github),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
    ] {
        assert_eq!(Format::from_str(name, false), Ok(format));
    }
}

/// Drop ANSI CSI sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
