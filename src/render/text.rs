//! Text helpers shared by the Markdown and HTML renderers: safe anchors and file names, and
//! escaping of catalog text for Markdown (inline text, table cells, code spans).

/// FNV-1a, 64 bits: a stable hash (unlike `std`'s, which is randomised) for anchor suffixes.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A lower-case ASCII slug: letters, digits, `_` and `-` kept, `:` becomes `.`, every other
/// run becomes one `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if c == ':' {
            out.push('.');
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with(['-', '.']) {
        out.pop();
    }
    out
}

/// The id GitHub gives a Markdown heading (`## Versioning: D021` → `versioning-d021`): lower
/// case, letters, digits, `_` and `-` kept, each space a `-`, other punctuation dropped. The site
/// uses it for headings so that a link written for the Markdown on GitHub works in the site too.
pub fn heading_slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A stable, safe anchor (and file-name stem) for a name: its slug, plus a short hash of the
/// name whenever the slug loses information (upper case, spaces, `../../x`, emoji), so that two
/// different names never share an anchor and an anchor never changes when other names do.
pub fn anchor(prefix: &str, name: &str) -> String {
    let s = slug(name);
    // Lossless when the name only holds what the slug keeps as is (`domain:action_x-y`), minus
    // leading/trailing separators that the slug trims.
    let lossless = !s.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | ':'))
        && s == name.replace(':', ".");
    if lossless {
        format!("{prefix}{s}")
    } else if s.is_empty() {
        format!("{prefix}{:08x}", fnv1a(name) as u32)
    } else {
        let short: String = s.chars().take(48).collect();
        format!("{prefix}{short}-{:06x}", fnv1a(name) & 0xff_ffff)
    }
}

/// Escape catalog text for Markdown prose: raw HTML is neutralised (`<` → `&lt;`) outside code
/// spans, so a `<script>` in a description is shown, never run, on GitHub and in the site.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut in_code = false;
    let mut fence = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                let mut n = 1;
                while chars.peek() == Some(&'`') {
                    chars.next();
                    n += 1;
                }
                if !in_code {
                    in_code = true;
                    fence = n;
                } else if n == fence {
                    in_code = false;
                }
                out.extend(std::iter::repeat_n('`', n));
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '&' if !in_code => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    if in_code {
        // An unclosed code span: Markdown shows the backticks literally, so `<` would be raw
        // HTML again. Escape the whole text instead.
        return escape_all(s);
    }
    out
}

/// Escape every Markdown- and HTML-significant character (for names and one-line values).
pub fn escape_all(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Catalog text for one table cell: prose escaping, no line breaks, `|` escaped.
pub fn md_cell(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = md_text(&one_line);
    // `|` ends a cell even inside a code span; `md_code` already escaped its own.
    let mut out = String::with_capacity(text.len());
    let mut prev = ' ';
    for c in text.chars() {
        if c == '|' && prev != '\\' {
            out.push('\\');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// A code span holding `s` literally, whatever backticks it contains; safe in table cells.
pub fn md_code(s: &str) -> String {
    code_span(s, true)
}

/// A code span for a heading or prose, where `|` needs no escaping.
pub fn md_code_prose(s: &str) -> String {
    code_span(s, false)
}

fn code_span(s: &str, in_table: bool) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let ticks = "`".repeat(longest + 1);
    // `|` ends a table cell even inside a code span in GFM; `\|` is shown as `|` there.
    let body = if in_table { s.replace('|', "\\|") } else { s };
    let pad = if body.starts_with('`') || body.ends_with('`') || body.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{body}{pad}{ticks}")
}

/// A fenced code block whose fence is longer than any backtick run inside `body`.
pub fn md_fence(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{fence}{lang}\n{}\n{fence}", body.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_slugs_are_githubs() {
        assert_eq!(heading_slug("Versioning: D021"), "versioning-d021");
        assert_eq!(
            heading_slug("Compatibility: what `evdoc diff` calls breaking"),
            "compatibility-what-evdoc-diff-calls-breaking"
        );
        assert_eq!(heading_slug("OLD and NEW"), "old-and-new");
        assert_eq!(heading_slug("a - b"), "a---b");
        assert_eq!(heading_slug("Événements"), "événements");
    }

    #[test]
    fn anchors_are_safe_stable_and_distinct() {
        assert_eq!(anchor("ev-", "trade:update"), "ev-trade.update");
        assert_eq!(anchor("ev-", "connect_error"), "ev-connect_error");
        let a = anchor("ev-", "Trade:Update");
        assert_ne!(a, "ev-trade.update");
        assert_eq!(a, anchor("ev-", "Trade:Update"), "stable");
        assert_eq!(anchor("ev-", "trade-update"), "ev-trade-update");
        for name in ["../../x", "🚀", "ünïcode:ëvent", "a b/c\\d", ""] {
            let a = anchor("ev-", name);
            assert!(a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
            assert!(a.len() > 3, "{name:?} → {a}");
        }
        assert_ne!(anchor("ev-", "🚀"), anchor("ev-", "🎉"));
    }

    #[test]
    fn markdown_escaping_neutralises_html() {
        assert_eq!(
            md_text("a <script>x</script> `<b>`"),
            "a &lt;script&gt;x&lt;/script&gt; `<b>`"
        );
        assert_eq!(md_text("open `<b>"), escape_all("open `<b>"));
        assert_eq!(md_cell("a | b\nc"), "a \\| b c");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("x|y"), "`x\\|y`");
        assert_eq!(md_cell(&md_code("x|y")), "`x\\|y`");
        assert!(md_fence("json", "```").starts_with("````json"));
    }
}
