//! `evdoc export <format>`: the catalog in another tool's format. One subcommand per format; a
//! new one is a variant of `Target` and an arm of `export` (and its library function).

use super::{broken_pipe_or, load_catalog, Ui, BAD_INPUT, OK};
use clap::{Args, Subcommand, ValueEnum};
use evdoc::catalog::LoadedCatalog;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `evdoc export`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: Target,
}

/// What to export to.
#[derive(Subcommand)]
pub enum Target {
    /// An AsyncAPI 3.0.0 document (channels per namespace and room, server-side operations,
    /// acks as replies, `x-socketio-*` extensions for the rest).
    #[command(
        after_help = "Examples:\n  evdoc export asyncapi                          the nearest catalog, YAML on stdout\n  evdoc export asyncapi --catalog catalog/ -o asyncapi.yaml\n  evdoc export asyncapi --format json -o asyncapi.json\n\nREADME.md (\"AsyncAPI\") lists what each x-socketio-* extension means."
    )]
    Asyncapi(AsyncapiArgs),
    /// TypeScript event maps for socket.io 4's typed `Server<…>`/`Socket<…>` and
    /// socket.io-client's `Socket<…>`, with one type per payload and ack schema.
    #[command(
        after_help = "Examples:\n  evdoc export typescript                        the nearest catalog, TypeScript on stdout\n  evdoc export typescript --catalog catalog/ -o src/events.ts\n\nServer: new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>()\nClient: const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url)"
    )]
    Typescript(TypescriptArgs),
}

/// Where the catalog is and where the output goes (every target).
#[derive(Args)]
pub struct Common {
    /// The catalog: a YAML file or a folder of them [default: the nearest `catalog/` or
    /// `evdoc.yaml` in the working directory or a folder above it].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Write to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `evdoc export asyncapi`.
#[derive(Args)]
pub struct AsyncapiArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = DocFormat::Yaml)]
    pub format: DocFormat,
}

/// `evdoc export typescript`.
#[derive(Args)]
pub struct TypescriptArgs {
    #[command(flatten)]
    pub common: Common,
}

/// YAML or JSON.
#[derive(Clone, Copy, ValueEnum)]
pub enum DocFormat {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// `evdoc export`.
pub fn export(ui: &Ui, a: ExportArgs) -> u8 {
    match a.target {
        Target::Asyncapi(t) => run(ui, &t.common, |cat| {
            let format = match t.format {
                DocFormat::Yaml => evdoc::export::Format::Yaml,
                DocFormat::Json => evdoc::export::Format::Json,
            };
            let invalid = evdoc::export::asyncapi::invalid_schemas(&cat.catalog);
            if !invalid.is_empty() {
                return Err(format!(
                    "the catalog has schemas that are not valid JSON Schemas, which no valid AsyncAPI document can hold:\n  {}\n  help: `evdoc lint` shows them in place",
                    invalid.join("\n  ")
                ));
            }
            let doc = evdoc::export::asyncapi::export(&cat.catalog);
            evdoc::export::to_text(&doc, format)
        }),
        Target::Typescript(t) => run(ui, &t.common, |cat| {
            Ok(evdoc::export::typescript::export(
                &cat.catalog,
                &evdoc::export::typescript::source_name(cat),
            ))
        }),
    }
}

/// Load the catalog, produce the text, write it to `-o` or stdout.
fn run(
    ui: &Ui,
    common: &Common,
    produce: impl FnOnce(&LoadedCatalog) -> Result<String, String>,
) -> u8 {
    let Some(path) = super::discover::catalog(ui, common.catalog.as_deref(), Path::new(".")) else {
        ui.error("no catalog: none in the working directory or a folder above it (`catalog/` or `evdoc.yaml`)\n  help: run `evdoc init` to draft one, or pass --catalog");
        return BAD_INPUT;
    };
    let Some(cat) = load_catalog(ui, &path) else {
        return BAD_INPUT;
    };
    let text = match produce(&cat) {
        Ok(t) => t,
        Err(e) => {
            ui.error(format!("cannot export: {e}"));
            return BAD_INPUT;
        }
    };
    match &common.output {
        Some(file) => match std::fs::write(file, text) {
            Ok(()) => {
                ui.note(format!("Wrote `{}`.", file.display()));
                OK
            }
            Err(e) => {
                ui.error(format!("cannot write `{}`: {e}", file.display()));
                BAD_INPUT
            }
        },
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => OK,
            Err(e) => broken_pipe_or(ui, e),
        },
    }
}
