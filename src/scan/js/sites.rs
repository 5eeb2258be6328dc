//! Second pass: walks the program with scoped bindings and turns every Socket.IO emit and
//! listen into a [`Site`].

use std::collections::HashMap;

use oxc_ast::ast::*;
use oxc_ast::AstKind;
use oxc_ast_visit::{walk, Visit};
use oxc_span::GetSpan;

use crate::scan::{Lang, Role, Side, Site};

use super::chain::{render, split, text_of, Op};
use super::collect::Facts;
use super::lines::LineIndex;
use super::link::Linker;
use super::model::{Kind, Val};
use super::resolve::{normalize_namespace, Binding, Env};
use super::shape::literal_shape;
use super::summary::{cexpr_of, decorator_name, type_refs, val_of};

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
}

/// Finds the sites of one parsed program.
pub(crate) fn find<'f>(
    program: &Program<'_>,
    facts: &'f Facts,
    linker: Linker<'f>,
    text: &str,
    lines: &LineIndex<'_>,
    rel: &str,
) -> Found {
    let vue_file = rel.to_ascii_lowercase().ends_with(".vue")
        || facts
            .imports
            .values()
            .any(|i| i.module == "vue" || i.module.starts_with("vue-socket.io"));
    let mut finder = Finder {
        text,
        lines,
        rel,
        env: Env::new(facts, linker),
        pending: HashMap::new(),
        class_counter: 0,
        decl_kind: None,
        vue_file,
        ws_handlers: std::collections::HashSet::new(),
        handler_stack: Vec::new(),
        found: Found {
            sites: Vec::new(),
            server_api: 0,
            client_api: 0,
        },
    };
    finder.visit_program(program);
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
    ws_handlers: std::collections::HashSet<u32>,
    /// Per enclosing function: is it a `@SubscribeMessage` handler (whose `return { event, data }`
    /// emits)?
    handler_stack: Vec<bool>,
    found: Found,
}

/// The event a site names.
enum EventName {
    Known(String),
    Dynamic(String),
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
}

impl Finder<'_, '_> {
    fn push(&mut self, s: NewSite) {
        let (line, column) = self.lines.position(s.at as usize);
        let (event, dynamic, expr) = match s.event {
            EventName::Known(e) => (Some(e), false, None),
            EventName::Dynamic(x) => (None, true, Some(x)),
        };
        match s.side {
            Some(Side::Server) => self.found.server_api += 1,
            Some(Side::Client) => self.found.client_api += 1,
            None => {}
        }
        self.found.sites.push(Site {
            event,
            role: s.role,
            direction: None,
            side: s.side,
            file: self.rel.to_string(),
            line,
            column,
            call: s.call,
            room: s.room,
            namespace: s.namespace,
            dynamic,
            lang: Lang::Js,
            via: None,
            expr,
            payload: s.payload,
        });
    }

    fn event_name(&mut self, arg: &Argument<'_>) -> EventName {
        let Some(expr) = arg.as_expression() else {
            return EventName::Dynamic(clip(text_of(self.text, arg)));
        };
        match self.env.eval(&cexpr_of(expr)) {
            Some(name) => EventName::Known(name),
            None => EventName::Dynamic(clip(text_of(self.text, expr))),
        }
    }

    fn bind_params(&mut self, start: u32, params: &FormalParameters<'_>) {
        let pending = self.pending.remove(&start).unwrap_or_default();
        let gateway = self.env.gateway();
        for (i, p) in params.items.iter().enumerate() {
            let mut kind = match &p.type_annotation {
                Some(t) => self.env.types(&type_refs(&t.type_annotation), 0),
                None => Kind::Unknown,
            };
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
                pattern => {
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

    fn call(&mut self, call: &CallExpression<'_>) {
        let callee = call.callee.get_inner_expression();
        let Expression::StaticMemberExpression(member) = callee else {
            if let Expression::Identifier(id) = callee {
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
            return;
        };
        let method = member.property.name.as_str();
        let object = &member.object;
        let first_literal = call
            .arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(|e| match e.get_inner_expression() {
                Expression::StringLiteral(s) => Some(s.value.as_str()),
                _ => None,
            });

        // vue-socket.io: `this.sockets.subscribe('event', handler)`.
        if method == "subscribe" {
            if let Expression::StaticMemberExpression(inner) = object.get_inner_expression() {
                if inner.property.name == "sockets"
                    && matches!(
                        inner.object.get_inner_expression(),
                        Expression::ThisExpression(_)
                    )
                {
                    if let Some(arg) = call.arguments.first() {
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
                        });
                    }
                }
            }
            return;
        }

        let role = match method {
            "emit" | "emitWithAck" | "send" | "write" => Role::Emit,
            "on"
            | "once"
            | "addListener"
            | "prependListener"
            | "prependOnceListener"
            | "fromEvent"
            | "fromOneTimeEvent"
            | "$subscribe" => Role::Listen,
            "use" | "join" | "leave" | "connect" | "createServer" | "createConnection"
            | "createSocket" => {
                self.side_effects(method, object, call);
                return;
            }
            _ => return,
        };
        let (base, ops) = split(object);
        let base_val = val_of(base);
        let kind = self.env.classify_named(&base_val);

        if role == Role::Listen && matches!(first_literal, Some("connection" | "connect")) {
            match &kind {
                Kind::Server { ns }
                    if !ops.iter().any(|o| matches!(o.name, "to" | "in" | "except")) =>
                {
                    let ns = of_namespace(&mut self.env, &ops).or_else(|| ns.clone());
                    self.callback_params(
                        &call.arguments[1..],
                        &[Kind::Socket {
                            side: Some(Side::Server),
                            ns,
                        }],
                    );
                }
                _ => {}
            }
        }
        // `server.on('upgrade', (req, socket) => …)`, `wss.on('connection', ws => …)`: the
        // callbacks of other transports hand out their own sockets.
        if role == Role::Listen
            && kind == Kind::Not
            && matches!(
                first_literal,
                Some(
                    "connection" | "connect" | "upgrade" | "secureConnection" | "request" | "open"
                )
            )
        {
            self.callback_params(&call.arguments[1..], &[Kind::Not, Kind::Not, Kind::Not]);
        }
        if !kind.is_site_receiver() {
            if kind == Kind::Manager {
                self.found.client_api += 1;
            }
            return;
        }
        let is_send = matches!(method, "send" | "write");
        if is_send && !self.env.classify(&base_val).is_site_receiver() {
            // `send`/`write` exist on every transport: only a proven Socket.IO socket counts.
            return;
        }
        let server_op = ops.iter().any(Op::is_server_only);
        let side = kind
            .side()
            .or(if server_op { Some(Side::Server) } else { None });
        let namespace =
            of_namespace(&mut self.env, &ops).or_else(|| kind.namespace().map(str::to_string));
        let rooms: Vec<&str> = ops
            .iter()
            .filter(|o| matches!(o.name, "to" | "in"))
            .filter_map(|o| o.arg.map(|a| text_of(self.text, a)))
            .collect();
        let room = if rooms.is_empty() {
            None
        } else {
            Some(rooms.join(", "))
        };
        let mut call_shape = render(base);
        for op in &ops {
            call_shape.push('.');
            call_shape.push_str(op.name);
            if op.is_call {
                call_shape.push_str("()");
            }
        }
        call_shape.push('.');
        call_shape.push_str(method);

        let (at, event, payload) = if is_send {
            let payload = call
                .arguments
                .first()
                .and_then(Argument::as_expression)
                .and_then(literal_shape);
            (
                member.property.span.start,
                EventName::Known("message".to_string()),
                payload,
            )
        } else {
            let Some(arg) = call.arguments.first() else {
                return;
            };
            let payload = if role == Role::Emit {
                call.arguments
                    .get(1)
                    .and_then(Argument::as_expression)
                    .and_then(literal_shape)
            } else {
                None
            };
            (arg.span().start, self.event_name(arg), payload)
        };
        self.push(NewSite {
            at,
            event,
            role,
            side,
            call: call_shape,
            room,
            namespace,
            payload,
        });
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
                        None => EventName::Dynamic(clip(text_of(self.text, e))),
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
            });
        }
    }
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
        let event = match self.env.eval(&cexpr_of(event_expr)) {
            Some(name) => EventName::Known(name),
            None => EventName::Dynamic(clip(text_of(self.text, event_expr))),
        };
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
        });
    }
}

/// The namespace of an `of('/x')` operator, when it folds to a string.
fn of_namespace(env: &mut Env<'_>, ops: &[Op<'_, '_>]) -> Option<String> {
    let arg = ops.iter().find(|o| o.name == "of")?.arg?;
    env.eval(&cexpr_of(arg)).map(|n| normalize_namespace(&n))
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
                self.bind_params(f.span.start, &f.params);
                let handler = self.ws_handlers.remove(&f.span.start);
                self.handler_stack.push(handler);
            }
            AstKind::ArrowFunctionExpression(a) => {
                self.env.push_scope();
                self.bind_params(a.span.start, &a.params);
                self.handler_stack.push(false);
            }
            AstKind::Class(_) => {
                self.env.class_stack.push(self.class_counter);
                self.class_counter += 1;
                if self.env.gateway().is_some() {
                    self.found.server_api += 1;
                }
            }
            AstKind::MethodDefinition(m) => self.method(m),
            _ => {}
        }
    }

    fn leave_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
                self.env.pop_scope();
                self.handler_stack.pop();
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

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if self.handler_stack.last() == Some(&true) {
            if let Some(Expression::ObjectExpression(o)) =
                it.argument.as_ref().map(Expression::get_inner_expression)
            {
                self.ws_response(o);
            }
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

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if self.env.in_function() {
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
                pattern => {
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
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            if self.env.in_function() {
                let k = self.env.classify_named(&val_of(&it.right));
                self.env.assign(&id.name, k);
            }
        }
        walk::walk_assignment_expression(self, it);
    }
}
