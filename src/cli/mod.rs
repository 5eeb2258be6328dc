//! Argument definitions and the glue from parsed arguments to library calls: reading inputs,
//! choosing stdout/stderr, colours, progress and exit codes.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 unusable input or usage.

mod check;
mod diff;
mod discover;
mod export;
mod import;
mod init;
mod lint;
#[cfg(feature = "serve")]
mod proxy;
mod render;
mod scan;
#[cfg(feature = "serve")]
mod serve;
mod validate;

pub use check::check;
pub use diff::diff;
pub use export::export;
pub use import::import;
pub use init::init;
pub use lint::lint;
#[cfg(feature = "serve")]
pub use proxy::proxy;
pub use render::render;
pub use scan::scan;
#[cfg(feature = "serve")]
pub use serve::serve;
pub use validate::validate;

use anstream::eprintln;
use clap::{Args, Parser, Subcommand, ValueEnum};
use evdoc::catalog::{self, LoadedCatalog};
use evdoc::check::report;
use evdoc::scan::{ScanOptions, ScanResult};
use evdoc::vocab::diagnostic::Severity;
use std::io::IsTerminal;
use std::path::Path;
use std::path::PathBuf;

/// Exit code for clean runs.
pub(crate) const OK: u8 = 0;
/// Exit code when findings reach `--fail-on`.
pub(crate) const FINDINGS: u8 = 1;
/// Exit code for unusable input.
pub(crate) const BAD_INPUT: u8 = 2;

/// Keeps Socket.IO event APIs honest: one YAML catalog is the contract; evdoc scans JS/TS and Rust
/// code for every emit and listen site and checks the code against the catalog.
#[derive(Parser)]
#[command(name = "evdoc", version, about, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  evdoc scan src/                      list every event site\n  evdoc init . --out catalog/          draft a catalog from the code\n  evdoc check . --catalog catalog/     fail the build when code and catalog drift\n  evdoc lint --catalog catalog/        check the catalog alone\n  evdoc diff git:main:catalog catalog  breaking changes since main"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Args)]
pub struct Global {
    /// Print only data and errors: no progress, no summaries on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// When to use colours (NO_COLOR in the environment means never).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// List every Socket.IO event site (event, direction, side, file, line, room).
    #[command(
        after_help = "Examples:\n  evdoc scan                         scan the current folder, as a table\n  evdoc scan src/ --format json       the stable JSON contract (README.md, \"Scan JSON\")\n  evdoc scan . --explain src/chat.js:12  how the site at that line was found and placed\n  evdoc scan . --format markdown      a Markdown table per domain\n  evdoc scan . --format csv > events.csv\n  evdoc scan vendor/ --no-ignore      also read ignored files and node_modules"
    )]
    Scan(scan::ScanArgs),
    /// Compare the code with the catalog and exit 1 on findings.
    #[command(after_help = check::after_help(false), after_long_help = check::after_help(true))]
    Check(check::CheckArgs),
    /// Draft a starter catalog from the code (never overwrites without --force).
    #[command(
        after_help = "Examples:\n  evdoc init                      scan ./ and write ./catalog/\n  evdoc init src/ --out api/      scan src/ and write api/\n  evdoc init . --force            overwrite an existing catalog"
    )]
    Init(init::InitArgs),
    /// Check the catalog alone: YAML, schemas, examples, references, naming.
    #[command(
        after_help = "Examples:\n  evdoc lint\n  evdoc lint --catalog api/catalog.yaml --format json"
    )]
    Lint(lint::LintArgs),
    /// Render the documentation (Markdown, and an offline HTML site) from the catalog and the scan.
    #[command(
        after_help = "Examples:\n  evdoc render --catalog catalog --scan . --out docs\n  evdoc render --catalog catalog --scan . --out docs --html site\n  evdoc render --catalog catalog --scan . --out docs --check     exit 1 when docs/ is stale\n  evdoc render --scan . --repo-url https://github.com/o/r        permalinks at the scanned commit\n\nThe \"Last updated\" date and commit are those of the last commit that changed the scanned\ncode or the catalog, so the output only changes when they do."
    )]
    Render(render::RenderArgs),
    /// Export the catalog to another tool's format (AsyncAPI 3.0).
    #[command(
        after_help = "Examples:\n  evdoc export asyncapi -o asyncapi.yaml          AsyncAPI 3.0.0 (YAML; --format json)\n  evdoc export asyncapi --catalog api/ | less"
    )]
    Export(export::ExportArgs),
    /// Write a catalog from another tool's document (AsyncAPI 2.6 or 3.0), listing what it drops.
    #[command(
        after_help = "Examples:\n  evdoc import asyncapi asyncapi.yaml --out catalog/\n  evdoc import asyncapi api.json --out catalog/ --force"
    )]
    Import(import::ImportArgs),
    /// Compare two catalogs and classify every change as breaking or not for old clients.
    #[command(after_help = diff::AFTER_HELP)]
    Diff(diff::DiffArgs),
    /// Check captured traffic (JSON records or Socket.IO packets) against the catalog.
    #[command(after_help = validate::AFTER_HELP)]
    Validate(validate::ValidateArgs),
    /// Run a Socket.IO server that enforces the catalog (auth, rooms, schemas) for staging.
    #[cfg(feature = "serve")]
    #[command(
        after_help = "Examples:\n  evdoc serve --catalog catalog/ --sessions sessions.json --publish-token $TOKEN\n  evdoc serve --mock                      answer replies from catalog examples\n  evdoc serve --forward http://127.0.0.1:8080/events\n  evdoc serve --redis redis://127.0.0.1:6379   a cluster node: rooms and publishes shared\n  evdoc serve --sessions redis://127.0.0.1:6379 --session-secret $SECRET\n                                          express-session + connect-redis sessions\n\nClients connect with socket.io-client and send the session id in `auth.sessionId`.\nPublish a server event:\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:3000/v1/publish \\\n    -d '{\"event\":\"trade:update\",\"room\":\"user:u-1\",\"payload\":{...}}'\nMetrics: GET /metrics (Prometheus), health: GET /healthz."
    )]
    Serve(serve::ServeArgs),
    /// Put the catalog between clients and your own Socket.IO server: both directions checked.
    #[cfg(feature = "serve")]
    #[command(after_help = proxy::AFTER_HELP)]
    Proxy(proxy::ProxyArgs),
}

/// Options shared by commands that scan.
#[derive(Args, Clone)]
pub struct ScanFlags {
    /// Also read files ignored by .gitignore, hidden files and dependency folders (node_modules…).
    #[arg(long)]
    pub no_ignore: bool,
    /// Glob of files to leave out (repeatable), relative to PATH.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
}

/// Options of commands that report findings.
#[derive(Args)]
pub struct ReportFlags {
    /// The catalog: a YAML file or a folder of them [default: the nearest `catalog/` or
    /// `evdoc.yaml` in PATH or a folder above it, else in the working directory].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = report::Format::Text)]
    pub format: report::Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// Severity threshold for the exit code.
#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// Only errors fail.
    Error,
    /// Warnings and errors fail.
    Warning,
    /// Every finding fails.
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// How to talk to the user: colours, quietness, progress.
pub struct Ui {
    quiet: bool,
    pub(crate) color: bool,
}

impl Ui {
    /// Decide colours from the flag, NO_COLOR and whether stdout is a terminal.
    pub fn new(g: &Global) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        match g.color {
            ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
            ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
            ColorChoice::Auto => {}
        }
        Ui {
            quiet: g.quiet,
            color,
        }
    }

    pub(crate) fn error(&self, msg: impl std::fmt::Display) {
        let style = anstyle::AnsiColor::Red.on_default().bold();
        eprintln!("{style}error{style:#}: {msg}");
    }

    pub(crate) fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A file counter on stderr, only when stderr is a terminal and not quiet.
    pub(crate) fn progress(&self) -> Option<indicatif::ProgressBar> {
        if self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} scanning… {pos} files")
                .expect("valid template"),
        );
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(pb)
    }
}

/// Load the catalog, printing every error; `None` when it is unusable.
pub(crate) fn load_catalog(ui: &Ui, path: &Path) -> Option<LoadedCatalog> {
    match catalog::load(path) {
        Ok(c) => Some(c),
        Err(errors) => {
            for e in &errors.0 {
                ui.error(e);
            }
            None
        }
    }
}

/// Scan with a progress bar; prints the error and returns `None` on unusable input.
pub(crate) fn run_scan(
    ui: &Ui,
    path: &Path,
    flags: &ScanFlags,
    cat: Option<&LoadedCatalog>,
) -> Option<ScanResult> {
    let mut opts = ScanOptions {
        no_ignore: flags.no_ignore,
        exclude: flags.exclude.clone(),
        threads: flags.threads,
        ..ScanOptions::default()
    };
    if let Some(c) = cat {
        let s = &c.catalog.scan;
        opts.exclude.extend(s.exclude.iter().cloned());
        opts.server = s.server.clone();
        opts.client = s.client.clone();
        opts.wrappers = s
            .wrappers
            .iter()
            .map(evdoc::scan::wrappers::Wrapper::declared)
            .collect();
    }
    let pb = ui.progress();
    let tick = |n: usize| {
        if let Some(pb) = &pb {
            pb.set_position(n as u64);
        }
    };
    let result = evdoc::scan::scan(path, &opts, Some(&tick));
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    match result {
        Ok(r) => {
            if r.files_scanned == 0 {
                ui.note(format!(
                    "warning: no JS, TS or Rust files found under `{}`",
                    path.display()
                ));
            }
            Some(r)
        }
        Err(e) => {
            ui.error(e);
            None
        }
    }
}

pub(crate) fn broken_pipe_or(ui: &Ui, e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        OK
    } else {
        ui.error(format!("cannot write output: {e}"));
        BAD_INPUT
    }
}
