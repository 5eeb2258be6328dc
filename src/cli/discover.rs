//! Which catalog a command reads, found like ruff finds its configuration: the one given with
//! `--catalog`; else the nearest one in the scanned path or a folder above it; else the one in
//! the working directory. A catalog is a `catalog/` folder holding YAML files, or an
//! `evdoc.yaml` file. The command says which one applied, so that scanning another tree from a
//! repository's root never applies this repository's `scan:` globs to it unnoticed.

use super::Ui;
use std::path::{Path, PathBuf};

/// Where a discovered catalog came from.
pub(crate) enum Found {
    /// `--catalog PATH`.
    Given(PathBuf),
    /// In the scanned path or a folder above it.
    Nearest(PathBuf),
    /// In the working directory.
    WorkingDirectory(PathBuf),
}

impl Found {
    /// The catalog's path.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Found::Given(p) | Found::Nearest(p) | Found::WorkingDirectory(p) => p,
        }
    }
}

/// The catalog for a command on `start` (`--catalog` is `given`), with a note saying which one
/// applied when it was not given; `None` when there is none.
pub(crate) fn catalog(ui: &Ui, given: Option<&Path>, start: &Path) -> Option<PathBuf> {
    let found = find(given, start)?;
    match &found {
        Found::Given(_) => {}
        Found::Nearest(p) => ui.note(format!(
            "catalog: {} (the nearest to {})",
            shown(p),
            shown(start)
        )),
        Found::WorkingDirectory(p) => ui.note(format!(
            "catalog: {} (from the working directory)",
            shown(p)
        )),
    }
    Some(found.path().to_path_buf())
}

/// The catalog for `start`, without a note.
pub(crate) fn find(given: Option<&Path>, start: &Path) -> Option<Found> {
    if let Some(p) = given {
        return Some(Found::Given(p.to_path_buf()));
    }
    let dir = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    let absolute = std::path::absolute(dir).ok()?;
    for ancestor in absolute.ancestors() {
        if let Some(c) = catalog_in(ancestor) {
            return Some(Found::Nearest(relative_to_cwd(&c)));
        }
    }
    catalog_in(Path::new(".")).map(Found::WorkingDirectory)
}

/// The catalog of folder `dir`: `dir/catalog/` holding YAML files, or `dir/evdoc.yaml`.
fn catalog_in(dir: &Path) -> Option<PathBuf> {
    let folder = dir.join("catalog");
    let has_yaml = std::fs::read_dir(&folder).ok().is_some_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            p.extension().is_some_and(|x| x == "yaml" || x == "yml")
        })
    });
    if has_yaml {
        return Some(folder);
    }
    let file = dir.join("evdoc.yaml");
    file.is_file().then_some(file)
}

/// `path` from the working directory when it is under it, as users wrote it.
fn relative_to_cwd(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Some(rel) => rel.to_path_buf(),
        None => path.to_path_buf(),
    }
}

fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}
