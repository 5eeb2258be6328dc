//! The side of a site that its socket value does not show.
//!
//! A site whose receiver is a known server or client socket has its side from the flow (the
//! value's own evidence: where it was created, its declared type). For the others the evidence
//! is weaker, and is taken in this order: the file's own Socket.IO imports and APIs, the file's
//! framework (a `.vue`, `.svelte`, `.jsx`/`.tsx` or markup file runs in the browser, even in a
//! monorepo whose root `package.json` is the server's), the dependencies of the nearest
//! `package.json` (a package that depends on `socket.io` but not on `socket.io-client` is a
//! server), the catalog's `scan.server` / `scan.client` globs, the side
//! of a catalog-declared wrapper the site was called through, and last the folder names on its
//! path (`server/`, `client/`).

use super::{Direction, Side, SideFrom, Site};
use globset::GlobSet;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Package names whose presence in `dependencies` shows a side.
const SERVER_PACKAGES: &[&str] = &[
    "socket.io",
    "@nestjs/websockets",
    "@nestjs/platform-socket.io",
    "@socket.io/redis-adapter",
    "@socket.io/redis-emitter",
];
const CLIENT_PACKAGES: &[&str] = &[
    "socket.io-client",
    "ngx-socket-io",
    "vue-socket.io",
    "vue-socket.io-extended",
    "vue-3-socket.io",
    "socket.io-react-hook",
];

/// Folder names that say which end a file runs on.
const SERVER_DIRS: &[&str] = &[
    "server",
    "servers",
    "backend",
    "realtime",
    "gateway",
    "gateways",
    "socket-server",
];
const CLIENT_DIRS: &[&str] = &[
    "client",
    "clients",
    "frontend",
    "front-end",
    "web",
    "webapp",
    "browser",
    "public",
    "static",
    "dashboard",
    "ui",
    "app-client",
    "components",
    "pages",
    "views",
    "composables",
    "hooks",
    "stores",
    "store",
];

/// File extensions of front-end frameworks and markup: code in them runs in a browser.
const FRAMEWORK_EXTS: &[&str] = &[
    "vue", "svelte", "jsx", "tsx", "html", "htm", "hbs", "ejs", "njk",
];

/// Side evidence about files of one scanned tree; `package.json` files are read once per folder.
pub(crate) struct Hints {
    base: PathBuf,
    server: GlobSet,
    client: GlobSet,
    /// Folder → `None` without a `package.json`, else the side its dependencies show.
    packages: Mutex<HashMap<PathBuf, Option<Option<Side>>>>,
}

impl Hints {
    /// Hints for files under `base`, with the catalog's globs.
    pub(crate) fn new(base: &Path, server: GlobSet, client: GlobSet) -> Hints {
        Hints {
            base: base.to_path_buf(),
            server,
            client,
            packages: Mutex::new(HashMap::new()),
        }
    }

    /// Gives `site` a side from the strongest evidence there is, with what decided it, and its
    /// direction. `file_side` is what the file's imports and APIs show.
    pub(crate) fn settle(&self, site: &mut Site, file_side: Option<Side>) {
        // Strongest first, and each source consulted only when the ones before it say nothing
        // (the package.json look-up reads files).
        let file = site.file.as_str();
        let sources: [(SideFrom, &dyn Fn() -> Option<Side>); 7] = [
            (site.side_from.unwrap_or(SideFrom::Flow), &|| site.side),
            (SideFrom::Import, &|| file_side),
            (SideFrom::Framework, &|| framework_side(file)),
            (SideFrom::Package, &|| self.package_side(file)),
            (SideFrom::Catalog, &|| self.glob_side(file)),
            (SideFrom::Declared, &|| site.declared_side),
            (SideFrom::Path, &|| path_side(file)),
        ];
        let found = sources
            .iter()
            .find_map(|(from, side)| side().map(|s| (s, *from)));
        (site.side, site.side_from) = match found {
            Some((s, from)) => (Some(s), Some(from)),
            None => (None, None),
        };
        site.direction = site.side.map(|s| Direction::of(site.role, s));
    }

    /// The side the catalog's `scan.server` / `scan.client` globs give `rel`.
    fn glob_side(&self, rel: &str) -> Option<Side> {
        if self.server.is_match(rel) {
            Some(Side::Server)
        } else if self.client.is_match(rel) {
            Some(Side::Client)
        } else {
            None
        }
    }

    /// The side the nearest `package.json` above `rel` shows by its dependencies.
    fn package_side(&self, rel: &str) -> Option<Side> {
        let mut dir = self.base.join(rel);
        while dir.pop() {
            if let Some(side) = self.package_in(&dir) {
                return side;
            }
            if dir == self.base || !dir.starts_with(&self.base) {
                break;
            }
        }
        None
    }

    /// `Some(side)` when `dir` has a `package.json` (whose side may be unknown), else `None`.
    fn package_in(&self, dir: &Path) -> Option<Option<Side>> {
        let mut cache = self.packages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = cache.get(dir) {
            return *known;
        }
        let side = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .map(|text| dependencies_side(&text));
        cache.insert(dir.to_path_buf(), side);
        side
    }
}

/// The side a `package.json`'s dependencies show: server packages only, or client only.
fn dependencies_side(text: &str) -> Option<Side> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let has = |names: &[&str]| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .filter_map(|k| json.get(k)?.as_object())
            .any(|deps| names.iter().any(|n| deps.contains_key(*n)))
    };
    match (has(SERVER_PACKAGES), has(CLIENT_PACKAGES)) {
        (true, false) => Some(Side::Server),
        (false, true) => Some(Side::Client),
        _ => None,
    }
}

/// Files of front-end frameworks run in a browser.
fn framework_side(rel: &str) -> Option<Side> {
    let ext = rel.rsplit_once('.')?.1.to_ascii_lowercase();
    FRAMEWORK_EXTS
        .contains(&ext.as_str())
        .then_some(Side::Client)
}

/// The side the folder names show, the folder nearest the file first.
fn path_side(rel: &str) -> Option<Side> {
    let dirs: Vec<&str> = rel.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    dirs.iter().rev().find_map(|d| {
        let d = d.to_ascii_lowercase();
        if SERVER_DIRS.contains(&d.as_str()) {
            Some(Side::Server)
        } else if CLIENT_DIRS.contains(&d.as_str()) {
            Some(Side::Client)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_dependencies_show_a_side_only_when_one_sided() {
        let deps = |d: &str| dependencies_side(&format!("{{\"dependencies\": {{{d}}}}}"));
        assert_eq!(deps("\"socket.io\": \"4\""), Some(Side::Server));
        assert_eq!(deps("\"socket.io-client\": \"4\""), Some(Side::Client));
        assert_eq!(
            deps("\"socket.io\": \"4\", \"socket.io-client\": \"4\""),
            None
        );
        assert_eq!(deps("\"express\": \"4\""), None);
        assert_eq!(dependencies_side("not json"), None);
    }

    #[test]
    fn folders_and_frameworks() {
        assert_eq!(path_side("apps/server/src/chat.js"), Some(Side::Server));
        assert_eq!(path_side("server/public/js/app.js"), Some(Side::Client));
        assert_eq!(path_side("src/lib/socket.js"), None);
        assert_eq!(path_side("server.js"), None);
        assert_eq!(framework_side("src/App.vue"), Some(Side::Client));
        assert_eq!(framework_side("src/App.ts"), None);
    }
}
