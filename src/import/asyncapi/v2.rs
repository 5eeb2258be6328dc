//! AsyncAPI 2.x (2.6): channels keyed by address, each with `publish` (the application
//! receives: c2s) and `subscribe` (it sends: s2c); a message's `x-ack` is the ack.

use super::{place_of, Reader};
use crate::catalog::positions::escape;
use crate::import::ImportError;
use crate::vocab::Direction;
use serde_json::Value;

impl Reader<'_> {
    pub(super) fn v2(&mut self) -> Result<(), ImportError> {
        self.info();
        self.servers(false);
        self.auth();
        self.root_extensions()?;
        let channels = self
            .doc
            .get("channels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (address, ch) in &channels {
            let at = format!("/channels/{}", escape(address));
            let (ch, _) = self.follow(ch, &at)?;
            let ch = ch.as_object().cloned().unwrap_or_default();
            let place = place_of(self, Some(address), &ch, &at);
            self.channel_leftovers(&ch, &at);
            for (verb, direction) in [("publish", Direction::C2s), ("subscribe", Direction::S2c)] {
                let Some(op) = ch.get(verb) else { continue };
                let oat = format!("{at}/{verb}");
                let (op, oat) = self.follow(op, &oat)?;
                for k in ["bindings", "traits", "security", "externalDocs"] {
                    if op.get(k).is_some() {
                        self.drop(
                            &format!("{oat}/{k}"),
                            format!("operation `{k}`: the catalog has no place for it"),
                        );
                    }
                }
                let Some(message) = op.get("message") else {
                    continue;
                };
                let mat = format!("{oat}/message");
                let (message, mat) = self.follow(message, &mat)?;
                let list: Vec<(Value, String)> =
                    match message.get("oneOf").and_then(Value::as_array) {
                        Some(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, m)| (m.clone(), format!("{mat}/oneOf/{i}")))
                            .collect(),
                        None => vec![(message.clone(), mat.clone())],
                    };
                let description = op
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                for (i, (m, mat)) in list.into_iter().enumerate() {
                    let (name, mut dir) = self.read_message(&m, &mat)?;
                    if let super::Place::Room { template, .. } = &place {
                        dir.room.get_or_insert_with(|| template.clone());
                    }
                    self.operation_text(&op, &oat, &mut dir, i == 0, None);
                    self.record(
                        &mat,
                        name,
                        place.namespace(),
                        direction,
                        dir,
                        description.clone(),
                    );
                }
            }
        }
        Ok(())
    }
}
