//! The official `@asyncapi/parser` (npm, pinned in tests/contract/package.json + lockfile)
//! validates `evdoc export asyncapi` of the reference catalog and of every fixture catalog that
//! loads: zero errors, zero warnings, and no info or hint but the one AsyncAPI 3.0.0 cannot
//! avoid (`asyncapi-latest-version`: 3.1.0 exists; evdoc writes 3.0.0, which the issue asks
//! for and more tools read). Every diagnostic is printed on failure.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reference catalog and every fixture that loads, but `invalid-schema` (a deliberately
/// invalid JSON Schema that `evdoc lint` rejects and `evdoc export asyncapi` refuses; no
/// AsyncAPI document can hold it).
fn catalogs() -> Vec<PathBuf> {
    let mut out = vec![root().join("catalog")];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/catalogs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("invalid-schema"))
        .filter(|p| evdoc::catalog::load(p).is_ok())
        .collect();
    fixtures.sort();
    out.extend(fixtures);
    out
}

fn validate(files: &[PathBuf]) -> String {
    let dir = root().join("tests/contract");
    assert!(
        dir.join("node_modules/@asyncapi/parser").exists(),
        "tests/contract/node_modules is missing: run `(cd tests/contract && npm ci --no-audit --no-fund)`"
    );
    let out = Command::new("node")
        .arg("asyncapi-validate.mjs")
        .args(files)
        .current_dir(&dir)
        .output()
        .expect("node is needed for the contract tests");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| !(l.contains(": ok (") && l.ends_with(')')))
        .filter(|l| !l.contains(" info asyncapi-latest-version "))
        .collect();
    assert!(
        bad.is_empty() && out.status.success(),
        "the official AsyncAPI parser reports:\n{text}"
    );
    text
}

#[test]
fn exported_asyncapi_passes_the_official_parser_without_a_diagnostic() {
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, dir) in catalogs().iter().enumerate() {
        let cat = evdoc::catalog::load(dir).unwrap().catalog;
        let doc = evdoc::export::asyncapi::export(&cat);
        for (ext, format) in [
            ("yaml", evdoc::export::Format::Yaml),
            ("json", evdoc::export::Format::Json),
        ] {
            let name = format!("{i}-{}.{ext}", dir.file_name().unwrap().to_string_lossy());
            let path = out.path().join(name);
            std::fs::write(&path, evdoc::export::to_text(&doc, format).unwrap()).unwrap();
            files.push(path);
        }
    }
    let text = validate(&files);
    assert_eq!(text.matches(": ok (").count(), files.len(), "{text}");
}

#[test]
fn a_binary_payload_exports_to_a_valid_document() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "evdoc: 1\ninfo: {title: Files, version: '1'}\nevents:\n  file:upload:\n    direction: c2s\n    args:\n      - {type: string}\n      - {format: binary, maxBytes: 1048576, contentMediaType: image/png}\n    ack: {type: object, properties: {ok: {type: boolean}}}\n";
    std::fs::write(dir.path().join("evdoc.yaml"), yaml).unwrap();
    let cat = evdoc::catalog::load(dir.path()).unwrap().catalog;
    let text = evdoc::export::to_text(
        &evdoc::export::asyncapi::export(&cat),
        evdoc::export::Format::Yaml,
    )
    .unwrap();
    let file = dir.path().join("binary.yaml");
    std::fs::write(&file, &text).unwrap();
    assert!(text.contains("format: binary"), "{text}");
    validate(&[file]);
}

/// A catalog imported from a hand-written AsyncAPI 2.6 or 3.0 document exports to a valid
/// 3.0.0 document (another team's names, a binary field, rooms read from parameters).
#[test]
fn catalogs_imported_from_asyncapi_export_to_valid_documents() {
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for file in ["chat-2.6.yaml", "trading-3.0.yaml"] {
        let text =
            std::fs::read_to_string(root().join("tests/fixtures/asyncapi").join(file)).unwrap();
        let imported = evdoc::import::asyncapi::import(file, &text).unwrap();
        let dir = out.path().join(file.trim_end_matches(".yaml"));
        let written = evdoc::import::files(&imported.catalog, file, &imported.dropped).unwrap();
        evdoc::init::write(&dir, &written, false).unwrap();
        let cat = evdoc::catalog::load(&dir).unwrap().catalog;
        let doc = evdoc::export::asyncapi::export(&cat);
        let path = out.path().join(format!("re-{file}"));
        std::fs::write(
            &path,
            evdoc::export::to_text(&doc, evdoc::export::Format::Yaml).unwrap(),
        )
        .unwrap();
        files.push(path);
    }
    validate(&files);
}
