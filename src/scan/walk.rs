//! Finding the files to scan, and deciding which of them cannot hold sites.
//!
//! The walk is gitignore-aware and parallel (`ignore`), never follows symlinks (so loops cannot
//! trap it), and leaves dependency and build folders alone unless `--no-ignore` asks for them.
//! Each file is then classified: binary, not UTF-8, minified or too large files are *skipped* and
//! listed; files with none of the tokens a site needs are *scanned* at the cost of one byte search.

use globset::{Glob, GlobSet, GlobSetBuilder};
use memchr::memmem::Finder;
use std::path::Path;
use std::sync::LazyLock;

/// Folders that hold dependencies or build output: never app code. (`dist` is decided by its
/// contents: see [`looks_built`].)
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    ".git",
    ".hg",
    ".svn",
    "coverage",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".cache",
];

/// Files larger than this are skipped as generated.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Contains NUL bytes.
    Binary,
    /// Not valid UTF-8.
    NotUtf8,
    /// Long lines typical of minified bundles.
    Minified,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// Could not be read (permissions, vanished).
    Unreadable,
}

impl SkipReason {
    /// The reason as it appears in the scan JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::NotUtf8 => "not UTF-8",
            SkipReason::Minified => "minified",
            SkipReason::TooLarge => "too large",
            SkipReason::Unreadable => "unreadable",
        }
    }
}

/// True when `dir` (a folder name) is a dependency/build folder, or a Cargo `target` folder.
pub fn is_excluded_dir(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if DEFAULT_EXCLUDED_DIRS.contains(&name) {
        return true;
    }
    if name == "dist" {
        return looks_built(path);
    }
    name == "target" && path.join("CACHEDIR.TAG").exists()
}

/// Whether a `dist` folder holds a bundler's output rather than files someone wrote and
/// committed (an old jQuery app serving `dist/app.js` as written): source maps, content-hashed
/// names (`index-4f3a9b1c.js`, `main.3f9a1c2b.js`) or a build manifest. A gitignored `dist` is
/// skipped by the walk's ignore rules before this is asked; minified files are skipped one by
/// one.
pub fn looks_built(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().take(500).any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.ends_with(".map")
            || matches!(
                name.as_ref(),
                "manifest.json" | "asset-manifest.json" | ".vite" | "assets" | "_app"
            )
            || content_hashed(&name)
    })
}

/// `index-4f3a9b1c.js`, `main.3f9a1c2b.css`: the last part of the stem is a hash (eight or more
/// letters and digits, with a digit).
fn content_hashed(name: &str) -> bool {
    let Some(stem) = [".js", ".mjs", ".cjs", ".css"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
    else {
        return false;
    };
    let Some((_, last)) = stem.rsplit_once(['.', '-']) else {
        return false;
    };
    last.len() >= 8
        && last.chars().all(|c| c.is_ascii_alphanumeric())
        && last.chars().any(|c| c.is_ascii_digit())
}

/// Build a glob set; invalid globs are reported with the glob text.
pub fn globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?;
        b.add(glob);
        // `server/**` should also match `server` itself and a bare `dir` should mean its contents.
        if !g.contains('*') && !g.contains('?') && !g.contains('[') {
            let inner = format!("{}/**", g.trim_end_matches('/'));
            b.add(Glob::new(&inner).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
        }
    }
    b.build().map_err(|e| e.to_string())
}

/// Classify the bytes of a file: `Err` when it must be skipped.
pub fn classify(bytes: &[u8]) -> Result<&str, SkipReason> {
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Err(SkipReason::Binary);
    }
    if looks_minified(bytes) {
        return Err(SkipReason::Minified);
    }
    std::str::from_utf8(bytes).map_err(|_| SkipReason::NotUtf8)
}

/// Minified bundles are a few enormous lines; app code rarely has a line over a few hundred
/// characters. Only larger files are judged so that a one-line module is still read.
fn looks_minified(bytes: &[u8]) -> bool {
    const MIN_LEN: usize = 16 * 1024;
    if bytes.len() < MIN_LEN {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    bytes.len() / lines > 500
}

/// Tokens of a call that can be a site (`.emit(`, `.on(`, `@SubscribeMessage`…).
static JS_CALLS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
    finders(&[
        "emit",
        ".on(",
        ".once(",
        "SubscribeMessage",
        ".send(",
        ".subscribe(",
        "sockets",
    ])
});

/// Evidence that a file talks Socket.IO at all: the word socket in any case (`socket.io`,
/// `Socket`, `this.$socket`, `@nestjs/websockets`), an `io` binding, or a namespace. A file
/// without any of them has no receiver the extractor would accept, so it is not parsed.
static JS_EVIDENCE: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| finders(&["SubscribeMessage", "Gateway"]));

/// The word socket in any case, except inside the browser's `WebSocket` (DOM typings, the `ws`
/// library): those files talk WebSocket, not Socket.IO, and parsing them is most of what a
/// tree without Socket.IO would cost. Nor in a comment: a vendored test library saying
/// `// socket or file` once was most of the scan of a real app. (A file that gets a socket
/// from elsewhere under another name is read anyway: the project's flow forces it.)
static SOCKET: LazyLock<[Finder<'static>; 2]> =
    LazyLock::new(|| [b"ocket".as_slice(), b"OCKET"].map(|w| Finder::new(w).into_owned()));

fn says_socket(text: &[u8]) -> bool {
    SOCKET.iter().any(|f| {
        f.find_iter(text).any(|at| {
            let web = at >= 4 && text[at - 4..at - 1].eq_ignore_ascii_case(b"web");
            !web && !in_comment(text, at)
        })
    })
}

/// Whether `at` is in a comment: after `//` on its line, after a `/*` its line does not close
/// before it, or on a line of a block comment (` * `). Only a hint, for the gate: `//` inside a
/// string counts as a comment too.
fn in_comment(text: &[u8], at: usize) -> bool {
    let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let line = &text[start..at];
    let open_block = memchr::memmem::rfind(line, b"/*")
        .is_some_and(|i| memchr::memmem::find(&line[i..], b"*/").is_none());
    memchr::memmem::find(line, b"//").is_some()
        || open_block
        || line.trim_ascii_start().starts_with(b"*")
}

/// Short names that are evidence only as whole words: `io(`, `io.`, `nsp` (not the end of
/// `ratio.` or the middle of `transpile`), and only in code (not `// in Node.js, io.js`).
static WORDS: LazyLock<[Finder<'static>; 3]> =
    LazyLock::new(|| [b"io(".as_slice(), b"io.", b"nsp"].map(|w| Finder::new(w).into_owned()));

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn uses_short_names(text: &[u8]) -> bool {
    WORDS.iter().any(|f| {
        let n = f.needle().len();
        f.find_iter(text).any(|at| {
            let before = at == 0 || !is_ident(text[at - 1]);
            let last = f.needle()[n - 1];
            let after = !is_ident(last) || text.get(at + n).is_none_or(|&b| !is_ident(b));
            before && after && !in_comment(text, at)
        })
    })
}

/// Tokens without which a Rust file cannot hold a site.
static RUST_CALLS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| finders(&["emit", ".on(", ".on_disconnect", ".ns("]));

/// Socket.IO evidence in Rust: the crates (`socketioxide`, `rust_socketio`) and their types.
static RUST_EVIDENCE: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| finders(&["ocket"]));

fn finders(tokens: &[&str]) -> Vec<Finder<'static>> {
    tokens
        .iter()
        .map(|t| Finder::new(t.as_bytes()).into_owned())
        .collect()
}

/// The language family of a file, by extension; `None` for files evdoc does not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// JS, TS and files with embedded `<script>`.
    Js,
    /// Rust.
    Rust,
}

/// Which extractor reads `rel`, if any.
pub fn family(rel: &str) -> Option<Family> {
    if super::js::handles(rel) {
        Some(Family::Js)
    } else if super::rust::handles(rel) {
        Some(Family::Rust)
    } else {
        None
    }
}

/// True when the text contains both a call token some site needs and Socket.IO evidence.
///
/// This is the cheap gate of the scan: most files of a big tree end here, at the cost of a
/// byte search, about what `rg` pays for them.
pub fn may_hold_sites(family: Family, text: &[u8]) -> bool {
    let (calls, evidence) = match family {
        Family::Js => (&*JS_CALLS, &*JS_EVIDENCE),
        Family::Rust => (&*RUST_CALLS, &*RUST_EVIDENCE),
    };
    let any = |fs: &[Finder]| fs.iter().any(|f| f.find(text).is_some());
    let socket = match family {
        Family::Js => says_socket(text),
        Family::Rust => false,
    };
    any(calls) && (socket || any(evidence) || uses_short_names(text))
        // A module that imports Socket.IO may create the socket other files use
        // (`export const socket = io()`), even with no call of its own.
        || family == Family::Js && imports_socket_io(text)
}

/// An import or require of `socket.io` / `socket.io-client` (the word alone, in a comment or a
/// URL, is not enough): such a module may create the socket other files use.
fn imports_socket_io(text: &[u8]) -> bool {
    static WORD: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b"socket.io").into_owned());
    static IMPORT: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            r#"(?:from|require\(|import\(|import)\s*['"]socket\.io(?:-client)?['"/]"#,
        )
        .expect("valid regex")
    });
    WORD.find(text).is_some() && IMPORT.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_is_read_only_when_written_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(dist.join("app.js"), "socket.on('a', f);\n").unwrap();
        std::fs::write(dist.join("socket-handlers.js"), "").unwrap();
        assert!(!is_excluded_dir(&dist), "hand-written files");
        for built in ["index-4f3a9b1c.js", "main.3f9a1c2b.css", "app.js.map"] {
            std::fs::write(dist.join(built), "").unwrap();
            assert!(is_excluded_dir(&dist), "{built}");
            std::fs::remove_file(dist.join(built)).unwrap();
        }
        assert!(!content_hashed("chunk-vendors.js"));
        assert!(content_hashed("index-BqZ1x2Yw.js"));
    }

    #[test]
    fn the_word_socket_in_a_comment_is_no_evidence() {
        let gate = |t: &str| may_hold_sites(Family::Js, t.as_bytes());
        assert!(!gate("// write to a socket or file\nrunner.emit('end');"));
        assert!(!gate("/**\n * the socket closed\n */\nrunner.emit('end');"));
        assert!(!gate("x(); /* socket */ runner.emit('end');"));
        assert!(!gate(
            "// in Node.js, io.js or a browser\nrunner.emit('end');"
        ));
        assert!(gate("const s = io('/chat');\ns.emit('end');"));
        assert!(gate("const socket = conn; socket.emit('end');"));
        assert!(gate("// a comment\nthis.socket.emit('end');"));
        // Any code occurrence is enough, before or after commented ones.
        assert!(gate("// socket\nconst s = this.socket; s.emit('end');"));
    }

    #[test]
    fn classifies() {
        assert_eq!(classify(b"a\0b"), Err(SkipReason::Binary));
        assert_eq!(classify(&[0x66, 0xff, 0x66]), Err(SkipReason::NotUtf8));
        let minified = "var a=1;".repeat(4000);
        assert_eq!(classify(minified.as_bytes()), Err(SkipReason::Minified));
        let normal = "socket.emit('a:b', {x: 1});\n".repeat(4000);
        assert!(classify(normal.as_bytes()).is_ok());
    }

    #[test]
    fn gate_needs_a_call_and_socket_evidence() {
        let js = |t: &[u8]| may_hold_sites(Family::Js, t);
        assert!(js(b"import { io } from 'socket.io-client'; s.emit('a')"));
        assert!(js(b"export default (io) => io.on('connection', f)"));
        assert!(js(b"function f(nsp) { nsp.emit('a') }"));
        assert!(!js(b"function emitFiles() { emitter.emit('x') }"));
        // A module importing Socket.IO is read even without a call: it may create the socket
        // other files use (`export const socket = io()`).
        assert!(js(b"import io from 'socket.io'; const x = 1;"));
        assert!(!js(b"import io from 'ioredis'; const x = 1;"));
        assert!(!js(
            b"namespace ts { emit(ratio.x, portfolio(1), transpile) }"
        ));
        assert!(!js(
            b"const ws = new WebSocket(url); ws.on('message', f); ws.send(x)"
        ));
        assert!(js(
            b"const ws = new WebSocket(url); const socket = makeSocket(); socket.emit('a')"
        ));
        assert!(js(
            b"@WebSocketGateway() class G { @SubscribeMessage('a') h() {} }"
        ));
        assert!(js(b"import { Socket } from 'socket.io'; client.emit('a')"));
        let rs = |t: &[u8]| may_hold_sites(Family::Rust, t);
        assert!(rs(b"use socketioxide::SocketIo; s.emit(\"a\", &1)"));
        assert!(!rs(b"tx.send(1); bus.emit(x)"));
    }

    #[test]
    fn globs_match_folders() {
        let g = globset(&["server".into(), "dashboard/**".into()]).unwrap();
        assert!(g.is_match("server/index.js"));
        assert!(g.is_match("dashboard/app.js"));
        assert!(!g.is_match("lib/x.js"));
    }
}
