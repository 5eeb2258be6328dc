//! Receiver chains: `io.of("/x").unwrap().to(room)` split into a base and its method calls, and
//! what each method of a socketioxide / rust_socketio chain means for a site.

use super::text::source_of;

/// A receiver expression taken apart: the base it starts from and the calls made on it.
pub struct Chain<'a> {
    /// Where the chain starts.
    pub base: Base<'a>,
    /// Method calls in source order (`of`, `unwrap`, `to`…).
    pub calls: Vec<Call<'a>>,
}

/// The start of a receiver chain.
pub enum Base<'a> {
    /// A local name: `socket`, `io`, `self`.
    Name(String),
    /// A field access: `self.io` (text) of the field `io`.
    Field {
        /// The expression as written.
        text: String,
        /// The field's name.
        field: String,
    },
    /// A constructor call on a path: `SocketIo::builder()`, `ClientBuilder::new(url)`.
    Ctor(&'a syn::Path),
}

/// One method call in a chain.
pub struct Call<'a> {
    /// The method name.
    pub method: String,
    /// Its arguments.
    pub args: Vec<&'a syn::Expr>,
}

/// What a method in a receiver chain does to the site at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `to(room)` / `within(room)`: names the room; kept in the call shape.
    Room,
    /// `of(ns)` on a server: names the namespace; kept in the call shape.
    Of,
    /// `namespace(ns)` on a rust_socketio builder: names the namespace; not in the call shape.
    ClientNamespace,
    /// `broadcast()`, `timeout(d)`, `except(r)`, `local()`, `volatile()`: kept in the call
    /// shape.
    Keep,
    /// `clone()`, `unwrap()`, builder settings: no effect on the site.
    Transparent,
    /// Anything else leaves the socket API (`sockets()`, `ns()`, `extensions`…).
    Leave,
}

/// The meaning of `method` in a chain; `builder` is true for chains that start from a
/// constructor, where every setting method passes the handle through.
pub fn step(method: &str, builder: bool) -> Step {
    match method {
        "to" | "within" => Step::Room,
        "of" => Step::Of,
        "namespace" => Step::ClientNamespace,
        "broadcast" | "timeout" | "except" | "local" | "volatile" => Step::Keep,
        "clone" | "unwrap" | "expect" | "as_ref" | "borrow" | "deref" | "to_owned" => {
            Step::Transparent
        }
        _ if builder => Step::Transparent,
        _ => Step::Leave,
    }
}

/// Take a receiver apart; `None` when it does not start from a name, field or constructor.
pub fn decompose(expr: &syn::Expr) -> Option<Chain<'_>> {
    let mut calls = Vec::new();
    let mut current = expr;
    let base = loop {
        match current {
            syn::Expr::MethodCall(m) => {
                calls.push(Call {
                    method: m.method.to_string(),
                    args: m.args.iter().collect(),
                });
                current = &m.receiver;
            }
            syn::Expr::Try(t) => current = &t.expr,
            syn::Expr::Await(a) => current = &a.base,
            syn::Expr::Paren(p) => current = &p.expr,
            syn::Expr::Group(g) => current = &g.expr,
            syn::Expr::Reference(r) => current = &r.expr,
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => current = &u.expr,
            syn::Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                break Base::Name(ident.to_string());
            }
            syn::Expr::Field(f) => {
                let syn::Member::Named(field) = &f.member else {
                    return None;
                };
                break Base::Field {
                    text: source_of(f),
                    field: field.to_string(),
                };
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(p) = &*c.func else {
                    return None;
                };
                // `Arc::clone(&io)` and `SocketRef::clone(&s)` are the argument itself.
                let is_clone = p.path.segments.last().is_some_and(|s| s.ident == "clone");
                match (is_clone, c.args.first()) {
                    (true, Some(arg)) if c.args.len() == 1 => current = arg,
                    _ => break Base::Ctor(&p.path),
                }
            }
            _ => return None,
        }
    };
    calls.reverse();
    Some(Chain { base, calls })
}
