//! `evdoc render`: the pages of the reference catalog (snapshots), hostile catalogs (injection,
//! odd names, 2,000 events), and the CLI's write / --check / stale-file behaviour.

use assert_cmd::Command;
use evdoc::render::{
    Book, CodeLinks, HtmlRenderer, MarkdownRenderer, OutFile, Provenance, Renderer,
};
use std::fmt::Write as _;
use std::path::Path;

fn provenance() -> Provenance {
    Provenance {
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        date: "2024-05-14".into(),
    }
}

/// The Markdown renderer as `evdoc render --out docs --scan examples/trading-app` makes it.
fn markdown() -> MarkdownRenderer {
    MarkdownRenderer {
        links: CodeLinks::new("../examples/trading-app/", None, "", &provenance().commit),
        templates: None,
        hand_written: vec![],
    }
}

fn site(extra: Vec<OutFile>) -> HtmlRenderer {
    HtmlRenderer {
        markdown: markdown(),
        extra,
    }
}

fn reference() -> (Vec<OutFile>, Book) {
    let cat = evdoc::catalog::load(Path::new("catalog")).expect("reference catalog loads");
    let scan = evdoc::scan::scan(
        Path::new("examples/trading-app"),
        &evdoc::scan::ScanOptions {
            exclude: cat.catalog.scan.exclude.clone(),
            server: cat.catalog.scan.server.clone(),
            client: cat.catalog.scan.client.clone(),
            ..Default::default()
        },
        None,
    )
    .expect("example scans");
    let book = Book::new(&cat.catalog, Some(&scan), &provenance());
    (markdown().render(&book).unwrap(), book)
}

fn page<'a>(files: &'a [OutFile], name: &str) -> &'a str {
    &files.iter().find(|f| f.path == name).unwrap().content
}

#[test]
fn reference_pages_snapshot() {
    let (files, _) = reference();
    for f in &files {
        if f.path.ends_with(".md") || f.path.ends_with(".yml") {
            insta::assert_snapshot!(f.path.clone(), f.content);
        }
    }
}

#[test]
fn catalog_page_has_the_task_list_table_and_code_references() {
    let (files, book) = reference();
    let cat = page(&files, "websocket-event-catalog.md");
    assert!(cat.contains(
        "| Event Name | Direction | Payload Schema | Authentication | Room | Code Reference |"
    ));
    // Every event has a section, and its code references link into the example app.
    for d in &book.domains {
        for e in &d.events {
            assert!(
                cat.contains(&format!("<a id=\"{}\"></a>", e.anchor)),
                "{}",
                e.name
            );
        }
    }
    assert!(cat.contains("](../examples/trading-app/server/"));
    let trade = book
        .domains
        .iter()
        .flat_map(|d| &d.events)
        .find(|e| e.name == "trade:update")
        .unwrap();
    assert!(
        !trade.sites.is_empty(),
        "trade:update has emit/listen sites from the scan"
    );
    for s in &trade.sites {
        let text =
            std::fs::read_to_string(Path::new("examples/trading-app").join(&s.file)).unwrap();
        let l = text.lines().nth(s.line as usize - 1).unwrap();
        assert!(
            l.contains("TRADE_UPDATE") || l.contains("trade:update"),
            "{}:{}: {l}",
            s.file,
            s.line
        );
    }
    let readme = page(&files, "README.md");
    for link in [
        "websocket-event-catalog.md",
        "connection-lifecycle.md",
        "architecture.md",
        "troubleshooting.md",
    ] {
        assert!(readme.contains(&format!("]({link})")), "index links {link}");
    }
    assert!(readme.contains("2024-05-14") && readme.contains("0123456789"));
    // Four architecture diagrams plus one per subscription.
    let arch = page(&files, "architecture.md");
    assert!(
        arch.matches("```mermaid").count() >= 4 + book.flows.len() - 1 + book.subscriptions.len()
    );
    assert!(book.troubleshooting.len() >= 8);
}

#[test]
fn permalinks_with_repo_url() {
    let cat = evdoc::catalog::load(Path::new("catalog")).unwrap();
    let scan =
        evdoc::scan::scan(Path::new("examples/trading-app"), &Default::default(), None).unwrap();
    let permalinks = MarkdownRenderer {
        links: CodeLinks::new(
            "../examples/trading-app/",
            Some("https://github.com/o/r/"),
            "examples/trading-app/",
            &provenance().commit,
        ),
        templates: None,
        hand_written: vec![],
    };
    let book = Book::new(&cat.catalog, Some(&scan), &provenance());
    let md = permalinks.render(&book).unwrap();
    let catalog = page(&md, "websocket-event-catalog.md");
    assert!(
        catalog.contains("](https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/examples/trading-app/server/"),
        "code references are permalinks at the scanned commit"
    );
    assert!(!catalog.contains("](../examples/trading-app/"));
}

/// A catalog with HTML/JS in every text field, and events named like paths, unicode and emoji.
fn hostile_catalog(dir: &Path, extra_events: usize) {
    let x =
        "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3)) | `a` ```";
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let mut y = String::new();
    writeln!(
        y,
        "evdoc: 1\ninfo: {{title: {t}, version: {t}, description: {t}, server_url: {t}}}",
        t = q(x)
    )
    .unwrap();
    writeln!(y, "auth: {{scheme: session, session: {{handshake_field: {t}, cookie: {t}}}, description: {t}}}", t = q(x)).unwrap();
    writeln!(
        y,
        "namespaces:\n  {t}: {{description: {t}, auth: {r}}}",
        t = q(x),
        r = q(&format!("role:{x}"))
    )
    .unwrap();
    writeln!(
        y,
        "rooms:\n  {t}: {{description: {t}, access: {r}, namespace: {t}}}",
        t = q(x),
        r = q(&format!("role:{x}"))
    )
    .unwrap();
    writeln!(
        y,
        "errors:\n  {t}: {{description: {t}, remedy: {t}, message: {t}}}",
        t = q(x)
    )
    .unwrap();
    writeln!(
        y,
        "flows:\n  {t}: {{title: {t}, description: {t}, steps: [{t}, {{emit: {t}}}, {t}]}}",
        t = q(x)
    )
    .unwrap();
    writeln!(y, "troubleshooting:\n  - {{id: {t}, title: {t}, symptoms: [{t}], causes: [{t}], steps: [{t}], solution: {t}}}", t = q(x)).unwrap();
    writeln!(y, "monitoring: {{alerts: [{{name: {t}, expr: {t}, for: {t}, severity: {t}, description: {t}}}]}}", t = q(x)).unwrap();
    writeln!(y, "conventions: {{versioning: {t}}}", t = q(x)).unwrap();
    writeln!(y, "events:").unwrap();
    let names = [
        x,
        "../../x",
        "..\\..\\x",
        "/etc/passwd",
        "🚀:launch",
        "ünïcode:événement",
        "訂單:更新",
        "",
        " ",
        "a b",
    ];
    for (i, n) in names.iter().enumerate() {
        let dir_ = if i % 2 == 0 { "c2s" } else { "s2c" };
        writeln!(
            y,
            "  {n}:\n    direction: {dir_}\n    summary: {t}\n    description: {t}\n    auth: {r}\n    room: {t}\n    joins: {t}\n    emitted_when: {t}\n    since: {t}\n    deprecated: {{since: {t}, use: {t}, reason: {t}}}\n    replies: [{t}]\n    errors: [{t}]\n    tags: [{t}]\n    payload: {{type: object, description: {t}, properties: {{{t}: {{type: string, description: {t}, pattern: {t}}}}}}}\n    examples: [{{{t}: {t}}}]",
            n = q(n),
            t = q(x),
            r = q(&format!("role:{x}"))
        )
        .unwrap();
    }
    for i in 0..extra_events {
        writeln!(y, "  \"domain{}:event{i}\":\n    direction: s2c\n    room: \"user:{{userId}}\"\n    payload: {{type: object, required: [id], properties: {{id: {{type: string}}, n: {{type: integer}}}}}}", i % 17).unwrap();
    }
    std::fs::write(dir.join("evdoc.yaml"), y).unwrap();
}

fn render_all(dir: &Path) -> (Vec<OutFile>, Vec<OutFile>) {
    let cat = evdoc::catalog::load(dir).unwrap_or_else(|e| panic!("{:?}", e.0));
    let book = Book::new(&cat.catalog, None, &provenance());
    let md = markdown().render(&book).unwrap();
    let site = site(vec![]).render(&book).unwrap();
    (md, site)
}

#[test]
fn injection_in_every_text_field_is_shown_never_run() {
    let dir = tempfile::tempdir().unwrap();
    hostile_catalog(dir.path(), 0);
    let (md, site) = render_all(dir.path());
    for f in md.iter().filter(|f| f.path.ends_with(".md")) {
        // The only raw HTML in the Markdown is evdoc's own (anchors, <details>, <br>): catalog
        // text is shown as text or code, never passed through as HTML.
        for ev in
            pulldown_cmark::Parser::new_ext(&f.content, pulldown_cmark::Options::ENABLE_TABLES)
        {
            if let pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) = &ev {
                let h = h.to_lowercase();
                if let Some(id) = h
                    .trim()
                    .strip_prefix("<a id=\"")
                    .and_then(|r| r.strip_suffix("\"></a>").or_else(|| r.strip_suffix("\">")))
                {
                    assert!(
                        id.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                        "{id}"
                    );
                    continue;
                }
                assert!(
                    !h.contains("script") && !h.contains("img") && !h.contains("onerror"),
                    "{}: {h}",
                    f.path
                );
            }
            if let pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) = &ev {
                assert!(
                    !dest_url.to_lowercase().starts_with("javascript"),
                    "{}: {dest_url}",
                    f.path
                );
            }
        }
    }
    let handler = regex::Regex::new(r"<[a-z][^<>]*\son[a-z]+\s*=").unwrap();
    for f in site.iter().filter(|f| f.path.ends_with(".html")) {
        let lower = f.content.to_lowercase();
        // Only the site's own scripts: the theme snippet, the search index and site.js.
        assert_eq!(lower.matches("<script").count(), 3, "{}", f.path);
        assert!(!lower.contains("<img"), "{}", f.path);
        assert!(
            !handler.is_match(&lower),
            "{}: an event handler attribute",
            f.path
        );
        assert!(!lower.contains("href=\"javascript:"), "{}", f.path);
        assert!(
            lower.contains("&lt;script&gt;"),
            "{}: the text is shown",
            f.path
        );
    }
    let index = &site
        .iter()
        .find(|f| f.path == "search-index.js")
        .unwrap()
        .content;
    assert!(!index.contains("</script"));
    // File names stay inside the output folder whatever the event names.
    for f in md.iter().chain(&site) {
        assert!(
            !f.path.contains("..") && !f.path.starts_with('/') && !f.path.contains('\\'),
            "{}",
            f.path
        );
    }
    let alerts = &md
        .iter()
        .find(|f| f.path == "prometheus-alerts.yml")
        .unwrap()
        .content;
    assert!(
        alerts.contains("alert: \"<script>"),
        "alert names are quoted YAML strings"
    );
}

#[test]
fn odd_names_get_distinct_stable_anchors() {
    let dir = tempfile::tempdir().unwrap();
    hostile_catalog(dir.path(), 0);
    let cat = evdoc::catalog::load(dir.path()).unwrap();
    let book = Book::new(&cat.catalog, None, &provenance());
    let anchors: Vec<&str> = book
        .domains
        .iter()
        .flat_map(|d| &d.events)
        .map(|e| e.anchor.as_str())
        .collect();
    let mut unique = anchors.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), anchors.len(), "{anchors:?}");
    for a in &anchors {
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{a}"
        );
    }
    let again = Book::new(&cat.catalog, None, &provenance());
    let anchors2: Vec<&str> = again
        .domains
        .iter()
        .flat_map(|d| &d.events)
        .map(|e| e.anchor.as_str())
        .collect();
    assert_eq!(anchors, anchors2);
}

#[test]
fn two_thousand_events_render_without_panic_and_identically_twice() {
    let dir = tempfile::tempdir().unwrap();
    hostile_catalog(dir.path(), 2000);
    let (md1, site1) = render_all(dir.path());
    let (md2, site2) = render_all(dir.path());
    assert_eq!(md1, md2);
    assert_eq!(site1, site2);
    let cat = page(&md1, "websocket-event-catalog.md");
    assert!(cat.contains("domain10:event1999"));
}

#[test]
fn templates_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("scaling.md.j2"),
        "# Our scaling\n\n{{ book.title | text }} runs on one box.\n",
    )
    .unwrap();
    let cat = evdoc::catalog::load(Path::new("catalog")).unwrap();
    let overridden = MarkdownRenderer {
        templates: Some(dir.path().into()),
        ..markdown()
    };
    let book = Book::new(&cat.catalog, None, &provenance());
    let md = overridden.render(&book).unwrap();
    assert_eq!(
        page(&md, "scaling.md"),
        "# Our scaling\n\nTrading Dashboard Realtime API runs on one box.\n"
    );
    // A broken override is a clear error, not a panic.
    std::fs::write(dir.path().join("scaling.md.j2"), "{{ book.nope }}").unwrap();
    let err = overridden.render(&book).unwrap_err().to_string();
    assert!(err.contains("scaling.md.j2"), "{err}");
}

/// A project's docs folder holds only what render writes unless someone adds pages: the index
/// lists the hand-written pages that are there, and no page links one that is not.
#[test]
fn hand_written_pages_are_listed_and_linked_only_when_present() {
    let (_, book) = reference();
    let bare = markdown().render(&book).unwrap();
    for f in &bare {
        assert!(
            !f.content.contains("catalog-format.md"),
            "{} links a missing page",
            f.path
        );
    }
    let with = MarkdownRenderer {
        hand_written: vec![evdoc::render::HandWritten::read(
            "catalog-format.md",
            "# The catalog format\n\nThe contract of the API. More.\n",
        )],
        ..markdown()
    };
    let files = with.render(&book).unwrap();
    assert!(page(&files, "README.md")
        .contains("| [The catalog format](catalog-format.md) | The contract of the API. |"));
    assert!(page(&files, "quickstart.md").contains("[the catalog format](catalog-format.md)"));
}

#[test]
fn site_has_every_page_diagrams_and_working_internal_links() {
    let (_, book) = reference();
    let plot = "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n";
    let extra = vec![
        OutFile {
            path: "catalog-format.md".into(),
            content: "# The catalog format\n\n![curve](plot.svg)\n".into(),
        },
        OutFile {
            path: "plot.svg".into(),
            content: plot.into(),
        },
    ];
    let site = site(extra).render(&book).unwrap();
    let names: Vec<&str> = site.iter().map(|f| f.path.as_str()).collect();
    // A hand-written page's image is copied as it is, and is not a page of its own.
    assert_eq!(
        site.iter().find(|f| f.path == "plot.svg").unwrap().content,
        plot
    );
    assert!(!names.contains(&"plot.html"), "{names:?}");
    for p in [
        "index.html",
        "websocket-event-catalog.html",
        "architecture.html",
        "catalog-format.html",
        "style.css",
        "site.js",
        "search-index.js",
    ] {
        assert!(names.contains(&p), "{p} in {names:?}");
    }
    let arch = &site
        .iter()
        .find(|f| f.path == "architecture.html")
        .unwrap()
        .content;
    #[cfg(feature = "diagrams")]
    assert!(
        arch.matches("<svg").count() >= 4 + book.subscriptions.len(),
        "inline SVG diagrams"
    );
    assert!(!arch.contains("```mermaid"));
    // Every relative link points at a page of the site and an id on it.
    let re = regex::Regex::new(r#"href="([^"]+)""#).unwrap();
    let ids = regex::Regex::new(r#" id="([^"]+)""#).unwrap();
    for f in site.iter().filter(|f| f.path.ends_with(".html")) {
        for cap in re.captures_iter(&f.content) {
            let href = &cap[1];
            if href.starts_with("http")
                || href.starts_with("data:")
                || href.starts_with("../")
                || href.ends_with(".css")
                || href.ends_with(".yml")
            {
                continue;
            }
            let (file, frag) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() {
                f
            } else {
                site.iter()
                    .find(|g| g.path == file)
                    .unwrap_or_else(|| panic!("{}: broken link {href}", f.path))
            };
            if !frag.is_empty() {
                assert!(
                    ids.captures_iter(&target.content).any(|c| &c[1] == frag),
                    "{}: no id for {href}",
                    f.path
                );
            }
        }
    }
}

fn evdoc() -> Command {
    Command::cargo_bin("evdoc").unwrap()
}

#[test]
fn cli_writes_checks_and_removes_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("docs");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("catalog-format.md"), "hand-written\n").unwrap();
    let render = |extra: &[&str]| {
        let mut c = evdoc();
        c.args([
            "render",
            "--catalog",
            "catalog",
            "--scan",
            "examples/trading-app",
            "--out",
        ])
        .arg(&out)
        .args(extra);
        c.assert()
    };
    render(&["--check"]).code(1);
    render(&[]).success();
    render(&["--check"]).success();
    assert_eq!(
        std::fs::read_to_string(out.join("catalog-format.md")).unwrap(),
        "hand-written\n"
    );
    // An edited page is stale.
    std::fs::write(out.join("scaling.md"), "edited\n").unwrap();
    render(&["--check"])
        .code(1)
        .stderr(predicates::str::contains("scaling.md"));
    render(&[]).success();
    // A file from an earlier render that this render no longer makes is stale, and deleted.
    let manifest = out.join(".evdoc-render");
    let mut m = std::fs::read_to_string(&manifest).unwrap();
    m.push_str("old-page.md\n");
    std::fs::write(&manifest, m).unwrap();
    std::fs::write(out.join("old-page.md"), "old\n").unwrap();
    render(&["--check"])
        .code(1)
        .stderr(predicates::str::contains("old-page.md"));
    render(&[]).success();
    assert!(!out.join("old-page.md").exists());
    assert!(out.join("catalog-format.md").exists());
    render(&["--check"]).success();
}

#[test]
fn cli_refuses_to_overwrite_hand_written_files() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "mine\n").unwrap();
    evdoc()
        .args(["render", "--catalog", "catalog", "--out"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not written by `evdoc render`"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("README.md")).unwrap(),
        "mine\n"
    );
}

#[test]
fn cli_help_snapshot() {
    let out = evdoc().args(["render", "--help"]).output().unwrap();
    insta::assert_snapshot!("help_render", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn docs_folder_is_the_current_render() {
    evdoc()
        .args([
            "render",
            "--catalog",
            "catalog",
            "--scan",
            "examples/trading-app",
            "--out",
            "docs",
            "--check",
        ])
        .assert()
        .success();
}

#[test]
fn cli_bad_input_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A catalog that does not load.
    evdoc()
        .args([
            "render",
            "--catalog",
            "tests/fixtures/catalogs/malformed",
            "--out",
        ])
        .arg(tmp.path().join("a"))
        .assert()
        .code(2);
    // A template folder that does not exist.
    evdoc()
        .args([
            "render",
            "--catalog",
            "catalog",
            "--templates",
            "no/such/dir",
            "--out",
        ])
        .arg(tmp.path().join("b"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read templates"));
    // A scan root that does not exist.
    evdoc()
        .args([
            "render",
            "--catalog",
            "catalog",
            "--scan",
            "no/such/code",
            "--out",
        ])
        .arg(tmp.path().join("c"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not exist"));
    // The site in the Markdown folder.
    let d = tmp.path().join("d");
    evdoc()
        .args(["render", "--catalog", "catalog", "--out"])
        .arg(&d)
        .arg("--html")
        .arg(&d)
        .assert()
        .code(2);
    assert!(!tmp.path().join("a").exists() && !tmp.path().join("b").exists());
}

#[test]
fn an_error_code_with_a_fixed_message_says_so_on_the_catalog_page() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evdoc.yaml"),
        "evdoc: 1\ninfo: {title: T, version: '1'}\n\
         errors:\n  SubscriptionError: {description: Room refused, message: Unauthorized}\n\
         \x20 PayloadError: {description: Bad payload}\n\
         events:\n  a:b: {direction: s2c, payload: {type: object}}\n",
    )
    .unwrap();
    let (md, _) = render_all(dir.path());
    let catalog = page(&md, "websocket-event-catalog.md");
    let section = |code: &str| {
        let start = catalog.find(&format!("### `{code}`")).expect(code);
        let rest = &catalog[start + 4..];
        &rest[..rest.find("### ").unwrap_or(rest.len())]
    };
    assert!(
        section("SubscriptionError").contains("**Message:** `Unauthorized`"),
        "{}",
        section("SubscriptionError")
    );
    assert!(!section("PayloadError").contains("**Message:**"));
}

/// `git` in `dir` with a fixed identity; panics with git's output when it fails.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=evdoc test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A copy of `from` without its `.git`, as a release tarball unpacks.
fn copy_without_git(from: &Path, to: &Path) {
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(cp.success());
    std::fs::remove_dir_all(to.join(".git")).unwrap();
}

/// `evdoc render` in `dir` with its defaults (catalog discovered, `.` scanned, `docs/` written).
fn render_in(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    evdoc()
        .current_dir(dir)
        .args(["render", "--quiet"])
        .args(extra)
        .assert()
}

#[test]
fn render_check_holds_in_a_shallow_clone_a_copy_without_git_and_a_detached_head() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(
        project.join("evdoc.yaml"),
        "evdoc: 1\ninfo: {title: Ticker, version: '1'}\n\
         events:\n  tick: {direction: s2c, payload: {type: object}}\n",
    )
    .unwrap();
    let code = "const { Server } = require('socket.io');\nconst io = new Server(3000);\n\
                setInterval(() => io.emit('tick', {}), 1000);\n";
    std::fs::write(project.join("src/server.js"), code).unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "-q", "-m", "code"]);
    // The pages are rendered from `.` by default and say where `tick` is emitted.
    render_in(&project, &[]).success();
    let catalog_page =
        std::fs::read_to_string(project.join("docs/websocket-event-catalog.md")).unwrap();
    assert!(catalog_page.contains("src/server.js"), "{catalog_page}");
    git(&project, &["add", "docs"]);
    git(&project, &["commit", "-q", "-m", "docs"]);
    std::fs::write(project.join("NOTES.txt"), "unrelated\n").unwrap();
    git(&project, &["add", "NOTES.txt"]);
    git(&project, &["commit", "-q", "-m", "notes"]);
    render_in(&project, &["--check"]).success();

    // What actions/checkout does by default: one commit, whose history git cannot walk.
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", project.display());
    git(tmp.path(), &["clone", "-q", "--depth", "1", &url, "clone"]);
    render_in(&clone, &["--check"]).success();
    // A tarball: no git at all.
    let copy = tmp.path().join("copy");
    copy_without_git(&project, &copy);
    render_in(&copy, &["--check"]).success();
    // A detached HEAD at the commit that added the docs.
    git(&project, &["checkout", "-q", "--detach", "HEAD~1"]);
    render_in(&project, &["--check"]).success();
    // Rendering again without a change writes nothing, stamp included.
    render_in(&clone, &[]).success();
    let status = std::process::Command::new("git")
        .current_dir(&clone)
        .args(["status", "--porcelain"])
        .output()
        .unwrap();
    assert!(status.stdout.is_empty(), "{status:?}");

    // A real change still fails the check, in every checkout.
    for dir in [&clone, &copy] {
        std::fs::write(
            dir.join("src/server.js"),
            format!("{code}io.emit('tick', {{}});\n"),
        )
        .unwrap();
        evdoc()
            .current_dir(dir)
            .args(["render", "--check"])
            .assert()
            .code(1)
            .stderr(predicates::str::contains("websocket-event-catalog.md"));
    }
}

#[test]
fn render_no_scan_has_no_code_references_and_leaves_its_output_out_of_the_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("evdoc.yaml"),
        "evdoc: 1\ninfo: {title: T, version: '1'}\n\
         events:\n  tick: {direction: s2c, payload: {type: object}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("server.js"),
        "const io = require('socket.io')(3000);\nio.emit('tick', {});\n",
    )
    .unwrap();
    render_in(dir, &["--no-scan"]).success();
    let page = std::fs::read_to_string(dir.join("docs/websocket-event-catalog.md")).unwrap();
    assert!(!page.contains("server.js"), "{page}");
    // The output folders are not the project's code, even inside the scanned path.
    std::fs::write(dir.join("docs/snippet.js"), "socket.emit('tick', {});\n").unwrap();
    render_in(dir, &["--html", "site"]).success();
    let page = std::fs::read_to_string(dir.join("docs/websocket-event-catalog.md")).unwrap();
    assert!(page.contains("server.js"), "{page}");
    assert!(!page.contains("snippet.js"), "{page}");
    render_in(dir, &["--html", "site", "--check"]).success();
}
