//! The naming convention a drafted catalog writes (`conventions.event_pattern`): inferred from
//! the project's own event names, so that `evdoc check` right after `evdoc init` reports no
//! EV007 for names the team chose on purpose (`joinRoom`, `on_upload_success`, `config.update`,
//! `user changed`).

use crate::catalog::model::DEFAULT_EVENT_PATTERN;
use regex::Regex;

/// Naming styles, most specific first: the regex each name of that style matches.
const STYLES: &[(&str, &str)] = &[
    ("domain:action", DEFAULT_EVENT_PATTERN),
    ("dotted", r"^[a-z][a-zA-Z0-9_-]*(\.[a-zA-Z0-9_-]+)+$"),
    ("snake_case", r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$"),
    ("kebab-case", r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"),
    ("lowercase", r"^[a-z][a-z0-9]*$"),
    ("camelCase", r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$"),
    ("PascalCase", r"^[A-Z][a-z0-9]*([A-Z][a-z0-9]*)*$"),
    ("words", r"^[a-z][a-z0-9]*( [a-z0-9]+)+$"),
];

/// The pattern every name in `names` matches, and the styles it allows: the default when the
/// names follow it, else the fewest styles that cover them all (any name no style covers is
/// allowed as written).
pub fn convention<'n>(names: impl IntoIterator<Item = &'n str>) -> (String, Vec<&'static str>) {
    let names: Vec<&str> = names.into_iter().collect();
    let styles: Vec<(&str, Regex)> = STYLES
        .iter()
        .map(|(n, r)| (*n, Regex::new(r).expect("style regexes are valid")))
        .collect();
    let mut left: Vec<&str> = names.clone();
    let mut chosen: Vec<usize> = Vec::new();
    while !left.is_empty() {
        let best = (0..styles.len())
            .filter(|i| !chosen.contains(i))
            .map(|i| (i, left.iter().filter(|n| styles[i].1.is_match(n)).count()))
            .filter(|(_, c)| *c > 0)
            .max_by_key(|(i, c)| (*c, std::cmp::Reverse(*i)));
        let Some((i, _)) = best else { break };
        chosen.push(i);
        left.retain(|n| !styles[i].1.is_match(n));
    }
    chosen.sort_unstable();
    if chosen == [0] && left.is_empty() || names.is_empty() {
        return (DEFAULT_EVENT_PATTERN.to_owned(), vec![STYLES[0].0]);
    }
    let mut parts: Vec<String> = chosen
        .iter()
        .map(|&i| {
            STYLES[i]
                .1
                .trim_start_matches('^')
                .trim_end_matches('$')
                .to_owned()
        })
        .collect();
    parts.extend(left.iter().map(|n| regex::escape(n)));
    let pattern = format!("^(?:{})$", parts.join("|"));
    (pattern, chosen.iter().map(|&i| STYLES[i].0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(pattern: &str, names: &[&str]) -> bool {
        let re = Regex::new(pattern).unwrap();
        names.iter().all(|n| re.is_match(n))
    }

    #[test]
    fn the_default_when_names_follow_it() {
        let (p, styles) = convention(["trade:update", "subscribe:trades"]);
        assert_eq!(p, DEFAULT_EVENT_PATTERN);
        assert_eq!(styles, ["domain:action"]);
    }

    #[test]
    fn the_fewest_styles_that_cover_every_name() {
        let names = [
            "on_upload_success",
            "on_asset_update",
            "AppRestartV1",
            "config.update",
        ];
        let (p, styles) = convention(names);
        assert_eq!(styles, ["dotted", "snake_case", "PascalCase"]);
        assert!(accepts(&p, &names));
        assert!(!accepts(&p, &["Not A Name!"]));
        let (p, styles) = convention(["user changed", "online users", "doc", "cursor focus"]);
        assert_eq!(styles, ["lowercase", "words"]);
        assert!(accepts(&p, &["refresh", "cursor blur"]));
        assert!(!accepts(&p, &["joinRoom"]));
    }

    #[test]
    fn names_no_style_covers_are_allowed_as_written() {
        let (p, _) = convention(["joinRoom", "x/y?"]);
        assert!(accepts(&p, &["joinRoom", "x/y?", "leaveRoom"]));
        assert!(!accepts(&p, &["x/z?"]));
    }
}
