//! Relaying binary attachments. A client's `Buffer` arrives as a placeholder in the packet's
//! JSON plus the bytes ([`crate::catalog::binary`]); what serve sends on — a reply echoing the
//! request, the body for the `--forward` backend — must carry the bytes, not the placeholder.

use crate::catalog::binary::placeholder_num;
use base64::Engine;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeTuple, Serializer};
use serde_json::{Map, Value};

/// A value whose placeholders are serialised as the bytes they stand for: socketioxide's
/// serialiser turns bytes back into attachments, so the receiver gets a `Buffer`/`ArrayBuffer`.
pub struct Attached<'a> {
    /// The value as decoded from the packet.
    pub value: &'a Value,
    /// The packet's attachments, in order.
    pub bins: &'a [&'a [u8]],
}

impl Serialize for Attached<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let with = |value| Attached {
            value,
            bins: self.bins,
        };
        match self.value {
            Value::Object(m) => {
                if let Some(bytes) = placeholder_num(m).and_then(|n| self.bins.get(n)) {
                    return s.serialize_bytes(bytes);
                }
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &with(v))?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&with(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Several arguments with their attachments (socketioxide sends a tuple as several arguments).
pub struct AttachedArgs<'a> {
    /// The arguments as decoded.
    pub args: &'a [Value],
    /// The packet's attachments.
    pub bins: &'a [&'a [u8]],
}

impl Serialize for AttachedArgs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.args.len())?;
        for value in self.args {
            t.serialize_element(&Attached {
                value,
                bins: self.bins,
            })?;
        }
        t.end()
    }
}

/// `args` as JSON for an HTTP backend: every placeholder with its attachment becomes
/// `{"$binary": "<base64>"}` (standard alphabet, padded).
pub fn inline_base64(args: &[Value], bins: &[&[u8]]) -> Vec<Value> {
    args.iter().map(|v| inline_one(v, bins)).collect()
}

fn inline_one(v: &Value, bins: &[&[u8]]) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(bytes) = placeholder_num(m).and_then(|n| bins.get(n)) {
                let mut out = Map::new();
                out.insert(
                    "$binary".into(),
                    base64::engine::general_purpose::STANDARD
                        .encode(bytes)
                        .into(),
                );
                return Value::Object(out);
            }
            Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), inline_one(v, bins)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| inline_one(v, bins)).collect()),
        other => other.clone(),
    }
}

/// Arguments that came as JSON over HTTP (a publish, the `--forward` backend's emits), with
/// their `{"$binary": "<base64>"}` values turned into attachments: `args` hold Socket.IO
/// placeholders where the bytes go, `bins` the bytes.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The arguments, placeholders in place of binary values.
    pub args: Vec<Value>,
    /// The attachments, in placeholder order.
    pub bins: Vec<Vec<u8>>,
}

impl Decoded {
    /// The attachment sizes, for `catalog::binary::attach`.
    pub fn sizes(&self) -> Vec<Option<u64>> {
        self.bins.iter().map(|b| Some(b.len() as u64)).collect()
    }

    /// The attachments as slices, for [`Attached`].
    pub fn slices(&self) -> Vec<&[u8]> {
        self.bins.iter().map(Vec::as_slice).collect()
    }
}

/// Decode every `{"$binary": "<base64>"}` of `args` ([`Decoded`]); `Err` names the path of
/// a value that is not valid base64.
pub fn decode_base64(args: Vec<Value>) -> Result<Decoded, (String, String)> {
    // Every publish comes through here: a payload without binary values is handed on as it
    // is, without rebuilding it.
    if !args.iter().any(has_base64) {
        return Ok(Decoded {
            args,
            bins: Vec::new(),
        });
    }
    let mut bins = Vec::new();
    let args = args
        .into_iter()
        .enumerate()
        .map(|(i, v)| decode_one(v, &mut bins, format!("/{i}")))
        .collect::<Result<_, _>>()?;
    Ok(Decoded { args, bins })
}

/// Whether `v` holds a `{"$binary": …}` anywhere.
fn has_base64(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            (m.len() == 1 && m.contains_key("$binary")) || m.values().any(has_base64)
        }
        Value::Array(a) => a.iter().any(has_base64),
        _ => false,
    }
}

fn decode_one(v: Value, bins: &mut Vec<Vec<u8>>, at: String) -> Result<Value, (String, String)> {
    match v {
        Value::Object(m) => {
            if let (1, Some(Value::String(b64))) = (m.len(), m.get("$binary")) {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| (at, format!("`$binary` is not base64: {e}")))?;
                bins.push(bytes);
                let mut ph = Map::new();
                ph.insert("_placeholder".into(), true.into());
                ph.insert("num".into(), (bins.len() - 1).into());
                return Ok(Value::Object(ph));
            }
            m.into_iter()
                .map(|(k, v)| {
                    let path = format!("{at}/{k}");
                    Ok((k, decode_one(v, bins, path)?))
                })
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object)
        }
        Value::Array(a) => a
            .into_iter()
            .enumerate()
            .map(|(i, v)| decode_one(v, bins, format!("{at}/{i}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_values_become_attachments_and_back() {
        let d = decode_base64(vec![
            json!({"f": {"$binary": "aGk="}}),
            json!([{"$binary": ""}]),
        ])
        .unwrap();
        assert_eq!(d.args[0], json!({"f": {"_placeholder": true, "num": 0}}));
        assert_eq!(d.args[1], json!([{"_placeholder": true, "num": 1}]));
        assert_eq!(d.bins, vec![b"hi".to_vec(), vec![]]);
        assert_eq!(
            inline_base64(&d.args, &d.slices())[0],
            json!({"f": {"$binary": "aGk="}})
        );
        let bad = decode_base64(vec![json!({"f": {"$binary": "%%"}})]).unwrap_err();
        assert_eq!(bad.0, "/0/f");
    }

    #[test]
    fn placeholders_become_base64_for_the_backend() {
        let args = [
            json!({"f": {"_placeholder": true, "num": 0}, "n": 1}),
            json!("x"),
        ];
        let out = inline_base64(&args, &[b"hi"]);
        assert_eq!(out[0], json!({"f": {"$binary": "aGk="}, "n": 1}));
        assert_eq!(out[1], json!("x"));
    }

    #[test]
    fn attached_serialises_placeholders_as_bytes() {
        // serde_json writes bytes as an array of numbers: enough to see they are bytes.
        let v = json!([{"_placeholder": true, "num": 0}, {"_placeholder": true, "num": 5}]);
        let out = serde_json::to_value(Attached {
            value: &v,
            bins: &[b"ab"],
        })
        .unwrap();
        assert_eq!(out, json!([[97, 98], {"_placeholder": true, "num": 5}]));
    }
}
