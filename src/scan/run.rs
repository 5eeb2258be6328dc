//! The scan itself: walk the tree in parallel, extract sites from each file, settle sides and
//! directions, and return the stable [`ScanResult`].

use super::js::flow::Changes;
use super::js::{ModuleCache, Project, Sources};
use super::walk::{self, Family, SkipReason};
use super::wrappers::{shareable, Table, Wrapper};
use super::{Extraction, Site};
use globset::GlobSet;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

/// Version of the scan JSON contract.
pub const FORMAT_VERSION: u32 = 1;

/// How to scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Read ignored files and dependency folders too.
    pub no_ignore: bool,
    /// Globs (relative to the root) never scanned.
    pub exclude: Vec<String>,
    /// Globs of files that run on the server, overriding evidence.
    pub server: Vec<String>,
    /// Globs of files that run on the client, overriding evidence.
    pub client: Vec<String>,
    /// Worker threads; 0 picks the number of cores.
    pub threads: usize,
    /// Wrapper functions declared in the catalog's `scan.wrappers`.
    pub wrappers: Vec<Wrapper>,
}

/// A file the scan did not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Path relative to the root.
    pub file: String,
    /// Why (`binary`, `not UTF-8`, `minified`, `too large`, `unreadable`).
    pub reason: String,
}

/// A file the parser could not read, scanned by the lexical fallback instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// Path relative to the root.
    pub file: String,
    /// What the parser said.
    pub message: String,
}

/// Everything a scan found: the stable contract of `evdoc scan --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct ScanResult {
    /// Contract version.
    pub version: u32,
    /// The scanned root as given.
    pub root: String,
    /// Number of JS/TS/Rust files looked at (including skipped ones).
    pub files_scanned: usize,
    /// Files not read, and why.
    pub skipped: Vec<Skipped>,
    /// Files read by the fallback because they do not parse.
    pub parse_errors: Vec<ParseError>,
    /// Every site, ordered by file, line, column.
    pub sites: Vec<Site>,
    /// The server and client stacks the sites' manifests show (for the docs render writes).
    pub stack: crate::vocab::stack::Stack,
}

/// Why a scan could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The root does not exist or is not readable.
    #[error("cannot scan `{path}`: {source}")]
    Root {
        /// The root as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A glob in the options is invalid.
    #[error("{0}")]
    Glob(String),
}

/// Called once per file looked at, with the running count; for progress bars.
pub type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// Scan `root` (a folder or a single file).
///
/// The steps: list the files, extract each one's sites in parallel, share the wrappers files
/// infer across the project (re-reading the files that call them), follow socket values across
/// files in rounds (crate::scan::js::flow), then gather the sites, settle their sides and sort.
pub fn scan(
    root: &Path,
    opts: &ScanOptions,
    progress: Option<Progress>,
) -> Result<ScanResult, ScanError> {
    let meta = std::fs::metadata(root).map_err(|source| ScanError::Root {
        path: root.display().to_string(),
        source,
    })?;
    let exclude = walk::globset(&opts.exclude).map_err(ScanError::Glob)?;
    let server = walk::globset(&opts.server).map_err(ScanError::Glob)?;
    let client = walk::globset(&opts.client).map_err(ScanError::Glob)?;
    let (base, single) = base_of(root, meta.is_file());
    let threads = worker_count(opts.threads);
    let files = list_files(&base, single, &exclude, opts.no_ignore, threads);

    let sources = SourceCache::new(&base);
    let load: super::js::Loader = &sources;
    let threads = threads.min(files.len()).max(1);
    let mut table = Table::new(opts.wrappers.iter().cloned());
    table.set_rust_fields(rust_socket_fields(&files));
    let empty = Project::default();
    let slots = first_pass(&files, threads, load, &table, &empty, progress);
    share_wrappers(&files, threads, load, &mut table, &slots, &empty);
    let project = follow_sockets(&files, threads, load, &table, &slots);
    // Sockets found across files may reveal wrappers (a seeded parameter's emit of a
    // parameter name); their callers are searched like the first ones.
    share_wrappers(&files, threads, load, &mut table, &slots, &project);
    let hints = super::sides::Hints::new(&base, server, client);
    let mut c = gather(&files, slots.outcomes, &hints);
    // Already in order (files by path, sites by position): this only checks it.
    c.sites
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    c.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    c.parse_errors.sort_by(|a, b| a.file.cmp(&b.file));
    let files_scanned = files.len();
    let stack = super::stack::detect(&base, &c.sites);
    drop_in_background((sources, slots.kept, project, table, files));
    Ok(ScanResult {
        version: FORMAT_VERSION,
        root: root.display().to_string(),
        files_scanned,
        skipped: c.skipped,
        parse_errors: c.parse_errors,
        sites: c.sites,
        stack,
    })
}

/// The socket-typed struct fields the scan's Rust files declare, read from the files that name a
/// socketioxide handle type (a byte search first: most files do not).
fn rust_socket_fields(files: &[Listed]) -> Vec<super::rust::SocketField> {
    files
        .iter()
        .filter(|f| f.family == Family::Rust)
        .filter_map(|f| read_file(&f.path).ok())
        .filter(|b| {
            memchr::memmem::find(b, b"SocketIo").is_some()
                || memchr::memmem::find(b, b"SocketRef").is_some()
        })
        .flat_map(|b| {
            std::str::from_utf8(&b)
                .map(super::rust::socket_fields)
                .unwrap_or_default()
        })
        .collect()
}

/// One file the walk listed.
struct Listed {
    path: PathBuf,
    /// Path relative to the base, `/`-separated.
    rel: String,
    family: Family,
}

/// Per listed file, what the passes made of it.
struct Slots {
    /// The latest pass's outcome.
    outcomes: Vec<Mutex<Option<Outcome>>>,
    /// The bytes of small JS files, kept for the wrapper rounds.
    kept: Vec<Mutex<Option<Vec<u8>>>>,
}

/// The folder paths are reported relative to, and the file itself when the root is one.
fn base_of(root: &Path, is_file: bool) -> (PathBuf, Option<PathBuf>) {
    if is_file {
        let parent = root
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (parent.to_path_buf(), Some(root.to_path_buf()))
    } else {
        (root.to_path_buf(), None)
    }
}

/// Worker threads: as asked, or one per core for 0.
fn worker_count(asked: usize) -> usize {
    if asked == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        asked
    }
}

/// The JS/TS/Rust files to scan: `single`, or those under `base`, minus the excluded ones.
///
/// The walk only lists files; extraction runs on workers with a large stack, because
/// parsers recurse once per nesting level and generated code nests deep.
fn list_files(
    base: &Path,
    single: Option<PathBuf>,
    exclude: &GlobSet,
    no_ignore: bool,
    threads: usize,
) -> Vec<Listed> {
    let files: Mutex<Vec<Listed>> = Mutex::new(Vec::new());
    let consider = |path: &Path| {
        let Some(rel) = relative(base, path) else {
            return;
        };
        let Some(family) = walk::family(&rel) else {
            return;
        };
        if !exclude.is_match(&rel) {
            lock(&files).push(Listed {
                path: path.to_path_buf(),
                rel,
                family,
            });
        }
    };
    match single {
        Some(file) => consider(&file),
        None => walk_tree(base, no_ignore, threads, &consider),
    }
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    // In path order, so that the sites gathered file by file come out nearly sorted.
    files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    files
}

/// Walks the tree under `base` in parallel and hands each file to `consider`: ignore files,
/// hidden entries and dependency folders are skipped unless `no_ignore`.
fn walk_tree(base: &Path, no_ignore: bool, threads: usize, consider: &(dyn Fn(&Path) + Sync)) {
    ignore::WalkBuilder::new(base)
        .standard_filters(!no_ignore)
        .hidden(!no_ignore)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |e| {
            no_ignore
                || !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.depth() > 0
                    && walk::is_excluded_dir(e.path()))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(e) = entry {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        consider(e.path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
}

/// Reads and extracts every file once, with the wrappers known up front (the catalog's).
///
/// Two steps: every file is read and gated by a byte search, then the files that may hold
/// sites are extracted, largest first: a big file extracted last would keep one worker busy
/// while the others wait (a vendored 600 KB test library took a third of the scan of a real
/// app that way). Small JS files stay in memory for the later rounds: reading a tree twice
/// costs more than searching it twice.
fn first_pass(
    files: &[Listed],
    threads: usize,
    load: super::js::Loader,
    table: &Table,
    project: &Project,
    progress: Option<Progress>,
) -> Slots {
    let declared_gate = names_regex(table.names());
    let slots = Slots {
        outcomes: files.iter().map(|_| Mutex::new(None)).collect(),
        kept: files.iter().map(|_| Mutex::new(None)).collect(),
    };
    let done = AtomicUsize::new(0);
    let kept_bytes = AtomicUsize::new(0);
    // (size, index) of the files that passed the gate.
    let passed: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    in_parallel(files.len(), threads, &|i| {
        let file = &files[i];
        if let Some(p) = progress {
            p(done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        let outcome = READ_BUFFER.with_borrow_mut(|bytes| match read_into(&file.path, bytes) {
            Ok(()) => {
                let gated = gate(bytes, file, declared_gate.as_ref());
                let keep = file.family == Family::Js
                    && bytes.len() <= KEEP_FILE_BYTES
                    && gated.is_ok()
                    && kept_bytes.fetch_add(bytes.len(), Ordering::Relaxed) + bytes.len()
                        <= KEEP_TOTAL_BYTES;
                if keep {
                    *lock(&slots.kept[i]) = Some(bytes.clone());
                }
                match gated {
                    Ok(true) => {
                        lock(&passed).push((bytes.len(), i));
                        None
                    }
                    Ok(false) => Some(Outcome::Empty),
                    Err(reason) => Some(Outcome::Skipped(reason)),
                }
            }
            Err(reason) => Some(Outcome::Skipped(reason)),
        });
        *lock(&slots.outcomes[i]) = outcome;
    });
    let mut passed = passed.into_inner().unwrap_or_else(|e| e.into_inner());
    passed.sort_unstable_by(|a, b| b.cmp(a));
    in_parallel(passed.len(), threads, &|k| {
        let (_, i) = passed[k];
        let outcome = with_bytes(&files[i], &slots.kept[i], |bytes| {
            scan_bytes(bytes, &files[i], load, table, project, Gate::Forced)
        });
        *lock(&slots.outcomes[i]) =
            Some(outcome.unwrap_or(Outcome::Skipped(SkipReason::Unreadable)));
    });
    slots
}

/// Calls `f` with the bytes of `file`: the kept copy (put back afterwards), else read again.
fn with_bytes<T>(
    file: &Listed,
    kept: &Mutex<Option<Vec<u8>>>,
    f: impl FnOnce(&[u8]) -> T,
) -> Option<T> {
    let cached = lock(kept).take();
    match cached {
        Some(bytes) => {
            let out = f(&bytes);
            *lock(kept) = Some(bytes);
            Some(out)
        }
        None => read_file(&file.path).ok().map(|bytes| f(&bytes)),
    }
}

/// Wrappers one file infers (`export function emitToUser(id, evt, data)`) make sites of the
/// calls in other files: those files, found by a byte search for the new names, are read
/// again with the wider table. Chains of wrappers across files take a round each.
fn share_wrappers(
    files: &[Listed],
    threads: usize,
    load: super::js::Loader,
    table: &mut Table,
    slots: &Slots,
    project: &Project,
) {
    for _ in 0..MAX_PROJECT_ROUNDS {
        let Some(gate) = adopt_inferred(&slots.outcomes, table) else {
            break;
        };
        let table = &*table;
        in_parallel(files.len(), threads, &|i| {
            rescan(
                &files[i],
                &slots.outcomes[i],
                &slots.kept[i],
                load,
                table,
                project,
                &gate,
            );
        });
    }
}

/// Adds the shareable wrappers the files inferred to `table`; a byte regex of the names
/// that are new, `None` when none is.
fn adopt_inferred(
    outcomes: &[Mutex<Option<Outcome>>],
    table: &mut Table,
) -> Option<regex::bytes::Regex> {
    let mut new_names = Vec::new();
    for slot in outcomes {
        if let Some(Outcome::Read(x)) = &*lock(slot) {
            for w in &x.wrappers {
                // A wrapper whose own call does not show its side runs on its file's side.
                let mut wrapper = w.wrapper.clone();
                wrapper.side = wrapper.side.or(x.side);
                if shareable(&wrapper.function) && table.add(wrapper) {
                    new_names.push(w.wrapper.function.clone());
                }
            }
        }
    }
    names_regex(new_names.iter().map(String::as_str))
}

/// Extracts one JS file again with the wider table when it mentions a new wrapper (`gate`).
fn rescan(
    file: &Listed,
    outcome: &Mutex<Option<Outcome>>,
    kept: &Mutex<Option<Vec<u8>>>,
    load: super::js::Loader,
    table: &Table,
    project: &Project,
    gate: &regex::bytes::Regex,
) {
    if file.family != Family::Js || matches!(&*lock(outcome), Some(Outcome::Skipped(_))) {
        return;
    }
    // A large file with no Socket.IO evidence (a bundle, a vendored library: the 9 MB
    // TypeScript compiler) is not read again to look for calls of app wrappers.
    if lock(kept).is_none() && matches!(&*lock(outcome), Some(Outcome::Empty)) {
        return;
    }
    with_bytes(file, kept, |bytes| {
        if gate.is_match(bytes) {
            let rescanned = scan_bytes(bytes, file, load, table, project, Gate::Open(Some(gate)));
            *lock(outcome) = Some(rescanned);
        }
    });
}

/// The outcomes of all files, in listing order, without the sites inside inferred wrappers
/// (their callers' sites stand for them).
fn gather(
    files: &[Listed],
    outcomes: Vec<Mutex<Option<Outcome>>>,
    hints: &super::sides::Hints,
) -> Collected {
    let mut collected = Collected::default();
    // Sites are large: growing the list by doubling would copy them again and again.
    let total = outcomes.iter().map(|slot| match &*lock(slot) {
        Some(Outcome::Read(x)) => x.sites.len(),
        _ => 0,
    });
    collected.sites.reserve(total.sum());
    let mut inferred = Vec::new();
    for (file, slot) in files.iter().zip(outcomes) {
        let Some(mut outcome) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) else {
            continue;
        };
        if let Outcome::Read(x) = &mut outcome {
            for w in std::mem::take(&mut x.wrappers) {
                inferred.push((file.rel.clone(), w));
            }
        }
        collected.add(file.rel.clone(), outcome, hints);
    }
    super::wrappers::drop_inner(
        &mut collected.sites,
        inferred.iter().map(|(f, w)| (f.as_str(), w)),
    );
    collected
}

#[derive(Default)]
struct Collected {
    sites: Vec<Site>,
    skipped: Vec<Skipped>,
    parse_errors: Vec<ParseError>,
}

enum Outcome {
    Skipped(SkipReason),
    Read(Extraction),
    Empty,
}

impl Collected {
    fn add(&mut self, rel: String, outcome: Outcome, hints: &super::sides::Hints) {
        match outcome {
            Outcome::Skipped(r) => self.skipped.push(Skipped {
                file: rel,
                reason: r.as_str().into(),
            }),
            Outcome::Empty => {}
            Outcome::Read(x) => {
                if let Some(message) = x.parse_error {
                    self.parse_errors.push(ParseError { file: rel, message });
                }
                let file_side = x.side;
                let mut sites = x.sites;
                // Files come in path order: with each file's sites in position order, the
                // whole list is sorted without moving the sites again (crate::scan::run::scan).
                sites.sort_by_key(|s| (s.line, s.column));
                self.sites.extend(sites.into_iter().map(|mut s| {
                    hints.settle(&mut s, file_side);
                    s
                }));
            }
        }
    }
}

thread_local! {
    /// Each worker reads every file into the same buffer: most files are dropped after a byte
    /// search, and fresh memory for each would cost more (the kernel zeroes every new page)
    /// than reading them.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads one file, or says why it cannot be read.
fn read_file(path: &Path) -> Result<Vec<u8>, SkipReason> {
    let mut bytes = Vec::new();
    read_into(path, &mut bytes).map(|()| bytes)
}

/// Reads one file into `bytes` (cleared first), or says why it cannot be read.
fn read_into(path: &Path, bytes: &mut Vec<u8>) -> Result<(), SkipReason> {
    use std::io::Read;
    bytes.clear();
    let mut f = std::fs::File::open(path).map_err(|_| SkipReason::Unreadable)?;
    match f.metadata() {
        Ok(m) if m.len() > walk::MAX_FILE_BYTES => return Err(too_large(path)),
        Ok(m) => bytes.reserve(usize::try_from(m.len()).unwrap_or(0)),
        Err(_) => return Err(SkipReason::Unreadable),
    }
    f.read_to_end(bytes)
        .map(|_| ())
        .map_err(|_| SkipReason::Unreadable)
}

fn scan_bytes(
    bytes: &[u8],
    file: &Listed,
    load: super::js::Loader,
    wrappers: &Table,
    project: &Project,
    gate: Gate<'_>,
) -> Outcome {
    let text = match walk::classify(bytes) {
        Ok(t) => t,
        Err(r) => return Outcome::Skipped(r),
    };
    if let Gate::Open(wrapper_gate) = gate {
        if !may_hold_sites(bytes, file, wrapper_gate) {
            return Outcome::Empty;
        }
    }
    let rel = file.rel.as_str();
    let extraction = match file.family {
        Family::Js => super::js::extract_in_project(rel, text, Some(load), wrappers, project),
        Family::Rust => super::rust::extract_using(rel, text, wrappers),
    };
    Outcome::Read(extraction)
}

/// Whether a file is text that may hold sites (`Err` when it is not text at all).
fn gate(
    bytes: &[u8],
    file: &Listed,
    wrapper_gate: Option<&regex::bytes::Regex>,
) -> Result<bool, SkipReason> {
    walk::classify(bytes).map(|_| may_hold_sites(bytes, file, wrapper_gate))
}

/// The byte search for Socket.IO evidence, or for a call of a wrapper in `wrapper_gate`: most
/// files of a big tree end here, at the cost of a search.
fn may_hold_sites(bytes: &[u8], file: &Listed, wrapper_gate: Option<&regex::bytes::Regex>) -> bool {
    wrapper_gate.is_some_and(|g| g.is_match(bytes)) || walk::may_hold_sites(file.family, bytes)
}

/// Whether a file is read only when its bytes may hold sites.
#[derive(Clone, Copy)]
enum Gate<'g> {
    /// Only when the byte search finds Socket.IO evidence, or a call of a wrapper in the regex.
    Open(Option<&'g regex::bytes::Regex>),
    /// Always: the project knows a socket reaches it.
    Forced,
}

/// Socket values that cross files (crate::scan::js::flow): what each file exports and passes is
/// gathered into the project, and the files that learn something from it (importers of a file
/// whose exports grew, files whose functions receive a socket) are read again, even when their
/// text does not say "socket", until nothing changes or [`MAX_FLOW_ROUNDS`] is reached.
fn follow_sockets(
    files: &[Listed],
    threads: usize,
    load: super::js::Loader,
    table: &Table,
    slots: &Slots,
) -> Project {
    let mut project = Project::default();
    let mut changes = absorb(files, &slots.outcomes, &mut project, &|_| true);
    for _ in 0..MAX_FLOW_ROUNDS {
        if changes.is_empty() {
            break;
        }
        let stems = specifier_regex(changes.exported.iter().flat_map(|f| module_stems(f)));
        // A Vue global property (`vue.$socket`) is read as `this.$socket`.
        let globals = names_regex(
            changes
                .globals
                .iter()
                .map(|g| g.strip_prefix("vue.").unwrap_or(g)),
        );
        let again: Vec<AtomicBool> = files.iter().map(|_| AtomicBool::new(false)).collect();
        let shared = &project;
        in_parallel(files.len(), threads, &|i| {
            let file = &files[i];
            if file.family != Family::Js {
                return;
            }
            let deps_changed = match &*lock(&slots.outcomes[i]) {
                Some(Outcome::Read(x)) => x.flow.deps.iter().any(|d| changes.exported.contains(d)),
                Some(Outcome::Skipped(_)) => return,
                _ => false,
            };
            let seeded = changes.seeded.contains(&file.rel);
            // A file the first pass did not read may import a file whose exports grew: its
            // specifier names that file (`./socket`, `../services/jobs.service`). Large files
            // the first pass found nothing in (bundles, vendored libraries) are not searched.
            let may_import = match &*lock(&slots.kept[i]) {
                Some(b) => [&stems, &globals]
                    .iter()
                    .any(|g| g.as_ref().is_some_and(|g| g.is_match(b))),
                None => false,
            };
            if !(seeded || deps_changed || may_import) {
                return;
            }
            let Some(outcome) = with_bytes(file, &slots.kept[i], |bytes| {
                scan_bytes(bytes, file, load, table, shared, Gate::Forced)
            }) else {
                return;
            };
            let learnt = matches!(&outcome, Outcome::Read(x) if !x.flow.exports.is_empty()
                || !x.flow.seeds.is_empty() || !x.sites.is_empty());
            let before_read = matches!(&*lock(&slots.outcomes[i]), Some(Outcome::Read(_)));
            // Keep a forced read only when it found something, so that files reached by a
            // name search alone cost nothing in the result.
            if before_read || learnt {
                *lock(&slots.outcomes[i]) = Some(outcome);
                again[i].store(true, Ordering::Relaxed);
            }
        });
        changes = absorb(files, &slots.outcomes, &mut project, &|i| {
            again[i].load(Ordering::Relaxed)
        });
    }
    project
}

/// Adds the flow of the files `pick` selects to `project`; what changed.
fn absorb(
    files: &[Listed],
    outcomes: &[Mutex<Option<Outcome>>],
    project: &mut Project,
    pick: &dyn Fn(usize) -> bool,
) -> Changes {
    let mut changes = Changes::default();
    for (i, slot) in outcomes.iter().enumerate() {
        if !pick(i) {
            continue;
        }
        if let Some(Outcome::Read(x)) = &*lock(slot) {
            changes.extend(project.absorb(&files[i].rel, &x.flow));
        }
    }
    changes
}

/// The last path segment of a module without its extension (`src/socket.ts` → `socket`,
/// `lib/index.js` → `lib`): what an import of it spells.
/// The names a module is imported by: [`module_stem`], and for a package's entry
/// (`packages/realtime/src/index.ts`) the package folder's name too (`@acme/realtime`).
fn module_stems(path: &str) -> Vec<&str> {
    let stem = module_stem(path);
    let mut out = vec![stem];
    let mut segments = path.rsplit('/').skip(1);
    let is_index = path
        .rsplit('/')
        .next()
        .is_some_and(|n| n.starts_with("index."));
    if is_index && segments.next() == Some("src") {
        if let Some(package) = segments.next() {
            out.push(package);
        }
    }
    out
}

fn module_stem(path: &str) -> &str {
    let mut segments = path.rsplit('/');
    let name = segments.next().unwrap_or(path);
    if name
        .split_once('.')
        .is_some_and(|(first, _)| first == "index")
    {
        return segments.next().unwrap_or("index");
    }
    // `jobs.service.ts` is imported as `./jobs.service`.
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// A byte regex matching an import specifier that ends in one of `stems` (`'./socket'`,
/// `"../lib/socket.js"`, `'$lib/stores/live'`); `None` for no stems.
fn specifier_regex<'n>(stems: impl Iterator<Item = &'n str>) -> Option<regex::bytes::Regex> {
    let mut alternatives: Vec<String> = stems.map(regex::escape).collect();
    if alternatives.is_empty() {
        return None;
    }
    alternatives.sort();
    alternatives.dedup();
    let pattern = format!(
        r#"[/'"](?:{})(?:\.[cm]?[jt]sx?)?['"]"#,
        alternatives.join("|")
    );
    regex::bytes::Regex::new(&pattern).ok()
}

/// Rounds of socket values across files: a socket handed through N files takes N rounds.
const MAX_FLOW_ROUNDS: usize = 4;

/// JS files up to this size are kept in memory after the first pass, for the wrapper pass.
const KEEP_FILE_BYTES: usize = 256 * 1024;
/// At most this many bytes are kept in all (big trees re-read the rest).
const KEEP_TOTAL_BYTES: usize = 256 << 20;

/// Project-wide rounds of wrapper sharing (a wrapper of an imported wrapper takes one more).
const MAX_PROJECT_ROUNDS: usize = 3;

/// A byte regex matching any of `names` as a whole word; `None` for no names.
fn names_regex<'n>(names: impl Iterator<Item = &'n str>) -> Option<regex::bytes::Regex> {
    let mut alternatives: Vec<String> = names.map(regex::escape).collect();
    if alternatives.is_empty() {
        return None;
    }
    alternatives.sort();
    // JavaScript identifier boundaries: `\b` would never match before `$socket`.
    regex::bytes::Regex::new(&format!(
        r"(?:^|[^A-Za-z0-9_$])(?:{})(?:[^A-Za-z0-9_$]|$)",
        alternatives.join("|")
    ))
    .ok()
}

/// Runs `f(0..n)` on `threads` workers with a large stack (parsers recurse once per nesting
/// level, and generated code nests deep).
fn in_parallel(n: usize, threads: usize, f: &(dyn Fn(usize) + Sync)) {
    let next = AtomicUsize::new(0);
    let work = || {
        BIG_STACK.with(|b| b.set(true));
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            f(i);
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(super::js::WORKER_STACK)
                    .spawn_scoped(scope, work)
            })
            .collect();
        if workers.iter().any(Result::is_err) {
            // Could not start a worker (resource limits): do the rest here.
            work();
        }
    });
}

thread_local! {
    static BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True on the scan's workers, whose stack is large enough for deeply nested code.
pub(crate) fn on_big_stack() -> bool {
    BIG_STACK.with(|b| b.get())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Other project files an extractor asks for (event-name constants imported from a shared
/// module, import targets, alias configurations), read once and only from inside the scanned
/// root.
struct SourceCache {
    base: PathBuf,
    files: Mutex<HashMap<String, Option<Arc<str>>>>,
    present: Mutex<HashMap<String, bool>>,
    modules: ModuleCache,
}

impl SourceCache {
    fn new(base: &Path) -> Self {
        Self {
            base: base.to_path_buf(),
            files: Mutex::default(),
            present: Mutex::default(),
            modules: ModuleCache::default(),
        }
    }
}

/// Frees what a scan no longer needs on another thread: a big tree's texts, syntax facts and
/// tables are millions of small allocations, and the caller is waiting for the sites.
fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be started, the failed spawn drops the value here instead.
    let _ = std::thread::Builder::new()
        .name("evdoc-drop".into())
        .spawn(move || drop(value));
}

/// Whether `rel` stays inside the root (no `..`, no absolute path).
fn inside_root(rel: &str) -> bool {
    Path::new(rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
}

impl Sources for SourceCache {
    fn text(&self, rel: &str) -> Option<Arc<str>> {
        if !inside_root(rel) {
            return None;
        }
        if let Some(hit) = lock(&self.files).get(rel) {
            return hit.clone();
        }
        let text: Option<Arc<str>> = std::fs::read(self.base.join(rel))
            .ok()
            .filter(|b| b.len() as u64 <= walk::MAX_FILE_BYTES)
            .and_then(|b| String::from_utf8(b).ok())
            .map(Arc::from);
        lock(&self.files).insert(rel.to_owned(), text.clone());
        text
    }

    fn exists(&self, rel: &str) -> bool {
        if !inside_root(rel) {
            return false;
        }
        if let Some(hit) = lock(&self.files).get(rel) {
            return hit.is_some();
        }
        if let Some(&hit) = lock(&self.present).get(rel) {
            return hit;
        }
        let found = self.base.join(rel).is_file();
        lock(&self.present).insert(rel.to_owned(), found);
        found
    }

    fn modules(&self) -> Option<&ModuleCache> {
        Some(&self.modules)
    }

    fn subfolders(&self, rel: &str) -> Vec<String> {
        if !rel.is_empty() && !inside_root(rel) {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(self.base.join(rel)) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| !n.starts_with('.') && n != "node_modules")
            .collect();
        out.sort();
        out
    }
}

/// A file over the size limit: say "minified" when its head shows it, so the report is useful.
fn too_large(path: &Path) -> SkipReason {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 * 1024);
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    match read.map(|_| walk::classify(&head)) {
        Ok(Err(r @ (SkipReason::Minified | SkipReason::Binary))) => r,
        _ => SkipReason::TooLarge,
    }
}

/// `path` relative to `base`, `/`-separated.
fn relative(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let s = rel.to_str()?.replace('\\', "/");
    Some(s.strip_prefix("./").map(str::to_owned).unwrap_or(s))
}
