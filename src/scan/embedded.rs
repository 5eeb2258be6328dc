//! `<script>` blocks of `.vue`, `.svelte` and `.html` files, and the event handlers written in
//! Svelte and Vue templates ([`with_templates`]).
//!
//! Rather than parsing each block on its own and shifting every position, the file is *masked*:
//! everything outside script blocks becomes spaces (line breaks stay), so the masked text has the
//! same length and line structure as the original and every span the parser reports points at the
//! right line and column of the real file.

/// The script content of one markup file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scripts {
    /// The file with everything outside `<script>` blocks blanked; same byte length as the input.
    pub text: String,
    /// Some block is TypeScript (`lang="ts"`).
    pub typescript: bool,
    /// Some block may contain JSX (`lang="tsx"`/`"jsx"`, `type="text/babel"`).
    pub jsx: bool,
    /// Number of inline script blocks kept.
    pub blocks: usize,
    /// The page loads the Socket.IO client (`<script src="/socket.io/socket.io.js">`).
    pub loads_socket_io_client: bool,
}

/// Finds the inline script blocks of `source` and masks everything else.
pub fn scripts(source: &str) -> Scripts {
    let bytes = source.as_bytes();
    let mut masked: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b } else { b' ' })
        .collect();
    let mut out = Scripts {
        text: String::new(),
        typescript: false,
        jsx: false,
        blocks: 0,
        loads_socket_io_client: false,
    };
    let mut i = 0;
    while i < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[i..]).map(|p| p + i) else {
            break;
        };
        if bytes[lt..].starts_with(b"<!--") {
            i = find(bytes, lt + 4, b"-->").map_or(bytes.len(), |p| p + 3);
            continue;
        }
        if !starts_with_ci(&bytes[lt..], b"<script")
            || !bytes
                .get(lt + 7)
                .is_some_and(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        {
            i = lt + 1;
            continue;
        }
        let Some(tag_end) = tag_end(bytes, lt + 7) else {
            break;
        };
        let attrs = parse_attrs(&source[lt + 7..tag_end]);
        let self_closing = tag_end > 0 && bytes[tag_end - 1] == b'/';
        let content_start = tag_end + 1;
        let close = if self_closing {
            content_start
        } else {
            find_ci(bytes, content_start, b"</script").unwrap_or(bytes.len())
        };
        i = if self_closing {
            content_start
        } else {
            (close + 8).min(bytes.len())
        };

        let attr = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.to_ascii_lowercase())
        };
        if let Some(src) = attr("src") {
            if src.contains("socket.io") {
                out.loads_socket_io_client = true;
            }
            continue;
        }
        let ty = attr("type").unwrap_or_default();
        let lang = attr("lang").unwrap_or_default();
        let js_type = matches!(
            ty.as_str(),
            "" | "text/javascript"
                | "application/javascript"
                | "module"
                | "text/babel"
                | "text/jsx"
                | "application/x-javascript"
                | "text/ecmascript"
                | "text/typescript"
                | "application/typescript"
        );
        if !js_type {
            continue;
        }
        if matches!(lang.as_str(), "ts" | "typescript" | "tsx") || ty.ends_with("typescript") {
            out.typescript = true;
        }
        if matches!(lang.as_str(), "tsx" | "jsx") || ty == "text/babel" || ty == "text/jsx" {
            out.jsx = true;
        }
        masked[content_start..close].copy_from_slice(&bytes[content_start..close]);
        out.blocks += 1;
    }
    // Only ASCII spaces replaced whole characters and the kept blocks start and end at ASCII
    // `>`/`<`, so the masked bytes are valid UTF-8.
    out.text = String::from_utf8(masked)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    out
}

/// `masked` (the output of [`scripts`]) with the template's event-handler expressions kept too,
/// as statements at their own positions: Svelte's `{…}` (`on:click={() => $socket.emit('x')}`,
/// `{#await $socket.emitWithAck('rooms')}`) or Vue's `@click="…"` / `v-on:click="…"`. Only
/// expressions that mention `emit` or `.on(` are kept; `None` when there are none. The caller
/// falls back to the scripts alone if the result does not parse.
pub fn with_templates(source: &str, masked: &str, svelte: bool) -> Option<String> {
    let src = source.as_bytes();
    let mut out = masked.as_bytes().to_vec();
    let styles = style_ranges(src);
    let outside = |i: usize| {
        out_of_script(src, masked.as_bytes(), i) && !styles.iter().any(|r| r.contains(&i))
    };
    let mut kept = 0;
    let mut i = 0;
    while i < src.len() {
        let found = if svelte {
            svelte_expression(src, i)
        } else {
            vue_handler(src, i)
        };
        let Some((open, start, end, close)) = found else {
            i += 1;
            continue;
        };
        i = close + 1;
        if !outside(open) {
            continue;
        }
        let expr = &source[start..end];
        if !(expr.contains("emit") || expr.contains(".on(") || expr.contains(".once(")) {
            continue;
        }
        out[open] = b';';
        out[start..end].copy_from_slice(&src[start..end]);
        out[close] = b';';
        kept += 1;
    }
    (kept > 0).then(|| String::from_utf8(out).ok()).flatten()
}

/// Whether byte `i` was blanked by [`scripts`] (outside every script block).
fn out_of_script(src: &[u8], masked: &[u8], i: usize) -> bool {
    masked.get(i) != src.get(i) || src.get(i) == Some(&b' ')
}

/// Byte ranges of `<style>` blocks, whose braces are CSS.
fn style_ranges(src: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = find_ci(src, i, b"<style") {
        let end = find_ci(src, start, b"</style").unwrap_or(src.len());
        out.push(start..end);
        i = end + 1;
    }
    out
}

/// A Svelte `{…}` at `i`: (`{`, expression start, expression end, `}`), with block syntax
/// (`#await X then y`, `#if X`, `#each X as y`, `:else if X`) reduced to its expression.
fn svelte_expression(src: &[u8], i: usize) -> Option<(usize, usize, usize, usize)> {
    if src[i] != b'{' {
        return None;
    }
    let close = matching_brace(src, i)?;
    let inner = std::str::from_utf8(&src[i + 1..close]).ok()?;
    let lead = inner.len() - inner.trim_start().len();
    let body = inner.trim_start();
    let (skip, expr) = if let Some(rest) = body.strip_prefix("#await ") {
        let end = rest
            .find(" then ")
            .or_else(|| rest.find(" catch "))
            .unwrap_or(rest.len());
        (7, &rest[..end])
    } else if let Some(rest) = body
        .strip_prefix("#if ")
        .or_else(|| body.strip_prefix("#key "))
    {
        (4 + usize::from(body.starts_with("#key")), rest)
    } else if let Some(rest) = body.strip_prefix(":else if ") {
        (9, rest)
    } else if let Some(rest) = body.strip_prefix("#each ") {
        (6, &rest[..rest.find(" as ").unwrap_or(rest.len())])
    } else if body.starts_with(['#', ':', '/', '@']) {
        return Some((i, i + 1, i + 1, close));
    } else {
        (0, body)
    };
    let start = i + 1 + lead + skip;
    Some((i, start, start + expr.len(), close))
}

/// The `}` closing the `{` at `open`, skipping strings and template literals.
fn matching_brace(src: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < src.len() {
        let b = src[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// A Vue handler attribute at `i` (`@click="…"`, `v-on:click="…"`): (opening quote, value
/// start, value end, closing quote).
fn vue_handler(src: &[u8], i: usize) -> Option<(usize, usize, usize, usize)> {
    let name_start = match src[i] {
        b'@' => i + 1,
        b'v' if src[i..].starts_with(b"v-on:") => i + 5,
        _ => return None,
    };
    if i > 0 && !src[i - 1].is_ascii_whitespace() {
        return None;
    }
    let mut j = name_start;
    while j < src.len()
        && (src[j].is_ascii_alphanumeric() || matches!(src[j], b'-' | b'.' | b':' | b'_'))
    {
        j += 1;
    }
    if j == name_start || src.get(j) != Some(&b'=') {
        return None;
    }
    let q = *src.get(j + 1)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let close = memchr::memchr(q, &src[j + 2..])? + j + 2;
    Some((j + 1, j + 2, close, close))
}

/// Index of the `>` that closes a tag whose attributes start at `from`, skipping quoted values.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs (names lower-cased; bare attributes get an empty value).
fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = s.get(vs..i).unwrap_or("").to_string();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = s.get(vs..i).unwrap_or("").to_string();
            }
        }
        out.push((name, value));
    }
    out
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut i = from;
    while i < hay.len() {
        let lt = memchr::memchr(b'<', &hay[i..])? + i;
        if starts_with_ci(&hay[lt..], needle) {
            return Some(lt);
        }
        i = lt + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::scripts;

    #[test]
    fn keeps_script_blocks_at_their_offsets() {
        let src = "<template>\n  <p>é</p>\n</template>\n<script setup lang=\"ts\">\nsocket.emit('a')\n</script>\n";
        let s = scripts(src);
        assert_eq!(s.text.len(), src.len());
        assert_eq!(s.blocks, 1);
        assert!(s.typescript);
        let at = src.find("socket").unwrap();
        assert_eq!(&s.text[at..at + 6], "socket");
        assert!(!s.text.contains("template"));
        assert_eq!(s.text.lines().count(), src.lines().count());
    }

    #[test]
    fn skips_non_js_and_notes_the_client_library() {
        let src = "<script src=\"/socket.io/socket.io.js\"></script>\n<script type=\"text/template\">x.emit('no')</script>\n<!-- <script>y.emit('no')</script> -->\n<SCRIPT>io().emit('yes')</SCRIPT>";
        let s = scripts(src);
        assert!(s.loads_socket_io_client);
        assert_eq!(s.blocks, 1);
        assert!(!s.text.contains("'no'"));
        assert!(s.text.contains("'yes'"));
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for src in [
            "<script",
            "<script>",
            "<script lang='ts",
            "<!--",
            "<scriptx>",
            "<script/>",
            "é<script>é",
        ] {
            let s = scripts(src);
            assert_eq!(s.text.len(), src.len());
        }
    }
}
