//! The vocabulary of socket-ness: which modules are Socket.IO (or clearly something else), and
//! which binding names suggest a socket when nothing stronger is known.

use super::model::Kind;

/// What a module specifier says about the values imported from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// `socket.io`: the server.
    SioServer,
    /// `socket.io-client`.
    SioClient,
    /// `@socket.io/redis-emitter`, `socket.io-emitter`: broadcast from outside a server.
    SioEmitter,
    /// Other server-side Socket.IO packages (adapters, admin UI, NestJS websockets).
    SioServerAux,
    /// Client-side integrations: vue-socket.io*, ngx-socket-io.
    SioClientAux,
    /// Anything else naming socket.io (`socket.io-react-hook`…): Socket.IO, side unknown.
    SioOther,
    /// Another realtime transport (`net`, `ws`, MQTT, SockJS, Phoenix, y-websocket…).
    OtherTransport,
    /// A package whose emitters are not Socket.IO (`events`, streams, Redis, Electron…).
    NotSocket,
    /// A path inside the project (`./socket`, `@/services/socket`).
    Local,
    /// Any other package.
    Unknown,
}

impl Family {
    /// True for every Socket.IO package family.
    pub(crate) fn is_socket_io(self) -> bool {
        matches!(
            self,
            Family::SioServer
                | Family::SioClient
                | Family::SioEmitter
                | Family::SioServerAux
                | Family::SioClientAux
                | Family::SioOther
        )
    }
}

const OTHER_TRANSPORTS: &[&str] = &[
    "net",
    "tls",
    "dgram",
    "ws",
    "websocket",
    "isomorphic-ws",
    "reconnecting-websocket",
    "partysocket",
    "sockjs",
    "sockjs-client",
    "phoenix",
    "mqtt",
    "async-mqtt",
    "y-websocket",
    "y-webrtc",
    "y-partykit",
    "pusher",
    "pusher-js",
    "ably",
    "@microsoft/signalr",
    "faye-websocket",
    "faye",
    "@stomp/stompjs",
    "stompjs",
    "websocket-stream",
    "uws",
    "uWebSockets.js",
    "engine.io",
    "engine.io-client",
    "primus",
    "socketcluster-client",
    "socketcluster-server",
    "zeromq",
];

const NOT_SOCKET: &[&str] = &[
    "events",
    "stream",
    "http",
    "https",
    "http2",
    "child_process",
    "cluster",
    "worker_threads",
    "readline",
    "fs",
    "process",
    "ioredis",
    "redis",
    "pg",
    "mysql",
    "mysql2",
    "mongoose",
    "mongodb",
    "amqplib",
    "kafkajs",
    "nats",
    "eventemitter2",
    "eventemitter3",
    "mitt",
    "tiny-emitter",
    "emittery",
    "nanoevents",
    "simple-peer",
    "peerjs",
    "electron",
    "codemirror",
    "monaco-editor",
    "jquery",
    "chokidar",
    "serialport",
    "node-pty",
    "ssh2",
    "firebase",
    "@supabase/supabase-js",
    "@hocuspocus/provider",
    "@hocuspocus/server",
    "bull",
    "bullmq",
    "@pm2/io",
    "pm2",
];

/// Classifies a module specifier (`require`/`import` source).
pub(crate) fn family(spec: &str) -> Family {
    let spec = spec.trim();
    let bare = spec.strip_prefix("node:").unwrap_or(spec);
    let lower = bare.to_ascii_lowercase();
    if lower == "socket.io" || lower.starts_with("socket.io/") {
        return Family::SioServer;
    }
    if lower == "socket.io-client" || lower.starts_with("socket.io-client/") {
        return Family::SioClient;
    }
    if lower == "socket.io-emitter"
        || lower.ends_with("-emitter") && lower.starts_with("@socket.io/")
    {
        return Family::SioEmitter;
    }
    if lower.starts_with("@socket.io/")
        || lower == "@nestjs/websockets"
        || lower == "@nestjs/platform-socket.io"
        || lower.starts_with("socket.io-redis")
        || lower.starts_with("socket.io-adapter")
    {
        return Family::SioServerAux;
    }
    if lower.starts_with("vue-socket.io")
        || lower.starts_with("vue-3-socket.io")
        || lower == "ngx-socket-io"
        || lower.starts_with("ngx-socket-io/")
    {
        return Family::SioClientAux;
    }
    if lower.contains("socket.io") || lower.contains("socketio") {
        return Family::SioOther;
    }
    if bare.starts_with('.')
        || bare.starts_with('/')
        || bare.starts_with("@/")
        || bare.starts_with("~/")
        || bare.starts_with("~~/")
        || bare.starts_with('#')
        || bare.starts_with("src/")
        || bare.starts_with("$lib")
        || bare.starts_with("app/")
    {
        return Family::Local;
    }
    let root = package_root(bare);
    if OTHER_TRANSPORTS.contains(&root) {
        return Family::OtherTransport;
    }
    if NOT_SOCKET.contains(&root)
        || root.starts_with("@codemirror/")
        || root.starts_with("@serialport/")
    {
        return Family::NotSocket;
    }
    Family::Unknown
}

/// `pkg` of `pkg/sub/path`, `@scope/pkg` of `@scope/pkg/sub`.
fn package_root(spec: &str) -> &str {
    let mut parts = spec.splitn(3, '/');
    let first = parts.next().unwrap_or("");
    if first.starts_with('@') {
        match parts.next() {
            Some(second) => &spec[..first.len() + 1 + second.len()],
            None => first,
        }
    } else {
        first
    }
}

/// True when a local module path names a socket module (`./socket`, `@/plugins/socket.io`).
pub(crate) fn local_module_is_socket(spec: &str) -> bool {
    let last = spec.rsplit('/').next().unwrap_or(spec).to_ascii_lowercase();
    !last.contains("websocket")
        && (last.contains("socket") || last == "io" || last.starts_with("io."))
}

/// What a binding's name alone suggests: the last resort when the file shows nothing stronger.
pub(crate) fn name_kind(name: &str) -> Kind {
    // `socket2`, `io_`: numbered or decorated copies name the same thing.
    let trimmed = name
        .trim_start_matches(['$', '_'])
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    let mut lower = trimmed.to_ascii_lowercase();
    // React refs (`socketRef.current`) and Vue refs (`socketRef.value`) name the socket they hold.
    if trimmed.ends_with("Ref") && lower.len() > 3 {
        lower.truncate(lower.len() - 3);
    }
    if lower.is_empty()
        || lower == "ws"
        || lower == "wss"
        || lower.contains("websocket")
        || lower.ends_with("sockets")
        || [
            "raw", "tcp", "udp", "net", "tls", "unix", "zmq", "serial", "ipc", "web", "native",
        ]
        .iter()
        .any(|p| lower.starts_with(p) && lower.contains("socket"))
    {
        return Kind::Unknown;
    }
    let server = lower == "io"
        || lower == "sio"
        || lower == "ioserver"
        || lower == "ioinstance"
        || lower == "socketserver"
        || lower == "socketioserver"
        || lower == "socketio"
        || lower == "nsp"
        || lower.ends_with("nsp")
        || lower.ends_with("namespace");
    if server {
        return Kind::Server { ns: None };
    }
    if lower == "sock" || lower.starts_with("socket") || lower.ends_with("socket") {
        return Kind::Socket {
            side: None,
            ns: None,
        };
    }
    Kind::Unknown
}

/// True for a function whose name says it hands out a socket or server (`getSocket`, `useIO`).
pub(crate) fn getter_kind(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    if lower.contains("websocket") || lower.contains("sockets") {
        return Kind::Unknown;
    }
    if [
        "getio",
        "useio",
        "getioinstance",
        "getsocketserver",
        "getioserver",
    ]
    .contains(&lower.as_str())
    {
        return Kind::Server { ns: None };
    }
    if lower.contains("socket")
        && (lower.starts_with("get") || lower.starts_with("use") || lower == "socket")
    {
        return Kind::Socket {
            side: None,
            ns: None,
        };
    }
    Kind::Unknown
}

/// Constructors that never make a Socket.IO object, when the file does not say otherwise.
pub(crate) fn is_non_socket_constructor(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("websocket")
        || lower.contains("emitter")
        || lower.contains("eventbus")
        || lower.contains("eventtarget")
        || [
            "worker",
            "broadcastchannel",
            "messagechannel",
            "eventsource",
            "peer",
            "simplepeer",
            "rtcpeerconnection",
            "redis",
            "ioredis",
            "sockjs",
            "pusher",
            "hocuspocusprovider",
            "readable",
            "writable",
            "duplex",
            "transform",
            "passthrough",
        ]
        .contains(&lower.as_str())
}

/// Objects whose `.socket` is a Node/HTTP socket, not Socket.IO (`req.socket`, `res.socket`).
pub(crate) fn is_http_object_name(name: &str) -> bool {
    matches!(
        name,
        "req"
            | "request"
            | "res"
            | "response"
            | "stream"
            | "conn"
            | "connection"
            | "ws"
            | "upgradeReq"
            | "incoming"
            | "message"
            | "msg"
            | "tlsSocket"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_modules() {
        assert_eq!(family("socket.io"), Family::SioServer);
        assert_eq!(family("socket.io-client"), Family::SioClient);
        assert_eq!(family("@socket.io/redis-emitter"), Family::SioEmitter);
        assert_eq!(family("@socket.io/redis-adapter"), Family::SioServerAux);
        assert_eq!(family("@nestjs/websockets"), Family::SioServerAux);
        assert_eq!(family("vue-socket.io-extended"), Family::SioClientAux);
        assert_eq!(family("node:net"), Family::OtherTransport);
        assert_eq!(family("ws"), Family::OtherTransport);
        assert_eq!(family("@hocuspocus/provider"), Family::NotSocket);
        assert_eq!(family("./socket"), Family::Local);
        assert_eq!(family("react"), Family::Unknown);
    }

    #[test]
    fn names_suggest_sockets() {
        assert!(name_kind("socket").is_site_receiver());
        assert!(name_kind("chatSocket").is_site_receiver());
        assert!(name_kind("socketRef").is_site_receiver());
        assert!(name_kind("$socket").is_site_receiver());
        assert!(name_kind("io").is_site_receiver());
        assert!(name_kind("adminNamespace").is_site_receiver());
        assert!(!name_kind("webSocket").is_site_receiver());
        assert!(!name_kind("ws").is_site_receiver());
        assert!(!name_kind("emitter").is_site_receiver());
        assert!(!name_kind("sockets").is_site_receiver());
        assert!(!name_kind("tcpSocket").is_site_receiver());
        assert!(!name_kind("portfolio").is_site_receiver());
        assert!(getter_kind("getSocket").is_site_receiver());
        assert!(!getter_kind("getWebSocket").is_site_receiver());
    }
}
