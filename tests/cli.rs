//! The command line as a user meets it: help texts, exit codes, output formats, and `check` on
//! the bundled example (clean) and on the drifted copy (exactly the findings EXPECTED.md lists).

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn evdoc() -> Command {
    let mut c = Command::cargo_bin("evdoc").unwrap();
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

fn stdout(cmd: &mut Command) -> (String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn help_texts_have_examples() {
    for sub in ["scan", "check", "init", "lint"] {
        let (text, code) = stdout(evdoc().args([sub, "--help"]));
        assert_eq!(code, 0);
        assert!(
            text.contains("Examples:"),
            "`evdoc {sub} --help` shows examples"
        );
        insta::assert_snapshot!(format!("help_{sub}"), text);
    }
}

#[test]
fn proxy_help_has_examples_and_bad_upstreams_exit_2() {
    let (text, code) = stdout(evdoc().args(["proxy", "--help"]));
    assert_eq!(code, 0);
    assert!(text.contains("Examples:") && text.contains("--mode"));
    insta::assert_snapshot!("help_proxy", text);
    let out = evdoc()
        .args(["proxy", "--upstream", "https://app.example:443"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("https is not supported"), "{err}");
}

#[test]
fn scan_formats() {
    for format in ["table", "csv", "markdown", "json"] {
        let (text, code) =
            stdout(evdoc().args(["scan", "tests/fixtures/cli/small", "--format", format]));
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("scan_{format}"), text);
    }
}

#[test]
fn scan_json_follows_the_contract() {
    let (text, _) = stdout(evdoc().args(["scan", "tests/fixtures/cli/small", "--format", "json"]));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files_scanned"], 2);
    let site = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["event"] == "room:joined" && s["role"] == "emit")
        .unwrap();
    for key in [
        "event",
        "role",
        "direction",
        "side",
        "file",
        "line",
        "column",
        "call",
        "room",
        "namespace",
        "dynamic",
        "lang",
        "via",
    ] {
        assert!(site.get(key).is_some(), "site has `{key}`: {site}");
    }
    assert_eq!(site["direction"], "s2c");
    assert_eq!(site["side"], "server");
    assert_eq!(site["file"], "server.js");
    assert_eq!(site["line"], 11);
}

#[test]
fn check_passes_on_the_bundled_example() {
    let out = evdoc()
        .args(["check", "examples/trading-app", "--catalog", "catalog"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("All checks passed"), "{text}");
}

fn drifted_findings(extra: &[&str]) -> (Vec<Value>, i32) {
    let mut cmd = evdoc();
    cmd.args([
        "check",
        "tests/fixtures/drifted-app",
        "--catalog",
        "tests/fixtures/drifted-app/catalog",
        "--format",
        "json",
    ])
    .args(extra);
    let (text, code) = stdout(&mut cmd);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (v["findings"].as_array().unwrap().clone(), code)
}

const DRIFTED: &str = "tests/fixtures/drifted-app/";

/// A location of a finding as EXPECTED.md writes it: relative to the drifted app.
fn drifted_location(loc: &Value) -> Option<String> {
    let file = loc["file"].as_str()?;
    let file = file.strip_prefix(DRIFTED).unwrap_or(file);
    Some(format!("{file}:{}:{}", loc["line"], loc["column"]))
}

/// One line per finding: rule, severity, event, where, the catalog entry, the message.
fn drifted_line(f: &Value) -> String {
    let code = drifted_location(&f["code"]);
    let catalog = drifted_location(&f["catalog"]);
    let place = code.clone().or(catalog.clone()).unwrap_or_default();
    let entry = match (code, catalog) {
        (Some(_), Some(catalog)) => format!(" (catalog {catalog})"),
        _ => String::new(),
    };
    format!(
        "{} [{}] {} at {place}{entry}: {}",
        f["rule"].as_str().unwrap(),
        f["severity"].as_str().unwrap(),
        f["event"].as_str().unwrap_or("-"),
        f["message"].as_str().unwrap()
    )
}

/// The drifted app has one deliberate drift per rule: exactly these findings, no more, no less.
#[test]
fn check_reports_exactly_the_drifts_of_the_drifted_app() {
    let (findings, code) = drifted_findings(&[]);
    assert_eq!(code, 1);
    for rule in evdoc::vocab::Rule::ALL {
        assert!(
            findings.iter().any(|f| f["rule"] == rule.id()),
            "{rule} is reported: {findings:#?}"
        );
    }
    let lines: Vec<String> = findings.iter().map(drifted_line).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// The rows of the table in the drifted app's EXPECTED.md: rule, severity, event, location(s).
fn expected_md_rows() -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(root().join(DRIFTED).join("EXPECTED.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| EV"))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").map(str::trim).collect();
            let event = cells[2].trim_matches('`');
            let event = if event.starts_with('—') { "-" } else { event };
            [
                cells[0].trim_start_matches("| ").to_owned(),
                cells[1].to_owned(),
                event.to_owned(),
                cells[3].to_owned(),
            ]
        })
        .collect()
}

/// EXPECTED.md, the human account of the drifts, names every finding (rule, severity, event,
/// code location to the column, catalog location to the line), and every row is reported.
#[test]
fn the_drifted_apps_expected_md_matches_its_findings() {
    let (findings, _) = drifted_findings(&[]);
    let rows = expected_md_rows();
    let mut used = vec![false; rows.len()];
    for f in &findings {
        let code = drifted_location(&f["code"]);
        // Catalog locations are given to the line: `catalog/events/x.yaml:40`.
        let catalog =
            drifted_location(&f["catalog"]).map(|l| l[..l.rfind(':').unwrap()].to_owned());
        let places: Vec<String> = code.into_iter().chain(catalog).collect();
        let names = |cell: &str, place: &str| {
            cell.match_indices(place).any(|(i, _)| {
                let after = cell[i + place.len()..].chars().next();
                cell[..i].ends_with('`') && !after.is_some_and(|c| c.is_ascii_digit())
            })
        };
        let row = rows.iter().position(|[rule, severity, event, locations]| {
            f["rule"] == rule.as_str()
                && f["severity"] == severity.as_str()
                && f["event"].as_str().unwrap_or("-") == event
                && places.iter().all(|p| names(locations, p))
        });
        let row = row.unwrap_or_else(|| panic!("EXPECTED.md names {}", drifted_line(f)));
        used[row] = true;
    }
    for (row, used) in rows.iter().zip(used) {
        assert!(used, "EXPECTED.md's row {row:?} is reported");
    }
}

#[test]
fn baseline_accepts_known_findings_and_reports_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let out = evdoc()
        .args([
            "check",
            "tests/fixtures/drifted-app",
            "--catalog",
            "tests/fixtures/drifted-app/catalog",
            "--write-baseline",
            b,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (findings, code) = drifted_findings(&["--baseline", b]);
    assert_eq!((findings.len(), code), (0, 0), "{findings:#?}");
    // A baseline from an older state does not hide what is new.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let removed = v["findings"].as_array_mut().unwrap().remove(0);
    std::fs::write(&baseline, v.to_string()).unwrap();
    let (findings, code) = drifted_findings(&["--baseline", b]);
    assert_eq!(code, if removed["rule"] == "EV009" { 0 } else { 1 });
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["fingerprint"], removed["fingerprint"]);
}

#[test]
fn suppression_comments_silence_a_rule_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    std::fs::write(
        dir.path().join("catalog/evdoc.yaml"),
        "evdoc: 1\nevents:\n  chat:message:\n    direction: c2s\n",
    )
    .unwrap();
    let code = "import { io } from 'socket.io-client';\nconst socket = io();\nsocket.emit('chat:message', {});\n// evdoc-ignore EV001\nsocket.emit('chat:typing', {});\nsocket.emit('chat:read', {}); // evdoc-ignore EV002\n";
    std::fs::write(dir.path().join("app.js"), code).unwrap();
    let mut cmd = evdoc();
    cmd.current_dir(dir.path())
        .args(["check", ".", "--format", "json"]);
    let (text, code) = stdout(&mut cmd);
    let v: Value = serde_json::from_str(&text).unwrap();
    let events: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["event"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        events,
        ["chat:read"],
        "chat:typing is suppressed, chat:read is not (wrong rule id)"
    );
    assert_eq!(code, 1);
}

#[test]
fn init_drafts_a_catalog_that_check_accepts_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog");
    let o = out.to_str().unwrap();
    let res = evdoc()
        .args(["init", "examples/trading-app", "--out", o])
        .output()
        .unwrap();
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let res = evdoc()
        .args(["check", "examples/trading-app", "--catalog", o])
        .output()
        .unwrap();
    assert_eq!(
        res.status.code(),
        Some(0),
        "check passes right after init:\n{}",
        String::from_utf8_lossy(&res.stdout)
    );
    // The draft knows the payload shape of an emit with an object literal.
    let loaded = evdoc::catalog::load(&out).unwrap();
    let trade = &loaded.catalog.events["trade:update"];
    assert_eq!(trade.direction, evdoc::scan::Direction::S2c);
    assert!(
        trade
            .room
            .as_deref()
            .is_some_and(|r| r.starts_with("user:{")),
        "{:?}",
        trade.room
    );
    let again = evdoc()
        .args(["init", "examples/trading-app", "--out", o])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = evdoc()
        .args(["init", "examples/trading-app", "--out", o, "--force"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
}

#[test]
fn unusable_input_exits_2_with_a_located_message() {
    let out = evdoc()
        .args([
            "check",
            "examples/trading-app",
            "--catalog",
            "tests/fixtures/catalogs/unknown-key",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tests/fixtures/catalogs/unknown-key/evdoc.yaml:5:5: unknown key `sumary`"),
        "{err}"
    );
    assert!(err.contains("did you mean `summary`?"), "{err}");
    assert!(out.stdout.is_empty(), "errors go to stderr only");

    let out = evdoc()
        .args(["check", "does/not/exist", "--catalog", "catalog"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let out = evdoc().args(["scan", "does/not/exist"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = evdoc()
        .args(["check", ".", "--select", "EV001,EV999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown rule `EV999`; the rules are EV001, EV002"),
        "{err}"
    );
    let out = evdoc()
        .args(["check", ".", "--ignore", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn select_takes_ids_in_any_case_and_names() {
    for select in ["EV005", "ev005", "payload-shape"] {
        let (findings, code) = drifted_findings(&["--select", select]);
        assert_eq!(code, 1);
        assert!(
            !findings.is_empty() && findings.iter().all(|f| f["rule"] == "EV005"),
            "{select}: {findings:#?}"
        );
    }
    let (findings, _) = drifted_findings(&["--ignore", "EV009,catalog-lint"]);
    assert!(findings
        .iter()
        .all(|f| f["rule"] != "EV009" && f["rule"] != "EV008"));
}

#[test]
fn check_help_lists_every_rule() {
    for flag in ["-h", "--help"] {
        let (text, _) = stdout(evdoc().args(["check", flag]));
        for rule in evdoc::vocab::Rule::ALL {
            let shown = if flag == "-h" {
                format!("  {rule}  {}", rule.name())
            } else {
                format!("  {rule} {} ({})", rule.name(), rule.severity())
            };
            assert!(text.contains(&shown), "`check {flag}` lists `{shown}`");
        }
    }
}

#[test]
fn lint_reports_catalog_problems_with_locations() {
    let (text, code) =
        stdout(evdoc().args(["lint", "--catalog", "tests/fixtures/catalogs/lint-problems"]));
    assert_eq!(code, 1);
    assert!(
        text.contains("tests/fixtures/catalogs/lint-problems/evdoc.yaml:13:15"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "NO_COLOR: no escape codes");
    let (_, code) = stdout(evdoc().args(["lint", "--catalog", "catalog"]));
    assert_eq!(code, 0);
}

#[test]
fn fail_on_warning_turns_warnings_into_failures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        "evdoc: 1\nevents:\n  chatMessage:\n    direction: c2s\n",
    )
    .unwrap();
    let c = dir.path().join("c.yaml");
    let c = c.to_str().unwrap();
    assert_eq!(
        evdoc()
            .args(["lint", "--catalog", c])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        evdoc()
            .args(["lint", "--catalog", c, "--fail-on", "warning"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn payload_shape_findings_name_the_offending_property() {
    let (findings, _) = drifted_findings(&[]);
    let ev005: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"] == "EV005")
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["code"]["file"].as_str().unwrap_or("?"),
                f["code"]["line"],
                f["code"]["column"],
                f["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    insta::assert_snapshot!(ev005.join("\n"));
}

/// Config discovery like ruff's: the catalog nearest to the scanned path wins over the working
/// directory's, the working directory's is the fallback, and the command says which applied.
#[test]
fn the_nearest_catalog_applies_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // The working directory's catalog documents nothing and puts every file on the client.
    write("catalog/evdoc.yaml", "evdoc: 1\nscan: {client: [\"**\"]}\n");
    // The scanned project's own catalog documents its one event.
    write(
        "app/catalog/evdoc.yaml",
        "evdoc: 1\nevents:\n  chat:send: {direction: c2s}\n",
    );
    write(
        "app/src/server.js",
        "const { Server } = require('socket.io');\nconst io = new Server();\nio.on('connection', (s) => s.on('chat:send', () => {}));\n",
    );
    let out = evdoc()
        .current_dir(root)
        .args(["check", "app/src"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("catalog: app/catalog (the nearest to app/src)"),
        "{stderr}"
    );
    // Outside any project, the working directory's catalog applies, and says so.
    write(
        "lone/x.js",
        "const { io } = require('socket.io-client');\nio().emit('ping:me');\n",
    );
    let out = evdoc()
        .current_dir(root.join("app/src"))
        .args(["scan", "../../lone", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("catalog: "), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["sites"][0]["event"], "ping:me");
    // An explicit --catalog is used as given, without a note.
    let out = evdoc()
        .current_dir(root)
        .args(["check", "app/src", "--catalog", "app/catalog"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("catalog: "));
}

/// `init` then `check` reports nothing, also on a project whose names are not `domain:action`
/// and whose events have one end outside the scanned code: the draft writes the project's own
/// naming convention and silences EV004 with a comment saying what to check.
#[test]
fn init_then_check_has_no_findings_on_mixed_naming_and_one_sided_events() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join("server")).unwrap();
    std::fs::create_dir_all(app.join("web")).unwrap();
    std::fs::write(
        app.join("server/index.js"),
        "const { Server } = require('socket.io');\nconst io = new Server();\nio.on('connection', (socket) => {\n  socket.on('joinRoom', () => {});\n  socket.on('user changed', () => {});\n  socket.emit('on_asset_update', {});\n  socket.emit('AppRestartV1');\n  socket.on('relay', (msg) => socket.emit(msg.action, msg.body));\n});\n",
    )
    .unwrap();
    std::fs::write(
        app.join("web/app.js"),
        "import { io } from 'socket.io-client';\nconst s = io();\ns.emit('joinRoom', { id: 1 });\ns.emit('user changed');\ns.on('on_asset_update', () => {});\n",
    )
    .unwrap();
    let a = app.to_str().unwrap();
    let res = evdoc().args(["init", a]).output().unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let catalog = app.join("catalog");
    let main = std::fs::read_to_string(catalog.join("evdoc.yaml")).unwrap();
    assert!(main.contains("event_pattern:"), "{main}");
    // The relay's computed name is drafted as a site to review, not left as a finding.
    assert!(
        main.contains("dynamic:\n    - {file: \"server/index.js\", expr: \"msg.action\""),
        "{main}"
    );
    let res = evdoc()
        .args(["check", a, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert_eq!(res.status.code(), Some(0));
    // The one-sided event is drafted with the reason it is silenced.
    let events: String = std::fs::read_dir(catalog.join("events"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        events.contains("# evdoc-ignore EV004: no listener in the scanned code"),
        "{events}"
    );
}
