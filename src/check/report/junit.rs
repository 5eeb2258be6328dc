//! The junit format: JUnit XML, so CI test views list each finding as a failed test case.
//!
//! One test suite, `evdoc`; one test case per finding, named by rule and event, with the file as
//! its class. With no findings a single passing case `evdoc check` keeps the CI view green rather
//! than empty.

use crate::check::Finding;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Write the JUnit XML document.
pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let tests = findings.len().max(1);
    let failures = findings.len();
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"evdoc\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"evdoc\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    if findings.is_empty() {
        xml.push_str("    <testcase name=\"evdoc check\" classname=\"evdoc\"/>\n");
    }
    for f in findings {
        testcase(&mut xml, f);
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// One failed test case for `f`.
fn testcase(xml: &mut String, f: &Finding) {
    let name = format!("{} {}", f.rule, f.event.as_deref().unwrap_or(f.rule.name()));
    let classname = f.primary().map_or("evdoc", |l| l.file.as_str());
    let mut body = match f.primary() {
        Some(loc) => format!("{loc}: {} [{}] {}", f.rule, f.severity, f.message),
        None => format!("{} [{}] {}", f.rule, f.severity, f.message),
    };
    if let (Some(_), Some(catalog)) = (&f.code, &f.catalog) {
        let _ = write!(body, "\ncatalog entry: {catalog}");
    }
    if let Some(help) = &f.help {
        let _ = write!(body, "\nhelp: {help}");
    }
    let _ = writeln!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
        escape_attr(&name),
        escape_attr(classname),
        escape_attr(&f.message),
        escape_attr(f.rule.id()),
        escape_text(&body),
    );
}

/// Escape character data; characters XML 1.0 forbids become U+FFFD.
fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escape an attribute value; line breaks and tabs become character references, which keep them
/// through attribute-value normalisation.
fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if allowed_in_xml(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Whether XML 1.0 allows `c` at all (its `Char` production, less tab and line breaks).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape_attr("<a & \"b\" 'c'>\n"),
            "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;&#10;"
        );
        assert_eq!(escape_text("a\u{1}b\n'\""), "a\u{FFFD}b\n'\"");
    }
}
