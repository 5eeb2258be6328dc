//! The four formats of `evdoc diff`: text (ruff-like, coloured on a terminal), JSON (stable,
//! documented in docs/compatibility.md), Markdown (a pull-request comment) and GitHub workflow
//! annotations on the new catalog's lines.

use super::{Change, ChangeRule, Level};
use crate::vocab::diagnostic::{
    github_escape_data as escape_data, github_escape_property as escape_property,
};
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::{self, Write};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One change per line with its rule, then a summary.
    Text,
    /// `{version, old, new, summary, changes}` (docs/compatibility.md).
    Json,
    /// A pull-request comment: summary, then tables of breaking and non-breaking changes.
    Markdown,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
}

/// What the report is about.
pub struct Meta<'a> {
    /// `OLD` as given.
    pub old: &'a str,
    /// `NEW` as given.
    pub new: &'a str,
    /// Colour the text format.
    pub color: bool,
}

/// Write `changes` in `format`.
pub fn write(
    format: Format,
    changes: &[Change],
    meta: &Meta,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text(changes, meta.color, out),
        Format::Json => json(changes, meta, out),
        Format::Markdown => markdown(changes, meta, out),
        Format::Github => github(changes, out),
    }
}

fn counts(changes: &[Change]) -> (usize, usize) {
    let breaking = changes.iter().filter(|c| c.is_breaking()).count();
    (breaking, changes.len() - breaking)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `c2s payload /price`: the direction, part and path of a change, as one phrase.
fn place(c: &Change) -> String {
    let mut parts = Vec::new();
    if let Some(d) = c.direction {
        parts.push(d.to_string());
    }
    if let Some(p) = &c.part {
        parts.push(p.clone());
    }
    if !c.path.is_empty() {
        parts.push(c.path.clone());
    }
    parts.join(" ")
}

/// Control characters from the catalogs must not drive the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn text(changes: &[Change], color: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = |s: Style| if color { s } else { Style::new() };
    let bold = paint(Style::new().bold());
    let dim = paint(Style::new().dimmed());
    for c in changes {
        let lvl = paint(
            Style::new().fg_color(Some(
                match c.level() {
                    Level::Breaking => AnsiColor::BrightRed,
                    Level::NonBreaking => AnsiColor::Green,
                }
                .into(),
            )),
        );
        let at = c
            .location
            .as_ref()
            .map(|l| format!("{bold}{}{bold:#}: ", printable(&l.to_string())))
            .unwrap_or_default();
        let where_ = place(c);
        let where_ = if where_.is_empty() {
            String::new()
        } else {
            format!(" ({where_})")
        };
        writeln!(
            out,
            "{at}{lvl}{}{lvl:#} {lvl}[{}]{lvl:#} {}{}: {}",
            c.rule,
            c.level(),
            printable(&c.subject),
            printable(&where_),
            printable(&c.message)
        )?;
        writeln!(
            out,
            "  {dim}= {}: {}{dim:#}",
            c.rule.name(),
            c.rule.explanation()
        )?;
    }
    if !changes.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(changes))
}

/// `Found 2 breaking and 3 non-breaking changes.` or `No changes.`
pub fn summary(changes: &[Change]) -> String {
    let (b, n) = counts(changes);
    if changes.is_empty() {
        return "No changes.".into();
    }
    format!(
        "Found {} and {}.",
        plural(b, "breaking change", "breaking changes"),
        plural(n, "non-breaking change", "non-breaking changes")
    )
}

/// The JSON document (format version 1).
#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    old: &'a str,
    new: &'a str,
    summary: Summary,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct Summary {
    breaking: usize,
    non_breaking: usize,
}

/// One change in the JSON: the rule's id, name and level, then the change's own fields.
#[derive(Serialize)]
struct JsonChange<'a> {
    id: &'static str,
    rule: &'static str,
    level: Level,
    scope: super::Scope,
    subject: &'a str,
    direction: Option<crate::vocab::Direction>,
    part: Option<&'a str>,
    path: &'a str,
    message: &'a str,
    location: Option<&'a crate::vocab::diagnostic::Location>,
}

fn json(changes: &[Change], meta: &Meta, out: &mut dyn Write) -> io::Result<()> {
    let (breaking, non_breaking) = counts(changes);
    let doc = Doc {
        version: 1,
        old: meta.old,
        new: meta.new,
        summary: Summary {
            breaking,
            non_breaking,
        },
        changes: changes
            .iter()
            .map(|c| JsonChange {
                id: c.rule.id(),
                rule: c.rule.name(),
                level: c.level(),
                scope: c.scope,
                subject: &c.subject,
                direction: c.direction,
                part: c.part.as_deref(),
                path: &c.path,
                message: &c.message,
                location: c.location.as_ref(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Escape a Markdown table cell.
fn cell(s: &str) -> String {
    printable(s).replace('|', "\\|")
}

fn markdown(changes: &[Change], meta: &Meta, out: &mut dyn Write) -> io::Result<()> {
    let (b, n) = counts(changes);
    let head = if b > 0 { "❌" } else { "✅" };
    writeln!(
        out,
        "### {head} evdoc diff: {}, {}\n",
        plural(b, "breaking change", "breaking changes"),
        plural(n, "non-breaking change", "non-breaking changes")
    )?;
    writeln!(out, "`{}` → `{}`\n", cell(meta.old), cell(meta.new))?;
    for (level, title) in [
        (Level::Breaking, "Breaking"),
        (Level::NonBreaking, "Non-breaking"),
    ] {
        let rows: Vec<&Change> = changes.iter().filter(|c| c.level() == level).collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(out, "#### {title}\n")?;
        writeln!(out, "| event | direction | path | rule | change | why |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for c in rows {
            let subject = match c.scope {
                super::Scope::Event => format!("`{}`", cell(&c.subject)),
                _ => cell(&c.subject),
            };
            let path = match (&c.part, c.path.as_str()) {
                (Some(p), "") => format!("`{}`", cell(p)),
                (Some(p), path) => format!("`{}` `{}`", cell(p), cell(path)),
                (None, _) => String::new(),
            };
            writeln!(
                out,
                "| {subject} | {} | {path} | {} `{}` | {} | {} |",
                c.direction.map(|d| d.to_string()).unwrap_or_default(),
                c.rule,
                c.rule.name(),
                cell(&c.message),
                cell(c.rule.explanation())
            )?;
        }
        writeln!(out)?;
    }
    if b > 0 {
        writeln!(
            out,
            "Old clients break on the changes above. Ship an incompatible contract as a new event version (`trade:update:v2`) and deprecate the old one with `use:` pointing at it (the rules: evdoc's `docs/compatibility.md`)."
        )?;
    }
    Ok(())
}

fn github(changes: &[Change], out: &mut dyn Write) -> io::Result<()> {
    for c in changes {
        let level = match c.level() {
            Level::Breaking => "error",
            Level::NonBreaking => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &c.location {
            // `git:REV:path` names a file of the repository at REV: the annotation goes on path.
            let file = match loc.file.strip_prefix("git:") {
                Some(rest) => rest.split_once(':').map_or(rest, |(_, p)| p),
                None => &loc.file,
            };
            props.push(format!("file={}", escape_property(file)));
            if loc.line > 0 {
                props.push(format!("line={}", loc.line));
                if loc.column > 0 {
                    props.push(format!("col={}", loc.column));
                }
            }
        }
        let title = format!("{} {} ({})", c.rule, c.rule.name(), c.subject);
        props.push(format!("title={}", escape_property(&title)));
        let where_ = place(c);
        let mut message = if where_.is_empty() {
            format!("{}: {}", c.subject, c.message)
        } else {
            format!("{} ({where_}): {}", c.subject, c.message)
        };
        message.push_str(&format!("\n{}", c.rule.explanation()));
        writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// The rules that fired, in id order (for docs and summaries).
pub fn rules_used(changes: &[Change]) -> BTreeSet<ChangeRule> {
    changes.iter().map(|c| c.rule).collect()
}
