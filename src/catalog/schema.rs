//! JSON Schema compilation and validation for catalog schemas (draft 2020-12 unless `$schema`
//! says otherwise), with errors as `{path, message}` pairs that name the offending field.

use super::model::{Event, Schema};
use crate::vocab::Direction;
use serde::Serialize;
use serde_json::Value;

/// A compiled schema.
pub type Validator = jsonschema::Validator;

/// One way an instance fails its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaError {
    /// JSON pointer into the instance (`/userId`); empty for the root.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Compile `schema`; `Err` carries the reason it is not a valid schema.
pub fn compile(schema: &Schema) -> Result<Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| {
        let at = e.instance_path().to_string();
        if at.is_empty() {
            e.to_string()
        } else {
            format!("{e} (at schema path `{at}`)")
        }
    })
}

/// Compile `schema` to judge values on the wire (`serve`, `validate`): `format` asserted
/// (`date-time`, `email`…: an enforcing server must refuse what ajv-formats would refuse, while
/// lint and docs treat `format` as the annotation the 2020-12 draft makes it by default), and
/// binary slots matched against attachments ([`super::binary`]) instead of JSON strings.
pub fn compile_wire(schema: &Schema) -> Result<Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_keyword(super::binary::KEYWORD, super::binary::Keyword::factory)
        .build(&super::binary::wire_schema(schema))
        .map_err(|e| e.to_string())
}

/// Every way `instance` fails `validator` (empty when valid). An attachment is named as
/// `binary data (N bytes)`, never as the marker that stands for it.
pub fn validate(validator: &Validator, instance: &Value) -> Vec<SchemaError> {
    validator
        .iter_errors(instance)
        .map(|e| SchemaError {
            path: e.instance_path().to_string(),
            message: humanize(e.to_string()),
        })
        .collect()
}

/// `message` with every binary marker's JSON (`{"\u0000evdoc:binary":12}`) written as
/// `binary data (12 bytes)`.
fn humanize(message: String) -> String {
    const OPEN: &str = "{\"\\u0000evdoc:binary\":";
    if !message.contains(OPEN) {
        return message;
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        match after[..end].parse::<u64>() {
            Ok(n) => out.push_str(&format!("binary data ({n} bytes)")),
            Err(_) => out.push_str("binary data"),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The argument schemas of an event in one direction: `args`, or `[payload]`, or nothing.
///
/// `c2s:`/`s2c:` variants take precedence over the event's own schemas for their direction.
pub fn arg_schemas(event: &Event, direction: Direction) -> Vec<&Schema> {
    let variant = match direction {
        Direction::C2s => event.c2s.as_ref(),
        Direction::S2c => event.s2c.as_ref(),
        Direction::Both => None,
    };
    if let Some(v) = variant {
        if let Some(args) = &v.args {
            return args.iter().collect();
        }
        if let Some(p) = &v.payload {
            return vec![p];
        }
    }
    if let Some(args) = &event.args {
        return args.iter().collect();
    }
    event.payload.iter().collect()
}

/// A binary value as the catalog declares it: a schema with `format: binary` (OpenAPI's and
/// AsyncAPI's notation; `type: string` may be written or left out), with evdoc's optional
/// `maxBytes` and JSON Schema's optional `contentMediaType` for the docs. Socket.IO carries such
/// a value as an attachment (`Buffer`, `ArrayBuffer`, `Uint8Array`, `Blob` in the browser), not
/// as JSON, so every stage asks this one function whether a schema means bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Binary {
    /// Largest accepted size in bytes (`maxBytes`), if any.
    pub max_bytes: Option<u64>,
    /// Media type of the bytes (`contentMediaType`: `image/png`), if written.
    pub media_type: Option<String>,
}

/// `Some` when `schema` declares a binary value (see [`Binary`]).
pub fn binary(schema: &Schema) -> Option<Binary> {
    let obj = schema.as_object()?;
    if obj.get("format").and_then(Value::as_str) != Some("binary") {
        return None;
    }
    match obj.get("type") {
        None => {}
        Some(Value::String(t)) if t == "string" => {}
        Some(_) => return None,
    }
    Some(Binary {
        max_bytes: obj.get("maxBytes").and_then(Value::as_u64),
        media_type: obj
            .get("contentMediaType")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[cfg(test)]
mod binary_tests {
    use super::*;
    use crate::catalog::binary::{attach, marker};
    use serde_json::json;

    #[test]
    fn format_binary_is_binary_with_or_without_type_string() {
        assert_eq!(
            binary(&json!({"type": "string", "format": "binary", "maxBytes": 1024})),
            Some(Binary {
                max_bytes: Some(1024),
                media_type: None
            })
        );
        let png = binary(&json!({"format": "binary", "contentMediaType": "image/png"})).unwrap();
        assert_eq!(png.media_type.as_deref(), Some("image/png"));
    }

    #[test]
    fn other_strings_and_types_are_not_binary() {
        assert_eq!(binary(&json!({"type": "string"})), None);
        assert_eq!(binary(&json!({"type": "string", "format": "byte"})), None);
        assert_eq!(binary(&json!({"type": "object", "format": "binary"})), None);
        assert_eq!(binary(&json!(true)), None);
    }

    #[test]
    fn wire_validation_judges_attachments_and_names_fields_not_placeholders() {
        let v = compile_wire(
            &json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "string", "format": "binary", "maxBytes": 4},
            "name": {"type": "string"}}}),
        )
        .unwrap();
        let sent = |d: Value, n: Value, sizes: &[Option<u64>]| {
            let args = attach(&[json!({"data": d, "name": n})], sizes).unwrap();
            validate(&v, &args[0])
        };
        let ph = |n: u64| json!({"_placeholder": true, "num": n});
        assert!(sent(ph(0), json!("a"), &[Some(4)]).is_empty());
        let big = sent(ph(0), json!("a"), &[Some(5)]);
        assert_eq!(big[0].path, "/data");
        assert!(big[0].message.contains("larger than maxBytes 4"), "{big:?}");
        let text = sent(json!("abc"), json!("a"), &[]);
        assert!(text[0].message.contains("got a string"), "{text:?}");
        let wrong = sent(ph(0), ph(1), &[Some(1), Some(9)]);
        assert_eq!(wrong.len(), 1, "{wrong:?}");
        assert_eq!(wrong[0].path, "/name");
        assert_eq!(
            wrong[0].message,
            "binary data (9 bytes) is not of type \"string\""
        );
        // Without its attachment, a placeholder is an object like any other.
        let lone = sent(ph(3), json!("a"), &[]);
        assert!(lone[0].message.contains("got an object"), "{lone:?}");
        assert!(!marker(None).to_string().is_empty());
    }
}
