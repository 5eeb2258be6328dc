//! The JavaScript/TypeScript extractor: Socket.IO sites from `.js/.ts/.jsx/.tsx/.mjs/.cjs/.mts/.cts`
//! files and from the `<script>` blocks of `.vue/.svelte/.html` files.
//!
//! Two passes over one oxc AST per file: [`collect`] gathers file-wide facts (imports, what each
//! binding holds, constants, classes), then [`sites`] walks the program with scoped bindings and
//! reports every emit and listen whose receiver the evidence shows to be a Socket.IO object.
//! Evidence is ranked: imports and constructors first, then TypeScript types and callback
//! positions (`io.on('connection', socket => …)`), and receiver names (`socket`, `io`) last, only
//! when the file shows nothing contrary. A file the parser cannot read goes to the lexical
//! [`crate::scan::fallback`].

mod aliases;
mod chain;
mod collect;
pub(crate) mod flow;
pub(crate) mod lines;
mod link;
mod model;
pub(crate) mod names;
mod resolve;
mod shape;
mod sites;
mod stores;
mod summary;

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

use crate::scan::wrappers::Table;
use crate::scan::{embedded, fallback, Extraction, Side};

use collect::Facts;
pub use flow::{FileFlow, Project};
use lines::LineIndex;
use link::Linker;
pub use link::{Loader, Module, ModuleCache, Sources};

/// Extensions of plain script files.
const SCRIPT_EXTS: &[&str] = &["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"];
/// Extensions of markup files whose `<script>` blocks are read: components, pages, and the
/// server-side templates (Handlebars, EJS, Nunjucks) that serve them.
const MARKUP_EXTS: &[&str] = &[
    "vue",
    "svelte",
    "html",
    "htm",
    "hbs",
    "handlebars",
    "ejs",
    "njk",
];

/// True for paths this extractor reads: .js .jsx .mjs .cjs .ts .tsx .mts .cts, and the `<script>`
/// blocks of .vue .svelte .html .htm .hbs .handlebars .ejs .njk
pub fn handles(path: &str) -> bool {
    let ext = extension(path);
    SCRIPT_EXTS.contains(&ext.as_str()) || MARKUP_EXTS.contains(&ext.as_str())
}

/// Extract sites from one file. `rel` is the /-separated path relative to the scan root (used for
/// Site.file and to pick the source type), `source` the file text.
pub fn extract(rel: &str, source: &str) -> Extraction {
    extract_with(rel, source, None)
}

/// Like [`extract`], and resolves event-name constants imported from other project files
/// (`import { EVENTS } from '../shared/events'`) by reading them through `load`, which maps a
/// `/`-separated path relative to the scan root to the file's text (`None` when absent).
pub fn extract_with(rel: &str, source: &str, load: Option<Loader<'_>>) -> Extraction {
    extract_using(rel, source, load, &Table::default())
}

/// Like [`extract_with`], and also reports the call sites of `wrappers` (declared in the
/// catalog, or inferred in other files of the project) with `via` set.
pub fn extract_using(
    rel: &str,
    source: &str,
    load: Option<Loader<'_>>,
    wrappers: &Table,
) -> Extraction {
    extract_in_project(rel, source, load, wrappers, &Project::default())
}

/// Like [`extract_using`], knowing what the other files of the project export and pass
/// (crate::scan::js::flow): the scan's later rounds.
pub fn extract_in_project(
    rel: &str,
    source: &str,
    load: Option<Loader<'_>>,
    wrappers: &Table,
    project: &Project,
) -> Extraction {
    let ctx = Ctx {
        load,
        wrappers,
        project,
    };
    // oxc's parser and visitor recurse once per nesting level: generated or pathological code
    // would overflow a normal thread stack, which aborts the process instead of panicking. So
    // the work runs on a thread with a large (lazily committed) stack, and absurd nesting goes
    // straight to the lexical fallback.
    // Nesting cannot exceed the length: small files skip the count.
    if source.len() > MAX_NESTING && crate::scan::nesting::depth(source) > MAX_NESTING {
        return Extraction {
            sites: fallback::sites(rel, source),
            side: fallback::side(source),
            parse_error: Some(format!(
                "nesting deeper than {MAX_NESTING} levels: not parsed"
            )),
            ..Extraction::default()
        };
    }
    let recovered = |_| Extraction {
        sites: fallback::sites(rel, source),
        side: fallback::side(source),
        parse_error: Some("internal error while parsing: lexical fallback used".to_string()),
        ..Extraction::default()
    };
    if crate::scan::run::on_big_stack() {
        // The scan's workers already have a large stack: a thread per file would cost more
        // than parsing the file.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            extract_here(rel, source, ctx)
        }))
        .unwrap_or_else(recovered);
    }
    let worker = std::thread::Builder::new().stack_size(WORKER_STACK);
    std::thread::scope(|scope| {
        match worker.spawn_scoped(scope, || extract_here(rel, source, ctx)) {
            Ok(handle) => handle.join().unwrap_or_else(recovered),
            Err(_) => extract_here(rel, source, ctx),
        }
    })
}

/// What an extraction reads besides the file: other project files, the wrappers and the
/// project's socket values known so far.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    load: Option<Loader<'a>>,
    wrappers: &'a Table,
    project: &'a Project,
}

/// Stack of the extraction thread: enough for ~200k nesting levels; only touched pages are
/// committed.
pub(crate) const WORKER_STACK: usize = 256 << 20;
/// Walks of one file at most: wrappers of wrappers of wrappers are found, and sockets handed
/// down three of the file's own functions; deeper chains wait for a project round.
const MAX_WRAPPER_ROUNDS: usize = 4;
/// Bracket nesting beyond which a file is not parsed.
const MAX_NESTING: usize = 20_000;

fn extract_here(rel: &str, source: &str, ctx: Ctx<'_>) -> Extraction {
    let ext = extension(rel);
    if MARKUP_EXTS.contains(&ext.as_str()) {
        let scripts = embedded::scripts(source);
        if scripts.blocks == 0 {
            return Extraction {
                side: scripts.loads_socket_io_client.then_some(Side::Client),
                ..Extraction::default()
            };
        }
        let source_type = SourceType::mjs()
            .with_typescript(scripts.typescript)
            .with_jsx(scripts.jsx || !matches!(ext.as_str(), "vue" | "svelte"));
        let templated = matches!(ext.as_str(), "vue" | "svelte")
            .then(|| embedded::with_templates(source, &scripts.text, ext == "svelte"))
            .flatten();
        // The template's handlers too (`on:click={() => $socket.emit('x')}`), unless they do
        // not parse with the script: then the script alone, as before.
        let mut extraction = templated
            .map(|t| extract_text(rel, &t, source_type, source_type.is_typescript(), ctx))
            .filter(|e| e.parse_error.is_none())
            .unwrap_or_else(|| {
                extract_text(
                    rel,
                    &scripts.text,
                    source_type,
                    source_type.is_typescript(),
                    ctx,
                )
            });
        if scripts.loads_socket_io_client && extraction.side.is_none() {
            extraction.side = Some(Side::Client);
        }
        return extraction;
    }
    let source_type = match ext.as_str() {
        "js" | "mjs" | "cjs" | "jsx" => SourceType::from_path(rel)
            .unwrap_or_default()
            .with_jsx(true),
        "ts" | "mts" | "cts" | "tsx" => {
            SourceType::from_path(rel).unwrap_or_else(|_| SourceType::ts())
        }
        _ => SourceType::mjs().with_jsx(true),
    };
    extract_text(rel, source, source_type, source_type.is_typescript(), ctx)
}

fn extension(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Parses `text` and extracts; on failure retries as TypeScript (Flow-annotated `.js`), then as a
/// script, and finally falls back to the lexical scan.
fn extract_text(
    rel: &str,
    text: &str,
    source_type: SourceType,
    is_ts: bool,
    ctx: Ctx<'_>,
) -> Extraction {
    let lines = LineIndex::new(text);
    let mut attempts = vec![source_type];
    if !is_ts {
        attempts.push(SourceType::tsx());
    }
    attempts.push(source_type.with_script(true));
    let mut first_error = None;
    for st in attempts {
        match parse_and_find(rel, text, st, &lines, ctx) {
            Ok(extraction) => return extraction,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let message = first_error.unwrap_or_else(|| "could not parse".to_string());
    let mut sites = fallback::sites(rel, text);
    sites.sort_by_key(|s| (s.line, s.column));
    Extraction {
        sites,
        side: fallback::side(text),
        parse_error: Some(message),
        ..Extraction::default()
    }
}

fn parse_and_find(
    rel: &str,
    text: &str,
    source_type: SourceType,
    lines: &LineIndex<'_>,
    ctx: Ctx<'_>,
) -> Result<Extraction, String> {
    // One arena per worker thread, reset between files: allocating a fresh arena per file
    // costs page faults that show in a profile of a big scan.
    thread_local! {
        static ARENA: std::cell::RefCell<Allocator> = std::cell::RefCell::new(Allocator::default());
    }
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            let out = parse_and_find_in(&arena, rel, text, source_type, lines, ctx);
            arena.reset();
            out
        }
        Err(_) => parse_and_find_in(&Allocator::default(), rel, text, source_type, lines, ctx),
    })
}

fn parse_and_find_in(
    allocator: &Allocator,
    rel: &str,
    text: &str,
    source_type: SourceType,
    lines: &LineIndex<'_>,
    ctx: Ctx<'_>,
) -> Result<Extraction, String> {
    let ret = Parser::new(allocator, text, source_type).parse();
    if ret.panicked || !ret.diagnostics.is_empty() {
        let first = ret.diagnostics.first();
        let message = first.map_or_else(|| "syntax error".to_string(), |d| d.message.to_string());
        let line = first
            .and_then(|d| d.labels.first())
            .map(|l| lines.position(l.offset() as usize).0);
        return Err(match line {
            Some(l) => format!("line {l}: {message}"),
            None => message,
        });
    }
    let facts = Facts::collect(&ret.program);
    // Wrappers defined below their first call, and wrappers of wrappers, need another walk;
    // files without any (nearly all) are walked once.
    let Ctx {
        load,
        wrappers,
        project,
    } = ctx;
    let mut known = wrappers.clone();
    // Sockets this file passes to its own functions, read by the next walk.
    let mut own = Project::default();
    let mut found;
    let mut rounds = 0;
    loop {
        found = sites::find(
            &ret.program,
            &facts,
            Linker::new(rel, load),
            text,
            lines,
            rel,
            sites::Known {
                wrappers: &known,
                project,
                own: &own,
            },
        );
        rounds += 1;
        let mut grew = false;
        for w in &found.wrappers {
            grew |= known.add(w.wrapper.clone());
        }
        grew |= own.learn_own(rel, &found.flow);
        if !grew || rounds >= MAX_WRAPPER_ROUNDS {
            found.flow.own_seeds_read = !grew;
            break;
        }
    }
    let inferred = std::mem::take(&mut found.wrappers);
    crate::scan::wrappers::drop_inner(&mut found.sites, inferred.iter().map(|w| (rel, w)));
    let ev = &facts.evidence;
    let side = match (ev.server_import, ev.client_import) {
        (true, false) => Some(Side::Server),
        (false, true) => Some(Side::Client),
        _ => match (found.server_api > 0, found.client_api > 0) {
            (true, false) => Some(Side::Server),
            (false, true) => Some(Side::Client),
            _ => None,
        },
    };
    // A file that only imports the app's own socket module (`import { socket } from
    // './socket.client'`) runs on that module's side.
    let side = side.or_else(|| {
        if found.sites.is_empty() && inferred.is_empty() {
            return None;
        }
        let mut linker = Linker::new(rel, load);
        let mut sides = facts
            .imports
            .values()
            .filter(|i| i.module.starts_with('.') || i.module.starts_with("@/"))
            .filter(|i| names::local_module_is_socket(&i.module))
            .filter_map(|i| linker.side(&i.module));
        let first = sides.next()?;
        sides.all(|s| s == first).then_some(first)
    });
    Ok(Extraction {
        sites: found.sites,
        side,
        parse_error: None,
        wrappers: inferred,
        flow: std::mem::take(&mut found.flow),
    })
}
