//! The domain of an event: the group it is listed under in `scan`'s tables, the file `init`
//! drafts it into and the section of the rendered event catalog. One function, so that the three
//! always agree.

use super::is_reserved;

/// The domain of event `name` with catalog `tags` (none for code that has no catalog yet): its
/// first tag; else the resource of `subscribe:x` / `unsubscribe:x` (`x`); else the part before
/// the first `:`; else `lifecycle` for Socket.IO's own events; else `other`.
pub fn domain_of(name: &str, tags: &[String]) -> String {
    if let Some(t) = tags.first() {
        return t.clone();
    }
    if let Some((first, rest)) = name.split_once(':') {
        let second = rest.split(':').next().unwrap_or_default();
        if matches!(first, "subscribe" | "unsubscribe") && !second.is_empty() {
            return second.to_owned();
        }
        if !first.is_empty() {
            return first.to_owned();
        }
    }
    if is_reserved(name) {
        "lifecycle".into()
    } else {
        "other".into()
    }
}

/// The file stem a domain's events are written to (`events/<stem>.yaml`, by `init` and
/// `import`): lower-case ASCII letters, digits, `-` and `_`, anything else `-`; `events` when
/// nothing is left.
pub fn domain_file(domain: &str) -> String {
    let clean: String = domain
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('-');
    if clean.is_empty() {
        "events".into()
    } else {
        clean.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::domain_of;

    #[test]
    fn domains_come_from_tags_subscriptions_and_prefixes() {
        let tags = ["trades".to_owned()];
        assert_eq!(domain_of("subscribe:trades", &[]), "trades");
        assert_eq!(domain_of("unsubscribe:trades:v2", &[]), "trades");
        assert_eq!(domain_of("trade:update", &[]), "trade");
        assert_eq!(domain_of("trade:update", &tags), "trades");
        assert_eq!(domain_of("disconnect", &[]), "lifecycle");
        assert_eq!(domain_of("subscribe:", &[]), "subscribe");
        assert_eq!(domain_of(":x", &[]), "other");
        assert_eq!(domain_of("ping!", &[]), "other");
        assert_eq!(domain_of("joinRoom", &[]), "other");
    }
}
