//! Positions and source text of syntax nodes, from proc-macro2's span locations.

use proc_macro2::Span;
use syn::spanned::Spanned;

/// 1-based line and 1-based character column where `span` starts.
pub fn position(span: Span) -> (u32, u32) {
    let start = span.start();
    let line = u32::try_from(start.line).unwrap_or(u32::MAX).max(1);
    let column = u32::try_from(start.column)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    (line, column)
}

/// The source text of a node as written, whitespace runs collapsed to one space.
pub fn source_of<T: Spanned>(node: &T) -> String {
    match node.span().source_text() {
        Some(text) => collapse_whitespace(&text),
        None => String::new(),
    }
}

/// Collapse line breaks and the indentation around them so multi-line expressions read on one
/// line; whitespace within a line (which may sit inside a string literal) stays as written.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if run.contains('\n') {
            let after_open = out.ends_with(['(', '[', '{']) || out.is_empty();
            if !after_open && !matches!(c, ')' | ']' | '}' | '.' | ',' | '?') {
                out.push(' ');
            }
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_but_text_stays() {
        assert_eq!(
            collapse_whitespace("format!(\n    \"user:{}\",\n    id\n)"),
            "format!(\"user:{}\", id)"
        );
    }
}
