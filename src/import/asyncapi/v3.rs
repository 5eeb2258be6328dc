//! AsyncAPI 3.0: channels (namespaces and rooms), operations (`receive`: c2s, `send`: s2c),
//! messages, replies (acks).

use super::{place_of, Place, Reader};
use crate::catalog::positions::escape;
use crate::import::ImportError;
use crate::vocab::Direction;
use indexmap::{IndexMap, IndexSet};
use serde_json::{json, Map, Value};

impl Reader<'_> {
    pub(super) fn v3(&mut self) -> Result<(), ImportError> {
        self.info();
        self.servers(true);
        self.auth();
        self.root_extensions()?;
        let places = self.channels_v3()?;
        let mut used: IndexSet<String> = IndexSet::new();
        let ops = self
            .doc
            .get("operations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (id, op) in &ops {
            let at = format!("/operations/{}", escape(id));
            let (op, at) = self.follow(op, &at)?;
            self.operation_v3(&op, &at, &places, &mut used)?;
        }
        for (id, ch) in self
            .doc
            .get("channels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
        {
            let at = format!("/channels/{}", escape(&id));
            let Ok((ch, _)) = self.follow(&ch, &at) else {
                continue;
            };
            for key in ch
                .get("messages")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let p = format!("{at}/messages/{}", escape(&key));
                let target = ch
                    .pointer(&format!("/messages/{}", escape(&key)))
                    .cloned()
                    .unwrap_or_default();
                let target = self
                    .follow(&target, &p)
                    .map(|(_, t)| t)
                    .unwrap_or(p.clone());
                if !used.contains(&target) {
                    self.drop(&p, "message that no operation sends or receives: its direction is unknown, so it is not an event of the catalog");
                }
            }
        }
        Ok(())
    }

    fn channels_v3(&mut self) -> Result<IndexMap<String, Place>, ImportError> {
        let mut places = IndexMap::new();
        let channels = self
            .doc
            .get("channels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (id, ch) in &channels {
            let at = format!("/channels/{}", escape(id));
            let (ch, _) = self.follow(ch, &at)?;
            let ch = ch.as_object().cloned().unwrap_or_default();
            let address = ch.get("address").and_then(Value::as_str);
            if address.is_none() {
                self.drop(
                    &at,
                    "channel with a null address (dynamic): read as the namespace `/`",
                );
            }
            let place = place_of(self, address, &ch, &at);
            self.channel_leftovers(&ch, &at);
            places.insert(id.clone(), place);
        }
        Ok(places)
    }

    /// Report what a channel has that the catalog cannot hold.
    pub(super) fn channel_leftovers(&mut self, ch: &Map<String, Value>, at: &str) {
        use crate::vocab::asyncapi as x;
        let known = [
            "address",
            "description",
            "messages",
            "parameters",
            "publish",
            "subscribe",
            x::KIND,
            x::NAMESPACE,
            x::ACCESS,
            x::AUTH,
        ];
        for k in ch.keys().filter(|k| !known.contains(&k.as_str())) {
            self.drop(
                &format!("{at}/{}", escape(k)),
                format!(
                    "channel `{k}`: the catalog's namespaces and rooms have a description only"
                ),
            );
        }
        if let Some(Value::Object(params)) = ch.get("parameters") {
            for (name, p) in params {
                let extra: Vec<&String> = p
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter(|(k, v)| {
                                let plain =
                                    k.as_str() == "schema" && **v == json!({"type": "string"});
                                // Where the placeholder's value is: the payload field of its
                                // name, which is what a room template means.
                                let bound = k.as_str() == "location"
                                    && v.as_str() == Some(&format!("$message.payload#/{name}"));
                                k.as_str() != "description" && !plain && !bound
                            })
                            .map(|(k, _)| k)
                            .collect()
                    })
                    .unwrap_or_default();
                if !extra.is_empty() {
                    let list: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
                    self.drop(&format!("{at}/parameters/{}", escape(name)), format!("parameter `{name}`: {} dropped; a room placeholder is any non-empty value bound from the payload", list.join(", ")));
                }
            }
        }
    }

    fn operation_v3(
        &mut self,
        op: &Value,
        at: &str,
        places: &IndexMap<String, Place>,
        used: &mut IndexSet<String>,
    ) -> Result<(), ImportError> {
        let direction = match op.get("action").and_then(Value::as_str) {
            Some("receive") => Direction::C2s,
            Some("send") => Direction::S2c,
            other => {
                return Err(self.error(
                    &format!("{at}/action"),
                    format!("operation action {other:?}: expected `send` or `receive`"),
                ))
            }
        };
        let channel_ref = op
            .pointer("/channel/$ref")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(channel_id) = channel_ref.strip_prefix("#/channels/").map(unescape) else {
            return Err(self.error(
                &format!("{at}/channel"),
                format!(
                    "operation channel `{channel_ref}`: expected a `$ref` to `#/channels/<id>`"
                ),
            ));
        };
        let Some(place) = places.get(&channel_id).cloned() else {
            return Err(self.error(
                &format!("{at}/channel"),
                format!("broken `$ref: {channel_ref}`: no such channel"),
            ));
        };
        let refs: Vec<Value> = match op.get("messages").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => {
                let ch = self
                    .doc
                    .pointer(&format!("/channels/{}/messages", escape(&channel_id)))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                ch.keys().map(|k| json!({"$ref": format!("#/channels/{}/messages/{}", escape(&channel_id), escape(k))})).collect()
            }
        };
        for k in ["bindings", "traits", "security", "externalDocs"] {
            if op.get(k).is_some() {
                self.drop(&format!("{at}/{k}"), format!("operation `{k}`: the catalog has no place for it (auth is the handshake's and `x-socketio-auth`)"));
            }
        }
        let ack = self.reply(op, at, &channel_id, used)?;
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        for (i, r) in refs.iter().enumerate() {
            used.insert(self.follow(r, at)?.1);
            let (name, mut dir) = self.read_message(r, &format!("{at}/messages/{i}"))?;
            if let Place::Room { template, .. } = &place {
                dir.room.get_or_insert_with(|| template.clone());
            }
            if dir.ack.is_none() {
                dir.ack.clone_from(&ack);
            }
            let verb = if direction == Direction::C2s {
                "Receive"
            } else {
                "Send"
            };
            let generated = format!("{verb} `{name}`");
            self.operation_text(op, at, &mut dir, i == 0, Some(&generated));
            self.record(
                &format!("{at}/messages/{i}"),
                name,
                place.namespace(),
                direction,
                dir,
                description.clone(),
            );
        }
        Ok(())
    }

    /// The operation's reply as the ack schema (one message: its payload; several: `oneOf`).
    fn reply(
        &mut self,
        op: &Value,
        at: &str,
        channel_id: &str,
        used: &mut IndexSet<String>,
    ) -> Result<Option<Value>, ImportError> {
        let Some(reply) = op.get("reply") else {
            return Ok(None);
        };
        let at = format!("{at}/reply");
        let (reply, at) = self.follow(reply, &at)?;
        if reply.get("address").is_some() {
            self.drop(
                &format!("{at}/address"),
                "reply address: a Socket.IO ack goes back on the same socket; read as the ack",
            );
        }
        if let Some(r) = reply.pointer("/channel/$ref").and_then(Value::as_str) {
            if r.strip_prefix("#/channels/").map(unescape).as_deref() != Some(channel_id) {
                self.drop(&format!("{at}/channel"), format!("reply on another channel (`{r}`): read as the ack, on the operation's socket"));
            }
        }
        let mut payloads = Vec::new();
        for (i, m) in reply
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let mat = format!("{at}/messages/{i}");
            let (msg, mat) = self.follow(m, &mat)?;
            used.insert(mat.clone());
            let payload = match msg.get("payload") {
                Some(p) => self.payload(p, &format!("{mat}/payload"))?,
                None => None,
            };
            payloads.push(payload.unwrap_or(Value::Bool(true)));
        }
        Ok(match payloads.len() {
            0 => None,
            1 => payloads.pop(),
            _ => Some(json!({ "oneOf": payloads })),
        })
    }
}

pub(super) fn unescape(s: &str) -> String {
    super::percent_decode(s)
        .replace("~1", "/")
        .replace("~0", "~")
}
