//! The scan never dies on bad input: binary, non-UTF-8, minified, unparsable files are skipped or
//! read by the fallback and reported; loops, empty trees and missing paths get clear answers.

use evdoc::scan::{scan, ScanError, ScanOptions, ScanResult};
use std::fs;
use std::path::Path;

fn run(root: &Path) -> ScanResult {
    scan(root, &ScanOptions::default(), None).expect("scan runs")
}

fn events(r: &ScanResult) -> Vec<String> {
    // Lifecycle listeners (`connection`) are sites too; these tests count app events.
    r.sites
        .iter()
        .filter(|s| !s.event.as_deref().is_some_and(evdoc::vocab::is_reserved))
        .map(|s| {
            format!(
                "{}:{} {}",
                s.file,
                s.line,
                s.event.as_deref().unwrap_or("?")
            )
        })
        .collect()
}

const SERVER: &str = "const { Server } = require('socket.io');\nconst io = new Server(3000);\nio.on('connection', (socket) => {\n  socket.on('chat:message', (m) => io.emit('chat:message', m));\n});\n";

#[test]
fn binary_and_non_utf8_files_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("server.js"), SERVER).unwrap();
    let mut bin = SERVER.as_bytes().to_vec();
    bin.extend_from_slice(b"\0\0\x01\x02");
    fs::write(dir.path().join("blob.js"), bin).unwrap();
    let mut latin1 = SERVER.as_bytes().to_vec();
    latin1.extend_from_slice(b"// caf\xe9\n");
    fs::write(dir.path().join("latin1.js"), latin1).unwrap();
    let r = run(dir.path());
    let skipped: Vec<(String, String)> = r
        .skipped
        .iter()
        .map(|s| (s.file.clone(), s.reason.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("blob.js".into(), "binary".into()),
            ("latin1.js".into(), "not UTF-8".into())
        ]
    );
    assert_eq!(r.files_scanned, 3);
    assert!(
        events(&r).iter().all(|e| e.starts_with("server.js")),
        "{:?}",
        events(&r)
    );
    assert_eq!(events(&r).len(), 2, "{:?}", events(&r));
}

#[test]
fn a_50_mb_minified_bundle_is_skipped_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let chunk = "var s=io();s.emit('x:y',{a:1});s.on('y:z',function(d){console.log(d)});";
    let bundle = chunk.repeat(50 * 1024 * 1024 / chunk.len());
    fs::create_dir(dir.path().join("public")).unwrap();
    fs::write(dir.path().join("public/app.bundle.js"), &bundle).unwrap();
    // A small minified file too (under the size limit).
    fs::write(dir.path().join("public/small.min.js"), &bundle[..200_000]).unwrap();
    let r = run(dir.path());
    assert!(r.sites.is_empty(), "{:?}", events(&r));
    let reasons: Vec<&str> = r.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons, ["minified", "minified"]);
}

#[test]
fn a_file_with_a_syntax_error_is_read_by_the_fallback_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "import { io } from 'socket.io-client';\nconst socket = io();\nsocket.emit('room:join', { id: 1 });\nsocket.on('room:joined', (r) => {\n  render(r\n";
    fs::write(dir.path().join("broken.js"), broken).unwrap();
    let r = run(dir.path());
    assert_eq!(r.parse_errors.len(), 1, "{:?}", r.parse_errors);
    assert_eq!(r.parse_errors[0].file, "broken.js");
    assert_eq!(
        events(&r),
        ["broken.js:3 room:join", "broken.js:4 room:joined"]
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_trap_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/b")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/b/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("self"), dir.path().join("self")).unwrap();
    fs::write(dir.path().join("a/b/server.js"), SERVER).unwrap();
    let r = run(dir.path());
    assert_eq!(events(&r).len(), 2, "{:?}", events(&r));
}

#[test]
fn empty_tree_and_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path());
    assert_eq!((r.files_scanned, r.sites.len(), r.skipped.len()), (0, 0, 0));
    let err = scan(&dir.path().join("nope"), &ScanOptions::default(), None).unwrap_err();
    assert!(matches!(err, ScanError::Root { .. }));
    assert!(err.to_string().starts_with("cannot scan"), "{err}");
}

#[test]
fn dependency_folders_and_gitignored_files_are_not_read_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["node_modules/socket.io/lib", "generated", "src"] {
        fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    fs::write(
        dir.path().join("node_modules/socket.io/lib/index.js"),
        SERVER,
    )
    .unwrap();
    fs::write(dir.path().join("generated/server.js"), SERVER).unwrap();
    fs::write(dir.path().join("src/server.js"), SERVER).unwrap();
    fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    let r = run(dir.path());
    assert!(
        events(&r).iter().all(|e| e.starts_with("src/")),
        "{:?}",
        events(&r)
    );
    let all = scan(
        dir.path(),
        &ScanOptions {
            no_ignore: true,
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let files: std::collections::BTreeSet<&str> =
        all.sites.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "generated/server.js",
            "node_modules/socket.io/lib/index.js",
            "src/server.js"
        ]
    );
}

#[test]
fn side_globs_override_evidence_and_set_directions() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("web")).unwrap();
    // No import: evidence is weak, the glob decides.
    fs::write(
        dir.path().join("web/chat.js"),
        "export function send(socket, m) {\n  socket.emit('chat:message', m);\n}\n",
    )
    .unwrap();
    let opts = ScanOptions {
        client: vec!["web/**".into()],
        ..Default::default()
    };
    let r = scan(dir.path(), &opts, None).unwrap();
    assert_eq!(r.sites.len(), 1);
    assert_eq!(r.sites[0].side, Some(evdoc::scan::Side::Client));
    assert_eq!(r.sites[0].direction, Some(evdoc::scan::Direction::C2s));
}

#[test]
fn a_single_file_can_be_scanned() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("server.js"), SERVER).unwrap();
    let r = run(&dir.path().join("server.js"));
    assert_eq!(
        events(&r),
        ["server.js:4 chat:message", "server.js:4 chat:message"]
    );
}

#[test]
fn deeply_nested_generated_code_is_scanned_on_the_workers_big_stack() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 5_000;
    let nested = format!(
        "import {{ io }} from 'socket.io-client';\nconst socket = io();\nsocket.emit('deep:thing', {}1{});\nsocket{}.emit('chain:end');\nsocket.emit('a:b' {});\n",
        // One bracket a line, so that the file does not look minified.
        "[\n".repeat(depth),
        "]\n".repeat(depth),
        "\n.to(r)".repeat(depth),
        "\n+ 'c'".repeat(depth)
    );
    fs::write(dir.path().join("gen.js"), nested).unwrap();
    let r = run(dir.path());
    assert!(
        r.skipped.is_empty() && r.parse_errors.is_empty(),
        "{:?}",
        r.parse_errors
    );
    let found = events(&r);
    assert!(
        found.contains(&"gen.js:3 deep:thing".to_owned()),
        "{found:?}"
    );
}

#[test]
fn event_names_imported_from_another_file_of_the_project_resolve() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("shared")).unwrap();
    fs::write(
        dir.path().join("shared/events.ts"),
        "export const Events = { TRADE_UPDATE: 'trade:update' } as const;\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("server.ts"),
        "import { Server } from 'socket.io';\nimport { Events } from './shared/events';\nconst io = new Server();\nio.to('x').emit(Events.TRADE_UPDATE, {});\n",
    )
    .unwrap();
    let r = run(dir.path());
    assert_eq!(events(&r), ["server.ts:4 trade:update"]);
}
