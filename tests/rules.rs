//! Each rule on a fixture of its own, like ruff's rule tests: `tests/fixtures/rules/EV00N-name/`
//! holds a little code and a `catalog.yaml` with sites that must fire (`fires:` comments) and
//! near-misses that must not (`near-miss:`). `check --select EV00N` runs on it and the exact
//! report is a snapshot, so a finding that appears, disappears or changes its wording shows up
//! in review.
//!
//! Also here: the README's rule table lists exactly [`Rule::ALL`], so docs and code cannot drift.

use assert_cmd::Command;
use evdoc::vocab::Rule;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture folder of a rule, relative to the crate root: `EV001-undocumented-event`.
fn fixture(rule: Rule) -> String {
    format!("tests/fixtures/rules/{rule}-{}", rule.name())
}

/// `evdoc check` of the rule's fixture with only that rule selected, in `format`: the exit code
/// and the report.
fn check(rule: Rule, format: &str) -> (i32, String) {
    let dir = fixture(rule);
    let out = Command::cargo_bin("evdoc")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(["check", &dir, "--catalog", &format!("{dir}/catalog.yaml")])
        .args([
            "--select",
            rule.id(),
            "--fail-on",
            "info",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{rule}: nothing on stderr: {stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap_or(-1), stdout)
}

/// Snapshot the rule's text report, after making sure that it fires, and only as itself.
fn snapshot(rule: Rule) {
    let (code, json) = check(rule, "json");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(code, 1, "{rule} fires on its fixture: {findings:#?}");
    assert!(
        findings.iter().all(|f| f["rule"] == rule.id()),
        "--select {rule} reports only {rule}: {findings:#?}"
    );
    let (_, text) = check(rule, "text");
    insta::assert_snapshot!(format!("{rule}-{}", rule.name()), text);
}

macro_rules! rule_tests {
    ($($test:ident: $rule:ident,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot(Rule::$rule);
            }
        )*

        /// Every rule has a test above: adding a variant without a fixture fails here.
        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$(Rule::$rule),*];
            assert_eq!(tested, Rule::ALL);
        }
    };
}

rule_tests! {
    ev001_undocumented_event: UndocumentedEvent,
    ev002_stale_event: StaleEvent,
    ev003_direction_mismatch: DirectionMismatch,
    ev004_one_sided_event: OneSidedEvent,
    ev005_payload_shape: PayloadShape,
    ev006_room_mismatch: RoomMismatch,
    ev007_naming_convention: NamingConvention,
    ev008_catalog_lint: CatalogLint,
    ev009_dynamic_event: DynamicEvent,
}

/// No fixture folder is left over from a renamed or removed rule.
#[test]
fn every_fixture_folder_is_a_rule() {
    let folders = std::fs::read_dir(root().join("tests/fixtures/rules")).unwrap();
    let mut names: Vec<String> = folders
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected: Vec<String> = Rule::ALL
        .into_iter()
        .map(|r| {
            Path::new(&fixture(r))
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, expected);
}

/// The rows of the table under `### Rules` in README.md: id, name, severity.
fn readme_rules() -> Vec<[String; 3]> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n### Rules\n")
        .nth(1)
        .expect("README.md has a `### Rules` section");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and the `|---|` line
        .map(|row| {
            let cells: Vec<String> = row.split('|').map(|c| c.trim().to_owned()).collect();
            [cells[1].clone(), cells[2].clone(), cells[3].clone()]
        })
        .collect()
}

#[test]
fn the_readme_lists_exactly_the_rules() {
    let documented = readme_rules();
    let known: Vec<[String; 3]> = Rule::ALL
        .into_iter()
        .map(|r| {
            [
                r.id().to_owned(),
                r.name().to_owned(),
                r.severity().to_string(),
            ]
        })
        .collect();
    assert_eq!(
        documented, known,
        "README.md's `### Rules` table (id | name | severity) matches vocab::Rule"
    );
}

/// The bar of the issue: `check --help` lists every rule of the README's table.
#[test]
fn check_help_lists_every_rule_of_the_readme() {
    let out = Command::cargo_bin("evdoc")
        .unwrap()
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for [id, name, severity] in readme_rules() {
        let line = format!("  {id} {name} ({severity})");
        assert!(help.contains(&line), "`check --help` lists `{line}`");
    }
}
