//! Receiver chains: `io.of('/x').to(room).emit` is a base (`io`), Socket.IO operators
//! (`of()`, `to()`) and a method. This module splits a callee into those parts and renders the
//! call shape with arguments elided.

use oxc_ast::ast::*;
use oxc_span::GetSpan;

/// One Socket.IO operator between the base and the method.
pub(crate) struct Op<'e, 'a> {
    /// `to`, `in`, `except`, `of`, `timeout`, `compress`, `broadcast`, `volatile`…
    pub(crate) name: &'e str,
    /// True for operators written as calls (`to(…)`), false for properties (`broadcast`).
    pub(crate) is_call: bool,
    /// The first argument of a call operator.
    pub(crate) arg: Option<&'e Expression<'a>>,
}

impl Op<'_, '_> {
    /// True when only a server has this operator.
    pub(crate) fn is_server_only(&self) -> bool {
        matches!(
            self.name,
            "to" | "in" | "except" | "of" | "broadcast" | "local" | "sockets" | "nsp"
        )
    }
}

const CALL_OPS: &[&str] = &["to", "in", "except", "of", "timeout", "compress", "binary"];
const PROP_OPS: &[&str] = &["broadcast", "volatile", "local", "sockets", "nsp", "json"];

/// Splits a method's object into its base expression and the operators applied to it, in
/// source order.
pub(crate) fn split<'e, 'a>(object: &'e Expression<'a>) -> (&'e Expression<'a>, Vec<Op<'e, 'a>>) {
    let mut ops = Vec::new();
    let mut cur = object;
    for _ in 0..64 {
        // `a?.to(r).emit` wraps the same calls and members in a chain expression.
        let step = match cur.get_inner_expression() {
            Expression::CallExpression(c) => call_op(c),
            Expression::StaticMemberExpression(m) => prop_op(m),
            Expression::ChainExpression(ch) => match &ch.expression {
                ChainElement::CallExpression(c) => call_op(c),
                ChainElement::StaticMemberExpression(m) => prop_op(m),
                _ => None,
            },
            _ => None,
        };
        let Some((obj, op)) = step else { break };
        ops.push(op);
        cur = obj;
    }
    ops.reverse();
    (cur, ops)
}

fn prop_op<'e, 'a>(m: &'e StaticMemberExpression<'a>) -> Option<(&'e Expression<'a>, Op<'e, 'a>)> {
    let name = m.property.name.as_str();
    PROP_OPS.contains(&name).then_some((
        &m.object,
        Op {
            name,
            is_call: false,
            arg: None,
        },
    ))
}

fn call_op<'e, 'a>(c: &'e CallExpression<'a>) -> Option<(&'e Expression<'a>, Op<'e, 'a>)> {
    let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
        return None;
    };
    let name = m.property.name.as_str();
    if !CALL_OPS.contains(&name) {
        return None;
    }
    let arg = c.arguments.first().and_then(Argument::as_expression);
    Some((
        &m.object,
        Op {
            name,
            is_call: true,
            arg,
        },
    ))
}

/// The shape of an expression with arguments elided: `this.server`, `getSocket()`,
/// `socketRef.current`, `sockets[]`.
pub(crate) fn render(expr: &Expression<'_>) -> String {
    let mut out = String::new();
    render_into(expr, &mut out, 0);
    out
}

fn render_into(expr: &Expression<'_>, out: &mut String, depth: u32) {
    if depth > 32 {
        out.push('…');
        return;
    }
    match expr.get_inner_expression() {
        Expression::Identifier(id) => out.push_str(&id.name),
        Expression::ThisExpression(_) => out.push_str("this"),
        Expression::Super(_) => out.push_str("super"),
        Expression::StaticMemberExpression(m) => {
            render_into(&m.object, out, depth + 1);
            out.push('.');
            out.push_str(&m.property.name);
        }
        Expression::PrivateFieldExpression(m) => {
            render_into(&m.object, out, depth + 1);
            out.push_str(".#");
            out.push_str(&m.field.name);
        }
        Expression::ComputedMemberExpression(m) => {
            render_into(&m.object, out, depth + 1);
            out.push_str("[]");
        }
        Expression::CallExpression(c) => {
            render_into(&c.callee, out, depth + 1);
            out.push_str("()");
        }
        Expression::NewExpression(n) => {
            out.push_str("new ");
            render_into(&n.callee, out, depth + 1);
            out.push_str("()");
        }
        Expression::AwaitExpression(a) => render_into(&a.argument, out, depth + 1),
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::CallExpression(call) => {
                render_into(&call.callee, out, depth + 1);
                out.push_str("()");
            }
            ChainElement::TSNonNullExpression(n) => render_into(&n.expression, out, depth + 1),
            ChainElement::StaticMemberExpression(m) => {
                render_into(&m.object, out, depth + 1);
                out.push('.');
                out.push_str(&m.property.name);
            }
            ChainElement::ComputedMemberExpression(m) => {
                render_into(&m.object, out, depth + 1);
                out.push_str("[]");
            }
            ChainElement::PrivateFieldExpression(m) => {
                render_into(&m.object, out, depth + 1);
                out.push_str(".#");
                out.push_str(&m.field.name);
            }
        },
        _ => out.push_str("(…)"),
    }
}

/// The source text of a node.
pub(crate) fn text_of<'t>(text: &'t str, node: &impl GetSpan) -> &'t str {
    let span = node.span();
    text.get(span.start as usize..span.end as usize)
        .unwrap_or("")
}
