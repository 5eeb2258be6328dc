//! `evdoc proxy`: flags, logging and the runtime around `evdoc::proxy::run`.

use super::serve::{init_logs, parse_duration, runtime, LogFmt};
use super::{load_catalog, Ui, BAD_INPUT, OK};
use clap::{Args, ValueEnum};
use evdoc::proxy::upstream::Target;
use evdoc::proxy::{Mode, ProxyOptions};
use evdoc::serve::LogFormat;
use std::path::PathBuf;

/// `evdoc proxy --help`, after the flags.
pub const AFTER_HELP: &str = "\
Examples:
  evdoc proxy --upstream http://127.0.0.1:3001
        clients connect to 127.0.0.1:3000; bad client events are refused with the `error`
        event, bad server packets dropped; violations logged
  evdoc proxy --upstream http://127.0.0.1:3001 --mode observe --report violations.jsonl
        relay everything unchanged and record what breaks the catalog
  HOST=0.0.0.0 PORT=8080 evdoc proxy --upstream http://app:3000 --admin-addr 127.0.0.1:9100

Every client session gets its own session with the upstream, opened with the client's query,
auth payload, Cookie, Authorization and User-Agent headers (X-Forwarded-For/-Proto appended):
the upstream's own middleware decides who connects, and its refusals reach the client as sent.
Checked both ways: known event, direction, namespace, every argument's schema, ack schemas,
and acks asked for only where the catalog documents one. Metrics: GET /metrics; health (whether
the upstream answers): GET /healthz.";

/// `evdoc proxy`.
#[derive(Args)]
pub struct ProxyArgs {
    /// Your Socket.IO server: http://host:port, with its Engine.IO path if not /socket.io/.
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// The catalog: a YAML file or a folder of them.
    #[arg(long, default_value = "catalog")]
    pub catalog: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "HOST",
        hide_env_values = true,
        default_value = "127.0.0.1"
    )]
    pub host: String,
    /// Port to listen on (0: any free port).
    #[arg(long, env = "PORT", hide_env_values = true, default_value_t = 3000)]
    pub port: u16,
    /// What happens to a packet that breaks the catalog.
    #[arg(long, value_enum, default_value_t = ModeArg::Enforce)]
    pub mode: ModeArg,
    /// Write every violation as one JSON line to this file (created or truncated).
    #[arg(long, value_name = "FILE.jsonl")]
    pub report: Option<PathBuf>,
    /// Include each violating packet in the report (payloads may hold personal data).
    #[arg(long, requires = "report")]
    pub report_payloads: bool,
    /// Log format (level from EVDOC_LOG, e.g. `debug`; default `info`).
    #[arg(long, value_enum, default_value_t = LogFmt::Text)]
    pub log_format: LogFmt,
    /// A web origin whose pages may connect (`https://dash.example.com`; repeatable; `*` for
    /// any). Replaces the catalog's connection.cors.origins. Without either: the proxy's own
    /// origin only; requests without an Origin header (non-browser clients) are always allowed.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Serve /metrics and /healthz on this HOST:PORT instead of the public port.
    #[arg(long, value_name = "HOST:PORT")]
    pub admin_addr: Option<String>,
    /// How long opening a session with the upstream may take before the client gets
    /// UpstreamUnavailable (`5s`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub upstream_timeout: std::time::Duration,
}

/// `--mode`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Refuse client packets that break the catalog (the `error` event, and `{"error"}` on the
    /// ack) and drop the server's; record both.
    Enforce,
    /// Relay everything unchanged; record what breaks the catalog.
    Observe,
}

/// `evdoc proxy`.
pub fn proxy(ui: &Ui, a: ProxyArgs) -> u8 {
    let upstream = match Target::parse(&a.upstream) {
        Ok(t) => t,
        Err(e) => {
            ui.error(format!("--upstream: {e}"));
            return BAD_INPUT;
        }
    };
    let Some(cat) = load_catalog(ui, &a.catalog) else {
        return BAD_INPUT;
    };
    let mut opts = ProxyOptions::new(upstream, &a.host, a.port);
    opts.mode = match a.mode {
        ModeArg::Enforce => Mode::Enforce,
        ModeArg::Observe => Mode::Observe,
    };
    opts.report = a.report;
    opts.report_payloads = a.report_payloads;
    opts.allow_origins = a.allow_origins;
    opts.admin_addr = a.admin_addr;
    opts.open_timeout = a.upstream_timeout;
    init_logs(match a.log_format {
        LogFmt::Text => LogFormat::Text,
        LogFmt::Json => LogFormat::Json,
    });
    let Some(rt) = runtime(ui) else {
        return BAD_INPUT;
    };
    let (title, up, mode) = (
        cat.catalog.info.title.clone(),
        a.upstream.clone(),
        opts.mode,
    );
    let result = rt.block_on(evdoc::proxy::run(&cat, opts, |addr| {
        tracing::info!(%addr, upstream = %up, ?mode, catalog = %title, "evdoc proxy listening on http://{addr}");
    }));
    match result {
        Ok(()) => OK,
        Err(e) => {
            ui.error(e);
            BAD_INPUT
        }
    }
}
