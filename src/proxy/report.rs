//! `--report FILE.jsonl`: one JSON line per violation, written by a thread of its own so that a
//! relay never waits on the disk. Lines are buffered while more are queued and flushed as soon
//! as the queue is empty, so the file is current within a moment of each violation; closing
//! writes what is left before the proxy exits.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::catalog::schema::SchemaError;
use crate::validate::Breach;
use crate::vocab::Direction;

/// One line of the report.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// When, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// The client's Engine.IO session id.
    pub socket: &'a str,
    /// The namespace.
    pub namespace: &'a str,
    /// `c2s` (from the client) or `s2c` (from the upstream).
    pub direction: Direction,
    /// The event (for an ack, the event it answers); absent when the name cannot be read.
    pub event: Option<&'a str>,
    /// Whether the packet is an ack.
    pub ack: bool,
    /// How it breaks the catalog.
    pub code: Breach,
    /// What the proxy did: `relayed` (observe), `refused` (a client packet, answered with an
    /// error) or `dropped` (an upstream packet, not delivered).
    pub action: &'static str,
    /// What is wrong, with JSON paths into the arguments (`/ack…` into an ack).
    pub errors: &'a [SchemaError],
    /// The Socket.IO packet as text (binary attachments as their placeholders); only with
    /// `--report-payloads`, since payloads may hold personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet: Option<&'a str>,
}

/// The time now as the report writes it.
pub fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

enum Msg {
    Line(String),
    Close(mpsc::Sender<()>),
}

/// The report's writer; cheap to clone into every relay.
#[derive(Clone)]
pub struct Report {
    tx: mpsc::Sender<Msg>,
    /// `--report-payloads`.
    pub payloads: bool,
}

impl Report {
    /// Create (or truncate) `path` and start the writer thread.
    pub fn create(path: &Path, payloads: bool) -> Result<Report, String> {
        let file = File::create(path)
            .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("evdoc-report".into())
            .spawn(move || write_lines(BufWriter::new(file), rx))
            .map_err(|e| format!("cannot start the report writer: {e}"))?;
        Ok(Report { tx, payloads })
    }

    /// Queue one line.
    pub fn write(&self, entry: &Entry<'_>) {
        if let Ok(line) = serde_json::to_string(entry) {
            let _ = self.tx.send(Msg::Line(line));
        }
    }

    /// Write what is queued and flush; waits at most `timeout`.
    pub fn close(&self, timeout: Duration) {
        let (done_tx, done_rx) = mpsc::channel();
        if self.tx.send(Msg::Close(done_tx)).is_ok() {
            let _ = done_rx.recv_timeout(timeout);
        }
    }
}

fn write_lines(mut out: BufWriter<File>, rx: mpsc::Receiver<Msg>) {
    let mut failed = false;
    while let Ok(msg) = rx.recv() {
        let mut next = Some(msg);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Line(line) if !failed => {
                    if let Err(e) = writeln!(out, "{line}") {
                        failed = true;
                        tracing::error!(error = %e, "cannot write the report; later violations are logged only");
                    }
                }
                Msg::Line(_) => {}
                Msg::Close(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
            }
            next = rx.try_recv().ok();
        }
        if !failed {
            if let Err(e) = out.flush() {
                failed = true;
                tracing::error!(error = %e, "cannot write the report; later violations are logged only");
            }
        }
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_reach_the_file_and_close_flushes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let report = Report::create(&path, false).unwrap();
        let errors = [SchemaError {
            path: "/price".into(),
            message: "not a number".into(),
        }];
        for event in ["a", "b"] {
            report.write(&Entry {
                time: now(),
                socket: "sid",
                namespace: "/",
                direction: Direction::S2c,
                event: Some(event),
                ack: false,
                code: Breach::PayloadError,
                action: "dropped",
                errors: &errors,
                packet: None,
            });
        }
        report.close(Duration::from_secs(5));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["event"], "b");
        assert_eq!(lines[0]["errors"][0]["path"], "/price");
        assert_eq!(lines[0]["direction"], "s2c");
        assert!(lines[0].get("packet").is_none());
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
    }
}
