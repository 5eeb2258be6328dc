//! EV005 payload-shape: the literal payload at an emit site contradicts the event's schema.
//!
//! The scanner records the shape an object literal shows (keys, and the type of each literal
//! value); this rule compares it with the first argument schema of the event in the site's
//! direction: a required property the literal lacks (unless a spread may supply it), a property
//! the schema forbids (`additionalProperties: false`), a value whose literal type the schema's
//! `type` excludes. Whatever a literal does not show (identifiers, calls) and whatever a schema
//! does not say plainly (`$ref`, `oneOf`, `anyOf`) is left alone: EV005 reports contradictions,
//! never guesses.

use super::{finding, site_location, Context};
use crate::catalog::schema::arg_schemas;
use crate::check::Finding;
use crate::scan::{Role, Shape};
use crate::vocab::Rule;
use serde_json::Value;

/// Nesting beyond which shapes are not compared (payload literals are shallow).
const MAX_DEPTH: usize = 16;

/// One finding per emit site whose payload literal contradicts the schema.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let events = &ctx.catalog.catalog.events;
    let mut out = Vec::new();
    for site in &ctx.scan.sites {
        let (Some(name), Some(shape), Role::Emit) =
            (site.event.as_deref(), site.payload.as_ref(), site.role)
        else {
            continue;
        };
        let Some(event) = events.get(name) else {
            continue;
        };
        let direction = site.direction.unwrap_or(event.direction);
        if !event.direction.allows(direction) {
            // A direction mismatch (EV003) says it all: the schema is for the other way.
            continue;
        }
        let Some(schema) = arg_schemas(event, direction).into_iter().next() else {
            continue;
        };
        let mut problems = Vec::new();
        compare(shape, schema, "", &mut problems, 0);
        if problems.is_empty() {
            continue;
        }
        let mut f = finding(
            Rule::PayloadShape,
            Some(name),
            format!(
                "the payload of `{name}` at this emit contradicts its schema: {}",
                problems.join("; ")
            ),
        );
        f.code = Some(site_location(site));
        f.catalog = ctx
            .catalog
            .locate(&crate::catalog::positions::pointer(["events", name]));
        f.help = Some("send what the schema describes, or correct the event's schema".into());
        out.push(f);
    }
    out
}

/// The JSON Schema type name a literal shape has; `None` when the literal does not show it.
fn type_of(shape: &Shape) -> Option<&'static str> {
    Some(match shape {
        Shape::Object { .. } => "object",
        Shape::Array { .. } => "array",
        Shape::String => "string",
        Shape::Number => "number",
        Shape::Boolean => "boolean",
        Shape::Null => "null",
        Shape::Unknown => return None,
    })
}

/// The types a schema allows, when it says so plainly.
fn allowed_types(schema: &Value) -> Option<Vec<&str>> {
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

/// True when a schema combines others in ways a plain comparison cannot follow.
fn opaque(schema: &Value) -> bool {
    [
        "$ref",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "if",
        "$dynamicRef",
    ]
    .iter()
    .any(|k| schema.get(k).is_some())
}

fn compare(shape: &Shape, schema: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH || !schema.is_object() || opaque(schema) {
        return;
    }
    let at = if path.is_empty() {
        "the payload".to_string()
    } else {
        format!("`{path}`")
    };
    if let (Some(got), Some(allowed)) = (type_of(shape), allowed_types(schema)) {
        // A number literal may be an integer; the literal does not say which.
        let fits = allowed.contains(&got) || (got == "number" && allowed.contains(&"integer"));
        if !fits {
            out.push(format!(
                "{at} is {} but the schema wants {}",
                article(got),
                allowed.join(" or ")
            ));
            return;
        }
    }
    match shape {
        Shape::Object { properties, open } => {
            let declared = schema.get("properties").and_then(Value::as_object);
            if !open {
                if let Some(required) = schema.get("required").and_then(Value::as_array) {
                    for r in required.iter().filter_map(Value::as_str) {
                        if !properties.iter().any(|(k, _)| k == r) {
                            out.push(format!("{at} lacks required property `{r}`"));
                        }
                    }
                }
            }
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false))
                && schema.get("patternProperties").is_none();
            for (key, value) in properties {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match declared.and_then(|d| d.get(key)) {
                    Some(sub) => compare(value, sub, &child, out, depth + 1),
                    None if closed => {
                        out.push(format!("`{child}` is not a property the schema allows"))
                    }
                    None => {}
                }
            }
        }
        Shape::Array { items: Some(item) } => {
            if let Some(sub) = schema.get("items") {
                compare(item, sub, &format!("{path}[]"), out, depth + 1);
            }
        }
        _ => {}
    }
}

fn article(ty: &str) -> String {
    match ty {
        "object" | "array" => format!("an {ty}"),
        "null" => "null".to_string(),
        _ => format!("a {ty}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(props: &[(&str, Shape)], open: bool) -> Shape {
        Shape::Object {
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            open,
        }
    }

    fn problems(shape: &Shape, schema: Value) -> Vec<String> {
        let mut out = Vec::new();
        compare(shape, &schema, "", &mut out, 0);
        out
    }

    #[test]
    fn finds_missing_forbidden_and_mistyped_properties() {
        let schema = json!({"type": "object", "required": ["userId", "qty"],
            "properties": {"userId": {"type": "string"}, "qty": {"type": "integer"}},
            "additionalProperties": false});
        let shape = obj(
            &[("userId", Shape::Number), ("extra", Shape::String)],
            false,
        );
        assert_eq!(
            problems(&shape, schema),
            vec![
                "the payload lacks required property `qty`",
                "`userId` is a number but the schema wants string",
                "`extra` is not a property the schema allows",
            ]
        );
    }

    #[test]
    fn stays_silent_where_the_literal_or_schema_shows_nothing() {
        let schema = json!({"type": "object", "required": ["userId"],
            "properties": {"userId": {"type": "string"}, "n": {"type": "integer"}}});
        // A spread may supply `userId`; an identifier's type is unknown; 1 may be an integer.
        let spread = obj(&[("n", Shape::Number)], true);
        assert!(problems(&spread, schema.clone()).is_empty());
        let unknown = obj(
            &[("userId", Shape::Unknown), ("other", Shape::String)],
            false,
        );
        assert!(problems(&unknown, schema).is_empty());
        let combined = json!({"oneOf": [{"type": "string"}, {"type": "object"}]});
        assert!(problems(&Shape::Number, combined).is_empty());
    }

    #[test]
    fn compares_nested_objects_and_array_items() {
        let schema = json!({"type": "object", "properties": {
            "order": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "tags": {"type": "array", "items": {"type": "string"}}}});
        let shape = obj(
            &[
                ("order", obj(&[], false)),
                (
                    "tags",
                    Shape::Array {
                        items: Some(Box::new(Shape::Boolean)),
                    },
                ),
            ],
            false,
        );
        assert_eq!(
            problems(&shape, schema),
            vec![
                "`order` lacks required property `id`",
                "`tags[]` is a boolean but the schema wants string",
            ]
        );
    }
}
