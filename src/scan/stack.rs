//! Which stack the scanned code runs on (crate::vocab::stack), for the docs render writes: each
//! site votes with the manifest nearest its file (`package.json` for JS/TS, `Cargo.toml` for
//! Rust), server sites for the server stack and client sites for the client one; the stack
//! with most sites wins. Manifests are the evidence a reader would use (the dependencies say
//! Express or Koa, axum or salvo, React or Angular); a file's own extension decides only when no
//! manifest says anything (`.vue`, `.svelte`, `.jsx`).

use super::Site;
use crate::vocab::stack::{ClientStack, ServerStack, Stack};
use crate::vocab::Side;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The stack the sites show (each part `None` when no site of that side was found).
pub(crate) fn detect(base: &Path, sites: &[Site]) -> Stack {
    // Sites are counted per file first: the manifests answer once per file, not per site.
    let mut per_file: HashMap<(&str, Side), usize> = HashMap::new();
    for site in sites {
        if let Some(side) = site.side {
            *per_file.entry((site.file.as_str(), side)).or_default() += 1;
        }
    }
    let mut manifests = Manifests::new(base);
    let mut servers: HashMap<ServerStack, usize> = HashMap::new();
    let mut clients: HashMap<ClientStack, usize> = HashMap::new();
    for ((file, side), n) in per_file {
        match side {
            Side::Server => *servers.entry(manifests.server(file)).or_default() += n,
            Side::Client => *clients.entry(manifests.client(file)).or_default() += n,
        }
    }
    Stack {
        server: most(&servers, &ServerStack::ALL),
        client: most(&clients, &ClientStack::ALL),
    }
}

/// The value with most votes; ties go to the one listed first, so the answer is stable.
fn most<T: Copy + Eq + std::hash::Hash>(votes: &HashMap<T, usize>, order: &[T]) -> Option<T> {
    let best = votes.values().copied().max()?;
    order.iter().copied().find(|v| votes.get(v) == Some(&best))
}

/// The dependencies of one manifest, by package or crate name.
type Deps = Vec<String>;

/// Manifests read once per folder.
struct Manifests {
    base: PathBuf,
    folders: HashMap<(PathBuf, &'static str), Option<Deps>>,
}

/// npm packages that say which server framework socket.io is attached to, strongest first
/// (NestJS depends on Express itself).
const NODE_SERVERS: &[(&str, ServerStack)] = &[
    ("@nestjs/websockets", ServerStack::Nestjs),
    ("@nestjs/platform-socket.io", ServerStack::Nestjs),
    ("fastify", ServerStack::NodeFastify),
    ("koa", ServerStack::NodeKoa),
    ("express", ServerStack::NodeExpress),
];

/// Crates that say which web framework socketioxide is served by, strongest first (axum, salvo
/// and viz all depend on hyper).
const RUST_SERVERS: &[(&str, ServerStack)] = &[
    ("salvo", ServerStack::SocketioxideSalvo),
    ("viz", ServerStack::SocketioxideViz),
    ("axum", ServerStack::SocketioxideAxum),
    ("hyper", ServerStack::SocketioxideHyper),
];

/// npm packages that say which front-end framework the client code lives in.
const FRONT_ENDS: &[(&str, ClientStack)] = &[
    ("@angular/core", ClientStack::Angular),
    ("react", ClientStack::React),
    ("next", ClientStack::React),
    ("vue", ClientStack::Vue),
    ("nuxt", ClientStack::Vue),
    ("svelte", ClientStack::Svelte),
    ("@sveltejs/kit", ClientStack::Svelte),
];

/// npm packages whose presence makes a `package.json` the one that describes Socket.IO code
/// (a workspace root without them is skipped for the nearest package that has them).
const SOCKET_PACKAGES: &[&str] = &["socket.io", "socket.io-client", "@nestjs/websockets"];

impl Manifests {
    fn new(base: &Path) -> Manifests {
        Manifests {
            base: base.to_path_buf(),
            folders: HashMap::new(),
        }
    }

    /// The server stack of a server site in `rel`.
    fn server(&mut self, rel: &str) -> ServerStack {
        if rel.ends_with(".rs") {
            let deps = self.nearest(rel, "Cargo.toml", &["socketioxide"]);
            return first_of(&deps, RUST_SERVERS).unwrap_or(ServerStack::SocketioxideAxum);
        }
        let deps = self.nearest(rel, "package.json", SOCKET_PACKAGES);
        first_of(&deps, NODE_SERVERS).unwrap_or(ServerStack::NodeHttp)
    }

    /// The client stack of a client site in `rel`.
    fn client(&mut self, rel: &str) -> ClientStack {
        if rel.ends_with(".rs") {
            return ClientStack::Rust;
        }
        let deps = self.nearest(rel, "package.json", SOCKET_PACKAGES);
        if let Some(c) = first_of(&deps, FRONT_ENDS) {
            return c;
        }
        match rel.rsplit_once('.').map(|(_, ext)| ext) {
            Some("vue") => ClientStack::Vue,
            Some("svelte") => ClientStack::Svelte,
            Some("jsx" | "tsx") => ClientStack::React,
            _ => ClientStack::Browser,
        }
    }

    /// The dependencies of the nearest `manifest` above `rel` that names one of `wanted`
    /// (else of the nearest one at all); empty when there is none inside the scanned tree.
    fn nearest(&mut self, rel: &str, manifest: &'static str, wanted: &[&str]) -> Deps {
        let mut dir = self.base.join(rel);
        let mut fallback: Option<Deps> = None;
        while dir.pop() && dir.starts_with(&self.base) {
            if let Some(deps) = self.read(&dir, manifest) {
                if deps.iter().any(|d| wanted.contains(&d.as_str())) {
                    return deps;
                }
                fallback.get_or_insert(deps);
            }
        }
        fallback.unwrap_or_default()
    }

    /// The dependencies of `dir/manifest`, read once.
    fn read(&mut self, dir: &Path, manifest: &'static str) -> Option<Deps> {
        self.folders
            .entry((dir.to_path_buf(), manifest))
            .or_insert_with(|| {
                let text = std::fs::read_to_string(dir.join(manifest)).ok()?;
                Some(if manifest == "Cargo.toml" {
                    cargo_dependencies(&text)
                } else {
                    npm_dependencies(&text)
                })
            })
            .clone()
    }
}

/// The stack of the first entry of `table` that `deps` holds.
fn first_of<T: Copy>(deps: &Deps, table: &[(&str, T)]) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| deps.iter().any(|d| d == name))
        .map(|(_, v)| *v)
}

/// Package names in a `package.json`'s dependencies, dev and peer ones included.
fn npm_dependencies(text: &str) -> Deps {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return vec![];
    };
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| json.get(k)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

/// Crate names in a `Cargo.toml`'s dependencies (also target-specific and workspace ones; not
/// dev-dependencies: a test client is not the server's framework).
fn cargo_dependencies(text: &str) -> Deps {
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return vec![];
    };
    let mut out = vec![];
    let mut take = |t: Option<&toml::Value>| {
        if let Some(t) = t.and_then(|v| v.as_table()) {
            out.extend(t.keys().cloned());
        }
    };
    take(doc.get("dependencies"));
    take(doc.get("workspace").and_then(|w| w.get("dependencies")));
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for target in targets.values() {
            take(target.get("dependencies"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_the_framework_strongest_first() {
        let nest = npm_dependencies(
            r#"{"dependencies": {"@nestjs/websockets": "10", "express": "4", "socket.io": "4"}}"#,
        );
        assert_eq!(first_of(&nest, NODE_SERVERS), Some(ServerStack::Nestjs));
        let axum = cargo_dependencies(
            "[dependencies]\nsocketioxide = \"0.18\"\naxum = \"0.8\"\nhyper = \"1\"\n\
             [dev-dependencies]\nsalvo = \"0.80\"\n",
        );
        assert_eq!(
            first_of(&axum, RUST_SERVERS),
            Some(ServerStack::SocketioxideAxum)
        );
        assert_eq!(cargo_dependencies("not = [toml"), Vec::<String>::new());
        assert_eq!(npm_dependencies("{not json"), Vec::<String>::new());
    }
}
