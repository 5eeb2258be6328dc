//! Room expressions as the scanner records them (`` `user:${socket.userId}` ``, `'signals'`,
//! `'user:' + id`), read back as catalog room templates (`user:{userId}`).
//!
//! `init` writes these templates into a draft catalog and `check` (EV006) compares them with the
//! catalog's, so both must read a room expression the same way.

/// The catalog template a room expression stands for: literal text kept, each interpolated
/// value a `{name}` placeholder named after its last path segment. `None` when the room is not
/// literal enough to tell (a variable, a call, a concatenation without any literal).
pub fn template(expr: &str) -> Option<String> {
    let t = expr.trim();
    if let Some(lit) = quoted(t) {
        return Some(lit.to_owned());
    }
    if t.len() >= 2 && t.starts_with('`') && t.ends_with('`') {
        let mut out = String::new();
        let mut rest = &t[1..t.len() - 1];
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find('}')?;
            placeholder(&mut out, &rest[i + 2..i + j]);
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        return Some(out);
    }
    if t.contains('+') {
        let parts: Vec<&str> = t.split('+').collect();
        if !parts.iter().any(|p| quoted(p).is_some()) {
            return None;
        }
        let mut out = String::new();
        let mut after_value = false;
        for p in parts {
            match quoted(p) {
                Some(lit) => {
                    out.push_str(lit);
                    after_value = false;
                }
                // `'a:' + x + y` is one value as far as the room name shows.
                None if after_value => {}
                None => {
                    placeholder(&mut out, p);
                    after_value = true;
                }
            }
        }
        return Some(out);
    }
    None
}

/// A string literal's content, when `s` is exactly one single- or double-quoted literal.
fn quoted(s: &str) -> Option<&str> {
    let s = s.trim();
    ['\'', '"'].into_iter().find_map(|q| {
        let inner = s.strip_prefix(q)?.strip_suffix(q)?;
        (!inner.contains(q)).then_some(inner)
    })
}

/// `{userId}` for `socket.userId`; `{id}` for anything that is not a plain path.
fn placeholder(out: &mut String, expr: &str) {
    let last = expr.trim().rsplit(['.', '?']).next().unwrap_or("");
    let name = if !last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || c == '_') {
        last
    } else {
        "id"
    };
    out.push('{');
    out.push_str(name);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn reads_room_expressions() {
        assert_eq!(
            template("`user:${socket.userId}`").unwrap(),
            "user:{userId}"
        );
        assert_eq!(template("'signals'").unwrap(), "signals");
        assert_eq!(template("\"user:\" + id").unwrap(), "user:{id}");
        assert_eq!(template("'a:' + x + y + ':b'").unwrap(), "a:{x}:b");
        assert_eq!(template("`x:${f(a)}`").unwrap(), "x:{id}");
        assert!(template("room").is_none());
        assert!(template("a + b").is_none());
        assert!(template("`x:${unclosed`").is_none());
        assert!(template("'a'b'").is_none());
    }
}
