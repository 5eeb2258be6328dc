//! `evdoc render`: the glue around `evdoc::render` — load the catalog, scan the code, ask git
//! which commit the code is at, build the book once, run the renderers asked for (Markdown
//! always, HTML with `--html`), each with code links from its own folder, then write (or
//! `--check`) the output folders, deleting stale generated files listed in the previous
//! manifest.

use super::{load_catalog, run_scan, ScanFlags, Ui, BAD_INPUT, FINDINGS, OK};
use clap::Args;
use evdoc::render::{
    self, Book, CodeLinks, HandWritten, HtmlRenderer, MarkdownRenderer, OutFile, Provenance,
    Renderer, MANIFEST,
};
use evdoc::scan::ScanResult;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// `evdoc render`.
#[derive(Args)]
pub struct RenderArgs {
    /// The catalog: a YAML file or a folder of them [default: the nearest `catalog/` or
    /// `evdoc.yaml` in the scanned path or a folder above it, else in the working directory].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Code to scan for code references (file:line of every emit and listen site) and for the
    /// stack the pages describe [default: .].
    #[arg(long, value_name = "PATH")]
    pub scan: Option<PathBuf>,
    /// Render from the catalog alone: no code references, the stack from the catalog.
    #[arg(long, conflicts_with = "scan")]
    pub no_scan: bool,
    /// Folder for the Markdown pages.
    #[arg(long, default_value = "docs")]
    pub out: PathBuf,
    /// Also write the HTML site to this folder.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Write nothing; exit 1 when the output would change (stale, missing or extra files).
    /// The "Last updated" stamp alone never counts as a change.
    #[arg(long)]
    pub check: bool,
    /// Repository URL (https://github.com/OWNER/REPO): code references become permalinks at
    /// the scanned commit instead of relative links.
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    /// Folder of templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Overwrite files that exist but were not written by `evdoc render`.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: ScanFlags,
}

impl RenderArgs {
    /// The code the pages describe: `--scan`, else `.`; none with `--no-scan`.
    fn code(&self) -> Option<PathBuf> {
        (!self.no_scan).then(|| self.scan.clone().unwrap_or_else(|| PathBuf::from(".")))
    }

    /// The output folders: the Markdown one, then the site's.
    fn out_dirs(&self) -> Vec<&Path> {
        std::iter::once(self.out.as_path())
            .chain(self.html.as_deref())
            .collect()
    }
}

/// One render: the book and the files of each output folder.
struct Rendered {
    book: Book,
    outputs: Vec<(PathBuf, Vec<OutFile>)>,
}

/// `evdoc render`.
pub fn render(ui: &Ui, a: RenderArgs) -> u8 {
    if let Some(site) = &a.html {
        if absolute(site).is_some() && absolute(site) == absolute(&a.out) {
            ui.error("--html needs its own folder, not the Markdown one (--out)");
            return BAD_INPUT;
        }
    }
    let code = a.code();
    let start = code.clone().unwrap_or_else(|| PathBuf::from("."));
    let Some(catalog_path) = super::discover::catalog(ui, a.catalog.as_deref(), &start) else {
        ui.error(
            "no catalog found (a `catalog/` folder or `evdoc.yaml` here or above the scanned \
             path); pass --catalog PATH, or run `evdoc init` to draft one",
        );
        return BAD_INPUT;
    };
    let Some(cat) = load_catalog(ui, &catalog_path) else {
        return BAD_INPUT;
    };
    let Ok(scan) = scan(ui, &a, code.as_deref(), &cat) else {
        return BAD_INPUT;
    };
    // Without a scan there is no code to date: only the catalog's history counts (the whole
    // folder's would make the pages stale on every commit).
    let fresh = provenance(code.as_deref(), &catalog_path, &a.out_dirs());
    let make = |p: &Provenance| -> Result<Rendered, render::RenderError> {
        let book = Book::new(&cat.catalog, scan.as_ref(), p);
        let outputs = renderers(&a, code.as_deref(), p)
            .into_iter()
            .map(|(dir, r)| r.render(&book).map(|files| (dir, files)))
            .collect::<Result<_, _>>()?;
        Ok(Rendered { book, outputs })
    };
    let rendered = match keep_recorded_stamp(&a, &fresh, &make) {
        Some(r) => Ok(r),
        None => make(&fresh),
    };
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            ui.error(e);
            return BAD_INPUT;
        }
    };
    let mut changed = 0;
    for (dir, files) in &rendered.outputs {
        match sync(ui, dir, files, a.check, a.force) {
            Ok(n) => changed += n,
            Err(e) => {
                ui.error(e);
                return BAD_INPUT;
            }
        }
    }
    report(ui, &a, &rendered.book, &rendered.outputs, changed)
}

/// The render at the stamp the output folders already carry, when that render is exactly what
/// they hold: then only the stamp would change, and the stamp alone is not a change. A shallow
/// clone (`actions/checkout`'s default), a tarball without `.git` or a rebased history dates the
/// code differently from the clone that rendered it; the pages are still true.
fn keep_recorded_stamp(
    a: &RenderArgs,
    fresh: &Provenance,
    make: &dyn Fn(&Provenance) -> Result<Rendered, render::RenderError>,
) -> Option<Rendered> {
    let manifest = std::fs::read_to_string(a.out.join(MANIFEST)).ok()?;
    let recorded = render::read_stamp(&manifest)?;
    if &recorded == fresh {
        return None;
    }
    let rendered = make(&recorded).ok()?;
    let unchanged = rendered
        .outputs
        .iter()
        .all(|(dir, files)| unchanged(dir, files));
    unchanged.then_some(rendered)
}

/// Whether `dir` holds exactly `files` (and no stale file of a previous render).
fn unchanged(dir: &Path, files: &[OutFile]) -> bool {
    let same = |f: &OutFile| {
        std::fs::read_to_string(dir.join(&f.path)).ok().as_deref() == Some(f.content.as_str())
    };
    // The manifest is among `files`: equal manifests mean no stale files either.
    files.iter().all(same)
}

/// The scan of the code the pages describe (none with `--no-scan`); `Err` once the error is
/// reported. The output folders are left out of it when they are inside the scanned path (the
/// site's own script is not the project's code).
fn scan(
    ui: &Ui,
    a: &RenderArgs,
    code: Option<&Path>,
    cat: &evdoc::catalog::LoadedCatalog,
) -> Result<Option<ScanResult>, ()> {
    let Some(p) = code else {
        return Ok(None);
    };
    if !p.exists() {
        ui.error(format!("`{}` does not exist", p.display()));
        return Err(());
    }
    let mut flags = a.flags.clone();
    for dir in a.out_dirs() {
        let rel = relative(p, dir);
        if !rel.is_empty() && !rel.starts_with("../") {
            flags.exclude.push(format!("{rel}**"));
        }
    }
    run_scan(ui, p, &flags, Some(cat)).map(Some).ok_or(())
}

/// The renderers asked for, each with its output folder: Markdown always, the site with
/// `--html`. Code references link from each renderer's own folder to the scanned code (or are
/// permalinks with `--repo-url`).
fn renderers(
    a: &RenderArgs,
    code: Option<&Path>,
    provenance: &Provenance,
) -> Vec<(PathBuf, Box<dyn Renderer>)> {
    let code_root = code
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let repo_path = git_toplevel(&code_root)
        .map(|top| relative(&top, &code_root))
        .unwrap_or_default();
    let hand_written = hand_written_pages(&a.out);
    let markdown = |dir: &Path| MarkdownRenderer {
        links: CodeLinks::new(
            &relative(dir, &code_root),
            a.repo_url.as_deref(),
            &repo_path,
            &provenance.commit,
        ),
        templates: a.templates.clone(),
        hand_written: hand_written
            .iter()
            .filter(|p| p.path.ends_with(".md"))
            .map(|p| HandWritten::read(&p.path, &p.content))
            .collect(),
    };
    let mut renderers: Vec<(PathBuf, Box<dyn Renderer>)> =
        vec![(a.out.clone(), Box::new(markdown(&a.out)))];
    if let Some(site) = &a.html {
        let html = HtmlRenderer {
            markdown: markdown(site),
            extra: hand_written.clone(),
        };
        renderers.push((site.clone(), Box::new(html)));
    }
    renderers
}

/// The closing note (or, with `--check`, the verdict) and the exit code.
fn report(
    ui: &Ui,
    a: &RenderArgs,
    book: &Book,
    outputs: &[(PathBuf, Vec<OutFile>)],
    changed: usize,
) -> u8 {
    if a.check {
        if changed > 0 {
            ui.error(format!(
                "{changed} generated file(s) out of date; run `evdoc render` without --check"
            ));
            return FINDINGS;
        }
        ui.note("generated documentation is up to date");
    } else {
        let dirs: Vec<String> = outputs
            .iter()
            .map(|(d, _)| d.display().to_string())
            .collect();
        ui.note(format!(
            "rendered {} events into {} ({changed} file(s) changed)",
            book.event_count,
            dirs.join(" and ")
        ));
    }
    OK
}

/// Markdown files in the output folder that render does not generate (`catalog-format.md`):
/// the site includes them so that the index's links to them work.
fn hand_written_pages(out: &Path) -> Vec<OutFile> {
    // A page an earlier render wrote (in its manifest) is not hand-written, even if this render
    // no longer makes it: it is about to be deleted as stale.
    let earlier: Vec<String> = std::fs::read_to_string(out.join(MANIFEST))
        .map(|m| render::read_manifest(&m))
        .unwrap_or_default();
    let generated = |name: &str| {
        render::templates::PAGES.iter().any(|(f, _, _)| *f == name)
            || earlier.iter().any(|e| e == name)
    };
    let Ok(rd) = std::fs::read_dir(out) else {
        return vec![];
    };
    let mut pages: Vec<OutFile> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            // Pages, and the SVG images they show (copied into the site as mdBook copies its
            // assets; only text formats, which is what the site's files are).
            if !(name.ends_with(".md") || name.ends_with(".svg")) || generated(&name) {
                return None;
            }
            let content = std::fs::read_to_string(e.path()).ok()?;
            Some(OutFile {
                path: name,
                content,
            })
        })
        .collect();
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    pages
}

/// A manifest path that stays inside the output folder.
fn safe_rel(p: &str) -> bool {
    let path = Path::new(p);
    !p.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Write `files` into `dir` (or compare, with `check`); delete generated files of the previous
/// render that are gone. Returns how many files changed (or would).
fn sync(ui: &Ui, dir: &Path, files: &[OutFile], check: bool, force: bool) -> Result<usize, String> {
    let old_manifest = std::fs::read_to_string(dir.join(MANIFEST)).ok();
    let previous: Vec<String> = old_manifest
        .as_deref()
        .map(render::read_manifest)
        .unwrap_or_default();
    let mut changed = 0;
    for f in files {
        let path = dir.join(&f.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(f.content.as_str()) {
            continue;
        }
        let ours = f.path == MANIFEST || previous.iter().any(|p| p == &f.path);
        if current.is_some() && !ours && !force && !check {
            return Err(format!(
                "`{}` exists and was not written by `evdoc render`; move it away or pass --force",
                path.display()
            ));
        }
        changed += 1;
        if check {
            let what = if current.is_some() {
                "out of date"
            } else {
                "missing"
            };
            ui.note(format!("{what}: {}", path.display()));
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&path, &f.content)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    for p in previous {
        if files.iter().any(|f| f.path == p) || !safe_rel(&p) {
            continue;
        }
        let path = dir.join(&p);
        if !path.is_file() {
            continue;
        }
        changed += 1;
        if check {
            ui.note(format!("stale: {}", path.display()));
        } else {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot delete stale `{}`: {e}", path.display()))?;
        }
    }
    Ok(changed)
}

/// The last commit that changed the scanned code or the catalog, with its committer date, so
/// that rendering the same code twice gives the same pages (and `--check` stays green until the
/// code or the contract changes). Empty when git or the history is unavailable.
fn provenance(code: Option<&Path>, catalog: &Path, outputs: &[&Path]) -> Provenance {
    let Some(cat) = absolute(catalog) else {
        return Provenance::default();
    };
    let code = code.and_then(absolute);
    let anchor = code.clone().unwrap_or_else(|| cat.clone());
    let dir = if anchor.is_dir() {
        anchor
    } else {
        anchor.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(&dir)
        .args(["log", "-1", "--format=%H%n%cs", "--"])
        .arg(&cat);
    if let Some(code) = &code {
        cmd.arg(code);
        // The generated pages are not the code they describe: committing them must not
        // re-date them.
        for out in outputs {
            let rel = relative(&dir, out);
            if !rel.is_empty() && !rel.starts_with("../") {
                cmd.arg(format!(":(exclude){rel}"));
            }
        }
    }
    let out = cmd.output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut lines = text.lines();
            Provenance {
                commit: lines.next().unwrap_or_default().trim().to_string(),
                date: lines.next().unwrap_or_default().trim().to_string(),
            }
        }
        _ => Provenance::default(),
    }
}

fn git_toplevel(code: &Path) -> Option<PathBuf> {
    let code = absolute(code)?;
    let dir = if code.is_dir() {
        code
    } else {
        code.parent()?.to_path_buf()
    };
    let o = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .and_then(|p| absolute(&p))
}

/// An absolute path with `.` and `..` resolved lexically (the folder may not exist yet), and
/// symlinks resolved for the part that exists.
fn absolute(p: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(p).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    // Canonicalise the longest existing prefix so /tmp → /private/tmp style links agree.
    let mut existing = out.clone();
    let mut rest = vec![];
    while !existing.exists() {
        rest.push(existing.file_name()?.to_os_string());
        existing.pop();
    }
    let mut canon = std::fs::canonicalize(&existing).ok()?;
    for r in rest.into_iter().rev() {
        canon.push(r);
    }
    Some(canon)
}

/// The `/`-separated relative path from folder `from` to folder `to`, ending in `/` (or empty
/// when they are the same): the prefix that turns a scan path into a link from `from`.
fn relative(from: &Path, to: &Path) -> String {
    let (Some(from), Some(to)) = (absolute(from), absolute(to)) else {
        return String::new();
    };
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        String::new()
    } else {
        parts.join("/") + "/"
    }
}
