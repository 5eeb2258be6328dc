//! The pre-pass over a whole file: what the walk needs to know before it meets a call.
//!
//! Rust resolves names across the whole file regardless of order, so constants, enum string
//! tables, struct fields and serde attributes are collected before any site is judged.

use std::collections::{HashMap, HashSet};

use syn::visit::{self, Visit};

use super::shape::SerdeDefs;
use crate::scan::Side;

/// What one file declares and imports, as far as the extractor cares.
#[derive(Default)]
pub struct Facts {
    /// The file names `socketioxide` (a `use`, a path, `loco_rs::socketioxide`).
    pub uses_socketioxide: bool,
    /// The file names `rust_socketio`.
    pub uses_rust_socketio: bool,
    /// `const`/`static` string items by name (the last path segment resolves them).
    consts: HashMap<String, String>,
    /// `(type, method)` → variant → string, from `match self { Self::A => "a" }` bodies; the
    /// `Display` impl is stored under the method `to_string`.
    enum_strings: HashMap<(String, String), HashMap<String, String>>,
    /// Enums declared in this file (a local `Event` is not rust_socketio's `Event`).
    pub local_enums: HashSet<String>,
    /// Struct fields by name with their type, to recognise `self.io` as a socket.
    fields: Vec<(String, syn::Type)>,
    /// Serde renames of structs and enums declared in this file.
    pub serde: SerdeDefs,
    /// Socket-typed struct fields declared in other files of the scan (`io: SocketIo` of an
    /// `AppState` in main.rs read as `state.io` in a handlers module), after this file's own.
    pub project_fields: Vec<(String, HandleType)>,
}

impl Facts {
    /// Run the pre-pass over a parsed file.
    pub fn collect(file: &syn::File) -> Facts {
        let mut facts = Facts::default();
        facts.visit_file(file);
        facts
    }

    /// The side the file's imports show; `None` when it names neither crate or both.
    pub fn file_side(&self) -> Option<Side> {
        match (self.uses_socketioxide, self.uses_rust_socketio) {
            (true, false) => Some(Side::Server),
            (false, true) => Some(Side::Client),
            _ => None,
        }
    }

    /// The string a `const`/`static` of this file holds.
    pub fn const_str(&self, name: &str) -> Option<&str> {
        self.consts.get(name).map(String::as_str)
    }

    /// The string `Type::Variant.method()` returns, when the file's impl makes it trivial.
    pub fn enum_str(&self, ty: &str, variant: &str, method: &str) -> Option<&str> {
        self.enum_strings
            .get(&(ty.to_string(), method.to_string()))?
            .get(variant)
            .map(String::as_str)
    }

    /// The side of a struct field named `name` whose type is a socket handle: declared in this
    /// file, else in another file of the scan.
    pub fn socket_field(&self, name: &str) -> Option<HandleType> {
        let declared_here = self.fields.iter().filter(|(field, _)| field == name);
        if declared_here.clone().next().is_some() {
            return declared_here
                .clone()
                .find_map(|(_, ty)| self.socket_type(ty));
        }
        self.project_fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, h)| *h)
    }

    /// This file's struct fields whose type is a socket handle.
    pub fn socket_fields(&self) -> Vec<(String, HandleType)> {
        self.fields
            .iter()
            .filter_map(|(name, ty)| Some((name.clone(), self.socket_type(ty)?)))
            .collect()
    }

    /// Whether `ty` is a socket handle type (through `&`, `Arc`, `State`, `Option`…).
    pub fn socket_type(&self, ty: &syn::Type) -> Option<HandleType> {
        match ty {
            syn::Type::Reference(r) => self.socket_type(&r.elem),
            syn::Type::Paren(p) => self.socket_type(&p.elem),
            syn::Type::Group(g) => self.socket_type(&g.elem),
            syn::Type::Path(p) => {
                let segments = &p.path.segments;
                let last = segments.last()?;
                let first = segments.first()?.ident.to_string();
                let name = last.ident.to_string();
                match name.as_str() {
                    "SocketRef" | "Operators" | "BroadcastOperators" | "ConfOperators" => {
                        Some(HandleType::socket(Side::Server))
                    }
                    "SocketIo" => Some(HandleType::io()),
                    "Socket" if first == "socketioxide" || segments.len() == 1 => {
                        self.file_side().map(HandleType::socket)
                    }
                    "RawClient" | "Client"
                        if first == "rust_socketio"
                            || first == "asynchronous"
                            || (segments.len() == 1 && self.file_side() == Some(Side::Client)) =>
                    {
                        Some(HandleType::socket(Side::Client))
                    }
                    "Arc" | "Rc" | "Box" | "State" | "Extension" | "Option" | "Data" => {
                        match &last.arguments {
                            syn::PathArguments::AngleBracketed(args) => {
                                args.args.iter().find_map(|arg| match arg {
                                    syn::GenericArgument::Type(inner) => self.socket_type(inner),
                                    _ => None,
                                })
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// What a socket-typed name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleType {
    /// Which end of the connection the handle lives on.
    pub side: Side,
    /// `SocketIo`: its `emit` goes to the `/` namespace whatever handler it sits in.
    pub io: bool,
}

impl HandleType {
    /// A socket or operator handle: its namespace is the handler's.
    pub fn socket(side: Side) -> HandleType {
        HandleType { side, io: false }
    }

    /// socketioxide's `SocketIo`.
    pub fn io() -> HandleType {
        HandleType {
            side: Side::Server,
            io: true,
        }
    }
}

impl<'ast> Visit<'ast> for Facts {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        for segment in &path.segments {
            self.note_crate(&segment.ident);
        }
        visit::visit_path(self, path);
    }

    fn visit_use_path(&mut self, node: &'ast syn::UsePath) {
        self.note_crate(&node.ident);
        visit::visit_use_path(self, node);
    }

    fn visit_use_name(&mut self, node: &'ast syn::UseName) {
        self.note_crate(&node.ident);
    }

    fn visit_item_extern_crate(&mut self, node: &'ast syn::ItemExternCrate) {
        self.note_crate(&node.ident);
    }

    fn visit_item_const(&mut self, node: &'ast syn::ItemConst) {
        self.note_const(&node.ident, &node.expr);
        visit::visit_item_const(self, node);
    }

    fn visit_item_static(&mut self, node: &'ast syn::ItemStatic) {
        self.note_const(&node.ident, &node.expr);
        visit::visit_item_static(self, node);
    }

    fn visit_impl_item_const(&mut self, node: &'ast syn::ImplItemConst) {
        self.note_const(&node.ident, &node.expr);
        visit::visit_impl_item_const(self, node);
    }

    fn visit_item_enum(&mut self, node: &'ast syn::ItemEnum) {
        self.local_enums.insert(node.ident.to_string());
        self.serde.note_enum(node);
        visit::visit_item_enum(self, node);
    }

    fn visit_item_struct(&mut self, node: &'ast syn::ItemStruct) {
        self.serde.note_struct(node);
        for field in &node.fields {
            if let Some(ident) = &field.ident {
                self.fields.push((ident.to_string(), field.ty.clone()));
            }
        }
        visit::visit_item_struct(self, node);
    }

    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        if let Some(ty) = type_name(&node.self_ty) {
            let display = node
                .trait_
                .as_ref()
                .and_then(|(_, path, _)| path.segments.last())
                .is_some_and(|s| s.ident == "Display");
            for item in &node.items {
                let syn::ImplItem::Fn(method) = item else {
                    continue;
                };
                if method.sig.receiver().is_none() {
                    continue;
                }
                let table = variant_strings(&method.block);
                if table.is_empty() {
                    continue;
                }
                let name = if display {
                    "to_string".to_string()
                } else {
                    method.sig.ident.to_string()
                };
                self.enum_strings.insert((ty.clone(), name), table);
            }
        }
        visit::visit_item_impl(self, node);
    }
}

impl Facts {
    fn note_crate(&mut self, ident: &syn::Ident) {
        if ident == "socketioxide" {
            self.uses_socketioxide = true;
        } else if ident == "rust_socketio" {
            self.uses_rust_socketio = true;
        }
    }

    fn note_const(&mut self, ident: &syn::Ident, expr: &syn::Expr) {
        if let Some(value) = str_literal(expr) {
            self.consts.insert(ident.to_string(), value);
        }
    }
}

/// The last segment of a type path: `Event` for `events::Event`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// A string literal, through `&` and parentheses.
pub fn str_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        syn::Expr::Reference(r) => str_literal(&r.expr),
        syn::Expr::Paren(p) => str_literal(&p.expr),
        syn::Expr::Group(g) => str_literal(&g.expr),
        _ => None,
    }
}

/// Variant → string from the first `match self` in a method body whose arms are string
/// literals, `write!(f, "…")` or `f.write_str("…")`.
fn variant_strings(block: &syn::Block) -> HashMap<String, String> {
    #[derive(Default)]
    struct FindMatch<'a>(Option<&'a syn::ExprMatch>);
    impl<'a> Visit<'a> for FindMatch<'a> {
        fn visit_expr_match(&mut self, node: &'a syn::ExprMatch) {
            if self.0.is_none() && is_self(&node.expr) {
                self.0 = Some(node);
            }
            visit::visit_expr_match(self, node);
        }
    }
    let mut finder = FindMatch::default();
    finder.visit_block(block);
    let mut table = HashMap::new();
    let Some(found) = finder.0 else {
        return table;
    };
    for arm in &found.arms {
        let Some(value) = arm_string(&arm.body) else {
            continue;
        };
        for variant in pattern_variants(&arm.pat) {
            table.insert(variant, value.clone());
        }
    }
    table
}

fn is_self(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Path(p) => p.path.is_ident("self"),
        syn::Expr::Unary(u) => is_self(&u.expr),
        syn::Expr::Reference(r) => is_self(&r.expr),
        syn::Expr::Paren(p) => is_self(&p.expr),
        _ => false,
    }
}

/// `Self::A`, `Event::A`, `Self::A { .. }`, `Self::A(_)`, `A | B` → variant names.
fn pattern_variants(pat: &syn::Pat) -> Vec<String> {
    let last = |path: &syn::Path| path.segments.last().map(|s| s.ident.to_string());
    match pat {
        syn::Pat::Path(p) => last(&p.path).into_iter().collect(),
        syn::Pat::Ident(i) => vec![i.ident.to_string()],
        syn::Pat::TupleStruct(t) => last(&t.path).into_iter().collect(),
        syn::Pat::Struct(s) => last(&s.path).into_iter().collect(),
        syn::Pat::Or(o) => o.cases.iter().flat_map(pattern_variants).collect(),
        _ => Vec::new(),
    }
}

/// The string an arm body yields: `"a"`, `{ "a" }`, `write!(f, "a")`, `f.write_str("a")`.
fn arm_string(body: &syn::Expr) -> Option<String> {
    match body {
        syn::Expr::Block(b) => match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => arm_string(e),
            [syn::Stmt::Macro(m)] => macro_string(&m.mac),
            _ => None,
        },
        syn::Expr::Macro(m) => macro_string(&m.mac),
        syn::Expr::MethodCall(m) if m.method == "write_str" => m.args.first().and_then(str_literal),
        syn::Expr::MethodCall(m) if m.method == "fmt" => str_literal(&m.receiver),
        _ => str_literal(body),
    }
}

/// `write!(f, "a")` → `a` when the format string has no placeholders.
fn macro_string(mac: &syn::Macro) -> Option<String> {
    if !mac.path.is_ident("write") {
        return None;
    }
    let args = mac
        .parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    if args.len() != 2 {
        return None;
    }
    str_literal(&args[1]).filter(|s| !s.contains('{'))
}
