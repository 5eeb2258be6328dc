//! The Rust extractor: Socket.IO sites in socketioxide servers and rust_socketio clients.
//!
//! A file is parsed with `syn`; a pre-pass (`facts`) collects what the whole file knows (its
//! side, `const` event names, enum `as_str` tables, socket-typed struct fields, serde renames),
//! then `walk` visits the code with lexical scopes to decide which receivers are sockets
//! (`chain` takes receivers apart) and records one [`Site`](crate::scan::Site) per `emit`/`on`,
//! with event names from `resolve` and payload shapes from `shape`. A file that `syn` cannot
//! read goes through `lexical` instead, and the extraction says so in `parse_error`.

mod chain;
mod facts;
// Public only for fuzz/ (fuzz_targets/scan_rust.rs), which runs the fallback on input `syn`
// accepts too; not part of the API.
#[doc(hidden)]
pub mod lexical;
mod resolve;
mod shape;
mod text;
mod walk;

use crate::scan::wrappers::Table;
use crate::scan::Extraction;

/// True for .rs files.
pub fn handles(path: &str) -> bool {
    path.ends_with(".rs")
}

/// Extract sites from one Rust file; `rel` is the /-separated path relative to the scan root.
pub fn extract(rel: &str, source: &str) -> Extraction {
    extract_using(rel, source, &Table::default())
}

/// Like [`extract`], and also reports the calls of the catalog's declared `wrappers`
/// (`emit_to_user(&io, user, "trade:update", data)`, `hub.publish("x", data)`) with `via` set.
pub fn extract_using(rel: &str, source: &str, wrappers: &Table) -> Extraction {
    // Spans of earlier files stay in a thread-local source map; drop them so a long scan does
    // not grow memory or overflow 32-bit span offsets.
    proc_macro2::extra::invalidate_current_thread_spans();
    let parsed = match crate::scan::nesting::depth(source) {
        depth if depth > MAX_NESTING => Err(format!(
            "1:1: brackets nest {depth} deep (more than {MAX_NESTING}); read without parsing"
        )),
        _ => syn::parse_file(source).map_err(|err| {
            let at = err.span().start();
            format!("{}:{}: {err}", at.line, at.column + 1)
        }),
    };
    let walked = parsed.map(|file| {
        // The walk must never take the scan down: a bug in it degrades to the lexical pass.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut facts = facts::Facts::collect(&file);
            facts.project_fields = wrappers
                .rust_fields()
                .iter()
                .map(|f| (f.name.clone(), f.handle))
                .collect();
            (walk::sites(rel, &file, &facts, wrappers), facts.file_side())
        }))
        .map_err(|_| "internal error while walking the syntax tree".to_string())
    });
    let mut extraction = match walked {
        Ok(Ok((sites, side))) => Extraction {
            sites,
            side,
            parse_error: None,
            ..Extraction::default()
        },
        Ok(Err(error)) | Err(error) => Extraction {
            sites: lexical::sites(rel, source),
            side: lexical::file_side(source),
            parse_error: Some(error),
            ..Extraction::default()
        },
    };
    extraction.sites.sort_by_key(|s| (s.line, s.column));
    proc_macro2::extra::invalidate_current_thread_spans();
    extraction
}

/// A struct field declared with a socket type somewhere in the scan (`io: SocketIo` in an
/// `AppState`), so that a file that only imports the struct (`use crate::AppState`) and reads
/// `state.io.emit(…)` knows the field is a socket.
#[derive(Clone, Debug)]
pub struct SocketField {
    name: String,
    handle: facts::HandleType,
}

/// The socket-typed struct fields `source` declares; none when it does not parse.
pub fn socket_fields(source: &str) -> Vec<SocketField> {
    if crate::scan::nesting::depth(source) > MAX_NESTING {
        return Vec::new();
    }
    let fields = match syn::parse_file(source) {
        Ok(file) => facts::Facts::collect(&file)
            .socket_fields()
            .into_iter()
            .map(|(name, handle)| SocketField { name, handle })
            .collect(),
        Err(_) => Vec::new(),
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    fields
}

/// syn parses nested expressions recursively; deeper input than this could exhaust the stack
/// of a scanning thread, which no `catch_unwind` survives.
const MAX_NESTING: usize = 128;
