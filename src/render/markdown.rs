//! Markdown pages: each page template rendered with the book as its context.

use super::templates::PAGES;
use super::{Book, OutFile, RenderError};
use minijinja::Environment;

/// Render every page of [`PAGES`].
pub fn pages(env: &Environment<'static>, book: &Book) -> Result<Vec<OutFile>, RenderError> {
    let ctx = minijinja::Value::from(minijinja::value::Serde(book));
    let nav: Vec<(&str, &str)> = PAGES.iter().map(|(f, _, t)| (*f, *t)).collect();
    PAGES
        .iter()
        .map(|(file, tmpl, _)| {
            let t = env.get_template(tmpl).map_err(|source| RenderError::Template {
                name: tmpl.to_string(),
                source,
            })?;
            let content = t
                .render(minijinja::context! { book => ctx.clone(), pages => minijinja::Value::from(minijinja::value::Serde(&nav)) })
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
