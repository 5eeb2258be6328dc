//! The text format, modelled on ruff's full output: a `path:line:col: EV001 [error] message`
//! header, the source line under a line-number gutter with a caret at the column, the catalog
//! entry when the finding also has one, the help, and a summary line at the end.
//!
//! Source lines are read from disk here; a file that is gone or not text only loses its snippet,
//! since a report must never fail because of what it quotes.

use super::{ReportContext, Tally};
use crate::check::Finding;
use crate::vocab::diagnostic::{Location, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Write every finding, then the summary.
pub(super) fn write(
    findings: &[Finding],
    ctx: &ReportContext,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = if ctx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut sources = Sources::default();
    for f in findings {
        writeln!(out, "{}", header(f, ctx.color))?;
        let body = body(f, ctx, &mut sources);
        if !body.is_empty() {
            writeln!(out, "{}", renderer.render(&body))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(findings, ctx.files_scanned))
}

/// `path:line:col: EV001 [error] message`, coloured like ruff when asked.
fn header(f: &Finding, color: bool) -> String {
    let paint = |style: Style| if color { style } else { Style::new() };
    let bold = paint(Style::new().bold());
    let sev = paint(severity_style(f.severity));
    let rule = paint(severity_style(f.severity).bold());
    let place = match f.primary() {
        Some(loc) => format!("{bold}{}{bold:#}: ", printable(&loc.to_string())),
        None => String::new(),
    };
    format!(
        "{place}{rule}{}{rule:#} {sev}[{}]{sev:#} {}",
        f.rule,
        f.severity,
        printable(&f.message)
    )
}

/// `s` with control characters other than line breaks and tabs replaced: messages quote event
/// names from scanned code, which must not be able to drive the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::BrightRed,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::BrightBlue,
    };
    Style::new().fg_color(Some(color.into()))
}

/// The snippet and help under the header, then the catalog entry when the finding has both a
/// code and a catalog location; empty when there is nothing to show.
fn body<'a>(f: &'a Finding, ctx: &ReportContext, sources: &'a mut Sources) -> Vec<Group<'a>> {
    let level = match f.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    // Load both files first: the snippets borrow the cache, so it cannot grow afterwards.
    let code = f.code.as_ref().map(|l| (l, ctx.code_root));
    let catalog = f.catalog.as_ref().map(|l| (l, ctx.catalog_root));
    for (loc, root) in code.iter().chain(catalog.iter()) {
        sources.load(root, &loc.file);
    }
    let sources = &*sources;

    let mut main = Group::with_level(level);
    if let Some((loc, root)) = code.or(catalog) {
        let source = sources.get(root, &loc.file);
        if let Some(snippet) = snippet(source, loc, AnnotationKind::Primary) {
            main = main.element(snippet);
        }
    }
    if let Some(help) = &f.help {
        main = main.element(Level::HELP.message(help.as_str()));
    }
    let mut groups = vec![main];
    if let (Some(_), Some((loc, root))) = (code, catalog) {
        let title = Level::NOTE.secondary_title("catalog entry");
        let note = match snippet(sources.get(root, &loc.file), loc, AnnotationKind::Context) {
            Some(snippet) => title.element(snippet.path(loc.file.as_str())),
            None => title.element(origin(loc)),
        };
        groups.push(note);
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// The line of `loc` with a mark at its column (the whole line when the column is unknown).
fn snippet<'a>(
    text: Option<&'a str>,
    loc: &Location,
    kind: AnnotationKind,
) -> Option<Snippet<'a, annotate_snippets::Annotation<'a>>> {
    let line_no = usize::try_from(loc.line).ok().filter(|&l| l > 0)?;
    let line = text?.lines().nth(line_no - 1)?;
    let span = match usize::try_from(loc.column).unwrap_or(0) {
        0 => {
            let start = line.len() - line.trim_start().len();
            start..line.trim_end().len().max(start)
        }
        col => {
            // Columns count characters; annotate-snippets wants byte offsets.
            let start = line
                .char_indices()
                .nth(col - 1)
                .map_or(line.len(), |(i, _)| i);
            let end = start + token_len(&line[start..]);
            start..end
        }
    };
    Some(
        Snippet::source(line)
            .line_start(line_no)
            .annotation(kind.span(span)),
    )
}

/// `--> file:line:col` without a snippet, for a file that cannot be shown.
fn origin(loc: &Location) -> Origin<'_> {
    let mut origin = Origin::path(loc.file.as_str());
    if loc.line > 0 {
        origin = origin.line(loc.line as usize);
        if loc.column > 0 {
            origin = origin.char_column(loc.column as usize);
        }
    }
    origin
}

/// Length in bytes of the token that starts `rest`, so the mark covers a whole string literal,
/// name or YAML key (`order:placed`) rather than one character; at least one character.
fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    if matches!(first, '"' | '\'' | '`') {
        // A quoted literal up to its closing quote; an unclosed one gets only its quote marked.
        return rest[1..].find(first).map_or(1, |i| i + 2);
    }
    let is_name = |c: char| c.is_alphanumeric() || matches!(c, '_' | '$' | '-');
    if !is_name(first) {
        return first.len_utf8();
    }
    let bytes = rest.as_bytes();
    let mut end = first.len_utf8();
    for (i, c) in chars {
        // A `:` inside a name is part of it (`trade:cancelled`); one before a space or the end
        // of the line is YAML's key separator.
        let inner_colon = c == ':' && bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace());
        if !(is_name(c) || inner_colon) {
            break;
        }
        end = i + c.len_utf8();
    }
    end
}

/// `Found N findings (…) in F files.` or `All checks passed (F files).`
fn summary(findings: &[Finding], files: usize) -> String {
    let files = plural(files, "file", "files");
    if findings.is_empty() {
        return format!("All checks passed ({files}).");
    }
    let t = Tally::of(findings);
    format!(
        "Found {} ({}, {}, {} info) in {files}.",
        plural(findings.len(), "finding", "findings"),
        plural(t.errors, "error", "errors"),
        plural(t.warnings, "warning", "warnings"),
        t.info,
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// File contents read once per report; `None` for a file that cannot be shown.
#[derive(Default)]
struct Sources {
    files: HashMap<PathBuf, Option<String>>,
}

impl Sources {
    fn load(&mut self, root: &Path, file: &str) {
        let path = root.join(file);
        self.files.entry(path).or_insert_with_key(|path| {
            let bytes = std::fs::read(path).ok()?;
            // A NUL byte means a binary file: its "lines" would only garble the terminal.
            if bytes.contains(&0) {
                return None;
            }
            String::from_utf8(bytes).ok()
        });
    }

    fn get(&self, root: &Path, file: &str) -> Option<&str> {
        self.files.get(&root.join(file))?.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::token_len;

    #[test]
    fn marks_whole_tokens() {
        assert_eq!(token_len(r#""trade:cancelled", x"#), 17);
        assert_eq!(token_len("legacy:ping:"), 11);
        assert_eq!(token_len("server-to-client # c"), 16);
        assert_eq!(token_len("socket.on("), 6);
        assert_eq!(token_len("`a:b,c`, 1"), 7);
        assert_eq!(token_len("\"open"), 1);
        assert_eq!(token_len("été:x y"), "été:x".len());
        assert_eq!(token_len("("), 1);
        assert_eq!(token_len(""), 0);
    }

    #[test]
    fn headers_cannot_carry_escape_sequences() {
        assert_eq!(super::printable("a\u{1b}[2Jb\nc"), "a\u{FFFD}[2Jb\nc");
    }
}
