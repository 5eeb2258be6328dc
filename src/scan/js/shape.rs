//! The payload [`Shape`] an emit's literal argument shows.

use oxc_ast::ast::*;

use crate::scan::Shape;

/// The shape of a literal payload; `None` when the argument is not a literal (an identifier, a
/// call, a callback…).
pub(crate) fn literal_shape(expr: &Expression<'_>) -> Option<Shape> {
    match expr.get_inner_expression() {
        Expression::ObjectExpression(_)
        | Expression::ArrayExpression(_)
        | Expression::StringLiteral(_)
        | Expression::TemplateLiteral(_)
        | Expression::NumericLiteral(_)
        | Expression::BooleanLiteral(_)
        | Expression::NullLiteral(_) => Some(shape(expr, 0)),
        Expression::UnaryExpression(u)
            if matches!(
                u.operator,
                UnaryOperator::UnaryNegation | UnaryOperator::UnaryPlus
            ) && matches!(
                u.argument.get_inner_expression(),
                Expression::NumericLiteral(_)
            ) =>
        {
            Some(Shape::Number)
        }
        _ => None,
    }
}

fn shape(expr: &Expression<'_>, depth: u32) -> Shape {
    if depth > 32 {
        return Shape::Unknown;
    }
    match expr.get_inner_expression() {
        Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => Shape::String,
        Expression::NumericLiteral(_) | Expression::BigIntLiteral(_) => Shape::Number,
        Expression::BooleanLiteral(_) => Shape::Boolean,
        Expression::NullLiteral(_) => Shape::Null,
        Expression::UnaryExpression(u) => match u.operator {
            UnaryOperator::UnaryNegation | UnaryOperator::UnaryPlus | UnaryOperator::BitwiseNot => {
                Shape::Number
            }
            UnaryOperator::LogicalNot => Shape::Boolean,
            UnaryOperator::Typeof => Shape::String,
            _ => Shape::Unknown,
        },
        Expression::BinaryExpression(b) => {
            use BinaryOperator::*;
            match b.operator {
                Subtraction | Multiplication | Division | Remainder | Exponential => Shape::Number,
                Equality | Inequality | StrictEquality | StrictInequality | LessThan
                | LessEqualThan | GreaterThan | GreaterEqualThan | In | Instanceof => {
                    Shape::Boolean
                }
                Addition => {
                    let l = shape(&b.left, depth + 1);
                    let r = shape(&b.right, depth + 1);
                    if l == Shape::String || r == Shape::String {
                        Shape::String
                    } else if l == Shape::Number && r == Shape::Number {
                        Shape::Number
                    } else {
                        Shape::Unknown
                    }
                }
                _ => Shape::Unknown,
            }
        }
        Expression::ObjectExpression(o) => {
            let mut properties = Vec::new();
            let mut open = false;
            for prop in &o.properties {
                match prop {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        let key = if p.computed {
                            p.key.as_expression().and_then(super::summary::string_key)
                        } else {
                            p.key.static_name().map(|k| k.to_string())
                        };
                        let Some(key) = key else {
                            open = true;
                            continue;
                        };
                        let value = if p.method || p.kind != PropertyKind::Init || p.shorthand {
                            Shape::Unknown
                        } else {
                            shape(&p.value, depth + 1)
                        };
                        properties.push((key, value));
                    }
                    ObjectPropertyKind::SpreadProperty(_) => open = true,
                }
            }
            Shape::Object { properties, open }
        }
        Expression::ArrayExpression(a) => {
            let mut items: Option<Shape> = None;
            let mut agree = !a.elements.is_empty();
            for el in &a.elements {
                let Some(e) = el.as_expression() else {
                    agree = false;
                    break;
                };
                let s = shape(e, depth + 1);
                match &items {
                    None => items = Some(s),
                    Some(prev) if *prev == s => {}
                    Some(_) => {
                        agree = false;
                        break;
                    }
                }
            }
            Shape::Array {
                items: if agree { items.map(Box::new) } else { None },
            }
        }
        _ => Shape::Unknown,
    }
}
