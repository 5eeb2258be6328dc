//! Diagrams: Mermaid source generated from the catalog (kept in the Markdown, which GitHub
//! draws), and inline SVG for the HTML site, drawn in Rust by mermaid-rs-renderer (feature
//! `diagrams`) so the site needs no CDN and no JavaScript.

use super::model::NamespaceView;
use crate::catalog::{Catalog, FlowStep};
use crate::scan::Direction;
use crate::vocab::stack::{ClientStack, ServerStack};

/// A label safe inside a quoted Mermaid label or message: no quotes, brackets, HTML or line
/// breaks survive, so catalog text can neither break the diagram nor inject markup.
pub fn label(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c {
            '"' | '`' => '\'',
            '<' => '‹',
            '>' => '›',
            '#' => '♯',
            ';' => ',',
            '[' => '(',
            ']' => ')',
            '|' => '¦',
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if out.chars().count() > 80 {
        out = out.chars().take(79).collect::<String>() + "…";
    }
    if out.trim().is_empty() {
        out = "(unnamed)".into();
    }
    out
}

/// A flow: components as boxes, events on the arrows between them.
pub fn flow(steps: &[FlowStep]) -> String {
    let mut s = String::from("flowchart TD\n");
    let mut prev: Option<usize> = None;
    let mut pending: Vec<String> = vec![];
    let mut n = 0;
    for step in steps {
        match step {
            FlowStep::Component(c) => {
                s.push_str(&format!("  n{n}[\"{}\"]\n", label(c)));
                if let Some(p) = prev {
                    if pending.is_empty() {
                        s.push_str(&format!("  n{p} --> n{n}\n"));
                    } else {
                        s.push_str(&format!(
                            "  n{p} -->|\"{}\"| n{n}\n",
                            label(&pending.join(", "))
                        ));
                    }
                }
                pending.clear();
                prev = Some(n);
                n += 1;
            }
            FlowStep::Emit { emit } => pending.push(format!("emits {emit}")),
        }
    }
    s
}

/// Server initialisation: HTTP layer of `stack` → Engine.IO → Socket.IO → middleware →
/// handlers.
pub fn server_init(cat: &Catalog, stack: ServerStack) -> String {
    let c = &cat.connection;
    let mut s = String::from("flowchart TD\n");
    s.push_str(&format!("  http[\"{}\"]\n", label(stack.http_layer())));
    s.push_str(&format!(
        "  eio[\"Engine.IO at {} (transports: {})\"]\n",
        label(&c.path),
        c.transports
            .iter()
            .map(|t| format!("{t:?}").to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.push_str(&format!("  sio[\"{}\"]\n", server_box(stack)));
    let auth = match cat.auth.scheme {
        crate::catalog::AuthScheme::Session => "Auth middleware (session)",
        crate::catalog::AuthScheme::Token => "Auth middleware (token)",
        crate::catalog::AuthScheme::None => "No auth middleware",
    };
    s.push_str(&format!(
        "  auth[\"{auth}\"]\n  log[\"Logging / metrics middleware\"]\n"
    ));
    s.push_str("  http --> eio --> sio --> auth --> log\n");
    let mut nss: Vec<String> = cat.namespaces.keys().cloned().collect();
    for e in cat.events.values() {
        let ns = e.namespace.clone().unwrap_or_else(|| "/".into());
        if !nss.contains(&ns) {
            nss.push(ns);
        }
    }
    for (i, ns) in nss.iter().take(8).enumerate() {
        let handlers = cat
            .events
            .values()
            .filter(|e| {
                e.namespace.as_deref().unwrap_or("/") == ns && e.direction != Direction::S2c
            })
            .count();
        let rule = cat.namespace_auth(ns).to_string();
        s.push_str(&format!(
            "  ns{i}[\"Namespace {} (auth: {})\"]\n",
            label(ns),
            label(&rule)
        ));
        s.push_str(&format!("  h{i}[\"{handlers} event handlers\"]\n"));
        s.push_str(&format!("  log --> ns{i} --> h{i}\n"));
    }
    s
}

/// What the diagrams call the Socket.IO server of `stack`.
fn server_box(stack: ServerStack) -> &'static str {
    if stack.is_rust() {
        "Socket.IO server (socketioxide)"
    } else {
        "Socket.IO server"
    }
}

/// Several instances behind a load balancer sharing rooms through the Redis adapter of
/// `stack`.
pub fn multi_server(stack: ServerStack, client: ClientStack) -> String {
    let adapter = if stack.is_rust() {
        "Redis pub/sub (socketioxide-redis adapter)"
    } else {
        "Redis pub/sub (adapter)"
    };
    let server = server_box(stack);
    format!(
        "flowchart TD\n  c1[\"{}\"]\n  lb[\"Load balancer (WebSocket upgrade, sticky sessions for polling)\"]\n  s1[\"{server} 1\"]\n  s2[\"{server} 2\"]\n  s3[\"{server} N\"]\n  r[(\"{adapter}\")]\n  c1 --> lb\n  lb --> s1\n  lb --> s2\n  lb --> s3\n  s1 <--> r\n  s2 <--> r\n  s3 <--> r\n",
        client.clients_box()
    )
}

/// Namespaces and the rooms inside them (at most 12 rooms each, then a "more" box: a bigger
/// picture is unreadable, and its layout cost grows fast).
pub fn namespaces(nss: &[NamespaceView]) -> String {
    const MAX_ROOMS: usize = 12;
    let mut s = String::from("flowchart LR\n  io[\"Socket.IO server\"]\n");
    let mut k = 0;
    for (i, ns) in nss.iter().take(8).enumerate() {
        s.push_str(&format!(
            "  ns{i}[\"Namespace {} (auth: {})\"]\n  io --> ns{i}\n",
            label(&ns.name),
            label(&ns.auth.to_string())
        ));
        for r in ns.rooms.iter().take(MAX_ROOMS) {
            s.push_str(&format!(
                "  r{k}([\"Room {}\"])\n  ns{i} --> r{k}\n",
                label(r)
            ));
            k += 1;
        }
        if ns.rooms.len() > MAX_ROOMS {
            s.push_str(&format!(
                "  more{i}[\"… {} more rooms\"]\n  ns{i} --> more{i}\n",
                ns.rooms.len() - MAX_ROOMS
            ));
        }
    }
    if nss.len() > 8 {
        s.push_str(&format!(
            "  nsmore[\"… {} more namespaces\"]\n  io --> nsmore\n",
            nss.len() - 8
        ));
    }
    s
}

/// A subscription: request, reply (or error), then the pushes to the joined room.
pub fn subscription(
    event: &str,
    room: &str,
    replies: &[&str],
    errors: &[String],
    pushes: &[&str],
) -> String {
    let mut s =
        String::from("sequenceDiagram\n  participant C as Client\n  participant S as Server\n");
    s.push_str(&format!("  C->>S: {}\n", label(event)));
    s.push_str(&format!("  Note over S: join {}\n", label(room)));
    for r in replies {
        s.push_str(&format!("  S-->>C: {}\n", label(r)));
    }
    if !errors.is_empty() {
        s.push_str(&format!(
            "  Note over C,S: refused: error ({})\n",
            label(&errors.join(", "))
        ));
    }
    for p in pushes.iter().take(10) {
        s.push_str(&format!("  S-->>C: {} (to room)\n", label(p)));
    }
    s
}

/// Draw a Mermaid diagram as an inline SVG; `id` prefixes the SVG's internal ids so several
/// diagrams on one page do not share markers. `None` when the diagram cannot be drawn (or the
/// `diagrams` feature is off): the caller shows the source instead.
#[cfg(feature = "diagrams")]
pub fn svg(source: &str, id: &str) -> Option<String> {
    let mut opts = mermaid_rs_renderer::RenderOptions::default();
    // Built-in text metrics instead of the system's fonts: faster (no font scan), and the same
    // SVG on every machine, so the site is reproducible.
    opts.layout.fast_text_metrics = true;
    let source = source.to_string();
    // A layout bug in the renderer must not take the whole render down: show the source instead.
    let svg =
        std::panic::catch_unwind(move || mermaid_rs_renderer::render_with_options(&source, opts))
            .ok()?
            .ok()?;
    let svg = match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => return None,
    };
    Some(prefix_ids(&svg, id))
}

/// Without the `diagrams` feature there is no SVG renderer.
#[cfg(not(feature = "diagrams"))]
pub fn svg(_source: &str, _id: &str) -> Option<String> {
    None
}

#[cfg_attr(not(feature = "diagrams"), allow(dead_code))]
/// Rename every `id="x"` to `id="{p}-x"` and its references (`url(#x)`, `href="#x"`), in one
/// pass (pages with hundreds of diagrams made repeated `replace` calls quadratic).
fn prefix_ids(svg: &str, p: &str) -> String {
    const MARKS: [&str; 4] = [" id=\"", "url(#", "href=\"#", "href='#"];
    let mut out = String::with_capacity(svg.len() + svg.len() / 16);
    let mut rest = svg;
    loop {
        let next = MARKS
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
            .min_by_key(|(i, _)| *i);
        match next {
            Some((i, len)) => {
                out.push_str(&rest[..i + len]);
                out.push_str(p);
                out.push('-');
                rest = &rest[i + len..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out() {
        let l = label("a\"]\n<script>alert(1)</script>;#x");
        assert!(!l.contains(['"', '<', '>', '\n', ';', '#', ']']));
        assert_eq!(label("user:{userId}"), "user:{userId}");
    }

    #[cfg(feature = "diagrams")]
    #[test]
    fn every_generated_kind_draws() {
        let flow = flow(&[
            FlowStep::Component("A <b>".into()),
            FlowStep::Emit { emit: "x:y".into() },
            FlowStep::Component("B".into()),
        ]);
        let seq = subscription(
            "subscribe:t",
            "user:{id}",
            &["t:ok"],
            &["E".to_string()],
            &["t:update"],
        );
        for src in [
            flow,
            seq,
            multi_server(ServerStack::NodeExpress, ClientStack::Browser),
            server_init(&Catalog::default(), ServerStack::NodeExpress),
        ] {
            let s = svg(&src, "d1").unwrap_or_else(|| panic!("cannot draw:\n{src}"));
            assert!(s.starts_with("<svg"), "{src}");
            assert!(!s.contains("<b>"));
        }
    }
}

#[cfg(test)]
mod id_tests {
    #[test]
    fn ids_and_their_references_are_prefixed() {
        let svg = r##"<svg><marker id="arrow"/><path marker-end="url(#arrow)"/><use href="#arrow"/></svg>"##;
        let out = super::prefix_ids(svg, "d1");
        assert_eq!(
            out,
            r##"<svg><marker id="d1-arrow"/><path marker-end="url(#d1-arrow)"/><use href="#d1-arrow"/></svg>"##
        );
    }
}
