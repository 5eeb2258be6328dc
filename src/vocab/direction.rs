//! Which way an event travels, and what a place in code does with it: the words every stage
//! shares (the catalog's `direction`, a site's `role` and `side`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether a site sends an event or handles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `emit`, `emitWithAck`, `send`…
    Emit,
    /// `on`, `once`, `off`, `@SubscribeMessage`…
    Listen,
}

/// Which way an event travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Client to server.
    C2s,
    /// Server to client.
    S2c,
    /// Both ways (a chat `message`); only the catalog uses this.
    Both,
}

impl Direction {
    /// `c2s`, `s2c` or `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::C2s => "c2s",
            Direction::S2c => "s2c",
            Direction::Both => "both",
        }
    }

    /// The direction a site implies: what a server emits or a client listens to travels s2c.
    pub fn of(role: Role, side: Side) -> Direction {
        match (role, side) {
            (Role::Emit, Side::Server) | (Role::Listen, Side::Client) => Direction::S2c,
            (Role::Emit, Side::Client) | (Role::Listen, Side::Server) => Direction::C2s,
        }
    }

    /// True when an event declared with `self` may travel `other`.
    pub fn allows(self, other: Direction) -> bool {
        self == Direction::Both || self == other
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which end of the connection a file runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// A Socket.IO server (Node `socket.io`, NestJS gateway, socketioxide).
    Server,
    /// A Socket.IO client (`socket.io-client`, browser dashboard).
    Client,
}

impl Side {
    /// `server` or `client`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }
}

/// Where a site's side comes from, strongest first: the evidence `evdoc scan --explain` shows
/// and the scan JSON records as `side_from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SideFrom {
    /// The socket value the site uses: created by a server or a client, and followed to the site.
    Flow,
    /// A TypeScript declaration of the value: socket.io's or socket.io-client's types.
    Type,
    /// The file's own Socket.IO imports and APIs.
    Import,
    /// A front-end framework's file (`.vue`, `.svelte`, `.jsx`/`.tsx`, markup).
    Framework,
    /// The dependencies of the nearest `package.json`.
    Package,
    /// The catalog's `scan.server` / `scan.client` globs.
    Catalog,
    /// A wrapper declared in the catalog with a `side`.
    Declared,
    /// The folder names on the file's path (`server/`, `client/`).
    Path,
}

impl SideFrom {
    /// The lowercase word of the scan JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SideFrom::Flow => "flow",
            SideFrom::Type => "type",
            SideFrom::Catalog => "catalog",
            SideFrom::Import => "import",
            SideFrom::Package => "package",
            SideFrom::Framework => "framework",
            SideFrom::Declared => "declared",
            SideFrom::Path => "path",
        }
    }
}
