//! Server code for Node's socket.io: the same `Server` options and middleware on each HTTP
//! framework (Express, Koa, Fastify, `node:http`), and the Redis adapter.

use super::{ident, js, transports, AuthView};
use crate::catalog::Catalog;
use crate::vocab::stack::ServerStack;

/// The server setup for a Node stack.
pub(super) fn server(cat: &Catalog, auth: &AuthView, stack: ServerStack) -> String {
    let mut s = match stack {
        ServerStack::NodeFastify => fastify_head(cat),
        _ => http_head(stack, &options(cat, "  ")),
    };
    s.push_str(&middleware(cat, auth, stack == ServerStack::NodeExpress));
    s.push_str(match stack {
        ServerStack::NodeFastify => {
            "\nawait fastify.listen({ port: Number(process.env.PORT) || 3000 });"
        }
        _ => "\nhttpServer.listen(process.env.PORT || 3000);",
    });
    s
}

/// The `Server` options from `connection:`, one per line with `indent`.
pub(super) fn options(cat: &Catalog, indent: &str) -> String {
    let c = &cat.connection;
    [
        format!("path: {}", js(&c.path)),
        format!("transports: [{}]", transports(c)),
        format!("pingInterval: {}", c.ping_interval_ms),
        format!("pingTimeout: {}", c.ping_timeout_ms),
        format!("maxHttpBufferSize: {}", c.max_payload_bytes),
    ]
    .into_iter()
    .chain(cors(cat))
    .map(|o| format!("{indent}{o},\n"))
    .collect()
}

/// The catalog's allowed page origins as socket.io's `cors` option (none: same origin only, as
/// socket.io does without one). Cookies ride along only with listed origins: a browser refuses
/// credentials with `*`.
fn cors(cat: &Catalog) -> Option<String> {
    let origins = &cat.connection.cors.origins;
    if origins.is_empty() {
        return None;
    }
    if origins.iter().any(|o| o == "*") {
        return Some("cors: { origin: '*' }".into());
    }
    let list: Vec<String> = origins.iter().map(|o| js(o)).collect();
    let credentials = if cat.auth.scheme == crate::vocab::AuthScheme::Session {
        ", credentials: true"
    } else {
        ""
    };
    Some(format!(
        "cors: {{ origin: [{}]{credentials} }}",
        list.join(", ")
    ))
}

/// The imports, the HTTP server of `stack` and `const io = new Server(…)`.
fn http_head(stack: ServerStack, options: &str) -> String {
    let (imports, app) = match stack {
        ServerStack::NodeExpress => (
            "const express = require('express');\n",
            "const app = express();\nconst httpServer = createServer(app);\n",
        ),
        ServerStack::NodeKoa => (
            "const Koa = require('koa');\n",
            "const app = new Koa();\nconst httpServer = createServer(app.callback());\n",
        ),
        _ => ("", "const httpServer = createServer();\n"),
    };
    format!(
        "{imports}const {{ createServer }} = require('node:http');\nconst {{ Server }} = require('socket.io');\n\n{app}const io = new Server(httpServer, {{\n{options}}});\n"
    )
}

/// Fastify with the `fastify-socket.io` plugin, which exposes the server as `fastify.io`.
fn fastify_head(cat: &Catalog) -> String {
    format!(
        "const fastify = require('fastify')();\n\nawait fastify.register(require('fastify-socket.io'), {{\n{}}});\nawait fastify.ready();\nconst io = fastify.io;\n",
        options(cat, "  ")
    )
}

/// The handshake middleware of the auth scheme, and the role check of each namespace that has
/// one. `express` shares the express-session middleware with Engine.IO.
fn middleware(cat: &Catalog, auth: &AuthView, express: bool) -> String {
    let mut s = String::new();
    match auth.scheme.as_str() {
        "session" => {
            let f = auth.handshake_field.clone().unwrap_or_default();
            let from_cookie = if express {
                s.push_str("\n// Share the express-session middleware so a browser handshake carries the cookie.\nio.engine.use(sessionMiddleware);\n\n");
                "socket.request.session?.id".to_string()
            } else {
                s.push('\n');
                format!(
                    "sessionIdFromCookie(socket.request.headers.cookie, {})",
                    js(auth.cookie.as_deref().unwrap_or("connect.sid"))
                )
            };
            s.push_str(&format!(
                "io.use(async (socket, next) => {{\n  const id = socket.handshake.auth?.{} ?? {from_cookie};\n  const session = id && (await sessionStore.get(id));\n  if (!session?.userId) return next(new Error('AuthenticationError'));\n  socket.data.userId = session.userId;\n  socket.data.role = session.role;\n  next();\n}});\n",
                ident(&f)
            ));
        }
        "token" => s.push_str("\nio.use((socket, next) => {\n  try {\n    socket.data.user = verifyJwt(socket.handshake.auth.token);\n    next();\n  } catch {\n    next(new Error('AuthenticationError'));\n  }\n});\n"),
        _ => {}
    }
    for (ns, role) in super::role_namespaces(cat) {
        s.push_str(&format!(
            "\nio.of({}).use((socket, next) =>\n  socket.data.role === {} ? next() : next(new Error('AuthenticationError')));\n",
            js(ns),
            js(role)
        ));
    }
    s
}

/// `@socket.io/redis-adapter` on the `io` above.
pub(super) fn redis_adapter() -> String {
    "const { createClient } = require('redis');\nconst { createAdapter } = require('@socket.io/redis-adapter');\n\nconst pubClient = createClient({ url: process.env.REDIS_URL || 'redis://localhost:6379' });\nconst subClient = pubClient.duplicate();\nawait Promise.all([pubClient.connect(), subClient.connect()]);\nio.adapter(createAdapter(pubClient, subClient));".into()
}
