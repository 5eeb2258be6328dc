//! `evdoc render`: the documentation set, generated from the catalog and the scan.
//!
//! Rendering is split the mdBook way: [`model`] builds a [`Book`] once (neutral serialisable
//! data: events grouped by domain, their fields as typed cells, code references relative to the
//! scan root, diagrams as Mermaid text) from the catalog and the scan; each output format is a
//! [`Renderer`] that turns the book into files: [`MarkdownRenderer`] writes GitHub-flavoured
//! Markdown pages through minijinja templates (`templates/`, embedded, overridable), and
//! [`HtmlRenderer`] writes an offline site (sanitised with ammonia, diagrams as inline SVG from
//! [`diagrams`]). A new output format is a new renderer; the book does not change.
//! This module depends on `catalog` and `scan` only; git, files and flags live in the CLI.

pub mod builtin;
pub mod diagrams;
pub mod hand_written;
pub mod html;
pub mod links;
pub mod markdown;
pub mod model;
pub mod templates;
pub mod text;

pub use hand_written::HandWritten;
pub use html::HtmlRenderer;
pub use links::CodeLinks;
pub use markdown::MarkdownRenderer;
pub use model::{Book, Provenance};

/// An output format: turns the book into the files of one output folder. The renderer owns
/// everything about its format (syntax, escaping, where links point from its folder); the book
/// owns none of it, so one book serves every renderer.
pub trait Renderer {
    /// Every file of this output, paths relative to its folder, with the manifest last.
    fn render(&self, book: &Book) -> Result<Vec<OutFile>, RenderError>;
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

/// The manifest file listing `files` (one path a line, sorted), headed by the stamp the pages
/// carry (`provenance`). The stamp is kept so that a later render can tell "only the stamp would
/// change" (a shallow clone or a tarball cannot date the code the same way) from a real change.
pub fn manifest(files: &[OutFile], provenance: &Provenance) -> OutFile {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    let mut content = String::from(
        "# Files written by `evdoc render`; stale ones are deleted on the next render.\n",
    );
    content.push_str(&format!(
        "# stamp: {} {}\n",
        or_dash(&provenance.commit),
        or_dash(&provenance.date)
    ));
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

/// The stamp a manifest records (`# stamp: COMMIT DATE`, `-` for unknown); `None` for a
/// manifest written before stamps were recorded.
pub fn read_stamp(content: &str) -> Option<Provenance> {
    let line = content.lines().find_map(|l| l.strip_prefix("# stamp: "))?;
    let mut parts = line.split_whitespace();
    let field = |p: Option<&str>| match p {
        Some("-") | None => String::new(),
        Some(v) => v.to_string(),
    };
    Some(Provenance {
        commit: field(parts.next()),
        date: field(parts.next()),
    })
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_round_trips_through_the_manifest_known_or_not() {
        for (commit, date) in [("0123abcd", "2026-12-04"), ("", "")] {
            let p = Provenance {
                commit: commit.into(),
                date: date.into(),
            };
            let m = manifest(&[], &p);
            assert_eq!(read_stamp(&m.content), Some(p));
            assert!(read_manifest(&m.content).is_empty());
        }
        assert_eq!(read_stamp("# Files written\nREADME.md\n"), None);
    }
}
