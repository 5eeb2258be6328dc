//! `evdoc validate`: captured traffic judged against the catalog, as `evdoc serve` judges it.
//!
//! Every record ([`input`]) is looked up by namespace and event, its direction checked, its
//! arguments validated with the same compiled contract serve uses
//! ([`crate::catalog::contract::Args`]: arity, binary attachments where their placeholders are),
//! and an ack against the event's ack schema. The input streams: one bounded line buffer, a
//! count per event, the first failures kept and the rest counted, so a multi-gigabyte capture
//! costs the memory of a small one.

pub mod contract;
pub mod input;
pub mod report;

use crate::catalog::schema::SchemaError;
use crate::vocab::Direction;
pub use contract::{AckBook, Breach, Contract, Violation};
use indexmap::IndexMap;
use input::{Line, Record, Unreadable};
use serde::Serialize;
use serde_json::Value;
use std::io::BufRead;

/// How to read the input.
#[derive(Clone, Debug)]
pub struct Options {
    /// Longest line read, in bytes; longer lines are skipped and reported.
    pub max_line_bytes: usize,
    /// How many failures are kept with their details (the rest are counted).
    pub max_failures: usize,
    /// The direction of lines that carry none.
    pub direction: Option<Direction>,
}

/// Counts of one event.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Records of it.
    pub seen: u64,
    /// Valid ones.
    pub valid: u64,
    /// Invalid ones (payload, the ack the record carries, or direction).
    pub invalid: u64,
    /// Ack packets answering it.
    pub acks: u64,
    /// Of those, ones that break its ack schema.
    pub invalid_acks: u64,
    /// Not in the catalog (for its namespace).
    pub unknown: bool,
}

/// One record that failed, or one line that could not be read.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// The input (`-` for stdin).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The event, when the line named one.
    pub event: Option<String>,
    /// `c2s` or `s2c`, when known.
    pub direction: Option<Direction>,
    /// The namespace, when known.
    pub namespace: Option<String>,
    /// `PayloadError`, `AckError`, `UnknownEvent`, `WrongDirection`, `NotJson`, `Malformed`,
    /// `NoDirection`, `TooLong`, `InvalidUtf8`.
    pub code: &'static str,
    /// JSON pointer into the arguments (`/price`, `/1/text`), or empty.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Distinct unknown event names counted one by one; beyond this, together.
const MAX_UNKNOWN_NAMES: usize = 1_000;
/// Events with an ack id waiting for their ack, per input.
const MAX_PENDING_ACKS: usize = 10_000;
/// The name unknown events are counted under once there are too many of them.
pub const OTHER_UNKNOWN: &str = "(other unknown events)";

/// The whole run.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Non-empty lines read.
    pub lines: u64,
    /// Events and acks judged.
    pub records: u64,
    /// Lines that are not events (CONNECT, pings…).
    pub other: u64,
    /// Ack packets whose event is not in the input.
    pub unmatched_acks: u64,
    /// Per event, by `namespace event`, in first-seen order.
    pub events: IndexMap<String, Counts>,
    /// How many failures in all.
    pub failures_total: u64,
    /// The first failures.
    pub failures: Vec<Failure>,
}

impl Report {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.failures_total == 0
    }

    fn fail(&mut self, max: usize, f: Failure) {
        self.failures_total += 1;
        if self.failures.len() < max {
            self.failures.push(f);
        }
    }

    fn counts(&mut self, ns: &str, event: &str, unknown: bool) -> &mut Counts {
        let key = if ns == "/" {
            event.to_owned()
        } else {
            format!("{ns} {event}")
        };
        // Counted only for a new unknown name, not for every record.
        let full = || self.events.values().filter(|c| c.unknown).count() >= MAX_UNKNOWN_NAMES;
        let key = if unknown && !self.events.contains_key(&key) && full() {
            OTHER_UNKNOWN.to_owned()
        } else {
            key
        };
        let c = self.events.entry(key).or_default();
        c.unknown |= unknown;
        c
    }
}

/// Judge every line of `reader` (named `file` in failures) into `report`.
pub fn run<R: BufRead>(
    contract: &Contract,
    reader: &mut R,
    file: &str,
    opts: &Options,
    report: &mut Report,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut pending = Pending::new(MAX_PENDING_ACKS);
    let mut line_no = 0u64;
    let mut judge = Judge {
        contract,
        opts,
        file,
        report,
    };
    while let Some(line) = input::next_line(reader, &mut buf, opts.max_line_bytes)? {
        line_no += 1;
        let text = match line {
            Line::TooLong(len) => {
                judge.unreadable(line_no, "TooLong", format!("line of {len} bytes is longer than the limit ({} bytes, --max-line-bytes); skipped", opts.max_line_bytes));
                continue;
            }
            Line::Text => match std::str::from_utf8(&buf) {
                Ok(t) if t.trim().is_empty() => continue,
                Ok(t) => t,
                Err(e) => {
                    judge.unreadable(line_no, "InvalidUtf8", format!("not UTF-8: {e}"));
                    continue;
                }
            },
        };
        judge.report.lines += 1;
        match input::parse(text, opts.direction) {
            Ok(record) => judge.record(line_no, record, &mut pending),
            Err(Unreadable { code, message }) => judge.unreadable(line_no, code, message),
        }
    }
    Ok(())
}

/// Events sent with an ack id, by (namespace, id, direction of the event).
type Pending = AckBook<(String, u64, Direction)>;

struct Judge<'a> {
    contract: &'a Contract,
    opts: &'a Options,
    file: &'a str,
    report: &'a mut Report,
}

impl Judge<'_> {
    fn unreadable(&mut self, line: u64, code: &'static str, message: String) {
        let f = Failure {
            file: self.file.to_owned(),
            line,
            event: None,
            direction: None,
            namespace: None,
            code,
            path: String::new(),
            message,
        };
        self.report.fail(self.opts.max_failures, f);
    }

    fn record(&mut self, line: u64, record: Record, pending: &mut Pending) {
        match record {
            Record::Other => self.report.other += 1,
            Record::Event {
                event,
                namespace,
                direction,
                args,
                attachments,
                id,
                ack,
            } => {
                if let Some(id) = id {
                    pending.remember((namespace.clone(), id, direction), event.clone());
                }
                let at = At {
                    line,
                    event: &event,
                    namespace: &namespace,
                    direction,
                };
                self.event(&at, &args, attachments, ack.as_ref());
            }
            Record::Ack {
                namespace,
                direction,
                id,
                args,
                attachments,
            } => {
                let key = (namespace.clone(), id, opposite(direction));
                let Some(event) = pending.take(&key) else {
                    self.report.unmatched_acks += 1;
                    return;
                };
                let at = At {
                    line,
                    event: &event,
                    namespace: &namespace,
                    direction: key.2,
                };
                let sizes = vec![None; attachments];
                let errors = self
                    .contract
                    .ack(&namespace, &event, key.2, &args, &sizes)
                    .err()
                    .map_or_else(Vec::new, |v| v.errors);
                self.ack_packet(&at, errors);
            }
        }
    }

    /// An event: known in its namespace, sent the way the catalog says, arguments (and the ack
    /// the record carries) valid.
    fn event(&mut self, at: &At<'_>, args: &[Value], attachments: usize, ack: Option<&Value>) {
        self.report.records += 1;
        let sizes = vec![None; attachments];
        let judged = self
            .contract
            .event(at.namespace, at.event, at.direction, args, &sizes);
        let judged_args = match &judged {
            Ok(()) => true,
            Err(v) => v.breach == Breach::PayloadError,
        };
        let ack_errors = match ack {
            Some(v) if judged_args => self
                .contract
                .ack(
                    at.namespace,
                    at.event,
                    at.direction,
                    std::slice::from_ref(v),
                    &[],
                )
                .err()
                .map_or_else(Vec::new, |v| v.errors),
            _ => Vec::new(),
        };
        let unknown = matches!(&judged, Err(v) if v.breach == Breach::UnknownEvent);
        let c = self.report.counts(at.namespace, at.event, unknown);
        c.seen += 1;
        if judged.is_ok() && ack_errors.is_empty() {
            c.valid += 1;
            return;
        }
        if !unknown {
            c.invalid += 1;
        }
        if let Err(v) = judged {
            for e in v.errors {
                self.fail(at, v.breach.as_str(), e);
            }
        }
        for e in ack_errors {
            self.fail(at, Breach::AckError.as_str(), e);
        }
    }

    /// Count an ack packet under the event it answers.
    fn ack_packet(&mut self, at: &At<'_>, errors: Vec<SchemaError>) {
        self.report.records += 1;
        let c = self.report.counts(at.namespace, at.event, false);
        c.acks += 1;
        if errors.is_empty() {
            return;
        }
        c.invalid_acks += 1;
        for e in errors {
            self.fail(at, "AckError", e);
        }
    }

    fn fail(&mut self, at: &At<'_>, code: &'static str, e: SchemaError) {
        let f = Failure {
            file: self.file.to_owned(),
            line: at.line,
            event: Some(at.event.to_owned()),
            direction: Some(at.direction),
            namespace: Some(at.namespace.to_owned()),
            code,
            path: e.path,
            message: e.message,
        };
        self.report.fail(self.opts.max_failures, f);
    }
}

/// Where a record is and what it is.
struct At<'a> {
    line: u64,
    event: &'a str,
    namespace: &'a str,
    direction: Direction,
}

fn opposite(d: Direction) -> Direction {
    match d {
        Direction::C2s => Direction::S2c,
        Direction::S2c => Direction::C2s,
        Direction::Both => Direction::Both,
    }
}
