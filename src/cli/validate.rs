//! `evdoc validate`: captured traffic against the catalog.

use super::{load_catalog, Ui, BAD_INPUT, FINDINGS, OK};
use clap::{Args, ValueEnum};
use evdoc::validate::{self, report, Contract, Options, Report};
use evdoc::vocab::Direction;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

/// Examples shown by `evdoc validate --help`.
pub const AFTER_HELP: &str = "Examples:
  evdoc validate capture.jsonl                      one JSON record a line
  evdoc validate --direction s2c frames.txt         raw packets (42[\"trade:update\",{…}]), all server→client
  tail -f traffic.log | evdoc validate -            from stdin
  evdoc validate a.jsonl b.jsonl --format json --max-failures 100

A line is a JSON record {\"event\", \"direction\": \"c2s\"|\"s2c\", \"namespace\"?, \"args\": […],
\"ack\"?: <what the sender's callback received>} or {\"direction\", \"packet\"}, or Socket.IO packet
text as it travels in an Engine.IO message (42[…], 42/admin,17[…], 451-[…], 43/admin,17[…]),
marked `> ` (client→server) or `< ` (server→client) or given --direction. Exit 1 on any failure.";

/// Output format of `validate`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// A table by event, then the first failures.
    Text,
    /// One JSON document (version 1).
    Json,
}

/// The direction of lines that carry none.
#[derive(Clone, Copy, ValueEnum)]
pub enum Dir {
    /// Client → server.
    C2s,
    /// Server → client.
    S2c,
}

/// `evdoc validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// Capture files, one record a line; `-` reads stdin.
    #[arg(required = true, value_name = "TRAFFIC")]
    pub traffic: Vec<PathBuf>,
    /// The catalog [default: the nearest `catalog/` or `evdoc.yaml`, as `evdoc lint` finds it].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// How many failures are listed (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_failures: usize,
    /// The direction of lines that carry none.
    #[arg(long, value_enum)]
    pub direction: Option<Dir>,
    /// Longest line read; longer ones are reported and skipped [default: the catalog's
    /// `connection.max_payload_bytes` plus 64 KiB, at least 1 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_line_bytes: Option<usize>,
}

/// `evdoc validate`.
pub fn validate(ui: &Ui, a: ValidateArgs) -> u8 {
    let Some(path) = super::discover::catalog(ui, a.catalog.as_deref(), Path::new(".")) else {
        ui.error("no catalog: none in the working directory or a folder above it (`catalog/` or `evdoc.yaml`)\n  help: pass --catalog");
        return BAD_INPUT;
    };
    let Some(cat) = load_catalog(ui, &path) else {
        return BAD_INPUT;
    };
    let contract = match Contract::new(&cat.catalog) {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                ui.error(p);
            }
            return BAD_INPUT;
        }
    };
    let payload = usize::try_from(cat.catalog.connection.max_payload_bytes).unwrap_or(usize::MAX);
    let opts = Options {
        max_line_bytes: a
            .max_line_bytes
            .unwrap_or_else(|| payload.saturating_add(64 << 10).max(1 << 20)),
        max_failures: a.max_failures,
        direction: a.direction.map(|d| match d {
            Dir::C2s => Direction::C2s,
            Dir::S2c => Direction::S2c,
        }),
    };
    let started = std::time::Instant::now();
    let mut rep = Report::default();
    for t in &a.traffic {
        if let Err(code) = read_one(ui, &contract, t, &opts, &mut rep) {
            return code;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    ui.note(format!(
        "{} record(s) in {secs:.2} s ({:.0}/s)",
        rep.records,
        rep.records as f64 / secs.max(1e-9)
    ));
    let out = match a.format {
        Format::Text => report::text(&rep),
        Format::Json => report::json(&rep),
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if rep.ok() {
        OK
    } else {
        FINDINGS
    }
}

/// Judge one input (`-`: stdin) into `rep`.
fn read_one(
    ui: &Ui,
    contract: &Contract,
    t: &Path,
    opts: &Options,
    rep: &mut Report,
) -> Result<(), u8> {
    let name = t.display().to_string();
    let result = if name == "-" {
        let stdin = std::io::stdin();
        validate::run(contract, &mut stdin.lock(), "-", opts, rep)
    } else {
        let file = std::fs::File::open(t).map_err(|e| {
            ui.error(format!("{name}: {e}"));
            BAD_INPUT
        })?;
        validate::run(
            contract,
            &mut BufReader::with_capacity(1 << 16, file),
            &name,
            opts,
            rep,
        )
    };
    result.map_err(|e| {
        ui.error(format!("{name}: {e}"));
        BAD_INPUT
    })
}
