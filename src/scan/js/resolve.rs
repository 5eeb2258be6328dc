//! Second-pass environment: scoped bindings over the file's [`Facts`], and the two questions the
//! extractor asks of an expression: "is this a Socket.IO object?" and "which string is this?".

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::scan::Side;

use super::collect::{Facts, Import, Imported};
use super::flow::Project;
use super::link::Linker;
use super::model::{CExpr, Kind, TypeRef, Val};
use super::names::{
    family, getter_kind, is_http_object_name, is_non_socket_constructor, local_module_is_socket,
    name_kind, Family,
};

const MAX_DEPTH: u32 = 48;

/// A binding declared inside a function: what it is and, for a `const`, its value.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    /// Socket-ness.
    pub(crate) kind: Kind,
    /// The folded value of a `const` initialiser.
    pub(crate) value: Option<CExpr>,
}

/// Sockets a walk stored in class fields and containers (`Clients.all.add(client)`,
/// `peers[id] = socket`). When code above the store already read that field, the file is walked
/// once more starting from these.
#[derive(Clone, Debug, Default)]
pub(crate) struct Learnt {
    members: Vec<((usize, String), Kind)>,
    containers: Vec<(String, Kind)>,
    /// A store came after a read of the same field or container.
    pub(crate) late: bool,
}

/// Scoped bindings plus file facts, with memoised module-level classifications.
pub(crate) struct Env<'f> {
    /// The first pass's facts.
    pub(crate) facts: &'f Facts,
    linker: Linker<'f>,
    scopes: Vec<HashMap<String, Binding>>,
    /// Indices (into `facts.classes`) of the classes being walked, innermost last.
    pub(crate) class_stack: Vec<usize>,
    /// For each function being walked, innermost last: the store its `this` is (a Pinia
    /// options store's action), or `None`.
    pub(crate) this_store: Vec<Option<String>>,
    global_cache: HashMap<String, Kind>,
    member_cache: HashMap<(usize, String), Kind>,
    /// Containers whose values were asked for (to notice a socket stored after the read).
    read_containers: HashSet<String>,
    /// What this walk stored in fields and containers, for a walk that needs it from the start.
    pub(crate) learnt: Learnt,
    in_progress: HashSet<String>,
    global_mode: bool,
    depth: u32,
    /// False when the file uses another transport and no Socket.IO package: names prove nothing.
    names_allowed: bool,
    /// What the other files of the project export and pass (crate::scan::js::flow).
    pub(crate) project: &'f Project,
    /// What this file passes to its own functions, learnt by its previous walk; parameters
    /// read it beside `project`.
    pub(crate) own: &'f Project,
    /// This file's path relative to the scan root.
    pub(crate) rel: &'f str,
}

impl<'f> Env<'f> {
    /// An environment at module level.
    pub(crate) fn new(
        facts: &'f Facts,
        linker: Linker<'f>,
        project: &'f Project,
        own: &'f Project,
        rel: &'f str,
    ) -> Self {
        let ev = &facts.evidence;
        Env {
            facts,
            linker,
            scopes: Vec::new(),
            class_stack: Vec::new(),
            this_store: Vec::new(),
            global_cache: HashMap::default(),
            member_cache: HashMap::default(),
            read_containers: HashSet::default(),
            learnt: Learnt::default(),
            in_progress: HashSet::default(),
            global_mode: false,
            depth: 0,
            names_allowed: ev.socket_io || !ev.other_transport,
            project,
            own,
            rel,
        }
    }

    /// The import resolver, for another walk of the same file.
    pub(crate) fn into_linker(self) -> Linker<'f> {
        self.linker
    }

    // ---- the project (crate::scan::js::flow) -------------------------------------------------

    /// The project file a specifier of this file names, when it is one.
    pub(crate) fn resolve(&mut self, spec: &str) -> Option<String> {
        // A bare specifier may be a `paths` alias (`@app/socket`) or a workspace package
        // (`@acme/realtime`); the linker says, and remembers, which.
        if !matches!(family(spec), Family::Local | Family::Unknown) {
            return None;
        }
        self.linker.resolve(spec)
    }

    /// What an import brings: a socket another file exports, a project module, or what the
    /// package it comes from says.
    fn imported_kind(&mut self, imp: &Import) -> Kind {
        let by_package = import_kind(imp);
        let Some(file) = self.resolve(&imp.module) else {
            return by_package;
        };
        let Some(name) = imp.imported.export_name() else {
            return Kind::Module { file };
        };
        match self.project.export(&file, name) {
            Some(k) if *k != Kind::Unknown => k.clone(),
            _ if by_package == Kind::Unknown && imp.imported == Imported::Default => {
                Kind::Module { file }
            }
            _ => by_package,
        }
    }

    /// Property `prop` of a project module: its export of that name.
    fn module_member(&self, file: &str, prop: &str) -> Kind {
        self.project
            .export(file, prop)
            .cloned()
            .unwrap_or(Kind::Unknown)
    }

    /// Field `prop` (or, with `()`, what method `prop` returns) of an object of project class
    /// `class`: read in this file when the class is here, else from what its file exported.
    pub(crate) fn instance_member(&mut self, file: &str, class: &str, prop: &str) -> Kind {
        if file == self.rel {
            if let Some(&idx) = self.facts.class_by_name.get(class) {
                let saved = std::mem::replace(&mut self.class_stack, vec![idx]);
                let kind = match prop.strip_suffix("()") {
                    Some(m) => self.call(&Val::Member(Box::new(Val::This), m.to_owned()), None),
                    None => self.class_member(prop),
                };
                self.class_stack = saved;
                return kind;
            }
            if let Some(refs) = self.facts.interfaces.get(class).and_then(|i| i.get(prop)) {
                return self.types(&refs.clone(), 0);
            }
            if let Some(vals) = class
                .strip_prefix("#store:")
                .and_then(|store| self.facts.stores.get(store))
                .and_then(|fields| fields.get(prop))
            {
                return self.store_field(vals);
            }
        }
        self.project
            .export(file, &format!("{class}.{prop}"))
            .cloned()
            .unwrap_or(Kind::Unknown)
    }

    /// The Socket.IO values this file exports, by export name (`name()` for what an exported
    /// function returns, `Class.field` / `Class.method()` for its classes), for the project.
    pub(crate) fn exported_kinds(&mut self) -> Vec<(String, Kind)> {
        let facts = self.facts;
        let mut out = Vec::new();
        let mut names: Vec<&String> = facts.exports.keys().collect();
        names.sort();
        for name in names {
            let vals = &facts.exports[name];
            let kind = vals.iter().fold(Kind::Unknown, |acc, v| {
                let k = self.classify(v);
                acc.join(k)
            });
            push_exported(&mut out, name.clone(), kind);
            for v in vals {
                if let Val::Ident(f) = v {
                    if facts.fn_returns.contains_key(f) {
                        let k = self.classify(&Val::Call(Box::new(v.clone()), None));
                        push_exported(&mut out, format!("{name}()"), k);
                    }
                    if let Some(&idx) = facts.class_by_name.get(f) {
                        if name == "default" {
                            self.class_exports(idx, "default", &mut out);
                        }
                    }
                }
            }
        }
        for idx in 0..facts.classes.len() {
            if let Some(class) = facts.classes[idx].name.clone() {
                self.class_exports(idx, &class, &mut out);
            }
        }
        let mut interfaces: Vec<(&String, &HashMap<String, Vec<TypeRef>>)> =
            facts.interfaces.iter().collect();
        interfaces.sort_by_key(|(name, _)| *name);
        for (name, props) in interfaces {
            let mut props: Vec<_> = props.iter().collect();
            props.sort_by_key(|(p, _)| *p);
            for (prop, refs) in props {
                let k = self.types(refs, 0);
                push_exported(&mut out, format!("{name}.{prop}"), k);
            }
        }
        // An instance travels only when its type is one of this file's interfaces (what
        // `join(): Channel` hands out): instances of classes would make every importer of a
        // class-heavy library read again, for nothing Socket.IO.
        out.retain(|(_, k)| match k {
            Kind::Instance { file, class } => {
                class.starts_with("#store:")
                    || (file == self.rel && facts.interfaces.contains_key(class))
            }
            _ => true,
        });
        self.store_exports(&mut out);
        self.global_exports(&mut out);
        out
    }

    /// A store's fields, read at module level (its definition's scope).
    fn store_field(&mut self, vals: &[Val]) -> Kind {
        let saved = std::mem::take(&mut self.class_stack);
        let kind = vals.iter().fold(Kind::Unknown, |acc, v| {
            let k = self.classify(v);
            acc.join(k)
        });
        self.class_stack = saved;
        kind
    }

    /// Stores whose fields hold a socket: `useLive()` is an instance of `#store:useLive`, and
    /// `#store:useLive.io` its field, for the files that import the store.
    fn store_exports(&mut self, out: &mut Vec<(String, Kind)>) {
        let facts = self.facts;
        let mut names: Vec<&String> = facts.stores.keys().collect();
        names.sort();
        for name in names {
            let class = super::stores::class_of(name);
            let mut fields: Vec<(&String, &Vec<Val>)> = facts.stores[name].iter().collect();
            fields.sort_by_key(|(f, _)| *f);
            let mut any = false;
            for (field, vals) in fields {
                let kind = self.store_field(vals);
                any |= kind.is_site_receiver();
                push_exported(out, format!("{class}.{field}"), kind);
            }
            if any {
                out.push((
                    format!("{name}()"),
                    Kind::Instance {
                        file: self.rel.to_owned(),
                        class,
                    },
                ));
            }
        }
    }

    /// Paths assigned on a global the file does not bind (`app.realtime = new Client()`): any
    /// file may read them (crate::scan::js::flow, under the name `global:app.realtime`).
    fn global_exports(&mut self, out: &mut Vec<(String, Kind)>) {
        let facts = self.facts;
        let mut keys: Vec<&String> = facts.paths.keys().collect();
        keys.sort();
        for key in keys {
            let root = key.split('.').next().unwrap_or(key);
            let vue = vue_global_property(key);
            if vue.is_none() && (root == "this" || !self.is_unbound(root)) {
                continue;
            }
            let kind = facts.paths[key].iter().fold(Kind::Unknown, |acc, v| {
                let k = self.classify(v);
                acc.join(k)
            });
            if let Some(name) = vue {
                if kind.is_site_receiver() {
                    out.push((format!("global:vue.{name}"), kind));
                }
                continue;
            }
            if kind.is_site_receiver()
                || matches!(kind, Kind::Instance { .. } | Kind::Wrappers { .. })
            {
                out.push((format!("global:{key}"), kind));
            }
        }
    }

    fn class_exports(&mut self, idx: usize, class: &str, out: &mut Vec<(String, Kind)>) {
        let facts = self.facts;
        let saved = std::mem::replace(&mut self.class_stack, vec![idx]);
        let mut members: Vec<&String> = facts.classes[idx].members.keys().collect();
        members.sort();
        for m in members {
            let k = self.class_member(m);
            push_exported(out, format!("{class}.{m}"), k);
        }
        let mut methods: Vec<&String> = facts.classes[idx].methods.keys().collect();
        methods.sort();
        for m in methods {
            let k = self.call(&Val::Member(Box::new(Val::This), m.clone()), None);
            push_exported(out, format!("{class}.{m}()"), k);
        }
        self.class_stack = saved;
    }

    /// The strings of a string-literal union type imported by name from a project file.
    pub(crate) fn imported_union(&mut self, name: &str) -> Option<Vec<String>> {
        let imp = self.facts.imports.get(name)?;
        let export = match &imp.imported {
            Imported::Named(n) => n.clone(),
            _ => return None,
        };
        let module = imp.module.clone();
        self.linker.union(&module, &export)
    }

    /// Enters a function.
    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(HashMap::default());
    }

    /// Leaves a function.
    pub(crate) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// True inside at least one function.
    pub(crate) fn in_function(&self) -> bool {
        !self.scopes.is_empty()
    }

    /// Declares a name in the innermost function scope (module level is covered by the facts).
    pub(crate) fn declare(&mut self, name: &str, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), binding);
        }
    }

    /// Records an assignment to a function-scoped name (module-level ones are in the facts).
    pub(crate) fn assign(&mut self, name: &str, kind: Kind) {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(b) = scope.get_mut(name) {
                b.kind = std::mem::replace(&mut b.kind, Kind::Unknown).join(kind);
                b.value = None;
                return;
            }
        }
    }

    /// Records that field `prop` of the innermost class (`clients[]` for the values of a
    /// container field) holds `kind`, assigned in a method (`this.clients[id] = socket`).
    pub(crate) fn learn_member(&mut self, prop: &str, kind: Kind) {
        let Some(&idx) = self.class_stack.last() else {
            return;
        };
        self.learn_member_of(idx, prop, kind);
    }

    /// [`Self::learn_member`] for class `idx` (a static field named through its class).
    pub(crate) fn learn_member_of(&mut self, idx: usize, prop: &str, kind: Kind) {
        let key = (idx, prop.to_owned());
        let read = self.member_cache.contains_key(&key);
        let slot = self
            .member_cache
            .entry(key.clone())
            .or_insert(Kind::Unknown);
        let was = slot.is_site_receiver();
        *slot = std::mem::replace(slot, Kind::Unknown).join(kind.clone());
        self.learnt.late |= read && !was && slot.is_site_receiver();
        self.learnt.members.push((key, kind));
    }

    /// Records that the values of module-level container `name` (`clients[id] = socket`,
    /// `clients.set(id, socket)`) hold `kind`.
    pub(crate) fn learn_container(&mut self, name: &str, kind: Kind) {
        let key = format!("{name}[]");
        let slot = self
            .global_cache
            .entry(key.clone())
            .or_insert(Kind::Unknown);
        let was = slot.is_site_receiver();
        *slot = std::mem::replace(slot, Kind::Unknown).join(kind.clone());
        self.learnt.late |= self.read_containers.contains(&key) && !was && slot.is_site_receiver();
        self.learnt.containers.push((key, kind));
    }

    /// Starts this (fresh) environment with what an earlier walk of the file stored.
    pub(crate) fn replay(&mut self, learnt: &Learnt) {
        for (key, kind) in &learnt.members {
            let slot = self
                .member_cache
                .entry(key.clone())
                .or_insert(Kind::Unknown);
            *slot = std::mem::replace(slot, Kind::Unknown).join(kind.clone());
        }
        for (key, kind) in &learnt.containers {
            let slot = self
                .global_cache
                .entry(key.clone())
                .or_insert(Kind::Unknown);
            *slot = std::mem::replace(slot, Kind::Unknown).join(kind.clone());
        }
    }

    /// The index of the class named `name` when it encloses the code being walked
    /// (`TerminalService.clients` inside `class TerminalService`).
    pub(crate) fn enclosing_class(&self, name: &str) -> Option<usize> {
        self.class_stack
            .iter()
            .rev()
            .copied()
            .find(|&idx| self.facts.classes.get(idx).and_then(|c| c.name.as_deref()) == Some(name))
    }

    /// What the values of a container hold, for an iteration over it (`clients.forEach(c => …)`).
    pub(crate) fn held(&mut self, container: &Val) -> Kind {
        self.container_values(container)
    }

    /// What the values of a container hold (`this.clients[id]`, `clients.get(id)`).
    fn container_values(&mut self, container: &Val) -> Kind {
        match container {
            Val::Member(o, p) if **o == Val::This => self.class_member(&format!("{p}[]")),
            Val::Member(o, p) => match &**o {
                Val::Ident(class) => match self.enclosing_class(class) {
                    Some(idx) => {
                        let key = (idx, format!("{p}[]"));
                        self.member_cache
                            .entry(key)
                            .or_insert(Kind::Unknown)
                            .clone()
                    }
                    None => Kind::Unknown,
                },
                _ => Kind::Unknown,
            },
            Val::Ident(n) => {
                let key = format!("{n}[]");
                let held = self.global_cache.get(&key).cloned();
                self.read_containers.insert(key);
                held.unwrap_or(Kind::Unknown)
            }
            _ => Kind::Unknown,
        }
    }

    /// The NestJS gateway namespace of the innermost class, if it is a gateway.
    pub(crate) fn gateway(&self) -> Option<Option<String>> {
        let idx = *self.class_stack.last()?;
        self.facts.classes.get(idx)?.gateway.clone()
    }

    /// True when nothing in scope or in the file binds `name` (a browser global).
    fn is_unbound(&self, name: &str) -> bool {
        self.scopes.iter().all(|s| !s.contains_key(name))
            && !self.facts.imports.contains_key(name)
            && !self.facts.decls.contains_key(name)
    }

    fn lookup_scoped(&self, name: &str) -> Option<&Binding> {
        if self.global_mode {
            return None;
        }
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    // ---- socket-ness -------------------------------------------------------------------------

    /// What an expression summary is, falling back to its name when nothing else is known.
    pub(crate) fn classify_named(&mut self, v: &Val) -> Kind {
        match self.classify(v) {
            Kind::Unknown if self.names_allowed => name_fallback(v),
            k => k,
        }
    }

    /// What an expression summary is, from evidence only (no name heuristics at the top level).
    pub(crate) fn classify(&mut self, v: &Val) -> Kind {
        if self.depth > MAX_DEPTH {
            return Kind::Unknown;
        }
        self.depth += 1;
        let k = self.classify_inner(v);
        self.depth -= 1;
        k
    }

    fn classify_inner(&mut self, v: &Val) -> Kind {
        match v {
            Val::Ident(n) => self.ident(n),
            Val::This => Kind::This,
            Val::Member(o, p) => self.member(o, p),
            Val::Index(o) => match (self.classify_named(o), self.container_values(o)) {
                (k @ Kind::Socket { .. }, _) => k,
                (_, held) if held.is_site_receiver() => held,
                (Kind::Unknown, _)
                    if self.names_allowed
                        && val_name(o)
                            .is_some_and(|n| n.to_ascii_lowercase().ends_with("sockets")) =>
                {
                    Kind::Socket {
                        side: None,
                        ns: None,
                    }
                }
                _ => Kind::Unknown,
            },
            Val::Call(callee, arg) => self.call(callee, arg.as_ref()),
            Val::New(callee, arg) => self.new_kind(callee, arg.as_ref()),
            Val::Require(m) => match self.resolve(m) {
                Some(file) => match self.project.export(&file, "default") {
                    Some(k) if *k != Kind::Unknown => k.clone(),
                    _ => Kind::Module { file },
                },
                None => module_value(m),
            },
            Val::Typed(types) => self.types(types, 0),
            Val::NestServer => Kind::Server {
                ns: self.gateway().flatten(),
            },
            Val::Either(vs) => vs.iter().fold(Kind::Unknown, |acc, v| {
                let k = self.classify(v);
                acc.join(k)
            }),
            Val::Other => Kind::Unknown,
        }
    }

    fn ident(&mut self, name: &str) -> Kind {
        if let Some(b) = self.lookup_scoped(name) {
            return b.kind.clone();
        }
        if let Some(k) = self.global_cache.get(name) {
            return k.clone();
        }
        if !self.in_progress.insert(name.to_string()) {
            return Kind::Unknown;
        }
        let saved = std::mem::replace(&mut self.global_mode, true);
        let facts = self.facts;
        let kind = if let Some(imp) = facts.imports.get(name) {
            self.imported_kind(imp)
        } else if let Some(vals) = facts.decls.get(name) {
            vals.iter().fold(Kind::Unknown, |acc, v| {
                let k = self.classify(v);
                acc.join(k)
            })
        } else {
            Kind::Unknown
        };
        self.global_mode = saved;
        self.in_progress.remove(name);
        self.global_cache.insert(name.to_string(), kind.clone());
        kind
    }

    fn class_member(&mut self, prop: &str) -> Kind {
        let facts = self.facts;
        for &idx in self.class_stack.clone().iter().rev() {
            let key = (idx, prop.to_string());
            if let Some(k) = self.member_cache.get(&key) {
                return k.clone();
            }
            let guard = format!("#{idx}.{prop}");
            if !self.in_progress.insert(guard.clone()) {
                return Kind::Unknown;
            }
            let kind = match facts.classes.get(idx).and_then(|c| c.members.get(prop)) {
                Some(vals) => vals.iter().fold(Kind::Unknown, |acc, v| {
                    let k = self.classify(v);
                    acc.join(k)
                }),
                None => Kind::Unknown,
            };
            self.in_progress.remove(&guard);
            self.member_cache.insert(key, kind.clone());
            if kind != Kind::Unknown {
                return kind;
            }
        }
        Kind::Unknown
    }

    fn member(&mut self, object: &Val, prop: &str) -> Kind {
        if prop.starts_with('$') && is_vue_instance(object) {
            // `this.$socket`, `this.$root.$socket`: a Vue plugin's global property.
            if let Some(k) = self.project.export("", &format!("vue.{prop}")) {
                return k.clone();
            }
        }
        let ko = self.classify_named(object);
        match ko {
            Kind::This => match self.this_store.last() {
                Some(Some(store)) => {
                    let (file, class) = (self.rel.to_owned(), super::stores::class_of(store));
                    self.instance_member(&file, &class, prop)
                }
                _ => self.class_member(prop),
            },
            Kind::Server { ns } => match prop {
                "sockets" | "local" | "broadcast" | "volatile" => Kind::Server { ns },
                "connected" => Kind::Socket {
                    side: Some(Side::Server),
                    ns,
                },
                "engine" | "httpServer" | "adapter" | "eio" | "server" => Kind::Not,
                _ => Kind::Unknown,
            },
            Kind::Socket { side, ns } => match prop {
                "io" => Kind::Manager,
                "conn" | "request" | "handshake" | "data" | "rooms" | "transport" | "engine"
                | "adapter" => Kind::Not,
                "broadcast" | "nsp" => Kind::Server { ns },
                "server" => Kind::Server { ns: None },
                "volatile" | "client" => Kind::Socket { side, ns },
                _ => Kind::Unknown,
            },
            Kind::Manager => Kind::Not,
            Kind::Module { file } => self.module_member(&file, prop),
            Kind::Instance { file, class } => self.instance_member(&file, &class, prop),
            Kind::ServerFactory => match prop {
                "Server" => Kind::ServerClass,
                _ => Kind::Unknown,
            },
            Kind::ClientFactory => match prop {
                "Manager" => Kind::ManagerClass,
                "connect" | "io" | "default" => Kind::ClientFactory,
                _ => Kind::Unknown,
            },
            Kind::Not => Kind::Not,
            _ => {
                if (prop == "socket" || prop == "connection")
                    && val_name(object).is_some_and(is_http_object_name)
                {
                    return Kind::Not;
                }
                let Some(path) = val_path(object) else {
                    return Kind::Unknown;
                };
                let key = format!("{path}.{prop}");
                let facts = self.facts;
                match facts.paths.get(&key) {
                    Some(vals) if self.in_progress.insert(key.clone()) => {
                        let k = vals.iter().fold(Kind::Unknown, |acc, v| {
                            let k = self.classify(v);
                            acc.join(k)
                        });
                        self.in_progress.remove(&key);
                        k
                    }
                    _ => self.global(&key),
                }
            }
        }
    }

    /// A path another file assigned on a browser global (`app.realtime = new Client()` read as
    /// `app.realtime` here), when this file does not bind its root.
    fn global(&self, path: &str) -> Kind {
        let root = path.split('.').next().unwrap_or(path);
        if root == "this" || !self.is_unbound(root) {
            return Kind::Unknown;
        }
        self.project
            .export("", path)
            .cloned()
            .unwrap_or(Kind::Unknown)
    }

    /// What `object.method(arg)` returns, from what `object` is.
    fn method_call(&mut self, object: &Val, method: &str, arg: Option<&CExpr>) -> Kind {
        if method == "getState" {
            // Zustand's `useLive.getState()`: the store's state, as calling the hook gives.
            if let Val::Ident(_) = object {
                let state = self.call(object, None);
                if matches!(&state, Kind::Instance { class, .. } if class.starts_with("#store:")) {
                    return state;
                }
            }
        }
        let ko = self.classify_named(object);
        match (ko, method) {
            (Kind::Server { .. }, "of") => Kind::Server {
                ns: arg
                    .and_then(|a| self.eval(a))
                    .map(|n| normalize_namespace(&n)),
            },
            (
                Kind::Server { ns },
                "to" | "in" | "except" | "timeout" | "compress" | "volatile" | "local" | "binary",
            ) => Kind::Server { ns },
            (Kind::Server { ns }, "get") => Kind::Socket {
                side: Some(Side::Server),
                ns,
            },
            (k @ Kind::Socket { .. }, "timeout" | "compress" | "binary") => k,
            // Registering a listener or a middleware returns the socket or server
            // itself: `socket.on('a', f).on('b', g)`, `io.use(auth).on('connection', …)`.
            (
                k @ (Kind::Socket { .. } | Kind::Server { .. }),
                "on" | "once" | "off" | "use" | "onAny" | "prependAny" | "offAny" | "addListener"
                | "prependListener" | "removeListener" | "removeAllListeners",
            ) => k,
            (
                k @ Kind::Socket {
                    side: Some(Side::Client),
                    ..
                },
                "connect" | "open",
            ) => k,
            (Kind::Socket { ns, .. }, "to" | "in" | "except") => Kind::Server { ns },
            (Kind::ServerFactory, "listen" | "attach") => Kind::Server { ns: None },
            (Kind::ClientFactory, _) => Kind::Socket {
                side: Some(Side::Client),
                ns: arg.and_then(|a| self.url_namespace(a)),
            },
            (Kind::Server { .. }, "connect") if matches!(object, Val::Ident(n) if n == "io" && self.is_unbound("io")) =>
            {
                // The browser global `io.connect(url)`.
                Kind::Socket {
                    side: Some(Side::Client),
                    ns: arg.and_then(|a| self.url_namespace(a)),
                }
            }
            (Kind::Manager, "socket") => Kind::Socket {
                side: Some(Side::Client),
                ns: arg
                    .and_then(|a| self.eval(a))
                    .map(|n| normalize_namespace(&n)),
            },
            (Kind::This, m) => {
                let facts = self.facts;
                let mut kind = Kind::Unknown;
                for &idx in self.class_stack.clone().iter().rev() {
                    let guard = format!("#{idx}.{m}()");
                    if let Some(vals) = facts.classes.get(idx).and_then(|c| c.methods.get(m)) {
                        if self.in_progress.insert(guard.clone()) {
                            for v in vals {
                                let k = self.classify(v);
                                kind = kind.join(k);
                            }
                            self.in_progress.remove(&guard);
                        }
                    }
                }
                kind
            }
            (Kind::Not, _) => Kind::Not,
            (_, "get") if self.container_values(object).is_site_receiver() => {
                self.container_values(object)
            }
            (Kind::Module { file }, m) => self.module_member(&file, &format!("{m}()")),
            (Kind::Instance { file, class }, m) => {
                self.instance_member(&file, &class, &format!("{m}()"))
            }
            _ => Kind::Unknown,
        }
    }

    fn call(&mut self, callee: &Val, arg: Option<&CExpr>) -> Kind {
        match callee {
            Val::Member(object, method) => self.method_call(object, method, arg),
            Val::Ident(f) if self.facts.stores.contains_key(f) => Kind::Instance {
                file: self.rel.to_owned(),
                class: super::stores::class_of(f),
            },
            Val::Ident(f) => match self.ident(f) {
                Kind::ClientFactory => Kind::Socket {
                    side: Some(Side::Client),
                    ns: arg.and_then(|a| self.url_namespace(a)),
                },
                Kind::ServerFactory => Kind::Server { ns: None },
                Kind::Not => Kind::Not,
                Kind::Unknown | Kind::Foreign if self.is_context_call(f) => {
                    // React's `createContext(socket)` / `useContext(SocketContext)`: for
                    // Socket.IO the context is the value it carries.
                    match arg {
                        Some(CExpr::Path(path)) => self.classify(&path_val(path)),
                        _ => Kind::Unknown,
                    }
                }
                Kind::Unknown | Kind::Foreign => {
                    let facts = self.facts;
                    let guard = format!("{f}()");
                    let mut kind = Kind::Unknown;
                    if let Some(vals) = facts.fn_returns.get(f.as_str()) {
                        if self.in_progress.insert(guard.clone()) {
                            for v in vals {
                                let k = self.classify(v);
                                kind = kind.join(k);
                            }
                            self.in_progress.remove(&guard);
                        }
                    }
                    if kind == Kind::Unknown {
                        kind = self.imported_call(f);
                    }
                    if kind == Kind::Unknown && f == "io" && self.is_unbound("io") {
                        // The browser global `io` of a page that loads /socket.io/socket.io.js.
                        kind = Kind::Socket {
                            side: Some(Side::Client),
                            ns: arg.and_then(|a| self.url_namespace(a)),
                        };
                    }
                    kind
                }
                _ => Kind::Unknown,
            },
            Val::Require(m) => match module_value(m) {
                Kind::ServerFactory => Kind::Server { ns: None },
                Kind::Foreign => Kind::Unknown,
                Kind::ClientFactory => Kind::Socket {
                    side: Some(Side::Client),
                    ns: arg.and_then(|a| self.url_namespace(a)),
                },
                Kind::Not => Kind::Not,
                _ => Kind::Unknown,
            },
            _ => Kind::Unknown,
        }
    }

    /// `createContext` / `useContext` imported from React or Preact.
    fn is_context_call(&self, f: &str) -> bool {
        self.facts.imports.get(f).is_some_and(|i| {
            matches!(
                i.module.as_str(),
                "react" | "preact" | "preact/hooks" | "preact/compat"
            ) && matches!(
                i.imported.export_name(),
                Some("createContext" | "useContext")
            )
        })
    }

    fn new_kind(&mut self, callee: &Val, arg: Option<&CExpr>) -> Kind {
        match self.classify(callee) {
            Kind::ServerClass | Kind::ServerFactory => Kind::Server { ns: None },
            Kind::ManagerClass => Kind::Manager,
            Kind::ClientFactory => Kind::Socket {
                side: Some(Side::Client),
                ns: arg.and_then(|a| self.url_namespace(a)),
            },
            Kind::Not | Kind::Foreign => Kind::Not,
            _ => {
                let Some(name) = val_name(callee) else {
                    return Kind::Unknown;
                };
                let facts = self.facts;
                if let Some(&idx) = facts.class_by_name.get(name) {
                    let guard = format!("new {name}");
                    if let Some(h) = facts.classes.get(idx).and_then(|c| c.heritage.as_ref()) {
                        if self.in_progress.insert(guard.clone()) {
                            let k = self.new_kind(h, None);
                            self.in_progress.remove(&guard);
                            return match k {
                                Kind::Server { .. } | Kind::Not => k,
                                _ => Kind::Unknown,
                            };
                        }
                    }
                    // An object of a project class: its fields and methods are the class's.
                    return Kind::Instance {
                        file: self.rel.to_owned(),
                        class: name.to_owned(),
                    };
                }
                if let Some(k @ Kind::Instance { .. }) = self.project_class(name) {
                    return k;
                }
                if is_non_socket_constructor(name) {
                    Kind::Not
                } else {
                    Kind::Unknown
                }
            }
        }
    }

    /// What a TypeScript annotation says.
    pub(crate) fn types(&mut self, types: &[TypeRef], depth: u32) -> Kind {
        let mut kind = Kind::Unknown;
        for t in types {
            let k = self.one_type(t, depth);
            kind = kind.join(k);
        }
        kind
    }

    fn one_type(&mut self, t: &TypeRef, depth: u32) -> Kind {
        let facts = self.facts;
        if t.qualifier.is_none() && depth < 8 {
            if let Some(alias) = facts.type_aliases.get(&t.name) {
                let k = self.types(alias, depth + 1);
                if k != Kind::Unknown {
                    return k;
                }
            }
        }
        let name = t.name.as_str();
        let import = match &t.qualifier {
            Some(q) => facts.imports.get(q).map(|i| (family(&i.module), true)),
            None => facts.imports.get(name).map(|i| (family(&i.module), false)),
        };
        let kind = match (t.qualifier.as_deref(), import) {
            (_, Some((fam, _))) => type_in_family(fam, name, facts.evidence.server_import),
            (Some("SocketIOClient"), None) => type_in_family(Family::SioClient, name, false),
            (Some("SocketIO"), None) => type_in_family(Family::SioServer, name, true),
            (Some(_), None) => Kind::Unknown,
            (None, None) => type_in_family(Family::Unknown, name, facts.evidence.server_import),
        };
        match kind {
            Kind::Unknown if t.qualifier.is_none() => {
                self.project_class(name).unwrap_or(Kind::Unknown)
            }
            k => k,
        }
    }

    /// The project file and export name the local binding `local` is imported as, when it is
    /// one binding imported from a project file.
    pub(crate) fn imported_export(&mut self, local: &str) -> Option<(String, String)> {
        let imp = self.facts.imports.get(local)?;
        let export = imp.imported.export_name()?.to_owned();
        let module = imp.module.clone();
        Some((self.resolve(&module)?, export))
    }

    /// What calling imported project function `f` returns, as its file exported it.
    fn imported_call(&mut self, f: &str) -> Kind {
        match self.imported_export(f) {
            Some((file, name)) => self.module_member(&file, &format!("{name}()")),
            None => Kind::Unknown,
        }
    }

    /// A type naming a project class (declared in this file, or imported from a project file):
    /// its values are objects of that class.
    fn project_class(&mut self, name: &str) -> Option<Kind> {
        let facts = self.facts;
        if facts.class_by_name.contains_key(name) || facts.interfaces.contains_key(name) {
            return Some(Kind::Instance {
                file: self.rel.to_owned(),
                class: name.to_owned(),
            });
        }
        let (file, class) = self.imported_export(name)?;
        Some(Kind::Instance { file, class })
    }

    /// The namespace a client URL names: `io('/admin')`, `io(URL + '/admin')`,
    /// `io('http://host:3000/admin')`.
    fn url_namespace(&mut self, arg: &CExpr) -> Option<String> {
        if let Some(full) = self.eval(arg) {
            return url_path_namespace(&full);
        }
        // `URL + '/admin'`, `` `${URL}/admin` ``: the literal tail names the namespace.
        if let CExpr::Concat(parts) = arg {
            if let Some(CExpr::Str(last)) = parts.last() {
                if last.starts_with('/') && parts.len() > 1 {
                    let path = last.split(['?', '#']).next().unwrap_or("");
                    let path = path.trim_end_matches('/');
                    if !path.is_empty() {
                        return Some(path.to_string());
                    }
                }
            }
        }
        None
    }

    // ---- constant folding --------------------------------------------------------------------

    /// The string a folded expression evaluates to, when every part is known in this file.
    pub(crate) fn eval(&mut self, c: &CExpr) -> Option<String> {
        self.eval_at(c, 0)
    }

    fn eval_at(&mut self, c: &CExpr, depth: u32) -> Option<String> {
        if depth > 32 {
            return None;
        }
        match c {
            CExpr::Str(s) => Some(s.clone()),
            CExpr::Concat(parts) => {
                let mut out = String::new();
                for p in parts {
                    out.push_str(&self.eval_at(p, depth + 1)?);
                }
                Some(out)
            }
            CExpr::Path(p) => {
                let v = self.lookup_path(p, depth + 1)?;
                self.eval_at(&v, depth + 1)
            }
            CExpr::Obj(..) | CExpr::Unknown => None,
        }
    }

    fn lookup_path(&mut self, path: &[String], depth: u32) -> Option<CExpr> {
        if depth > 32 {
            return None;
        }
        let (head, mut rest) = path.split_first()?;
        let mut value = match self.lookup_scoped(head) {
            Some(b) => b.value.clone()?,
            None => {
                let facts = self.facts;
                match facts.consts.get(head.as_str()) {
                    Some(v) => v.clone(),
                    None if facts.imports.contains_key(head.as_str()) => {
                        let imp = &facts.imports[head.as_str()];
                        match &imp.imported {
                            Imported::Named(n) => self.linker.export(&imp.module, n)?,
                            Imported::Default => self.linker.export(&imp.module, "default")?,
                            Imported::Namespace => {
                                let (export, tail) = rest.split_first()?;
                                rest = tail;
                                self.linker.export(&imp.module, export)?
                            }
                        }
                    }
                    None if !facts.assigned.contains(head.as_str()) => {
                        facts.var_consts.get(head.as_str())?.clone()
                    }
                    None => return None,
                }
            }
        };
        for key in rest {
            value = self.member_value(value, key, depth + 1)?;
        }
        Some(value)
    }

    fn member_value(&mut self, value: CExpr, key: &str, depth: u32) -> Option<CExpr> {
        if depth > 32 {
            return None;
        }
        match value {
            CExpr::Obj(entries, spreads) => {
                if let Some((_, v)) = entries.iter().rev().find(|(k, _)| k == key) {
                    return Some(v.clone());
                }
                for s in spreads.iter().rev() {
                    let resolved = match s {
                        CExpr::Path(p) => self.lookup_path(p, depth + 1),
                        other => Some(other.clone()),
                    };
                    if let Some(found) = resolved.and_then(|r| self.member_value(r, key, depth + 1))
                    {
                        return Some(found);
                    }
                }
                None
            }
            CExpr::Path(p) => {
                let v = self.lookup_path(&p, depth + 1)?;
                self.member_value(v, key, depth + 1)
            }
            _ => None,
        }
    }
}

/// What a name's import makes it.
fn import_kind(imp: &Import) -> Kind {
    let fam = family(&imp.module);
    match fam {
        Family::SioServer => match &imp.imported {
            Imported::Default | Imported::Namespace => Kind::ServerFactory,
            Imported::Named(n) if n == "Server" || n == "default" => {
                if n == "Server" {
                    Kind::ServerClass
                } else {
                    Kind::ServerFactory
                }
            }
            Imported::Named(_) => Kind::Unknown,
        },
        Family::SioClient => match &imp.imported {
            Imported::Named(n) if n == "Manager" => Kind::ManagerClass,
            Imported::Named(n) if n == "Socket" => Kind::Unknown,
            Imported::Named(n) if n != "io" && n != "connect" && n != "default" => Kind::Unknown,
            _ => Kind::ClientFactory,
        },
        Family::SioEmitter => match &imp.imported {
            Imported::Named(n) if n == "Emitter" => Kind::ServerClass,
            Imported::Default | Imported::Namespace => Kind::ServerFactory,
            Imported::Named(_) => Kind::Unknown,
        },
        Family::OtherTransport | Family::NotSocket => Kind::Not,
        Family::Local
            if imp.imported == Imported::Default && local_module_is_socket(&imp.module) =>
        {
            Kind::Socket {
                side: None,
                ns: None,
            }
        }
        Family::Unknown => foreign(&imp.module),
        _ => Kind::Unknown,
    }
}

/// Values of an unrelated npm package are not sockets; a scoped package may be the project's
/// own workspace package (`@app/shared-socket`), so its names still decide.
fn foreign(module: &str) -> Kind {
    if module.starts_with('@') || module.to_ascii_lowercase().contains("socket") {
        Kind::Unknown
    } else {
        Kind::Foreign
    }
}

/// What `require('module')` evaluates to.
fn module_value(module: &str) -> Kind {
    match family(module) {
        Family::SioServer | Family::SioEmitter => Kind::ServerFactory,
        Family::SioClient => Kind::ClientFactory,
        Family::OtherTransport | Family::NotSocket => Kind::Not,
        Family::Local if local_module_is_socket(module) => Kind::Socket {
            side: None,
            ns: None,
        },
        Family::Unknown => foreign(module),
        _ => Kind::Unknown,
    }
}

/// What a type named `name` means when it comes from a module of family `fam`.
fn type_in_family(fam: Family, name: &str, server_evidence: bool) -> Kind {
    let socket_like = name == "Socket" || (name.ends_with("Socket") && !name.contains("WebSocket"));
    let server_like = matches!(name, "Server" | "Namespace" | "BroadcastOperator");
    match fam {
        Family::SioServer => {
            if socket_like || name == "RemoteSocket" {
                Kind::Socket {
                    side: Some(Side::Server),
                    ns: None,
                }
            } else if server_like {
                Kind::Server { ns: None }
            } else {
                Kind::Unknown
            }
        }
        Family::SioClient | Family::SioClientAux => {
            if socket_like {
                Kind::Socket {
                    side: Some(Side::Client),
                    ns: None,
                }
            } else if name == "Manager" {
                Kind::Manager
            } else {
                Kind::Unknown
            }
        }
        Family::SioEmitter | Family::SioServerAux | Family::SioOther => {
            if socket_like {
                Kind::Socket {
                    side: None,
                    ns: None,
                }
            } else if server_like {
                Kind::Server { ns: None }
            } else {
                Kind::Unknown
            }
        }
        Family::OtherTransport | Family::NotSocket => Kind::Not,
        Family::Local | Family::Unknown => {
            if name.contains("WebSocket") {
                Kind::Not
            } else if socket_like {
                Kind::Socket {
                    side: None,
                    ns: None,
                }
            } else if server_like && server_evidence {
                Kind::Server { ns: None }
            } else {
                Kind::Unknown
            }
        }
    }
}

/// `/admin` from `admin` (Socket.IO prefixes the slash).
pub(crate) fn normalize_namespace(ns: &str) -> String {
    if ns.starts_with('/') {
        ns.to_string()
    } else {
        format!("/{ns}")
    }
}

/// The namespace of a full client URL: its path, when not `/`.
fn url_path_namespace(url: &str) -> Option<String> {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            &after[after.find('/')?..]
        }
        None if url.starts_with("//") => {
            let after = &url[2..];
            &after[after.find('/')?..]
        }
        None if url.starts_with('/') => url,
        None => return None,
    };
    let path = rest
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if path.is_empty() {
        None
    } else {
        Some(path.to_string())
    }
}

/// The name a value is known by: `socket`, `socketRef.current` → `socketRef`, `this.io` → `io`.
pub(crate) fn val_name(v: &Val) -> Option<&str> {
    match v {
        Val::Ident(n) => Some(n),
        Val::Member(o, p) if p == "current" || p == "value" => val_name(o).or(Some(p)),
        Val::Member(_, p) => Some(p),
        _ => None,
    }
}

/// `a.b.c` for a pure identifier path.
fn val_path(v: &Val) -> Option<String> {
    match v {
        Val::Ident(n) => Some(n.clone()),
        Val::This => Some("this".to_string()),
        Val::Member(o, p) => Some(format!("{}.{p}", val_path(o)?)),
        _ => None,
    }
}

/// The name heuristic, applied to whatever the value is called.
fn name_fallback(v: &Val) -> Kind {
    match v {
        Val::Ident(n) => name_kind(n),
        Val::Member(o, p) if p == "current" || p == "value" => match val_name(o) {
            Some(n) => name_kind(n),
            None => Kind::Unknown,
        },
        Val::Member(o, p) => {
            if (p == "socket" || p == "connection") && val_name(o).is_some_and(is_http_object_name)
            {
                Kind::Unknown
            } else {
                name_kind(p)
            }
        }
        Val::Call(callee, _) => match callee.as_ref() {
            Val::Ident(f) => getter_kind(f),
            Val::Member(_, m) => getter_kind(m),
            _ => Kind::Unknown,
        },
        _ => Kind::Unknown,
    }
}

/// Keeps an export the project should know: a socket, a server or namespace, a client manager.
fn push_exported(out: &mut Vec<(String, Kind)>, name: String, kind: Kind) {
    // An instance of a project class or interface travels too: what a method declared
    // `connect(): Channel` returns is read elsewhere as `ch.socket`, `ch.call('x')`.
    if kind.is_site_receiver()
        || matches!(
            kind,
            Kind::Manager | Kind::Wrappers { .. } | Kind::Instance { .. }
        )
    {
        out.push((name, kind));
    }
}

/// `a.b.c` as the value it reads.
fn path_val(path: &[String]) -> Val {
    let mut parts = path.iter();
    let mut v = match parts.next() {
        Some(first) if first == "this" => Val::This,
        Some(first) => Val::Ident(first.clone()),
        None => return Val::Other,
    };
    for p in parts {
        v = Val::Member(Box::new(v), p.clone());
    }
    v
}

/// `app.config.globalProperties.$socket` (Vue 3) or `Vue.prototype.$socket` (Vue 2): the name
/// every component reads as `this.$socket`.
fn vue_global_property(path: &str) -> Option<&str> {
    let (owner, name) = path.rsplit_once('.')?;
    (name.starts_with('$')
        && (owner.ends_with(".config.globalProperties") || owner == "Vue.prototype"))
        .then_some(name)
}

/// `this`, `this.$root`, `this.$parent.$root`: a Vue component instance.
fn is_vue_instance(v: &Val) -> bool {
    match v {
        Val::This => true,
        Val::Member(o, p) => matches!(p.as_str(), "$root" | "$parent") && is_vue_instance(o),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_urls_name_namespaces() {
        assert_eq!(
            url_path_namespace("http://localhost:3000/admin"),
            Some("/admin".into())
        );
        assert_eq!(url_path_namespace("http://localhost:3000"), None);
        assert_eq!(url_path_namespace("https://x.io/"), None);
        assert_eq!(url_path_namespace("/chat?x=1"), Some("/chat".into()));
        assert_eq!(url_path_namespace("localhost:3000"), None);
    }
}
