//! The JavaScript snippets of the connection and quick-start pages, generated from
//! `connection:`, `auth:` and the subscription events (kept apart from the diagrams: they are
//! code, not pictures).

use super::AuthView;
use crate::catalog::{Catalog, Connection, Transport};
use serde::Serialize;

/// JavaScript snippets generated from `connection:`, `auth:` and the subscriptions.
#[derive(Clone, Debug, Serialize)]
pub struct Snippets {
    /// The socket.io-client configuration.
    pub client: String,
    /// The Socket.IO server setup.
    pub server: String,
    /// Re-subscription on reconnect.
    pub reconnect: String,
}

/// The three snippets for this catalog.
pub(super) fn snippets(cat: &Catalog, server_url: &str, auth: &AuthView) -> Snippets {
    Snippets {
        client: client_snippet(server_url, &cat.connection, auth),
        server: server_snippet(cat, auth),
        reconnect: reconnect_snippet(cat),
    }
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

fn server_snippet(cat: &Catalog, auth: &AuthView) -> String {
    let c = &cat.connection;
    let mut s = String::from(
        "const express = require('express');\nconst { createServer } = require('node:http');\nconst { Server } = require('socket.io');\n\nconst app = express();\nconst httpServer = createServer(app);\nconst io = new Server(httpServer, {\n",
    );
    s.push_str(&format!("  path: {},\n", js(&c.path)));
    s.push_str(&format!("  transports: [{}],\n", transports(c)));
    s.push_str(&format!("  pingInterval: {},\n", c.ping_interval_ms));
    s.push_str(&format!("  pingTimeout: {},\n", c.ping_timeout_ms));
    s.push_str(&format!("  maxHttpBufferSize: {},\n", c.max_payload_bytes));
    s.push_str("});\n");
    match auth.scheme.as_str() {
        "session" => {
            let f = auth.handshake_field.clone().unwrap_or_default();
            s.push_str("\n// Share the express-session middleware so a browser handshake carries the cookie.\nio.engine.use(sessionMiddleware);\n\n");
            s.push_str(&format!(
                "io.use(async (socket, next) => {{\n  const id = socket.handshake.auth?.{} ?? socket.request.session?.id;\n  const session = id && (await sessionStore.get(id));\n  if (!session?.userId) return next(new Error('AuthenticationError'));\n  socket.data.userId = session.userId;\n  socket.data.role = session.role;\n  next();\n}});\n",
                f.replace(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'), "_")
            ));
        }
        "token" => s.push_str("\nio.use((socket, next) => {\n  try {\n    socket.data.user = verifyJwt(socket.handshake.auth.token);\n    next();\n  } catch {\n    next(new Error('AuthenticationError'));\n  }\n});\n"),
        _ => {}
    }
    for (ns, n) in &cat.namespaces {
        if ns != "/" {
            if let Some(crate::vocab::AuthRule::Role(role)) = &n.auth {
                s.push_str(&format!(
                    "\nio.of({}).use((socket, next) =>\n  socket.data.role === {} ? next() : next(new Error('AuthenticationError')));\n",
                    js(ns),
                    js(role)
                ));
            }
        }
    }
    s.push_str("\nhttpServer.listen(process.env.PORT || 3000);");
    s
}

fn reconnect_snippet(cat: &Catalog) -> String {
    let mut s = String::from("// Rooms do not survive a new connection: subscribe on every connect.\n// (`connect` fires on the first connection and after each automatic reconnection.)\nfunction subscribeAll() {\n");
    let mut any = false;
    for (name, ev) in &cat.events {
        if let Some(room) = &ev.joins {
            any = true;
            let fields: Vec<String> = crate::catalog::room::RoomTemplate::parse(room)
                .placeholders()
                .filter(|f| !f.is_empty())
                .map(|f| f.replace(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'), "_"))
                .collect();
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
    }
    if !any {
        s.push_str("  // (the catalog declares no subscription events)\n");
    }
    s.push_str("}\nsocket.on('connect', subscribeAll);\n\n// The Manager reports each attempt and the final success.\nsocket.io.on('reconnect_attempt', (attempt) => console.log('reconnecting, attempt', attempt));\nsocket.io.on('reconnect', (attempts) => console.log('reconnected after', attempts, 'attempts'));");
    s
}
