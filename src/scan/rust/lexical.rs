//! The fallback for files `syn` cannot parse: a regular-expression pass over `.emit("…")`,
//! `.on("…")` and `.on_disconnect(` on receivers that look like sockets (conventional names, or
//! names the file declares with a socket type).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::scan::{Lang, Role, Side, Site};

/// `base(.to(…)|.broadcast()|…)*.emit("event"` and `.on_disconnect(`; calls in the chain take no
/// nested parentheses, which keeps the pattern linear and misses only exotic chains.
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\b([A-Za-z_][A-Za-z0-9_]*)((?:\s*\.\s*(?:to|within|broadcast|of|timeout|except|local|clone|unwrap|expect)\s*\([^()]*\))*)\s*\.\s*(?:(emit_with_ack|emit|on|once)\s*\(\s*(r#*)?"((?:[^"\\]|\\.)*)"|(on_disconnect)\s*\()"#,
    )
    .expect("valid regex")
});

/// A name declared with a socket type: `name: SocketRef`, `name: &SocketIo`…
static TYPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b([A-Za-z_][A-Za-z0-9_]*)\s*:\s*&?\s*(?:[A-Za-z_][A-Za-z0-9_]*::)*(?:SocketRef|SocketIo|Operators|BroadcastOperators|RawClient)\b",
    )
    .expect("valid regex")
});

/// One step of a matched chain: `.to(room)`.
static STEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.\s*([a-z_]+)\s*\(([^()]*)\)").expect("valid regex"));

/// The side the file's text shows: the crate it names.
pub fn file_side(source: &str) -> Option<Side> {
    match (
        source.contains("socketioxide"),
        source.contains("rust_socketio"),
    ) {
        (true, false) => Some(Side::Server),
        (false, true) => Some(Side::Client),
        _ => None,
    }
}

/// Sites found by text alone.
pub fn sites(rel: &str, source: &str) -> Vec<Site> {
    let side = file_side(source);
    let mut names: HashSet<&str> = TYPED
        .captures_iter(source)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    match side {
        Some(Side::Server) => names.extend(["socket", "s", "io", "sock"]),
        Some(Side::Client) => names.extend(["socket", "client", "s", "sock"]),
        None => {}
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut sites = Vec::new();
    for caps in CALL.captures_iter(source) {
        let (Some(base), Some(whole)) = (caps.get(1), caps.get(0)) else {
            continue;
        };
        if !names.contains(base.as_str()) || in_line_comment(source, whole.start()) {
            continue;
        }
        let steps = caps.get(2).map_or("", |m| m.as_str());
        let mut call = base.as_str().to_string();
        let mut room = None;
        let mut namespace = None;
        for step in STEP.captures_iter(steps) {
            let method = &step[1];
            let arg = step[2].trim();
            match method {
                "to" | "within" => {
                    room.get_or_insert_with(|| arg.to_string());
                }
                "of" => namespace = unquote(arg).filter(|ns| ns != "/"),
                _ => {}
            }
            if !matches!(method, "clone" | "unwrap" | "expect") {
                call.push_str(&format!(".{method}()"));
            }
        }
        let (role, event, at) = match (caps.get(3), caps.get(5), caps.get(6)) {
            (Some(method), Some(event), _) => {
                call.push_str(&format!(".{}", method.as_str()));
                let role = match method.as_str() {
                    "on" | "once" => Role::Listen,
                    _ => Role::Emit,
                };
                // The literal starts at its raw prefix or its opening quote.
                let quote = caps.get(4).map_or(event.start() - 1, |r| r.start());
                (role, unescape(event.as_str()), quote)
            }
            (_, _, Some(method)) => {
                call.push_str(".on_disconnect");
                (Role::Listen, "disconnect".to_string(), method.start())
            }
            _ => continue,
        };
        let line = line_starts.partition_point(|&start| start <= at);
        let line_start = line_starts[line.saturating_sub(1)];
        let column = source.get(line_start..at).map_or(0, |s| s.chars().count()) + 1;
        let ack = call.ends_with(".emit_with_ack");
        let position = (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        );
        sites.push(Site {
            side,
            room,
            namespace,
            ack,
            ..Site::new(Lang::Rust, rel, position, role, Some(event), call)
        });
    }
    sites
}

/// True when `at` follows a `//` on its line (a commented-out call).
fn in_line_comment(source: &str, at: usize) -> bool {
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..at].contains("//")
}

fn unquote(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    Some(unescape(inner))
}

/// The common escapes of a Rust string literal.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_socket_calls_in_broken_files() {
        let source = "use socketioxide::extract::SocketRef;\nfn f(sock2: SocketRef) {\n    sock2.to(\"r\").emit(\"a:b\", 1);\n    // socket.emit(\"commented\", 1);\n    tx.send(\"no\"); socket.on(\"hi\", h);\n    fn broken( {\n}\n";
        let sites = sites("x.rs", source);
        let got: Vec<_> = sites
            .iter()
            .map(|s| {
                (
                    s.event.clone().unwrap(),
                    s.line,
                    s.column,
                    s.call.clone(),
                    s.room.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "a:b".to_string(),
                    3,
                    24,
                    "sock2.to().emit".to_string(),
                    Some("\"r\"".to_string())
                ),
                ("hi".to_string(), 5, 30, "socket.on".to_string(), None),
            ]
        );
    }
}
