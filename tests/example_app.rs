//! The bundled example is a real app: its smoke script starts the server on 127.0.0.1 (a free
//! port) and walks through the catalog's API with the official socket.io-client, then stops.
//! `scripts/test` installs its npm packages from the lockfile first and runs it (feature
//! `interop-tests`: `cargo test --features interop-tests --test example_app`).

use std::process::Command;
use std::time::Duration;

#[test]
fn the_example_app_serves_its_catalog() {
    let app = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/trading-app");
    assert!(
        app.join("node_modules/socket.io").exists(),
        "run `npm ci` in examples/trading-app (scripts/test does it)"
    );
    let mut child = Command::new("node")
        .arg("scripts/smoke.js")
        .current_dir(&app)
        .env("LOG_LEVEL", "silent")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node is installed");
    // The script has its own 15 s deadline; this guard only keeps a hung node from hanging CI.
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("smoke script hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("smoke: all checks passed"), "{stdout}");
}
