//! A Socket.IO packet as it travels in an Engine.IO message: its type, binary attachment count,
//! namespace, ack id, and the JSON after them (`5` `1-` `/admin,` `12` `["upload",{…}]`).
//!
//! Read without copying and without parsing the JSON: `evdoc validate` reads captured packets
//! with it, and a relay that routes packets by their header (the proxy of issue 16) can forward
//! the text as it came. The format is socket.io-parser's (protocol 5).

use std::fmt;

/// The packet types of Socket.IO protocol 5, by their digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// `0`: join a namespace (client), or the answer with the socket id (server).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event, with an ack id when the sender waits for an answer.
    Event,
    /// `3`: the answer to an event's ack id.
    Ack,
    /// `4`: the server refuses a namespace (`{"message", "data"}`).
    ConnectError,
    /// `5`: an event whose arguments hold binary attachments, sent as frames after it.
    BinaryEvent,
    /// `6`: an ack whose arguments hold binary attachments.
    BinaryAck,
}

impl PacketKind {
    /// The kind a type digit names.
    pub fn from_digit(digit: u8) -> Option<PacketKind> {
        Some(match digit {
            b'0' => PacketKind::Connect,
            b'1' => PacketKind::Disconnect,
            b'2' => PacketKind::Event,
            b'3' => PacketKind::Ack,
            b'4' => PacketKind::ConnectError,
            b'5' => PacketKind::BinaryEvent,
            b'6' => PacketKind::BinaryAck,
            _ => return None,
        })
    }

    /// The type digit on the wire.
    pub fn digit(self) -> char {
        match self {
            PacketKind::Connect => '0',
            PacketKind::Disconnect => '1',
            PacketKind::Event => '2',
            PacketKind::Ack => '3',
            PacketKind::ConnectError => '4',
            PacketKind::BinaryEvent => '5',
            PacketKind::BinaryAck => '6',
        }
    }

    /// Whether binary attachments follow the packet (and the header counts them).
    pub fn is_binary(self) -> bool {
        matches!(self, PacketKind::BinaryEvent | PacketKind::BinaryAck)
    }

    /// Whether the packet is an event (plain or binary).
    pub fn is_event(self) -> bool {
        matches!(self, PacketKind::Event | PacketKind::BinaryEvent)
    }

    /// Whether the packet answers an event (plain or binary).
    pub fn is_ack(self) -> bool {
        matches!(self, PacketKind::Ack | PacketKind::BinaryAck)
    }
}

/// The header of one packet, borrowing the packet text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The packet type.
    pub kind: PacketKind,
    /// Binary attachments announced (`5` and `6` only; 0 otherwise).
    pub attachments: usize,
    /// The namespace: `/` when the packet names none.
    pub namespace: &'a str,
    /// The ack id: on an event, the sender waits for an answer; on an ack, the event it answers.
    pub id: Option<u64>,
    /// The rest of the packet: JSON, or empty.
    pub data: &'a str,
}

/// Why a packet's header cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// No packet type at all.
    Empty,
    /// A first character that is not a packet type.
    UnknownKind(char),
    /// A binary packet without its `<n>-` attachment count.
    NoAttachmentCount,
    /// An attachment count that is not a number.
    BadAttachmentCount(String),
    /// An ack id beyond 64 bits.
    AckIdTooLarge(String),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Empty => f.write_str("an Engine.IO message without a Socket.IO packet"),
            HeaderError::UnknownKind(c) => write!(f, "`{c}` is not a Socket.IO packet type"),
            HeaderError::NoAttachmentCount => {
                f.write_str("a binary packet without its attachment count")
            }
            HeaderError::BadAttachmentCount(n) => {
                write!(f, "attachment count `{n}` is not a number")
            }
            HeaderError::AckIdTooLarge(d) => write!(f, "ack id `{d}` is too large"),
        }
    }
}

impl std::error::Error for HeaderError {}

/// Reads the header of `packet` (the text after Engine.IO's `4`).
pub fn parse_header(packet: &str) -> Result<Header<'_>, HeaderError> {
    let first = *packet.as_bytes().first().ok_or(HeaderError::Empty)?;
    let kind = PacketKind::from_digit(first).ok_or_else(|| {
        HeaderError::UnknownKind(packet.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER))
    })?;
    let mut rest = &packet[1..];
    let mut attachments = 0;
    if kind.is_binary() {
        let (n, after) = rest.split_once('-').ok_or(HeaderError::NoAttachmentCount)?;
        attachments = n
            .parse()
            .map_err(|_| HeaderError::BadAttachmentCount(n.to_owned()))?;
        rest = after;
    }
    let mut namespace = "/";
    if rest.starts_with('/') {
        let end = rest.find(',').unwrap_or(rest.len());
        namespace = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
    }
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let id = match &rest[..digits] {
        "" => None,
        d => Some(
            d.parse::<u64>()
                .map_err(|_| HeaderError::AckIdTooLarge(d.to_owned()))?,
        ),
    };
    Ok(Header {
        kind,
        attachments,
        namespace,
        id,
        data: &rest[digits..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(p: &str) -> Header<'_> {
        parse_header(p).unwrap()
    }

    #[test]
    fn reads_every_part_of_the_header() {
        let h = header(r#"51-/admin,12["upload",{"_placeholder":true,"num":0}]"#);
        assert_eq!(h.kind, PacketKind::BinaryEvent);
        assert_eq!((h.attachments, h.namespace, h.id), (1, "/admin", Some(12)));
        assert_eq!(h.data, r#"["upload",{"_placeholder":true,"num":0}]"#);

        let h = header(r#"2["chat",1]"#);
        assert_eq!(
            (h.kind, h.namespace, h.id, h.data),
            (PacketKind::Event, "/", None, r#"["chat",1]"#)
        );
        let h = header("3/chat,7[]");
        assert_eq!(
            (h.kind, h.namespace, h.id, h.data),
            (PacketKind::Ack, "/chat", Some(7), "[]")
        );
        // A namespace with nothing after it, and a connect with its auth payload.
        assert_eq!(header("1/admin").namespace, "/admin");
        let h = header(r#"0/admin,{"token":"x"}"#);
        assert_eq!(
            (h.kind, h.namespace, h.data),
            (PacketKind::Connect, "/admin", r#"{"token":"x"}"#)
        );
        let h = header(r#"4{"message":"Unauthorized","data":{"retry":false}}"#);
        assert_eq!(h.kind, PacketKind::ConnectError);
        assert_eq!(
            h.data,
            r#"{"message":"Unauthorized","data":{"retry":false}}"#
        );
    }

    #[test]
    fn broken_headers_say_why() {
        assert_eq!(parse_header(""), Err(HeaderError::Empty));
        assert_eq!(parse_header("9[]"), Err(HeaderError::UnknownKind('9')));
        assert_eq!(parse_header("é"), Err(HeaderError::UnknownKind('é')));
        assert_eq!(
            parse_header(r#"5["x"]"#),
            Err(HeaderError::NoAttachmentCount)
        );
        assert_eq!(
            parse_header("5x-[]"),
            Err(HeaderError::BadAttachmentCount("x".into()))
        );
        assert_eq!(
            parse_header("299999999999999999999[]"),
            Err(HeaderError::AckIdTooLarge("99999999999999999999".into()))
        );
    }

    /// Writes a header the way socket.io-parser does.
    fn encode(
        kind: PacketKind,
        attachments: usize,
        ns: &str,
        id: Option<u64>,
        data: &str,
    ) -> String {
        let mut out = String::from(kind.digit());
        if kind.is_binary() {
            out.push_str(&format!("{attachments}-"));
        }
        if ns != "/" {
            out.push_str(ns);
            out.push(',');
        }
        if let Some(id) = id {
            out.push_str(&id.to_string());
        }
        out.push_str(data);
        out
    }

    proptest! {
        #[test]
        fn any_text_gets_a_header_or_a_reason(text in ".{0,40}") {
            let _ = parse_header(&text);
        }

        #[test]
        fn what_socket_io_parser_writes_reads_back(
            digit in 0u8..7,
            attachments in 0usize..5,
            ns in prop_oneof![Just("/".to_string()), "/[a-z]{1,8}"],
            id in proptest::option::of(0u64..u64::MAX),
            data in prop_oneof![Just(String::new()), r#"\[("[a-z]{0,5}",?){0,3}\]"#],
        ) {
            let kind = PacketKind::from_digit(b'0' + digit).unwrap();
            // JSON data never starts with a digit, so it cannot run into the id.
            let text = encode(kind, attachments, &ns, id, &data);
            let h = parse_header(&text).unwrap();
            prop_assert_eq!(h.kind, kind);
            prop_assert_eq!(h.attachments, if kind.is_binary() { attachments } else { 0 });
            prop_assert_eq!(h.namespace, ns.as_str());
            prop_assert_eq!(h.id, id);
            prop_assert_eq!(h.data, data.as_str());
        }
    }
}
