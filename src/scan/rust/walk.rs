//! The walk over a parsed file: lexical scopes decide which receivers are sockets, and each
//! `emit`/`on` on a socket becomes a site.
//!
//! A receiver is a socket when its base is a name bound with a socket type (`SocketRef`,
//! `SocketIo`, `Operators`, `RawClient`…), bound from a socket expression (`s.clone()`,
//! `io.of("/x").unwrap()`, `SocketIo::new_layer()`), a struct field of such a type, the first
//! parameter of an `io.ns` handler, or, as a last resort, a conventional name (`socket`, `io`…)
//! in a file that imports socketioxide or rust_socketio.
//!
//! Namespaces come from `io.ns("/x", handler)`: sites inside a handler closure get `/x`
//! directly; sites inside a fn item get the namespaces its fn is registered under, propagated
//! through `.on(ev, fn)` handlers and helper calls that receive the socket.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::chain::{self, Base, Step};
use super::facts::{Facts, HandleType};
use super::resolve::static_str;
use super::shape::payload_shape;
use super::text::{position, source_of};
use crate::scan::wrappers::Table;
use crate::scan::{Lang, Role, Side, SideFrom, Site};

/// Names taken for sockets when nothing else is known, in files that import a Socket.IO crate.
const SERVER_NAMES: &[&str] = &["socket", "s", "io", "sock", "socket_ref"];
const CLIENT_NAMES: &[&str] = &["socket", "client", "s", "sock"];
/// Deeper macro nesting than this is not re-parsed (garbled or generated input).
const MAX_MACRO_DEPTH: usize = 16;

/// Every site in `file`, in source order per namespace.
pub fn sites(rel: &str, file: &syn::File, facts: &Facts, wrappers: &Table) -> Vec<Site> {
    let mut walker = Walker {
        rel,
        facts,
        file_side: facts.file_side(),
        scopes: vec![HashMap::new()],
        context: Context::Top,
        found: Vec::new(),
        roots: Vec::new(),
        edges: Vec::new(),
        macro_depth: 0,
        ack_fns: ack_fns(file),
        wrappers,
    };
    walker.visit_file(file);
    walker.finish()
}

/// A socket handle as the walk knows it.
#[derive(Clone, Debug)]
struct Handle {
    side: Side,
    /// `Some` when the handle fixes its namespace (`SocketIo`, `of("/x")`, a client builder's
    /// `namespace("/x")`); `None` when it is the handler's.
    namespace: Option<Option<String>>,
    room: Option<String>,
}

impl Handle {
    fn of_type(t: HandleType) -> Handle {
        Handle {
            side: t.side,
            namespace: t.io.then_some(None),
            room: None,
        }
    }
}

/// What a name in scope is known to be.
#[derive(Clone, Debug)]
enum Binding {
    Socket(Handle),
    NotSocket,
    Unknown,
}

/// Where the namespace of a site inside the current code comes from.
#[derive(Clone, Debug)]
enum Context {
    /// Outside any fn (statics, consts).
    Top,
    /// Inside an `io.ns("/x", |s| …)` handler closure.
    Namespace(Option<String>),
    /// Inside fn `name`: its namespaces are known once the whole file is walked.
    Fn(String),
}

/// A site whose namespace may still depend on the fn it sits in.
struct Found {
    site: Site,
    owner: Option<String>,
}

struct Walker<'f> {
    rel: &'f str,
    facts: &'f Facts,
    file_side: Option<Side>,
    scopes: Vec<HashMap<String, Binding>>,
    context: Context,
    found: Vec<Found>,
    /// `io.ns(ns, f)`: fn `f` handles namespace `ns`.
    roots: Vec<(String, Option<String>)>,
    /// fn `a` hands its socket to fn `b` (`.on(ev, b)`, `b(&socket)`).
    edges: Vec<(String, String)>,
    macro_depth: usize,
    /// Fns of this file that take an `AckSender`.
    ack_fns: std::collections::HashSet<String>,
    /// Wrappers declared in the catalog.
    wrappers: &'f Table,
}

impl Walker<'_> {
    /// A free function or a method: a scope of its own with its typed parameters bound, and its
    /// name as the context of the sites inside.
    fn visit_fn(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let saved = std::mem::replace(&mut self.context, Context::Fn(sig.ident.to_string()));
        self.in_scope(|w| {
            for input in &sig.inputs {
                if let syn::FnArg::Typed(pt) = input {
                    w.bind_pattern(&pt.pat, Some(&pt.ty), None);
                }
            }
            w.visit_block(block);
        });
        self.context = saved;
    }

    fn finish(self) -> Vec<Site> {
        let mut namespaces: HashMap<String, BTreeSet<Option<String>>> = HashMap::new();
        for (f, ns) in &self.roots {
            namespaces.entry(f.clone()).or_default().insert(ns.clone());
        }
        // Propagate along edges to a fixpoint; each round adds at least one namespace or stops.
        loop {
            let mut changed = false;
            for (from, to) in &self.edges {
                let Some(source) = namespaces.get(from).cloned() else {
                    continue;
                };
                let target = namespaces.entry(to.clone()).or_default();
                for ns in source {
                    changed |= target.insert(ns);
                }
            }
            if !changed {
                break;
            }
        }
        let mut sites = Vec::new();
        for found in self.found {
            match found.owner.as_ref().and_then(|f| namespaces.get(f)) {
                Some(set) if !set.is_empty() => {
                    for ns in set {
                        let mut site = found.site.clone();
                        site.namespace = ns.clone();
                        sites.push(site);
                    }
                }
                _ => sites.push(found.site),
            }
        }
        sites
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
    }

    fn bind(&mut self, name: String, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, binding);
        }
    }

    fn in_scope<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.scopes.push(HashMap::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    fn fallback_names(&self) -> &'static [&'static str] {
        match self.file_side {
            Some(Side::Server) => SERVER_NAMES,
            Some(Side::Client) => CLIENT_NAMES,
            None => &[],
        }
    }

    /// A handle for a conventional socket name in a file that imports a Socket.IO crate.
    fn by_name(&self, name: &str) -> Option<Handle> {
        let side = self.file_side?;
        self.fallback_names().contains(&name).then(|| Handle {
            side,
            // `io` is by convention the `SocketIo`, whose emits go to `/`.
            namespace: (side == Side::Server && name == "io").then_some(None),
            room: None,
        })
    }

    /// The handle a receiver expression stands for, and the call shape of its chain
    /// (`io.to()`); `None` when it is not a socket.
    fn handle_of(&self, expr: &syn::Expr) -> Option<(Handle, String)> {
        let chain = chain::decompose(expr)?;
        let (mut handle, mut call, builder) = match &chain.base {
            Base::Name(name) => {
                let handle = match self.lookup(name) {
                    Some(Binding::Socket(h)) => h.clone(),
                    Some(Binding::NotSocket) => return None,
                    Some(Binding::Unknown) | None => self.by_name(name)?,
                };
                (handle, name.clone(), false)
            }
            Base::Field { text, field } => {
                let handle = match self.facts.socket_field(field) {
                    Some(t) => Handle::of_type(t),
                    None => self.by_name(field)?,
                };
                (handle, text.clone(), false)
            }
            Base::Ctor(path) => {
                let (handle, name) = self.ctor_handle(path)?;
                (handle, name, true)
            }
        };
        for call_step in &chain.calls {
            let first_arg = call_step.args.first().copied();
            match chain::step(&call_step.method, builder) {
                Step::Room => {
                    if handle.room.is_none() {
                        handle.room = first_arg.map(source_of);
                    }
                    call.push_str(&format!(".{}()", call_step.method));
                }
                Step::Of if handle.side == Side::Server => {
                    handle.namespace = Some(first_arg.and_then(|a| self.namespace_name(a)));
                    call.push_str(".of()");
                }
                Step::ClientNamespace if handle.side == Side::Client => {
                    handle.namespace = Some(first_arg.and_then(|a| self.namespace_name(a)));
                }
                Step::Keep => call.push_str(&format!(".{}()", call_step.method)),
                Step::Transparent => {}
                Step::Of | Step::ClientNamespace | Step::Leave => return None,
            }
        }
        Some((handle, call))
    }

    /// `SocketIo::new_layer()`/`SocketIo::builder()…` or rust_socketio's `ClientBuilder::new()`.
    fn ctor_handle(&self, path: &syn::Path) -> Option<(Handle, String)> {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let has = |n: &str| names.iter().any(|s| s == n);
        if has("SocketIo") {
            let handle = Handle::of_type(HandleType::io());
            return Some((handle, "SocketIo".to_string()));
        }
        let client_crate = self.file_side == Some(Side::Client) || has("rust_socketio");
        if has("ClientBuilder") && client_crate {
            let handle = Handle {
                side: Side::Client,
                namespace: None,
                room: None,
            };
            return Some((handle, "ClientBuilder".to_string()));
        }
        None
    }

    /// A namespace argument: its static value, `/` normalised to `None` (the default
    /// namespace, as the catalog leaves it unnamed); `None` when not static.
    fn namespace_name(&self, expr: &syn::Expr) -> Option<String> {
        static_str(expr, self.facts).filter(|ns| ns != "/")
    }

    /// The namespace a site gets from its handle or the code it sits in, and the fn whose
    /// registrations decide it later.
    fn namespace_for(&self, handle: &Handle) -> (Option<String>, Option<String>) {
        if let Some(ns) = &handle.namespace {
            return (ns.clone(), None);
        }
        match &self.context {
            Context::Top => (None, None),
            Context::Namespace(ns) => (ns.clone(), None),
            Context::Fn(f) => (None, Some(f.clone())),
        }
    }

    fn record(
        &mut self,
        role: Role,
        handle: &Handle,
        call: String,
        event_arg: Option<&syn::Expr>,
        fixed_event: Option<(&str, Span)>,
        payload: Option<&syn::Expr>,
    ) -> Option<&mut Site> {
        let (event, dynamic, expr, span) = match (event_arg, fixed_event) {
            (_, Some((name, span))) => (Some(name.to_string()), false, None, span),
            (Some(arg), None) => match static_str(arg, self.facts) {
                Some(name) => (Some(name), false, None, arg.span()),
                None => (None, true, Some(source_of(arg)), arg.span()),
            },
            (None, None) => return None,
        };
        let (line, column) = position(span);
        let (namespace, owner) = self.namespace_for(handle);
        let payload = match role {
            Role::Emit => payload.and_then(|p| payload_shape(p, &self.facts.serde)),
            Role::Listen => None,
        };
        self.found.push(Found {
            site: Site {
                event,
                role,
                direction: None,
                side: Some(handle.side),
                side_from: Some(SideFrom::Flow),
                declared_side: None,
                evidence: Vec::new(),
                file: self.rel.to_string(),
                line,
                column,
                call,
                room: handle.room.clone(),
                namespace,
                dynamic,
                lang: Lang::Rust,
                via: None,
                ack: false,
                candidates: None,
                expr,
                payload,
            },
            owner,
        });
        self.found.last_mut().map(|f| &mut f.site)
    }

    /// Note that fn `target` receives the socket of the current code.
    fn link(&mut self, target: &syn::Expr) {
        let syn::Expr::Path(p) = target else { return };
        let Some(last) = p.path.segments.last() else {
            return;
        };
        let to = last.ident.to_string();
        match &self.context {
            Context::Namespace(ns) => self.roots.push((to, ns.clone())),
            Context::Fn(from) => self.edges.push((from.clone(), to)),
            Context::Top => {}
        }
    }

    /// Bind the names of a parameter or `let` pattern.
    fn bind_pattern(&mut self, pat: &syn::Pat, ty: Option<&syn::Type>, forced: Option<Handle>) {
        let binding = match (ty, forced) {
            (_, Some(handle)) => Binding::Socket(handle),
            (Some(ty), None) => match self.facts.socket_type(ty) {
                Some(t) => Binding::Socket(Handle::of_type(t)),
                None => Binding::NotSocket,
            },
            (None, None) => Binding::Unknown,
        };
        match pat {
            syn::Pat::Type(pt) => self.bind_pattern(&pt.pat, Some(&pt.ty), None),
            syn::Pat::Ident(i) => self.bind(i.ident.to_string(), binding),
            // `State(io): State<SocketIo>`: the type's wrapper is unwrapped by `socket_type`.
            syn::Pat::TupleStruct(t) if t.elems.len() == 1 => {
                self.bind_pattern(&t.elems[0], None, None);
                if let syn::Pat::Ident(i) = &t.elems[0] {
                    self.bind(i.ident.to_string(), binding);
                }
            }
            syn::Pat::Reference(r) => self.bind_pattern(&r.pat, None, None),
            other => {
                let mut names = Names::default();
                names.visit_pat(other);
                let neutral = match binding {
                    Binding::Socket(_) => Binding::Unknown,
                    other => other,
                };
                for name in names.0 {
                    self.bind(name, neutral.clone());
                }
            }
        }
    }

    /// Visit a closure passed as a handler: parameter `socket_param` (if any) is `handle`, and
    /// the closure's sites take their namespace from `context` when one is given.
    fn visit_handler(
        &mut self,
        closure: &syn::ExprClosure,
        socket_param: Option<(usize, Handle)>,
        context: Option<Context>,
    ) {
        let saved = context.map(|c| std::mem::replace(&mut self.context, c));
        self.in_scope(|w| {
            for (i, input) in closure.inputs.iter().enumerate() {
                let forced = match &socket_param {
                    Some((index, handle)) if *index == i => Some(handle.clone()),
                    _ => None,
                };
                let forced = match (input, forced) {
                    // A typed parameter says what it is, unless the type is a plain socket type.
                    (syn::Pat::Type(pt), Some(h)) if w.facts.socket_type(&pt.ty).is_some() => {
                        w.bind_pattern(&pt.pat, Some(&pt.ty), Some(h));
                        continue;
                    }
                    (syn::Pat::Type(_), Some(_)) => None,
                    (_, forced) => forced,
                };
                w.bind_pattern(input, None, forced);
            }
            w.visit_expr(&closure.body);
        });
        if let Some(saved) = saved {
            self.context = saved;
        }
    }

    /// Visit a handler argument of `handle`: a closure with its context, a fn path linked to
    /// the handle's namespace (when fixed, as on a client builder) or to the current code's,
    /// anything else walked as usual.
    fn visit_handler_arg(
        &mut self,
        arg: &syn::Expr,
        handle: &Handle,
        socket_param: Option<(usize, Handle)>,
    ) {
        match (strip_wrappers(arg), &handle.namespace) {
            (syn::Expr::Closure(c), _) => self.visit_handler(c, socket_param, None),
            (syn::Expr::Path(p), Some(ns)) => {
                if let Some(last) = p.path.segments.last() {
                    self.roots.push((last.ident.to_string(), ns.clone()));
                }
            }
            (path @ syn::Expr::Path(_), None) => self.link(path),
            (other, _) => self.visit_expr(other),
        }
    }

    /// A call of a declared wrapper: a site named by its event argument.
    fn wrapper_call(
        &mut self,
        name: &str,
        receiver: Option<String>,
        args: &[&syn::Expr],
        call: &str,
    ) {
        let Some(w) = self.wrappers.get(name).filter(|w| w.declared) else {
            return;
        };
        // `Hub.publish` matches `hub.publish(…)`, `self.hub.publish(…)`, `Hub::publish(…)`.
        if let Some(want) = &w.receiver {
            let norm = |s: &str| s.replace('_', "").to_ascii_lowercase();
            if receiver.as_deref().map(norm) != Some(norm(want)) {
                return;
            }
        }
        let Some(arg) = args.get(w.event_arg) else {
            return;
        };
        let (event, dynamic, expr) = match static_str(arg, self.facts) {
            Some(name) => (Some(name), false, None),
            None => (None, true, Some(source_of(*arg))),
        };
        let (line, column) = position(arg.span());
        let payload = match w.role {
            Role::Emit => args
                .iter()
                .enumerate()
                .find(|(i, _)| *i > w.event_arg && Some(*i) != w.room_arg)
                .and_then(|(_, p)| payload_shape(p, &self.facts.serde)),
            Role::Listen => None,
        };
        self.found.push(Found {
            site: Site {
                event,
                role: w.role,
                direction: None,
                side: w.side.or(self.file_side),
                side_from: None,
                declared_side: None,
                evidence: Vec::new(),
                file: self.rel.to_string(),
                line,
                column,
                call: call.trim_start_matches('.').to_string(),
                room: w.room_arg.and_then(|i| args.get(i)).map(|r| source_of(*r)),
                namespace: None,
                dynamic,
                lang: Lang::Rust,
                via: Some(w.function.clone()),
                ack: w.ack,
                candidates: None,
                expr,
                payload,
            },
            owner: None,
        });
    }

    /// True when a handler takes socketioxide's `AckSender`: a closure with such a parameter, or
    /// a fn of this file whose signature has one.
    fn takes_ack(&self, handler: &syn::Expr) -> bool {
        match strip_wrappers(handler) {
            syn::Expr::Closure(c) => c.inputs.iter().any(|p| match p {
                syn::Pat::Type(pt) => mentions_ack_sender(&pt.ty),
                _ => false,
            }),
            syn::Expr::Path(p) => p
                .path
                .segments
                .last()
                .is_some_and(|s| self.ack_fns.contains(&s.ident.to_string())),
            _ => false,
        }
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> bool {
        let method = m.method.to_string();
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let interesting = match method.as_str() {
            "emit" | "emit_with_ack" => !args.is_empty(),
            "on" | "once" => args.len() == 2,
            "on_disconnect" => args.len() == 1,
            "ns" | "dyn_ns" => args.len() == 2,
            _ => false,
        };
        if !interesting {
            return false;
        }
        let Some((handle, prefix)) = self.handle_of(&m.receiver) else {
            return false;
        };
        let call = format!("{prefix}.{method}");
        self.visit_expr(&m.receiver);
        match method.as_str() {
            "emit" | "emit_with_ack" => {
                if let Some(site) = self.record(
                    Role::Emit,
                    &handle,
                    call,
                    Some(args[0]),
                    None,
                    args.get(1).copied(),
                ) {
                    site.ack = method == "emit_with_ack";
                }
                for arg in args {
                    self.visit_expr(arg);
                }
            }
            "on" | "once" => {
                let ack = self.takes_ack(args[1]);
                if let Some(site) =
                    self.record(Role::Listen, &handle, call, Some(args[0]), None, None)
                {
                    site.ack = ack;
                }
                self.visit_expr(args[0]);
                // rust_socketio callbacks get `(payload, socket)`.
                let socket_param = (handle.side == Side::Client).then(|| {
                    let mut h = handle.clone();
                    h.room = None;
                    (1, h)
                });
                self.visit_handler_arg(args[1], &handle, socket_param);
            }
            "on_disconnect" => {
                let fixed = Some(("disconnect", m.method.span()));
                self.record(Role::Listen, &handle, call, None, fixed, None);
                self.visit_handler_arg(args[0], &handle, None);
            }
            _ => self.namespace_handler(&handle, &args),
        }
        true
    }

    /// `io.ns("/x", handler)`: the handler's socket parameter and sites belong to `/x`.
    fn namespace_handler(&mut self, handle: &Handle, args: &[&syn::Expr]) {
        self.visit_expr(args[0]);
        if handle.side != Side::Server {
            self.visit_expr(args[1]);
            return;
        }
        let ns = self.namespace_name(args[0]);
        let socket = Handle {
            side: Side::Server,
            namespace: None,
            room: None,
        };
        match strip_wrappers(args[1]) {
            syn::Expr::Closure(c) => {
                self.visit_handler(c, Some((0, socket)), Some(Context::Namespace(ns)))
            }
            syn::Expr::Path(p) => {
                if let Some(last) = p.path.segments.last() {
                    self.roots.push((last.ident.to_string(), ns));
                }
            }
            other => self.visit_expr(other),
        }
    }

    /// Parse a macro's tokens as statements, then as comma-separated expressions, then group
    /// by group, so that sites inside `tokio::select!`, `info!` or custom macros are found.
    fn visit_macro_tokens(&mut self, tokens: TokenStream) {
        if self.macro_depth >= MAX_MACRO_DEPTH || tokens.is_empty() {
            return;
        }
        self.macro_depth += 1;
        if let Ok(stmts) = syn::Block::parse_within.parse2(tokens.clone()) {
            self.in_scope(|w| {
                for stmt in &stmts {
                    w.visit_stmt(stmt);
                }
            });
        } else if let Ok(exprs) =
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
                .parse2(tokens.clone())
        {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else {
            for tree in tokens {
                if let TokenTree::Group(group) = tree {
                    if group.delimiter() != Delimiter::None || !group.stream().is_empty() {
                        self.visit_macro_tokens(group.stream());
                    }
                }
            }
        }
        self.macro_depth -= 1;
    }
}

/// `Box::new(handler)`, `move` wrappers and parentheses around a handler.
/// The name a method's receiver goes by: `hub`, `self.hub` → `hub`.
fn receiver_name(expr: &syn::Expr) -> Option<String> {
    match strip_wrappers(expr) {
        syn::Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => Some(id.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        syn::Expr::Reference(r) => receiver_name(&r.expr),
        _ => None,
    }
}

/// True when a type names `AckSender` (also `socketioxide::extract::AckSender`).
fn mentions_ack_sender(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "AckSender"),
        syn::Type::Reference(r) => mentions_ack_sender(&r.elem),
        _ => false,
    }
}

/// Names of the fns (free or in impls) of `file` that take an `AckSender`, so that a handler
/// passed by name (`socket.on("x", on_x)`) shows its ack.
fn ack_fns(file: &syn::File) -> std::collections::HashSet<String> {
    fn takes(sig: &syn::Signature) -> bool {
        sig.inputs.iter().any(|i| match i {
            syn::FnArg::Typed(pt) => mentions_ack_sender(&pt.ty),
            syn::FnArg::Receiver(_) => false,
        })
    }
    let mut out = std::collections::HashSet::new();
    for item in &file.items {
        match item {
            syn::Item::Fn(f) if takes(&f.sig) => {
                out.insert(f.sig.ident.to_string());
            }
            syn::Item::Impl(i) => {
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        if takes(&f.sig) {
                            out.insert(f.sig.ident.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn strip_wrappers(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(p) => strip_wrappers(&p.expr),
        syn::Expr::Group(g) => strip_wrappers(&g.expr),
        syn::Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "new") => {
                strip_wrappers(&c.args[0])
            }
            _ => expr,
        },
        _ => expr,
    }
}

/// Values that are never a socket: literals, struct and array literals, unit structs
/// (`Emitter`), arithmetic, closures and formatting macros.
fn plainly_not_a_socket(init: &syn::Expr) -> bool {
    match init {
        syn::Expr::Lit(_)
        | syn::Expr::Struct(_)
        | syn::Expr::Array(_)
        | syn::Expr::Tuple(_)
        | syn::Expr::Binary(_)
        | syn::Expr::Range(_)
        | syn::Expr::Closure(_)
        | syn::Expr::Repeat(_) => true,
        syn::Expr::Macro(m) => m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "format" | "vec" | "json")),
        syn::Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident.to_string().starts_with(char::is_uppercase)),
        syn::Expr::Reference(r) => plainly_not_a_socket(&r.expr),
        syn::Expr::Paren(p) => plainly_not_a_socket(&p.expr),
        _ => false,
    }
}

/// Every name a pattern binds.
#[derive(Default)]
struct Names(Vec<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_pat_ident(&mut self, node: &'ast syn::PatIdent) {
        self.0.push(node.ident.to_string());
        visit::visit_pat_ident(self, node);
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        self.visit_fn(&node.sig, &node.block);
    }

    fn visit_impl_item_fn(&mut self, node: &'ast syn::ImplItemFn) {
        self.visit_fn(&node.sig, &node.block);
    }

    fn visit_block(&mut self, node: &'ast syn::Block) {
        self.in_scope(|w| visit::visit_block(w, node));
    }

    fn visit_local(&mut self, node: &'ast syn::Local) {
        if let Some(init) = &node.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        let init = node.init.as_ref().map(|i| &*i.expr);
        match (&node.pat, init) {
            (syn::Pat::Type(_), _) | (_, None) => self.bind_pattern(&node.pat, None, None),
            (syn::Pat::Ident(i), Some(init)) => {
                let binding = match self.handle_of(init) {
                    Some((handle, _)) => Binding::Socket(handle),
                    None if plainly_not_a_socket(init) => Binding::NotSocket,
                    None => Binding::Unknown,
                };
                self.bind(i.ident.to_string(), binding);
            }
            // `let (layer, io) = SocketIo::new_layer();` binds the last element.
            (syn::Pat::Tuple(t), Some(init)) => {
                let handle = self.handle_of(init).map(|(h, _)| h);
                self.bind_pattern(&node.pat, None, None);
                if let (Some(handle), Some(syn::Pat::Ident(last))) = (handle, t.elems.last()) {
                    self.bind(last.ident.to_string(), Binding::Socket(handle));
                }
            }
            // `let Some(ns) = io.of("/x") else { … }`
            (syn::Pat::TupleStruct(t), Some(init)) if t.elems.len() == 1 => {
                let handle = self.handle_of(init).map(|(h, _)| h);
                self.bind_pattern(&node.pat, None, None);
                if let (Some(handle), syn::Pat::Ident(inner)) = (handle, &t.elems[0]) {
                    self.bind(inner.ident.to_string(), Binding::Socket(handle));
                }
            }
            (pat, Some(_)) => self.bind_pattern(pat, None, None),
        }
    }

    fn visit_expr_let(&mut self, node: &'ast syn::ExprLet) {
        self.visit_expr(&node.expr);
        // `if let Some(admin) = io.of("/admin")`: the binding leaks past the `if`, which only
        // matters if the name is reused for something else.
        self.bind_pattern(&node.pat, None, None);
        if let syn::Pat::TupleStruct(t) = &*node.pat {
            if let (Some((handle, _)), [syn::Pat::Ident(inner)]) = (
                self.handle_of(&node.expr),
                t.elems.iter().collect::<Vec<_>>().as_slice(),
            ) {
                self.bind(inner.ident.to_string(), Binding::Socket(handle));
            }
        }
    }

    fn visit_expr_closure(&mut self, node: &'ast syn::ExprClosure) {
        self.visit_handler(node, None, None);
    }

    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        let args: Vec<&syn::Expr> = node.args.iter().collect();
        let receiver = receiver_name(&node.receiver);
        self.wrapper_call(
            &node.method.to_string(),
            receiver,
            &args,
            &format!(".{}", node.method),
        );
        if !self.method_call(node) {
            visit::visit_expr_method_call(self, node);
        }
    }

    fn visit_expr_call(&mut self, node: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*node.func {
            if let Some(last) = p.path.segments.last() {
                let args: Vec<&syn::Expr> = node.args.iter().collect();
                let name = last.ident.to_string();
                let n = p.path.segments.len();
                let receiver = (n >= 2).then(|| p.path.segments[n - 2].ident.to_string());
                self.wrapper_call(&name, receiver, &args, &name);
            }
        }
        // `helper(&socket, …)` in a handler: the helper's sites share the handler's namespace.
        let passes_socket = node.args.iter().any(|arg| {
            self.handle_of(arg)
                .is_some_and(|(h, _)| h.namespace.is_none() && h.side == Side::Server)
        });
        if passes_socket {
            self.link(&node.func);
        }
        visit::visit_expr_call(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        let name = node.path.segments.last().map(|s| s.ident.to_string());
        if matches!(name.as_deref(), Some("macro_rules" | "json")) {
            return;
        }
        self.visit_macro_tokens(node.tokens.clone());
    }

    fn visit_item_macro(&mut self, node: &'ast syn::ItemMacro) {
        // `macro_rules!` bodies are templates with `$x` fragments, not code.
        if node.ident.is_none() {
            self.visit_macro(&node.mac);
        }
    }
}
