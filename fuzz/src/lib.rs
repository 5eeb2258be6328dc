//! What the fuzz targets share: the catalog-folder input format, the scanners' wrapper table,
//! and an in-process client of `evdoc serve` (no sockets: requests go straight into the axum
//! app with `tower::ServiceExt::oneshot`).
//!
//! The regression tests of the main crate (`tests/fuzz_regressions.rs`) drive the same library
//! entry points with the saved inputs, so a crash found here stays fixed without libFuzzer.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use evdoc::catalog::LoadedCatalog;
use evdoc::scan::wrappers::{Table, Wrapper};
use evdoc::scan::Role;
use evdoc::serve::server::Server;
use evdoc::serve::ServeOptions;
use http_body_util::BodyExt;
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------
// Catalog folders
// ---------------------------------------------------------------------------------------------

/// The line that starts a new file in a `catalog_load` input: `#> events/trades.yaml`.
///
/// A catalog is a folder (YAML files merged, `$ref`s to JSON/YAML schema files next to them),
/// and the bugs worth finding sit between files; one input therefore packs several files. Text
/// before the first header is `evdoc.yaml`. The header is also a YAML comment, so a seed stays
/// readable and a mutation that breaks a header only merges two files.
pub const FILE_HEADER: &str = "#> ";

/// The files of a `catalog_load` input, as (relative path, content). Paths are made safe
/// (relative, no `..`, a small alphabet, at most 4 levels): the loader's own refusal of `$ref`s
/// that leave the folder is what is tested, not the file system's.
pub fn catalog_files(data: &[u8]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(PathBuf::from("evdoc.yaml"), Vec::new())];
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(FILE_HEADER.as_bytes()) {
            if let Some(path) = safe_path(rest) {
                files.push((path, Vec::new()));
                continue;
            }
        }
        if let Some((_, content)) = files.last_mut() {
            content.extend_from_slice(line);
        }
    }
    files
}

fn safe_path(raw: &[u8]) -> Option<PathBuf> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/');
    if text.is_empty() || text.len() > 80 || !text.chars().all(ok) {
        return None;
    }
    let path = PathBuf::from(text);
    let normal = path.components().all(|c| matches!(c, Component::Normal(_)));
    (normal && path.components().count() <= 4).then_some(path)
}

/// Writes `files` under `dir` (later files of the same name replace earlier ones; a path that
/// collides with a folder is skipped).
pub fn write_catalog(dir: &Path, files: &[(PathBuf, Vec<u8>)]) {
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&path, content);
    }
}

/// A fresh folder for one input: in RAM (`/dev/shm`) where there is one, as the loader reads
/// every file of every input.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let builder = tempfile::Builder::new().prefix("evdoc-fuzz-").to_owned();
    if shm.is_dir() {
        if let Ok(dir) = builder.tempdir_in(shm) {
            return dir;
        }
    }
    builder.tempdir().expect("a temporary folder")
}

// ---------------------------------------------------------------------------------------------
// Scanners
// ---------------------------------------------------------------------------------------------

/// Extensions the `scan_js` target picks from with its first byte.
pub const JS_EXTENSIONS: &[&str] = &["js", "ts", "tsx", "vue", "svelte", "html"];

/// A few declared wrappers, so that the wrapper paths of both extractors run: a plain function
/// with a room argument, a `Class.method`, a listen wrapper, and the Rust `emit_to_user` of the
/// catalog format's example.
pub fn wrappers() -> Table {
    let w = |function: &str, receiver: Option<&str>, event_arg, room_arg, role| Wrapper {
        function: function.into(),
        receiver: receiver.map(Into::into),
        event_arg,
        room_arg,
        room_expr: None,
        role,
        ack: false,
        side: None,
        declared: true,
        dispatch: false,
    };
    Table::new([
        w("emitToUser", None, 1, Some(0), Role::Emit),
        w("send", Some("SocketService"), 0, None, Role::Emit),
        w("listen", None, 0, None, Role::Listen),
        w("emit_to_user", None, 2, Some(1), Role::Emit),
    ])
}

// ---------------------------------------------------------------------------------------------
// evdoc serve, in-process
// ---------------------------------------------------------------------------------------------

/// The bearer token of `POST /v1/publish` in the serve targets.
pub const PUBLISH_TOKEN: &str = "fuzz-token";
/// Session ids of the harness' sessions file: a user, and an operator of `/admin`.
pub const USER_SESSION: &str = "fuzz-user";
/// See [`USER_SESSION`].
pub const ADMIN_SESSION: &str = "fuzz-admin";
/// POSTs one `serve_socketio` input is split into at most.
const MAX_POSTS: usize = 8;

/// The reference catalog (`catalog/`) served by `evdoc::serve::server::build`, on a tokio
/// current-thread runtime whose clock is paused: when every task waits, the clock jumps to the
/// next timer, so a polling GET with nothing to read returns at the next ping instead of after
/// 25 real seconds, and one input costs microseconds of wall time.
pub struct Serve {
    rt: tokio::runtime::Runtime,
    app: Router,
    /// Kept so that the server outlives every request.
    _srv: Arc<Server>,
    /// Holds the sessions file.
    _dir: tempfile::TempDir,
}

impl Serve {
    /// Builds the server once per fuzzing process.
    pub fn new() -> Serve {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog");
        let loaded = evdoc::catalog::load(&root).expect("the reference catalog loads");
        Self::with_catalog(&loaded)
    }

    /// Builds the server for `loaded`, with sessions for [`USER_SESSION`] and
    /// [`ADMIN_SESSION`], mocked replies and the publish token.
    pub fn with_catalog(loaded: &LoadedCatalog) -> Serve {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let sessions = dir.path().join("sessions.json");
        let json = serde_json::json!({
            USER_SESSION: {"userId": "u-1001", "roles": ["trader"]},
            ADMIN_SESSION: {"userId": "ops", "roles": ["admin"]},
        });
        std::fs::write(&sessions, json.to_string()).expect("write the sessions file");
        let opts = ServeOptions {
            port: 0,
            sessions: Some(sessions),
            publish_token: Some(PUBLISH_TOKEN.into()),
            mock: true,
            ..ServeOptions::default()
        };
        if std::env::var_os("EVDOC_FUZZ_TRACE").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_writer(std::io::stderr)
                .try_init();
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a tokio runtime");
        let (app, srv) = {
            let _in_rt = rt.enter();
            evdoc::serve::server::build(loaded, &opts).expect("the server builds")
        };
        Serve {
            rt,
            app,
            _srv: srv,
            _dir: dir,
        }
    }

    /// One Socket.IO session over polling: handshake (with the user's session cookie), CONNECT
    /// to `/`, then `input` POSTed as the client's packets, the replies read, and the session
    /// closed. A NUL byte in `input` (never valid inside a packet) splits it into several POSTs,
    /// so that a later packet can depend on an earlier one having been handled: socketioxide
    /// closes a session whose event arrives in the same payload as the CONNECT it needs,
    /// before the connect middleware has admitted the socket.
    pub fn socketio(&self, input: &[u8]) {
        self.rt.block_on(async {
            let Some(sid) = self.connect().await else {
                return;
            };
            for chunk in input.split(|&b| b == 0).take(MAX_POSTS) {
                self.post(&sid, chunk.to_vec()).await;
                self.settle().await;
            }
            self.poll(&sid).await;
            self.close(&sid).await;
        });
    }

    /// One publish: a member socket subscribed to the user's rooms and `signals`, then
    /// `body` POSTed to `/v1/publish` with the token, then what the member received is read.
    pub fn publish(&self, body: &[u8]) {
        self.rt.block_on(async {
            let Some(sid) = self.connect().await else {
                return;
            };
            let join = "42[\"subscribe:trades\",{\"userId\":\"u-1001\"}]\x1e\
                        42[\"subscribe:portfolio\",{\"userId\":\"u-1001\"}]\x1e\
                        42[\"subscribe:signals\",{}]";
            self.post(&sid, join.into()).await;
            self.settle().await;
            self.poll(&sid).await;
            let req = Request::builder()
                .method(Method::POST)
                .uri("/v1/publish")
                .header(header::AUTHORIZATION, format!("Bearer {PUBLISH_TOKEN}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_vec()))
                .expect("a request");
            let (status, _) = self.send(req).await;
            assert!(
                matches!(status.as_u16(), 202 | 400 | 404 | 413 | 422),
                "publish answered {status}"
            );
            self.settle().await;
            self.poll(&sid).await;
            self.close(&sid).await;
        });
    }

    /// Handshake and CONNECT to `/` as the cookie's user; the session id once the socket is
    /// admitted (the CONNECT reply read).
    async fn connect(&self) -> Option<String> {
        let sid = self.handshake().await?;
        self.post(&sid, b"40".to_vec()).await;
        self.settle().await;
        let (status, body) = self.get(&sid).await;
        let packets: Vec<&[u8]> = body.split(|&b| b == 0x1e).collect();
        assert!(
            status == StatusCode::OK && packets.iter().any(|p| p.starts_with(b"40{")),
            "CONNECT refused: {status} {}",
            String::from_utf8_lossy(&body)
        );
        // The first ping comes with the CONNECT reply: answer it, or the session ends at the
        // pong deadline whenever the paused clock jumps there.
        if packets.contains(&&b"2"[..]) {
            self.post(&sid, b"3".to_vec()).await;
        }
        Some(sid)
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let line = format!("{} {}", req.method(), req.uri());
        let res = self
            .app
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let status = res.status();
        let body = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        if std::env::var_os("EVDOC_FUZZ_TRACE").is_some() {
            // `EVDOC_FUZZ_TRACE=1 fuzz/target/…/serve_socketio INPUT` shows the exchange.
            eprintln!("{line} -> {status} {:?}", String::from_utf8_lossy(&body));
        }
        (status, body)
    }

    /// The Engine.IO handshake; the session id, or `None` when the server refused it (it never
    /// should: the harness' requests are well-formed).
    async fn handshake(&self) -> Option<String> {
        let req = Request::builder()
            .uri("/socket.io/?EIO=4&transport=polling")
            .header(header::COOKIE, format!("connect.sid={USER_SESSION}"))
            .body(Body::empty())
            .expect("a request");
        let (status, body) = self.send(req).await;
        assert_eq!(status, StatusCode::OK, "handshake refused");
        let text = String::from_utf8(body).expect("a text handshake");
        let open: serde_json::Value =
            serde_json::from_str(text.strip_prefix('0').expect("an OPEN packet")).ok()?;
        open["sid"].as_str().map(str::to_owned)
    }

    fn url(sid: &str) -> String {
        format!("/socket.io/?EIO=4&transport=polling&sid={sid}")
    }

    async fn post(&self, sid: &str, body: Vec<u8>) {
        let req = Request::builder()
            .method(Method::POST)
            .uri(Self::url(sid))
            .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
            .body(Body::from(body))
            .expect("a request");
        let _ = self.send(req).await;
    }

    /// Reads what the server queued for the session (at the latest, the next ping's).
    async fn poll(&self, sid: &str) {
        let _ = self.get(sid).await;
    }

    async fn get(&self, sid: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::builder()
            .uri(Self::url(sid))
            .body(Body::empty())
            .expect("a request");
        tokio::time::timeout(Duration::from_secs(120), self.send(req))
            .await
            .unwrap_or((StatusCode::REQUEST_TIMEOUT, Vec::new()))
    }

    /// Ends the session with an Engine.IO CLOSE, and lets the disconnect handlers run.
    async fn close(&self, sid: &str) {
        self.post(sid, b"1".to_vec()).await;
        self.settle().await;
    }

    /// Runs every task that can run: with the clock paused, a sleep ends only once the
    /// runtime has nothing else to do.
    async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

impl Default for Serve {
    fn default() -> Self {
        Self::new()
    }
}
