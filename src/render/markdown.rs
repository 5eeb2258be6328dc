//! Markdown pages: each page template rendered with the book as its context. The book holds
//! neutral data; the filters registered here turn its typed cells into Markdown: code
//! references into links from this output folder (or permalinks), field notes into one escaped
//! table cell.

use super::links::CodeLinks;
use super::model::{CodeRef, Field};
use super::templates::{self, PAGES};
use super::text::{escape_all, md_cell, md_code};
use super::{manifest, Book, OutFile, RenderError, Renderer};
use minijinja::{Environment, Error, Value};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The Markdown documentation set: every page of [`PAGES`], the Prometheus rules file and the
/// manifest.
#[derive(Clone, Debug)]
pub struct MarkdownRenderer {
    /// Where code references point from the output folder (or permalinks).
    pub links: CodeLinks,
    /// Folder whose files replace the embedded templates of the same name.
    pub templates: Option<PathBuf>,
    /// Hand-written pages in the output folder: the index lists them, and a page links one
    /// (`catalog-format.md`) only when it is there.
    pub hand_written: Vec<super::HandWritten>,
}

impl Renderer for MarkdownRenderer {
    fn render(&self, book: &Book) -> Result<Vec<OutFile>, RenderError> {
        let mut env = templates::environment(self.templates.as_deref())?;
        register_filters(&mut env, self.links.clone());
        let mut files = pages(&env, book, &self.hand_written)?;
        files.push(OutFile {
            path: "prometheus-alerts.yml".into(),
            content: book.alerts_yaml.clone(),
        });
        files.push(manifest(&files, &book.provenance));
        Ok(files)
    }
}

/// How many code references the master table's cell lists before "+N more".
const CELL_SITES: usize = 3;

/// Register the filters that need to know where the pages are written:
/// `code_link` (a [`CodeRef`] as a Markdown link), `code_cell(expected)` (the master table's
/// Code Reference cell for a list of them; `expected` says whether an empty list means the scan
/// missed the event) and `notes` (a [`Field`]'s description and constraints as one cell).
fn register_filters(env: &mut Environment<'static>, links: CodeLinks) {
    let links = Arc::new(links);
    let l = Arc::clone(&links);
    env.add_filter("code_link", move |r: Value| -> Result<String, Error> {
        Ok(code_link(&l, &CodeRef::deserialize(r)?))
    });
    env.add_filter(
        "code_cell",
        move |sites: Value, expected: bool| -> Result<String, Error> {
            Ok(code_cell(
                &links,
                &Vec::<CodeRef>::deserialize(sites)?,
                expected,
            ))
        },
    );
    env.add_filter("notes", |f: Value| -> Result<String, Error> {
        Ok(field_notes(&Field::deserialize(f)?))
    });
}

/// `[file:line](url)`: the label escaped, the target made safe for a link destination.
fn code_link(links: &CodeLinks, r: &CodeRef) -> String {
    let label = format!("{}:{}", r.file, r.line);
    format!("[{}]({})", escape_all(&label), link_safe(&links.url(r)))
}

/// The master table's Code Reference cell: the first links, then how many more.
fn code_cell(links: &CodeLinks, sites: &[CodeRef], expected: bool) -> String {
    if sites.is_empty() {
        return if expected { "not found in code" } else { "—" }.into();
    }
    let mut cells: Vec<String> = sites
        .iter()
        .take(CELL_SITES)
        .map(|s| code_link(links, s))
        .collect();
    if sites.len() > CELL_SITES {
        cells.push(format!("+{} more", sites.len() - CELL_SITES));
    }
    cells.join("<br>")
}

/// A field's Notes cell: its description, then its constraints as code spans in parentheses.
fn field_notes(f: &Field) -> String {
    let constraints: Vec<String> = f
        .constraints
        .iter()
        .map(|c| format!("{} {}", c.key, md_code(&c.value)))
        .collect();
    let notes = match (f.description.is_empty(), constraints.is_empty()) {
        (_, true) => f.description.clone(),
        (true, false) => constraints.join(", "),
        (false, false) => format!("{} ({})", f.description, constraints.join(", ")),
    };
    md_cell(&notes)
}

/// Percent-encode what would break a Markdown link destination (spaces, parentheses, `<>`).
fn link_safe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            '"' => out.push_str("%22"),
            '`' => out.push_str("%60"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Render every page of [`PAGES`].
fn pages(
    env: &Environment<'static>,
    book: &Book,
    hand_written: &[super::HandWritten],
) -> Result<Vec<OutFile>, RenderError> {
    let ctx = minijinja::Value::from(minijinja::value::Serde(book));
    let hand_written = minijinja::Value::from(minijinja::value::Serde(hand_written));
    let nav: Vec<(&str, &str)> = PAGES.iter().map(|(f, _, t)| (*f, *t)).collect();
    PAGES
        .iter()
        .map(|(file, tmpl, _)| {
            let t = env
                .get_template(tmpl)
                .map_err(|source| RenderError::Template {
                    name: tmpl.to_string(),
                    source,
                })?;
            let content = t
                .render(minijinja::context! {
                    book => ctx.clone(),
                    pages => minijinja::Value::from(minijinja::value::Serde(&nav)),
                    hand_written => hand_written.clone(),
                })
                .map_err(|source| RenderError::Template {
                    name: tmpl.to_string(),
                    source,
                })?;
            Ok(OutFile {
                path: file.to_string(),
                content: tidy(&content),
            })
        })
        .collect()
}

/// Collapse runs of blank lines left by template conditionals; end with one newline.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    let mut in_fence = false;
    for line in s.lines() {
        let l = line.trim_end();
        if l.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if l.is_empty() && !in_fence {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(if in_fence { line } else { l });
        out.push('\n');
    }
    let trimmed = out.trim_end().to_string();
    trimmed + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::model::Constraint;

    fn at(file: &str, line: u32) -> CodeRef {
        CodeRef::emit_at(file, line)
    }

    #[test]
    fn link_targets_cannot_break_markdown_links() {
        assert_eq!(
            link_safe("a b(c)<d>|`\"\\"),
            "a%20b%28c%29%3Cd%3E%7C%60%22%5C"
        );
    }

    #[test]
    fn code_links_are_relative_to_this_output_folder() {
        let links = CodeLinks::new("../my app/", None, "", "");
        assert_eq!(
            code_link(&links, &at("server/io_handlers.js", 9)),
            "[server/io\\_handlers.js:9](../my%20app/server/io_handlers.js#L9)"
        );
    }

    #[test]
    fn the_code_cell_lists_three_sites_then_counts() {
        let links = CodeLinks::new("", None, "", "");
        let sites: Vec<CodeRef> = (1..=5).map(|l| at("a.js", l)).collect();
        assert_eq!(
            code_cell(&links, &sites, true),
            "[a.js:1](a.js#L1)<br>[a.js:2](a.js#L2)<br>[a.js:3](a.js#L3)<br>+2 more"
        );
        assert_eq!(code_cell(&links, &[], true), "not found in code");
        assert_eq!(code_cell(&links, &[], false), "—");
    }

    #[test]
    fn field_notes_put_constraints_in_code_spans_after_the_description() {
        let field = |description: &str, constraints: &[(&str, &str)]| Field {
            path: "p".into(),
            ty: "string".into(),
            required: true,
            description: description.into(),
            constraints: constraints
                .iter()
                .map(|(k, v)| Constraint {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        };
        assert_eq!(field_notes(&field("Ticker", &[])), "Ticker");
        assert_eq!(
            field_notes(&field("A <b> | c", &[("pattern", "^a|b$")])),
            "A &lt;b&gt; \\| c (pattern `^a\\|b$`)"
        );
        assert_eq!(
            field_notes(&field("", &[("maxLength", "8")])),
            "maxLength `8`"
        );
    }
}
