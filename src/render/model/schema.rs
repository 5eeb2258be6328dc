//! Payload schemas as the pages show them: a compact type (`{ userId: string }`) and a flat
//! list of fields (`positions[].symbol`), computed from the catalog's JSON Schemas.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field of a payload: a row of the field table.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Field {
    /// Path (`positions[].symbol`, `arg1`).
    pub path: String,
    /// Compact type (`string`, `"buy" | "sell"`).
    pub ty: String,
    /// Required in its object.
    pub required: bool,
    /// The schema's `description`, trimmed (empty when none).
    pub description: String,
    /// Validation keywords the schema sets, in a fixed order.
    pub constraints: Vec<Constraint>,
}

/// A validation keyword of a field's schema (`pattern`, `maxLength`, `default`…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// The JSON Schema keyword.
    pub key: String,
    /// Its value: a string as is, anything else as JSON.
    pub value: String,
}

/// A schema as pretty JSON (what the pages show in their "JSON Schema" blocks).
pub(super) fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The schema of a payload: `payload`, or the positional `args` as an array.
pub(super) fn payload_schema(payload: Option<&Value>, args: Option<&Vec<Value>>) -> Option<Value> {
    payload.cloned().or_else(|| args.cloned().map(Value::Array))
}

/// The fields of a payload: the properties of `payload`, or one `argN` row per positional arg.
pub(super) fn payload_fields(payload: Option<&Value>, args: Option<&Vec<Value>>) -> Vec<Field> {
    let mut out = vec![];
    match (payload, args) {
        (Some(p), _) => fields("", p, true, &mut out),
        (None, Some(args)) => {
            for (i, a) in args.iter().enumerate() {
                fields(&format!("arg{}", i + 1), a, true, &mut out);
            }
        }
        _ => {}
    }
    out
}

/// The compact type of a schema (`string`, `{ userId: string }`, `"buy" | "sell"`).
pub fn type_of(s: &Value, depth: usize) -> String {
    let Some(o) = s.as_object() else {
        return if s == &Value::Bool(true) {
            "any".into()
        } else {
            "never".into()
        };
    };
    if let Some(c) = o.get("const") {
        return c.to_string();
    }
    if let Some(b) = crate::catalog::schema::binary(s) {
        return match b.media_type {
            Some(m) => format!("binary ({m})"),
            None => "binary".into(),
        };
    }
    if let Some(Value::Array(e)) = o.get("enum") {
        let mut parts: Vec<String> = e.iter().take(6).map(|v| v.to_string()).collect();
        if e.len() > 6 {
            parts.push("…".into());
        }
        return parts.join(" | ");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(xs)) = o.get(key) {
            return xs
                .iter()
                .map(|x| type_of(x, depth))
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    let ty = match o.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        _ if o.contains_key("properties") => "object".into(),
        _ => "any".into(),
    };
    let fmt = o.get("format").and_then(Value::as_str);
    match (ty.as_str(), fmt) {
        ("string", Some("date-time")) => "ISO8601".into(),
        ("object", _) => {
            let Some(Value::Object(props)) = o.get("properties") else {
                return "object".into();
            };
            if depth >= 1 || props.is_empty() {
                return "object".into();
            }
            let req = required(s);
            let mut parts: Vec<String> = props
                .iter()
                .take(8)
                .map(|(k, v)| {
                    let q = if req.contains(k) { "" } else { "?" };
                    format!("{k}{q}: {}", type_of(v, depth + 1))
                })
                .collect();
            if props.len() > 8 {
                parts.push("…".into());
            }
            format!("{{ {} }}", parts.join(", "))
        }
        ("array", _) => match o.get("items") {
            Some(items) => format!("{}[]", type_of(items, depth + 1)),
            None => "array".into(),
        },
        _ => ty,
    }
}

fn required(s: &Value) -> Vec<String> {
    s.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The keywords shown beside a field's description, in this order.
const CONSTRAINT_KEYS: [&str; 12] = [
    "format",
    "maxBytes",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "default",
];

fn constraints(s: &Value) -> Vec<Constraint> {
    // A binary field's type already says `binary`.
    let binary = crate::catalog::schema::binary(s).is_some();
    CONSTRAINT_KEYS
        .iter()
        .filter(|key| !(binary && **key == "format"))
        .filter_map(|key| {
            let value = match s.get(key)? {
                Value::String(x) => x.clone(),
                other => other.to_string(),
            };
            Some(Constraint {
                key: key.to_string(),
                value,
            })
        })
        .collect()
}

fn description(s: &Value) -> String {
    s.get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
        .to_string()
}

/// Flatten a schema's properties into field rows (`a`, `a.b`, `items[].c`), at most 200 rows.
pub fn fields(prefix: &str, s: &Value, required_here: bool, out: &mut Vec<Field>) {
    if out.len() >= 200 {
        return;
    }
    if !prefix.is_empty() {
        out.push(Field {
            path: prefix.to_string(),
            ty: type_of(s, 1),
            required: required_here,
            description: description(s),
            constraints: constraints(s),
        });
    }
    if let Some(Value::Object(props)) = s.get("properties") {
        let req = required(s);
        for (k, v) in props {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            fields(&p, v, req.contains(k), out);
        }
    }
    if let Some(items) = s.get("items") {
        if items.get("properties").is_some() {
            let p = format!("{prefix}[]");
            if let Some(Value::Object(props)) = items.get("properties") {
                let req = required(items);
                for (k, v) in props {
                    fields(&format!("{p}.{k}"), v, req.contains(k), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod binary_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn binary_fields_read_as_binary_with_their_size_limit() {
        let s = json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "string", "format": "binary", "maxBytes": 1024,
                     "contentMediaType": "image/png"}}});
        assert_eq!(type_of(&s, 0), "{ data: binary (image/png) }");
        let mut out = vec![];
        fields("", &s, true, &mut out);
        assert_eq!(out[0].ty, "binary (image/png)");
        let keys: Vec<_> = out[0].constraints.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["maxBytes"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_types_read_like_the_task_list() {
        let s = json!({"type": "object", "required": ["userId"], "properties": {
            "userId": {"type": "string"}, "status": {"enum": ["buy", "sell"]},
            "at": {"type": "string", "format": "date-time"},
            "items": {"type": "array", "items": {"type": "number"}}}});
        assert_eq!(
            type_of(&s, 0),
            r#"{ userId: string, status?: "buy" | "sell", at?: ISO8601, items?: number[] }"#
        );
        assert_eq!(type_of(&json!(true), 0), "any");
        assert_eq!(
            type_of(&json!({"type": ["string", "null"]}), 0),
            "string | null"
        );
    }

    #[test]
    fn fields_flatten_nested_objects_and_arrays() {
        let s = json!({"type": "object", "required": ["positions"], "properties": {
            "positions": {"type": "array", "items": {"type": "object", "required": ["symbol"],
                "properties": {"symbol": {"type": "string", "description": "Ticker"}}}}}});
        let mut out = vec![];
        fields("", &s, true, &mut out);
        let paths: Vec<_> = out.iter().map(|f| (f.path.as_str(), f.required)).collect();
        assert_eq!(paths, [("positions", true), ("positions[].symbol", true)]);
        assert_eq!(out[1].description, "Ticker");
        assert!(out[1].constraints.is_empty());
    }

    #[test]
    fn constraints_keep_their_keyword_order_and_show_non_strings_as_json() {
        let s = json!({"maxLength": 8, "pattern": "^[A-Z]+$", "default": "X"});
        let c: Vec<(String, String)> = constraints(&s)
            .into_iter()
            .map(|c| (c.key, c.value))
            .collect();
        let pairs: Vec<(&str, &str)> = c.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("pattern", "^[A-Z]+$"),
                ("maxLength", "8"),
                ("default", "X")
            ]
        );
    }

    #[test]
    fn positional_args_become_numbered_fields() {
        let args = vec![json!({"type": "string"}), json!({"type": "object"})];
        let out = payload_fields(None, Some(&args));
        let paths: Vec<_> = out.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["arg1", "arg2"]);
        assert_eq!(payload_schema(None, Some(&args)), Some(Value::Array(args)));
    }
}
