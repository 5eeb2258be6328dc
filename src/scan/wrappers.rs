//! Functions that emit or listen on behalf of their caller: declared in the catalog's
//! `scan.wrappers`, or inferred by the JS extractor when a function's parameter flows into the
//! event-name argument of an emit or listen (`function emitToUser(id, evt, data) {
//! io.to(id).emit(evt, data) }`).
//!
//! A wrapper turns each of its call sites into a site (with `via` naming the wrapper), and the
//! site inside the wrapper, whose name is just the parameter, is dropped once a call site shows
//! what the parameter carries. Inference is per file; the scan shares what one file infers with
//! the files that call it by name (see [`crate::scan::run`]), which keeps it far from a
//! whole-program analysis.

use crate::scan::{Role, Side, Site};
use std::collections::{HashMap, HashSet};

/// One wrapper: which argument is the event, which the room, and what the calls do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapper {
    /// The function or method name (`emitToUser`); for a declared `Class.method`, the method.
    pub function: String,
    /// For a declared `Class.method`: calls count only on a receiver named like the class
    /// (`SocketService.send`, `socketService.send`, `this.socketService.send`).
    pub receiver: Option<String>,
    /// 0-based index of the event-name argument.
    pub event_arg: usize,
    /// 0-based index of the room argument, if any.
    pub room_arg: Option<usize>,
    /// The room as written inside the wrapper when no argument is the room itself
    /// (`` `user:${userId}` ``): what the call sites report.
    pub room_expr: Option<String>,
    /// Whether calls emit or listen.
    pub role: Role,
    /// True when the wrapper's own emit or listen uses an acknowledgement (`socket.emit(evt,
    /// data, cb)`): every call does.
    pub ack: bool,
    /// The side, when the wrapper's own code shows it.
    pub side: Option<Side>,
    /// True for a wrapper from the catalog: its name is trusted even when generic, and a
    /// `listen` wrapper's definition is also read as a dispatcher (`if (name === "x")`).
    pub declared: bool,
    /// True for a dispatcher: a function handed the event name of a catch-all listener
    /// (`socket.onAny(handler)`), whose comparisons of it with literals are listens.
    pub dispatch: bool,
}

impl Wrapper {
    /// A wrapper from the catalog's `scan.wrappers`; `Class.method` keeps the method name.
    pub fn declared(w: &crate::catalog::model::Wrapper) -> Wrapper {
        let (receiver, function) = match w.function.rsplit_once('.') {
            Some((r, f)) => (
                Some(r.rsplit('.').next().unwrap_or(r).to_string()),
                f.to_string(),
            ),
            None => (None, w.function.clone()),
        };
        Wrapper {
            function,
            receiver,
            event_arg: w.event_arg,
            room_arg: w.room_arg,
            room_expr: None,
            role: w.role,
            ack: false,
            side: w.side,
            declared: true,
            dispatch: false,
        }
    }
}

/// A wrapper inferred in one file, with the position of the site inside it whose event name is
/// the wrapper's parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inferred {
    /// The wrapper.
    pub wrapper: Wrapper,
    /// `(line, column)` of the inner sites, in the wrapper's file.
    pub inner: Vec<(u32, u32)>,
    /// For a pass-through method with an emitter's own name (`class SocketService { emit(evt,
    /// data) { this.socket.emit(evt, data) } }`): the class. Its calls are found by the receiver
    /// rules (`socketService.emit('x')`); they are what make the inner site redundant.
    pub class: Option<String>,
}

/// The emitter methods themselves: a wrapper with one of these names (`emit(evt, data) {
/// this.socket.emit(evt, data) }`) is left to the receiver-based rules, which already decide
/// whether `x.emit('a')` is a socket's.
const EMITTER_METHODS: &[&str] = &[
    "emit",
    "on",
    "once",
    "off",
    "send",
    "write",
    "addListener",
    "removeListener",
    "prependListener",
    "emitWithAck",
];

/// Further names too common to match across files by name alone.
const GENERIC: &[&str] = &[
    "listen",
    "subscribe",
    "unsubscribe",
    "publish",
    "dispatch",
    "trigger",
    "fire",
    "handle",
    "call",
    "apply",
    "bind",
    "then",
    "catch",
    "push",
    "next",
    "notify",
    "broadcast",
    "request",
    "get",
    "set",
    "post",
    "put",
    "delete",
    "use",
    "log",
    "error",
    "warn",
    "info",
    "debug",
    "process",
    "update",
    "render",
    "init",
    "run",
    "execute",
    "start",
    "stop",
    "done",
    "resolve",
    "reject",
    "callback",
    "onMessage",
    "handleMessage",
    "onEvent",
    "handleEvent",
    "onData",
    "handler",
];

/// True when calls of an inferred wrapper of this name are matched in its own file.
pub fn matchable(name: &str) -> bool {
    !EMITTER_METHODS.contains(&name)
}

/// True when an inferred wrapper's name is distinctive enough to match calls in other files by
/// name alone.
pub fn shareable(name: &str) -> bool {
    matchable(name) && name.len() >= 4 && !GENERIC.contains(&name)
}

/// Known wrappers by name.
#[derive(Clone, Debug, Default)]
pub struct Table {
    by_name: HashMap<String, Wrapper>,
    /// Socket-typed struct fields of the scan's Rust files (crate::scan::rust::socket_fields):
    /// like the wrappers, project knowledge every Rust file is extracted with.
    rust_fields: Vec<crate::scan::rust::SocketField>,
}

impl Table {
    /// The socket-typed struct fields of the scan's Rust files.
    pub fn rust_fields(&self) -> &[crate::scan::rust::SocketField] {
        &self.rust_fields
    }

    /// Record the socket-typed struct fields of the scan's Rust files.
    pub fn set_rust_fields(&mut self, fields: Vec<crate::scan::rust::SocketField>) {
        self.rust_fields = fields;
    }

    /// A table of `wrappers`; on a name clash the first (the declared one) wins.
    pub fn new(wrappers: impl IntoIterator<Item = Wrapper>) -> Table {
        let mut t = Table::default();
        for w in wrappers {
            t.add(w);
        }
        t
    }

    /// Adds a wrapper unless one of that name is known; true when it was new. The same name
    /// inferred on both sides (a client and a server helper both called `sendNotification`)
    /// keeps no side: each call's file decides.
    pub fn add(&mut self, w: Wrapper) -> bool {
        if let Some(known) = self.by_name.get_mut(&w.function) {
            if !known.declared && known.side != w.side {
                known.side = None;
            }
            return false;
        }
        self.by_name.insert(w.function.clone(), w);
        true
    }

    /// The wrapper called `name`.
    pub fn get(&self, name: &str) -> Option<&Wrapper> {
        self.by_name.get(name)
    }

    /// True when no wrapper is known.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Every wrapper name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

/// Drops the inner sites of the wrappers that some site reaches through (`via`): the call
/// sites say which events the wrapper carries, its parameter says nothing more. Inner sites of
/// wrappers nobody calls stay, as the dynamic sites they are. `inferred` pairs each wrapper with
/// the file it was inferred in.
pub fn drop_inner<'a>(
    sites: &mut Vec<Site>,
    inferred: impl IntoIterator<Item = (&'a str, &'a Inferred)>,
) {
    let inferred: Vec<(&str, &Inferred)> = inferred.into_iter().collect();
    // Calls of pass-through methods: `SocketService.emit`, `this.socketService.emit`.
    for (_, w) in &inferred {
        let Some(class) = &w.class else { continue };
        for s in sites.iter_mut().filter(|s| s.via.is_none() && !s.dynamic) {
            let Some((receiver, method)) = s.call.rsplit_once('.') else {
                continue;
            };
            let last = receiver.rsplit('.').next().unwrap_or(receiver);
            if method == w.wrapper.function && last.eq_ignore_ascii_case(class) {
                s.via = Some(format!("{class}.{method}"));
                s.side = s.side.or(w.wrapper.side);
            }
        }
    }
    let used: HashSet<&str> = sites.iter().filter_map(|s| s.via.as_deref()).collect();
    let mut inner: HashSet<(&str, u32, u32)> = HashSet::new();
    for (file, w) in &inferred {
        let name = match &w.class {
            Some(class) => format!("{class}.{}", w.wrapper.function),
            None => w.wrapper.function.clone(),
        };
        if used.contains(name.as_str()) {
            for (line, column) in &w.inner {
                inner.insert((file, *line, *column));
            }
        }
    }
    if inner.is_empty() {
        return;
    }
    sites.retain(|s| !(s.dynamic && inner.contains(&(s.file.as_str(), s.line, s.column))));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inferred(function: &str, side: Option<Side>) -> Wrapper {
        Wrapper {
            function: function.into(),
            receiver: None,
            event_arg: 0,
            room_arg: None,
            room_expr: None,
            role: Role::Emit,
            ack: false,
            side,
            declared: false,
            dispatch: false,
        }
    }

    #[test]
    fn names_are_matched_by_how_distinctive_they_are() {
        assert!(!matchable("emit") && !matchable("on"));
        assert!(matchable("notify") && !shareable("notify"));
        assert!(shareable("emitToUser") && shareable("sendSocketNotification"));
        assert!(!shareable("run") && !shareable("onMessage"));
    }

    #[test]
    fn one_name_on_two_sides_keeps_no_side_and_declared_wins() {
        let mut t = Table::new([inferred("sendNotification", Some(Side::Server))]);
        assert!(!t.add(inferred("sendNotification", Some(Side::Client))));
        assert_eq!(t.get("sendNotification").unwrap().side, None);
        let declared = Wrapper::declared(&crate::catalog::model::Wrapper {
            function: "SocketService.send".into(),
            event_arg: 1,
            room_arg: Some(0),
            role: Role::Emit,
            side: Some(Side::Client),
        });
        let mut t = Table::new([declared]);
        assert!(!t.add(inferred("send", None)));
        let w = t.get("send").unwrap();
        assert!(w.declared && w.side == Some(Side::Client) && w.event_arg == 1);
        assert_eq!(w.receiver.as_deref(), Some("SocketService"));
    }
}
