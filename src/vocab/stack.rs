//! The stack a Socket.IO API runs on: the server (Node with its HTTP framework, NestJS gateways,
//! or socketioxide on a Rust web framework) and its main client. The scan infers it from the
//! manifests next to the code (`package.json`, `Cargo.toml`); the catalog may state it
//! (`stack:`); render writes setup code, diagrams and tips for it instead of assuming Node and
//! Express.

use serde::{Deserialize, Serialize};

/// The server side of the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerStack {
    /// socket.io attached to an Express app's HTTP server.
    NodeExpress,
    /// socket.io attached to a Koa app's HTTP server.
    NodeKoa,
    /// socket.io on Fastify (`fastify-socket.io`).
    NodeFastify,
    /// socket.io on Node's own `http` server.
    NodeHttp,
    /// NestJS `@WebSocketGateway` classes (`@nestjs/platform-socket.io`).
    Nestjs,
    /// socketioxide as a layer of an axum router.
    SocketioxideAxum,
    /// socketioxide as a hyper service.
    SocketioxideHyper,
    /// socketioxide as a salvo handler.
    SocketioxideSalvo,
    /// socketioxide as a viz handler.
    SocketioxideViz,
}

/// The language a stack's code is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// JavaScript.
    Javascript,
    /// TypeScript.
    Typescript,
    /// Rust.
    Rust,
}

impl ServerStack {
    /// Every value, in the order the docs list them.
    pub const ALL: [ServerStack; 9] = [
        ServerStack::NodeExpress,
        ServerStack::NodeKoa,
        ServerStack::NodeFastify,
        ServerStack::NodeHttp,
        ServerStack::Nestjs,
        ServerStack::SocketioxideAxum,
        ServerStack::SocketioxideHyper,
        ServerStack::SocketioxideSalvo,
        ServerStack::SocketioxideViz,
    ];

    /// The catalog spelling (`node-express`).
    pub fn as_str(self) -> &'static str {
        match self {
            ServerStack::NodeExpress => "node-express",
            ServerStack::NodeKoa => "node-koa",
            ServerStack::NodeFastify => "node-fastify",
            ServerStack::NodeHttp => "node-http",
            ServerStack::Nestjs => "nestjs",
            ServerStack::SocketioxideAxum => "socketioxide-axum",
            ServerStack::SocketioxideHyper => "socketioxide-hyper",
            ServerStack::SocketioxideSalvo => "socketioxide-salvo",
            ServerStack::SocketioxideViz => "socketioxide-viz",
        }
    }

    /// What the docs call it: "Node.js socket.io on Express".
    pub fn label(self) -> &'static str {
        match self {
            ServerStack::NodeExpress => "Node.js socket.io on Express",
            ServerStack::NodeKoa => "Node.js socket.io on Koa",
            ServerStack::NodeFastify => "Node.js socket.io on Fastify",
            ServerStack::NodeHttp => "Node.js socket.io on node:http",
            ServerStack::Nestjs => "NestJS gateways (socket.io)",
            ServerStack::SocketioxideAxum => "socketioxide on axum",
            ServerStack::SocketioxideHyper => "socketioxide on hyper",
            ServerStack::SocketioxideSalvo => "socketioxide on salvo",
            ServerStack::SocketioxideViz => "socketioxide on viz",
        }
    }

    /// The HTTP layer the Socket.IO server is attached to, as the diagrams name it.
    pub fn http_layer(self) -> &'static str {
        match self {
            ServerStack::NodeExpress => "HTTP server (Express)",
            ServerStack::NodeKoa => "HTTP server (Koa)",
            ServerStack::NodeFastify => "HTTP server (Fastify)",
            ServerStack::NodeHttp => "HTTP server (node:http)",
            ServerStack::Nestjs => "NestJS application (IoAdapter)",
            ServerStack::SocketioxideAxum => "axum router (SocketIoLayer)",
            ServerStack::SocketioxideHyper => "hyper server (SocketIoService)",
            ServerStack::SocketioxideSalvo => "salvo router (SocketIo handler)",
            ServerStack::SocketioxideViz => "viz router (SocketIo handler)",
        }
    }

    /// Whether the server is socketioxide (Rust) rather than Node's socket.io.
    pub fn is_rust(self) -> bool {
        self.language() == Language::Rust
    }

    /// The language of its setup code.
    pub fn language(self) -> Language {
        match self {
            ServerStack::Nestjs => Language::Typescript,
            ServerStack::SocketioxideAxum
            | ServerStack::SocketioxideHyper
            | ServerStack::SocketioxideSalvo
            | ServerStack::SocketioxideViz => Language::Rust,
            _ => Language::Javascript,
        }
    }
}

/// The main client of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientStack {
    /// socket.io-client in a browser page, no framework.
    Browser,
    /// socket.io-client in a React app.
    React,
    /// socket.io-client in a Vue app.
    Vue,
    /// socket.io-client in an Angular app.
    Angular,
    /// socket.io-client in a Svelte app.
    Svelte,
    /// socket.io-client in a Node process.
    Node,
    /// rust_socketio.
    Rust,
}

impl ClientStack {
    /// Every value, in the order the docs list them.
    pub const ALL: [ClientStack; 7] = [
        ClientStack::Browser,
        ClientStack::React,
        ClientStack::Vue,
        ClientStack::Angular,
        ClientStack::Svelte,
        ClientStack::Node,
        ClientStack::Rust,
    ];

    /// The catalog spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStack::Browser => "browser",
            ClientStack::React => "react",
            ClientStack::Vue => "vue",
            ClientStack::Angular => "angular",
            ClientStack::Svelte => "svelte",
            ClientStack::Node => "node",
            ClientStack::Rust => "rust",
        }
    }

    /// What the docs call it.
    pub fn label(self) -> &'static str {
        match self {
            ClientStack::Browser => "socket.io-client in the browser",
            ClientStack::React => "socket.io-client in React",
            ClientStack::Vue => "socket.io-client in Vue",
            ClientStack::Angular => "socket.io-client in Angular",
            ClientStack::Svelte => "socket.io-client in Svelte",
            ClientStack::Node => "socket.io-client in Node.js",
            ClientStack::Rust => "rust_socketio",
        }
    }

    /// Who the diagrams show connecting.
    pub fn clients_box(self) -> &'static str {
        match self {
            ClientStack::Node => "Node.js clients",
            ClientStack::Rust => "Rust clients (rust_socketio)",
            _ => "Browser clients",
        }
    }

    /// The language of its snippets.
    pub fn language(self) -> Language {
        match self {
            ClientStack::Rust => Language::Rust,
            ClientStack::Angular => Language::Typescript,
            _ => Language::Javascript,
        }
    }
}

/// Server and client, each known or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stack {
    /// The server's stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerStack>,
    /// The main client's stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientStack>,
}

impl Stack {
    /// `self`, with what it does not say taken from `other`.
    pub fn or(self, other: Stack) -> Stack {
        Stack {
            server: self.server.or(other.server),
            client: self.client.or(other.client),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_spelling_is_the_serde_one() {
        for s in ServerStack::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for c in ClientStack::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }
}
