//! Server code for NestJS: a gateway carrying the `Server` options, the handshake middleware in
//! `afterInit`, a gateway per namespace with a role rule, and the Redis adapter as Nest's docs
//! write it (an `IoAdapter` subclass).

use super::{ident, js, node, AuthView};
use crate::catalog::Catalog;

/// `main.ts`, the gateway of `/` and one per role-guarded namespace.
pub(super) fn server(cat: &Catalog, auth: &AuthView) -> String {
    let mut s = String::from(
        "// main.ts\nimport { NestFactory } from '@nestjs/core';\nimport { IoAdapter } from '@nestjs/platform-socket.io';\nimport { AppModule } from './app.module';\n\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.useWebSocketAdapter(new IoAdapter(app));\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n\n",
    );
    s.push_str("// events.gateway.ts\nimport { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';\nimport { Namespace, Server, Socket } from 'socket.io';\n\n");
    let check = authenticate(auth);
    if let Some(f) = &check {
        s.push_str(f);
        s.push('\n');
    }
    s.push_str(&format!(
        "@WebSocketGateway({{\n{}}})\nexport class EventsGateway implements OnGatewayInit {{\n  @WebSocketServer() server: Server;\n\n",
        node::options(cat, "  ")
    ));
    if check.is_some() {
        s.push_str("  // Runs once, before any client connects: every handshake goes through it.\n  afterInit(server: Server) {\n    server.use(authenticate);\n  }\n");
    } else {
        s.push_str("  afterInit(server: Server) {}\n");
    }
    s.push_str("}\n");
    // The token middleware keeps the verified user whole; the session one copies its role.
    let role_of = if auth.scheme == "token" {
        "socket.data.user?.role"
    } else {
        "socket.data.role"
    };
    // Gateways share one socket.io server per path: a custom path goes on every gateway.
    let path = if cat.connection.path == "/socket.io" {
        String::new()
    } else {
        format!("path: {}, ", js(&cat.connection.path))
    };
    for (ns, role) in super::role_namespaces(cat) {
        let class = format!("{}Gateway", pascal(ns));
        let auth_line = if check.is_some() {
            "    nsp.use(authenticate);\n"
        } else {
            ""
        };
        s.push_str(&format!(
            "\n@WebSocketGateway({{ {path}namespace: {} }})\nexport class {class} implements OnGatewayInit {{\n  afterInit(nsp: Namespace) {{\n{auth_line}    nsp.use((socket, next) =>\n      {role_of} === {} ? next() : next(new Error('AuthenticationError')));\n  }}\n}}\n",
            js(ns),
            js(role)
        ));
    }
    s.trim_end().to_string()
}

/// The handshake middleware of the auth scheme, as a function the gateways share.
fn authenticate(auth: &AuthView) -> Option<String> {
    match auth.scheme.as_str() {
        "session" => {
            let f = auth.handshake_field.clone().unwrap_or_default();
            Some(format!(
                "async function authenticate(socket: Socket, next: (err?: Error) => void) {{\n  const id = socket.handshake.auth?.{} ?? sessionIdFromCookie(socket.request.headers.cookie, {});\n  const session = id && (await sessionStore.get(id));\n  if (!session?.userId) return next(new Error('AuthenticationError'));\n  socket.data.userId = session.userId;\n  socket.data.role = session.role;\n  next();\n}}\n",
                ident(&f),
                js(auth.cookie.as_deref().unwrap_or("connect.sid"))
            ))
        }
        "token" => Some("function authenticate(socket: Socket, next: (err?: Error) => void) {\n  try {\n    socket.data.user = verifyJwt(socket.handshake.auth.token);\n    next();\n  } catch {\n    next(new Error('AuthenticationError'));\n  }\n}\n".into()),
        _ => None,
    }
}

/// `/admin-tools` → `AdminTools` (a class name: never empty, never starting with a digit).
fn pascal(ns: &str) -> String {
    let name: String = ns
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => name,
        Some(_) => format!("Ns{name}"),
        None => "Namespace".into(),
    }
}

/// The Redis adapter the way Nest's documentation sets it up.
pub(super) fn redis_adapter() -> String {
    "// redis-io.adapter.ts\nimport { IoAdapter } from '@nestjs/platform-socket.io';\nimport { createAdapter } from '@socket.io/redis-adapter';\nimport { createClient } from 'redis';\nimport { ServerOptions } from 'socket.io';\n\nexport class RedisIoAdapter extends IoAdapter {\n  private adapterConstructor: ReturnType<typeof createAdapter>;\n\n  async connectToRedis(): Promise<void> {\n    const pubClient = createClient({ url: process.env.REDIS_URL || 'redis://localhost:6379' });\n    const subClient = pubClient.duplicate();\n    await Promise.all([pubClient.connect(), subClient.connect()]);\n    this.adapterConstructor = createAdapter(pubClient, subClient);\n  }\n\n  createIOServer(port: number, options?: ServerOptions) {\n    const server = super.createIOServer(port, options);\n    server.adapter(this.adapterConstructor);\n    return server;\n  }\n}\n\n// main.ts, before app.listen:\nconst redisIoAdapter = new RedisIoAdapter(app);\nawait redisIoAdapter.connectToRedis();\napp.useWebSocketAdapter(redisIoAdapter);".into()
}
