//! Judging relayed traffic: one Socket.IO packet with its binary attachments at a time, against
//! the catalog, the way `evdoc validate` judges a capture ([`crate::validate::Contract`]).
//!
//! A packet is judged whole: a binary event travels as its text packet then one frame per
//! attachment, so [`Assembler`] holds the text until the frames are there (their sizes count
//! for `format: binary` limits) and only then is it judged and relayed or refused, frames and
//! all. Acks are judged against the event they answer, which [`Judge`] remembers by namespace
//! and ack id for each direction: the ack of a client's emit comes from the upstream, and the
//! ack of the upstream's `emitWithAck` from the client.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

use crate::catalog::schema::SchemaError;
use crate::validate::{AckBook, Breach, Contract, Violation};
use crate::vocab::packet::parse_header;
use crate::vocab::Direction;

/// Most attachments one packet may announce; a packet announcing more is judged malformed at
/// once instead of holding frames for it.
pub const MAX_ATTACHMENTS: usize = 1_000;
/// Events waiting for their ack, per direction and client session.
const MAX_PENDING_ACKS: usize = 10_000;

/// One Socket.IO packet and its attachments, as sent.
#[derive(Debug)]
pub struct Whole<T> {
    /// The packet text (without Engine.IO's `4`).
    pub packet: T,
    /// Its binary attachments, in order.
    pub frames: Vec<Bytes>,
}

/// What arrives from one side, in order.
#[derive(Debug)]
pub enum Piece<T> {
    /// A packet's text.
    Packet(T),
    /// A binary attachment of the packet before it.
    Binary(Bytes),
}

/// Puts packets together with their attachments, for one direction.
#[derive(Debug)]
pub struct Assembler<T> {
    /// A binary packet, how many frames it announced, and those received so far.
    waiting: Option<(T, usize, Vec<Bytes>)>,
}

impl<T> Default for Assembler<T> {
    fn default() -> Self {
        Assembler { waiting: None }
    }
}

impl<T: std::ops::Deref<Target = str>> Assembler<T> {
    /// Take one piece; every packet it completes is pushed to `out` (in order). A frame with no
    /// packet waiting for it goes out alone (with an empty packet text), as it came; a packet
    /// arriving before the frames it waited for sends the incomplete one on first.
    pub fn push(&mut self, piece: Piece<T>, out: &mut Vec<Whole<T>>)
    where
        T: From<&'static str>,
    {
        match piece {
            Piece::Binary(frame) => match &mut self.waiting {
                Some((_, want, frames)) => {
                    frames.push(frame);
                    if frames.len() >= *want {
                        out.extend(self.flush());
                    }
                }
                None => out.push(Whole {
                    packet: T::from(""),
                    frames: vec![frame],
                }),
            },
            Piece::Packet(packet) => {
                out.extend(self.flush());
                let want = match parse_header(&packet) {
                    Ok(h) if h.kind.is_binary() => h.attachments,
                    _ => 0,
                };
                if want == 0 || want > MAX_ATTACHMENTS {
                    out.push(Whole {
                        packet,
                        frames: Vec::new(),
                    });
                } else {
                    self.waiting = Some((packet, want, Vec::with_capacity(want)));
                }
            }
        }
    }

    fn flush(&mut self) -> Option<Whole<T>> {
        self.waiting
            .take()
            .map(|(packet, _, frames)| Whole { packet, frames })
    }
}

/// The verdict on one event or ack packet.
#[derive(Debug, PartialEq)]
pub struct Judged {
    /// Its namespace.
    pub namespace: String,
    /// The event (for an ack, the event it answers); `None` for an event whose name cannot be
    /// read.
    pub event: Option<String>,
    /// Whether the packet is an ack.
    pub ack: bool,
    /// The ack id.
    pub id: Option<u64>,
    /// The catalog's word on it.
    pub verdict: Result<(), Violation>,
    /// For an ack: how long since its event was relayed.
    pub waited: Option<Duration>,
}

/// The catalog and, per direction, the events waiting for their ack: the judge of one client
/// session's traffic.
pub struct Judge {
    /// Events the client sent with an ack id, by (namespace, id), and when.
    from_client: AckBook<(String, u64), (String, Instant)>,
    /// Events the upstream sent with an ack id.
    from_upstream: AckBook<(String, u64), (String, Instant)>,
}

impl Default for Judge {
    fn default() -> Self {
        Judge {
            from_client: AckBook::new(MAX_PENDING_ACKS),
            from_upstream: AckBook::new(MAX_PENDING_ACKS),
        }
    }
}

impl Judge {
    /// Judge one whole packet sent `direction`. `None` for what the catalog does not speak of
    /// (CONNECT, DISCONNECT, refusals, an ack whose event was not seen, a stray frame, an
    /// unreadable header: those are relayed as they came and the receiver's parser decides).
    pub fn judge(
        &mut self,
        contract: &Contract,
        direction: Direction,
        packet: &str,
        frames: &[Bytes],
    ) -> Option<Judged> {
        let h = parse_header(packet).ok()?;
        let sizes: Vec<Option<u64>> = frames.iter().map(|f| Some(f.len() as u64)).collect();
        let too_many = h.attachments > MAX_ATTACHMENTS;
        let namespace = h.namespace.to_owned();
        if h.kind.is_event() {
            let (event, verdict) = match read_event(h.data) {
                _ if too_many => (None, Err(malformed(too_many_message(h.attachments)))),
                Err(why) => (None, Err(malformed(why))),
                Ok((name, args)) => {
                    let verdict = contract
                        .event(h.namespace, &name, direction, &args, &sizes)
                        .and_then(|()| ack_presence(contract, h.namespace, &name, direction, h.id));
                    (Some(name), verdict)
                }
            };
            if let (Some(id), Some(name)) = (h.id, &event) {
                self.book(direction)
                    .remember((namespace.clone(), id), (name.clone(), Instant::now()));
            }
            return Some(Judged {
                namespace,
                event,
                ack: false,
                id: h.id,
                verdict,
                waited: None,
            });
        }
        if !h.kind.is_ack() {
            return None;
        }
        let id = h.id?;
        // The ack answers an event sent the other way.
        let event_direction = opposite(direction);
        let (event, sent) = self.book(event_direction).take(&(namespace.clone(), id))?;
        let verdict = match serde_json::from_str::<Vec<Value>>(h.data) {
            _ if too_many => Err(malformed_ack(too_many_message(h.attachments))),
            Ok(args) => contract.ack(h.namespace, &event, event_direction, &args, &sizes),
            Err(e) => Err(malformed_ack(format!("malformed ack packet: {e}"))),
        };
        Some(Judged {
            namespace,
            event: Some(event),
            ack: true,
            id: Some(id),
            verdict,
            waited: Some(sent.elapsed()),
        })
    }

    fn book(
        &mut self,
        event_direction: Direction,
    ) -> &mut AckBook<(String, u64), (String, Instant)> {
        match event_direction {
            Direction::C2s => &mut self.from_client,
            _ => &mut self.from_upstream,
        }
    }
}

/// An event packet's data: the event name and its arguments.
fn read_event(data: &str) -> Result<(String, Vec<Value>), String> {
    let mut items: Vec<Value> = serde_json::from_str(data)
        .map_err(|e| format!("malformed event packet (not a JSON array): {e}"))?;
    if items.is_empty() {
        return Err("malformed event packet: no event name".into());
    }
    match items.remove(0) {
        Value::String(name) => Ok((name, items)),
        _ => Err("malformed event packet: the event name is not a string".into()),
    }
}

/// An event sent with an ack id asks for an answer; the catalog must document one.
fn ack_presence(
    contract: &Contract,
    ns: &str,
    event: &str,
    direction: Direction,
    id: Option<u64>,
) -> Result<(), Violation> {
    if id.is_none() || contract.documents_ack(ns, event, direction) {
        return Ok(());
    }
    Err(Violation {
        breach: Breach::AckError,
        errors: vec![SchemaError {
            path: String::new(),
            message: format!(
                "`{event}` is sent with an acknowledgement callback, but the catalog documents no ack for it ({})",
                direction.as_str()
            ),
        }],
    })
}

fn too_many_message(n: usize) -> String {
    format!("the packet announces {n} binary attachments (at most {MAX_ATTACHMENTS})")
}

fn malformed(message: String) -> Violation {
    Violation {
        breach: Breach::PayloadError,
        errors: vec![SchemaError {
            path: String::new(),
            message,
        }],
    }
}

fn malformed_ack(message: String) -> Violation {
    Violation {
        breach: Breach::AckError,
        errors: vec![SchemaError {
            path: "/ack".into(),
            message,
        }],
    }
}

fn opposite(d: Direction) -> Direction {
    match d {
        Direction::C2s => Direction::S2c,
        _ => Direction::C2s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    const CATALOG: &str = r#"
evdoc: 1
info: {title: t, version: "1"}
events:
  "price":
    direction: s2c
    payload: {type: object, required: [p], properties: {p: {type: number}}}
  "order":
    direction: c2s
    payload: {type: object, required: [qty], properties: {qty: {type: integer}}}
    ack: {type: object, required: [ok], properties: {ok: {type: boolean}}}
  "upload":
    direction: c2s
    payload:
      type: object
      properties: {data: {type: string, format: binary, maxBytes: 4}}
  "ask":
    direction: s2c
    payload: {type: object}
    ack: {type: object, required: [answer], properties: {answer: {type: string}}}
"#;

    fn contract() -> Contract {
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("evdoc.yaml"), CATALOG.as_bytes().to_vec());
        let mem = crate::catalog::MemoryFiles {
            prefix: String::new(),
            files,
        };
        let loaded = crate::catalog::load_memory(&mem, Path::new("evdoc.yaml")).unwrap();
        Contract::new(&loaded.catalog).unwrap()
    }

    fn breach(j: &Option<Judged>) -> Option<Breach> {
        j.as_ref()
            .and_then(|j| j.verdict.as_ref().err())
            .map(|v| v.breach)
    }

    #[test]
    fn a_binary_packet_waits_for_its_attachments() {
        let mut asm: Assembler<String> = Assembler::default();
        let mut out = Vec::new();
        asm.push(Piece::Packet("40".into()), &mut out);
        asm.push(
            Piece::Packet(r#"52-["upload",{"data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]"#.into()),
            &mut out,
        );
        assert_eq!(out.len(), 1, "CONNECT goes at once, the binary event waits");
        asm.push(Piece::Binary(Bytes::from_static(b"ab")), &mut out);
        assert_eq!(out.len(), 1);
        asm.push(Piece::Binary(Bytes::from_static(b"cd")), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].frames.len(), 2);
        // A frame nobody announced goes on alone.
        asm.push(Piece::Binary(Bytes::from_static(b"x")), &mut out);
        assert_eq!((out[2].packet.as_str(), out[2].frames.len()), ("", 1));
        // A count past the bound is not waited for.
        asm.push(Piece::Packet("51001-[\"upload\"]".into()), &mut out);
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn events_are_judged_by_namespace_name_direction_and_schema() {
        let c = contract();
        let mut j = Judge::default();
        let mut judge = |d, p: &str| j.judge(&c, d, p, &[]);
        assert_eq!(
            breach(&judge(Direction::S2c, r#"2["price",{"p":1}]"#)),
            None
        );
        assert_eq!(
            breach(&judge(Direction::S2c, r#"2["price",{"p":"x"}]"#)),
            Some(Breach::PayloadError)
        );
        assert_eq!(
            breach(&judge(Direction::C2s, r#"2["price",{"p":1}]"#)),
            Some(Breach::WrongDirection)
        );
        assert_eq!(
            breach(&judge(Direction::S2c, r#"2/admin,["price",{"p":1}]"#)),
            Some(Breach::UnknownEvent)
        );
        assert_eq!(
            breach(&judge(Direction::C2s, r#"2[42]"#)),
            Some(Breach::PayloadError)
        );
        assert!(judge(Direction::S2c, r#"0{"sid":"x"}"#).is_none());
    }

    #[test]
    fn acks_are_matched_to_their_events_both_ways() {
        let c = contract();
        let mut j = Judge::default();
        // The client's order waits for the upstream's ack.
        let sent = j.judge(&c, Direction::C2s, r#"27["order",{"qty":1}]"#, &[]);
        assert_eq!(breach(&sent), None);
        let bad = j.judge(&c, Direction::S2c, r#"37[{"ok":"yes"}]"#, &[]);
        let bad = bad.unwrap();
        assert_eq!((bad.ack, bad.event.as_deref()), (true, Some("order")));
        assert_eq!(bad.verdict.unwrap_err().errors[0].path, "/ack/ok");
        // Answered once: the same id again is not an ack of anything known.
        assert!(j
            .judge(&c, Direction::S2c, r#"37[{"ok":true}]"#, &[])
            .is_none());
        // The upstream's question waits for the client's answer; ids of the two directions
        // are apart.
        j.judge(&c, Direction::S2c, r#"27["ask",{}]"#, &[]);
        assert!(j
            .judge(&c, Direction::S2c, r#"37[{"answer":"x"}]"#, &[])
            .is_none());
        let answer = j.judge(&c, Direction::C2s, r#"37[{"answer":"x"}]"#, &[]);
        assert_eq!(breach(&answer), None);
        assert_eq!(answer.unwrap().event.as_deref(), Some("ask"));
    }

    #[test]
    fn a_callback_needs_a_documented_ack() {
        let c = contract();
        let mut j = Judge::default();
        assert_eq!(
            breach(&j.judge(&c, Direction::S2c, r#"29["price",{"p":1}]"#, &[])),
            Some(Breach::AckError)
        );
        assert_eq!(
            breach(&j.judge(&c, Direction::C2s, r#"29["order",{"qty":1}]"#, &[])),
            None
        );
    }

    #[test]
    fn attachment_sizes_count() {
        let c = contract();
        let mut j = Judge::default();
        let packet = r#"51-["upload",{"data":{"_placeholder":true,"num":0}}]"#;
        let small = [Bytes::from_static(b"abcd")];
        let big = [Bytes::from_static(b"abcde")];
        assert_eq!(breach(&j.judge(&c, Direction::C2s, packet, &small)), None);
        assert_eq!(
            breach(&j.judge(&c, Direction::C2s, packet, &big)),
            Some(Breach::PayloadError)
        );
    }
}
