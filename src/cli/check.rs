//! `evdoc check`: compare code and catalog, report findings, exit 1 when they matter.

use super::{
    broken_pipe_or, load_catalog, run_scan, ReportFlags, ScanFlags, Ui, BAD_INPUT, FINDINGS, OK,
};
use clap::Args;
use evdoc::check::{self, report, suppress::Baseline, CheckOptions, Finding};
use evdoc::vocab::Rule;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `evdoc check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Folder or file holding the code.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub report: ReportFlags,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as the baseline and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<Rule>,
    /// Skip these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<Rule>,
    /// Write the report to a file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ScanFlags,
}

/// The examples and suppression syntax that close `check --help`.
const EXAMPLES: &str = "Examples:
  evdoc check                                   ./ against ./catalog/
  evdoc check examples/trading-app --catalog catalog/
  evdoc check . --format github                 annotations in GitHub Actions
  evdoc check . --format sarif > evdoc.sarif    for code scanning
  evdoc check . --write-baseline .evdoc-baseline.json
  evdoc check . --baseline .evdoc-baseline.json only new findings

Suppress a finding with a comment on the line above it:
  // evdoc-ignore EV001";

/// Width the rule descriptions are wrapped to, under clap's `max_term_width` (100) so that clap
/// never rewraps them and loses their indent.
const HELP_WIDTH: usize = 98;

/// The epilogue of `check -h` (`long` false: one line per rule) and `check --help` (each rule's
/// summary and help). Built from [`Rule::ALL`], so that no rule can be left out of the help, as
/// EV005 once was when the list was typed by hand.
pub(crate) fn after_help(long: bool) -> String {
    let mut text = format!("{EXAMPLES}\n\nRules (`--select` and `--ignore` take ids or names):");
    let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
    for rule in Rule::ALL {
        if long {
            text.push_str(&format!(
                "\n  {} {} ({})",
                rule,
                rule.name(),
                rule.severity()
            ));
            let about = format!("{} {}", rule.summary(), rule.help());
            for line in wrap(&about, HELP_WIDTH - 10) {
                text.push_str(&format!("\n          {line}"));
            }
        } else {
            let name = rule.name();
            text.push_str(&format!("\n  {rule}  {name:<width$}  {}", rule.severity()));
        }
    }
    text
}

/// `text` in lines of at most `width` characters, broken at spaces but never inside a
/// `code span` (a longer word or span stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(open) if open.matches('`').count() % 2 == 1 => {
                open.push(' ');
                open.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for word in words {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(&word);
            }
            _ => lines.push(word),
        }
    }
    lines
}

pub(crate) fn write_report(
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
    if !a.path.exists() {
        ui.error(format!("`{}` does not exist", a.path.display()));
        return BAD_INPUT;
    }
    let Some(catalog) = super::discover::catalog(ui, a.report.catalog.as_deref(), &a.path) else {
        ui.error(format!(
            "no catalog: none in `{}` or a folder above it, nor in the working directory (`catalog/` or `evdoc.yaml`)\n  help: run `evdoc init` to draft one, or pass --catalog",
            a.path.display()
        ));
        return BAD_INPUT;
    };
    let Some(cat) = load_catalog(ui, &catalog) else {
        return BAD_INPUT;
    };
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
        a.report.format,
        &findings,
        Path::new("."),
        result.files_scanned,
        a.output.as_deref(),
    ) {
        return code;
    }
    if check::fails(&findings, a.report.fail_on.into()) {
        FINDINGS
    } else {
        OK
    }
}
