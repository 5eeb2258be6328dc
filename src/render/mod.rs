//! `evdoc render`: the documentation set, generated from the catalog and the scan.
//!
//! Rendering is split the mdBook way: [`model`] builds a "book" (plain serialisable data: events
//! grouped by domain, their fields, code references, diagrams as Mermaid text) from the catalog
//! and the scan; [`markdown`] turns the book into GitHub-flavoured Markdown pages through
//! minijinja templates (`templates/`, embedded, overridable); [`html`] turns those pages into an
//! offline site (sanitised with ammonia, diagrams as inline SVG from [`diagrams`]).
//! This module depends on `catalog` and `scan` only; git, files and flags live in the CLI.

pub mod builtin;
pub mod diagrams;
pub mod html;
pub mod links;
pub mod markdown;
pub mod model;
pub mod templates;
pub mod text;

pub use model::{Book, Provenance};

/// How to render.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which commit the scanned code is at, and when it was committed.
    pub provenance: Provenance,
    /// Prefix that turns a scan path (`server/app.js`) into a link from the Markdown output
    /// folder (`../examples/trading-app/`); ignored when `repo_url` is set.
    pub code_base: String,
    /// Repository URL (`https://github.com/o/r`) for permalinks at the scanned commit.
    pub repo_url: Option<String>,
    /// Path of the scan root inside the repository (`examples/trading-app/`), for permalinks.
    pub repo_path: String,
    /// Folder whose files replace the embedded templates of the same name.
    pub templates: Option<std::path::PathBuf>,
}

/// One generated file: a path relative to the output folder and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutFile {
    /// `/`-separated path relative to the output folder.
    pub path: String,
    /// The file's content.
    pub content: String,
}

/// Why rendering failed (a broken user template; the built-in ones are tested).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to parse or render.
    #[error("template `{name}`: {source:#}")]
    Template {
        /// Template name.
        name: String,
        /// What minijinja said.
        source: minijinja::Error,
    },
    /// A template override folder could not be read.
    #[error("cannot read templates from `{path}`: {source}")]
    TemplateDir {
        /// The folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Name of the manifest that lists the files a render wrote (to find stale ones later).
pub const MANIFEST: &str = ".evdoc-render";

/// The Markdown documentation set (pages, the Prometheus rules file and the manifest).
pub fn render_markdown(book: &Book, opts: &Options) -> Result<Vec<OutFile>, RenderError> {
    let mut env = templates::environment(opts.templates.as_deref())?;
    let links = links::CodeLinks::new(
        &opts.code_base,
        opts.repo_url.as_deref(),
        &opts.repo_path,
        &opts.provenance.commit,
    );
    markdown::register_filters(&mut env, links);
    let mut files = markdown::pages(&env, book)?;
    files.push(OutFile {
        path: "prometheus-alerts.yml".into(),
        content: builtin::prometheus_rules(&book.alerts),
    });
    files.push(manifest(&files));
    Ok(files)
}

/// The manifest file listing `files` (one path a line, sorted).
pub fn manifest(files: &[OutFile]) -> OutFile {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    let mut content = String::from(
        "# Files written by `evdoc render`; stale ones are deleted on the next render.\n",
    );
    for p in paths {
        content.push_str(p);
        content.push('\n');
    }
    OutFile {
        path: MANIFEST.into(),
        content,
    }
}

/// The paths a manifest lists.
pub fn read_manifest(content: &str) -> Vec<String> {
    content
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}
