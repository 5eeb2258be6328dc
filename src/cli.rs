//! Argument definitions and the glue from parsed arguments to library calls: reading inputs,
//! choosing stdout/stderr, colours, progress and exit codes.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 unusable input or usage.

use anstream::{eprintln, println};
use clap::{Args, Parser, Subcommand, ValueEnum};
use evdoc::catalog::{self, LoadedCatalog};
use evdoc::check::{self, report, suppress::Baseline, CheckOptions, Finding};
use evdoc::diagnostic::Severity;
use evdoc::scan::{self, output, ScanOptions, ScanResult};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit code for clean runs.
const OK: u8 = 0;
/// Exit code when findings reach `--fail-on`.
const FINDINGS: u8 = 1;
/// Exit code for unusable input.
const BAD_INPUT: u8 = 2;

/// Keeps Socket.IO event APIs honest: one YAML catalog is the contract; evdoc scans JS/TS and Rust
/// code for every emit and listen site and checks the code against the catalog.
#[derive(Parser)]
#[command(name = "evdoc", version, about, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  evdoc scan src/                      list every event site\n  evdoc init . --out catalog/          draft a catalog from the code\n  evdoc check . --catalog catalog/     fail the build when code and catalog drift\n  evdoc lint --catalog catalog/        check the catalog alone"
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
        after_help = "Examples:\n  evdoc scan                         scan the current folder, as a table\n  evdoc scan src/ --format json       the stable JSON contract (see DESIGN.md)\n  evdoc scan . --format markdown      a Markdown table per domain\n  evdoc scan . --format csv > events.csv\n  evdoc scan vendor/ --no-ignore      also read ignored files and node_modules"
    )]
    Scan(ScanArgs),
    /// Compare the code with the catalog and exit 1 on findings.
    #[command(
        after_help = "Examples:\n  evdoc check                                   ./ against ./catalog/\n  evdoc check examples/trading-app --catalog catalog/\n  evdoc check . --format github                 annotations in GitHub Actions\n  evdoc check . --format sarif > evdoc.sarif    for code scanning\n  evdoc check . --write-baseline .evdoc-baseline.json\n  evdoc check . --baseline .evdoc-baseline.json only new findings\n\nSuppress a finding with a comment on the line above it:\n  // evdoc-ignore EV001\n\nRules: EV001 undocumented-event, EV002 stale-event, EV003 direction-mismatch,\nEV004 one-sided-event, EV006 room-mismatch, EV007 naming-convention,\nEV008 catalog-lint, EV009 dynamic-event."
    )]
    Check(CheckArgs),
    /// Draft a starter catalog from the code (never overwrites without --force).
    #[command(
        after_help = "Examples:\n  evdoc init                      scan ./ and write ./catalog/\n  evdoc init src/ --out api/      scan src/ and write api/\n  evdoc init . --force            overwrite an existing catalog"
    )]
    Init(InitArgs),
    /// Check the catalog alone: YAML, schemas, examples, references, naming.
    #[command(
        after_help = "Examples:\n  evdoc lint\n  evdoc lint --catalog api/catalog.yaml --format json"
    )]
    Lint(LintArgs),
}

/// Options shared by commands that scan.
#[derive(Args)]
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

/// `evdoc scan`.
#[derive(Args)]
pub struct ScanArgs {
    /// Folder or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = output::Format::Table)]
    pub format: output::Format,
    /// Catalog whose `scan:` settings (server/client/exclude globs) apply, if it exists.
    #[arg(long, default_value = "catalog")]
    pub catalog: PathBuf,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// `evdoc check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Folder or file holding the code.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The catalog: a YAML file or a folder of them.
    #[arg(long, default_value = "catalog")]
    pub catalog: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = report::Format::Text)]
    pub format: report::Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as the baseline and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Write the report to a file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// `evdoc init`.
#[derive(Args)]
pub struct InitArgs {
    /// Folder or file holding the code.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write the catalog.
    #[arg(long, default_value = "catalog")]
    pub out: PathBuf,
    /// Overwrite existing catalog files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// `evdoc lint`.
#[derive(Args)]
pub struct LintArgs {
    /// The catalog: a YAML file or a folder of them.
    #[arg(long, default_value = "catalog")]
    pub catalog: PathBuf,
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
    color: bool,
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

    fn error(&self, msg: impl std::fmt::Display) {
        let style = anstyle::AnsiColor::Red.on_default().bold();
        eprintln!("{style}error{style:#}: {msg}");
    }

    fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A file counter on stderr, only when stderr is a terminal and not quiet.
    fn progress(&self) -> Option<indicatif::ProgressBar> {
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
fn load_catalog(ui: &Ui, path: &Path) -> Option<LoadedCatalog> {
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
fn run_scan(
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
    }
    let pb = ui.progress();
    let tick = |n: usize| {
        if let Some(pb) = &pb {
            pb.set_position(n as u64);
        }
    };
    let result = scan::scan(path, &opts, Some(&tick));
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

/// `evdoc scan`.
pub fn scan(ui: &Ui, a: ScanArgs) -> u8 {
    // The catalog is optional here: its scan settings apply only when it exists and loads.
    let cat = a
        .catalog
        .exists()
        .then(|| catalog::load(&a.catalog).ok())
        .flatten();
    let Some(result) = run_scan(ui, &a.path, &a.flags, cat.as_ref()) else {
        return BAD_INPUT;
    };
    // stdout is line-buffered; a big scan prints tens of thousands of lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if let Err(e) = output::write(a.format, &result, &mut out).and_then(|_| out.flush()) {
        return broken_pipe_or(ui, e);
    }
    OK
}

fn broken_pipe_or(ui: &Ui, e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        OK
    } else {
        ui.error(format!("cannot write output: {e}"));
        BAD_INPUT
    }
}

fn write_report(
    ui: &Ui,
    format: report::Format,
    findings: &[Finding],
    code_root: &Path,
    files: usize,
    output: Option<&Path>,
) -> Result<(), u8> {
    let ctx = report::ReportContext {
        code_root,
        catalog_root: Path::new("."),
        color: ui.color && output.is_none() && format == report::Format::Text,
        tool_version: env!("CARGO_PKG_VERSION"),
        files_scanned: files,
    };
    let result = match output {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut f| report::write(format, findings, &ctx, &mut f)),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            report::write(format, findings, &ctx, &mut out).and_then(|_| out.flush())
        }
    };
    result.map_err(|e| broken_pipe_or(ui, e))
}

/// `root/file` as the user would type it: `/`-separated, without a leading `./`.
fn shown_path(root: &Path, file: &str) -> String {
    let joined = root.join(file).to_string_lossy().replace('\\', "/");
    joined
        .strip_prefix("./")
        .map(str::to_owned)
        .unwrap_or(joined)
}

fn code_root(path: &Path) -> PathBuf {
    if path.is_file() {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    } else {
        path.to_path_buf()
    }
}

/// `evdoc check`.
pub fn check(ui: &Ui, a: CheckArgs) -> u8 {
    for id in a.select.iter().chain(&a.ignore) {
        if check::rules::by_id(id).is_none() {
            ui.error(format!("unknown rule `{id}` (rules are EV001 to EV009)"));
            return BAD_INPUT;
        }
    }
    let Some(cat) = load_catalog(ui, &a.catalog) else {
        return BAD_INPUT;
    };
    if !a.path.exists() {
        ui.error(format!("`{}` does not exist", a.path.display()));
        return BAD_INPUT;
    }
    let baseline = match &a.baseline {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Baseline>(&t).map_err(|e| e.to_string()))
        {
            Ok(b) => Some(b),
            Err(e) => {
                ui.error(format!("cannot read baseline `{}`: {e}", p.display()));
                return BAD_INPUT;
            }
        },
    };
    let Some(result) = run_scan(ui, &a.path, &a.flags, Some(&cat)) else {
        return BAD_INPUT;
    };
    let root = code_root(&a.path);
    let opts = CheckOptions {
        select: a.select.clone(),
        ignore: a.ignore.clone(),
    };
    let mut findings = check::check(&cat, &result, &root, &opts);
    // Reports and baselines name code by its path from the working directory, like the catalog, so that
    // editors, GitHub annotations and SARIF viewers resolve both the same way.
    for f in &mut findings {
        if let Some(loc) = f.code.as_mut() {
            loc.file = shown_path(&root, &loc.file);
        }
    }
    if let Some(path) = &a.write_baseline {
        let text =
            serde_json::to_string_pretty(&Baseline::of(&findings)).expect("baseline serialises");
        if let Err(e) = std::fs::write(path, text + "\n") {
            ui.error(format!("cannot write baseline `{}`: {e}", path.display()));
            return BAD_INPUT;
        }
        ui.note(format!(
            "Recorded {} findings in `{}`.",
            findings.len(),
            path.display()
        ));
        return OK;
    }
    if let Some(b) = &baseline {
        let before = findings.len();
        findings = b.filter(findings);
        ui.note(format!(
            "{} findings accepted by the baseline.",
            before - findings.len()
        ));
    }
    if let Err(code) = write_report(
        ui,
        a.format,
        &findings,
        Path::new("."),
        result.files_scanned,
        a.output.as_deref(),
    ) {
        return code;
    }
    if check::fails(&findings, a.fail_on.into()) {
        FINDINGS
    } else {
        OK
    }
}

/// `evdoc lint`.
pub fn lint(ui: &Ui, a: LintArgs) -> u8 {
    let Some(cat) = load_catalog(ui, &a.catalog) else {
        return BAD_INPUT;
    };
    let empty = ScanResult {
        version: scan::run::FORMAT_VERSION,
        root: String::new(),
        files_scanned: 0,
        skipped: vec![],
        parse_errors: vec![],
        sites: vec![],
    };
    let ctx = check::rules::Context {
        catalog: &cat,
        scan: &empty,
    };
    let mut findings = check::rules::lint::run(&ctx);
    let mut sup = check::suppress::Suppressions::new(Path::new("."));
    findings.retain(|f| !sup.is_suppressed(f));
    check::sort(&mut findings);
    if let Err(code) = write_report(ui, a.format, &findings, Path::new("."), 0, None) {
        return code;
    }
    if check::fails(&findings, a.fail_on.into()) {
        FINDINGS
    } else {
        OK
    }
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
    match evdoc::init::write(&a.out, &files, a.force) {
        Ok(written) => {
            let events = result
                .sites
                .iter()
                .filter_map(|s| s.event.as_deref())
                .filter(|e| !catalog::reserved::is_reserved(e))
                .collect::<std::collections::HashSet<_>>()
                .len();
            ui.note(format!(
                "Wrote {} files to `{}` with {events} events from {} sites.",
                written.len(),
                a.out.display(),
                result.sites.len()
            ));
            println!("{}", a.out.display());
            OK
        }
        Err(e) => {
            ui.error(e);
            BAD_INPUT
        }
    }
}
