//! State stores that hold a socket: Pinia (`defineStore`) and Zustand (`create`).
//!
//! A store is a module-level value whose fields other code reads (`useWire().wire`,
//! `useLive.getState().io`). Its fields are what its definition puts in the state: Pinia's
//! `state: () => ({ wire: io() })`, what its actions assign (`this.wire = io()`, `this` being
//! the store inside actions and getters: [`this_is_store`]) or a setup store's
//! `return { socket }`, Zustand's initial object and every `set({ io: io() })`. `resolve.rs`
//! reads a store as an instance of the class `#store:<name>` whose members are these fields, in
//! its own file and, through the project table, in every file that imports it.

use rustc_hash::FxHashMap as HashMap;

use oxc_ast::ast::*;
use oxc_ast_visit::{walk, Visit};

use super::collect::Import;
use super::model::Val;
use super::summary::val_of;

/// The class name a store's values are instances of.
pub(crate) fn class_of(store: &str) -> String {
    format!("#store:{store}")
}

/// The fields of the store `init` defines, when it is a call of Pinia's `defineStore` or
/// Zustand's `create` / `createStore` (also curried, `create<T>()(…)`, and through
/// middlewares, `create(devtools((set) => …))`).
pub(crate) fn fields(
    init: &Expression<'_>,
    imports: &HashMap<String, Import>,
) -> Option<HashMap<String, Vec<Val>>> {
    let Expression::CallExpression(call) = init.get_inner_expression() else {
        return None;
    };
    let (library, args) = store_call(call, imports)?;
    let mut out: HashMap<String, Vec<Val>> = HashMap::default();
    match library {
        Library::Pinia => {
            for arg in args.iter().filter_map(Argument::as_expression) {
                match arg.get_inner_expression() {
                    Expression::ObjectExpression(o) => pinia_state(o, &mut out),
                    e => {
                        if let Some(body) = function_body(e) {
                            returned_fields(body, &mut out);
                        }
                    }
                }
            }
        }
        Library::Zustand => {
            let creator = args.first()?.as_expression().and_then(innermost_function)?;
            zustand_state(creator, &mut out);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[derive(Clone, Copy)]
enum Library {
    Pinia,
    Zustand,
}

fn store_call<'c, 'a>(
    call: &'c CallExpression<'a>,
    imports: &HashMap<String, Import>,
) -> Option<(Library, &'c oxc_allocator::Vec<'a, Argument<'a>>)> {
    let callee = match call.callee.get_inner_expression() {
        Expression::Identifier(id) => id.name.as_str(),
        // `create<State>()((set) => …)`.
        Expression::CallExpression(inner) => match inner.callee.get_inner_expression() {
            Expression::Identifier(id) if inner.arguments.is_empty() => id.name.as_str(),
            _ => return None,
        },
        _ => return None,
    };
    let import = imports.get(callee)?;
    let library = match (import.module.as_str(), import.imported.export_name()?) {
        ("pinia", "defineStore") => Library::Pinia,
        ("zustand" | "zustand/vanilla", "create" | "createStore" | "default") => Library::Zustand,
        _ => return None,
    };
    Some((library, &call.arguments))
}

/// `state: () => ({ wire: io() })` in Pinia's options, and what its actions assign to the state
/// (`open() { this.wire = io() }`).
fn pinia_state(options: &ObjectExpression<'_>, out: &mut HashMap<String, Vec<Val>>) {
    for prop in &options.properties {
        let ObjectPropertyKind::ObjectProperty(p) = prop else {
            continue;
        };
        match p.key.static_name().as_deref() {
            Some("state") => {
                if let Some(body) = function_body(&p.value) {
                    returned_fields(body, out);
                }
            }
            Some("actions") => {
                let mut assigns = ThisAssigns { found: Vec::new() };
                assigns.visit_expression(&p.value);
                for (key, value) in assigns.found {
                    out.entry(key).or_default().push(value);
                }
            }
            _ => {}
        }
    }
}

/// The functions of a Pinia options store in which `this` is the store: its `actions` and
/// `getters` (by span start); none when `init` is not such a store.
pub(crate) fn this_is_store(init: &Expression<'_>, imports: &HashMap<String, Import>) -> Vec<u32> {
    let Expression::CallExpression(call) = init.get_inner_expression() else {
        return Vec::new();
    };
    let Some((Library::Pinia, args)) = store_call(call, imports) else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    for arg in args.iter().filter_map(Argument::as_expression) {
        let Some(options) = object_of(arg) else {
            continue;
        };
        for prop in &options.properties {
            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                continue;
            };
            if !matches!(p.key.static_name().as_deref(), Some("actions" | "getters")) {
                continue;
            }
            let Some(methods) = object_of(&p.value) else {
                continue;
            };
            for m in &methods.properties {
                if let ObjectPropertyKind::ObjectProperty(m) = m {
                    if let Expression::FunctionExpression(f) = m.value.get_inner_expression() {
                        starts.push(f.span.start);
                    }
                }
            }
        }
    }
    starts
}

/// `this.wire = io()` inside a Pinia options store's actions.
struct ThisAssigns {
    found: Vec<(String, Val)>,
}

impl<'a> Visit<'a> for ThisAssigns {
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let AssignmentTarget::StaticMemberExpression(m) = &it.left {
            if matches!(m.object, Expression::ThisExpression(_)) {
                self.found
                    .push((m.property.name.to_string(), val_of(&it.right)));
            }
        }
        walk::walk_assignment_expression(self, it);
    }
}

/// The object a function returns, as fields; a shorthand `{ socket }` reads the function's own
/// `const socket = …`.
fn returned_fields(body: Body<'_, '_>, out: &mut HashMap<String, Vec<Val>>) {
    let (object, locals) = match body {
        Body::Expression(e) => (object_of(e), HashMap::default()),
        Body::Statements(stmts) => {
            let mut locals = HashMap::default();
            let mut object = None;
            for stmt in stmts {
                match stmt {
                    Statement::VariableDeclaration(d) => {
                        for v in &d.declarations {
                            if let (Some(name), Some(init)) = (v.id.get_identifier_name(), &v.init)
                            {
                                locals.insert(name.to_string(), val_of(init));
                            }
                        }
                    }
                    Statement::ReturnStatement(r) => {
                        object = r.argument.as_ref().and_then(object_of);
                    }
                    _ => {}
                }
            }
            (object, locals)
        }
    };
    let Some(object) = object else {
        return;
    };
    for (key, value) in object_fields(object) {
        let value = match &value {
            Val::Ident(local) => locals.get(local).cloned().unwrap_or(value),
            _ => value,
        };
        out.entry(key).or_default().push(value);
    }
}

/// Zustand's `(set, get) => ({ io: null, connect: () => set({ io: io() }) })`.
fn zustand_state(creator: Function<'_, '_>, out: &mut HashMap<String, Vec<Val>>) {
    if let Some(object) = creator.body_object() {
        for (key, value) in object_fields(object) {
            out.entry(key).or_default().push(value);
        }
    }
    let Some(set) = creator.first_param() else {
        return;
    };
    let mut sets = SetCalls {
        set: &set,
        found: Vec::new(),
    };
    creator.walk(&mut sets);
    for (key, value) in sets.found {
        out.entry(key).or_default().push(value);
    }
}

/// `set({ io: io() })` calls inside a Zustand creator.
struct SetCalls<'s> {
    set: &'s str,
    found: Vec<(String, Val)>,
}

impl<'a> Visit<'a> for SetCalls<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if matches!(it.callee.get_inner_expression(), Expression::Identifier(id) if id.name == self.set)
        {
            if let Some(object) = it
                .arguments
                .first()
                .and_then(Argument::as_expression)
                .and_then(object_of)
            {
                self.found.extend(object_fields(object));
            }
        }
        walk::walk_call_expression(self, it);
    }
}

fn object_fields(object: &ObjectExpression<'_>) -> Vec<(String, Val)> {
    object
        .properties
        .iter()
        .filter_map(|prop| match prop {
            ObjectPropertyKind::ObjectProperty(p) => {
                Some((p.key.static_name()?.to_string(), val_of(&p.value)))
            }
            ObjectPropertyKind::SpreadProperty(_) => None,
        })
        .collect()
}

fn object_of<'e, 'a>(e: &'e Expression<'a>) -> Option<&'e ObjectExpression<'a>> {
    match e.get_inner_expression() {
        Expression::ObjectExpression(o) => Some(o),
        _ => None,
    }
}

/// What a function's body is: one expression (`() => ({…})`) or statements.
enum Body<'e, 'a> {
    Expression(&'e Expression<'a>),
    Statements(&'e [Statement<'a>]),
}

fn function_body<'e, 'a>(e: &'e Expression<'a>) -> Option<Body<'e, 'a>> {
    match e.get_inner_expression() {
        Expression::ArrowFunctionExpression(a) => Some(match a.get_expression() {
            Some(expr) => Body::Expression(expr),
            None => Body::Statements(arrow_statements(a)?),
        }),
        Expression::FunctionExpression(f) => Some(Body::Statements(&f.body.as_ref()?.statements)),
        _ => None,
    }
}

/// A store creator: an arrow or function expression.
#[derive(Clone, Copy)]
enum Function<'e, 'a> {
    Arrow(&'e ArrowFunctionExpression<'a>),
    Plain(&'e oxc_ast::ast::Function<'a>),
}

impl<'e, 'a> Function<'e, 'a> {
    fn params(self) -> &'e FormalParameters<'a> {
        match self {
            Function::Arrow(a) => &a.params,
            Function::Plain(f) => &f.params,
        }
    }

    fn first_param(self) -> Option<String> {
        self.params()
            .items
            .first()
            .and_then(|p| p.pattern.get_identifier_name())
            .map(|n| n.to_string())
    }

    fn body_object(self) -> Option<&'e ObjectExpression<'a>> {
        let statements = match self {
            Function::Arrow(a) => match a.get_expression() {
                Some(e) => return object_of(e),
                None => arrow_statements(a)?,
            },
            Function::Plain(f) => &f.body.as_ref()?.statements,
        };
        statements.iter().find_map(|s| match s {
            Statement::ReturnStatement(r) => r.argument.as_ref().and_then(object_of),
            _ => None,
        })
    }

    fn walk(self, v: &mut impl Visit<'a>) {
        match self {
            Function::Arrow(a) => v.visit_arrow_function_body(&a.body),
            Function::Plain(f) => {
                if let Some(body) = &f.body {
                    v.visit_function_body(body);
                }
            }
        }
    }
}

fn arrow_statements<'e, 'a>(a: &'e ArrowFunctionExpression<'a>) -> Option<&'e [Statement<'a>]> {
    match &a.body {
        ArrowFunctionBody::FunctionBody(b) => Some(&b.statements),
        _ => None,
    }
}

/// The creator inside middlewares: `devtools(persist((set) => …))` → `(set) => …`.
fn innermost_function<'e, 'a>(e: &'e Expression<'a>) -> Option<Function<'e, 'a>> {
    match e.get_inner_expression() {
        Expression::ArrowFunctionExpression(a) => Some(Function::Arrow(a)),
        Expression::FunctionExpression(f) => Some(Function::Plain(f)),
        Expression::CallExpression(c) => c
            .arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(innermost_function),
        _ => None,
    }
}
