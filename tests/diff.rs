//! `evdoc diff`: one case per rule in both directions (tables below), the four formats on a
//! realistic change of the reference catalog (insta), `git:REV:path` on a throw-away
//! repository, bad input, and diff(A, A) = nothing for every catalog we ship (proptest).

use evdoc::catalog::{load, load_memory, LoadedCatalog, MemoryFiles};
use evdoc::diff::report::{self, Format, Meta};
use evdoc::diff::{diff, schema, ChangeRule, Level};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A catalog from YAML text, loaded the way `git:REV:` sources are.
fn cat(yaml: &str) -> LoadedCatalog {
    let mem = MemoryFiles {
        prefix: String::new(),
        files: [(PathBuf::from("evdoc.yaml"), yaml.as_bytes().to_vec())].into(),
    };
    load_memory(&mem, Path::new("evdoc.yaml")).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

/// The sorted rule ids `diff(old, new)` reports.
fn ids(old: &str, new: &str) -> Vec<&'static str> {
    let mut v: Vec<_> = diff(&cat(old), &cat(new))
        .iter()
        .map(|c| c.rule.id())
        .collect();
    v.sort_unstable();
    v
}

/// One event `e:x` with `direction` and the YAML lines in `body` (indented by 4).
fn event(direction: &str, body: &str) -> String {
    format!("events:\n  e:x:\n    direction: {direction}\n{body}")
}

/// Schema cases: old schema, new schema, rules when the client sends the payload, rules when it
/// receives it (D021, the in-place flag, is left to its own cases).
/// name, old schema, new schema, rules when sent, rules when received.
type SchemaCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const SCHEMAS: &[SchemaCase] = &[
    (
        "became required",
        r#"{type: object, properties: {a: {type: string}}}"#,
        r#"{type: object, properties: {a: {type: string}}, required: [a]}"#,
        &["D035"],
        &["D036"],
    ),
    (
        "new required property",
        r#"{type: object}"#,
        r#"{type: object, properties: {a: {type: string}}, required: [a]}"#,
        &["D035"],
        &["D036"],
    ),
    (
        "became optional",
        r#"{type: object, properties: {a: {type: string}}, required: [a]}"#,
        r#"{type: object, properties: {a: {type: string}}}"#,
        &["D037"],
        &["D038"],
    ),
    (
        "property added",
        r#"{type: object}"#,
        r#"{type: object, properties: {a: {type: string}}}"#,
        &["D039"],
        &["D040"],
    ),
    (
        "property removed",
        r#"{type: object, properties: {a: {type: string}}}"#,
        r#"{type: object}"#,
        &["D041"],
        &["D043"],
    ),
    (
        "property removed, closed",
        r#"{type: object, properties: {a: {type: string}, b: {}}, additionalProperties: false}"#,
        r#"{type: object, properties: {b: {}}, additionalProperties: false}"#,
        &["D042"],
        &["D043"],
    ),
    (
        "enum value added",
        r#"{type: string, enum: [a]}"#,
        r#"{type: string, enum: [a, b]}"#,
        &["D044"],
        &["D045"],
    ),
    (
        "enum value removed",
        r#"{type: string, enum: [a, b]}"#,
        r#"{type: string, enum: [a]}"#,
        &["D046"],
        &["D047"],
    ),
    (
        "type narrowed",
        r#"{type: [string, "null"]}"#,
        r#"{type: string}"#,
        &["D048"],
        &["D049"],
    ),
    (
        "number to integer",
        r#"{type: number}"#,
        r#"{type: integer}"#,
        &["D048"],
        &["D049"],
    ),
    (
        "type widened",
        r#"{type: integer}"#,
        r#"{type: [number, "null"]}"#,
        &["D050"],
        &["D051"],
    ),
    (
        "type changed",
        r#"{type: string}"#,
        r#"{type: integer}"#,
        &["D052"],
        &["D053"],
    ),
    (
        "binary to string",
        r#"{type: string, format: binary}"#,
        r#"{type: string}"#,
        &["D052"],
        &["D053"],
    ),
    (
        "object to binary",
        r#"{type: object}"#,
        r#"{format: binary, maxBytes: 10}"#,
        &["D052"],
        &["D053"],
    ),
    (
        "maxBytes down",
        r#"{format: binary, maxBytes: 100}"#,
        r#"{format: binary, maxBytes: 10}"#,
        &["D054"],
        &["D055"],
    ),
    (
        "maxLength down",
        r#"{type: string, maxLength: 10}"#,
        r#"{type: string, maxLength: 5}"#,
        &["D054"],
        &["D055"],
    ),
    (
        "minimum up",
        r#"{type: number, minimum: 0}"#,
        r#"{type: number, minimum: 1}"#,
        &["D054"],
        &["D055"],
    ),
    (
        "pattern added",
        r#"{type: string}"#,
        r#"{type: string, pattern: "^a"}"#,
        &["D054"],
        &["D055"],
    ),
    (
        "maxLength up",
        r#"{type: string, maxLength: 5}"#,
        r#"{type: string, maxLength: 10}"#,
        &["D056"],
        &["D057"],
    ),
    (
        "format removed",
        r#"{type: string, format: date-time}"#,
        r#"{type: string}"#,
        &["D056"],
        &["D057"],
    ),
    (
        "closed",
        r#"{type: object}"#,
        r#"{type: object, additionalProperties: false}"#,
        &["D058"],
        &["D059"],
    ),
    (
        "opened",
        r#"{type: object, additionalProperties: false}"#,
        r#"{type: object}"#,
        &["D060"],
        &["D061"],
    ),
    (
        "pattern changed",
        r#"{type: string, pattern: "^a"}"#,
        r#"{type: string, pattern: "^b"}"#,
        &["D062"],
        &["D063"],
    ),
    (
        "oneOf changed",
        r#"{oneOf: [{type: string}]}"#,
        r#"{oneOf: [{type: string}, {type: integer}]}"#,
        &["D062"],
        &["D063"],
    ),
    (
        "description only",
        r#"{type: string, description: a}"#,
        r#"{type: string, description: b}"#,
        &[],
        &[],
    ),
];

/// Event cases: old catalog, new catalog, expected rules (D021 included).
fn event_cases() -> Vec<(String, String, String, Vec<&'static str>)> {
    let mut cases = Vec::new();
    let mut case = |name: String, old: String, new: String, want: &[&'static str]| {
        cases.push((name, old, new, want.to_vec()));
    };
    let two = |d: &str, second: &str| {
        format!("events:\n  e:x:\n    direction: {d}\n    payload: {{type: string}}\n{second}")
    };
    for d in ["c2s", "s2c"] {
        let plain = event(d, "    payload: {type: string}\n");
        let other =
            |name: &str| format!("  {name}:\n    direction: {d}\n    payload: {{type: integer}}\n");
        case(
            format!("removed {d}"),
            two(d, &other("e:y")),
            plain.clone(),
            &["D001", "D021"],
        );
        case(
            format!("renamed {d}"),
            event(d, "    payload: {type: integer}\n"),
            format!("events:\n{}", other("e:renamed")),
            &["D002", "D021"],
        );
        case(
            format!("added {d}"),
            plain.clone(),
            two(d, &other("e:y")),
            &["D003"],
        );
        case(
            format!("deprecated {d}"),
            plain.clone(),
            event(
                d,
                "    payload: {type: string}\n    deprecated: {reason: old}\n",
            ),
            &["D004"],
        );
        case(
            format!("removed after deprecation {d}"),
            two(
                d,
                &format!(
                    "{}    deprecated: {{use: e:y:v2}}\n  e:y:v2:\n    direction: {d}\n",
                    other("e:y")
                ),
            ),
            two(d, &format!("  e:y:v2:\n    direction: {d}\n")),
            &["D001"],
        );
        case(
            format!("both to {d}"),
            event("both", ""),
            event(d, ""),
            &["D005", "D021"],
        );
        case(
            format!("{d} to both"),
            event(d, ""),
            event("both", ""),
            &["D007"],
        );
        let rev = if d == "c2s" { "s2c" } else { "c2s" };
        case(
            format!("{d} to {rev}"),
            event(d, ""),
            event(rev, ""),
            &["D006", "D021"],
        );
        case(
            format!("namespace {d}"),
            event(d, ""),
            event(d, "    namespace: /admin\n"),
            &["D008", "D021"],
        );
        case(
            format!("auth tightened {d}"),
            event(d, "    auth: none\n"),
            event(d, "    auth: required\n"),
            &["D015", "D021"],
        );
        case(
            format!("auth loosened {d}"),
            event(d, "    auth: \"role:admin\"\n"),
            event(d, "    auth: required\n"),
            &["D016"],
        );
        case(
            format!("ack removed {d}"),
            event(d, "    ack: {type: string}\n"),
            event(d, ""),
            &["D017", "D021"],
        );
        case(
            format!("ack added {d}"),
            event(d, ""),
            event(d, "    ack: {type: string}\n"),
            &["D018"],
        );
        case(
            format!("error added {d}"),
            event(d, ""),
            event(d, "    errors: [E]\n"),
            &["D019"],
        );
        case(
            format!("error removed {d}"),
            event(d, "    errors: [E]\n"),
            event(d, ""),
            &["D020"],
        );
        case(format!("breaking but deprecated with use {d}"),
            two(d, &format!("  e:x:v2:\n    direction: {d}\n")),
            format!("events:\n  e:x:\n    direction: {d}\n    payload: {{type: integer}}\n    deprecated: {{use: e:x:v2}}\n  e:x:v2:\n    direction: {d}\n"),
            if d == "c2s" { &["D004", "D052"] } else { &["D004", "D053"] });
        let args = |n: &str| event(d, &format!("    args: [{n}]\n"));
        let (added, removed): (&[&str], &[&str]) = if d == "c2s" {
            (&["D021", "D031"], &["D033"])
        } else {
            (&["D032"], &["D021", "D034"])
        };
        case(
            format!("argument added {d}"),
            args("{type: string}"),
            args("{type: string}, {type: integer}"),
            added,
        );
        case(
            format!("argument removed {d}"),
            args("{type: string}, {type: integer}"),
            args("{type: string}"),
            removed,
        );
    }
    let s2c = |body: &str| event("s2c", body);
    case(
        "room changed".into(),
        s2c("    room: \"a:{id}\"\n"),
        s2c("    room: \"b:{id}\"\n"),
        &["D009", "D021"],
    );
    case(
        "room added".into(),
        s2c(""),
        s2c("    room: a\n"),
        &["D009", "D021"],
    );
    case(
        "room placeholder renamed".into(),
        s2c("    room: \"a:{id}\"\n"),
        s2c("    room: \"a:{userId}\"\n"),
        &[],
    );
    case(
        "room removed".into(),
        s2c("    room: a\n"),
        s2c(""),
        &["D010"],
    );
    case(
        "room of a c2s event".into(),
        event("c2s", "    room: a\n"),
        event("c2s", "    room: b\n"),
        &[],
    );
    let c2s = |body: &str| event("c2s", body);
    case(
        "joins changed".into(),
        c2s("    joins: a\n"),
        c2s("    joins: b\n"),
        &["D011", "D021"],
    );
    case(
        "joins removed".into(),
        c2s("    joins: a\n"),
        c2s(""),
        &["D011", "D021"],
    );
    case(
        "joins added".into(),
        c2s(""),
        c2s("    joins: a\n"),
        &["D012"],
    );
    case(
        "leaves changed".into(),
        c2s("    leaves: a\n"),
        c2s("    leaves: b\n"),
        &["D013", "D021"],
    );
    case(
        "leaves added".into(),
        c2s(""),
        c2s("    leaves: a\n"),
        &["D014"],
    );
    case(
        "versioned event breaks in place".into(),
        "events:\n  e:x:v2:\n    direction: c2s\n".into(),
        "events:\n  e:x:v2:\n    direction: s2c\n".into(),
        &["D006", "D021"],
    );
    cases
}

/// Connection cases: old, new, expected rules.
const CONNECTION: &[(&str, &str, &str, &[&str])] = &[
    (
        "path",
        "connection: {path: /socket.io}",
        "connection: {path: /ws}",
        &["D022"],
    ),
    (
        "transport removed",
        "connection: {transports: [websocket, polling]}",
        "connection: {transports: [websocket]}",
        &["D023"],
    ),
    (
        "transport added",
        "connection: {transports: [websocket]}",
        "connection: {transports: [websocket, polling]}",
        &["D024"],
    ),
    (
        "max payload down",
        "connection: {max_payload_bytes: 1000}",
        "connection: {max_payload_bytes: 100}",
        &["D025"],
    ),
    (
        "max payload up",
        "connection: {max_payload_bytes: 100}",
        "connection: {max_payload_bytes: 1000}",
        &["D026"],
    ),
    (
        "cors origin removed",
        "connection: {cors: {origins: [\"https://a\", \"https://b\"]}}",
        "connection: {cors: {origins: [\"https://a\"]}}",
        &["D027"],
    ),
    (
        "cors origin removed behind *",
        "connection: {cors: {origins: [\"https://a\"]}}",
        "connection: {cors: {origins: [\"*\"]}}",
        &["D028"],
    ),
    (
        "cors origin added",
        "connection: {cors: {origins: [\"https://a\"]}}",
        "connection: {cors: {origins: [\"https://a\", \"https://b\"]}}",
        &["D028"],
    ),
    (
        "auth scheme",
        "auth: {scheme: none}",
        "auth: {scheme: token}",
        &["D029"],
    ),
    (
        "auth scheme back",
        "auth: {scheme: session}",
        "auth: {scheme: none}",
        &["D029"],
    ),
    (
        "handshake field",
        "auth: {scheme: token}",
        "auth: {scheme: token, token: {handshake_field: jwt}}",
        &["D030"],
    ),
    (
        "session cookie",
        "auth: {scheme: session}",
        "auth: {scheme: session, session: {cookie: sid}}",
        &["D030"],
    ),
    (
        "namespace auth tightened",
        "namespaces: {/admin: {auth: required}}",
        "namespaces: {/admin: {auth: \"role:admin\"}}",
        &["D015"],
    ),
    (
        "namespace auth loosened",
        "namespaces: {/admin: {auth: required}}",
        "namespaces: {/admin: {auth: none}}",
        &["D016"],
    ),
];

#[test]
fn every_rule_has_a_case_in_both_directions() {
    let mut fired: BTreeSet<&str> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut check = |name: &str, old: &str, new: &str, want: &[&str]| {
        let got = ids(old, new);
        fired.extend(got.iter().copied());
        let mut want = want.to_vec();
        want.sort_unstable();
        if got != want {
            failures.push(format!(
                "{name}: got {got:?}, want {want:?}\n--- old\n{old}\n--- new\n{new}"
            ));
        }
    };
    // Each schema change in the four places a payload can be: c2s and s2c arguments (sent,
    // received), the ack of a c2s event (received) and of an s2c event (sent).
    for (name, old, new, sent, received) in SCHEMAS {
        for (place, flow) in [
            ("c2s payload", sent),
            ("s2c payload", received),
            ("c2s ack", received),
            ("s2c ack", sent),
        ] {
            let (d, key) = place.split_once(' ').unwrap();
            let body = |s: &str| event(d, &format!("    {key}: {s}\n"));
            let mut want: Vec<&str> = flow.to_vec();
            if want.iter().any(|id| level(id) == Level::Breaking) {
                want.push("D021");
            }
            check(&format!("{name} ({place})"), &body(old), &body(new), &want);
        }
    }
    for (name, old, new, want) in event_cases() {
        check(&name, &old, &new, &want);
    }
    for (name, old, new, want) in CONNECTION {
        check(name, old, new, want);
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    let missing: Vec<_> = ChangeRule::ALL
        .iter()
        .filter(|r| !fired.contains(r.id()))
        .collect();
    assert!(missing.is_empty(), "rules without a case: {missing:?}");
}

fn level(id: &str) -> Level {
    ChangeRule::ALL
        .iter()
        .find(|r| r.id() == id)
        .unwrap()
        .level()
}

#[test]
fn nested_changes_name_their_json_path_and_the_new_catalog_line() {
    let old = event("s2c", "    payload:\n      type: object\n      properties:\n        items:\n          type: array\n          items:\n            type: object\n            properties:\n              price: {type: number}\n");
    let new = old.replace("price: {type: number}", "price: {type: [number, string]}");
    let changes = diff(&cat(&old), &cat(&new));
    assert_eq!(changes.len(), 2, "{changes:#?}");
    let c = &changes[0];
    assert_eq!(c.rule, ChangeRule::ReceivedTypeWidened);
    assert_eq!(c.part.as_deref(), Some("payload"));
    assert_eq!(c.path, "/items/*/price");
    assert_eq!(c.location.as_ref().unwrap().to_string(), "evdoc.yaml:12:15");
    assert_eq!(changes[1].rule, ChangeRule::UnversionedBreakingChange);
    assert!(
        changes[1].message.contains("ship it as `e:x:v2`"),
        "{}",
        changes[1].message
    );
}

/// The reference catalog's files, as `(path, text)`.
fn reference_files() -> Vec<(PathBuf, String)> {
    let dir = root().join("catalog");
    let mut out = Vec::new();
    for sub in ["", "events", "schemas"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let rel = Path::new("catalog").join(p.strip_prefix(&dir).unwrap());
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

fn memory(prefix: &str, files: &[(PathBuf, String)]) -> LoadedCatalog {
    let mem = MemoryFiles {
        prefix: prefix.into(),
        files: files
            .iter()
            .map(|(p, t)| (p.clone(), t.as_bytes().to_vec()))
            .collect(),
    };
    load_memory(&mem, Path::new("catalog")).unwrap()
}

/// A realistic pull request on the reference catalog: a new trade status (received enum value,
/// breaking for dashboards switching on it), a tighter c2s field, an ack field made optional
/// (an ack of a c2s event is read by the client: breaking), a smaller payload limit, a new
/// event, and a deprecation that takes `trade:executed` out of the in-place flag.
fn realistic() -> (LoadedCatalog, LoadedCatalog) {
    let old = reference_files();
    let edit = |files: &mut Vec<(PathBuf, String)>, file: &str, from: &str, to: &str| {
        let (_, text) = files.iter_mut().find(|(p, _)| p.ends_with(file)).unwrap();
        assert!(text.contains(from), "{file} lacks {from}");
        *text = text.replacen(from, to, 1);
    };
    let mut new = old.clone();
    edit(
        &mut new,
        "schemas/trade.json",
        r#""failed", "canceled"]"#,
        r#""failed", "canceled", "partially_filled"]"#,
    );
    edit(
        &mut new,
        "events/trades.yaml",
        "          minLength: 1\n",
        "          minLength: 1\n          maxLength: 64\n",
    );
    edit(
        &mut new,
        "events/notifications.yaml",
        "required: [message, code]",
        "required: [message]",
    );
    edit(
        &mut new,
        "evdoc.yaml",
        "max_payload_bytes: 1000000",
        "max_payload_bytes: 500000",
    );
    edit(&mut new, "events/trades.yaml", "  \"trade:executed\":\n", "  \"trade:cancel\":\n    direction: c2s\n    summary: Cancel a pending trade\n    payload: {type: object, required: [tradeId], properties: {tradeId: {type: string}}}\n\n  \"trade:executed\":\n    deprecated: {use: \"trade:update\", reason: trade:update carries every status}\n");
    (memory("git:main:", &old), memory("", &new))
}

fn render(format: Format) -> String {
    let (old, new) = realistic();
    let changes = diff(&old, &new);
    let meta = Meta {
        old: "git:main:catalog",
        new: "catalog",
        color: false,
    };
    let mut out = Vec::new();
    report::write(format, &changes, &meta, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn snapshot_text() {
    insta::assert_snapshot!(render(Format::Text));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(render(Format::Json));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(render(Format::Markdown));
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!(render(Format::Github));
}

/// Every catalog we ship that loads: the reference one and the fixtures.
fn shipped() -> Vec<PathBuf> {
    let mut out = vec![root().join("catalog")];
    for e in std::fs::read_dir(root().join("tests/fixtures/catalogs")).unwrap() {
        let p = e.unwrap().path();
        if load(&p).is_ok() {
            out.push(p);
        }
    }
    assert!(out.len() >= 4, "{out:?}");
    out
}

#[test]
fn every_shipped_catalog_against_itself_is_no_change_from_disk_and_from_memory() {
    for p in shipped() {
        let a = load(&p).unwrap();
        assert_eq!(diff(&a, &a), vec![], "{}", p.display());
        let b = load(&p).unwrap();
        assert_eq!(diff(&a, &b), vec![], "{}", p.display());
    }
    let mem = memory("git:HEAD:", &reference_files());
    assert_eq!(diff(&load(&root().join("catalog")).unwrap(), &mem), vec![]);
}

/// Arbitrary JSON Schemas built from the keywords the comparison reads.
fn schemas() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(json!({})),
        Just(json!(true)),
        prop::sample::select(vec!["string", "number", "integer", "boolean", "null"])
            .prop_map(|t| json!({"type": t})),
        (0u32..50, 0u32..50)
            .prop_map(|(a, b)| json!({"type": "string", "minLength": a, "maxLength": b})),
        prop::collection::vec("[a-c]", 1..4).prop_map(|v| json!({"enum": v})),
        (0u64..1000).prop_map(|n| json!({"format": "binary", "maxBytes": n})),
        "[a-z^$]{0,4}".prop_map(|p| json!({"type": "string", "pattern": p})),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (
                prop::collection::btree_map("[a-d]", inner.clone(), 0..4),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(props, closed, req)| {
                    let required: Vec<Value> = if req {
                        props.keys().take(2).map(|k| json!(k)).collect()
                    } else {
                        vec![]
                    };
                    let mut s =
                        json!({"type": "object", "properties": props, "required": required});
                    if closed {
                        s["additionalProperties"] = json!(false);
                    }
                    s
                }),
            inner
                .clone()
                .prop_map(|i| json!({"type": "array", "items": i})),
            prop::collection::vec(inner, 1..3).prop_map(|v| json!({"oneOf": v})),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A schema compared with itself has no change, and in any catalog position, diff(A, A) is
    /// empty; comparing two arbitrary schemas never panics and names only known paths.
    #[test]
    fn a_catalog_against_itself_is_no_change(a in schemas(), b in schemas()) {
        prop_assert!(schema::compare(&a, &a).is_empty());
        for f in schema::compare(&a, &b) {
            prop_assert!(f.path.is_empty() || f.path.starts_with('/'));
        }
        let yaml = format!(
            "events:\n  e:x:\n    direction: both\n    payload: {a}\n    ack: {b}\n  e:y:\n    direction: s2c\n    args: [{b}, {a}]\n"
        );
        let c = cat(&yaml);
        prop_assert_eq!(diff(&c, &c), vec![]);
        prop_assert_eq!(diff(&c, &cat(&yaml)), vec![]);
    }
}

fn evdoc(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("evdoc").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR");
    c
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

const V1: &str = "events:\n  trade:update:\n    direction: s2c\n    payload: {type: object, required: [price], properties: {price: {type: number}}}\n";

/// A repository with two commits of `api/catalog/` (the second makes `price` optional, which
/// breaks readers) and a schema file reached through `$ref`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(p.join("api/catalog/schemas")).unwrap();
    std::fs::write(p.join("api/catalog/evdoc.yaml"), V1).unwrap();
    std::fs::write(
        p.join("api/catalog/schemas/ack.json"),
        r#"{"type": "string"}"#,
    )
    .unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "v1"]);
    let v2 = V1.replace("required: [price], ", "") + "    ack: {$ref: schemas/ack.json}\n";
    std::fs::write(p.join("api/catalog/evdoc.yaml"), v2).unwrap();
    git(p, &["commit", "-qam", "v2"]);
    // The working tree moves on: git sources must not read it.
    std::fs::write(p.join("api/catalog/evdoc.yaml"), "garbage: [").unwrap();
    dir
}

#[test]
fn git_revisions_are_read_without_a_checkout_and_located_at_rev_path_line() {
    let dir = repo();
    let out = evdoc(dir.path())
        .args(["diff", "git:HEAD~1:api/catalog", "git:main:api/catalog"])
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("git:main:api/catalog/evdoc.yaml:4:") && text.contains("D038"),
        "{text}"
    );
    assert!(text.contains("D018 [non-breaking]"), "{text}");
    // From a subfolder the path is still from the repository's root; --allow-breaking exits 0.
    evdoc(&dir.path().join("api"))
        .args([
            "diff",
            "git:HEAD~1:api/catalog",
            "git:HEAD:api/catalog/evdoc.yaml",
        ])
        .args(["--allow-breaking", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\"breaking\": 2"));
    // The same revision twice: nothing, exit 0.
    evdoc(dir.path())
        .args(["diff", "git:HEAD:api/catalog", "git:HEAD:api/catalog"])
        .assert()
        .code(0)
        .stdout("No changes.\n");
}

#[test]
fn bad_revisions_paths_and_catalogs_exit_2_with_a_clear_message() {
    let dir = repo();
    let p = dir.path();
    let fails = |args: &[&str], says: &str| {
        let out = evdoc(p).arg("diff").args(args).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(says), "{args:?}: {err}");
    };
    fails(
        &["git:nope:api/catalog", "git:HEAD:api/catalog"],
        "unknown revision `nope`",
    );
    fails(
        &["git:HEAD:missing", "git:HEAD:api/catalog"],
        "no file `missing` at revision `HEAD`",
    );
    fails(
        &["git:HEAD:api/catalog", "api/catalog"],
        "api/catalog/evdoc.yaml:1:",
    );
    fails(
        &["git:HEAD:api/catalog", "does-not-exist"],
        "cannot read catalog `does-not-exist`",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = evdoc(elsewhere.path())
        .args(["diff", "git:HEAD:catalog", "git:HEAD:catalog"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("is not in a git repository"), "{err}");
    evdoc(p).args(["diff"]).assert().code(2);
    evdoc(p)
        .args(["diff", "a", "b", "--format", "yaml"])
        .assert()
        .code(2);
}

#[test]
fn help_shows_examples() {
    let out = evdoc(&root()).args(["diff", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("evdoc diff git:main:catalog catalog/"),
        "{text}"
    );
    insta::assert_snapshot!("help_diff", text);
}

#[test]
fn docs_compatibility_lists_every_rule() {
    let doc = std::fs::read_to_string(root().join("docs/compatibility.md")).unwrap();
    for r in ChangeRule::ALL {
        assert!(
            doc.contains(r.id()) && doc.contains(r.name()),
            "docs/compatibility.md lacks {} {}",
            r.id(),
            r.name()
        );
    }
}
