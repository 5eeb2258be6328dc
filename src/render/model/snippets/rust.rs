//! Rust code: a socketioxide server on each web framework it serves (written after
//! socketioxide's own examples: `SocketIo::builder()`, connect middleware with `.with`,
//! `build_layer` for axum and salvo, `build_svc` for hyper and viz), its Redis adapter, and the
//! rust_socketio client.

use super::{role_namespaces, subscriptions, AuthView};
use crate::catalog::{Catalog, Connection, Transport};
use crate::vocab::stack::ServerStack;

/// A Rust string literal.
fn rs(s: &str) -> String {
    format!("{s:?}")
}

/// `[TransportType::Websocket, …]`; WebTransport has no socketioxide transport.
fn transports(c: &Connection) -> String {
    let ts: Vec<&str> = c
        .transports
        .iter()
        .filter_map(|t| match t {
            Transport::Websocket => Some("TransportType::Websocket"),
            Transport::Polling => Some("TransportType::Polling"),
            Transport::Webtransport => None,
        })
        .collect();
    format!("[{}]", ts.join(", "))
}

/// `main.rs` of a socketioxide server on `stack`.
pub(super) fn server(cat: &Catalog, auth: &AuthView, stack: ServerStack) -> String {
    let c = &cat.connection;
    let svc = matches!(
        stack,
        ServerStack::SocketioxideHyper | ServerStack::SocketioxideViz
    );
    let mut s = String::from("use std::time::Duration;\n\n");
    s.push_str(imports(stack));
    let guarded = auth.scheme != "none";
    s.push_str(if guarded {
        "use serde::Deserialize;\nuse socketioxide::{\n    extract::{SocketRef, TryData},\n    handler::ConnectHandler,\n    SocketIo, TransportType,\n};\n\n"
    } else {
        "use socketioxide::{extract::SocketRef, SocketIo, TransportType};\n\n"
    });
    s.push_str(&middleware(auth));
    let roles = role_namespaces(cat);
    for (ns, role) in &roles {
        s.push_str(&role_check(ns, role));
    }
    s.push_str("async fn on_connect(socket: SocketRef) {\n    // Register this namespace's event handlers: socket.on(\"event\", handler);\n    let _ = socket;\n}\n\n");
    s.push_str("#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    s.push_str(&format!(
        "    let ({}, io) = SocketIo::builder()\n        .req_path({})\n        .transports({})\n        .ping_interval(Duration::from_millis({}))\n        .ping_timeout(Duration::from_millis({}))\n        .max_payload({})\n        .{}();\n\n",
        if svc { "svc" } else { "layer" },
        rs(&c.path),
        transports(c),
        c.ping_interval_ms,
        c.ping_timeout_ms,
        c.max_payload_bytes,
        if svc { "build_svc" } else { "build_layer" },
    ));
    for ns in super::namespaces(cat) {
        let handler = match roles.iter().find(|(n, _)| *n == ns) {
            Some((n, _)) if guarded => {
                format!("on_connect.with({}).with(authenticate)", role_fn(n))
            }
            Some((n, _)) => format!("on_connect.with({})", role_fn(n)),
            None if guarded => "on_connect.with(authenticate)".into(),
            None => "on_connect".into(),
        };
        s.push_str(&format!("    io.ns({}, {handler});\n", rs(&ns)));
    }
    s.push('\n');
    s.push_str(serve(stack));
    s.push('}');
    s
}

/// The web framework's imports.
fn imports(stack: ServerStack) -> &'static str {
    match stack {
        ServerStack::SocketioxideSalvo => "use salvo::prelude::*;\n",
        ServerStack::SocketioxideHyper => {
            "use hyper::server::conn::http1;\nuse hyper_util::rt::TokioIo;\n"
        }
        _ => "",
    }
}

/// Binding the port and serving the layer or service.
fn serve(stack: ServerStack) -> &'static str {
    match stack {
        ServerStack::SocketioxideHyper => "    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:3000\").await?;\n    loop {\n        let (stream, _) = listener.accept().await?;\n        let svc = svc.clone();\n        tokio::spawn(async move {\n            let conn = http1::Builder::new()\n                .serve_connection(TokioIo::new(stream), svc)\n                .with_upgrades(); // WebSocket upgrades\n            if let Err(e) = conn.await {\n                eprintln!(\"connection error: {e}\");\n            }\n        });\n    }\n",
        ServerStack::SocketioxideSalvo => "    let router = Router::with_path(\"/socket.io\").hoop(layer.compat());\n    let acceptor = TcpListener::new(\"0.0.0.0:3000\").bind().await;\n    Server::new(acceptor).serve(router).await;\n    Ok(())\n",
        ServerStack::SocketioxideViz => "    let app = viz::Router::new().any(\"/*\", viz::handler::ServiceHandler::new(svc));\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:3000\").await?;\n    viz::serve(listener, app).await?;\n    Ok(())\n",
        _ => "    let app = axum::Router::new().layer(layer);\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:3000\").await?;\n    axum::serve(listener, app).await?;\n    Ok(())\n",
    }
}

/// The handshake's `auth` payload and the connect middleware of the auth scheme.
fn middleware(auth: &AuthView) -> String {
    let field = auth
        .handshake_field
        .clone()
        .unwrap_or_else(|| "token".into());
    let rust_field = snake(&field);
    let rename = if rust_field == field {
        String::new()
    } else {
        format!("    #[serde(rename = {})]\n", rs(&field))
    };
    let payload = format!(
        "/// The handshake's `auth` payload.\n#[derive(Deserialize)]\nstruct Auth {{\n{rename}    {rust_field}: Option<String>,\n}}\n\n/// Who the socket is, for the event handlers (`socket.extensions.get::<User>()`).\n#[derive(Clone)]\nstruct User {{\n    id: String,\n    role: Option<String>,\n}}\n\n"
    );
    let doc = "/// Runs before the socket connects: an `Err` refuses it, and the client receives\n/// `connect_error` with this message.\n";
    match auth.scheme.as_str() {
        "session" => format!(
            "{payload}{doc}async fn authenticate(socket: SocketRef, TryData(auth): TryData<Auth>) -> Result<(), &'static str> {{\n    let id = auth\n        .ok()\n        .and_then(|a| a.{rust_field})\n        .or_else(|| session_cookie(socket.req_parts(), {}))\n        .ok_or(\"AuthenticationError\")?;\n    let user: User = session_store::get(&id).await.ok_or(\"AuthenticationError\")?;\n    socket.extensions.insert(user);\n    Ok(())\n}}\n\n",
            rs(auth.cookie.as_deref().unwrap_or("connect.sid"))
        ),
        "token" => format!(
            "{payload}{doc}async fn authenticate(socket: SocketRef, TryData(auth): TryData<Auth>) -> Result<(), &'static str> {{\n    let token = auth.ok().and_then(|a| a.{rust_field}).ok_or(\"AuthenticationError\")?;\n    let user: User = verify_jwt(&token).map_err(|_| \"AuthenticationError\")?;\n    socket.extensions.insert(user);\n    Ok(())\n}}\n\n"
        ),
        _ => String::new(),
    }
}

/// The connect middleware of a namespace that needs a role (socketioxide runs the last `.with`
/// first, so it sees the user `authenticate` stored).
fn role_check(ns: &str, role: &str) -> String {
    format!(
        "/// Only `{role}` sockets may connect to `{ns}`.\nasync fn {}(socket: SocketRef) -> Result<(), &'static str> {{\n    match socket.extensions.get::<User>() {{\n        Some(user) if user.role.as_deref() == Some({}) => Ok(()),\n        _ => Err(\"AuthenticationError\"),\n    }}\n}}\n\n",
        role_fn(ns),
        rs(role)
    )
}

/// `/admin` → `require_admin_role`.
fn role_fn(ns: &str) -> String {
    format!("only_{}", snake(ns.trim_start_matches('/')))
}

/// A Rust identifier for a JSON field or a namespace (`sessionId` → `session_id`).
fn snake(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => out,
        Some(_) => format!("n_{out}"),
        None => "ns".into(),
    }
}

/// socketioxide-redis on the builder (Redis 7+, RESP3).
pub(super) fn redis_adapter() -> String {
    "use socketioxide::{adapter::Adapter, extract::SocketRef, SocketIo};\nuse socketioxide_redis::drivers::redis::redis_client as redis;\nuse socketioxide_redis::{RedisAdapter, RedisAdapterCtr};\n\nlet url = std::env::var(\"REDIS_URL\").unwrap_or_else(|_| \"redis://127.0.0.1:6379\".into());\nlet client = redis::Client::open(format!(\"{url}?protocol=resp3\"))?;\nlet adapter = RedisAdapterCtr::new_with_redis(&client).await?;\nlet (layer, io) = SocketIo::builder()\n    .with_adapter::<RedisAdapter<_>>(adapter)\n    .build_layer();\n\n// Handlers are generic over the adapter; registering a namespace now subscribes to Redis.\nasync fn on_connect<A: Adapter>(socket: SocketRef<A>) { /* socket.on(…) */ }\nio.ns(\"/\", on_connect).await?;".into()
}

/// The rust_socketio client from `connection:` and `auth:`.
pub(super) fn client(url: &str, c: &Connection, auth: &AuthView) -> String {
    let mut s = String::from("use rust_socketio::{ClientBuilder, Payload, RawClient, TransportType};\nuse serde_json::json;\n\n");
    let address = if c.path == "/socket.io" {
        url.to_string()
    } else {
        format!("{}{}", url.trim_end_matches('/'), c.path)
    };
    s.push_str(&format!(
        "let socket = ClientBuilder::new({})\n",
        rs(&address)
    ));
    s.push_str("    .namespace(\"/\")\n");
    match (auth.scheme.as_str(), &auth.handshake_field) {
        ("session", Some(f)) => {
            s.push_str(&format!("    .auth(json!({{ {}: session_id }}))\n", rs(f)))
        }
        ("token", Some(f)) => s.push_str(&format!("    .auth(json!({{ {}: token }}))\n", rs(f))),
        _ => {}
    }
    let transport = match (
        c.transports.contains(&Transport::Websocket),
        c.transports.contains(&Transport::Polling),
    ) {
        (true, true) => "TransportType::Any",
        (true, false) => "TransportType::Websocket",
        _ => "TransportType::Polling",
    };
    s.push_str(&format!("    .transport_type({transport})\n"));
    s.push_str("    .reconnect(true)\n");
    s.push_str(&format!(
        "    .reconnect_delay({}, {})\n",
        c.client.reconnection_delay_ms, c.client.reconnection_delay_max_ms
    ));
    if let Some(n) = c.client.reconnection_attempts {
        s.push_str(&format!(
            "    .max_reconnect_attempts({})\n",
            n.min(u8::MAX as u64)
        ));
    }
    s.push_str(
        "    .on(\"connect\", |_payload: Payload, socket: RawClient| subscribe_all(&socket))\n",
    );
    s.push_str("    .connect()?;");
    s
}

/// Re-subscription on every connect, rust_socketio style.
pub(super) fn reconnect(cat: &Catalog) -> String {
    let mut s = String::from("// Rooms do not survive a new connection: subscribe on every connect.\n// (rust_socketio calls the \"connect\" handler on the first connection and after each reconnection.)\nfn subscribe_all(socket: &RawClient) {\n");
    let subs = subscriptions(cat);
    for (event, fields) in &subs {
        let payload = fields
            .iter()
            .map(|f| format!("{}: current_user_id", rs(f)))
            .collect::<Vec<_>>()
            .join(", ");
        s.push_str(&format!(
            "    socket.emit({}, json!({{ {payload} }})).ok();\n",
            rs(event)
        ));
    }
    if subs.is_empty() {
        s.push_str("    // (the catalog declares no subscription events)\n    let _ = socket;\n");
    }
    s.push('}');
    s
}

/// A server emit into a room.
pub(super) fn emit(event: &str) -> String {
    format!("// to one room (see the event's Room in the catalog)\nio.to(room).emit({}, &payload).await?;", rs(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_rust_identifiers() {
        assert_eq!(snake("sessionId"), "session_id");
        assert_eq!(snake("admin-tools"), "admin_tools");
        assert_eq!(snake("2fa"), "n_2fa");
        assert_eq!(snake(""), "ns");
        assert_eq!(role_fn("/admin"), "only_admin");
    }
}
