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
    let mut pass = Pass::new(known);
    for ev in Parser::new_ext(md, opts) {
        pass.push(ev);
    }
    // Heading texts went into Text events, so pulldown-cmark escapes them; the id is a slug.
    let mut raw = String::with_capacity(md.len() * 2);
    pulldown_cmark::html::push_html(&mut raw, pass.events.into_iter());
    let body = sanitizer().clean(&raw).to_string();
    let svgs = draw_all(&pass.diagrams, page_id);
    Converted {
        body: fill_diagram_slots(&body, &svgs),
        toc: pass.toc,
        title: pass.title,
    }
}

/// One pass over the Markdown events of a page, rewriting them for the site: a Mermaid block
/// becomes a numbered slot (its source kept for drawing), a heading gets a unique id and an
/// anchor link (and feeds the title and the table of contents), a link to a page becomes
/// `.html`.
struct Pass<'a, 'k> {
    /// Markdown pages of the site, whose links are rewritten.
    known: &'k HashSet<String>,
    /// The rewritten events.
    events: Vec<Event<'a>>,
    toc: Vec<TocItem>,
    /// The first level-1 heading.
    title: String,
    /// How many headings used each id so far.
    used: HashMap<String, usize>,
    /// Mermaid sources, by slot number.
    diagrams: Vec<String>,
    /// The source of the Mermaid block being read.
    mermaid: Option<String>,
    /// The inner events and plain text of the heading being read.
    heading: Option<(Vec<Event<'a>>, String)>,
}

impl<'a, 'k> Pass<'a, 'k> {
    fn new(known: &'k HashSet<String>) -> Self {
        Pass {
            known,
            events: vec![],
            toc: vec![],
            title: String::new(),
            used: HashMap::new(),
            diagrams: vec![],
            mermaid: None,
            heading: None,
        }
    }

    fn push(&mut self, ev: Event<'a>) {
        if self.mermaid.is_some() {
            return self.in_mermaid(ev);
        }
        if self.heading.is_some() {
            return self.in_heading(ev);
        }
        match ev {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang)))
                if lang.as_ref() == "mermaid" =>
            {
                self.mermaid = Some(String::new());
            }
            Event::Start(Tag::Heading { .. }) => self.heading = Some((vec![], String::new())),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = rewrite_link(&dest_url, self.known);
                self.events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                }));
            }
            other => self.events.push(other),
        }
    }

    /// Collect a Mermaid block's source; at its end, leave a slot for the figure.
    fn in_mermaid(&mut self, ev: Event<'a>) {
        match ev {
            Event::Text(t) => self.mermaid.get_or_insert_with(String::new).push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let n = self.diagrams.len();
                self.diagrams.push(self.mermaid.take().unwrap_or_default());
                self.events.push(Event::Html(
                    format!("<div class=\"{SLOT_CLASS}\" id=\"{SLOT_ID}{n}\"></div>\n").into(),
                ));
            }
            _ => {}
        }
    }

    /// Collect a heading's inner events and text; at its end, write it with its id.
    fn in_heading(&mut self, ev: Event<'a>) {
        let Some((inner, text)) = &mut self.heading else {
            return;
        };
        match ev {
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                inner.push(Event::Text(t));
            }
            other => inner.push(other),
        }
    }

    fn end_heading(&mut self, level: HeadingLevel) {
        let (inner, text) = self.heading.take().unwrap_or_default();
        let id = self.unique_id(&text);
        let lvl = level as u8;
        if lvl == 1 && self.title.is_empty() {
            self.title = text.clone();
        }
        if (2..=3).contains(&lvl) {
            self.toc.push(TocItem {
                level: lvl,
                id: id.clone(),
                title: text,
            });
        }
        self.events
            .push(Event::Html(format!("<h{lvl} id=\"{id}\">").into()));
        self.events.extend(inner);
        self.events.push(Event::Html(
            format!(" <a class=\"anchor\" href=\"#{id}\">#</a></h{lvl}>\n").into(),
        ));
    }

    /// The heading's slug, numbered when an earlier heading of the page has it (`a-b`, `a-b-1`).
    fn unique_id(&mut self, text: &str) -> String {
        let base = match slug(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        let n = self.used.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    }
}

/// Class and id prefix of the slots [`Pass`] leaves for diagrams (ammonia keeps `div[class]`
/// and `id`, so they survive sanitising and are filled after it).
const SLOT_CLASS: &str = "evdoc-diagram";
const SLOT_ID: &str = "evdoc-diagram-";

/// Put each drawn figure into its slot, in one pass over the sanitised body (the figures are
/// ours, so they go in after sanitising; a slot whose number has no figure stays as it is).
fn fill_diagram_slots(body: &str, svgs: &[String]) -> String {
    let slot = format!("<div class=\"{SLOT_CLASS}\" id=\"{SLOT_ID}");
    let close = "\"></div>";
    let mut out = String::with_capacity(body.len() + svgs.iter().map(String::len).sum::<usize>());
    let mut rest = body;
    while let Some(i) = rest.find(&slot) {
        out.push_str(&rest[..i]);
        let after = &rest[i + slot.len()..];
        match after.find(close) {
            Some(j) => {
                match after[..j].parse::<usize>().ok().and_then(|n| svgs.get(n)) {
                    Some(fig) => out.push_str(fig),
                    None => out.push_str(&rest[i..i + slot.len() + j + close.len()]),
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
    out
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
            s: r.access.to_string(),
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
    let tmpl = env.get_template("page.html.j2").map_err(page_error)?;
    let pages = site_pages(md_pages, extra);
    let known: HashSet<String> = pages.iter().map(|(p, _)| p.path.clone()).collect();
    let mut files = pages
        .iter()
        .map(|(p, nav_title)| html_page(&tmpl, book, &pages, p, nav_title, &known))
        .collect::<Result<Vec<_>, _>>()?;
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
    files.push(super::manifest(&files, &book.provenance));
    Ok(files)
}

/// The pages of the site with their navigation titles: the generated Markdown pages (titled as
/// in [`PAGES`]), then the hand-written ones (titled by their first `# ` heading).
fn site_pages<'p>(md_pages: &'p [OutFile], extra: &'p [OutFile]) -> Vec<(&'p OutFile, String)> {
    let generated = md_pages
        .iter()
        .filter(|p| p.path.ends_with(".md"))
        .map(|p| {
            let title = PAGES
                .iter()
                .find(|(f, _, _)| *f == p.path)
                .map(|x| x.2.to_string())
                .unwrap_or_else(|| p.path.clone());
            (p, title)
        });
    let hand_written = extra.iter().map(|p| {
        let title = p
            .content
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(&p.path)
            .trim()
            .to_string();
        (p, title)
    });
    generated.chain(hand_written).collect()
}

/// One page of the site: its Markdown converted, in `page.html.j2` with the navigation (this
/// page marked active) and its table of contents.
fn html_page(
    tmpl: &minijinja::Template<'_, '_>,
    book: &Book,
    pages: &[(&OutFile, String)],
    page: &OutFile,
    nav_title: &str,
    known: &HashSet<String>,
) -> Result<OutFile, RenderError> {
    let nav: Vec<NavItem> = pages
        .iter()
        .map(|(q, t)| NavItem {
            title: t.clone(),
            href: html_name(&q.path),
            active: q.path == page.path,
        })
        .collect();
    let page_id = slug(page.path.trim_end_matches(".md"));
    let c = convert(&page.content, known, &page_id);
    let html = tmpl
        .render(minijinja::context! {
            title => if c.title.is_empty() { nav_title.to_string() } else { c.title.clone() },
            site_title => book.title.clone(),
            version => book.version.clone(),
            date => book.provenance.date.clone(),
            commit => book.commit_short.clone(),
            nav => minijinja::Value::from(minijinja::value::Serde(nav)),
            toc => minijinja::Value::from(minijinja::value::Serde(c.toc)),
            content => minijinja::Value::from_safe_string(c.body),
        })
        .map_err(page_error)?;
    Ok(OutFile {
        path: html_name(&page.path),
        content: html,
    })
}

fn page_error(source: minijinja::Error) -> RenderError {
    RenderError::Template {
        name: "page.html.j2".into(),
        source,
    }
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
