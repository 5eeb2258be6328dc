//! What the `evdoc serve` integration tests share: paths, free ports, the interop npm packages
//! and a running server that is killed on drop. Each test binary uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// The crate's root directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The node scripts and their lockfile.
pub fn interop_dir() -> PathBuf {
    root().join("tests/interop")
}

/// A file of `tests/fixtures/serve/`, as a command-line argument.
pub fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/serve")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A port free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `npm ci` once when node_modules is missing or predates the express-session packages
/// (scripts/test does it too, keyed the same way).
pub fn npm_ready() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if !interop_dir().join("node_modules/connect-redis").exists() {
            let st = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(interop_dir())
                .status()
                .expect("npm is needed for the interop tests");
            assert!(st.success(), "npm ci in tests/interop failed");
        }
    });
}

/// A running `evdoc serve`, killed on drop (also when an assertion fails).
pub struct Serve {
    child: Child,
    /// The port it listens on, read from its log.
    pub port: u16,
    log: Arc<Mutex<String>>,
    /// The thread copying stderr into `log`; joined once the process has exited, so that the
    /// log holds its last lines.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Serve {
    /// `evdoc serve ARGS` with info logs and none of the environment variables it reads, once
    /// it logs the port it listens on. The interop npm packages are installed first.
    pub fn spawn(args: &[&str]) -> Serve {
        Serve::command("serve", args)
    }

    /// `evdoc COMMAND ARGS` (`serve` or `proxy`), as [`Serve::spawn`].
    pub fn command(command: &str, args: &[&str]) -> Serve {
        npm_ready();
        let mut child = Command::new(env!("CARGO_BIN_EXE_evdoc"))
            .arg(command)
            .args(args)
            .env("EVDOC_LOG", "info")
            .env_remove("HOST")
            .env_remove("PORT")
            .env_remove("EVDOC_REDIS_URL")
            .env_remove("EVDOC_SESSION_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start evdoc {command}: {e}"));
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let reader = {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                        let p: String = rest.chars().take_while(char::is_ascii_digit).collect();
                        let _ = tx.send(p.parse::<u16>().unwrap_or(0));
                    }
                    log.lock().unwrap().push_str(&(line + "\n"));
                }
            })
        };
        let mut s = Serve {
            child,
            port: 0,
            log,
            reader: Some(reader),
        };
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(p) if p != 0 => s.port = p,
            _ => panic!("evdoc {command} did not start:\n{}", s.log()),
        }
        s
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM, then wait for the exit; `Some(success)` when it stopped in time.
    pub fn terminate(&mut self, within: Duration) -> Option<bool> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(st)) = self.child.try_wait() {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return Some(st.success());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
