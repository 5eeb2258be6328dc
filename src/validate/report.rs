//! The report of `evdoc validate` as text (a table by event, then the first failures) or as
//! JSON (`version` 1; fields are added, never renamed).

use super::Report;
use serde_json::json;
use std::fmt::Write;

/// The text report.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    if !r.events.is_empty() {
        let label = |name: &String, unknown: bool| {
            if unknown {
                format!("{name} (unknown)")
            } else {
                name.clone()
            }
        };
        let width = r
            .events
            .iter()
            .map(|(k, c)| label(k, c.unknown).chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:width$}  {:>9}  {:>9}  {:>9}  {:>7}  {:>12}",
            "event", "seen", "valid", "invalid", "acks", "invalid acks"
        );
        for (name, c) in &r.events {
            let name = label(name, c.unknown);
            let _ = writeln!(
                out,
                "{name:width$}  {:>9}  {:>9}  {:>9}  {:>7}  {:>12}",
                c.seen, c.valid, c.invalid, c.acks, c.invalid_acks
            );
        }
        out.push('\n');
    }
    if !r.failures.is_empty() {
        let shown = r.failures.len() as u64;
        if shown < r.failures_total {
            let _ = writeln!(out, "First {shown} of {} failures:", r.failures_total);
        }
        for f in &r.failures {
            let what = match (&f.event, f.direction) {
                (Some(e), Some(d)) => format!(" {e} ({d})"),
                (Some(e), None) => format!(" {e}"),
                _ => String::new(),
            };
            let path = if f.path.is_empty() {
                String::new()
            } else {
                format!(" {}", f.path)
            };
            let _ = writeln!(
                out,
                "{}:{}: {}{what}{path}: {}",
                f.file, f.line, f.code, f.message
            );
        }
        out.push('\n');
    }
    let _ = write!(
        out,
        "{} record(s) in {} line(s): {} failure(s)",
        r.records, r.lines, r.failures_total
    );
    if r.other > 0 {
        let _ = write!(
            out,
            "; {} other packet(s) (connect, ping…) not judged",
            r.other
        );
    }
    if r.unmatched_acks > 0 {
        let _ = write!(
            out,
            "; {} ack(s) whose event is not in the input",
            r.unmatched_acks
        );
    }
    out.push('\n');
    out
}

/// The JSON report.
pub fn json(r: &Report) -> String {
    let events: Vec<_> = r
        .events
        .iter()
        .map(|(name, c)| {
            json!({
                "event": name, "seen": c.seen, "valid": c.valid, "invalid": c.invalid,
                "acks": c.acks, "invalid_acks": c.invalid_acks, "unknown": c.unknown,
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "ok": r.ok(),
        "lines": r.lines,
        "records": r.records,
        "other": r.other,
        "unmatched_acks": r.unmatched_acks,
        "events": events,
        "failures_total": r.failures_total,
        "failures": r.failures,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
