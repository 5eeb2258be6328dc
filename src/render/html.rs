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
use super::text::{heading_slug, slug};
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

/// An entry of the page outline ("On this page"), with the entries nested under it.
#[derive(Clone, Debug, Serialize)]
struct TocItem {
    /// The heading's level (1 for a section of a page with several level-1 headings).
    level: u8,
    id: String,
    title: String,
    children: Vec<TocItem>,
}

/// A heading of the page as the outline needs it.
#[derive(Clone, Debug)]
struct Heading {
    level: u8,
    /// The heading's own id (its slug).
    id: String,
    title: String,
    /// The anchor the Markdown puts just before the heading (`<a id="ev-…"></a>`), if any.
    anchor: Option<String>,
}

/// Which outline entry a heading belongs under when the page's structure cannot say: the
/// event catalog lists each domain (a level-2 heading with the domain's anchor) and, in a
/// later section, every event (a level-3 heading with the event's anchor); the book knows which
/// domain each event is in. Maps an event's anchor to its domain's anchor.
fn outline_groups(book: &Book) -> HashMap<String, String> {
    book.domains
        .iter()
        .flat_map(|d| {
            d.events
                .iter()
                .map(|e| (e.anchor.clone(), d.anchor.clone()))
        })
        .collect()
}

/// The page outline, nested: each heading goes under the nearest earlier heading of a lower
/// level (so a level-1 section closes the level-2 entries before it: the catalog's events,
/// after `# Events`, are not children of the last domain), or, when `groups` names a group for
/// its anchor and that group's heading is on the page above its level, under that heading.
/// The page's title (its first level-1 heading, `title`) is the root and not an entry. Levels
/// deeper than 3 are left out.
fn outline(
    headings: &[Heading],
    title: Option<usize>,
    groups: &HashMap<String, String>,
) -> Vec<TocItem> {
    let by_anchor: HashMap<&str, usize> = headings
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.anchor.as_deref().map(|a| (a, i)))
        .collect();
    // The parent of each heading (None: a top-level entry), by index.
    let parent: Vec<Option<usize>> = headings
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let grouped = h
                .anchor
                .as_ref()
                .and_then(|a| groups.get(a))
                .and_then(|g| by_anchor.get(g.as_str()).copied())
                .filter(|&g| g != i && headings[g].level < h.level);
            grouped
                .or_else(|| (0..i).rev().find(|&j| headings[j].level < h.level))
                .filter(|&p| Some(p) != title)
        })
        .collect();
    // Entries by parent (the last slot for the top level), in page order.
    let top = headings.len();
    let mut children = vec![vec![]; top + 1];
    for (i, h) in headings.iter().enumerate() {
        if Some(i) != title && h.level <= 3 {
            children[parent[i].unwrap_or(top)].push(i);
        }
    }
    fn build(at: usize, headings: &[Heading], children: &[Vec<usize>]) -> Vec<TocItem> {
        children[at]
            .iter()
            .map(|&i| TocItem {
                level: headings[i].level,
                id: headings[i].id.clone(),
                title: headings[i].title.clone(),
                children: build(i, headings, children),
            })
            .collect()
    }
    build(top, headings, &children)
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

/// Markdown → sanitised HTML body, its outline (events grouped as `groups` says, see
/// [`outline_groups`]) and its first heading.
fn convert(
    md: &str,
    known: &HashSet<String>,
    page_id: &str,
    groups: &HashMap<String, String>,
) -> Converted {
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
    // A table whose header row was empty keeps an empty head for pulldown-cmark's sake (see
    // `Pass::end_table_head`); it goes here, once the sanitiser has written it in its one form.
    let body = sanitizer().clean(&raw).to_string().replace(EMPTY_HEAD, "");
    let svgs = draw_all(&pass.diagrams, page_id);
    Converted {
        body: fill_diagram_slots(&body, &svgs),
        toc: outline(&pass.headings, pass.title_at, groups),
        title: pass.title,
    }
}

/// What an empty table head becomes in the sanitised HTML, removed from it.
const EMPTY_HEAD: &str = "<thead><tr></tr></thead>";

/// One pass over the Markdown events of a page, rewriting them for the site: a Mermaid block
/// becomes a numbered slot (its source kept for drawing), a heading gets a unique id and an
/// anchor link (and feeds the title and the outline), a link to a page becomes `.html`, a
/// table header row of empty cells is dropped.
struct Pass<'a, 'k> {
    /// Markdown pages of the site, whose links are rewritten.
    known: &'k HashSet<String>,
    /// The rewritten events.
    events: Vec<Event<'a>>,
    /// Every heading, in page order, for the outline.
    headings: Vec<Heading>,
    /// The first level-1 heading, and its index in `headings`.
    title: String,
    title_at: Option<usize>,
    /// The id of an `<a id="…"></a>` anchor seen since the last text: the heading that follows
    /// is the anchor's.
    anchor: Option<String>,
    /// Where the current table's head starts in `events`, while it is being read.
    table_head: Option<usize>,
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
            headings: vec![],
            title: String::new(),
            title_at: None,
            anchor: None,
            table_head: None,
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
            Event::Html(ref h) | Event::InlineHtml(ref h) => {
                if let Some(id) = anchor_id(h) {
                    self.anchor = Some(id.to_string());
                }
                self.events.push(ev);
            }
            Event::Start(Tag::TableHead) => {
                self.table_head = Some(self.events.len());
                self.events.push(ev);
            }
            Event::End(TagEnd::TableHead) => self.end_table_head(),
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
            other => {
                // Text between an anchor and a heading: the anchor is not the heading's.
                let content = matches!(other, Event::Text(_) | Event::Code(_) | Event::Start(_));
                if content && !matches!(other, Event::Start(Tag::Paragraph)) {
                    self.anchor = None;
                }
                self.events.push(other)
            }
        }
    }

    /// At the end of a table's head: when none of its cells has any content (a Markdown table
    /// must have a header row; a key/value table's is `| | |`), the cells go and an empty head
    /// stays, since pulldown-cmark's writer needs the head to write `<td>` cells and a `<tbody>`
    /// after it; [`convert`] removes it from the HTML.
    fn end_table_head(&mut self) {
        let start = self.table_head.take().unwrap_or(self.events.len());
        let empty = self
            .events
            .get(start + 1..)
            .unwrap_or_default()
            .iter()
            .all(|e| match e {
                Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => true,
                Event::Text(t) => t.trim().is_empty(),
                _ => false,
            });
        if empty {
            self.events.truncate(start + 1);
        }
        self.events.push(Event::End(TagEnd::TableHead));
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
        if lvl == 1 && self.title_at.is_none() {
            self.title = text.clone();
            self.title_at = Some(self.headings.len());
        }
        self.headings.push(Heading {
            level: lvl,
            id: id.clone(),
            title: text,
            anchor: self.anchor.take(),
        });
        self.events
            .push(Event::Html(format!("<h{lvl} id=\"{id}\">").into()));
        self.events.extend(inner);
        self.events.push(Event::Html(
            format!(" <a class=\"anchor\" href=\"#{id}\">#</a></h{lvl}>\n").into(),
        ));
    }

    /// The heading's slug, numbered when an earlier heading of the page has it (`a-b`, `a-b-1`).
    fn unique_id(&mut self, text: &str) -> String {
        let base = match heading_slug(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        let n = self.used.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    }
}

/// The id of an anchor the Markdown templates write before a heading (`<a id="X"></a>`, as one
/// piece of HTML or as its opening tag alone).
fn anchor_id(html: &str) -> Option<&str> {
    let rest = html.trim().strip_prefix("<a id=\"")?;
    let (id, tail) = rest.split_once('"')?;
    matches!(tail, ">" | "></a>").then_some(id)
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
    /// Hand-written Markdown pages beside the generated ones (`catalog-format.md`), so that the
    /// index's links to them work, and the SVG images they show (copied as they are).
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
    let site = Site {
        book,
        pages: &pages,
        known: &known,
        groups: &outline_groups(book),
    };
    let mut files = pages
        .iter()
        .map(|(p, nav_title)| html_page(&tmpl, &site, p, nav_title))
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
    // The images the hand-written pages show, as they are.
    files.extend(extra.iter().filter(|p| !p.path.ends_with(".md")).cloned());
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
    let hand_written = extra.iter().filter(|p| p.path.ends_with(".md")).map(|p| {
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

/// What every page of the site is made with.
struct Site<'s> {
    book: &'s Book,
    /// The pages and their navigation titles.
    pages: &'s [(&'s OutFile, String)],
    /// The Markdown pages of the site, whose links become `.html`.
    known: &'s HashSet<String>,
    /// Outline groups, see [`outline_groups`].
    groups: &'s HashMap<String, String>,
}

/// One page of the site: its Markdown converted, in `page.html.j2` with the navigation (this
/// page marked active) and its outline.
fn html_page(
    tmpl: &minijinja::Template<'_, '_>,
    site: &Site<'_>,
    page: &OutFile,
    nav_title: &str,
) -> Result<OutFile, RenderError> {
    let book = site.book;
    let nav: Vec<NavItem> = site
        .pages
        .iter()
        .map(|(q, t)| NavItem {
            title: t.clone(),
            href: html_name(&q.path),
            active: q.path == page.path,
        })
        .collect();
    let page_id = slug(page.path.trim_end_matches(".md"));
    let c = convert(&page.content, site.known, &page_id, site.groups);
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
        let c = convert(md, &HashSet::new(), "p", &HashMap::new());
        assert!(c.body.contains("<h2 id=\"a-b\">"));
        assert!(c.body.contains("<h2 id=\"a-b-1\">"));
        assert!(!c.body.contains("<script"));
        assert!(!c.body.contains("onclick"));
        assert!(c.body.contains("id=\"x\""));
        assert_eq!(c.title, "T");
        assert_eq!(c.toc.len(), 2);
    }

    /// The outline as `title[children]` strings, for short assertions.
    fn shape(toc: &[TocItem]) -> Vec<String> {
        toc.iter()
            .map(|t| match shape(&t.children) {
                c if c.is_empty() => t.title.clone(),
                c => format!("{}[{}]", t.title, c.join(" ")),
            })
            .collect()
    }

    #[test]
    fn outline_nests_by_level_and_a_level_one_section_closes_the_entries_before_it() {
        let md = "# T\n\n## a\n\n### a1\n\n#### deep\n\n## b\n\n# S\n\n### s1\n\n### s2\n";
        let c = convert(md, &HashSet::new(), "p", &HashMap::new());
        // s1 and s2 follow `# S`: they are not b's, the last level-2 entry before them.
        assert_eq!(shape(&c.toc), ["a[a1]", "b", "S[s1 s2]"]);
        assert_eq!(c.title, "T");
    }

    #[test]
    fn events_go_under_their_domain_wherever_the_page_documents_them() {
        // The catalog page's shape: domains with their summary, then every event under `# Events`.
        let md = "# Event catalog\n\n<a id=\"domain-x\"></a>\n## x\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                  <a id=\"domain-y\"></a>\n## y\n\n# Events\n\n<a id=\"ev-1\"></a>\n### one\n\n\
                  <a id=\"ev-2\"></a>\n### two\n\n<a id=\"ev-3\"></a>\n### three\n\n\
                  <a id=\"other\"></a>\n\nSome text.\n\n### four\n";
        let groups: HashMap<String, String> = [
            ("ev-1", "domain-x"),
            ("ev-2", "domain-y"),
            ("ev-3", "domain-x"),
        ]
        .into_iter()
        .map(|(e, d)| (e.to_string(), d.to_string()))
        .collect();
        let c = convert(md, &HashSet::new(), "p", &groups);
        // `four` has no anchor of its own (text stands between `other` and it): it stays in its
        // section.
        assert_eq!(shape(&c.toc), ["x[one three]", "y[two]", "Events[four]"]);
        // The same page without groups: the events are the section's, never the last domain's.
        let c = convert(md, &HashSet::new(), "p", &HashMap::new());
        assert_eq!(shape(&c.toc), ["x", "y", "Events[one two three four]"]);
    }

    #[test]
    fn a_header_row_of_empty_cells_is_dropped_and_the_rows_stay_data() {
        let md = "| | |\n|---|---|\n| Direction | C→S |\n\n| Field | |\n|:--|---|\n| a | b |\n";
        let c = convert(md, &HashSet::new(), "p", &HashMap::new());
        let (first, second) = c.body.split_once("</table>").unwrap();
        assert!(
            !first.contains("<thead") && !first.contains("<th"),
            "{first}"
        );
        assert!(first.contains("<td>Direction</td>"), "{first}");
        assert!(first.contains("<tbody>"), "{first}");
        // A header with one label keeps its row.
        assert!(
            second.contains(
                "<thead><tr><th style=\"text-align: left\">Field</th><th></th></tr></thead>"
            ),
            "{second}"
        );
        assert!(
            second.contains("<td style=\"text-align: left\">a</td>"),
            "{second}"
        );
    }

    #[test]
    fn anchors_before_headings_are_recognised() {
        assert_eq!(anchor_id("<a id=\"ev-a.b\"></a>"), Some("ev-a.b"));
        assert_eq!(anchor_id("<a id=\"ev-a.b\">"), Some("ev-a.b"));
        assert_eq!(anchor_id("  <a id=\"x\"></a>\n"), Some("x"));
        assert_eq!(anchor_id("<a id=\"x\" href=\"y\">"), None);
        assert_eq!(anchor_id("</a>"), None);
    }

    #[test]
    fn mermaid_blocks_become_figures() {
        let c = convert(
            "```mermaid\nflowchart TD\n  a --> b\n```\n",
            &HashSet::new(),
            "p",
            &HashMap::new(),
        );
        if cfg!(feature = "diagrams") {
            assert!(c.body.contains("<figure class=\"diagram\""), "{}", c.body);
            assert!(c.body.contains("<svg"));
        } else {
            assert!(c.body.contains("mermaid-source"));
        }
    }
}
