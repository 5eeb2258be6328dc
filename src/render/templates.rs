//! The minijinja environment: the default templates (files in `templates/`, embedded in the
//! binary at build time), overrides from `--templates DIR`, and the escaping filters the
//! Markdown templates use for catalog text. The filters that depend on the output folder
//! (`code_link`, `code_cell`, `notes`) are registered by the Markdown renderer.

use super::text;
use super::RenderError;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::path::Path;

/// The Markdown pages, in navigation order: (output file, template, title).
pub const PAGES: &[(&str, &str, &str)] = &[
    ("README.md", "README.md.j2", "Overview"),
    (
        "websocket-event-catalog.md",
        "websocket-event-catalog.md.j2",
        "Event catalog",
    ),
    (
        "connection-lifecycle.md",
        "connection-lifecycle.md.j2",
        "Connection lifecycle",
    ),
    ("architecture.md", "architecture.md.j2", "Architecture"),
    ("scaling.md", "scaling.md.j2", "Scaling"),
    (
        "troubleshooting.md",
        "troubleshooting.md.j2",
        "Troubleshooting",
    ),
    ("monitoring.md", "monitoring.md.j2", "Monitoring"),
    ("conventions.md", "conventions.md.j2", "Conventions"),
    ("quickstart.md", "quickstart.md.j2", "Quick start"),
];

/// Every embedded template: (name, source).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("README.md.j2", include_str!("../../templates/README.md.j2")),
    (
        "websocket-event-catalog.md.j2",
        include_str!("../../templates/websocket-event-catalog.md.j2"),
    ),
    (
        "connection-lifecycle.md.j2",
        include_str!("../../templates/connection-lifecycle.md.j2"),
    ),
    (
        "architecture.md.j2",
        include_str!("../../templates/architecture.md.j2"),
    ),
    (
        "scaling.md.j2",
        include_str!("../../templates/scaling.md.j2"),
    ),
    (
        "troubleshooting.md.j2",
        include_str!("../../templates/troubleshooting.md.j2"),
    ),
    (
        "monitoring.md.j2",
        include_str!("../../templates/monitoring.md.j2"),
    ),
    (
        "conventions.md.j2",
        include_str!("../../templates/conventions.md.j2"),
    ),
    (
        "quickstart.md.j2",
        include_str!("../../templates/quickstart.md.j2"),
    ),
    ("page.html.j2", include_str!("../../templates/page.html.j2")),
    ("style.css", include_str!("../../templates/style.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

/// Build the environment: embedded templates, then every file of `overrides` with a known
/// name replaces its default (an unknown name is added too, so templates can `include` it).
pub fn environment(overrides: Option<&Path>) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    // Markdown templates escape with the filters below; only HTML templates autoescape.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") || name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("text", |s: String| text::md_text(&s));
    env.add_filter("cell", |s: String| text::md_cell(&s));
    env.add_filter("code", |s: String| text::md_code(&s));
    env.add_filter("codeh", |s: String| text::md_code_prose(&s));
    env.add_filter("esc", |s: String| text::escape_all(&s));
    env.add_filter("fence", |s: String, lang: Option<String>| {
        text::md_fence(lang.as_deref().unwrap_or(""), &s)
    });
    env.add_filter("plain", |s: String| {
        s.chars()
            .filter(|c| !matches!(c, '`' | '\n' | '\r' | '{' | '}' | ';'))
            .collect::<String>()
    });
    env.add_filter("anchor", |s: String, prefix: String| {
        text::anchor(&prefix, &s)
    });
    env.add_filter("indent_md", |s: String, n: usize| {
        let pad = " ".repeat(n);
        s.lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    for (name, src) in EMBEDDED {
        add(&mut env, name.to_string(), src.to_string())?;
    }
    if let Some(dir) = overrides {
        let err = |source| RenderError::TemplateDir {
            path: dir.display().to_string(),
            source,
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(err)?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let src = std::fs::read_to_string(e.path()).map_err(err)?;
            add(&mut env, name, src)?;
        }
    }
    Ok(env)
}

fn add(env: &mut Environment<'static>, name: String, src: String) -> Result<(), RenderError> {
    env.add_template_owned(name.clone(), src)
        .map_err(|source| RenderError::Template { name, source })
}

/// The source of a non-template asset (`style.css`, `site.js`), overridden or embedded.
pub fn asset(env: &Environment<'static>, name: &str) -> Result<String, RenderError> {
    let t = env
        .get_template(name)
        .map_err(|source| RenderError::Template {
            name: name.into(),
            source,
        })?;
    Ok(t.source().to_string())
}
