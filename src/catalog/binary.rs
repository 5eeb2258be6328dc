//! Binary values on the wire.
//!
//! Socket.IO sends a `Buffer`, `ArrayBuffer`, typed array or `Blob` as an attachment: the JSON
//! of the packet holds `{"_placeholder": true, "num": N}` where the value was, and the bytes
//! follow in their own frames. That placeholder is the transport's, not the application's, so
//! it must never meet the catalog's schemas: a field declared `format: binary` would refuse it
//! ("is not of type string") and any other field would name it in its error.
//!
//! Before validation, [`attach`] replaces every placeholder of a packet that has attachments by
//! a *marker* carrying the attachment's size, and [`wire_schema`] replaces every binary slot of
//! a schema ([`super::schema::binary`]) by the `x-evdoc-binary` keyword, which accepts a marker
//! within `maxBytes` and nothing else. A marker cannot come from a client: its key starts with a
//! NUL, and [`attach`] refuses a packet that already holds one.

use super::model::Schema;
use super::schema::binary;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The key of a marker object: `{MARKER: size}` (size in bytes, or `null` when unknown, as in a
/// captured packet whose attachments were not recorded).
pub const MARKER: &str = "\u{0}evdoc:binary";

/// The keyword a binary slot becomes in [`wire_schema`]: `{"x-evdoc-binary": {"maxBytes": n}}`.
pub const KEYWORD: &str = "x-evdoc-binary";

/// Schema keywords whose values are data, not subschemas: a binary-looking object inside an
/// `enum` or an example is left alone.
pub(crate) const DATA_KEYWORDS: [&str; 5] = ["const", "enum", "examples", "default", "example"];

/// `true` when `schema` has a binary slot anywhere.
pub fn has_binary(schema: &Schema) -> bool {
    if binary(schema).is_some() {
        return true;
    }
    match schema {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| !DATA_KEYWORDS.contains(&k.as_str()) && has_binary(v)),
        Value::Array(a) => a.iter().any(has_binary),
        _ => false,
    }
}

/// `schema` with every binary slot replaced by the [`KEYWORD`] (borrowed when it has none).
pub fn wire_schema(schema: &Schema) -> Cow<'_, Schema> {
    if !has_binary(schema) {
        return Cow::Borrowed(schema);
    }
    Cow::Owned(rewrite(schema))
}

fn rewrite(schema: &Schema) -> Schema {
    if let Some(b) = binary(schema) {
        let mut spec = Map::new();
        if let Some(max) = b.max_bytes {
            spec.insert("maxBytes".into(), max.into());
        }
        let mut slot = Map::new();
        slot.insert(KEYWORD.into(), Value::Object(spec));
        return Value::Object(slot);
    }
    match schema {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if DATA_KEYWORDS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        rewrite(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(rewrite).collect()),
        other => other.clone(),
    }
}

/// The size a marker stands for: `Some(Some(n))` for `n` bytes, `Some(None)` when unknown,
/// `None` when `v` is not a marker.
pub fn marker_size(v: &Value) -> Option<Option<u64>> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    match m.get(MARKER)? {
        Value::Number(n) => Some(n.as_u64()),
        _ => Some(None),
    }
}

/// A marker for an attachment of `size` bytes (`None`: unknown).
pub fn marker(size: Option<u64>) -> Value {
    let mut m = Map::new();
    m.insert(MARKER.into(), size.map_or(Value::Null, Value::from));
    Value::Object(m)
}

/// The arguments as the validators see them: every `{"_placeholder": true, "num": N}` with an
/// attachment `N` (`sizes[N]`, its size if known) becomes a [`marker`]. A placeholder without
/// its attachment stays what it is, a plain object. `Err` when the packet already holds a
/// marker key (it can only be forged) or names an attachment twice.
pub fn attach(args: &[Value], sizes: &[Option<u64>]) -> Result<Vec<Value>, String> {
    let mut used = vec![false; sizes.len()];
    args.iter()
        .map(|a| attach_one(a, sizes, &mut used))
        .collect()
}

fn attach_one(v: &Value, sizes: &[Option<u64>], used: &mut [bool]) -> Result<Value, String> {
    match v {
        Value::Object(m) => {
            if m.contains_key(MARKER) {
                return Err("the payload holds a key reserved by evdoc".into());
            }
            if let Some(n) = placeholder_num(m).filter(|&n| n < sizes.len()) {
                if std::mem::replace(&mut used[n], true) {
                    return Err(format!("attachment {n} is referenced twice"));
                }
                return Ok(marker(sizes[n]));
            }
            m.iter()
                .map(|(k, v)| Ok((k.clone(), attach_one(v, sizes, used)?)))
                .collect::<Result<Map<_, _>, String>>()
                .map(Value::Object)
        }
        Value::Array(a) => a
            .iter()
            .map(|v| attach_one(v, sizes, used))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// `N` of a Socket.IO attachment placeholder `{"_placeholder": true, "num": N}`.
pub fn placeholder_num(m: &Map<String, Value>) -> Option<usize> {
    if m.len() != 2 || m.get("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    usize::try_from(m.get("num")?.as_u64()?).ok()
}

/// How an instance is named in an error: `binary data (12 bytes)` for a marker, else `None`
/// (the validator's own wording stands).
pub fn describe(v: &Value) -> Option<String> {
    marker_size(v).map(|size| match size {
        Some(n) => format!("binary data ({n} bytes)"),
        None => "binary data".to_string(),
    })
}

/// The `x-evdoc-binary` keyword of [`wire_schema`]: an attachment within `maxBytes`.
pub(super) struct Keyword {
    max_bytes: Option<u64>,
}

impl Keyword {
    /// The factory `jsonschema::options().with_keyword` takes.
    pub(super) fn factory<'a>(
        _parent: &'a Map<String, Value>,
        value: &'a Value,
        _path: jsonschema::paths::Location,
    ) -> Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>> {
        Ok(Box::new(Keyword {
            max_bytes: value.get("maxBytes").and_then(Value::as_u64),
        }))
    }

    fn check(&self, v: &Value) -> Result<(), String> {
        let Some(size) = marker_size(v) else {
            return Err(format!(
                "expected binary data (a Buffer, ArrayBuffer or typed array sent as an attachment), got {}",
                kind_of(v)
            ));
        };
        match (size, self.max_bytes) {
            (Some(n), Some(max)) if n > max => Err(format!(
                "binary data of {n} bytes is larger than maxBytes {max}"
            )),
            _ => Ok(()),
        }
    }
}

impl<'i> jsonschema::Keyword<'i> for Keyword {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        self.check(instance)
            .map_err(jsonschema::ValidationError::custom)
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.check(instance).is_ok()
    }
}

/// `a string`, `an object`… for error messages.
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_with_attachments_become_markers() {
        let args = [
            json!({"name": "a.png", "data": {"_placeholder": true, "num": 0}}),
            json!({"_placeholder": true, "num": 1}),
        ];
        let out = attach(&args, &[Some(3), None]).unwrap();
        assert_eq!(out[0]["data"], marker(Some(3)));
        assert_eq!(out[1], marker(None));
        assert_eq!(describe(&out[0]["data"]).unwrap(), "binary data (3 bytes)");
    }

    #[test]
    fn a_placeholder_without_its_attachment_stays_an_object() {
        let args = [json!({"_placeholder": true, "num": 4})];
        assert_eq!(attach(&args, &[Some(1)]).unwrap()[0], args[0]);
    }

    #[test]
    fn forged_markers_and_reused_attachments_are_refused() {
        assert!(attach(&[marker(Some(1))], &[]).is_err());
        let twice = [json!([{"_placeholder": true, "num": 0}, {"_placeholder": true, "num": 0}])];
        assert!(attach(&twice, &[Some(1)]).is_err());
    }

    #[test]
    fn wire_schema_rewrites_binary_slots_but_not_data() {
        let s = json!({"type": "object", "properties": {
            "data": {"type": "string", "format": "binary", "maxBytes": 10},
            "kind": {"enum": [{"format": "binary"}]}}});
        let w = wire_schema(&s);
        assert_eq!(w["properties"]["data"], json!({KEYWORD: {"maxBytes": 10}}));
        assert_eq!(w["properties"]["kind"], s["properties"]["kind"]);
        assert!(matches!(
            wire_schema(&json!({"type": "string"})),
            Cow::Borrowed(_)
        ));
    }
}
