//! `evdoc scan`: print every event site.

use super::{broken_pipe_or, run_scan, ScanFlags, Ui, BAD_INPUT, OK};
use clap::Args;
use evdoc::catalog;
use evdoc::scan::output;
use std::io::Write;
use std::path::PathBuf;

/// `evdoc scan`.
#[derive(Args)]
pub struct ScanArgs {
    /// Folder or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = output::Format::Table)]
    pub format: output::Format,
    /// Catalog whose `scan:` settings (server/client/exclude globs, wrappers) apply [default:
    /// the nearest `catalog/` or `evdoc.yaml` in PATH or a folder above it, else in the working
    /// directory; none when there is none].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Explain the sites at FILE:LINE: how each was found and what decided its side.
    #[arg(long, value_name = "FILE:LINE")]
    pub explain: Option<String>,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// `evdoc scan`.
pub fn scan(ui: &Ui, a: ScanArgs) -> u8 {
    // The catalog is optional here: its scan settings apply only when it exists and loads.
    let cat = super::discover::catalog(ui, a.catalog.as_deref(), &a.path)
        .filter(|p| p.exists())
        .and_then(|p| catalog::load(&p).ok());
    let Some(result) = run_scan(ui, &a.path, &a.flags, cat.as_ref()) else {
        return BAD_INPUT;
    };
    if let Some(at) = &a.explain {
        return explain(ui, &result, at);
    }
    // stdout is line-buffered; a big scan prints tens of thousands of lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if let Err(e) = output::write(a.format, &result, &mut out).and_then(|_| out.flush()) {
        return broken_pipe_or(ui, e);
    }
    // The process ends now: freeing every site one by one would only delay the exit.
    std::mem::forget(result);
    OK
}

/// `--explain FILE:LINE`: each site there, how it was found, and the evidence for its side.
fn explain(ui: &Ui, result: &evdoc::scan::ScanResult, at: &str) -> u8 {
    let Some((file, line)) = at
        .rsplit_once(':')
        .and_then(|(f, l)| Some((f.replace('\\', "/"), l.parse::<u32>().ok()?)))
    else {
        ui.error(format!("--explain takes FILE:LINE, not `{at}`"));
        return BAD_INPUT;
    };
    let file = file.trim_start_matches("./");
    let sites: Vec<_> = result
        .sites
        .iter()
        .filter(|s| {
            s.line == line
                && (s.file == file
                    || file.ends_with(&format!("/{}", s.file))
                    || s.file.ends_with(&format!("/{file}")))
        })
        .collect();
    if sites.is_empty() {
        ui.error(format!(
            "no site at {file}:{line} (the scan reports {} sites)",
            result.sites.len()
        ));
        return BAD_INPUT;
    }
    let mut out = String::new();
    for s in sites {
        out.push_str(&output::explain(s));
    }
    print!("{out}");
    OK
}
