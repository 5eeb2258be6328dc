//! The `evdoc` command line: clap definitions and dispatch only. Each subcommand's work lives in
//! the library (`evdoc::scan`, `evdoc::check`, `evdoc::init`, `evdoc::catalog`).

#![warn(clippy::too_many_lines)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: a scan allocates and frees many small AST and site values on every worker thread;
/// glibc's allocator spent a fifth of the scan's time in malloc/free and page faults.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let ui = cli::Ui::new(&args.global);
    let code = match args.command {
        cli::Command::Scan(a) => cli::scan(&ui, a),
        cli::Command::Check(a) => cli::check(&ui, a),
        cli::Command::Init(a) => cli::init(&ui, a),
        cli::Command::Lint(a) => cli::lint(&ui, a),
        cli::Command::Render(a) => cli::render(&ui, a),
        cli::Command::Validate(a) => cli::validate(&ui, a),
        cli::Command::Export(a) => cli::export(&ui, a),
        cli::Command::Import(a) => cli::import(&ui, a),
        cli::Command::Diff(a) => cli::diff(&ui, a),
        #[cfg(feature = "serve")]
        cli::Command::Serve(a) => cli::serve(&ui, a),
        #[cfg(feature = "serve")]
        cli::Command::Proxy(a) => cli::proxy(&ui, a),
    };
    ExitCode::from(code)
}
