//! Loading catalogs: every bad input gets a located, readable error; good folders merge.

use evdoc::catalog::{self, lint::lint};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalogs")
        .join(name)
}

fn errors(name: &str) -> Vec<String> {
    let err = catalog::load(&fixture(name)).expect_err("the fixture is broken on purpose");
    err.0
        .iter()
        .map(|e| {
            let loc = e.location.as_ref().map(|l| {
                let file = Path::new(&l.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                format!("{file}:{}:{}: ", l.line, l.column)
            });
            format!(
                "{}{}{}",
                loc.unwrap_or_default(),
                e.message,
                e.help
                    .as_ref()
                    .map(|h| format!(" [help: {h}]"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn malformed_yaml_names_file_line_column() {
    let e = errors("malformed");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("evdoc.yaml:"), "{e:?}");
    assert!(
        !e[0].starts_with("evdoc.yaml:0"),
        "a location is given: {e:?}"
    );
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let e = errors("unknown-key");
    assert_eq!(
        e,
        ["evdoc.yaml:5:5: unknown key `sumary` [help: did you mean `summary`?]"]
    );
}

#[test]
fn duplicate_event_across_files_points_at_both() {
    let e = errors("duplicate-event");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("b.yaml:4:3: duplicate event `trade:update`: already defined at "),
        "{e:?}"
    );
    assert!(e[0].contains("a.yaml:3:3"), "{e:?}");
}

#[test]
fn duplicate_key_in_one_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        "events:\n  a:b:\n    direction: c2s\n    direction: s2c\n",
    )
    .unwrap();
    let err = catalog::load(dir.path()).unwrap_err();
    assert_eq!(err.0[0].message, "duplicate key `direction`");
    assert_eq!(err.0[0].location.as_ref().unwrap().line, 4);
}

#[test]
fn ref_to_missing_file() {
    let e = errors("ref-missing");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(
            "evdoc.yaml:5:15: `$ref: schemas/trade.json` names a file that does not exist"
        ),
        "{e:?}"
    );
}

#[test]
fn ref_outside_the_catalog_is_refused() {
    let err = catalog::load(&fixture("ref-outside/catalog")).unwrap_err();
    assert!(
        err.0[0]
            .message
            .contains("points outside the catalog folder"),
        "{err}"
    );
}

#[test]
fn missing_catalog_and_empty_folder() {
    let err = catalog::load(Path::new("/nonexistent/evdoc-catalog")).unwrap_err();
    assert!(err.0[0].message.starts_with("cannot read catalog"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let err = catalog::load(dir.path()).unwrap_err();
    assert!(err.0[0].message.starts_with("no catalog files"), "{err}");
}

#[test]
fn non_utf8_catalog_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.yaml"), b"events:\n  a:\xff\xfe\n").unwrap();
    let err = catalog::load(dir.path()).unwrap_err();
    assert!(err.0[0].message.contains("not valid UTF-8"), "{err}");
}

#[test]
fn good_catalog_inlines_nested_refs_and_lints_clean() {
    let loaded = catalog::load(&fixture("good")).expect("loads");
    let trade = &loaded.catalog.events["trade:update"];
    let payload = trade.payload.as_ref().unwrap();
    assert_eq!(payload["properties"]["status"]["enum"][1], "executed");
    let at = trade.at.as_ref().unwrap();
    assert_eq!((at.line, at.column), (18, 3));
    assert!(lint(&loaded).is_empty(), "{:?}", lint(&loaded));
}

#[test]
fn invalid_schema_is_a_lint_error_at_the_payload() {
    let loaded = catalog::load(&fixture("invalid-schema")).expect("loads: the YAML is fine");
    let problems = lint(&loaded);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].rule, "EV008");
    assert!(
        problems[0]
            .message
            .starts_with("invalid JSON Schema for `trade:update`"),
        "{problems:?}"
    );
    assert_eq!(problems[0].at.as_ref().unwrap().line, 5);
}

#[test]
fn lint_finds_dangling_references_failing_examples_and_bad_names() {
    let loaded = catalog::load(&fixture("lint-problems")).unwrap();
    let got: Vec<String> = lint(&loaded)
        .iter()
        .map(|p| {
            format!(
                "{} {}:{} {}",
                p.rule,
                p.at.as_ref().unwrap().line,
                p.at.as_ref().unwrap().column,
                p.message
            )
        })
        .collect();
    insta::assert_snapshot!(got.join("\n"));
}

/// Room templates are read one way everywhere (`catalog::room`): lint names the typos serve
/// would bind literally, and checks the placeholder serve binds, `{a{b}` being `a{b`, not `b`.
#[test]
fn lint_reads_room_templates_as_serve_binds_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        r#"evdoc: 1
info: {title: t, version: "1"}
auth: {scheme: session}
rooms:
  "user:{userId}": {access: self}
  "team:{}": {}
  "org:{a{b}": {}
  "desk:{id": {}
events:
  join:org:
    direction: c2s
    payload: {type: object, properties: {b: {type: string}}}
    joins: "org:{a{b}"
  join:user:
    direction: c2s
    payload: {type: object, properties: {userId: {type: string}}}
    joins: "user:{userId}"
"#,
    )
    .unwrap();
    let loaded = catalog::load(dir.path()).unwrap();
    let got: Vec<String> = lint(&loaded)
        .iter()
        .map(|p| format!("{} {}", p.rule, p.message))
        .collect();
    assert_eq!(
        got,
        [
            "EV008 `join:org` joins `org:{a{b}`, but its payload schema has no property `a{b` to bind `{a{b}` from",
            "EV008 room `team:{}`: placeholder `{}` has no name",
            "EV008 room `org:{a{b}`: placeholder `{a{b}` has a `{` in its name (placeholders do not nest)",
            "EV008 room `desk:{id`: a `{` is never closed by a `}` (it is read as literal text)",
        ],
        "{got:#?}"
    );
}

/// `auth:` and `access:` are parsed once, when the catalog is read: a word no stage accepts is
/// an error at its position, like an unknown `direction`.
#[test]
fn an_unknown_rule_word_is_an_error_at_its_position() {
    let e = errors("bad-rule");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("evdoc.yaml:4:"), "{e:?}");
    assert!(
        e[0].contains("`admins` is not a valid rule") && e[0].contains("role:NAME"),
        "{e:?}"
    );
    let fixed = std::fs::read_to_string(fixture("bad-rule").join("evdoc.yaml"))
        .unwrap()
        .replace("admins", "role:admin");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("evdoc.yaml"), fixed).unwrap();
    let e = catalog::load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("evdoc.yaml:8:") && e.contains("`authenticatd`"),
        "{e}"
    );
}

/// What stays unwritten is decided in one place (`Catalog::namespace_auth`, `room_access`): an
/// authenticated API's rooms are not public unless the catalog says so.
#[test]
fn defaults_of_auth_and_access_follow_the_scheme() {
    let load = |scheme: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("c.yaml"),
            format!(
                "evdoc: 1\nauth: {{scheme: {scheme}}}\nnamespaces:\n  /admin: {{auth: \"role:admin\"}}\n  /lobby: {{auth: none}}\nrooms:\n  lobby: {{}}\n  desk: {{namespace: /admin}}\n  feed: {{access: none}}\nevents:\n  a:b: {{direction: c2s}}\n"
            ),
        )
        .unwrap();
        catalog::load(dir.path()).unwrap().catalog
    };
    let token = load("token");
    assert_eq!(token.namespace_auth("/").to_string(), "required");
    assert_eq!(
        token.event_auth(&token.events["a:b"]).to_string(),
        "required"
    );
    assert_eq!(token.room_access("lobby", "/").to_string(), "authenticated");
    assert_eq!(token.room_access("desk", "/").to_string(), "role:admin");
    assert_eq!(token.room_access("feed", "/").to_string(), "none");
    assert_eq!(
        token.room_access("undeclared", "/admin").to_string(),
        "role:admin"
    );
    assert_eq!(token.namespace_auth("/lobby").to_string(), "none");
    assert_eq!(
        token.room_access("undeclared", "/lobby").to_string(),
        "authenticated"
    );
    let open = load("none");
    assert_eq!(open.namespace_auth("/").to_string(), "none");
    assert_eq!(open.room_access("lobby", "/").to_string(), "none");
}

/// YAML 1.2 core scalars: only `true`/`false` are booleans. Each YAML 1.1 boolean word stays
/// the string it is in a schema's `required` and `enum`, in `examples`, and in a `$ref`ed file.
#[test]
fn yaml_11_boolean_words_are_strings() {
    for word in [
        "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("c.yaml"),
            format!(
                "evdoc: 1\nevents:\n  light:set:\n    direction: c2s\n    payload:\n      type: object\n      required: [x, {word}]\n      properties:\n        x: {{enum: [{word}, true]}}\n        {word}: {{$ref: word.yaml}}\n    examples:\n      - {{x: {word}, {word}: {word}}}\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("word.yaml"), format!("enum: [{word}]\n")).unwrap();
        let loaded =
            catalog::load(&dir.path().join("c.yaml")).unwrap_or_else(|e| panic!("{word}: {e}"));
        let payload = loaded.catalog.events["light:set"].payload.clone().unwrap();
        let w = serde_json::json!(word);
        assert_eq!(
            payload["required"],
            serde_json::json!(["x", word]),
            "{word}"
        );
        assert_eq!(
            payload["properties"]["x"]["enum"],
            serde_json::json!([word, true]),
            "{word}: `true` is still a boolean"
        );
        assert_eq!(
            payload["properties"][word]["enum"],
            serde_json::json!([word])
        );
        assert_eq!(
            loaded.catalog.events["light:set"].examples[0],
            serde_json::json!({"x": w, word: w})
        );
        assert_eq!(lint(&loaded), vec![], "{word}: the example validates");
    }
}

mod never_panics {
    use proptest::prelude::*;

    /// Fragments of catalog YAML, shuffled and truncated: the loader must answer, never panic.
    fn fragments() -> impl Strategy<Value = String> {
        let parts = prop::sample::select(vec![
            "evdoc: 1\n",
            "events:\n",
            "  a:b:\n",
            "    direction: c2s\n",
            "    payload: {type: object\n",
            "    payload: {$ref: x.json}\n",
            "    examples: [1, {a: [}]\n",
            "rooms: {\"user:{id}\": {access: self}}\n",
            "  - item\n",
            "\t\tbad tab\n",
            "key: &anchor {a: 1}\n",
            "other: *anchor\n",
            "<<: *nothing\n",
            "\"unterminated\n",
            "? complex\n: key\n",
            "---\n",
            "...\n",
            "events: !!binary aGVsbG8=\n",
            "\u{feff}\n",
        ]);
        prop::collection::vec(parts, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn loading_arbitrary_yaml_returns_ok_or_located_errors(text in fragments(), noise in ".{0,40}") {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("c.yaml"), format!("{text}{noise}")).unwrap();
            if let Ok(loaded) = evdoc::catalog::load(dir.path()) {
                let _ = evdoc::catalog::lint::lint(&loaded);
            }
        }
    }
}
