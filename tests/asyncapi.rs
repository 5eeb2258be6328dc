//! `evdoc export asyncapi` and `evdoc import asyncapi`: the exported reference catalog
//! (snapshot), export → import round trips on every catalog that loads, imports of hand-written
//! AsyncAPI 2.6 and 3.0 documents (written catalog and report snapshotted), bad input.
//! The official parser's verdict on the exports is tests/contract_asyncapi.rs.

use evdoc::catalog::{self, Catalog};
use evdoc::export::asyncapi::{asyncapi_schema, export, side};
use evdoc::import::asyncapi::import;
use evdoc::vocab::Direction;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every catalog the round trip and the contract test use: the reference and each fixture that
/// loads, except `invalid-schema` (a deliberately invalid JSON Schema, which `evdoc lint`
/// rejects and `evdoc export asyncapi` refuses: no AsyncAPI document can hold it).
pub fn catalogs() -> Vec<PathBuf> {
    let mut out = vec![root().join("catalog")];
    let dir = root().join("tests/fixtures/catalogs");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    for f in fixtures {
        if f.ends_with("invalid-schema") {
            continue;
        }
        if catalog::load(&f).is_ok() {
            out.push(f);
        }
    }
    out
}

/// What "equivalent" means for two catalogs: the same events with, per direction, the same
/// effective payload/args, ack, room and examples (a `both` event's `c2s:`/`s2c:` variants over
/// its own values, as serve reads them), the same metadata, namespaces and rooms that say
/// something, and every other section equal. Deliberate differences it forgives:
/// - binary values gain the `type: string` AsyncAPI's `format: binary` goes with;
/// - `auth: {scheme: session}` without `session:` becomes the default `session:` it means;
/// - namespaces and rooms declared with nothing in them are not written back (their channels
///   carry nothing else);
/// - where a `both` event's values are written (event level or variants) is not kept: the
///   effective values per direction are.
fn normal(c: &Catalog) -> Value {
    let mut events = Map::new();
    for (name, e) in &c.events {
        let mut dirs = Map::new();
        let list: &[Direction] = match e.direction {
            Direction::Both => &[Direction::C2s, Direction::S2c],
            d => {
                if d == Direction::C2s {
                    &[Direction::C2s]
                } else {
                    &[Direction::S2c]
                }
            }
        };
        for d in list {
            let s = side(e, *d);
            dirs.insert(
                d.to_string(),
                json!({
                    "args": s.args.map(|a| a.iter().map(asyncapi_schema).collect::<Vec<_>>()),
                    "payload": s.payload.map(asyncapi_schema),
                    "ack": s.ack.map(asyncapi_schema),
                    "room": s.room,
                    "examples": s.examples,
                }),
            );
        }
        let mut meta = serde_json::to_value(e).unwrap();
        for k in ["payload", "args", "ack", "room", "examples", "c2s", "s2c"] {
            meta.as_object_mut().unwrap().remove(k);
        }
        meta["namespace"] = json!(e.namespace());
        meta["directions"] = Value::Object(dirs);
        events.insert(name.clone(), meta);
    }
    let mut v = serde_json::to_value(c).unwrap();
    v["events"] = Value::Object(events);
    if let Some(ns) = v["namespaces"].as_object_mut() {
        ns.retain(|_, n| !n["description"].is_null() || !n["auth"].is_null());
    }
    if let Some(rooms) = v["rooms"].as_object_mut() {
        rooms.retain(|_, r| {
            !r["description"].is_null() || !r["access"].is_null() || !r["namespace"].is_null()
        });
    }
    let scheme = c.auth.scheme;
    if scheme == evdoc::vocab::AuthScheme::Session && c.auth.session.is_none() {
        v["auth"]["session"] = serde_json::to_value(catalog::SessionAuth::default()).unwrap();
    }
    if scheme == evdoc::vocab::AuthScheme::Token && c.auth.token.is_none() {
        v["auth"]["token"] = serde_json::to_value(catalog::TokenAuth::default()).unwrap();
    }
    v
}

/// Export `dir`, import the YAML text, write the files, load them back.
fn round_trip(dir: &Path) -> (Catalog, Catalog, Vec<String>) {
    let original = catalog::load(dir).unwrap().catalog;
    let doc = export(&original);
    let text = evdoc::export::to_text(&doc, evdoc::export::Format::Yaml).unwrap();
    let imported = import("asyncapi.yaml", &text).unwrap();
    let files =
        evdoc::import::files(&imported.catalog, "asyncapi.yaml", &imported.dropped).unwrap();
    let out = tempfile::tempdir().unwrap();
    evdoc::init::write(out.path(), &files, false).unwrap();
    let back = catalog::load(out.path())
        .unwrap_or_else(|e| {
            panic!(
                "the imported catalog of {} does not load:\n{e}",
                dir.display()
            )
        })
        .catalog;
    let dropped = imported.dropped.iter().map(ToString::to_string).collect();
    (original, back, dropped)
}

#[test]
fn export_then_import_gives_back_an_equivalent_catalog() {
    for dir in catalogs() {
        let (original, back, dropped) = round_trip(&dir);
        assert!(
            dropped.is_empty(),
            "{}: dropped on the round trip: {dropped:#?}",
            dir.display()
        );
        let (a, b) = (normal(&original), normal(&back));
        if a != b {
            let a = serde_json::to_string_pretty(&a).unwrap();
            let b = serde_json::to_string_pretty(&b).unwrap();
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{}: not equivalent after export → import; first difference at line {first}:\n  before: {}\n  after:  {}",
                dir.display(),
                a.lines().nth(first).unwrap_or(""),
                b.lines().nth(first).unwrap_or("")
            );
        }
    }
}

#[test]
fn json_export_imports_like_yaml() {
    let original = catalog::load(&root().join("catalog")).unwrap().catalog;
    let doc = export(&original);
    let json = evdoc::export::to_text(&doc, evdoc::export::Format::Json).unwrap();
    let yaml = evdoc::export::to_text(&doc, evdoc::export::Format::Yaml).unwrap();
    let a = import("a.json", &json).unwrap().catalog;
    let b = import("a.yaml", &yaml).unwrap().catalog;
    assert_eq!(normal(&a), normal(&b));
}

#[test]
fn reference_catalog_export_snapshot() {
    let original = catalog::load(&root().join("catalog")).unwrap().catalog;
    let text = evdoc::export::to_text(&export(&original), evdoc::export::Format::Yaml).unwrap();
    insta::assert_snapshot!("asyncapi_reference", text);
}

#[test]
fn binary_values_export_as_format_binary_with_their_media_type() {
    let mut c = Catalog::default();
    let e: catalog::Event = serde_json::from_value(json!({
        "direction": "c2s",
        "payload": {"type": "object", "properties": {
            "avatar": {"format": "binary", "contentMediaType": "image/png", "maxBytes": 65536}
        }},
        "args": null
    }))
    .unwrap();
    c.events.insert("avatar:upload".into(), e);
    let doc = export(&c);
    let schema = &doc["components"]["schemas"]["avatar.upload.payload"]["properties"]["avatar"];
    assert_eq!(
        schema,
        &json!({"type": "string", "format": "binary", "contentMediaType": "image/png", "maxBytes": 65536})
    );
}

/// The written files and the report of an import, as one text.
fn import_snapshot(file: &str) -> String {
    let path = root().join("tests/fixtures/asyncapi").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let imported = import(file, &text).unwrap();
    let files = evdoc::import::files(&imported.catalog, file, &imported.dropped).unwrap();
    let out = tempfile::tempdir().unwrap();
    evdoc::init::write(out.path(), &files, false).unwrap();
    catalog::load(out.path())
        .unwrap_or_else(|e| panic!("the catalog imported from {file} does not load:\n{e}"));
    let mut s = String::new();
    for (p, t) in &files {
        s.push_str(&format!("==> {} <==\n{t}\n", p.display()));
    }
    s
}

#[test]
fn imports_a_hand_written_asyncapi_2_6_document() {
    insta::assert_snapshot!("import_chat_2_6", import_snapshot("chat-2.6.yaml"));
}

#[test]
fn imports_a_hand_written_asyncapi_3_0_document() {
    insta::assert_snapshot!("import_trading_3_0", import_snapshot("trading-3.0.yaml"));
}

#[test]
fn bad_input_is_a_located_error_never_a_panic() {
    let cases = [
        ("bad.yaml", "asyncapi: 3.0.0\ninfo: [unclosed\n", "bad.yaml:"),
        ("list.yaml", "- a\n- b\n", "not an AsyncAPI document"),
        ("openapi.yaml", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n", "not an AsyncAPI document"),
        ("v1.yaml", "asyncapi: 1.2.0\ninfo: {title: x, version: '1'}\n", "AsyncAPI 1.2.0 is not supported"),
        (
            "ref.yaml",
            "asyncapi: 3.0.0\ninfo: {title: x, version: '1'}\nchannels:\n  c:\n    address: /\n    messages:\n      m: {$ref: '#/components/messages/nope'}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/c'}\n    messages: [{$ref: '#/channels/c/messages/m'}]\n",
            "ref.yaml:7:",
        ),
        (
            "ext.yaml",
            "asyncapi: 2.6.0\ninfo: {title: x, version: '1'}\nchannels:\n  /:\n    subscribe:\n      message: {$ref: 'other.yaml#/m'}\n",
            "points outside the document",
        ),
    ];
    for (file, text, expected) in cases {
        let err = import(file, text).expect_err(file).to_string();
        assert!(
            err.contains(expected),
            "{file}: `{err}` does not contain `{expected}`"
        );
    }
}

#[test]
fn import_refuses_to_overwrite_without_force() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("evdoc.yaml"), "evdoc: 1\n").unwrap();
    let file = root().join("tests/fixtures/asyncapi/trading-3.0.yaml");
    let run = |force: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("evdoc").unwrap();
        cmd.args(["import", "asyncapi"])
            .arg(&file)
            .arg("--out")
            .arg(out.path());
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let refused = run(false);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let forced = run(true);
    assert_eq!(
        forced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert!(String::from_utf8_lossy(&forced.stderr)
        .contains("warning: dropped /operations/placeOrder/bindings"));
}

#[test]
fn help_texts_have_examples() {
    for args in [
        &["export", "asyncapi", "--help"][..],
        &["import", "asyncapi", "--help"][..],
    ] {
        let out = assert_cmd::Command::cargo_bin("evdoc")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Examples:"),
            "`evdoc {}` shows examples",
            args.join(" ")
        );
        insta::assert_snapshot!(format!("help_{}", args[..2].join("_")), text);
    }
}

#[test]
fn export_cli_writes_stdout_or_a_file_in_either_format() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("evdoc")
            .unwrap()
            .current_dir(root())
            .args(["export", "asyncapi", "--catalog", "catalog"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let yaml = run(&[]);
    assert!(yaml.starts_with("asyncapi: \"3.0.0\"\n"), "{}", &yaml[..40]);
    let json: Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    assert_eq!(json["asyncapi"], "3.0.0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("asyncapi.yaml");
    assert_eq!(run(&["-o", file.to_str().unwrap()]), "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), yaml);
}

/// Export → import → export writes the same document (compared as values: the imported
/// catalog's files are per domain, so its events load in another order, and JSON object
/// equality ignores order while arrays keep theirs).
#[test]
fn export_of_the_imported_catalog_is_the_same_document() {
    for dir in catalogs() {
        let original = catalog::load(&dir).unwrap().catalog;
        let first = export(&original);
        let text = evdoc::export::to_text(&first, evdoc::export::Format::Yaml).unwrap();
        let imported = import("asyncapi.yaml", &text).unwrap();
        let files = evdoc::import::files(&imported.catalog, "asyncapi.yaml", &[]).unwrap();
        let out = tempfile::tempdir().unwrap();
        evdoc::init::write(out.path(), &files, false).unwrap();
        let back = catalog::load(out.path()).unwrap().catalog;
        let second = export(&back);
        assert!(
            first == second,
            "{}: the second export differs",
            dir.display()
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any text, and any prefix or byte-mangled copy of a real document, is imported or
    /// refused with an error: never a panic.
    #[test]
    fn import_never_panics(cut in 0usize..4000, flip in 0usize..4000, byte in 0u8..128, junk in ".{0,200}") {
        for file in ["chat-2.6.yaml", "trading-3.0.yaml"] {
            let text = std::fs::read_to_string(root().join("tests/fixtures/asyncapi").join(file)).unwrap();
            let mut bytes = text.into_bytes();
            if flip < bytes.len() {
                bytes[flip] = byte;
            }
            bytes.truncate(cut.min(bytes.len()));
            let mangled = String::from_utf8_lossy(&bytes).into_owned();
            let _ = import(file, &mangled);
        }
        let _ = import("junk.yaml", &junk);
    }
}

#[test]
fn what_the_catalog_cannot_name_once_is_reported_not_overwritten() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: x, version: '1'}
channels:
  a:
    address: /a
    messages:
      ping: {name: ping, payload: {type: object}}
      avro:
        name: "reading:new"
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        payload: {type: record, name: Reading, fields: [{name: v, type: int}]}
  b:
    address: /b
    messages:
      ping: {name: ping, payload: {type: string}}
operations:
  pingA: {action: send, channel: {$ref: '#/channels/a'}, messages: [{$ref: '#/channels/a/messages/ping'}]}
  pingB: {action: send, channel: {$ref: '#/channels/b'}, messages: [{$ref: '#/channels/b/messages/ping'}]}
  reading: {action: send, channel: {$ref: '#/channels/a'}, messages: [{$ref: '#/channels/a/messages/avro'}]}
"#;
    let imported = import("x.yaml", doc).unwrap();
    let dropped: Vec<String> = imported.dropped.iter().map(ToString::to_string).collect();
    assert_eq!(imported.catalog.events["ping"].namespace(), "/a");
    assert!(imported.catalog.events["reading:new"].payload.is_none());
    assert!(
        dropped.iter().any(|d| d.starts_with(
            "/operations/pingB/messages/0: event `ping` is already read in namespace `/a`"
        )),
        "{dropped:#?}"
    );
    assert!(
        dropped
            .iter()
            .any(|d| d.contains("/channels/a/messages/avro/schemaFormat")
                && d.contains("payload is left out")),
        "{dropped:#?}"
    );
}

#[test]
fn export_refuses_a_catalog_whose_schemas_are_not_json_schemas() {
    let out = assert_cmd::Command::cargo_bin("evdoc")
        .unwrap()
        .current_dir(root())
        .args([
            "export",
            "asyncapi",
            "--catalog",
            "tests/fixtures/catalogs/invalid-schema",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("event `trade:update` (s2c) payload:") && err.contains("evdoc lint"),
        "{err}"
    );
}
