//! Where every node of a catalog file is: JSON-pointer path → line and column.
//!
//! serde gives values without positions; lint problems and check findings must still name the
//! catalog line. A second, cheap pass over the YAML event stream records the position of each
//! mapping key (and sequence item) under its JSON pointer, e.g. `/events/trade:update/payload`.

use crate::vocab::diagnostic::Location;
use granit_parser::{Event, Parser};
use std::collections::HashMap;

/// Positions of the nodes of one or more catalog files.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    map: HashMap<String, Location>,
}

/// Escape one JSON-pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Build a JSON pointer from segments.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&escape(s.as_ref()));
    }
    out
}

enum Frame {
    Map { key: Option<String>, path: String },
    Seq { index: usize, path: String },
}

impl Positions {
    /// Index the nodes of `text`, read from the file shown to users as `file`.
    ///
    /// Parse errors are ignored here: the deserialiser reports them with their location.
    pub fn index(file: &str, text: &str) -> Positions {
        let mut map = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        // The path of the node about to start, and whether it is a mapping key.
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let loc = Location::new(file, span.start.line() as u32, span.start.col() as u32 + 1);
            match event {
                Event::Scalar(value, ..) => {
                    if let Some(Frame::Map { key, path }) = stack.last_mut() {
                        if key.is_none() {
                            let p = format!("{path}/{}", escape(&value));
                            map.entry(p).or_insert(loc);
                            *key = Some(value.into_owned());
                            continue;
                        }
                    }
                    Self::value_done(&mut stack, &mut map, loc);
                }
                Event::Alias(_) => Self::value_done(&mut stack, &mut map, loc),
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = Self::child_path(&mut stack, &mut map, loc);
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map { key: None, path }
                    } else {
                        Frame::Seq { index: 0, path }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    Self::advance(&mut stack);
                }
                _ => {}
            }
        }
        Positions { map }
    }

    /// The path of a value starting now (and record sequence items' positions).
    fn child_path(
        stack: &mut [Frame],
        map: &mut HashMap<String, Location>,
        loc: Location,
    ) -> String {
        match stack.last() {
            None => String::new(),
            Some(Frame::Map { key, path }) => {
                format!("{path}/{}", escape(key.as_deref().unwrap_or("")))
            }
            Some(Frame::Seq { index, path }) => {
                let p = format!("{path}/{index}");
                map.entry(p.clone()).or_insert(loc);
                p
            }
        }
    }

    fn value_done(stack: &mut [Frame], map: &mut HashMap<String, Location>, loc: Location) {
        Self::child_path(stack, map, loc);
        Self::advance(stack);
    }

    /// A value finished: the enclosing map waits for its next key, a sequence for its next item.
    fn advance(stack: &mut [Frame]) {
        match stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    /// The position of the node at `pointer`, or of its nearest indexed ancestor.
    pub fn find(&self, pointer: &str) -> Option<&Location> {
        let mut p = pointer;
        loop {
            if let Some(l) = self.map.get(p) {
                return Some(l);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }

    /// The position of exactly this node, if indexed.
    pub fn get(&self, pointer: &str) -> Option<&Location> {
        self.map.get(pointer)
    }

    /// Add another file's positions (files of a folder are merged).
    pub fn extend(&mut self, other: Positions) {
        for (k, v) in other.map {
            self.map.entry(k).or_insert(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_keys_and_items() {
        let text = "events:\n  trade:update:\n    direction: s2c\n    examples:\n      - {a: 1}\n      - b\nrooms:\n  /x: {}\n";
        let p = Positions::index("c.yaml", text);
        assert_eq!(p.get("/events").unwrap().line, 1);
        let e = p.get("/events/trade:update").unwrap();
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(p.get("/events/trade:update/direction").unwrap().line, 3);
        assert_eq!(p.get("/events/trade:update/examples/0").unwrap().line, 5);
        assert_eq!(p.get("/events/trade:update/examples/1").unwrap().line, 6);
        assert_eq!(p.get("/events/trade:update/examples/0/a").unwrap().line, 5);
        assert_eq!(p.get("/rooms/~1x").unwrap().line, 8);
        assert_eq!(p.find("/events/trade:update/payload/x").unwrap().line, 2);
    }
}
