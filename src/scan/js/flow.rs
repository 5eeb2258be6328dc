//! Socket values across the files of a project.
//!
//! A socket is a value: created somewhere (`io()`, `new Server()`, a `connection` callback's
//! parameter, a NestJS gateway's handler parameter or `@WebSocketServer()` field), then passed
//! on. Inside one file the extractor follows it through bindings, fields, returns and callback
//! parameters. This module carries it across files, in both directions, the way CodeQL's
//! Socket.IO model tracks servers, namespaces and sockets through calls:
//!
//! - **exports**: a file that exports a socket (`export const socket = io()`,
//!   `module.exports = io`, `export function getSocket()` returning one, a class whose field or
//!   method holds one) records it under (file, name); an importer, a `require`, or a value whose
//!   declared type is that class reads it back.
//! - **parameters**: a call that passes a socket to a project function
//!   (`registerChat(io, socket)`, `require('./chat')(socket)`, `this.jobs.run(dto, client)` on an
//!   injected service) records the argument's kind under (callee's file, callee's name,
//!   parameter); the callee's file is read again with its parameter known, whatever it is named
//!   or typed (a gateway's socket typed as `EventEmitter` is still the socket). A socket passed
//!   as a property of an object argument (`draw({ link: socket })`) or as a JSX prop of a
//!   project component (`<Board link={socket} />`, the call `Board({ link: socket })`) seeds that
//!   property of the parameter, which a destructuring parameter (`function Board({ link })`)
//!   binds.
//!
//! The scan runs rounds (crate::scan::run): each round re-reads the files whose imports or
//! functions learnt something, until nothing changes or the depth bound is reached. Everything
//! here only grows, so the rounds end.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

use super::model::Kind;

/// What one file tells the project, and what it reads from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileFlow {
    /// Exports that are Socket.IO values: `socket`, `getSocket()`, `Chat.io`, `Chat.socket()`.
    pub(crate) exports: Vec<(String, Kind)>,
    /// Sockets this file passes to other functions of the project.
    pub(crate) seeds: Vec<Seed>,
    /// The project files this file imports (resolved paths relative to the scan root).
    pub(crate) deps: Vec<String>,
    /// True when the file's walk already read what it passes to its own functions
    /// ([`Project::learn_own`]): its seeds of itself need no project round.
    pub(crate) own_seeds_read: bool,
}

/// A socket passed as an argument: `function`'s parameter `param` in `file` (its property
/// `prop`, for an object argument or a JSX prop) receives `kind`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Seed {
    pub(crate) file: String,
    pub(crate) function: String,
    pub(crate) param: usize,
    pub(crate) prop: Option<String>,
    pub(crate) kind: Kind,
    /// Where the call is (`file:line`), for `scan --explain`.
    pub(crate) from: String,
}

/// A parameter by position, or one property of it (`Some("link")` for `function f({ link })`).
type Slot = (usize, Option<String>);

/// What the whole project knows about socket values, shared by every file's extraction.
#[derive(Clone, Debug, Default)]
pub struct Project {
    exports: HashMap<(String, String), Kind>,
    params: HashMap<(String, String), BTreeMap<Slot, (Kind, String)>>,
}

impl Project {
    /// The kind of export `name` of `file` (`name()` for what calling it returns).
    pub(crate) fn export(&self, file: &str, name: &str) -> Option<&Kind> {
        self.exports.get(&(file.to_owned(), name.to_owned()))
    }

    /// What callers pass to parameter `param` of `function` in `file` (to its property
    /// `prop`, when given), and from where.
    pub(crate) fn param(
        &self,
        file: &str,
        function: &str,
        param: usize,
        prop: Option<&str>,
    ) -> Option<&(Kind, String)> {
        self.params
            .get(&(file.to_owned(), function.to_owned()))?
            .get(&(param, prop.map(str::to_owned)))
    }

    /// Adds what `file` tells; returns the files that must be read again: the ones importing
    /// `file` when one of its exports is new, and the targets of new seeds.
    pub(crate) fn absorb(&mut self, file: &str, flow: &FileFlow) -> Changes {
        let mut changes = Changes::default();
        for (name, kind) in &flow.exports {
            // `global:app.realtime` is a path on a browser global: any file may read it.
            let (key, global) = match name.strip_prefix("global:") {
                Some(path) => ((String::new(), path.to_owned()), Some(path)),
                None => ((file.to_owned(), name.clone()), None),
            };
            if join_into(self.exports.entry(key).or_insert(Kind::Unknown), kind) {
                match global {
                    Some(path) => changes.globals.insert(path.to_owned()),
                    None => changes.exported.insert(file.to_owned()),
                };
            }
        }
        for seed in &flow.seeds {
            let read_already = flow.own_seeds_read && seed.file == file;
            if self.add_seed(seed) && !read_already {
                changes.seeded.insert(seed.file.clone());
            }
        }
        changes
    }

    /// Adds what `file` passes to its own functions (`io.on('connection', s => register(s))`
    /// with `register` declared below); true when a parameter learnt something. The file's walk
    /// reads them from here at once, instead of the file being parsed again in a project round.
    pub(crate) fn learn_own(&mut self, file: &str, flow: &FileFlow) -> bool {
        let mut learnt = false;
        for seed in flow.seeds.iter().filter(|s| s.file == file) {
            learnt |= self.add_seed(seed);
        }
        learnt
    }

    /// Joins one seed into its parameter; true when the parameter learnt something.
    fn add_seed(&mut self, seed: &Seed) -> bool {
        let slot = self
            .params
            .entry((seed.file.clone(), seed.function.clone()))
            .or_default()
            .entry((seed.param, seed.prop.clone()))
            .or_insert((Kind::Unknown, seed.from.clone()));
        join_into(&mut slot.0, &seed.kind)
    }

    /// True when nothing is known (the first pass).
    pub fn is_empty(&self) -> bool {
        self.exports.is_empty() && self.params.is_empty()
    }
}

/// Files to read again after a round.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Files whose exports grew: their importers need another look.
    pub(crate) exported: HashSet<String>,
    /// Files whose functions' parameters learnt a socket.
    pub(crate) seeded: HashSet<String>,
    /// Paths on browser globals that learnt a socket or an object of wrappers.
    pub(crate) globals: HashSet<String>,
}

impl Changes {
    /// Adds another file's changes.
    pub(crate) fn extend(&mut self, other: Changes) {
        self.exported.extend(other.exported);
        self.seeded.extend(other.seeded);
        self.globals.extend(other.globals);
    }

    /// True when no file needs another look.
    pub(crate) fn is_empty(&self) -> bool {
        self.exported.is_empty() && self.seeded.is_empty() && self.globals.is_empty()
    }
}

/// Joins `new` into `slot`; true when `slot` learnt something.
fn join_into(slot: &mut Kind, new: &Kind) -> bool {
    let joined = slot.clone().join(new.clone());
    if joined != *slot {
        *slot = joined;
        true
    } else {
        false
    }
}
