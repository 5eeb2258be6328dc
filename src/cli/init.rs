//! `evdoc init`: draft a catalog from the scan.

use super::{run_scan, ScanFlags, Ui, BAD_INPUT, OK};
use anstream::println;
use clap::Args;
use std::path::PathBuf;

/// `evdoc init`.
#[derive(Args)]
pub struct InitArgs {
    /// Folder or file holding the code.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write the catalog [default: `catalog/` in PATH (where `check PATH` finds it)].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite existing catalog files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// `evdoc init`.
pub fn init(ui: &Ui, a: InitArgs) -> u8 {
    if !a.path.exists() {
        ui.error(format!("`{}` does not exist", a.path.display()));
        return BAD_INPUT;
    }
    let Some(result) = run_scan(ui, &a.path, &a.flags, None) else {
        return BAD_INPUT;
    };
    let title = std::fs::canonicalize(&a.path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map_or_else(
            || "Realtime API".to_owned(),
            |n| format!("{n} realtime API"),
        );
    let files = evdoc::init::draft(&result, &title);
    let out = a.out.clone().unwrap_or_else(|| {
        let dir = if a.path.is_file() {
            a.path.parent().unwrap_or(std::path::Path::new("."))
        } else {
            a.path.as_path()
        };
        dir.join("catalog")
    });
    match evdoc::init::write(&out, &files, a.force) {
        Ok(written) => {
            let events = result
                .sites
                .iter()
                .filter_map(|s| s.event.as_deref())
                .filter(|e| !evdoc::vocab::is_reserved(e))
                .collect::<std::collections::HashSet<_>>()
                .len();
            ui.note(format!(
                "Wrote {} files to `{}` with {events} events from {} sites.",
                written.len(),
                out.display(),
                result.sites.len()
            ));
            println!("{}", out.display());
            OK
        }
        Err(e) => {
            ui.error(e);
            BAD_INPUT
        }
    }
}
