//! `evdoc serve`: flags, logging setup and the tokio runtime around `evdoc::serve::run`.

use super::{load_catalog, Ui, BAD_INPUT, OK};
use clap::{Args, ValueEnum};
use evdoc::serve::{LogFormat, ServeOptions};
use std::path::PathBuf;

/// `evdoc serve`.
#[derive(Args)]
pub struct ServeArgs {
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
    /// Sessions file: {"<sessionId>": {"userId": "u-1", "roles": ["user"]}}; or the redis://
    /// URL of an express-session app's connect-redis store.
    #[arg(long, value_name = "FILE|URL")]
    pub sessions: Option<PathBuf>,
    /// express-session secret: session ids must carry its signature. Repeat the flag for
    /// rotated secrets, as express-session's `secret` array (any of them verifies).
    #[arg(
        long = "session-secret",
        env = "EVDOC_SESSION_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub session_secrets: Vec<String>,
    /// Key prefix of sessions in Redis (connect-redis' `prefix`).
    #[arg(long, default_value = "sess:", value_name = "PREFIX")]
    pub session_prefix: String,
    /// Where a Redis session keeps the user id (dotted path, e.g. passport.user).
    #[arg(long, default_value = "userId", value_name = "PATH")]
    pub session_user_field: String,
    /// Where a Redis session keeps the roles (dotted path; an array or one string).
    #[arg(long, default_value = "roles", value_name = "PATH")]
    pub session_roles_field: String,
    /// Cluster: share rooms and broadcasts with other `evdoc serve` nodes through this Redis
    /// (>= 7, RESP3; not compatible with Node's @socket.io/redis-adapter).
    #[arg(
        long,
        env = "EVDOC_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub redis: Option<String>,
    /// Bearer token required by POST /v1/publish (publishing is refused without one).
    #[arg(
        long,
        env = "EVDOC_PUBLISH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub publish_token: Option<String>,
    /// HS256 secret of the JWTs of `auth.scheme: token`.
    #[arg(
        long,
        env = "EVDOC_JWT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub jwt_secret: Option<String>,
    /// Answer client events' replies with the reply events' catalog examples.
    #[arg(long)]
    pub mock: bool,
    /// POST every valid client event to this backend (http://) and carry out its answer.
    #[arg(long, value_name = "URL")]
    pub forward: Option<String>,
    /// How long the --forward backend has to answer one event (`5s`, `1.5s`, `250ms`; a bare
    /// number is seconds); past it the client gets BackendUnavailable.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub forward_timeout: std::time::Duration,
    /// Log format (level from EVDOC_LOG, e.g. `debug`; default `info`).
    #[arg(long, value_enum, default_value_t = LogFmt::Text)]
    pub log_format: LogFmt,
    /// Deepest JSON nesting accepted in an event's arguments.
    #[arg(long, default_value_t = 32)]
    pub max_json_depth: usize,
    /// Sustained events per second per connection (then RateLimited).
    #[arg(long, default_value_t = 100.0)]
    pub max_event_rate: f64,
    /// Events a connection may send in a burst above the rate.
    #[arg(long, default_value_t = 200.0)]
    pub event_burst: f64,
    /// Most sockets connected at once.
    #[arg(long, default_value_t = 100_000)]
    pub max_connections: usize,
    /// Largest message in bytes (default: the catalog's connection.max_payload_bytes).
    #[arg(long)]
    pub max_payload_bytes: Option<u64>,
    /// A web origin whose pages may connect (`https://dash.example.com`; repeatable; `*` for
    /// any). Replaces the catalog's connection.cors.origins. Without either: the server's own
    /// origin only; requests without an Origin header (non-browser clients) are always allowed.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Serve /v1/publish, /metrics and /healthz on this HOST:PORT instead of the public port.
    #[arg(long, value_name = "HOST:PORT")]
    pub admin_addr: Option<String>,
}

/// `--log-format`.
#[derive(Clone, Copy, ValueEnum)]
pub enum LogFmt {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `evdoc serve`.
pub fn serve(ui: &Ui, a: ServeArgs) -> u8 {
    let Some(cat) = load_catalog(ui, &a.catalog) else {
        return BAD_INPUT;
    };
    let opts = ServeOptions {
        host: a.host,
        port: a.port,
        sessions: a.sessions,
        session_secrets: a.session_secrets,
        session_prefix: a.session_prefix,
        session_user_field: a.session_user_field,
        session_roles_field: a.session_roles_field,
        redis: a.redis,
        publish_token: a.publish_token,
        jwt_secret: a.jwt_secret,
        mock: a.mock,
        forward: a.forward,
        forward_timeout: a.forward_timeout,
        log_format: match a.log_format {
            LogFmt::Text => LogFormat::Text,
            LogFmt::Json => LogFormat::Json,
        },
        max_json_depth: a.max_json_depth,
        max_event_rate: a.max_event_rate,
        event_burst: a.event_burst,
        max_connections: a.max_connections,
        max_payload_bytes: a.max_payload_bytes,
        allow_origins: a.allow_origins,
        admin_addr: a.admin_addr,
    };
    init_logs(opts.log_format);
    let Some(rt) = runtime(ui) else {
        return BAD_INPUT;
    };
    let title = cat.catalog.info.title.clone();
    let result = rt.block_on(evdoc::serve::run(&cat, &opts, |addr| {
        tracing::info!(%addr, catalog = %title, "evdoc serve listening on http://{addr}");
    }));
    match result {
        Ok(()) => OK,
        Err(e) => {
            ui.error(e);
            BAD_INPUT
        }
    }
}

/// The tokio runtime of `serve` and `proxy`: one worker per CPU this process may use; on a
/// single CPU (a pinned process, a small container) a current-thread runtime does the same work
/// without cross-thread wake-ups.
pub(super) fn runtime(ui: &Ui) -> Option<tokio::runtime::Runtime> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = if cpus > 1 {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    match builder.enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            ui.error(format!("cannot start the runtime: {e}"));
            None
        }
    }
}

/// `5s`, `1.5s`, `250ms` or a bare number of seconds; more than zero.
pub(super) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let bad = || format!("`{s}` is not a duration such as 5s, 1.5s or 250ms");
    let n: f64 = num
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| !n.is_nan())
        .ok_or_else(bad)?;
    if n <= 0.0 {
        return Err(format!("`{s}`: the duration must be more than zero"));
    }
    std::time::Duration::try_from_secs_f64(n * scale).map_err(|_| bad())
}

pub(super) fn init_logs(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("EVDOC_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => b.json().try_init(),
        LogFormat::Text => b.try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        for bad in ["", "s", "5m", "abc", "1e400", "NaN"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for zero in ["0", "0ms", "-1s"] {
            assert!(parse_duration(zero).unwrap_err().contains("more than zero"));
        }
    }
}
