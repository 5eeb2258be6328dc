//! Event-name constants imported from other files of the project.
//!
//! Real apps keep their event names in one shared module (`shared/events.ts`,
//! `constants/socketEvents.js`). When the embedding scan can read project files, an identifier
//! imported from a relative module is looked up there: that file is parsed once (per importing
//! file), its module-level constants are folded, and the value is brought back closed over its
//! own constants.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

use super::aliases;
use super::collect::Facts;
use super::model::CExpr;
use crate::scan::Side;

/// The other files of the project, by `/`-separated path relative to the scan root.
///
/// One value serves every file of a scan, so what it reads or parses is done once per scan, not
/// once per importing file: resolving an import only asks whether a path [`exists`], and a
/// module's constants are parsed once into the shared [`ModuleCache`].
///
/// [`exists`]: Sources::exists
pub trait Sources: Sync {
    /// The text of a project file; `None` when it is missing, too large or not UTF-8.
    fn text(&self, rel: &str) -> Option<Arc<str>>;
    /// Whether a project file exists, without reading it.
    fn exists(&self, rel: &str) -> bool {
        self.text(rel).is_some()
    }
    /// The modules already parsed in this scan, shared between files.
    fn modules(&self) -> Option<&ModuleCache> {
        None
    }
    /// The names of the folders inside a project folder (`""` is the root), for workspace
    /// globs (`packages/*`).
    fn subfolders(&self, _rel: &str) -> Vec<String> {
        Vec::new()
    }
}

/// A closure is a loader too (tests, and embedders with files in memory).
impl<F: Fn(&str) -> Option<String> + Sync> Sources for F {
    fn text(&self, rel: &str) -> Option<Arc<str>> {
        self(rel).map(Arc::from)
    }
}

/// Reads project files: see [`Sources`].
pub type Loader<'l> = &'l dyn Sources;

/// Modules parsed for their constants and import specifiers resolved to project paths, kept
/// for the whole scan: every file of a folder imports the same few modules the same way.
#[derive(Default)]
pub struct ModuleCache {
    modules: Mutex<HashMap<String, Option<Arc<Module>>>>,
    /// `(importing folder, specifier)` → project path.
    paths: Mutex<HashMap<(String, String), Option<String>>>,
    /// The monorepo's workspace packages: name → folder.
    pub(crate) workspaces: std::sync::OnceLock<Vec<(String, String)>>,
}

impl ModuleCache {
    fn get_or_parse(&self, path: &str, load: Loader<'_>) -> Option<Arc<Module>> {
        if let Some(hit) = lock(&self.modules).get(path) {
            return hit.clone();
        }
        let parsed = load
            .text(path)
            .and_then(|text| parse_module(path, &text))
            .map(Arc::new);
        lock(&self.modules).insert(path.to_owned(), parsed.clone());
        parsed
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How far `export * from` chains are followed.
const MAX_REEXPORT_DEPTH: u32 = 3;
/// Files larger than this are not parsed for constants.
const MAX_MODULE_BYTES: usize = 512 * 1024;

/// What another file of the project offers an importer.
pub struct Module {
    consts: HashMap<String, CExpr>,
    /// `export type X = "a" | "b"`.
    unions: HashMap<String, Vec<String>>,
    /// The side its Socket.IO imports show (`io()` from `socket.io-client`: client).
    side: Option<Side>,
    reexports: Vec<String>,
}

/// Resolves imports of one file against the other files of the project.
pub(crate) struct Linker<'l> {
    dir: String,
    load: Option<Loader<'l>>,
    cache: HashMap<String, Option<Arc<Module>>>,
}

impl<'l> Linker<'l> {
    /// A linker for the file at `rel`; without a loader every lookup fails.
    pub(crate) fn new(rel: &str, load: Option<Loader<'l>>) -> Self {
        let dir = rel
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
        Linker {
            dir,
            load,
            cache: HashMap::default(),
        }
    }

    /// The folded value of export `name` of module `spec` (as written in the import).
    pub(crate) fn export(&mut self, spec: &str, name: &str) -> Option<CExpr> {
        self.load?;
        let path = self.locate(&self.dir.clone(), spec)?;
        self.export_from(&path, name, 0)
    }

    fn export_from(&mut self, path: &str, name: &str, depth: u32) -> Option<CExpr> {
        if depth > MAX_REEXPORT_DEPTH {
            return None;
        }
        let (value, reexports) = {
            let module = self.module(path)?;
            let value = match module.consts.get(name) {
                Some(v) => Some(close(v, &module.consts, 0)),
                // A CommonJS module without `module.exports = …` is its named exports.
                None if name == "default" => Some(CExpr::Obj(
                    module
                        .consts
                        .iter()
                        .map(|(k, v)| (k.clone(), close(v, &module.consts, 0)))
                        .collect(),
                    Vec::new(),
                )),
                // `const { X } = require('./m')` of `module.exports = { X: … }`.
                None => match module.consts.get("default") {
                    Some(CExpr::Obj(entries, _)) => entries
                        .iter()
                        .rev()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| close(v, &module.consts, 0)),
                    _ => None,
                },
            };
            (value, module.reexports.clone())
        };
        if value.is_some() {
            return value;
        }
        let dir = path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
        for spec in reexports {
            if let Some(next) = self.locate(&dir, &spec) {
                if let Some(v) = self.export_from(&next, name, depth + 1) {
                    return Some(v);
                }
            }
        }
        None
    }

    /// The project path of module `spec` (relative to the scan root), when it is a project file.
    /// Only finds the file: nothing is parsed.
    pub(crate) fn resolve(&mut self, spec: &str) -> Option<String> {
        self.load?;
        self.find_path(&self.dir.clone(), spec)
    }

    /// The side module `spec` (a project file) shows by its own Socket.IO imports.
    pub(crate) fn side(&mut self, spec: &str) -> Option<Side> {
        self.load?;
        let path = self.locate(&self.dir.clone(), spec)?;
        self.module(&path)?.side
    }

    /// The strings of the string-literal union type `name` exported by module `spec`.
    pub(crate) fn union(&mut self, spec: &str, name: &str) -> Option<Vec<String>> {
        self.load?;
        let path = self.locate(&self.dir.clone(), spec)?;
        self.union_from(&path, name, 0)
    }

    fn union_from(&mut self, path: &str, name: &str, depth: u32) -> Option<Vec<String>> {
        if depth > MAX_REEXPORT_DEPTH {
            return None;
        }
        let module = self.module(path)?;
        if let Some(u) = module.unions.get(name) {
            return Some(u.clone());
        }
        let reexports = module.reexports.clone();
        let dir = path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
        for spec in reexports {
            if let Some(next) = self.locate(&dir, &spec) {
                if let Some(u) = self.union_from(&next, name, depth + 1) {
                    return Some(u);
                }
            }
        }
        None
    }

    fn module(&mut self, path: &str) -> Option<&Module> {
        if !self.cache.contains_key(path) {
            let load = self.load?;
            let parsed = match load.modules() {
                Some(shared) => shared.get_or_parse(path, load),
                None => load
                    .text(path)
                    .and_then(|text| parse_module(path, &text))
                    .map(Arc::new),
            };
            self.cache.insert(path.to_string(), parsed);
        }
        self.cache.get(path)?.as_deref()
    }

    /// The project path a relative specifier, or one mapped by the nearest `tsconfig.json` /
    /// `jsconfig.json` `paths` (and `baseUrl`), SvelteKit's `$lib` or Nuxt's `~`/`@`, names,
    /// trying the usual extensions. `@/` and `~/` fall back to the root's `src/`.
    fn find_path(&mut self, dir: &str, spec: &str) -> Option<String> {
        let load = self.load?;
        let Some(shared) = load.modules() else {
            return self.search_path(dir, spec);
        };
        let key = (dir.to_owned(), spec.to_owned());
        if let Some(hit) = lock(&shared.paths).get(&key) {
            return hit.clone();
        }
        let found = self.search_path(dir, spec);
        lock(&shared.paths).insert(key, found.clone());
        found
    }

    /// [`Self::find_path`] without the scan's memory.
    fn search_path(&mut self, dir: &str, spec: &str) -> Option<String> {
        let load = self.load?;
        if !spec.starts_with('.') && !spec.starts_with('/') {
            let mapped = aliases::expand(load, dir, spec);
            let mapped = if mapped.is_empty() {
                aliases::workspace(load, spec)
            } else {
                mapped
            };
            for candidate in mapped {
                if let Some(found) = self.find_path(dir, &candidate) {
                    return Some(found);
                }
            }
        }
        let base = if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
            normalize(&format!("src/{rest}"))?
        } else if let Some(rooted) = spec.strip_prefix('/') {
            // An alias expanded to a path from the scan root.
            normalize(rooted)?
        } else if spec.starts_with("./") || spec.starts_with("../") {
            normalize(&if dir.is_empty() {
                spec.to_string()
            } else {
                format!("{dir}/{spec}")
            })?
        } else {
            return None;
        };
        let stem = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".mjs"))
            .or_else(|| base.strip_suffix(".cjs"))
            .unwrap_or(&base)
            .to_string();
        let mut candidates = vec![base.clone()];
        for ext in ["ts", "js", "tsx", "jsx", "mts", "mjs", "cts", "cjs"] {
            candidates.push(format!("{stem}.{ext}"));
        }
        for ext in ["ts", "js", "tsx", "jsx"] {
            candidates.push(format!("{base}/index.{ext}"));
        }
        candidates
            .into_iter()
            .find(|c| self.cache.get(c).is_some_and(Option::is_some) || load.exists(c))
    }

    /// Like [`Self::find_path`], and parses the module found (for its constants and types).
    fn locate(&mut self, dir: &str, spec: &str) -> Option<String> {
        let c = self.find_path(dir, spec)?;
        self.module(&c).map(|_| c)
    }
}

fn parse_module(path: &str, text: &str) -> Option<Module> {
    if text.len() > MAX_MODULE_BYTES {
        return None;
    }
    let source_type = SourceType::from_path(path)
        .ok()?
        .with_jsx(!path.ends_with(".ts"));
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, source_type).parse();
    if ret.panicked {
        return None;
    }
    let facts = Facts::collect(&ret.program);
    let mut consts = facts.consts;
    for (k, v) in facts.var_consts {
        if !facts.assigned.contains(&k) {
            consts.entry(k).or_insert(v);
        }
    }
    Some(Module {
        consts,
        unions: facts.literal_unions,
        side: match (facts.evidence.server_import, facts.evidence.client_import) {
            (true, false) => Some(Side::Server),
            (false, true) => Some(Side::Client),
            _ => None,
        },
        reexports: facts.reexports,
    })
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Replaces references to the module's own constants inside `c`, so the value means the same
/// in the importing file.
fn close(c: &CExpr, consts: &HashMap<String, CExpr>, depth: u32) -> CExpr {
    if depth > 16 {
        return CExpr::Unknown;
    }
    match c {
        CExpr::Str(_) | CExpr::Unknown => c.clone(),
        CExpr::Concat(parts) => {
            CExpr::Concat(parts.iter().map(|p| close(p, consts, depth + 1)).collect())
        }
        CExpr::Obj(entries, spreads) => CExpr::Obj(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), close(v, consts, depth + 1)))
                .collect(),
            spreads
                .iter()
                .map(|s| close(s, consts, depth + 1))
                .collect(),
        ),
        CExpr::Path(p) => {
            let Some((head, rest)) = p.split_first() else {
                return CExpr::Unknown;
            };
            let Some(mut value) = consts.get(head).map(|v| close(v, consts, depth + 1)) else {
                return CExpr::Unknown;
            };
            for key in rest {
                value = match value {
                    CExpr::Obj(entries, _) => {
                        match entries.into_iter().rev().find(|(k, _)| k == key) {
                            Some((_, v)) => v,
                            None => return CExpr::Unknown,
                        }
                    }
                    _ => return CExpr::Unknown,
                };
            }
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_named_default_and_reexported_constants() {
        let files: std::collections::HashMap<&str, &str> = std::collections::HashMap::from([
            ("shared/events.ts", "const P = 'chat:';\nexport const EVENTS = { SEND: P + 'send' } as const;\nexport enum E { A = 'a' }"),
            ("shared/index.ts", "export * from './events';"),
            ("server/legacy.js", "module.exports = { JOIN: 'join' };"),
        ]);
        let load = |p: &str| files.get(p).map(|s| s.to_string());
        let mut linker = Linker::new("server/app.ts", Some(&load));
        let events = linker.export("../shared/events", "EVENTS").unwrap();
        assert_eq!(
            events,
            CExpr::Obj(
                vec![(
                    "SEND".into(),
                    CExpr::Concat(vec![CExpr::Str("chat:".into()), CExpr::Str("send".into())])
                )],
                vec![]
            )
        );
        assert!(linker.export("../shared", "E").is_some());
        assert!(linker.export("./legacy", "default").is_some());
        assert!(linker.export("../../escape", "X").is_none());
        assert!(linker.export("react", "X").is_none());
    }
}
