//! The code snippets of the connection, quick-start and scaling pages, generated from
//! `connection:`, `auth:` and the subscription events for the stack the pages describe (kept
//! apart from the diagrams: they are code, not pictures). One module per server family:
//! [`node`] (Express, Koa, Fastify, `node:http`), [`nest`] (gateways) and [`rust`]
//! (socketioxide on axum, hyper, salvo, viz; the rust_socketio client); the socket.io-client
//! snippets are here, shared by every JavaScript client.

mod nest;
mod node;
mod rust;

use super::stack::StackView;
use super::AuthView;
use crate::catalog::{Catalog, Connection, Transport};
use crate::vocab::stack::ServerStack;
use serde::Serialize;

/// Code snippets for this catalog and stack.
#[derive(Clone, Debug, Serialize)]
pub struct Snippets {
    /// The client configuration.
    pub client: String,
    /// The Socket.IO server setup.
    pub server: String,
    /// Re-subscription on reconnect.
    pub reconnect: String,
    /// An emit into a room from the server (quick start).
    pub emit: String,
    /// Listening and emitting on the client (quick start).
    pub listen: String,
    /// The Redis adapter (scaling).
    pub redis_adapter: String,
    /// How to turn on the server's debug logs.
    pub server_logs: String,
}

/// The snippets for this catalog, written for `stack`.
pub(super) fn snippets(
    cat: &Catalog,
    server_url: &str,
    auth: &AuthView,
    stack: &StackView,
    examples: (Option<&str>, Option<&str>),
) -> Snippets {
    let (c2s, s2c) = examples;
    let server = match stack.server {
        ServerStack::Nestjs => nest::server(cat, auth),
        s if s.is_rust() => rust::server(cat, auth, s),
        s => node::server(cat, auth, s),
    };
    let redis_adapter = match stack.server {
        ServerStack::Nestjs => nest::redis_adapter(),
        s if s.is_rust() => rust::redis_adapter(),
        _ => node::redis_adapter(),
    };
    let event = s2c.unwrap_or("domain:action");
    let emit = match stack.server {
        ServerStack::Nestjs => format!(
            "// in a gateway (`@WebSocketServer() server: Server`), to one room
this.server.to(room).emit({}, payload);",
            js(event)
        ),
        s if s.is_rust() => rust::emit(event),
        _ => format!(
            "// to one room (see the event's Room in the catalog)
io.to(room).emit({}, payload);",
            js(event)
        ),
    };
    let server_logs = if stack.rust_server {
        "RUST_LOG=socketioxide=debug,engineioxide=debug cargo run"
    } else if stack.nest {
        "DEBUG=socket.io:* npm run start"
    } else {
        "DEBUG=socket.io:* node server.js"
    };
    let (client, reconnect, listen) = if stack.rust_client {
        (
            rust::client(server_url, &cat.connection, auth),
            rust::reconnect(cat),
            rust_listen(s2c, c2s),
        )
    } else {
        (
            client_snippet(server_url, &cat.connection, auth),
            reconnect_snippet(cat),
            js_listen(s2c, c2s),
        )
    };
    Snippets {
        client,
        server,
        reconnect,
        emit,
        listen,
        redis_adapter,
        server_logs: server_logs.into(),
    }
}

/// Namespaces whose `auth:` is a role, with that role (the root namespace takes the scheme's).
fn role_namespaces(cat: &Catalog) -> Vec<(&str, &str)> {
    cat.namespaces
        .iter()
        .filter(|(ns, _)| ns.as_str() != "/")
        .filter_map(|(ns, n)| match &n.auth {
            Some(crate::vocab::AuthRule::Role(role)) => Some((ns.as_str(), role.as_str())),
            _ => None,
        })
        .collect()
}

/// Every namespace the catalog uses: `/`, the declared ones, then those events name.
fn namespaces(cat: &Catalog) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    let named = cat.namespaces.keys().cloned();
    let used = cat.events.values().filter_map(|e| e.namespace.clone());
    for ns in named.chain(used) {
        if !out.contains(&ns) {
            out.push(ns);
        }
    }
    out
}

/// The subscription events (those that join a room) with the room template's fields.
fn subscriptions(cat: &Catalog) -> Vec<(&str, Vec<String>)> {
    cat.events
        .iter()
        .filter_map(|(name, ev)| {
            let room = ev.joins.as_ref()?;
            let fields = crate::catalog::room::RoomTemplate::parse(room)
                .placeholders()
                .filter(|f| !f.is_empty())
                .map(ident)
                .collect();
            Some((name.as_str(), fields))
        })
        .collect()
}

/// A JavaScript identifier made of `s`'s word characters.
fn ident(s: &str) -> String {
    s.replace(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'), "_")
}

/// Listening and emitting with socket.io-client.
fn js_listen(s2c: Option<&str>, c2s: Option<&str>) -> String {
    let mut lines = vec![];
    if let Some(e) = s2c {
        lines.push(format!(
            "socket.on({}, (payload) => render(payload));",
            js(e)
        ));
    }
    if let Some(e) = c2s {
        lines.push(format!(
            "socket.emit({}, payload, (ack) => console.log(ack));",
            js(e)
        ));
    }
    lines.join("\n")
}

/// Listening and emitting with rust_socketio (handlers are registered on the builder).
fn rust_listen(s2c: Option<&str>, c2s: Option<&str>) -> String {
    let mut lines = vec![];
    if let Some(e) = s2c {
        lines.push(format!(
            "// on the ClientBuilder, before .connect()\n.on({e:?}, |payload: Payload, _socket: RawClient| render(payload))"
        ));
    }
    if let Some(e) = c2s {
        lines.push(format!(
            "socket.emit_with_ack({e:?}, payload, Duration::from_secs(5), |ack: Payload, _: RawClient| println!(\"{{ack:?}}\"))?;"
        ));
    }
    lines.join("\n")
}

fn js(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace('\'', "\\'")
}

fn transports(c: &Connection) -> String {
    c.transports
        .iter()
        .map(|t| match t {
            Transport::Websocket => "'websocket'",
            Transport::Polling => "'polling'",
            Transport::Webtransport => "'webtransport'",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn client_snippet(url: &str, c: &Connection, auth: &AuthView) -> String {
    let mut s = format!(
        "import {{ io }} from 'socket.io-client';\n\nconst socket = io({}, {{\n",
        js(url)
    );
    if c.path != "/socket.io" {
        s.push_str(&format!("  path: {},\n", js(&c.path)));
    }
    match (auth.scheme.as_str(), &auth.handshake_field) {
        ("session", Some(f)) => s.push_str(&format!("  auth: {{ {}: getSessionId() }},\n", js(f))),
        ("token", Some(f)) => s.push_str(&format!("  auth: {{ {}: getToken() }},\n", js(f))),
        _ => {}
    }
    if auth.cookie.is_some() {
        s.push_str("  withCredentials: true, // send the session cookie cross-origin\n");
    }
    s.push_str(&format!("  transports: [{}],\n", transports(c)));
    s.push_str("  reconnection: true,\n");
    s.push_str(&format!(
        "  reconnectionDelay: {},\n",
        c.client.reconnection_delay_ms
    ));
    s.push_str(&format!(
        "  reconnectionDelayMax: {},\n",
        c.client.reconnection_delay_max_ms
    ));
    match c.client.reconnection_attempts {
        Some(n) => s.push_str(&format!("  reconnectionAttempts: {n},\n")),
        None => s.push_str("  reconnectionAttempts: Infinity,\n"),
    }
    s.push_str("});");
    s
}

fn reconnect_snippet(cat: &Catalog) -> String {
    let mut s = String::from("// Rooms do not survive a new connection: subscribe on every connect.\n// (`connect` fires on the first connection and after each automatic reconnection.)\nfunction subscribeAll() {\n");
    let subs = subscriptions(cat);
    for (name, fields) in &subs {
        let payload = if fields.is_empty() {
            "{}".to_string()
        } else {
            format!(
                "{{ {} }}",
                fields
                    .iter()
                    .map(|f| format!("{f}: currentUser.id"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        s.push_str(&format!("  socket.emit({}, {payload});\n", js(name)));
    }
    if subs.is_empty() {
        s.push_str("  // (the catalog declares no subscription events)\n");
    }
    s.push_str("}\nsocket.on('connect', subscribeAll);\n\n// The Manager reports each attempt and the final success.\nsocket.io.on('reconnect_attempt', (attempt) => console.log('reconnecting, attempt', attempt));\nsocket.io.on('reconnect', (attempts) => console.log('reconnected after', attempts, 'attempts'));");
    s
}
