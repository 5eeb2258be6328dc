//! The offline HTML site: every Markdown page through pulldown-cmark, sanitised with ammonia,
//! headings given ids (pulldown-cmark makes none) and anchor links, `.md` links turned into
//! `.html`, Mermaid blocks replaced by inline SVG, wrapped in `page.html.j2` with a navigation
//! sidebar, a table of contents and a client-side search index (a plain script, so the site works
//! from `file://` with no server and no CDN).
//!
//! The pages come from the Markdown renderer on purpose: the text of every page lives once, in
//! the Markdown templates (which `--templates` overrides), so the site cannot drift from the
//! Markdown documentation. The site renders its own Markdown, with code links from its folder.

use super::markdown::MarkdownRenderer;
use super::model::Book;
use super::templates::{self, PAGES};
use super::text::slug;
use super::{diagrams, OutFile, RenderError, Renderer};
use pulldown_cmark::{
    CodeBlockKind, Event, HeadingLevel, Options as MdOptions, Parser, Tag, TagEnd,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A page of the site's navigation.
#[derive(Clone, Debug, Serialize)]
struct NavItem {
    title: String,
    href: String,
    active: bool,
}

/// A table-of-contents entry.
#[derive(Clone, Debug, Serialize)]
struct TocItem {
    level: u8,
    id: String,
    title: String,
}

/// The HTML file a Markdown page becomes (`README.md` → `index.html`).
pub fn html_name(md: &str) -> String {
    if md == "README.md" {
        "index.html".into()
    } else {
        format!("{}.html", md.strip_suffix(".md").unwrap_or(md))
    }
}

/// Rewrite a relative link to a known page from `.md` to `.html`; other links stay as they are.
fn rewrite_link(dest: &str, known: &HashSet<String>) -> String {
    let (path, frag) = match dest.find('#') {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    };
    if known.contains(path) {
        format!("{}{frag}", html_name(path))
    } else {
        dest.to_string()
    }
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["details", "summary", "figure", "figcaption", "input"])
        .add_generic_attributes(["id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("div", ["class"])
        .add_tag_attributes("a", ["class"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .link_rel(None)
        .url_relative(ammonia::UrlRelative::PassThrough)
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
}

struct Converted {
    body: String,
    toc: Vec<TocItem>,
    title: String,
}

/// Markdown → sanitised HTML body, its table of contents and its first heading.
fn convert(md: &str, known: &HashSet<String>, page_id: &str) -> Converted {
    let mut opts = MdOptions::empty();
    opts.insert(MdOptions::ENABLE_TABLES);
    opts.insert(MdOptions::ENABLE_STRIKETHROUGH);
    opts.insert(MdOptions::ENABLE_TASKLISTS);
    let mut events: Vec<Event> = vec![];
    let mut toc = vec![];
    let mut title = String::new();
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut diagrams_src: Vec<String> = vec![];
    let mut in_mermaid: Option<String> = None;
    let mut heading: Option<(HeadingLevel, Vec<Event>, String)> = None;
    for ev in Parser::new_ext(md, opts) {
        if let Some(buf) = &mut in_mermaid {
            match ev {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let n = diagrams_src.len();
                    diagrams_src.push(in_mermaid.take().unwrap_or_default());
                    events.push(Event::Html(
                        format!("<div class=\"evdoc-diagram\" id=\"evdoc-diagram-{n}\"></div>\n")
                            .into(),
                    ));
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, inner, text)) = &mut heading {
            match ev {
                Event::End(TagEnd::Heading(level)) => {
                    let (_, inner, text) = heading.take().expect("in a heading");
                    let base = match slug(&text) {
                        s if s.is_empty() => "section".to_string(),
                        s => s,
                    };
                    let n = used.entry(base.clone()).or_insert(0);
                    let id = if *n == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    *n += 1;
                    let lvl = level as u8;
                    if lvl == 1 && title.is_empty() {
                        title = text.clone();
                    }
                    if (2..=3).contains(&lvl) {
                        toc.push(TocItem {
                            level: lvl,
                            id: id.clone(),
                            title: text.clone(),
                        });
                    }
                    events.push(Event::Html(format!("<h{lvl} id=\"{id}\">").into()));
                    events.extend(inner);
                    events.push(Event::Html(
                        format!(" <a class=\"anchor\" href=\"#{id}\">#</a></h{lvl}>\n").into(),
                    ));
                }
                Event::Text(t) | Event::Code(t) => {
                    text.push_str(&t);
                    inner.push(Event::Text(t));
                }
                other => inner.push(other),
            }
            continue;
        }
        match ev {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang)))
                if lang.as_ref() == "mermaid" =>
            {
                in_mermaid = Some(String::new());
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, vec![], String::new()))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = rewrite_link(&dest_url, known);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                }));
            }
            other => events.push(other),
        }
    }
    // Heading texts went into Text events, so pulldown-cmark escapes them; the id is a slug.
    let mut raw = String::with_capacity(md.len() * 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    let body = sanitizer().clean(&raw).to_string();
    let svgs = draw_all(&diagrams_src, page_id);
    // One pass over the body to put each figure into its slot (the slots were written by us
    // above, and ammonia keeps `div[class]` and `id`).
    const SLOT: &str = "<div class=\"evdoc-diagram\" id=\"evdoc-diagram-";
    let mut out = String::with_capacity(body.len() + svgs.iter().map(String::len).sum::<usize>());
    let mut rest = body.as_str();
    while let Some(i) = rest.find(SLOT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + SLOT.len()..];
        let close = "\"></div>";
        match after.find(close) {
            Some(j) => {
                match after[..j].parse::<usize>().ok().and_then(|n| svgs.get(n)) {
                    Some(fig) => out.push_str(fig),
                    None => out.push_str(&rest[i..i + SLOT.len() + j + close.len()]),
                }
                rest = &after[j + close.len()..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let body = out;
    Converted { body, toc, title }
}

/// Draw every diagram of a page as a `<figure>` (or its source, when it cannot be drawn), on all
/// cores: the layout of a diagram takes milliseconds and a catalog may have hundreds.
fn draw_all(sources: &[String], page_id: &str) -> Vec<String> {
    let draw = |n: usize, src: &String| match diagrams::svg(src, &format!("{page_id}-d{n}")) {
        Some(svg) => format!("<figure class=\"diagram\" data-diagram=\"{n}\">{svg}</figure>"),
        None => format!(
            "<pre class=\"mermaid-source\" data-diagram=\"{n}\"><code>{}</code></pre>",
            escape_html(src)
        ),
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len());
    if threads <= 1 {
        return sources
            .iter()
            .enumerate()
            .map(|(n, s)| draw(n, s))
            .collect();
    }
    let chunk = sources.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let draw = &draw;
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(k, s)| draw(c * chunk + k, s))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One entry of the client-side search index.
#[derive(Serialize)]
struct SearchEntry {
    /// What is found (event name, field path, room, page title).
    t: String,
    /// Kind: `event`, `field`, `room`, `error`, `page`.
    k: &'static str,
    /// Link.
    u: String,
    /// Context line.
    s: String,
}

fn search_index(book: &Book) -> String {
    let mut out = vec![];
    for (file, _, title) in PAGES {
        out.push(SearchEntry {
            t: title.to_string(),
            k: "page",
            u: html_name(file),
            s: String::new(),
        });
    }
    for d in &book.domains {
        for e in &d.events {
            let u = format!("websocket-event-catalog.html#{}", e.anchor);
            out.push(SearchEntry {
                t: e.name.clone(),
                k: "event",
                u: u.clone(),
                s: format!("{} · {}", e.arrow, e.summary.clone().unwrap_or_default()),
            });
            for f in &e.fields {
                out.push(SearchEntry {
                    t: f.path.clone(),
                    k: "field",
                    u: u.clone(),
                    s: format!("{} · {}", e.name, f.ty),
                });
            }
        }
    }
    for r in &book.rooms {
        out.push(SearchEntry {
            t: r.name.clone(),
            k: "room",
            u: format!("connection-lifecycle.html#{}", r.anchor),
            s: r.access.clone(),
        });
    }
    for x in &book.errors {
        out.push(SearchEntry {
            t: x.name.clone(),
            k: "error",
            u: format!("websocket-event-catalog.html#{}", x.anchor),
            s: x.description.clone().unwrap_or_default(),
        });
    }
    // A script, not JSON: `fetch` does not work from file:// URLs. `<` is escaped so the data
    // could even be inlined in a page without closing a <script>.
    let json = serde_json::to_string(&out)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    format!("window.EVDOC_SEARCH = {json};\n")
}

/// The HTML site: every generated page, then the hand-written Markdown pages, the stylesheet,
/// the script, the search index and the Prometheus rules file.
#[derive(Clone, Debug)]
pub struct HtmlRenderer {
    /// Renders the pages' Markdown, with code links from the site's folder and the same
    /// template overrides as the Markdown output.
    pub markdown: MarkdownRenderer,
    /// Hand-written Markdown pages beside the generated ones (`catalog-format.md`): the site
    /// includes them so that the index's links to them work.
    pub extra: Vec<OutFile>,
}

impl Renderer for HtmlRenderer {
    fn render(&self, book: &Book) -> Result<Vec<OutFile>, RenderError> {
        let md = self.markdown.render(book)?;
        render_site(book, &md, &self.extra, self.markdown.templates.as_deref())
    }
}

/// Render the site: every generated page, then `extra` hand-written Markdown pages (such as
/// `catalog-format.md`), the stylesheet, the script and the search index.
fn render_site(
    book: &Book,
    md_pages: &[OutFile],
    extra: &[OutFile],
    template_dir: Option<&Path>,
) -> Result<Vec<OutFile>, RenderError> {
    let env = templates::environment(template_dir)?;
    let mut all: Vec<(&OutFile, String)> = vec![];
    for p in md_pages.iter().filter(|p| p.path.ends_with(".md")) {
        let title = PAGES
            .iter()
            .find(|(f, _, _)| *f == p.path)
            .map(|x| x.2.to_string())
            .unwrap_or_else(|| p.path.clone());
        all.push((p, title));
    }
    for p in extra {
        let title = p
            .content
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(&p.path)
            .trim()
            .to_string();
        all.push((p, title));
    }
    let known: HashSet<String> = all.iter().map(|(p, _)| p.path.clone()).collect();
    let tmpl = env
        .get_template("page.html.j2")
        .map_err(|source| RenderError::Template {
            name: "page.html.j2".into(),
            source,
        })?;
    let mut files = vec![];
    for (p, nav_title) in &all {
        let href = html_name(&p.path);
        let nav: Vec<NavItem> = all
            .iter()
            .map(|(q, t)| NavItem {
                title: t.clone(),
                href: html_name(&q.path),
                active: q.path == p.path,
            })
            .collect();
        let page_id = slug(p.path.trim_end_matches(".md"));
        let c = convert(&p.content, &known, &page_id);
        let html = tmpl
            .render(minijinja::context! {
                title => if c.title.is_empty() { nav_title.clone() } else { c.title.clone() },
                site_title => book.title.clone(),
                version => book.version.clone(),
                date => book.provenance.date.clone(),
                commit => book.commit_short.clone(),
                nav => minijinja::Value::from(minijinja::value::Serde(nav)),
                toc => minijinja::Value::from(minijinja::value::Serde(c.toc)),
                content => minijinja::Value::from_safe_string(c.body),
            })
            .map_err(|source| RenderError::Template {
                name: "page.html.j2".into(),
                source,
            })?;
        files.push(OutFile {
            path: href,
            content: html,
        });
    }
    files.push(OutFile {
        path: "style.css".into(),
        content: templates::asset(&env, "style.css")?,
    });
    files.push(OutFile {
        path: "site.js".into(),
        content: templates::asset(&env, "site.js")?,
    });
    files.push(OutFile {
        path: "search-index.js".into(),
        content: search_index(book),
    });
    if let Some(rules) = md_pages.iter().find(|p| p.path == "prometheus-alerts.yml") {
        files.push(rules.clone());
    }
    files.push(super::manifest(&files));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_pages_become_html_and_others_stay() {
        let known: HashSet<String> = ["README.md", "scaling.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(rewrite_link("scaling.md#x", &known), "scaling.html#x");
        assert_eq!(rewrite_link("README.md", &known), "index.html");
        assert_eq!(
            rewrite_link("../server/app.js#L3", &known),
            "../server/app.js#L3"
        );
        assert_eq!(rewrite_link("other.md", &known), "other.md");
    }

    #[test]
    fn headings_get_unique_ids_and_raw_html_is_sanitised() {
        let md = "# T\n\n## A b\n\n## A b\n\n<script>alert(1)</script>\n\n<a id=\"x\" onclick=\"y()\">k</a>\n";
        let c = convert(md, &HashSet::new(), "p");
        assert!(c.body.contains("<h2 id=\"a-b\">"));
        assert!(c.body.contains("<h2 id=\"a-b-1\">"));
        assert!(!c.body.contains("<script"));
        assert!(!c.body.contains("onclick"));
        assert!(c.body.contains("id=\"x\""));
        assert_eq!(c.title, "T");
        assert_eq!(c.toc.len(), 2);
    }

    #[test]
    fn mermaid_blocks_become_figures() {
        let c = convert(
            "```mermaid\nflowchart TD\n  a --> b\n```\n",
            &HashSet::new(),
            "p",
        );
        if cfg!(feature = "diagrams") {
            assert!(c.body.contains("<figure class=\"diagram\""), "{}", c.body);
            assert!(c.body.contains("<svg"));
        } else {
            assert!(c.body.contains("mermaid-source"));
        }
    }
}
