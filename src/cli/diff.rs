//! `evdoc diff`: load both catalogs (disk or `git:REV:path`), compare, write the report, and
//! exit 1 on a breaking change unless `--allow-breaking`.

use super::{broken_pipe_or, Ui, BAD_INPUT, FINDINGS, OK};
use clap::Args;
use evdoc::diff::report::{self, Format, Meta};
use evdoc::diff::source::{self, Source, SourceError};
use std::io::Write;
use std::path::Path;

/// `evdoc diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The old catalog: a folder, a YAML file, or `git:REV:path` (path from the repository's
    /// root, read at revision REV without a checkout).
    pub old: String,
    /// The new catalog, in the same forms [default: the catalog `lint` would read: `catalog/`
    /// or `evdoc.yaml` here or in a folder above].
    pub new: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 0 even when a change breaks old clients (the report still says so).
    #[arg(long)]
    pub allow_breaking: bool,
}

/// Examples for `evdoc diff --help`.
pub(crate) const AFTER_HELP: &str = "Examples:
  evdoc diff git:main:catalog catalog/          this branch's catalog against main's
  evdoc diff git:main:catalog                   the same, NEW found as `lint` finds it
  evdoc diff old/evdoc.yaml new/evdoc.yaml --format json
  evdoc diff git:origin/main:catalog catalog --format markdown > comment.md
  evdoc diff git:v2.3.0:catalog catalog --format github   annotations on the new catalog
  evdoc diff git:HEAD~1:catalog catalog --allow-breaking  report, but exit 0

Exit codes: 0 no breaking change (or --allow-breaking), 1 a breaking change, 2 a catalog or
revision that cannot be read. The rules and what they mean: docs/compatibility.md.";

/// `evdoc diff`.
pub fn diff(ui: &Ui, a: DiffArgs) -> u8 {
    let new_arg = match a.new.clone() {
        Some(n) => n,
        None => match super::discover::catalog(ui, None, Path::new(".")) {
            Some(p) => p.display().to_string().replace('\\', "/"),
            None => {
                ui.error("no NEW catalog given and none found (`catalog/` or `evdoc.yaml` here or above)\n  help: pass NEW, such as `catalog/`");
                return BAD_INPUT;
            }
        },
    };
    let (Some(old), Some(new)) = (load(ui, &a.old), load(ui, &new_arg)) else {
        return BAD_INPUT;
    };
    let changes = evdoc::diff::diff(&old, &new);
    let meta = Meta {
        old: &a.old,
        new: &new_arg,
        color: ui.color && a.format == Format::Text,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(e) = report::write(a.format, &changes, &meta, &mut out).and_then(|_| out.flush()) {
        return broken_pipe_or(ui, e);
    }
    if a.format != Format::Text {
        ui.note(report::summary(&changes));
    }
    if changes.iter().any(|c| c.is_breaking()) && !a.allow_breaking {
        FINDINGS
    } else {
        OK
    }
}

/// Load one side, printing every error; `None` when it cannot be read.
fn load(ui: &Ui, arg: &str) -> Option<evdoc::catalog::LoadedCatalog> {
    match source::load(&Source::parse(arg), Path::new(".")) {
        Ok(c) => Some(c),
        Err(SourceError::Catalog(errors)) => {
            for e in &errors.0 {
                ui.error(e);
            }
            None
        }
        Err(e) => {
            ui.error(e);
            None
        }
    }
}
