//! The github format: one workflow command per finding, which GitHub Actions turns into an
//! annotation on the pull request (`::error file=F,line=L,col=C,title=T::message`).
//!
//! Escaping follows the Actions runner: in the message `%`, `\r`, `\n` are percent-encoded; in
//! property values `:` and `,` are too, since they delimit the properties.

use crate::check::Finding;
use crate::vocab::diagnostic::Severity;
use crate::vocab::diagnostic::{
    github_escape_data as escape_data, github_escape_property as escape_property,
};
use std::io::{self, Write};

/// Write one workflow command line per finding.
pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        writeln!(out, "{}", command(f))?;
    }
    Ok(())
}

/// The workflow command for one finding.
fn command(f: &Finding) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(loc) = f.primary() {
        props.push(format!("file={}", escape_property(&loc.file)));
        if loc.line > 0 {
            props.push(format!("line={}", loc.line));
            if loc.column > 0 {
                props.push(format!("col={}", loc.column));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} {}", f.rule, f.rule.name()))
    ));

    // The annotation shows only the message, so the catalog entry and help ride along on lines
    // of their own.
    let mut message = f.message.clone();
    if let (Some(_), Some(catalog)) = (&f.code, &f.catalog) {
        message.push_str(&format!("\ncatalog: {catalog}"));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_escaped_before_the_rest() {
        assert_eq!(escape_data("100%\r\n"), "100%25%0D%0A");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
