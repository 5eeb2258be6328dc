//! Turns AST expressions and type annotations into the owned summaries of [`super::model`].

use oxc_ast::ast::*;

use super::model::{CExpr, TypeRef, Val};

/// Bounds recursion on pathological inputs (deeply nested parentheses, long `+` chains).
const MAX_DEPTH: u32 = 64;

/// The socket-relevant shape of an expression.
pub(crate) fn val_of(expr: &Expression<'_>) -> Val {
    val_at(expr, 0)
}

fn val_at(expr: &Expression<'_>, depth: u32) -> Val {
    if depth > MAX_DEPTH {
        return Val::Other;
    }
    let d = depth + 1;
    match expr.get_inner_expression() {
        Expression::Identifier(id) => Val::Ident(id.name.to_string()),
        Expression::ThisExpression(_) => Val::This,
        Expression::StaticMemberExpression(m) => {
            Val::Member(Box::new(val_at(&m.object, d)), m.property.name.to_string())
        }
        Expression::ComputedMemberExpression(m) => match string_key(&m.expression) {
            Some(key) => Val::Member(Box::new(val_at(&m.object, d)), key),
            None => Val::Index(Box::new(val_at(&m.object, d))),
        },
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::CallExpression(call) => call_val(call, d),
            ChainElement::StaticMemberExpression(m) => {
                Val::Member(Box::new(val_at(&m.object, d)), m.property.name.to_string())
            }
            ChainElement::TSNonNullExpression(n) => val_at(&n.expression, d),
            _ => Val::Other,
        },
        Expression::CallExpression(call) => call_val(call, d),
        Expression::NewExpression(new) => Val::New(
            Box::new(val_at(&new.callee, d)),
            new.arguments
                .first()
                .and_then(Argument::as_expression)
                .map(|a| cexpr_at(a, d)),
        ),
        Expression::AwaitExpression(a) => val_at(&a.argument, d),
        Expression::LogicalExpression(l) => {
            Val::Either(vec![val_at(&l.left, d), val_at(&l.right, d)])
        }
        Expression::ConditionalExpression(c) => {
            Val::Either(vec![val_at(&c.consequent, d), val_at(&c.alternate, d)])
        }
        Expression::AssignmentExpression(a) => val_at(&a.right, d),
        Expression::SequenceExpression(s) => {
            s.expressions.last().map_or(Val::Other, |e| val_at(e, d))
        }
        _ => Val::Other,
    }
}

fn call_val(call: &CallExpression<'_>, depth: u32) -> Val {
    let first = call.arguments.first().and_then(Argument::as_expression);
    if let Expression::Identifier(id) = call.callee.get_inner_expression() {
        if id.name == "require" {
            if let Some(Expression::StringLiteral(s)) = first.map(Expression::get_inner_expression)
            {
                return Val::Require(s.value.to_string());
            }
        }
        // A hook with a selector, `useLiveStore((s) => s.io)`, reads that path of what the
        // hook returns: `useLiveStore().io`.
        if id.name.starts_with("use") && call.arguments.len() == 1 {
            if let Some(path) = first.and_then(selector_path) {
                let hook = Val::Call(Box::new(Val::Ident(id.name.to_string())), None);
                return path
                    .into_iter()
                    .fold(hook, |v, p| Val::Member(Box::new(v), p));
            }
        }
    }
    Val::Call(
        Box::new(val_at(&call.callee, depth)),
        first.map(|a| cexpr_at(a, depth)),
    )
}

/// `(s) => s.a.b` → `["a", "b"]`.
fn selector_path(e: &Expression<'_>) -> Option<Vec<String>> {
    let Expression::ArrowFunctionExpression(a) = e.get_inner_expression() else {
        return None;
    };
    let param = a.params.items.first()?.pattern.get_identifier_name()?;
    let path = path_of(a.get_expression()?, 0)?;
    let (head, rest) = path.split_first()?;
    (head == param.as_str() && !rest.is_empty()).then(|| rest.to_vec())
}

/// A string key of a computed member (`obj['key']`, `` obj[`key`] ``).
pub(crate) fn string_key(expr: &Expression<'_>) -> Option<String> {
    match expr.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.as_ref())
            .map(ToString::to_string),
        _ => None,
    }
}

/// The constant-foldable form of an expression.
pub(crate) fn cexpr_of(expr: &Expression<'_>) -> CExpr {
    cexpr_at(expr, 0)
}

fn cexpr_at(expr: &Expression<'_>, depth: u32) -> CExpr {
    if depth > MAX_DEPTH {
        return CExpr::Unknown;
    }
    let d = depth + 1;
    match expr.get_inner_expression() {
        Expression::StringLiteral(s) => CExpr::Str(s.value.to_string()),
        Expression::NumericLiteral(n) => CExpr::Str(n.value.to_string()),
        Expression::TemplateLiteral(t) => {
            let mut parts = Vec::with_capacity(t.quasis.len() + t.expressions.len());
            for (i, q) in t.quasis.iter().enumerate() {
                match &q.value.cooked {
                    Some(c) => parts.push(CExpr::Str(c.to_string())),
                    None => return CExpr::Unknown,
                }
                if let Some(e) = t.expressions.get(i) {
                    parts.push(cexpr_at(e, d));
                }
            }
            CExpr::Concat(parts)
        }
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            CExpr::Concat(vec![cexpr_at(&b.left, d), cexpr_at(&b.right, d)])
        }
        Expression::Identifier(_)
        | Expression::StaticMemberExpression(_)
        | Expression::ComputedMemberExpression(_) => match path_of(expr, d) {
            Some(p) => CExpr::Path(p),
            None => CExpr::Unknown,
        },
        Expression::ObjectExpression(o) => {
            let mut entries = Vec::new();
            let mut spreads = Vec::new();
            for prop in &o.properties {
                match prop {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        if p.computed && string_key_of_property(&p.key).is_none() {
                            continue;
                        }
                        if let Some(key) = p.key.static_name() {
                            entries.push((key.to_string(), cexpr_at(&p.value, d)));
                        }
                    }
                    ObjectPropertyKind::SpreadProperty(s) => spreads.push(cexpr_at(&s.argument, d)),
                }
            }
            CExpr::Obj(entries, spreads)
        }
        // `Object.freeze({...})` and friends keep their argument's value.
        Expression::CallExpression(c)
            if is_member_call(&c.callee, "Object", "freeze")
                || is_member_call(&c.callee, "Object", "seal") =>
        {
            c.arguments
                .first()
                .and_then(Argument::as_expression)
                .map_or(CExpr::Unknown, |a| cexpr_at(a, d))
        }
        _ => CExpr::Unknown,
    }
}

fn string_key_of_property(key: &PropertyKey<'_>) -> Option<String> {
    key.as_expression().and_then(string_key)
}

fn is_member_call(callee: &Expression<'_>, object: &str, property: &str) -> bool {
    match callee.get_inner_expression() {
        Expression::StaticMemberExpression(m) => {
            m.property.name == property && m.object.get_inner_expression().is_specific_id(object)
        }
        _ => false,
    }
}

/// `a.b['c']` as `[a, b, c]`; `None` when a segment is not static.
pub(crate) fn path_of(expr: &Expression<'_>, depth: u32) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match expr.get_inner_expression() {
        Expression::Identifier(id) => Some(vec![id.name.to_string()]),
        Expression::ThisExpression(_) => Some(vec!["this".to_string()]),
        Expression::StaticMemberExpression(m) => {
            let mut p = path_of(&m.object, depth + 1)?;
            p.push(m.property.name.to_string());
            Some(p)
        }
        Expression::ComputedMemberExpression(m) => {
            let key = string_key(&m.expression)?;
            let mut p = path_of(&m.object, depth + 1)?;
            p.push(key);
            Some(p)
        }
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::StaticMemberExpression(m) => {
                let mut p = path_of(&m.object, depth + 1)?;
                p.push(m.property.name.to_string());
                Some(p)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The named types of an annotation: `Socket`, each member of `Socket | null`, `Ref<Socket>`'s
/// argument is not looked into (a ref is not a socket).
pub(crate) fn type_refs(ty: &TSType<'_>) -> Vec<TypeRef> {
    let mut out = Vec::new();
    collect_types(ty, &mut out, 0);
    out
}

fn collect_types(ty: &TSType<'_>, out: &mut Vec<TypeRef>, depth: u32) {
    if depth > 16 {
        return;
    }
    match ty {
        TSType::TSTypeReference(r) => {
            let (qualifier, name) = type_name_parts(&r.type_name);
            out.push(TypeRef { qualifier, name });
        }
        TSType::TSUnionType(u) => {
            for t in &u.types {
                collect_types(t, out, depth + 1);
            }
        }
        TSType::TSParenthesizedType(p) => collect_types(&p.type_annotation, out, depth + 1),
        _ => {}
    }
}

fn type_name_parts(name: &TSTypeName<'_>) -> (Option<String>, String) {
    match name {
        TSTypeName::IdentifierReference(id) => (None, id.name.to_string()),
        TSTypeName::QualifiedName(q) => {
            let mut left = &q.left;
            while let TSTypeName::QualifiedName(inner) = left {
                left = &inner.left;
            }
            let qualifier = match left {
                TSTypeName::IdentifierReference(id) => Some(id.name.to_string()),
                _ => None,
            };
            (qualifier, q.right.name.to_string())
        }
        TSTypeName::ThisExpression(_) => (None, "this".to_string()),
    }
}

/// The strings of a string-literal union type (`"a" | "b"`, or an alias of one declared in the
/// file); `None` for any other type.
pub(crate) fn literal_union(
    ty: &TSType<'_>,
    aliases: &rustc_hash::FxHashMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let mut out = Vec::new();
    union_into(ty, aliases, &mut out, 0)?;
    (!out.is_empty()).then_some(out)
}

fn union_into(
    ty: &TSType<'_>,
    aliases: &rustc_hash::FxHashMap<String, Vec<String>>,
    out: &mut Vec<String>,
    depth: u32,
) -> Option<()> {
    if depth > 16 {
        return None;
    }
    match ty {
        TSType::TSLiteralType(l) => match &l.literal {
            TSLiteral::StringLiteral(s) => out.push(s.value.to_string()),
            _ => return None,
        },
        TSType::TSUnionType(u) => {
            for t in &u.types {
                union_into(t, aliases, out, depth + 1)?;
            }
        }
        TSType::TSParenthesizedType(p) => union_into(&p.type_annotation, aliases, out, depth + 1)?,
        TSType::TSTypeReference(r) => match &r.type_name {
            TSTypeName::IdentifierReference(id) => {
                out.extend(aliases.get(id.name.as_str())?.iter().cloned())
            }
            _ => return None,
        },
        _ => return None,
    }
    Some(())
}

/// The callee's name of a decorator: `SubscribeMessage` in `@SubscribeMessage('x')`.
pub(crate) fn decorator_name<'e>(expr: &'e Expression<'_>) -> Option<&'e str> {
    let callee = match expr.get_inner_expression() {
        Expression::CallExpression(c) => &c.callee,
        other => other,
    };
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    }
}
