//! A lexical fallback for files the JS/TS parser cannot read.
//!
//! It finds `receiver.emit('event'` / `.on(` / `.once(` calls and `@SubscribeMessage('event')`
//! decorators on socket-looking receivers with a regular expression over the text (comments
//! blanked), so a file with one syntax error still contributes its sites. It knows nothing of
//! bindings: only receiver names decide, which is why the extraction reports a parse error.

use std::sync::LazyLock;

use regex::Regex;

use crate::scan::js::lines::LineIndex;
use crate::scan::js::names::{getter_kind, name_kind};
use crate::scan::{Lang, Role, Side, Site};

/// A receiver chain, the method, and the event argument (a literal or a dotted name).
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    let seg = r"[A-Za-z_$][\w$]*(?:\s*\((?:[^()]|\([^()]*\))*\))?";
    Regex::new(&format!(
        r#"(?P<recv>{seg}(?:\s*\??\.\s*{seg})*)\s*\??\.\s*(?P<method>emitWithAck|emit|once|on)\s*\(\s*(?P<arg>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`]*`|[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)"#
    ))
    .expect("valid regex")
});

static SUBSCRIBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"@SubscribeMessage\(\s*(?P<arg>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"#)
        .expect("valid regex")
});

const OPERATORS: &[&str] = &[
    "to",
    "in",
    "except",
    "of",
    "timeout",
    "compress",
    "binary",
    "broadcast",
    "volatile",
    "local",
    "sockets",
    "nsp",
];

/// Sites found lexically in `text`, attributed to `rel`.
pub fn sites(rel: &str, text: &str) -> Vec<Site> {
    let clean = blank_comments(text);
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    for caps in CALL.captures_iter(&clean) {
        let (Some(recv), Some(method), Some(arg)) =
            (caps.name("recv"), caps.name("method"), caps.name("arg"))
        else {
            continue;
        };
        let segments = split_segments(recv.as_str());
        let Some(site) = receiver_site(&segments, method.as_str()) else {
            continue;
        };
        let (event, expr) = event_of(arg.as_str());
        let (line, column) = lines.position(arg.start());
        let role = if method.as_str().starts_with("emit") {
            Role::Emit
        } else {
            Role::Listen
        };
        let call = format!("{}.{}", site.call, method.as_str());
        out.push(Site {
            side: site.side,
            room: site.room,
            namespace: site.namespace,
            expr,
            ..Site::new(Lang::Js, rel, (line, column), role, event, call)
        });
    }
    for caps in SUBSCRIBE.captures_iter(&clean) {
        let Some(arg) = caps.name("arg") else {
            continue;
        };
        let (event, expr) = event_of(arg.as_str());
        let (line, column) = lines.position(arg.start());
        let role = Role::Listen;
        out.push(Site {
            side: Some(Side::Server),
            expr,
            ..Site::new(
                Lang::Js,
                rel,
                (line, column),
                role,
                event,
                "@SubscribeMessage",
            )
        });
    }
    out.sort_by_key(|s| (s.line, s.column));
    out
}

/// The side a file's text names by its imports: `socket.io-client` or `socket.io`.
pub fn side(text: &str) -> Option<Side> {
    let client = text.contains("socket.io-client") || text.contains("/socket.io/socket.io.js");
    let server = text.contains("'socket.io'")
        || text.contains("\"socket.io\"")
        || text.contains("@nestjs/websockets");
    match (server, client) {
        (true, false) => Some(Side::Server),
        (false, true) => Some(Side::Client),
        _ => None,
    }
}

struct ReceiverSite {
    call: String,
    side: Option<Side>,
    room: Option<String>,
    namespace: Option<String>,
}

/// `io.to(room)` → `[("io", None), ("to", Some("room"))]`.
fn split_segments(recv: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut name = String::new();
    let mut args: Option<String> = None;
    for ch in recv.chars() {
        match ch {
            '(' => {
                if depth == 0 {
                    args = Some(String::new());
                } else if let Some(a) = args.as_mut() {
                    a.push(ch);
                }
                depth += 1;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                if depth > 0 {
                    if let Some(a) = args.as_mut() {
                        a.push(ch);
                    }
                }
            }
            _ if depth > 0 => {
                if let Some(a) = args.as_mut() {
                    a.push(ch);
                }
            }
            '.' => {
                out.push((std::mem::take(&mut name), args.take()));
            }
            '?' => {}
            c if c.is_whitespace() => {}
            c => name.push(c),
        }
    }
    out.push((name, args));
    out
}

fn receiver_site(segments: &[(String, Option<String>)], method: &str) -> Option<ReceiverSite> {
    let first_op = segments
        .iter()
        .skip(1)
        .position(|(n, _)| OPERATORS.contains(&n.as_str()))
        .map(|p| p + 1);
    let base = &segments[..first_op.unwrap_or(segments.len())];
    let ops = &segments[base.len()..];
    let (last, last_args) = base.last()?;
    if base.len() == 1 && last == "this" {
        return None;
    }
    if base.len() >= 2
        && matches!(
            last.as_str(),
            "io" | "engine" | "conn" | "request" | "adapter" | "httpServer"
        )
        && name_kind(&base[base.len() - 2].0).is_site_receiver()
    {
        return None;
    }
    let named = match last_args {
        Some(_) => getter_kind(last),
        None if last == "current" || last == "value" => {
            name_kind(&base.get(base.len().checked_sub(2)?)?.0)
        }
        None => name_kind(last),
    };
    if !named.is_site_receiver() || (method.is_empty()) {
        return None;
    }
    let mut call = base
        .iter()
        .map(|(n, a)| {
            if a.is_some() {
                format!("{n}()")
            } else {
                n.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    let mut rooms = Vec::new();
    let mut namespace = None;
    for (n, a) in ops {
        call.push('.');
        call.push_str(n);
        if let Some(a) = a {
            call.push_str("()");
            match n.as_str() {
                "to" | "in" => rooms.push(a.trim().to_string()),
                "of" => {
                    namespace = literal(a.trim()).map(|ns| {
                        if ns.starts_with('/') {
                            ns
                        } else {
                            format!("/{ns}")
                        }
                    })
                }
                _ => {}
            }
        }
    }
    let server_op = ops
        .iter()
        .any(|(n, _)| !matches!(n.as_str(), "timeout" | "compress" | "binary" | "volatile"));
    Some(ReceiverSite {
        call,
        side: server_op.then_some(Side::Server),
        room: if rooms.is_empty() {
            None
        } else {
            Some(rooms.join(", "))
        },
        namespace,
    })
}

/// The event of an argument: a literal's value, or `None` and the expression text.
fn event_of(arg: &str) -> (Option<String>, Option<String>) {
    match literal(arg) {
        Some(v) => (Some(v), None),
        None => (None, Some(arg.to_string())),
    }
}

fn literal(arg: &str) -> Option<String> {
    let first = arg.chars().next()?;
    if !matches!(first, '\'' | '"' | '`') || arg.len() < 2 || !arg.ends_with(first) {
        return None;
    }
    let inner = &arg[1..arg.len() - 1];
    if first == '`' && inner.contains("${") {
        return None;
    }
    Some(inner.replace("\\'", "'").replace("\\\"", "\""))
}

/// `text` with `//` and `/* */` comments replaced by spaces (line breaks kept, same length).
fn blank_comments(text: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Code,
        Str(u8),
        Line,
        Block,
    }
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut st = St::Code;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match st {
            St::Code => match c {
                b'\'' | b'"' | b'`' => st = St::Str(c),
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    st = St::Line;
                    out[i] = b' ';
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    st = St::Block;
                    out[i] = b' ';
                }
                _ => {}
            },
            St::Str(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q || (c == b'\n' && q != b'`') {
                    st = St::Code;
                }
            }
            St::Line => {
                if c == b'\n' {
                    st = St::Code;
                } else {
                    out[i] = b' ';
                }
            }
            St::Block => {
                if c == b'*' && b.get(i + 1) == Some(&b'/') {
                    out[i] = b' ';
                    out[i + 1] = b' ';
                    i += 2;
                    st = St::Code;
                    continue;
                }
                if c != b'\n' && c != b'\r' {
                    out[i] = b' ';
                }
            }
        }
        i += 1;
    }
    // Whole multi-byte characters inside comments became spaces; everything else is unchanged.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_socket_calls_and_skips_others() {
        let text = "socket.emit('a', 1)\n// socket.emit('commented')\nemitter.emit('no')\nio.to(room).emit(EVENTS.X)\nthis.$emit('no')\n";
        let sites = sites("f.js", text);
        let got: Vec<_> = sites
            .iter()
            .map(|s| (s.event.clone(), s.call.clone(), s.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("a".into()), "socket.emit".into(), 1),
                (None, "io.to().emit".into(), 4)
            ]
        );
        assert_eq!(sites[1].room.as_deref(), Some("room"));
        assert_eq!(sites[1].expr.as_deref(), Some("EVENTS.X"));
    }

    #[test]
    fn manager_listeners_are_not_sites() {
        assert!(sites("f.js", "socket.io.on('reconnect', f)").is_empty());
        assert!(sites("f.js", "io.engine.on('connection_error', f)").is_empty());
    }

    #[test]
    fn blanking_keeps_offsets() {
        let t = "a /* é */ b // c\nd '//' e";
        let b = blank_comments(t);
        assert_eq!(b.len(), t.len());
        assert!(b.contains("'//'"));
        assert!(!b.contains('c'));
    }
}
