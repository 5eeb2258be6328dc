//! Which stack the pages describe: the catalog's `stack:` where it says so (written beats
//! inferred), else what the scan's manifests show, else Node with Express and a browser client
//! (what the pages described before they knew, kept for catalogs without code).

use crate::catalog::Catalog;
use crate::scan::ScanResult;
use crate::vocab::stack::{ClientStack, Language, ServerStack};
use serde::Serialize;

/// The stack, with what the templates need to word and fence their code.
#[derive(Clone, Debug, Serialize)]
pub struct StackView {
    /// The server stack (`node-express`, `socketioxide-axum`…).
    pub server: ServerStack,
    /// The main client (`browser`, `react`, `rust`…).
    pub client: ClientStack,
    /// "socketioxide on axum".
    pub server_label: &'static str,
    /// "socket.io-client in React".
    pub client_label: &'static str,
    /// What the server is attached to ("axum router (SocketIoLayer)").
    pub http_layer: &'static str,
    /// Fence language of server code.
    pub server_lang: Language,
    /// Fence language of client code.
    pub client_lang: Language,
    /// The server is socketioxide (Rust).
    pub rust_server: bool,
    /// The server is NestJS.
    pub nest: bool,
    /// The client is rust_socketio.
    pub rust_client: bool,
    /// Where each part came from: `catalog`, `scan` or `default`.
    pub server_from: &'static str,
    /// Where the client part came from.
    pub client_from: &'static str,
}

/// The stack for this catalog and scan.
pub(super) fn stack(cat: &Catalog, scan: Option<&ScanResult>) -> StackView {
    let scanned = scan.map(|s| s.stack).unwrap_or_default();
    let (server, server_from) = pick(cat.stack.server, scanned.server, ServerStack::NodeExpress);
    let (client, client_from) = pick(cat.stack.client, scanned.client, ClientStack::Browser);
    StackView {
        server,
        client,
        server_label: server.label(),
        client_label: client.label(),
        http_layer: server.http_layer(),
        server_lang: server.language(),
        client_lang: client.language(),
        rust_server: server.is_rust(),
        nest: server == ServerStack::Nestjs,
        rust_client: client == ClientStack::Rust,
        server_from,
        client_from,
    }
}

fn pick<T>(written: Option<T>, scanned: Option<T>, default: T) -> (T, &'static str) {
    match (written, scanned) {
        (Some(w), _) => (w, "catalog"),
        (None, Some(s)) => (s, "scan"),
        (None, None) => (default, "default"),
    }
}
