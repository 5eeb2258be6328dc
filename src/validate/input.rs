//! Captured traffic, one record a line: a JSON object (`{"event", "direction", "namespace"?,
//! "args", "ack"?}`, or `{"direction", "packet"}`) or raw Socket.IO packet text
//! (`42["trade:update",{…}]`, `42/admin,17[…]`, `451-[…]`, `43/admin,17[…]`), optionally after a
//! direction mark (`> ` client→server, `< ` server→client).
//!
//! Lines are read with a bounded buffer: a line longer than the limit is skipped as it streams
//! past, never held whole, so memory stays flat whatever the input.

use crate::vocab::packet::{self, HeaderError};
use crate::vocab::Direction;
use serde::Deserialize;
use serde_json::Value;
use std::io::{self, BufRead};

/// One line as the reader saw it.
pub enum Line {
    /// The line's bytes (without the line break and a trailing `\r`).
    Text,
    /// Longer than the limit: its length in bytes (without the line break), skipped.
    TooLong(u64),
}

/// Reads the next line into `buf` (cleared first), at most `limit` bytes of it; `None` at the
/// end of the input.
pub fn next_line<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<Line>> {
    buf.clear();
    let mut len: u64 = 0;
    let mut over = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            if len == 0 {
                return Ok(None);
            }
            break;
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        let ends = done > part.len();
        len += part.len() as u64;
        if !over && buf.len() + part.len() > limit {
            over = true;
            buf.clear();
        }
        if !over {
            buf.extend_from_slice(part);
        }
        r.consume(done);
        if ends {
            break;
        }
    }
    if over {
        return Ok(Some(Line::TooLong(len)));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(Line::Text))
}

/// What a line holds.
#[derive(Debug, PartialEq)]
pub enum Record {
    /// An event: name, namespace, direction, arguments, how many binary attachments the packet
    /// announced (their sizes are unknown in a capture), and its ack id, if any.
    Event {
        event: String,
        namespace: String,
        direction: Direction,
        args: Vec<Value>,
        attachments: usize,
        id: Option<u64>,
        /// The value the sender's callback received, when the JSON record carries it.
        ack: Option<Value>,
    },
    /// An acknowledgement packet: the ack id it answers and its arguments.
    Ack {
        namespace: String,
        direction: Direction,
        id: u64,
        args: Vec<Value>,
        attachments: usize,
    },
    /// Something that is not an event (CONNECT, DISCONNECT, Engine.IO pings, binary frames).
    Other,
}

/// Why a line is not a record.
#[derive(Debug, PartialEq)]
pub struct Unreadable {
    /// `NotJson`, `Malformed`, `NoDirection`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

fn bad(code: &'static str, message: impl Into<String>) -> Unreadable {
    Unreadable {
        code,
        message: message.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRecord {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    args: Vec<Value>,
    #[serde(default)]
    ack: Option<Value>,
    #[serde(default)]
    packet: Option<String>,
}

/// Reads one line (already UTF-8) as a record; `default` is the direction of lines that carry
/// none (`--direction`).
pub fn parse(line: &str, default: Option<Direction>) -> Result<Record, Unreadable> {
    let line = line.trim();
    if line.starts_with('{') {
        return json_record(line, default);
    }
    let (mark, packet) = match line.split_at_checked(2) {
        Some(("> ", rest)) => (Some(Direction::C2s), rest),
        Some(("< ", rest)) => (Some(Direction::S2c), rest),
        _ => (None, line),
    };
    packet_record(packet.trim_start(), mark.or(default))
}

fn json_record(line: &str, default: Option<Direction>) -> Result<Record, Unreadable> {
    let r: JsonRecord = serde_json::from_str(line)
        .map_err(|e| bad("NotJson", format!("not a traffic record: {e}")))?;
    let direction = r.direction.or(default);
    if let Some(packet) = r.packet {
        return packet_record(&packet, direction);
    }
    let Some(event) = r.event else {
        return Err(bad("Malformed", "a record needs `event` (or `packet`)"));
    };
    let Some(direction) = direction else {
        return Err(bad(
            "NoDirection",
            "no `direction` (c2s or s2c), and no --direction",
        ));
    };
    if direction == Direction::Both {
        return Err(bad(
            "Malformed",
            "`direction` of one message is c2s or s2c, not both",
        ));
    }
    Ok(Record::Event {
        event,
        namespace: r.namespace.unwrap_or_else(|| "/".into()),
        direction,
        args: r.args,
        attachments: 0,
        id: None,
        ack: r.ack,
    })
}

/// `4` (an Engine.IO message) + a Socket.IO packet: type, `<n>-` attachments, `/ns,`, ack id,
/// JSON. Anything else Engine.IO sends (pings, the open packet, binary frames) is `Other`.
fn packet_record(text: &str, direction: Option<Direction>) -> Result<Record, Unreadable> {
    let Some(sio) = text.strip_prefix('4') else {
        return if text.starts_with(|c: char| c.is_ascii_digit()) || text.starts_with('b') {
            Ok(Record::Other)
        } else {
            Err(bad(
                "Malformed",
                "neither a JSON record nor Socket.IO packet text",
            ))
        };
    };
    let header = match packet::parse_header(sio) {
        Ok(h) => h,
        // CONNECT, DISCONNECT, CONNECT_ERROR and unknown types hold no event.
        Err(HeaderError::UnknownKind(_)) => return Ok(Record::Other),
        Err(e) => return Err(bad("Malformed", e.to_string())),
    };
    if !(header.kind.is_event() || header.kind.is_ack()) {
        return Ok(Record::Other);
    }
    let (namespace, attachments) = (header.namespace.to_owned(), header.attachments);
    let data: Vec<Value> = serde_json::from_str(header.data)
        .map_err(|e| bad("NotJson", format!("packet data is not a JSON array: {e}")))?;
    let Some(direction) = direction else {
        return Err(bad(
            "NoDirection",
            "a packet without a direction: mark it `> ` (client→server) or `< ` (server→client), or pass --direction",
        ));
    };
    if header.kind.is_ack() {
        let Some(id) = header.id else {
            return Err(bad("Malformed", "an ack packet without its id"));
        };
        return Ok(Record::Ack {
            namespace,
            direction,
            id,
            args: data,
            attachments,
        });
    }
    let mut data = data.into_iter();
    let Some(Value::String(event)) = data.next() else {
        return Err(bad(
            "Malformed",
            "an event packet whose first element is not the event name",
        ));
    };
    Ok(Record::Event {
        event,
        namespace,
        direction,
        args: data.collect(),
        attachments,
        id: header.id,
        ack: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(line: &str) -> Record {
        parse(line, None).unwrap()
    }

    #[test]
    fn packets_with_namespace_id_and_attachments() {
        let Record::Event {
            event: e,
            namespace,
            id,
            args,
            attachments,
            ..
        } = event(r#"> 451-/admin,17["up",{"_placeholder":true,"num":0}]"#)
        else {
            panic!()
        };
        assert_eq!(
            (e.as_str(), namespace.as_str(), id, attachments),
            ("up", "/admin", Some(17), 1)
        );
        assert_eq!(args, [json!({"_placeholder": true, "num": 0})]);
        assert!(matches!(
            event(r#"< 43/admin,17[{"ok":true}]"#),
            Record::Ack { id: 17, .. }
        ));
        assert_eq!(event("> 40"), Record::Other);
        assert_eq!(event("> 2"), Record::Other);
    }

    #[test]
    fn json_records_and_their_direction() {
        let r = parse(r#"{"event":"a:b","args":[1]}"#, Some(Direction::S2c)).unwrap();
        assert!(matches!(
            r,
            Record::Event {
                direction: Direction::S2c,
                ..
            }
        ));
        assert_eq!(
            parse(r#"{"event":"a:b"}"#, None).unwrap_err().code,
            "NoDirection"
        );
        assert_eq!(
            parse(r#"{"event":"a:b","oops":1}"#, None).unwrap_err().code,
            "NotJson"
        );
        let p = parse(r#"{"direction":"c2s","packet":"42[\"x\"]"}"#, None).unwrap();
        assert!(matches!(
            p,
            Record::Event {
                direction: Direction::C2s,
                ..
            }
        ));
    }

    #[test]
    fn broken_packets_say_why() {
        assert_eq!(parse(r#"> 42["x""#, None).unwrap_err().code, "NotJson");
        assert_eq!(parse(r#"42["x"]"#, None).unwrap_err().code, "NoDirection");
        assert_eq!(parse("hello", None).unwrap_err().code, "Malformed");
        assert_eq!(parse("> 42[1]", None).unwrap_err().code, "Malformed");
        assert_eq!(parse("> 45x-[]", None).unwrap_err().code, "Malformed");
    }

    #[test]
    fn long_lines_are_skipped_as_they_stream() {
        let text = format!("short\r\n{}\nlast", "x".repeat(100));
        let mut r = io::BufReader::with_capacity(8, text.as_bytes());
        let mut buf = Vec::new();
        assert!(matches!(
            next_line(&mut r, &mut buf, 10).unwrap(),
            Some(Line::Text)
        ));
        assert_eq!(buf, b"short");
        assert!(matches!(
            next_line(&mut r, &mut buf, 10).unwrap(),
            Some(Line::TooLong(100))
        ));
        assert!(buf.len() <= 10);
        assert!(matches!(
            next_line(&mut r, &mut buf, 10).unwrap(),
            Some(Line::Text)
        ));
        assert_eq!(buf, b"last");
        assert!(next_line(&mut r, &mut buf, 10).unwrap().is_none());
    }
}
