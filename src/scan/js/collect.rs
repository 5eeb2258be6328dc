//! First pass: the file-wide facts that socket-ness and event names are decided from.
//!
//! Imports, what every binding is initialised or assigned with, module-level constants, enums,
//! class members, what functions return, and which transport libraries the file uses. Everything
//! is owned, so the second pass can look up a binding declared anywhere in the file.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use oxc_ast::ast::*;
use oxc_ast::AstKind;
use oxc_ast_visit::{walk, Visit};

use super::model::{CExpr, TypeRef, Val};
use super::names::{family, Family};
use super::summary::{
    cexpr_of, decorator_name, literal_union, path_of, string_key, type_refs, val_of,
};

/// What an `import`/`require` brought into one local name.
#[derive(Clone, Debug)]
pub(crate) struct Import {
    /// The module specifier.
    pub(crate) module: String,
    /// Which export.
    pub(crate) imported: Imported,
}

/// The export an import binds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Imported {
    /// `import x from`, `const x = require()`.
    Default,
    /// `import * as x from`.
    Namespace,
    /// `import { name as x } from`, `const { name: x } = require()`.
    Named(String),
}

impl Imported {
    /// The export an import of one binding reads (`default` for a default import); `None` for
    /// a namespace import, which reads the whole module.
    pub(crate) fn export_name(&self) -> Option<&str> {
        match self {
            Imported::Named(n) => Some(n),
            Imported::Default => Some("default"),
            Imported::Namespace => None,
        }
    }
}

/// Which libraries the file imports, for side detection and for the name gate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Evidence {
    /// Any Socket.IO package.
    pub(crate) socket_io: bool,
    /// A server-side Socket.IO package (`socket.io`, NestJS websockets, adapters, emitters).
    pub(crate) server_import: bool,
    /// A client-side Socket.IO package (`socket.io-client`, vue-socket.io, ngx-socket-io).
    pub(crate) client_import: bool,
    /// Another realtime transport (`net`, `ws`, MQTT, `new WebSocket()`…).
    pub(crate) other_transport: bool,
}

/// One class of the file (indexed in visit order, which both passes share).
#[derive(Clone, Debug, Default)]
pub(crate) struct ClassFacts {
    /// `this.x` values: property declarations, types, `this.x = …` assignments, getters.
    pub(crate) members: HashMap<String, Vec<Val>>,
    /// What each method returns.
    pub(crate) methods: HashMap<String, Vec<Val>>,
    /// The `extends` expression.
    pub(crate) heritage: Option<Val>,
    /// `Some(namespace)` for a NestJS `@WebSocketGateway` class.
    pub(crate) gateway: Option<Option<String>>,
    /// The class's name, when it has one.
    pub(crate) name: Option<String>,
}

/// Everything the first pass learnt about one file.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Local name → import.
    pub(crate) imports: HashMap<String, Import>,
    /// Every value each name is declared or assigned with, anywhere in the file.
    pub(crate) decls: HashMap<String, Vec<Val>>,
    /// Module-level `const`s, enums and class statics.
    pub(crate) consts: HashMap<String, CExpr>,
    /// Module-level `let`/`var` initialisers (constants unless reassigned).
    pub(crate) var_consts: HashMap<String, CExpr>,
    /// Names assigned with `=` somewhere.
    pub(crate) assigned: HashSet<String>,
    /// `a.b.c = value` assignments to non-`this` objects, keyed by `a.b.c`.
    pub(crate) paths: HashMap<String, Vec<Val>>,
    /// Classes in visit order.
    pub(crate) classes: Vec<ClassFacts>,
    /// Class name → index into `classes`.
    pub(crate) class_by_name: HashMap<String, usize>,
    /// What named functions return.
    pub(crate) fn_returns: HashMap<String, Vec<Val>>,
    /// `type AppSocket = Socket<…>`.
    pub(crate) type_aliases: HashMap<String, Vec<TypeRef>>,
    /// `interface Channel { socket: Socket; … }`: each property's declared types, so that a
    /// value typed `Channel` has a socket in its `socket` field.
    pub(crate) interfaces: HashMap<String, HashMap<String, Vec<TypeRef>>>,
    /// Interfaces that extend Node's `EventEmitter` (`interface WsEventEmitter extends
    /// EventEmitter { disconnect(): void }`): like `EventEmitter` itself, they say a value is
    /// some emitter, which a Socket.IO socket is.
    pub(crate) emitter_types: rustc_hash::FxHashSet<String>,
    /// `type EventName = "a" | "b"`: the strings of string-literal union aliases.
    pub(crate) literal_unions: HashMap<String, Vec<String>>,
    /// Module-level state stores (crate::scan::js::stores): name → field → values.
    pub(crate) stores: HashMap<String, HashMap<String, Vec<Val>>>,
    /// Methods of Pinia options stores (by span start), in which `this` is that store.
    pub(crate) store_methods: HashMap<u32, String>,
    /// Library evidence.
    pub(crate) evidence: Evidence,
    /// Modules re-exported wholesale or by name (`export * from './events'`).
    pub(crate) reexports: Vec<String>,
    /// What the module exports, by export name (`default` for `export default` and
    /// `module.exports = …`): the values other files may import (crate::scan::js::flow).
    pub(crate) exports: HashMap<String, Vec<Val>>,
    /// Function span start → the names other code may call it by: `f` for `function f` and
    /// `const f = () => …`, `Class.method`, `default` for a default export, `name` for
    /// `exports.name = function …`. Parameters seeded by callers are found through these.
    pub(crate) fn_keys: HashMap<u32, Vec<String>>,
    /// Named functions returning an object literal: its keys and the local function each names
    /// (`return { on }`, `return { on: listen }`), to find wrappers handed out as methods.
    pub(crate) returned_objects: HashMap<String, Vec<(String, String)>>,
}

impl Facts {
    /// Collects the facts of a parsed program.
    pub(crate) fn collect(program: &Program<'_>) -> Facts {
        let mut c = Collector::default();
        c.visit_program(program);
        c.facts
    }

    fn note_module(&mut self, spec: &str) {
        let fam = family(spec);
        let ev = &mut self.evidence;
        ev.socket_io |= fam.is_socket_io();
        match fam {
            Family::SioServer | Family::SioEmitter | Family::SioServerAux => {
                ev.server_import = true
            }
            Family::SioClient | Family::SioClientAux => ev.client_import = true,
            Family::OtherTransport => ev.other_transport = true,
            _ => {}
        }
    }
}

/// Where the returns of the function being walked go.
#[derive(Clone, Debug)]
enum ReturnSink {
    None,
    Function(String),
    Method(usize, String),
    Getter(usize, String),
}

#[derive(Default)]
struct Collector {
    facts: Facts,
    decl_kind: Option<VariableDeclarationKind>,
    fn_depth: u32,
    class_stack: Vec<usize>,
    /// Function span start → where its returns go (set by whoever names the function).
    sinks: HashMap<u32, ReturnSink>,
    fn_stack: Vec<ReturnSink>,
}

/// The declared types of the properties of an interface or type literal (`conn: Socket`).
fn property_types(members: &[TSSignature<'_>]) -> HashMap<String, Vec<TypeRef>> {
    members
        .iter()
        .filter_map(|sig| match sig {
            TSSignature::TSPropertySignature(p) => Some((
                p.key.static_name()?.to_string(),
                type_refs(&p.type_annotation.as_ref()?.type_annotation),
            )),
            _ => None,
        })
        .filter(|(_, refs)| !refs.is_empty())
        .collect()
}

impl Collector {
    /// Records that the function starting at `start` may be called as `key`.
    fn key_function(&mut self, start: u32, key: String) {
        self.facts.fn_keys.entry(start).or_default().push(key);
    }

    /// Records `expr`, when it is a function, as callable by `key`.
    fn key_function_expr(&mut self, expr: &Expression<'_>, key: &str) {
        if let Some(start) = function_start(expr) {
            self.key_function(start, key.to_string());
        }
    }

    /// Records an export of the module.
    fn export(&mut self, name: &str, value: Val) {
        self.facts
            .exports
            .entry(name.to_string())
            .or_default()
            .push(value);
    }

    fn push_decl(&mut self, name: &str, val: Val) {
        self.facts
            .decls
            .entry(name.to_string())
            .or_default()
            .push(val);
    }

    fn name_function(&mut self, expr: &Expression<'_>, sink: ReturnSink) {
        match expr.get_inner_expression() {
            Expression::ArrowFunctionExpression(a) => {
                self.sinks.insert(a.span.start, sink);
            }
            Expression::FunctionExpression(f) => {
                self.sinks.insert(f.span.start, sink);
            }
            _ => {}
        }
    }

    /// A declared return type (`dial(ns): Channel`) is one of the values the function returns.
    fn declared_return(&mut self, returns: Option<&TSTypeAnnotation<'_>>) {
        let Some(t) = returns else {
            return;
        };
        let refs = type_refs(&t.type_annotation);
        if !refs.is_empty() {
            self.record_return(Val::Typed(refs));
        }
    }

    fn record_return(&mut self, val: Val) {
        match self.fn_stack.last().cloned().unwrap_or(ReturnSink::None) {
            ReturnSink::None => {}
            ReturnSink::Function(name) => {
                self.facts.fn_returns.entry(name).or_default().push(val);
            }
            ReturnSink::Method(idx, name) => {
                if let Some(c) = self.facts.classes.get_mut(idx) {
                    c.methods.entry(name).or_default().push(val);
                }
            }
            ReturnSink::Getter(idx, name) => {
                if let Some(c) = self.facts.classes.get_mut(idx) {
                    c.members.entry(name).or_default().push(val);
                }
            }
        }
    }

    fn enter_class(&mut self, class: &Class<'_>) {
        let idx = self.facts.classes.len();
        let class_name = class.id.as_ref().map(|id| id.name.to_string());
        let mut facts = ClassFacts {
            heritage: class.heritage.as_ref().map(|h| val_of(&h.expression)),
            name: class_name.clone(),
            ..ClassFacts::default()
        };
        for dec in &class.decorators {
            if decorator_name(&dec.expression) == Some("WebSocketGateway") {
                facts.gateway = Some(gateway_namespace(&dec.expression));
            }
        }
        let mut statics = Vec::new();
        for element in &class.body.body {
            match element {
                ClassElement::PropertyDefinition(p) => {
                    let Some(key) = p.key.static_name() else {
                        continue;
                    };
                    let key = key.to_string();
                    let members = facts.members.entry(key.clone()).or_default();
                    if p.decorators
                        .iter()
                        .any(|d| decorator_name(&d.expression) == Some("WebSocketServer"))
                    {
                        members.push(Val::NestServer);
                    }
                    if let Some(t) = &p.type_annotation {
                        members.push(Val::Typed(type_refs(&t.type_annotation)));
                    }
                    if let Some(v) = &p.value {
                        members.push(val_of(v));
                        self.name_function(v, ReturnSink::Method(idx, key.clone()));
                        if p.r#static {
                            statics.push((key, cexpr_of(v)));
                        }
                    }
                }
                ClassElement::MethodDefinition(m) => {
                    let Some(key) = m.key.static_name() else {
                        continue;
                    };
                    let key = key.to_string();
                    if let Some(c) = &class_name {
                        self.key_function(m.value.span.start, format!("{c}.{key}"));
                    }
                    match m.kind {
                        MethodDefinitionKind::Get => {
                            self.sinks
                                .insert(m.value.span.start, ReturnSink::Getter(idx, key));
                        }
                        MethodDefinitionKind::Constructor => {
                            for param in &m.value.params.items {
                                let is_property = param.accessibility.is_some() || param.readonly;
                                let (Some(name), Some(t)) =
                                    (param.pattern.get_identifier_name(), &param.type_annotation)
                                else {
                                    continue;
                                };
                                if is_property {
                                    facts
                                        .members
                                        .entry(name.to_string())
                                        .or_default()
                                        .push(Val::Typed(type_refs(&t.type_annotation)));
                                }
                            }
                        }
                        _ => {
                            self.sinks
                                .insert(m.value.span.start, ReturnSink::Method(idx, key));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(id) = &class.id {
            self.facts.class_by_name.insert(id.name.to_string(), idx);
            if !statics.is_empty() {
                self.facts
                    .consts
                    .insert(id.name.to_string(), CExpr::Obj(statics, Vec::new()));
            }
        }
        self.facts.classes.push(facts);
        self.class_stack.push(idx);
    }
}

/// The namespace option of `@WebSocketGateway(port?, { namespace: 'chat' })`, `/`-prefixed as
/// Socket.IO normalises it.
fn gateway_namespace(expr: &Expression<'_>) -> Option<String> {
    let Expression::CallExpression(call) = expr.get_inner_expression() else {
        return None;
    };
    for arg in &call.arguments {
        let Some(Expression::ObjectExpression(o)) =
            arg.as_expression().map(Expression::get_inner_expression)
        else {
            continue;
        };
        for prop in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            if p.key.static_name().as_deref() == Some("namespace") {
                if let Some(ns) = string_key(&p.value) {
                    return Some(if ns.starts_with('/') {
                        ns
                    } else {
                        format!("/{ns}")
                    });
                }
            }
        }
    }
    None
}

impl<'a> Visit<'a> for Collector {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(f) => {
                if let Some(id) = &f.id {
                    self.key_function(f.span.start, id.name.to_string());
                }
                self.fn_depth += 1;
                let sink = self.sinks.remove(&f.span.start).unwrap_or_else(|| {
                    f.id.as_ref().map_or(ReturnSink::None, |id| {
                        ReturnSink::Function(id.name.to_string())
                    })
                });
                self.fn_stack.push(sink);
                self.declared_return(f.return_type.as_deref());
            }
            AstKind::ArrowFunctionExpression(a) => {
                self.fn_depth += 1;
                let sink = self.sinks.remove(&a.span.start).unwrap_or(ReturnSink::None);
                self.fn_stack.push(sink);
                self.declared_return(a.return_type.as_deref());
                if let Some(body) = a.get_expression() {
                    self.record_return(val_of(body));
                }
            }
            AstKind::Class(c) => self.enter_class(c),
            _ => {}
        }
    }

    fn leave_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
                self.fn_depth -= 1;
                self.fn_stack.pop();
            }
            AstKind::Class(_) => {
                self.class_stack.pop();
            }
            _ => {}
        }
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let module = it.source.value.to_string();
        self.facts.note_module(&module);
        for spec in it.specifiers.iter().flatten() {
            let (local, imported) = match spec {
                ImportDeclarationSpecifier::ImportSpecifier(s) => (
                    s.local.name.to_string(),
                    Imported::Named(s.imported.name().to_string()),
                ),
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    (s.local.name.to_string(), Imported::Default)
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    (s.local.name.to_string(), Imported::Namespace)
                }
            };
            self.facts.imports.insert(
                local,
                Import {
                    module: module.clone(),
                    imported,
                },
            );
        }
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Expression::StringLiteral(s) = it.source.get_inner_expression() {
            self.facts.note_module(&s.value);
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.get_inner_expression().is_specific_id("require") {
            if let Some(Expression::StringLiteral(s)) = it
                .arguments
                .first()
                .and_then(Argument::as_expression)
                .map(Expression::get_inner_expression)
            {
                self.facts.note_module(&s.value);
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        if let Expression::Identifier(id) = it.callee.get_inner_expression() {
            if matches!(
                id.name.as_str(),
                "WebSocket" | "ReconnectingWebSocket" | "SockJS" | "EventSource"
            ) && !self.facts.imports.contains_key(id.name.as_str())
            {
                self.facts.evidence.other_transport = true;
            }
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        let saved = self.decl_kind.replace(it.kind);
        walk::walk_variable_declaration(self, it);
        self.decl_kind = saved;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        match &it.id {
            BindingPattern::BindingIdentifier(id) => {
                let name = id.name.as_str();
                if let Some(t) = &it.type_annotation {
                    self.push_decl(name, Val::Typed(type_refs(&t.type_annotation)));
                }
                if let Some(init) = &it.init {
                    let value = val_of(init);
                    if let Val::Require(module) = &value {
                        if family(module) == Family::Local {
                            self.facts.imports.insert(
                                name.to_string(),
                                Import {
                                    module: module.clone(),
                                    imported: Imported::Default,
                                },
                            );
                        }
                    }
                    self.push_decl(name, value);
                    if self.fn_depth == 0 {
                        if let Some(fields) = super::stores::fields(init, &self.facts.imports) {
                            self.facts.stores.insert(name.to_string(), fields);
                        }
                        for start in super::stores::this_is_store(init, &self.facts.imports) {
                            self.facts.store_methods.insert(start, name.to_string());
                        }
                    }
                    self.name_function(init, ReturnSink::Function(name.to_string()));
                    self.key_function_expr(init, name);
                    if self.fn_depth == 0 && self.class_stack.is_empty() {
                        let value = cexpr_of(init);
                        if value != CExpr::Unknown {
                            if self.decl_kind == Some(VariableDeclarationKind::Const) {
                                self.facts.consts.insert(name.to_string(), value);
                            } else {
                                self.facts.var_consts.insert(name.to_string(), value);
                            }
                        }
                    }
                }
            }
            BindingPattern::ObjectPattern(pattern) => {
                let source = it.init.as_ref().map(val_of);
                for prop in &pattern.properties {
                    let (Some(key), Some(local)) =
                        (prop.key.static_name(), prop.value.get_identifier_name())
                    else {
                        continue;
                    };
                    match &source {
                        Some(Val::Require(module)) => {
                            self.facts.imports.insert(
                                local.to_string(),
                                Import {
                                    module: module.clone(),
                                    imported: Imported::Named(key.to_string()),
                                },
                            );
                        }
                        Some(src) => self
                            .push_decl(&local, Val::Member(Box::new(src.clone()), key.to_string())),
                        None => {}
                    }
                }
            }
            _ => {}
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if it.operator == AssignmentOperator::Assign {
            let value = val_of(&it.right);
            match &it.left {
                AssignmentTarget::AssignmentTargetIdentifier(id) => {
                    self.facts.assigned.insert(id.name.to_string());
                    self.name_function(&it.right, ReturnSink::Function(id.name.to_string()));
                    self.push_decl(&id.name, value);
                }
                AssignmentTarget::StaticMemberExpression(m) => {
                    self.commonjs_export(&m.object, m.property.name.as_str(), &it.right);
                    self.assign_member(&m.object, m.property.name.as_str(), value);
                }
                AssignmentTarget::ComputedMemberExpression(m) => {
                    if let Some(key) = string_key(&m.expression) {
                        self.assign_member(&m.object, &key, value);
                    }
                }
                _ => {}
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let Some(arg) = &it.argument {
            self.record_return(val_of(arg));
            self.record_returned_object(arg);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        match &it.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                self.key_function(f.span.start, "default".into());
                if let Some(id) = &f.id {
                    self.export("default", Val::Ident(id.name.to_string()));
                }
            }
            ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                if let Some(id) = &c.id {
                    self.export("default", Val::Ident(id.name.to_string()));
                }
            }
            _ => {}
        }
        if let Some(e) = it.declaration.as_expression() {
            self.export("default", val_of(e));
            self.key_function_expr(e, "default");
            self.exported_object(e);
            let value = cexpr_of(e);
            if value != CExpr::Unknown {
                self.facts.consts.insert("default".to_string(), value);
            }
        }
        walk::walk_export_default_declaration(self, it);
    }

    fn visit_export_named_declaration(&mut self, it: &ExportNamedDeclaration<'a>) {
        for spec in &it.specifiers {
            let local = spec.local.name().to_string();
            self.export(&spec.exported.name(), Val::Ident(local));
        }
        walk::walk_export_named_declaration(self, it);
    }

    fn visit_export_declaration(&mut self, it: &ExportDeclaration<'a>) {
        match &it.declaration {
            Declaration::VariableDeclaration(v) => {
                for d in &v.declarations {
                    for id in d.id.get_binding_identifiers() {
                        self.export(&id.name, Val::Ident(id.name.to_string()));
                    }
                }
            }
            Declaration::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    self.export(&id.name, Val::Ident(id.name.to_string()));
                }
            }
            Declaration::ClassDeclaration(c) => {
                if let Some(id) = &c.id {
                    self.export(&id.name, Val::Ident(id.name.to_string()));
                }
            }
            _ => {}
        }
        walk::walk_export_declaration(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        self.facts.reexports.push(it.source.value.to_string());
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        self.facts.reexports.push(it.source.value.to_string());
    }

    fn visit_ts_enum_declaration(&mut self, it: &TSEnumDeclaration<'a>) {
        let mut entries = Vec::new();
        for member in &it.body.members {
            let key = match &member.id {
                TSEnumMemberName::Identifier(id) => id.name.to_string(),
                TSEnumMemberName::String(s) | TSEnumMemberName::ComputedString(s) => {
                    s.value.to_string()
                }
                TSEnumMemberName::ComputedTemplateString(_) => continue,
            };
            let value = match &member.initializer {
                Some(Expression::StringLiteral(s)) => CExpr::Str(s.value.to_string()),
                Some(e) => match cexpr_of(e) {
                    // Only string members name events; numbers are auto-increment ordinals.
                    c @ (CExpr::Concat(_) | CExpr::Path(_)) => c,
                    _ => CExpr::Unknown,
                },
                None => CExpr::Unknown,
            };
            entries.push((key, value));
        }
        self.facts
            .consts
            .insert(it.id.name.to_string(), CExpr::Obj(entries, Vec::new()));
        walk::walk_ts_enum_declaration(self, it);
    }

    fn visit_ts_interface_declaration(&mut self, it: &TSInterfaceDeclaration<'a>) {
        let props = property_types(&it.body.body);
        self.facts.interfaces.insert(it.id.name.to_string(), props);
        let emitter = it.extends.iter().any(|h| match &h.type_name {
            TSTypeName::IdentifierReference(id) => {
                matches!(id.name.as_str(), "EventEmitter" | "Emitter")
                    || self.facts.emitter_types.contains(id.name.as_str())
            }
            _ => false,
        });
        if emitter {
            self.facts.emitter_types.insert(it.id.name.to_string());
        }
        walk::walk_ts_interface_declaration(self, it);
    }

    fn visit_ts_type_alias_declaration(&mut self, it: &TSTypeAliasDeclaration<'a>) {
        // `type Props = { conn: Socket }` is an interface by another name: its properties are
        // typed, the alias itself is not a socket.
        if let TSType::TSTypeLiteral(lit) = &it.type_annotation {
            let props = property_types(&lit.members);
            self.facts.interfaces.insert(it.id.name.to_string(), props);
        } else {
            self.facts
                .type_aliases
                .insert(it.id.name.to_string(), type_refs(&it.type_annotation));
        }
        if let Some(names) = literal_union(&it.type_annotation, &self.facts.literal_unions) {
            self.facts
                .literal_unions
                .insert(it.id.name.to_string(), names);
        }
        walk::walk_ts_type_alias_declaration(self, it);
    }
}

impl Collector {
    /// `module.exports = {...}`, `module.exports.X = …`, `exports.X = …` at module level.
    fn commonjs_export(&mut self, object: &Expression<'_>, prop: &str, value: &Expression<'_>) {
        if self.fn_depth > 0 {
            return;
        }
        let Some(path) = path_of(object, 0) else {
            return;
        };
        let target = match (
            path.iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            prop,
        ) {
            (["module"], "exports") => "default".to_string(),
            (["module", "exports"] | ["exports"], name) => name.to_string(),
            _ => return,
        };
        self.export(&target, val_of(value));
        self.key_function_expr(value, &target);
        if target == "default" {
            self.exported_object(value);
        }
        let value = cexpr_of(value);
        // `exports.X = X` must not replace (and loop on) the constant it exports.
        if value != CExpr::Unknown && value != CExpr::Path(vec![target.clone()]) {
            self.facts.consts.entry(target).or_insert(value);
        }
    }

    /// `return { on, off: stop }` in a named function: which local functions it hands out.
    fn record_returned_object(&mut self, arg: &Expression<'_>) {
        let Some(ReturnSink::Function(name)) = self.fn_stack.last().cloned() else {
            return;
        };
        let Expression::ObjectExpression(o) = arg.get_inner_expression() else {
            return;
        };
        let props: Vec<(String, String)> = o
            .properties
            .iter()
            .filter_map(|p| match p {
                ObjectPropertyKind::ObjectProperty(p) => match p.value.get_inner_expression() {
                    Expression::Identifier(id) => {
                        Some((p.key.static_name()?.to_string(), id.name.to_string()))
                    }
                    _ => None,
                },
                ObjectPropertyKind::SpreadProperty(_) => None,
            })
            .collect();
        if !props.is_empty() {
            self.facts
                .returned_objects
                .entry(name)
                .or_default()
                .extend(props);
        }
    }

    /// `module.exports = { socket, register(io) {…}, send: (s) => … }`: each property is an
    /// export of its own, and each function in it callable by its key.
    fn exported_object(&mut self, value: &Expression<'_>) {
        let Expression::ObjectExpression(o) = value.get_inner_expression() else {
            return;
        };
        for prop in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            let Some(key) = p.key.static_name() else {
                continue;
            };
            self.export(&key, val_of(&p.value));
            self.key_function_expr(&p.value, &key);
        }
    }

    fn assign_member(&mut self, object: &Expression<'_>, prop: &str, value: Val) {
        let Some(path) = path_of(object, 0) else {
            return;
        };
        if path.len() == 1 && path[0] == "this" {
            if let Some(&idx) = self.class_stack.last() {
                self.facts.classes[idx]
                    .members
                    .entry(prop.to_string())
                    .or_default()
                    .push(value);
            }
            return;
        }
        if path.len() == 1 && matches!(path[0].as_str(), "window" | "global" | "globalThis") {
            self.push_decl(prop, value.clone());
        }
        let key = format!("{}.{prop}", path.join("."));
        self.facts.paths.entry(key).or_default().push(value);
    }
}

/// Where a function expression starts (its key in `fn_keys`), when `expr` is one.
fn function_start(expr: &Expression<'_>) -> Option<u32> {
    match expr.get_inner_expression() {
        Expression::ArrowFunctionExpression(a) => Some(a.span.start),
        Expression::FunctionExpression(f) => Some(f.span.start),
        _ => None,
    }
}
