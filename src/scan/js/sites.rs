//! Second pass: walks the program with scoped bindings and turns every Socket.IO emit and
//! listen into a [`Site`].

use rustc_hash::FxHashMap as HashMap;

use oxc_ast::ast::*;
use oxc_ast::AstKind;
use oxc_ast_visit::{walk, Visit};
use oxc_span::GetSpan;

use crate::scan::wrappers::{matchable, Inferred, Table, Wrapper};
use crate::scan::{Lang, Role, Shape, Side, SideFrom, Site};

use super::chain::{render, split, text_of, Op};
use super::collect::Facts;
use super::flow::{FileFlow, Project, Seed};
use super::lines::LineIndex;
use super::link::Linker;
use super::model::{Kind, Val};
use super::resolve::{normalize_namespace, Binding, Env};
use super::shape::literal_shape;
use super::summary::{cexpr_of, decorator_name, literal_union, type_refs, val_of};

/// Longest `expr` kept for a dynamic event name.
const MAX_EXPR: usize = 200;

/// What the second pass produced.
pub(crate) struct Found {
    /// Sites in source order.
    pub(crate) sites: Vec<Site>,
    /// Calls only a server makes (`socket.join`, broadcasts, gateways).
    pub(crate) server_api: u32,
    /// Calls only a client makes (`io(url)`, `socket.io.on`, `socket.connect()`).
    pub(crate) client_api: u32,
    /// Functions whose parameter is the event name of a site inside them, and dispatchers:
    /// functions handed the event name of a catch-all listener.
    pub(crate) wrappers: Vec<Inferred>,
    /// What this file tells the project about socket values (crate::scan::js::flow).
    pub(crate) flow: FileFlow,
}

/// What a file's walk knows from the rest of the project.
pub(crate) struct Known<'f> {
    /// Wrappers declared in the catalog or inferred so far.
    pub(crate) wrappers: &'f Table,
    /// Socket values other files export and pass (crate::scan::js::flow).
    pub(crate) project: &'f Project,
    /// What this file passes to its own functions, learnt by its previous walk.
    pub(crate) own: &'f Project,
}

/// Finds the sites of one parsed program.
pub(crate) fn find<'f>(
    program: &Program<'_>,
    facts: &'f Facts,
    linker: Linker<'f>,
    text: &str,
    lines: &LineIndex<'_>,
    rel: &'f str,
    known: Known<'f>,
) -> Found {
    let vue_file = rel.to_ascii_lowercase().ends_with(".vue")
        || facts
            .imports
            .values()
            .any(|i| i.module == "vue" || i.module.starts_with("vue-socket.io"));
    let env = Env::new(facts, linker, known.project, known.own, rel);
    let mut finder = Finder::new(text, lines, rel, env, known.wrappers, vue_file);
    finder.visit_program(program);
    if finder.env.learnt.late {
        // A socket stored in a field or container below the code that reads it: walk again,
        // knowing from the start what the container holds.
        let learnt = std::mem::take(&mut finder.env.learnt);
        let mut env = Env::new(
            facts,
            finder.env.into_linker(),
            known.project,
            known.own,
            rel,
        );
        env.replay(&learnt);
        finder = Finder::new(text, lines, rel, env, known.wrappers, vue_file);
        finder.visit_program(program);
    }
    finder.found.flow.exports = finder.env.exported_kinds();
    finder.export_wrapper_objects();
    finder.found.flow.deps = finder.project_deps();
    let mut found = finder.found;
    found.sites.sort_by_key(|s| (s.line, s.column));
    found
        .sites
        .dedup_by(|a, b| a.line == b.line && a.column == b.column && a.role == b.role);
    found
}

struct Finder<'s, 'f> {
    text: &'s str,
    lines: &'s LineIndex<'s>,
    rel: &'s str,
    env: Env<'f>,
    /// Function span start → kinds of its parameters, set by the call that registers it.
    pending: HashMap<u32, Vec<Kind>>,
    class_counter: usize,
    decl_kind: Option<VariableDeclarationKind>,
    vue_file: bool,
    /// Function span starts of NestJS `@SubscribeMessage` handlers.
    ws_handlers: rustc_hash::FxHashSet<u32>,
    /// Per enclosing function: is it a `@SubscribeMessage` handler (whose `return { event, data }`
    /// emits)?
    handler_stack: Vec<bool>,
    /// Wrappers known before this walk (declared, inferred elsewhere or in an earlier walk).
    known: &'f Table,
    /// The module, then each enclosing function, innermost last.
    frames: Vec<Frame>,
    /// Function span start → the name it is bound to (`const f = () => …`, methods).
    fn_names: HashMap<u32, String>,
    /// Function span start → the dispatch it performs (an `onAny` callback).
    pending_dispatch: HashMap<u32, Dispatch>,
    /// Function span start → candidate names of its first parameter (`[..].forEach(e => …)`).
    pending_cands: HashMap<u32, Vec<String>>,
    /// Seeded parameters of the function whose parameters are being bound (see `Frame::seeded`).
    pending_seeded: HashMap<String, String>,
    /// Function span starts bound by a variable inside another function (`Frame::local`).
    local_fns: rustc_hash::FxHashSet<u32>,
    found: Found,
}

impl<'s, 'f> Finder<'s, 'f> {
    fn new(
        text: &'s str,
        lines: &'s LineIndex<'s>,
        rel: &'s str,
        env: Env<'f>,
        known: &'f Table,
        vue_file: bool,
    ) -> Self {
        Finder {
            text,
            lines,
            rel,
            env,
            pending: HashMap::default(),
            class_counter: 0,
            decl_kind: None,
            vue_file,
            ws_handlers: rustc_hash::FxHashSet::default(),
            handler_stack: Vec::new(),
            known,
            frames: vec![Frame::default()],
            fn_names: HashMap::default(),
            pending_dispatch: HashMap::default(),
            pending_cands: HashMap::default(),
            pending_seeded: HashMap::default(),
            local_fns: rustc_hash::FxHashSet::default(),
            found: Found {
                sites: Vec::new(),
                server_api: 0,
                client_api: 0,
                wrappers: Vec::new(),
                flow: FileFlow::default(),
            },
        }
    }
}

/// What the walk knows about one enclosing function.
#[derive(Default)]
struct Frame {
    /// The name the function is bound to, if any.
    name: Option<String>,
    /// Parameter names (`None` for destructured ones), in order.
    params: Vec<Option<String>>,
    /// Names whose value is one of a finite set of strings.
    cands: HashMap<String, Vec<String>>,
    /// `const x = { … }` in this function: the payload shape an emit of `x` sends.
    shapes: HashMap<String, Shape>,
    /// Set when the function compares an event-name parameter with literals.
    dispatch: Option<Dispatch>,
    /// Parameters that receive a socket from callers in the project, with where from (for
    /// `scan --explain`).
    seeded: HashMap<String, String>,
    /// Bound by a local `const f = (…) => …` inside another function: not a method of the
    /// enclosing class, though it is written in one.
    local: bool,
    /// The declared return type's name (`dial(name): Channel`).
    returns: Option<String>,
}

/// A function whose parameter carries the name of an event it handles.
#[derive(Clone)]
struct Dispatch {
    /// Index of the event-name parameter.
    param: usize,
    /// What the sites report as `via`.
    via: String,
    /// The call shape reported (`socket.onAny`).
    call: String,
    side: Option<Side>,
}

/// Names a handler's last parameter takes when it is the acknowledgement callback.
fn is_ack_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "cb" | "fn" | "done" | "ack" | "respond" | "reply" | "callback" | "acknowledge"
    ) || lower.starts_with("ack")
        || lower.ends_with("callback")
        || lower.ends_with("ack")
}

/// True when a handler function takes an acknowledgement callback as its last parameter.
fn handler_has_ack(expr: Option<&Expression<'_>>) -> bool {
    let params = match expr.map(Expression::get_inner_expression) {
        Some(Expression::ArrowFunctionExpression(a)) => &a.params,
        Some(Expression::FunctionExpression(f)) => &f.params,
        _ => return false,
    };
    let Some(last) = params.items.last() else {
        return false;
    };
    if let Some(t) = &last.type_annotation {
        if matches!(t.type_annotation, TSType::TSFunctionType(_)) {
            return true;
        }
    }
    match &last.pattern {
        BindingPattern::BindingIdentifier(id) => is_ack_name(&id.name),
        _ => false,
    }
}

fn is_function(expr: Option<&Expression<'_>>) -> bool {
    matches!(
        expr.map(Expression::get_inner_expression),
        Some(Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_))
    )
}

/// The strings of an array literal made only of string literals.
fn string_array(expr: &Expression<'_>) -> Option<Vec<String>> {
    let Expression::ArrayExpression(a) = expr.get_inner_expression() else {
        return None;
    };
    let mut out = Vec::new();
    for el in &a.elements {
        match el.as_expression().map(Expression::get_inner_expression) {
            Some(Expression::StringLiteral(s)) => out.push(s.value.to_string()),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn function_start(expr: &Expression<'_>) -> Option<u32> {
    match expr.get_inner_expression() {
        Expression::ArrowFunctionExpression(a) => Some(a.span.start),
        Expression::FunctionExpression(f) => Some(f.span.start),
        _ => None,
    }
}

/// The event a site names.
enum EventName {
    Known(String),
    /// The expression text, and the finite set of names it can take when known.
    Dynamic(String, Option<Vec<String>>),
}

struct NewSite {
    at: u32,
    event: EventName,
    role: Role,
    side: Option<Side>,
    call: String,
    room: Option<String>,
    namespace: Option<String>,
    payload: Option<crate::scan::Shape>,
    via: Option<String>,
    ack: bool,
}

impl Finder<'_, '_> {
    fn push(&mut self, s: NewSite) {
        let (line, column) = self.lines.position(s.at as usize);
        let (event, dynamic, expr, candidates) = match s.event {
            EventName::Known(e) => (Some(e), false, None, None),
            // One possible name is that name (`for (const e of ['config.update'])`).
            EventName::Dynamic(_, Some(mut c)) if c.len() == 1 => (c.pop(), false, None, None),
            EventName::Dynamic(x, c) => (None, true, Some(x), c),
        };
        let side = s.side;
        match side {
            Some(Side::Server) => self.found.server_api += 1,
            Some(Side::Client) => self.found.client_api += 1,
            None => {}
        }
        self.found.sites.push(Site {
            event,
            role: s.role,
            direction: None,
            side,
            side_from: side.map(|_| SideFrom::Flow),
            declared_side: None,
            evidence: self.evidence_for(&s.call),
            file: self.rel.to_string(),
            line,
            column,
            call: s.call,
            room: s.room,
            namespace: s.namespace,
            dynamic,
            lang: Lang::Js,
            via: s.via,
            ack: s.ack,
            candidates,
            expr,
            payload: s.payload,
        });
    }

    fn event_name(&mut self, arg: &Argument<'_>) -> EventName {
        let Some(expr) = arg.as_expression() else {
            return EventName::Dynamic(clip(text_of(self.text, arg)), None);
        };
        self.event_of(expr)
    }

    fn event_of(&mut self, expr: &Expression<'_>) -> EventName {
        match self.env.eval(&cexpr_of(expr)) {
            Some(name) => EventName::Known(name),
            None => EventName::Dynamic(clip(text_of(self.text, expr)), self.candidates(expr)),
        }
    }

    /// The finite set of names an identifier can hold, when the code shows it.
    fn candidates(&self, expr: &Expression<'_>) -> Option<Vec<String>> {
        let key = path_key(expr)?;
        let mut c = self
            .frames
            .iter()
            .rev()
            .find_map(|f| f.cands.get(key.as_str()))?
            .clone();
        c.sort();
        c.dedup();
        Some(c)
    }

    /// What an `if` test proves about a name or path: `x === "a"`, `"a" == x`, and `||` of
    /// such tests on the same subject.
    fn narrowing(&mut self, test: &Expression<'_>) -> Option<(String, Vec<String>)> {
        match test.get_inner_expression() {
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
                let (a, mut left) = self.narrowing(&l.left)?;
                let (b, right) = self.narrowing(&l.right)?;
                (a == b).then(|| {
                    left.extend(right);
                    (a, left)
                })
            }
            Expression::BinaryExpression(b)
                if matches!(
                    b.operator,
                    BinaryOperator::StrictEquality | BinaryOperator::Equality
                ) =>
            {
                let (subject, label) = match path_key(&b.left) {
                    Some(k) => (k, &b.right),
                    None => (path_key(&b.right)?, &b.left),
                };
                let label = self.env.eval(&cexpr_of(label))?;
                Some((subject, vec![label]))
            }
            _ => None,
        }
    }

    /// The strings of an array literal, or of a `const` bound to one.
    fn array_names(&self, expr: &Expression<'_>) -> Option<Vec<String>> {
        if let Expression::Identifier(id) = expr.get_inner_expression() {
            let key = format!("[]{}", id.name);
            return self
                .frames
                .iter()
                .rev()
                .find_map(|f| f.cands.get(&key))
                .cloned();
        }
        string_array(expr)
    }

    /// The payload shape of an argument: a literal, or a `const` bound to one in scope.
    fn payload_of(&self, expr: Option<&Expression<'_>>) -> Option<Shape> {
        let expr = expr?;
        if let Expression::Identifier(id) = expr.get_inner_expression() {
            return self
                .frames
                .iter()
                .rev()
                .find_map(|f| f.shapes.get(id.name.as_str()))
                .cloned();
        }
        literal_shape(expr)
    }

    /// When a site's event name is a parameter of an enclosing named function, that function is
    /// a wrapper: its callers name the events. Records it, with the site's position.
    fn note_wrapper(
        &mut self,
        expr: Option<&Expression<'_>>,
        role: Role,
        side: Option<Side>,
        room: Option<&str>,
        at: u32,
        ack: bool,
    ) {
        let Some(Expression::Identifier(id)) = expr.map(Expression::get_inner_expression) else {
            return;
        };
        let name = id.name.as_str();
        // The innermost function with that parameter; a nested callback's own parameters
        // shadow the outer ones.
        let Some(frame) = self
            .frames
            .iter()
            .rev()
            .find(|f| f.params.iter().any(|p| p.as_deref() == Some(name)))
        else {
            return;
        };
        let Some(function) = frame.name.clone() else {
            return;
        };
        // An emitter-named method (`emit(evt, data)`) is recorded with its class only: its
        // calls are the receiver rules' business. An emitter-named plain function (`const send =
        // (evt, data) => socket.emit(evt, data)`) is kept for this file's own plain calls.
        let class = if matchable(&function) || self.env.class_stack.is_empty() || frame.local {
            None
        } else {
            let Some(&idx) = self.env.class_stack.last() else {
                return;
            };
            match self.env.facts.classes.get(idx).and_then(|c| c.name.clone()) {
                Some(n) => Some(n),
                None => return,
            }
        };
        let Some(event_arg) = frame.params.iter().position(|p| p.as_deref() == Some(name)) else {
            return;
        };
        // The room parameter: the one the room expression is (`to(room)`); a room built from
        // parameters (`` to(`user:${userId}`) ``) is reported as written in the wrapper.
        let room_arg = room.and_then(|r| {
            frame
                .params
                .iter()
                .position(|p| p.as_deref() == Some(r.trim()))
        });
        let room_expr = match room_arg {
            Some(_) => None,
            None => room.map(|r| r.trim().to_string()),
        };
        let position = self.lines.position(at as usize);
        if let Some(w) = self
            .found
            .wrappers
            .iter_mut()
            .find(|w| w.wrapper.function == function)
        {
            w.inner.push(position);
            return;
        }
        self.found.wrappers.push(Inferred {
            wrapper: Wrapper {
                function,
                receiver: None,
                event_arg,
                room_arg,
                room_expr,
                role,
                ack,
                side,
                declared: false,
                dispatch: false,
            },
            inner: vec![position],
            class,
        });
    }

    /// The wrapper a call goes through, if its callee names one.
    fn wrapper_for(&mut self, callee: &Expression<'_>) -> Option<Wrapper> {
        let (name, object) = match callee {
            Expression::Identifier(id) => (id.name.as_str(), None),
            Expression::StaticMemberExpression(m) => (m.property.name.as_str(), Some(&m.object)),
            _ => return None,
        };
        if let Some(object) = object {
            if let Some(w) = self.method_wrapper(object, name) {
                return Some(w);
            }
        }
        let w = self.known.get(name)?;
        if let Some(receiver) = &w.receiver {
            let shown = object.map(render).unwrap_or_default();
            let last = shown.rsplit('.').next().unwrap_or(&shown);
            if !last.eq_ignore_ascii_case(receiver) {
                return None;
            }
        }
        // A generic name (`send`, `emit`) is a wrapper only where the call plainly names this
        // file's own function (`const send = (evt, data) => socket.emit(evt, …)`; generic
        // names are never shared across files), never as a method of some other object.
        let local = object.is_none() && !self.env.facts.imports.contains_key(name);
        (w.declared || (!w.dispatch && (matchable(name) || local))).then(|| w.clone())
    }

    /// `object.name` when `object` carries wrappers: an object of wrappers, an object of a
    /// class whose methods wrap its socket (`client.on(e, f) { this.socket.on(e, f) }`, read in
    /// this file or exported by the class's file as `Class.#wrappers`), or `this` in that class.
    fn method_wrapper(&mut self, object: &Expression<'_>, name: &str) -> Option<Wrapper> {
        let class = match self.env.classify(&val_of(object)) {
            Kind::Wrappers { methods } => {
                return methods.into_iter().find(|(m, _)| m == name).map(|(_, w)| w);
            }
            Kind::Instance { file, class } if file != self.rel => {
                let Some(Kind::Wrappers { methods }) = self
                    .env
                    .project
                    .export(&file, &format!("{class}.#wrappers"))
                else {
                    return None;
                };
                return methods
                    .iter()
                    .find(|(m, _)| m == name)
                    .map(|(_, w)| Wrapper {
                        function: format!("{class}.{name}"),
                        ..w.clone()
                    });
            }
            Kind::Instance { class, .. } => class,
            Kind::This => {
                let idx = *self.env.class_stack.last()?;
                self.env.facts.classes.get(idx)?.name.clone()?
            }
            _ => return None,
        };
        self.found
            .wrappers
            .iter()
            .find(|w| w.class.as_deref() == Some(class.as_str()) && w.wrapper.function == name)
            .map(|w| Wrapper {
                function: format!("{class}.{name}"),
                ..w.wrapper.clone()
            })
    }

    /// A call of a wrapper: a site named by the wrapper's event argument.
    fn wrapper_call(&mut self, call: &CallExpression<'_>, callee: &Expression<'_>, w: Wrapper) {
        let Some(arg) = call.arguments.get(w.event_arg) else {
            return;
        };
        let event = self.event_name(arg);
        let dynamic = matches!(event, EventName::Dynamic(..));
        let room = match w.room_arg {
            Some(i) => call
                .arguments
                .get(i)
                .map(|a| text_of(self.text, a).trim().to_string()),
            None => w.room_expr.clone(),
        };
        let rest: Vec<&Expression<'_>> = call.arguments[w.event_arg + 1..]
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(w.event_arg + 1 + i) != w.room_arg)
            .filter_map(|(_, a)| a.as_expression())
            .collect();
        let (payload, own_ack) = match w.role {
            Role::Emit => (
                self.payload_of(rest.first().copied().filter(|e| !is_function(Some(e)))),
                rest.iter().any(|e| is_function(Some(e))),
            ),
            Role::Listen => (
                None,
                handler_has_ack(rest.iter().copied().find(|e| is_function(Some(e)))),
            ),
        };
        let ack = own_ack || w.ack;
        let at = arg.span().start;
        // A declared wrapper's side is a hint for this call only, used when nothing stronger
        // places it (a shared wrapper name is called on both sides); it is not evidence of the
        // file's side. An inferred wrapper's side is that of the socket inside it.
        let (side, hint) = match w.declared {
            true => (None, w.side),
            false => (w.side, None),
        };
        self.push(NewSite {
            at,
            event,
            role: w.role,
            side,
            call: render(callee),
            room: room.clone(),
            namespace: None,
            payload,
            via: Some(w.function.clone()),
            ack,
        });
        if let Some(site) = self.found.sites.last_mut() {
            site.declared_side = hint;
        }
        if dynamic {
            // A wrapper of a wrapper.
            self.note_wrapper(
                arg.as_expression(),
                w.role,
                w.side,
                room.as_deref(),
                at,
                ack,
            );
        }
    }

    /// Records `function` as a dispatcher of its parameter `param`.
    fn note_dispatcher(&mut self, function: &str, param: usize, side: Option<Side>) {
        if !matchable(function)
            || self
                .found
                .wrappers
                .iter()
                .any(|w| w.wrapper.function == function)
        {
            return;
        }
        self.found.wrappers.push(Inferred {
            wrapper: Wrapper {
                function: function.to_string(),
                receiver: None,
                event_arg: param,
                room_arg: None,
                room_expr: None,
                role: Role::Listen,
                ack: false,
                side,
                declared: false,
                dispatch: true,
            },
            inner: Vec::new(),
            class: None,
        });
    }

    /// Inside a dispatcher, a call that hands the event name on (`this.received(name, data)`)
    /// makes the callee a dispatcher too.
    fn forward_dispatch(&mut self, call: &CallExpression<'_>, callee: &Expression<'_>) {
        let name = match callee {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) => m.property.name.as_str(),
            _ => return,
        };
        for (i, arg) in call.arguments.iter().enumerate() {
            let Some(e) = arg.as_expression() else {
                continue;
            };
            if !matches!(e.get_inner_expression(), Expression::Identifier(_)) {
                continue;
            }
            if let Some(d) = self.dispatch_of(e) {
                self.note_dispatcher(name, i, d.side);
                return;
            }
        }
    }

    /// In a dispatcher, `name === "x"` and `case "x":` are listens of `x`.
    fn dispatch_literal(&mut self, subject: &Expression<'_>, literal: &Expression<'_>) {
        let Expression::StringLiteral(lit) = literal.get_inner_expression() else {
            return;
        };
        let Some(d) = self.dispatch_of(subject) else {
            return;
        };
        self.push(NewSite {
            at: lit.span.start,
            event: EventName::Known(lit.value.to_string()),
            role: Role::Listen,
            side: d.side,
            call: d.call,
            room: None,
            namespace: None,
            payload: None,
            via: Some(d.via),
            ack: false,
        });
    }

    /// The dispatch whose event-name parameter `subject` is (`event`, or `event.name`).
    fn dispatch_of(&self, subject: &Expression<'_>) -> Option<Dispatch> {
        let name = match subject.get_inner_expression() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m)
                if matches!(m.property.name.as_str(), "name" | "type" | "event") =>
            {
                match m.object.get_inner_expression() {
                    Expression::Identifier(id) => id.name.as_str(),
                    _ => return None,
                }
            }
            _ => return None,
        };
        for f in self.frames.iter().rev() {
            if let Some(d) = &f.dispatch {
                if f.params.get(d.param).and_then(Option::as_deref) == Some(name) {
                    return Some(d.clone());
                }
            }
            if f.params.iter().any(|p| p.as_deref() == Some(name)) {
                return None;
            }
        }
        None
    }

    /// Opens a function's frame: its name, parameters, and what they are known to carry.
    fn enter_function(
        &mut self,
        start: u32,
        own_name: Option<&str>,
        params: &FormalParameters<'_>,
        returns: Option<&TSTypeAnnotation<'_>>,
    ) {
        let name = own_name
            .map(str::to_string)
            .or_else(|| self.fn_names.remove(&start));
        let mut frame = Frame {
            params: params
                .items
                .iter()
                .map(|p| p.pattern.get_identifier_name().map(|n| n.to_string()))
                .collect(),
            ..Frame::default()
        };
        for (p, item) in frame.params.iter().zip(&params.items) {
            let (Some(p), Some(t)) = (p, &item.type_annotation) else {
                continue;
            };
            let c =
                literal_union(&t.type_annotation, &self.env.facts.literal_unions).or_else(|| {
                    match &t.type_annotation {
                        TSType::TSTypeReference(r) => match &r.type_name {
                            TSTypeName::IdentifierReference(id) => {
                                self.env.imported_union(&id.name)
                            }
                            _ => None,
                        },
                        _ => None,
                    }
                });
            if let Some(c) = c {
                frame.cands.insert(p.clone(), c);
            }
        }
        if let Some(c) = self.pending_cands.remove(&start) {
            if let Some(Some(p)) = frame.params.first() {
                frame.cands.insert(p.clone(), c);
            }
        }
        frame.dispatch = self.pending_dispatch.remove(&start).or_else(|| {
            let n = name.as_deref()?;
            let w = self.known.get(n)?;
            (w.dispatch || (w.declared && w.role == Role::Listen)).then(|| Dispatch {
                param: w.event_arg,
                via: w.function.clone(),
                call: format!("{n}()"),
                side: w.side,
            })
        });
        frame.name = name;
        frame.seeded = std::mem::take(&mut self.pending_seeded);
        frame.local = self.local_fns.remove(&start);
        frame.returns = returns.and_then(|t| match &t.type_annotation {
            TSType::TSTypeReference(r) => match &r.type_name {
                TSTypeName::IdentifierReference(id) => Some(id.name.to_string()),
                _ => None,
            },
            _ => None,
        });
        self.frames.push(frame);
    }

    /// `function Chat({ socket, room })`, `({ conn }: Props)`: each property the parameter
    /// destructures is what callers pass under that name (`<Chat socket={s} />`,
    /// `chat({ socket: s })`), else what the parameter's declared type says of it.
    fn bind_object_param(
        &mut self,
        start: u32,
        index: usize,
        obj: &ObjectPattern<'_>,
        whole: &Kind,
    ) {
        for prop in &obj.properties {
            let name = match &prop.value {
                BindingPattern::BindingIdentifier(id) => Some(&id.name),
                BindingPattern::AssignmentPattern(a) => match &a.left {
                    BindingPattern::BindingIdentifier(id) => Some(&id.name),
                    _ => None,
                },
                _ => None,
            };
            let (Some(name), Some(key), false) = (name, prop.key.static_name(), prop.computed)
            else {
                self.declare_unknown(&prop.value);
                continue;
            };
            let mut kind = match whole {
                Kind::Instance { file, class } => self.env.instance_member(file, class, &key),
                _ => Kind::Unknown,
            };
            if !kind.is_site_receiver() {
                if let Some((passed, why)) = self.passed_to(start, index, Some(&key)) {
                    kind = passed;
                    self.pending_seeded.insert(name.to_string(), why);
                }
            }
            self.env.declare(name, Binding { kind, value: None });
        }
        if let Some(rest) = &obj.rest {
            self.declare_unknown(&rest.argument);
        }
    }

    /// Declares every name a destructuring pattern binds, knowing nothing of them.
    fn declare_unknown(&mut self, pattern: &BindingPattern<'_>) {
        for id in pattern.get_binding_identifiers() {
            self.env.declare(
                &id.name,
                Binding {
                    kind: Kind::Unknown,
                    value: None,
                },
            );
        }
    }

    /// Whether type `name` only says "an event emitter": Node's `EventEmitter`, or an interface
    /// extending it, declared here or exported so by the file it is imported from.
    fn emitter_type(&mut self, name: &str) -> bool {
        if matches!(name, "EventEmitter" | "Emitter") || self.env.facts.emitter_types.contains(name)
        {
            return true;
        }
        let Some((file, export)) = self.env.imported_export(name) else {
            return false;
        };
        self.env
            .project
            .export(&file, &format!("{export}.#emitter"))
            .is_some()
    }

    fn bind_params(&mut self, start: u32, params: &FormalParameters<'_>) {
        let pending = self.pending.remove(&start).unwrap_or_default();
        let gateway = self.env.gateway();
        for (i, p) in params.items.iter().enumerate() {
            let declared = p
                .type_annotation
                .as_ref()
                .map(|t| type_refs(&t.type_annotation))
                .unwrap_or_default();
            let mut kind = if declared.is_empty() {
                Kind::Unknown
            } else {
                self.env.types(&declared, 0)
            };
            // `client: EventEmitter` (or a project interface extending it) only says the value
            // is some emitter, which a Socket.IO socket is: what registers the function (a
            // gateway handler, `io.on('connection')`) decides.
            let supertype =
                !declared.is_empty() && declared.iter().all(|t| self.emitter_type(&t.name));
            if supertype && matches!(kind, Kind::Instance { .. }) {
                kind = Kind::Not;
            }
            // What callers elsewhere pass wins over a type that says nothing of Socket.IO (a
            // gateway's socket handed to a service as `client: EventEmitter`).
            if !kind.is_site_receiver() {
                if let Some((passed, why)) = self.passed_to(start, i, None) {
                    kind = passed;
                    if let Some(name) = p.pattern.get_identifier_name() {
                        self.pending_seeded.insert(name.to_string(), why);
                    }
                }
            }
            if kind == Kind::Unknown
                && p.decorators
                    .iter()
                    .any(|d| decorator_name(&d.expression) == Some("ConnectedSocket"))
            {
                kind = Kind::Socket {
                    side: Some(Side::Server),
                    ns: None,
                };
            }
            if let Some(ctx) = pending.get(i) {
                kind = match (kind, ctx) {
                    (Kind::Unknown, c) => c.clone(),
                    (Kind::Not, c @ (Kind::Socket { .. } | Kind::Server { .. })) if supertype => {
                        c.clone()
                    }
                    // A project type (`client: WsEventEmitter`, an interface of another file,
                    // maybe one the scan never parsed) describes the socket the framework
                    // passes here: the registration decides, not the name of the type.
                    (Kind::Instance { .. }, c @ (Kind::Socket { .. } | Kind::Server { .. })) => {
                        c.clone()
                    }
                    // A typed `socket: Socket` inside `io.on('connection')` is that server's socket.
                    (Kind::Socket { side: None, .. }, c @ Kind::Socket { .. }) => c.clone(),
                    (k, _) => k,
                };
            }
            if let Some(Some(ns)) = &gateway {
                kind = match kind {
                    Kind::Socket { side, ns: None } => Kind::Socket {
                        side,
                        ns: Some(ns.clone()),
                    },
                    Kind::Server { ns: None } => Kind::Server {
                        ns: Some(ns.clone()),
                    },
                    k => k,
                };
            }
            match &p.pattern {
                BindingPattern::BindingIdentifier(id) => {
                    self.env.declare(&id.name, Binding { kind, value: None });
                }
                BindingPattern::ObjectPattern(obj) => self.bind_object_param(start, i, obj, &kind),
                pattern => self.declare_unknown(pattern),
            }
        }
        if let Some(rest) = &params.rest {
            for id in rest.rest.argument.get_binding_identifiers() {
                self.env.declare(
                    &id.name,
                    Binding {
                        kind: Kind::Unknown,
                        value: None,
                    },
                );
            }
        }
    }

    fn method(&mut self, m: &MethodDefinition<'_>) {
        let gateway = self.env.gateway();
        let ns = gateway.clone().flatten();
        let mut handler = false;
        // Nest sends a handler's return value back as the acknowledgement (a `{ event, data }`
        // object is an emit instead, see `ws_response`).
        let acks = m.value.body.as_ref().is_some_and(|b| returns_ack(b));
        for dec in &m.decorators {
            if decorator_name(&dec.expression) != Some("SubscribeMessage") {
                continue;
            }
            handler = true;
            let Expression::CallExpression(call) = dec.expression.get_inner_expression() else {
                continue;
            };
            let Some(arg) = call.arguments.first() else {
                continue;
            };
            let event = self.event_name(arg);
            self.push(NewSite {
                at: arg.span().start,
                event,
                role: Role::Listen,
                side: Some(Side::Server),
                call: "@SubscribeMessage".to_string(),
                room: None,
                namespace: ns.clone(),
                payload: None,
                via: None,
                ack: acks,
            });
        }
        if handler {
            self.ws_handlers.insert(m.value.span.start);
        }
        if gateway.is_none() && !handler {
            return;
        }
        let key = m.key.static_name();
        let socket = Kind::Socket {
            side: Some(Side::Server),
            ns: ns.clone(),
        };
        let kinds = match key.as_deref() {
            Some("handleConnection" | "handleDisconnect") => vec![socket],
            Some("afterInit") => vec![Kind::Server { ns }],
            _ if handler => vec![socket],
            _ => return,
        };
        self.pending.insert(m.value.span.start, kinds);
    }

    fn callback_params(&mut self, args: &[Argument<'_>], kinds: &[Kind]) {
        for arg in args {
            let start = match arg.as_expression().map(Expression::get_inner_expression) {
                Some(Expression::ArrowFunctionExpression(a)) => a.span.start,
                Some(Expression::FunctionExpression(f)) => f.span.start,
                _ => continue,
            };
            self.pending.insert(start, kinds.to_vec());
        }
    }

    /// A call that hands a socket to a project function (`registerChat(io, socket)`,
    /// `this.jobs.run(dto, client)`, `require('./chat')(socket)`) seeds that function's
    /// parameter for the project (crate::scan::js::flow).
    fn pass_sockets(&mut self, call: &CallExpression<'_>, callee: &Expression<'_>) {
        let mut passed = Vec::new();
        for (i, arg) in call.arguments.iter().enumerate() {
            let Some(expr) = arg.as_expression() else {
                continue;
            };
            if let Expression::ObjectExpression(o) = expr.get_inner_expression() {
                for p in &o.properties {
                    let ObjectPropertyKind::ObjectProperty(p) = p else {
                        continue;
                    };
                    let (Some(key), false) = (p.key.static_name(), p.computed) else {
                        continue;
                    };
                    let kind = self.env.classify(&val_of(&p.value));
                    if kind.is_site_receiver() {
                        passed.push((i, Some(key.to_string()), kind));
                    }
                }
                continue;
            }
            let kind = self.env.classify(&val_of(expr));
            if kind.is_site_receiver() {
                passed.push((i, None, kind));
            }
        }
        if passed.is_empty() {
            return;
        }
        let Some((file, function)) = self.callee_key(callee) else {
            return;
        };
        self.seed(call.span.start, &file, &function, passed);
    }

    /// A JSX element of a project component (`<Board link={socket} />`) calls it with its props
    /// as one object: the sockets among them seed that parameter's properties.
    fn pass_socket_props(&mut self, el: &JSXOpeningElement<'_>) {
        let JSXElementName::IdentifierReference(id) = &el.name else {
            return;
        };
        let mut passed = Vec::new();
        for attr in &el.attributes {
            let JSXAttributeItem::Attribute(a) = attr else {
                continue;
            };
            let (
                JSXAttributeName::Identifier(name),
                Some(JSXAttributeValue::ExpressionContainer(c)),
            ) = (&a.name, &a.value)
            else {
                continue;
            };
            let Some(expr) = c.expression.as_expression() else {
                continue;
            };
            let kind = self.env.classify(&val_of(expr));
            if kind.is_site_receiver() {
                passed.push((0, Some(name.name.to_string()), kind));
            }
        }
        if passed.is_empty() {
            return;
        }
        let Some((file, function)) = self.function_key(id.name.as_str()) else {
            return;
        };
        self.seed(el.span.start, &file, &function, passed);
    }

    /// Records the sockets a call at `at` passes to `function` of `file`.
    fn seed(
        &mut self,
        at: u32,
        file: &str,
        function: &str,
        passed: Vec<(usize, Option<String>, Kind)>,
    ) {
        let (line, _) = self.lines.position(at as usize);
        for (param, prop, kind) in passed {
            self.found.flow.seeds.push(Seed {
                file: file.to_owned(),
                function: function.to_owned(),
                param,
                prop,
                kind,
                from: format!("{}:{line}", self.rel),
            });
        }
    }

    /// The project function a plain name calls: imported, or this file's.
    fn function_key(&mut self, name: &str) -> Option<(String, String)> {
        if self.env.facts.imports.contains_key(name) {
            self.env.imported_export(name)
        } else {
            Some((self.rel.to_owned(), name.to_owned()))
        }
    }

    /// The project function a callee names: (its file, its name there).
    fn callee_key(&mut self, callee: &Expression<'_>) -> Option<(String, String)> {
        match callee {
            Expression::Identifier(id) => self.function_key(id.name.as_str()),
            Expression::StaticMemberExpression(m) => {
                let method = m.property.name.to_string();
                match self.env.classify(&val_of(&m.object)) {
                    Kind::This => {
                        let idx = *self.env.class_stack.last()?;
                        let class = self.env.facts.classes.get(idx)?.name.clone()?;
                        Some((self.rel.to_owned(), format!("{class}.{method}")))
                    }
                    Kind::Module { file } => Some((file, method)),
                    Kind::Instance { file, class } => Some((file, format!("{class}.{method}"))),
                    _ => None,
                }
            }
            Expression::CallExpression(inner) if inner.callee.is_specific_id("require") => {
                let Some(Expression::StringLiteral(spec)) = inner
                    .arguments
                    .first()
                    .and_then(Argument::as_expression)
                    .map(Expression::get_inner_expression)
                else {
                    return None;
                };
                Some((self.env.resolve(&spec.value)?, "default".to_owned()))
            }
            _ => None,
        }
    }

    /// What callers in the project pass to parameter `param` of the function starting at
    /// `start`, under any of the names it may be called by.
    fn passed_to(&self, start: u32, param: usize, prop: Option<&str>) -> Option<(Kind, String)> {
        let keys = self.env.facts.fn_keys.get(&start)?;
        let passed = keys.iter().flat_map(|k| {
            [self.env.project, self.env.own].map(|p| (k, p.param(self.rel, k, param, prop)))
        });
        passed
            .filter_map(|(k, passed)| {
                let (kind, from) = passed?;
                let what = match prop {
                    Some(p) => format!("property `{p}` of parameter {}", param + 1),
                    None => format!("parameter {}", param + 1),
                };
                let why = format!("{what} of `{k}` receives the socket passed at {from}");
                Some((kind.clone(), why))
            })
            .reduce(|(a, wa), (b, _)| (a.join(b), wa))
    }

    /// Functions that hand out this file's wrappers as methods of an object (`function
    /// createEventEmitter(socket) { function on(ev, f) { socket.on(ev, f) } return { on } }`):
    /// what calling them returns is exported as [`Kind::Wrappers`].
    fn export_wrapper_objects(&mut self) {
        let facts = self.env.facts;
        let mut emitters: Vec<&String> = facts.emitter_types.iter().collect();
        emitters.sort();
        for name in emitters {
            self.found
                .flow
                .exports
                .push((format!("{name}.#emitter"), Kind::Not));
        }
        let mut names: Vec<&String> = facts.returned_objects.keys().collect();
        names.sort();
        for function in names {
            let methods: Vec<(String, Wrapper)> = facts.returned_objects[function]
                .iter()
                .filter_map(|(key, local)| {
                    let w = self
                        .found
                        .wrappers
                        .iter()
                        .find(|w| w.class.is_none() && w.wrapper.function == *local)?;
                    Some((key.clone(), w.wrapper.clone()))
                })
                .collect();
            if !methods.is_empty() {
                let kind = Kind::Wrappers { methods };
                self.found
                    .flow
                    .exports
                    .push((format!("{function}()"), kind));
            }
        }
        // Classes whose emitter-named methods wrap their socket: calls on their objects, in
        // any file, are sites through those methods.
        let mut by_class: std::collections::BTreeMap<String, Vec<(String, Wrapper)>> =
            std::collections::BTreeMap::new();
        for w in &self.found.wrappers {
            if let Some(class) = &w.class {
                by_class
                    .entry(class.clone())
                    .or_default()
                    .push((w.wrapper.function.clone(), w.wrapper.clone()));
            }
        }
        for (class, methods) in by_class {
            let kind = Kind::Wrappers { methods };
            self.found
                .flow
                .exports
                .push((format!("{class}.#wrappers"), kind));
        }
    }

    /// `return { socket, request }` from a function declared to return a project type
    /// (`dial(ns): Channel`), where `request` is a local wrapper closure: every value of that
    /// type, in any file, carries the wrapper as a method (`this.ch.request('x')` is a site),
    /// exported as `Channel.#wrappers` like a class's.
    fn typed_wrapper_object(&mut self, o: &ObjectExpression<'_>) {
        let Some(ty) = self.frames.last().and_then(|f| f.returns.clone()) else {
            return;
        };
        for prop in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            let (Some(key), Expression::Identifier(local)) =
                (p.key.static_name(), p.value.get_inner_expression())
            else {
                continue;
            };
            let Some(inner) = self
                .found
                .wrappers
                .iter()
                .find(|w| w.class.is_none() && w.wrapper.function == local.name.as_str())
            else {
                continue;
            };
            let typed = Inferred {
                wrapper: Wrapper {
                    function: key.to_string(),
                    ..inner.wrapper.clone()
                },
                inner: inner.inner.clone(),
                class: Some(ty.clone()),
            };
            let known =
                self.found.wrappers.iter().any(|w| {
                    w.class == typed.class && w.wrapper.function == typed.wrapper.function
                });
            if !known {
                self.found.wrappers.push(typed);
            }
        }
    }

    /// A socket stored in a field or a container (`this.socket = socket`,
    /// `this.clients[user.id] = socket`, `clients[id] = socket`): later reads of it are that
    /// socket.
    fn store_socket(&mut self, left: &AssignmentTarget<'_>, right: &Expression<'_>) {
        let (object, key) = match left {
            AssignmentTarget::StaticMemberExpression(m) => (&m.object, m.property.name.to_string()),
            AssignmentTarget::ComputedMemberExpression(m) => (&m.object, "[]".to_owned()),
            _ => return,
        };
        let kind = self.env.classify(&val_of(right));
        if !kind.is_site_receiver() {
            return;
        }
        self.store_in(object, &key, kind);
    }

    /// Records `kind` under `key` (a field, or `[]` for a container's values) of `object`.
    fn store_in(&mut self, object: &Expression<'_>, key: &str, kind: Kind) {
        match (object.get_inner_expression(), key) {
            (Expression::ThisExpression(_), field) if field != "[]" => {
                self.env.learn_member(field, kind);
            }
            (Expression::StaticMemberExpression(m), "[]")
                if matches!(
                    m.object.get_inner_expression(),
                    Expression::ThisExpression(_)
                ) =>
            {
                self.env
                    .learn_member(&format!("{}[]", m.property.name), kind);
            }
            (Expression::Identifier(id), "[]") => self.env.learn_container(&id.name, kind),
            // `Clients.all.add(client)` inside `class Clients`: a static field.
            (Expression::StaticMemberExpression(m), "[]") => {
                if let Expression::Identifier(class) = m.object.get_inner_expression() {
                    if let Some(idx) = self.env.enclosing_class(&class.name) {
                        self.env
                            .learn_member_of(idx, &format!("{}[]", m.property.name), kind);
                    }
                }
            }
            _ => {}
        }
    }

    /// How the socket of a call reached it, when a caller elsewhere handed it in
    /// (`client.emit` in a function whose `client` was seeded).
    fn evidence_for(&self, call: &str) -> Vec<String> {
        let root = call.split(['.', '(']).next().unwrap_or(call);
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.seeded.get(root))
            .map(|why| vec![why.clone()])
            .unwrap_or_default()
    }

    /// The project files this file imports.
    fn project_deps(&mut self) -> Vec<String> {
        let facts = self.env.facts;
        let mut modules: Vec<&String> = facts.imports.values().map(|i| &i.module).collect();
        modules.sort();
        modules.dedup();
        let mut deps: Vec<String> = modules
            .into_iter()
            .filter_map(|m| self.env.resolve(m))
            .collect();
        deps.sort();
        deps.dedup();
        deps
    }

    /// Sorts a call into the pattern it is and hands it to that pattern's handler. A wrapper
    /// wins over everything (its name may be `emit`); only member calls can be sites.
    fn call(&mut self, call: &CallExpression<'_>) {
        let callee = call.callee.get_inner_expression();
        if let Some(w) = self.wrapper_for(callee) {
            self.wrapper_call(call, callee, w);
            return;
        }
        self.forward_dispatch(call, callee);
        self.pass_sockets(call, callee);
        match callee {
            Expression::StaticMemberExpression(member) => self.member_call(call, member),
            Expression::Identifier(id) => self.client_factory_call(id),
            _ => {}
        }
    }

    /// `io(url)`: a plain call that makes a client socket is client-only API.
    fn client_factory_call(&mut self, id: &IdentifierReference<'_>) {
        let made = self
            .env
            .classify(&Val::Call(Box::new(Val::Ident(id.name.to_string())), None));
        if matches!(
            made,
            Kind::Socket {
                side: Some(Side::Client),
                ..
            }
        ) {
            self.found.client_api += 1;
        }
    }

    /// `object.method(…)`: one handler per method family.
    fn member_call(&mut self, call: &CallExpression<'_>, member: &StaticMemberExpression<'_>) {
        let object = &member.object;
        match member.property.name.as_str() {
            "forEach" | "map" => {
                self.name_list_iteration(call, object);
                self.container_iteration(call, object);
            }
            "set" | "push" | "add" => self.container_insert(call, object),
            method @ ("onAny" | "prependAny") => self.catch_all_listener(call, method, object),
            "subscribe" => self.vue_subscribe(call, object),
            method @ ("use" | "join" | "leave" | "connect" | "createServer"
            | "createConnection" | "createSocket") => self.side_effects(method, object, call),
            "emit"
            | "emitWithAck"
            | "send"
            | "write"
            | "serverSideEmit"
            | "serverSideEmitWithAck" => {
                self.receiver_call(call, member, Role::Emit);
            }
            "on"
            | "once"
            | "addListener"
            | "prependListener"
            | "prependOnceListener"
            | "fromEvent"
            | "fromOneTimeEvent"
            | "$subscribe" => self.receiver_call(call, member, Role::Listen),
            _ => {}
        }
    }

    /// `clients.set(id, socket)`, `sockets.push(socket)`: the container holds sockets.
    fn container_insert(&mut self, call: &CallExpression<'_>, object: &Expression<'_>) {
        let Some(value) = call.arguments.last().and_then(Argument::as_expression) else {
            return;
        };
        let kind = self.env.classify(&val_of(value));
        if kind.is_site_receiver() {
            self.store_in(object, "[]", kind);
        }
    }

    /// `socket.io.on('reconnect', …)`: a listener of the client Manager's reconnection events, a
    /// lifecycle site like `connect` and `disconnect` (its other listeners, `open`, `packet`,
    /// `error`, are the transport's business).
    fn manager_listener(&mut self, call: &CallExpression<'_>, role: Role, name: Option<&str>) {
        let (Role::Listen, Some(name), Some(arg)) = (role, name, call.arguments.first()) else {
            return;
        };
        if !is_manager_event(name) {
            return;
        }
        self.push(NewSite {
            at: arg.span().start,
            event: EventName::Known(name.to_owned()),
            role,
            side: Some(Side::Client),
            call: render(&call.callee),
            room: None,
            namespace: None,
            payload: None,
            via: None,
            ack: false,
        });
    }

    /// `clients.forEach(client => client.emit(…))` over a container of sockets.
    fn container_iteration(&mut self, call: &CallExpression<'_>, object: &Expression<'_>) {
        let Some(start) = call
            .arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(function_start)
        else {
            return;
        };
        let held = self.env.held(&val_of(object));
        if held.is_site_receiver() {
            self.pending.insert(start, vec![held]);
        }
    }

    /// `["a", "b"].forEach(name => socket.on(name, …))`: the callback's name is one of those.
    fn name_list_iteration(&mut self, call: &CallExpression<'_>, object: &Expression<'_>) {
        if let (Some(names), Some(start)) = (
            self.array_names(object),
            call.arguments
                .first()
                .and_then(Argument::as_expression)
                .and_then(function_start),
        ) {
            self.pending_cands.insert(start, names);
        }
    }

    /// `socket.onAny((event, …args) => { if (event === "x") … })`: a dispatcher.
    fn catch_all_listener(
        &mut self,
        call: &CallExpression<'_>,
        method: &str,
        object: &Expression<'_>,
    ) {
        let (base, _) = split(object);
        let kind = self.env.classify_named(&val_of(base));
        if !kind.is_site_receiver() {
            return;
        }
        let handler = call.arguments.first().and_then(Argument::as_expression);
        let dispatch = Dispatch {
            param: 0,
            via: method.to_string(),
            call: format!("{}.{method}", render(object)),
            side: kind.side(),
        };
        self.dispatch_through(handler, dispatch);
    }

    /// The handler of a catch-all listener dispatches on its first parameter: a named function
    /// becomes a dispatcher wrapper, an inline one gets the dispatch when the walk enters it.
    fn dispatch_through(&mut self, handler: Option<&Expression<'_>>, dispatch: Dispatch) {
        match handler.map(Expression::get_inner_expression) {
            Some(Expression::Identifier(id)) => {
                self.note_dispatcher(id.name.as_str(), 0, dispatch.side);
            }
            Some(e) => {
                if let Some(start) = function_start(e) {
                    self.pending_dispatch.insert(start, dispatch);
                }
            }
            None => {}
        }
    }

    /// vue-socket.io: `this.sockets.subscribe('event', handler)`.
    fn vue_subscribe(&mut self, call: &CallExpression<'_>, object: &Expression<'_>) {
        let Expression::StaticMemberExpression(inner) = object.get_inner_expression() else {
            return;
        };
        let on_this_sockets = inner.property.name == "sockets"
            && matches!(
                inner.object.get_inner_expression(),
                Expression::ThisExpression(_)
            );
        if !on_this_sockets {
            return;
        }
        let Some(arg) = call.arguments.first() else {
            return;
        };
        let event = self.event_name(arg);
        let call_shape = format!("{}.subscribe", render(object));
        self.push(NewSite {
            at: arg.span().start,
            event,
            role: Role::Listen,
            side: Some(Side::Client),
            call: call_shape,
            room: None,
            namespace: None,
            payload: None,
            via: None,
            ack: false,
        });
    }

    /// An emit-like or listen-like method (`socket.emit`, `io.to(room).emit`, `socket.on`):
    /// a site when its receiver is proven to be Socket.IO's. On the way, `connection`
    /// listeners type their callbacks' parameters and `on("*")` is read as a catch-all.
    fn receiver_call(
        &mut self,
        call: &CallExpression<'_>,
        member: &StaticMemberExpression<'_>,
        role: Role,
    ) {
        let method = member.property.name.as_str();
        let (base, ops) = split(&member.object);
        let base_val = val_of(base);
        let kind = self.env.classify_named(&base_val);
        let first_literal = first_string_literal(call);
        if role == Role::Listen {
            self.connection_listener(call, &kind, &ops, first_literal);
        }
        if !kind.is_site_receiver() {
            if kind == Kind::Manager {
                self.found.client_api += 1;
                self.manager_listener(call, role, first_literal);
            }
            return;
        }
        if role == Role::Listen && first_literal == Some("*") {
            self.wildcard_listener(call, method, &member.object, &kind);
            return;
        }
        if is_send(method) && !self.env.classify(&base_val).is_site_receiver() {
            // `send`/`write` exist on every transport: only a proven Socket.IO socket counts.
            return;
        }
        self.receiver_site(call, member, role, base, &ops, &kind);
    }

    /// `io.on("connection", socket => …)`: the callback's parameter is that server's socket.
    /// `server.on('upgrade', (req, socket) => …)`, `wss.on('connection', ws => …)`: the
    /// callbacks of other transports hand out their own sockets.
    fn connection_listener(
        &mut self,
        call: &CallExpression<'_>,
        kind: &Kind,
        ops: &[Op<'_, '_>],
        first_literal: Option<&str>,
    ) {
        if let (Kind::Server { ns }, Some("connection" | "connect")) = (kind, first_literal) {
            if !ops.iter().any(|o| matches!(o.name, "to" | "in" | "except")) {
                let ns = of_namespace(&mut self.env, ops).or_else(|| ns.clone());
                self.callback_params(
                    &call.arguments[1..],
                    &[Kind::Socket {
                        side: Some(Side::Server),
                        ns,
                    }],
                );
            }
        }
        if *kind == Kind::Not
            && matches!(
                first_literal,
                Some(
                    "connection" | "connect" | "upgrade" | "secureConnection" | "request" | "open"
                )
            )
        {
            self.callback_params(&call.arguments[1..], &[Kind::Not, Kind::Not, Kind::Not]);
        }
    }

    /// `socket.on("*", (event, …) => …)` (socketio-wildcard and hand-made catch-alls) is not
    /// an event: it is a dispatcher, like `onAny`.
    fn wildcard_listener(
        &mut self,
        call: &CallExpression<'_>,
        method: &str,
        object: &Expression<'_>,
        kind: &Kind,
    ) {
        let handler = call.arguments.get(1).and_then(Argument::as_expression);
        let dispatch = Dispatch {
            param: 0,
            via: "*".to_string(),
            call: format!("{}.{method}", render(object)),
            side: kind.side(),
        };
        self.dispatch_through(handler, dispatch);
    }

    /// The site of a proven receiver's emit or listen: its side, namespace and rooms (from the
    /// chain's operators), the call as written, its ack, event and payload. A dynamic event
    /// name may make the enclosing function a wrapper.
    fn receiver_site(
        &mut self,
        call: &CallExpression<'_>,
        member: &StaticMemberExpression<'_>,
        role: Role,
        base: &Expression<'_>,
        ops: &[Op<'_, '_>],
        kind: &Kind,
    ) {
        let method = member.property.name.as_str();
        let server_op = ops.iter().any(Op::is_server_only);
        let side = kind
            .side()
            .or(if server_op { Some(Side::Server) } else { None });
        let namespace =
            of_namespace(&mut self.env, ops).or_else(|| kind.namespace().map(str::to_string));
        let room = rooms_of(self.text, ops);
        let call_shape = chain_shape(base, ops, method);
        let args: Vec<&Expression<'_>> = call
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .collect();
        let ack = takes_ack(role, method, ops, &args);
        let Some((at, event, payload)) = self.event_and_payload(call, member, role, &args) else {
            return;
        };
        let dynamic = matches!(event, EventName::Dynamic(..));
        self.push(NewSite {
            at,
            event,
            role,
            side,
            call: call_shape,
            room: room.clone(),
            namespace,
            payload,
            via: None,
            ack,
        });
        if dynamic && !is_send(method) {
            self.note_wrapper(args.first().copied(), role, side, room.as_deref(), at, ack);
        }
    }

    /// Where a receiver's site is reported, its event and the payload it sends: `send(data)`
    /// is the `message` event; otherwise the first argument names the event (no argument, no
    /// site) and an emit's second argument is its payload.
    fn event_and_payload(
        &mut self,
        call: &CallExpression<'_>,
        member: &StaticMemberExpression<'_>,
        role: Role,
        args: &[&Expression<'_>],
    ) -> Option<(u32, EventName, Option<Shape>)> {
        if is_send(member.property.name.as_str()) {
            let payload = self.payload_of(args.first().copied());
            return Some((
                member.property.span.start,
                EventName::Known("message".to_string()),
                payload,
            ));
        }
        let arg = call.arguments.first()?;
        let payload = if role == Role::Emit {
            self.payload_of(args.get(1).copied().filter(|e| !is_function(Some(e))))
        } else {
            None
        };
        Some((arg.span().start, self.event_name(arg), payload))
    }

    /// Calls that are not sites but show a side, or bind callback parameters.
    fn side_effects(&mut self, method: &str, object: &Expression<'_>, call: &CallExpression<'_>) {
        let kind = self.env.classify_named(&val_of(object));
        match (method, &kind) {
            ("use", Kind::Server { ns }) => {
                let ns = ns.clone();
                self.callback_params(
                    &call.arguments,
                    &[Kind::Socket {
                        side: Some(Side::Server),
                        ns,
                    }],
                );
            }
            ("join" | "leave", Kind::Socket { .. }) => self.found.server_api += 1,
            ("connect", Kind::Socket { .. }) if call.arguments.is_empty() => {
                self.found.client_api += 1
            }
            ("connect", Kind::ClientFactory) => self.found.client_api += 1,
            ("createServer" | "createConnection" | "createSocket" | "connect", Kind::Not) => {
                self.callback_params(&call.arguments, &[Kind::Not, Kind::Not]);
            }
            _ => {}
        }
    }

    /// vue-socket.io(-extended) component option `sockets: { event() {} }`.
    fn vue_sockets_option(&mut self, obj: &ObjectExpression<'_>) {
        const COMPONENT_KEYS: &[&str] = &[
            "data",
            "methods",
            "computed",
            "mounted",
            "created",
            "props",
            "components",
            "name",
            "watch",
            "setup",
            "template",
            "beforeMount",
            "beforeDestroy",
            "destroyed",
            "unmounted",
            "beforeUnmount",
        ];
        let mut sockets = None;
        let mut component = false;
        for prop in &obj.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            let Some(key) = p.key.static_name() else {
                continue;
            };
            if key == "sockets" {
                if let Expression::ObjectExpression(o) = p.value.get_inner_expression() {
                    sockets = Some(o);
                }
            } else if COMPONENT_KEYS.contains(&key.as_ref()) {
                component = true;
            }
        }
        let (Some(sockets), true) = (sockets, component) else {
            return;
        };
        for prop in &sockets.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            let event = match p.key.static_name() {
                Some(k) if !p.computed => EventName::Known(k.to_string()),
                _ => match p.key.as_expression() {
                    Some(e) => match self.env.eval(&cexpr_of(e)) {
                        Some(k) => EventName::Known(k),
                        None => EventName::Dynamic(clip(text_of(self.text, e)), None),
                    },
                    None => continue,
                },
            };
            self.push(NewSite {
                at: p.key.span().start,
                event,
                role: Role::Listen,
                side: Some(Side::Client),
                call: "sockets: {}".to_string(),
                room: None,
                namespace: None,
                payload: None,
                via: None,
                ack: false,
            });
        }
    }
}

/// Whether a function body returns a value of its own (not in a nested function), other than a
/// Nest `{ event, data }` response object.
fn returns_ack(body: &FunctionBody<'_>) -> bool {
    /// Whether a return was seen, and how deep in function bodies the walk is (1: the handler's).
    struct Returns(bool, u32);
    impl<'a> Visit<'a> for Returns {
        fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
            self.1 += 1;
            walk::walk_function_body(self, it);
            self.1 -= 1;
        }
        fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
            let ws_response = match it.argument.as_ref().map(Expression::get_inner_expression) {
                Some(Expression::ObjectExpression(o)) => o.properties.iter().any(|p| {
                    matches!(p, ObjectPropertyKind::ObjectProperty(p)
                        if p.key.static_name().as_deref() == Some("event"))
                }),
                _ => false,
            };
            if self.1 == 1 && it.argument.is_some() && !ws_response {
                self.0 = true;
            }
        }
    }
    let mut r = Returns(false, 0);
    r.visit_function_body(body);
    r.0
}

impl Finder<'_, '_> {
    /// NestJS `return { event: 'x', data }` from a `@SubscribeMessage` handler: an emit to the
    /// calling socket.
    fn ws_response(&mut self, o: &ObjectExpression<'_>) {
        let mut event = None;
        let mut data = None;
        for prop in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            match p.key.static_name().as_deref() {
                Some("event") => event = Some(&p.value),
                Some("data") => data = Some(&p.value),
                _ => {}
            }
        }
        let (Some(event_expr), Some(data)) = (event, data) else {
            return;
        };
        let event = self.event_of(event_expr);
        let namespace = self.env.gateway().flatten();
        self.push(NewSite {
            at: event_expr.span().start,
            event,
            role: Role::Emit,
            side: Some(Side::Server),
            call: "return { event, data }".to_string(),
            room: None,
            namespace,
            payload: literal_shape(data),
            via: None,
            ack: false,
        });
    }

    /// Declares the locals a declaration inside a function binds, with what their initialiser
    /// or type shows (a socket, a server…) and, for a `const`, the value event names fold from.
    /// Module-level names are covered by the first pass's facts.
    fn declare_locals(&mut self, it: &VariableDeclarator<'_>) {
        match &it.id {
            BindingPattern::BindingIdentifier(id) => {
                let mut kind = match &it.type_annotation {
                    Some(t) => self.env.types(&type_refs(&t.type_annotation), 0),
                    None => Kind::Unknown,
                };
                if let Some(init) = &it.init {
                    let k = self.env.classify_named(&val_of(init));
                    kind = kind.join(k);
                }
                let value = match (&it.init, self.decl_kind) {
                    (Some(init), Some(VariableDeclarationKind::Const)) => Some(cexpr_of(init)),
                    _ => None,
                };
                self.env.declare(&id.name, Binding { kind, value });
            }
            BindingPattern::ObjectPattern(pattern) => {
                let source = it.init.as_ref().map(val_of);
                for prop in &pattern.properties {
                    let Some(local) = prop.value.get_identifier_name() else {
                        for id in prop.value.get_binding_identifiers() {
                            self.env.declare(
                                &id.name,
                                Binding {
                                    kind: Kind::Unknown,
                                    value: None,
                                },
                            );
                        }
                        continue;
                    };
                    let kind = match (&source, prop.key.static_name()) {
                        (Some(src), Some(key)) => self
                            .env
                            .classify(&Val::Member(Box::new(src.clone()), key.to_string())),
                        _ => Kind::Unknown,
                    };
                    self.env.declare(&local, Binding { kind, value: None });
                }
            }
            pattern => self.declare_unknown(pattern),
        }
    }
}

/// The namespace of an `of('/x')` operator, when it folds to a string.
fn of_namespace(env: &mut Env<'_>, ops: &[Op<'_, '_>]) -> Option<String> {
    let arg = ops.iter().find(|o| o.name == "of")?.arg?;
    env.eval(&cexpr_of(arg)).map(|n| normalize_namespace(&n))
}

/// The first argument of a call when it is a string literal (`"connection"`, `"*"`).
fn first_string_literal<'c>(call: &'c CallExpression<'_>) -> Option<&'c str> {
    call.arguments
        .first()
        .and_then(Argument::as_expression)
        .and_then(|e| match e.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.as_str()),
            _ => None,
        })
}

/// The client Manager's own lifecycle events (`reconnect`, `reconnect_attempt`…).
fn is_manager_event(name: &str) -> bool {
    name.starts_with("reconnect") && crate::vocab::is_reserved(name)
}

/// `send`/`write`: the emits of the `message` event, whose argument is the payload.
fn is_send(method: &str) -> bool {
    matches!(method, "send" | "write")
}

/// The rooms of a chain's `to(…)`/`in(…)` operators, as written, comma-separated.
fn rooms_of(text: &str, ops: &[Op<'_, '_>]) -> Option<String> {
    let rooms: Vec<&str> = ops
        .iter()
        .filter(|o| matches!(o.name, "to" | "in"))
        .filter_map(|o| o.arg.map(|a| text_of(text, a)))
        .collect();
    if rooms.is_empty() {
        None
    } else {
        Some(rooms.join(", "))
    }
}

/// The call as reported: the receiver, its operators without their arguments, the method
/// (`io.to().emit`).
fn chain_shape(base: &Expression<'_>, ops: &[Op<'_, '_>], method: &str) -> String {
    let mut call_shape = render(base);
    for op in ops {
        call_shape.push('.');
        call_shape.push_str(op.name);
        if op.is_call {
            call_shape.push_str("()");
        }
    }
    call_shape.push('.');
    call_shape.push_str(method);
    call_shape
}

/// Whether a site takes an acknowledgement: an emit that waits for one (`emitWithAck`,
/// `timeout(…)`, a trailing callback), a listen whose handler takes the ack callback.
fn takes_ack(role: Role, method: &str, ops: &[Op<'_, '_>], args: &[&Expression<'_>]) -> bool {
    match role {
        Role::Emit => {
            method == "emitWithAck"
                || ops.iter().any(|o| o.name == "timeout")
                || (args.len() >= 2 && is_function(args.last().copied()))
        }
        Role::Listen => handler_has_ack(args.get(1).copied()),
    }
}

fn clip(s: &str) -> String {
    let s = s.trim();
    if s.len() <= MAX_EXPR {
        return s.to_string();
    }
    let mut end = MAX_EXPR;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl<'a> Visit<'a> for Finder<'_, '_> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(f) => {
                self.env.push_scope();
                let store = self.env.facts.store_methods.get(&f.span.start).cloned();
                self.env.this_store.push(store);
                self.bind_params(f.span.start, &f.params);
                let own = f.id.as_ref().map(|id| id.name.as_str());
                self.enter_function(f.span.start, own, &f.params, f.return_type.as_deref());
                let handler = self.ws_handlers.remove(&f.span.start);
                self.handler_stack.push(handler);
            }
            AstKind::ArrowFunctionExpression(a) => {
                self.env.push_scope();
                self.bind_params(a.span.start, &a.params);
                self.enter_function(a.span.start, None, &a.params, a.return_type.as_deref());
                self.handler_stack.push(false);
            }
            AstKind::ObjectProperty(p) => {
                if let (Some(start), Some(key)) = (function_start(&p.value), p.key.static_name()) {
                    self.fn_names.insert(start, key.to_string());
                }
            }
            AstKind::PropertyDefinition(p) => {
                if let (Some(start), Some(key)) = (
                    p.value.as_ref().and_then(function_start),
                    p.key.static_name(),
                ) {
                    self.fn_names.insert(start, key.to_string());
                }
            }
            AstKind::Class(_) => {
                self.env.class_stack.push(self.class_counter);
                self.class_counter += 1;
                if self.env.gateway().is_some() {
                    self.found.server_api += 1;
                }
            }
            AstKind::MethodDefinition(m) => {
                if let Some(key) = m.key.static_name() {
                    self.fn_names.insert(m.value.span.start, key.to_string());
                }
                self.method(m);
            }
            _ => {}
        }
    }

    fn leave_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
                if matches!(kind, AstKind::Function(_)) {
                    self.env.this_store.pop();
                }
                self.env.pop_scope();
                self.handler_stack.pop();
                if self.frames.len() > 1 {
                    self.frames.pop();
                }
            }
            AstKind::Class(_) => {
                self.env.class_stack.pop();
            }
            _ => {}
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_jsx_opening_element(&mut self, it: &JSXOpeningElement<'a>) {
        self.pass_socket_props(it);
        walk::walk_jsx_opening_element(self, it);
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if self.handler_stack.last() == Some(&true) {
            if let Some(Expression::ObjectExpression(o)) =
                it.argument.as_ref().map(Expression::get_inner_expression)
            {
                self.ws_response(o);
            }
        }
        if let Some(Expression::ObjectExpression(o)) =
            it.argument.as_ref().map(Expression::get_inner_expression)
        {
            self.typed_wrapper_object(o);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        if self.vue_file {
            self.vue_sockets_option(it);
        }
        walk::walk_object_expression(self, it);
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        let saved = self.decl_kind.replace(it.kind);
        walk::walk_variable_declaration(self, it);
        self.decl_kind = saved;
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if matches!(
            it.operator,
            BinaryOperator::StrictEquality | BinaryOperator::Equality
        ) {
            self.dispatch_literal(&it.left, &it.right);
            self.dispatch_literal(&it.right, &it.left);
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
        if self.dispatch_of(&it.discriminant).is_some() {
            for case in &it.cases {
                if let Some(test) = &case.test {
                    self.dispatch_literal(&it.discriminant, test);
                }
            }
        }
        // `switch (kind) { case "a": case "b": socket.emit(kind, …) }`: inside the case, `kind`
        // is one of the labels that lead to it.
        let Some(name) = path_key(&it.discriminant) else {
            walk::walk_switch_statement(self, it);
            return;
        };
        self.visit_expression(&it.discriminant);
        let mut labels: Vec<String> = Vec::new();
        for case in &it.cases {
            match &case.test {
                // A literal, or a constant (`case EVENTS.SEND:`).
                Some(test) => match self.env.eval(&cexpr_of(test)) {
                    Some(label) => labels.push(label),
                    None => labels.clear(),
                },
                // `default:` can be anything.
                None => labels.clear(),
            }
            if let Some(test) = &case.test {
                self.visit_expression(test);
            }
            if case.consequent.is_empty() {
                continue;
            }
            let saved = if labels.is_empty() {
                None
            } else {
                self.frames
                    .last_mut()
                    .map(|f| f.cands.insert(name.clone(), labels.clone()))
            };
            for stmt in &case.consequent {
                self.visit_statement(stmt);
            }
            if let (Some(previous), Some(frame)) = (saved, self.frames.last_mut()) {
                match previous {
                    Some(p) => frame.cands.insert(name.clone(), p),
                    None => frame.cands.remove(&name),
                };
            }
            labels.clear();
        }
    }

    /// `if (kind === "a" || kind === "b") socket.emit(kind, …)`: inside, `kind` is one of them.
    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        let Some((name, labels)) = self.narrowing(&it.test) else {
            walk::walk_if_statement(self, it);
            return;
        };
        self.visit_expression(&it.test);
        let saved = self
            .frames
            .last_mut()
            .map(|f| f.cands.insert(name.clone(), labels));
        self.visit_statement(&it.consequent);
        if let (Some(previous), Some(frame)) = (saved, self.frames.last_mut()) {
            match previous {
                Some(p) => frame.cands.insert(name.clone(), p),
                None => frame.cands.remove(&name),
            };
        }
        if let Some(alternate) = &it.alternate {
            self.visit_statement(alternate);
        }
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        if let (Some(names), ForStatementLeft::VariableDeclaration(d)) =
            (self.array_names(&it.right), &it.left)
        {
            if let Some(name) = d
                .declarations
                .first()
                .and_then(|v| v.id.get_identifier_name())
            {
                if let Some(frame) = self.frames.last_mut() {
                    frame.cands.insert(name.to_string(), names);
                }
            }
        }
        walk::walk_for_of_statement(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        // `const f = () => …`, and React's `const f = useCallback(() => …, [deps])`.
        let function = it.init.as_ref().and_then(|init| {
            function_start(init).or_else(|| match init.get_inner_expression() {
                Expression::CallExpression(c)
                    if matches!(
                        &c.callee.get_inner_expression(),
                        Expression::Identifier(id) if matches!(id.name.as_str(), "useCallback" | "useMemo")
                    ) =>
                {
                    c.arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .and_then(function_start)
                }
                _ => None,
            })
        });
        if let (Some(start), Some(name)) = (function, it.id.get_identifier_name()) {
            self.fn_names.insert(start, name.to_string());
            if self.env.in_function() {
                self.local_fns.insert(start);
            }
        }
        if let (Some(init), Some(name)) = (&it.init, it.id.get_identifier_name()) {
            if let Expression::ObjectExpression(_) = init.get_inner_expression() {
                if let (Some(shape), Some(frame)) = (literal_shape(init), self.frames.last_mut()) {
                    frame.shapes.insert(name.to_string(), shape);
                }
            } else if let Some(names) = string_array(init) {
                // `const EVENTS = ["a", "b"]; EVENTS.forEach(…)` is read like the literal.
                if let Some(frame) = self.frames.last_mut() {
                    frame.cands.insert(format!("[]{name}"), names);
                }
            }
        }
        if self.env.in_function() {
            self.declare_locals(it);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let Some(start) = function_start(&it.right) {
            let name = match &it.left {
                AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
                AssignmentTarget::StaticMemberExpression(m) => Some(m.property.name.to_string()),
                _ => None,
            };
            if let Some(name) = name {
                self.fn_names.insert(start, name);
            }
        }
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            if self.env.in_function() {
                let k = self.env.classify_named(&val_of(&it.right));
                self.env.assign(&id.name, k);
            }
        }
        self.store_socket(&it.left, &it.right);
        walk::walk_assignment_expression(self, it);
    }
}

/// The dotted path an expression reads (`kind`, `event.name`, `this.kind`), as the key under
/// which a narrowing (`switch`, `if (x === "a")`) records what it can be.
fn path_key(expr: &Expression<'_>) -> Option<String> {
    match expr.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::ThisExpression(_) => Some("this".to_owned()),
        Expression::StaticMemberExpression(m) => {
            Some(format!("{}.{}", path_key(&m.object)?, m.property.name))
        }
        _ => None,
    }
}
