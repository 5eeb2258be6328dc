//! `evdoc import <format> FILE`: a catalog from another tool's document, written like `init`
//! writes one (never over an existing catalog without --force).

use super::{Ui, BAD_INPUT, OK};
use anstream::println;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `evdoc import`.
#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
}

/// What to import from.
#[derive(Subcommand)]
pub enum Source {
    /// An AsyncAPI 2.6 or 3.0 document (YAML or JSON); what the catalog cannot hold is listed.
    #[command(
        after_help = "Examples:\n  evdoc import asyncapi asyncapi.yaml                  write ./catalog/\n  evdoc import asyncapi api.json --out api/catalog/\n  evdoc import asyncapi asyncapi.yaml --force          overwrite an existing catalog\n\nEverything the catalog cannot hold (bindings, headers, correlation ids, other servers…)\nis printed as a warning and listed at the top of the written evdoc.yaml."
    )]
    Asyncapi(FileArgs),
}

/// The document and where the catalog goes.
#[derive(Args)]
pub struct FileArgs {
    /// The AsyncAPI document.
    pub file: PathBuf,
    /// Where to write the catalog.
    #[arg(long, default_value = "catalog")]
    pub out: PathBuf,
    /// Overwrite existing catalog files.
    #[arg(long)]
    pub force: bool,
}

/// `evdoc import`.
pub fn import(ui: &Ui, a: ImportArgs) -> u8 {
    let Source::Asyncapi(f) = a.source;
    let shown = f.file.display().to_string();
    let text = match std::fs::read(&f.file).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            ui.error(format!(
                "`{shown}` is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ));
            return BAD_INPUT;
        }
        Err(e) => {
            ui.error(format!("cannot read `{shown}`: {e}"));
            return BAD_INPUT;
        }
    };
    let imported = match evdoc::import::asyncapi::import(&shown, &text) {
        Ok(i) => i,
        Err(e) => {
            ui.error(e);
            return BAD_INPUT;
        }
    };
    let source = format!("`{shown}` (AsyncAPI {})", imported.version);
    let files = match evdoc::import::files(&imported.catalog, &source, &imported.dropped) {
        Ok(f) => f,
        Err(e) => {
            ui.error(format!("cannot write the catalog: {e}"));
            return BAD_INPUT;
        }
    };
    match evdoc::init::write(&f.out, &files, f.force) {
        Ok(written) => {
            for d in &imported.dropped {
                ui.note(format!("warning: dropped {d}"));
            }
            ui.note(format!(
                "Wrote {} files to `{}` with {} events from {source}; {} things dropped (listed at the top of evdoc.yaml).",
                written.len(),
                f.out.display(),
                imported.catalog.events.len(),
                imported.dropped.len()
            ));
            println!("{}", f.out.display());
            OK
        }
        Err(e) => {
            ui.error(e);
            BAD_INPUT
        }
    }
}
