//! Room templates (`user:{userId}`): the one reading of a catalog room name that lint, check
//! (EV006) and serve share, so that the placeholder lint checks against the payload is the one
//! serve binds, and the pattern check compares is the one serve matches.
//!
//! The reading is lenient and total (any string is a template): a `{` opens a placeholder that
//! the next `}` closes; a `{` with no `}` after it, and a `}` outside a placeholder, are literal
//! text. [`RoomTemplate::problems`] names what is legal but almost surely a typo, for lint.

use std::fmt;

/// One segment of a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Text that is part of every room of the template.
    Literal(String),
    /// `{name}`: a value that varies per room (bound from a payload field by serve).
    Placeholder(String),
}

/// A parsed room template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoomTemplate {
    raw: String,
    segments: Vec<Segment>,
}

impl RoomTemplate {
    /// Read `raw` (never fails: see the module comment for odd input).
    pub fn parse(raw: &str) -> RoomTemplate {
        let mut segments = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find('{') {
            let Some(len) = rest[open..].find('}') else {
                break;
            };
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_string()));
            }
            segments.push(Segment::Placeholder(rest[open + 1..open + len].to_string()));
            rest = &rest[open + len + 1..];
        }
        if !rest.is_empty() {
            // Adjacent literals cannot arise: a literal is only pushed before a placeholder.
            segments.push(Segment::Literal(rest.to_string()));
        }
        RoomTemplate {
            raw: raw.to_string(),
            segments,
        }
    }

    /// The template as written in the catalog.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Its segments, in order (never two literals in a row).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The placeholder names, in order (a name used twice is listed twice).
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// Whether `room` is an instance of the template, each placeholder standing for a non-empty
    /// string.
    pub fn matches(&self, room: &str) -> bool {
        fn go(segments: &[Segment], s: &str) -> bool {
            match segments.split_first() {
                None => s.is_empty(),
                Some((Segment::Literal(l), rest)) => {
                    s.strip_prefix(l.as_str()).is_some_and(|t| go(rest, t))
                }
                // Adjacent placeholders make this search quadratic per pair; room names are
                // short and templates have one or two placeholders.
                Some((Segment::Placeholder(_), rest)) => (1..=s.len())
                    .filter(|&i| s.is_char_boundary(i))
                    .any(|i| go(rest, &s[i..])),
            }
        }
        go(&self.segments, room)
    }

    /// The shape compared with rooms found in code: literal text, each placeholder `{*}`
    /// (`user:{userId}` → `user:{*}`), so that names do not matter.
    pub fn pattern(&self) -> String {
        let mut out = String::with_capacity(self.raw.len());
        for s in &self.segments {
            match s {
                Segment::Literal(l) => out.push_str(l),
                Segment::Placeholder(_) => out.push_str("{*}"),
            }
        }
        out
    }

    /// What is legal but almost surely a mistake: an empty placeholder `{}`, a placeholder name
    /// holding `{` (`{a{b}` is one placeholder named `a{b`), a `{` that nothing closes.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.segments {
            match s {
                Segment::Placeholder(p) if p.is_empty() => {
                    out.push("placeholder `{}` has no name".to_string())
                }
                Segment::Placeholder(p) if p.contains('{') => out.push(format!(
                    "placeholder `{{{p}}}` has a `{{` in its name (placeholders do not nest)"
                )),
                Segment::Literal(l) if l.contains('{') => {
                    out.push("a `{` is never closed by a `}` (it is read as literal text)".into())
                }
                _ => {}
            }
        }
        out
    }
}

impl fmt::Display for RoomTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The three readings this type replaced, verbatim, as oracles: they must keep agreeing with
    /// it except where they disagreed with each other (see `legacy_disagreements`).
    mod legacy {
        /// `catalog::lint::placeholders`.
        pub fn lint_placeholders(template: &str) -> Vec<&str> {
            template
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(v, _)| v))
                .collect()
        }

        /// `check::rules::room::catalog_pattern`.
        pub fn check_pattern(template: &str) -> String {
            let mut out = String::new();
            let mut rest = template;
            while let Some(i) = rest.find('{') {
                out.push_str(&rest[..i]);
                match rest[i..].find('}') {
                    Some(j) => {
                        out.push_str("{*}");
                        rest = &rest[i + j + 1..];
                    }
                    None => {
                        out.push_str(&rest[i..]);
                        rest = "";
                    }
                }
            }
            out.push_str(rest);
            out
        }

        /// `serve::rooms::Template::parse`'s placeholders (its parts, variables only).
        pub fn serve_placeholders(raw: &str) -> Vec<&str> {
            let mut vars = Vec::new();
            let mut rest = raw;
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                vars.push(&rest[open + 1..open + close]);
                rest = &rest[open + close + 1..];
            }
            vars
        }

        /// `render`'s reconnect snippet's reading of `joins` (a fourth one, found on the way).
        pub fn render_fields(room: &str) -> Vec<&str> {
            room.split('{')
                .skip(1)
                .filter_map(|p| p.split('}').next())
                .collect()
        }
    }

    fn p(s: &str) -> Vec<String> {
        RoomTemplate::parse(s)
            .placeholders()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn odd_templates() {
        use Segment::*;
        let lit = |s: &str| Literal(s.into());
        let var = |s: &str| Placeholder(s.into());
        let table: &[(&str, Vec<Segment>, &str)] = &[
            (
                "user:{userId}",
                vec![lit("user:"), var("userId")],
                "user:{*}",
            ),
            ("signals", vec![lit("signals")], "signals"),
            ("", vec![], ""),
            ("{", vec![lit("{")], "{"),
            ("}", vec![lit("}")], "}"),
            ("{}", vec![var("")], "{*}"),
            ("}{", vec![lit("}{")], "}{"),
            ("{a}{b}", vec![var("a"), var("b")], "{*}{*}"),
            ("{a{b}", vec![var("a{b")], "{*}"),
            ("{a{b}c}", vec![var("a{b"), lit("c}")], "{*}c}"),
            ("x{a}}y", vec![lit("x"), var("a"), lit("}y")], "x{*}}y"),
            ("{a}x{b", vec![var("a"), lit("x{b")], "{*}x{b"),
            (
                "salle:{idé}:ü",
                vec![lit("salle:"), var("idé"), lit(":ü")],
                "salle:{*}:ü",
            ),
            ("{🙂}🙂", vec![var("🙂"), lit("🙂")], "{*}🙂"),
        ];
        for (raw, segments, pattern) in table {
            let t = RoomTemplate::parse(raw);
            assert_eq!(t.segments(), segments.as_slice(), "{raw}");
            assert_eq!(t.pattern(), *pattern, "{raw}");
            assert_eq!(t.as_str(), *raw);
        }
    }

    #[test]
    fn matching() {
        let t = RoomTemplate::parse("user:{userId}");
        assert!(t.matches("user:u-1"));
        assert!(!t.matches("user:"));
        assert!(!t.matches("signals"));
        assert!(RoomTemplate::parse("signals").matches("signals"));
        assert!(RoomTemplate::parse("{a}-{b}").matches("x-y"));
        assert!(!RoomTemplate::parse("{a}{b}").matches("x"));
        assert!(RoomTemplate::parse("{a}{b}").matches("xy"));
        assert!(RoomTemplate::parse("é{a}").matches("éü"));
        assert!(RoomTemplate::parse("{").matches("{"));
    }

    #[test]
    fn problems_name_the_typos() {
        assert!(RoomTemplate::parse("user:{userId}").problems().is_empty());
        assert!(RoomTemplate::parse("a}b").problems().is_empty());
        assert_eq!(RoomTemplate::parse("{}").problems().len(), 1);
        assert!(RoomTemplate::parse("{a{b}").problems()[0].contains("`{a{b}`"));
        assert!(RoomTemplate::parse("user:{id").problems()[0].contains("never closed"));
    }

    /// Where the old readings disagreed, and what this type decided.
    #[test]
    fn legacy_disagreements() {
        // lint took the text after the LAST `{` as the name, serve and check the text after the
        // FIRST: lint checked the payload for `b` while serve bound `a{b`. Now: `a{b` (what the
        // server binds), and lint reports the `{` in the name.
        assert_eq!(legacy::lint_placeholders("{a{b}"), ["b"]);
        assert_eq!(legacy::serve_placeholders("{a{b}"), ["a{b"]);
        assert_eq!(p("{a{b}"), ["a{b"]);
        // render read an unclosed `{` as a placeholder (`{ : currentUser.id }` in the snippet);
        // everyone else as literal text. Now: literal.
        assert_eq!(legacy::render_fields("user:{id"), ["id"]);
        assert_eq!(legacy::lint_placeholders("user:{id"), Vec::<&str>::new());
        assert!(p("user:{id").is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Over strings dense in braces (and some unicode), the new type reads exactly as serve
        /// and check did, and as lint did wherever no placeholder name holds a `{`.
        #[test]
        fn agrees_with_the_readings_it_replaced(raw in "[a{}:é🙂]{0,12}") {
            let t = RoomTemplate::parse(&raw);
            let names: Vec<&str> = t.placeholders().collect();
            prop_assert_eq!(&names, &legacy::serve_placeholders(&raw));
            prop_assert_eq!(t.pattern(), legacy::check_pattern(&raw));
            if !names.iter().any(|n| n.contains('{')) {
                prop_assert_eq!(&names, &legacy::lint_placeholders(&raw));
            }
            // Segments rebuild the template, and never put two literals side by side.
            let rebuilt: String = t.segments().iter().map(|s| match s {
                Segment::Literal(l) => l.clone(),
                Segment::Placeholder(p) => format!("{{{p}}}"),
            }).collect();
            prop_assert_eq!(&rebuilt, &raw);
            prop_assert!(t.segments().windows(2).all(|w| !matches!(w, [Segment::Literal(_), Segment::Literal(_)])));
        }

        /// Filling every placeholder with a non-empty value gives a room the template matches.
        #[test]
        fn filled_templates_match(raw in "[a{}:é]{0,10}", fill in "[a-zé0-9]{1,4}") {
            let t = RoomTemplate::parse(&raw);
            let room: String = t.segments().iter().map(|s| match s {
                Segment::Literal(l) => l.clone(),
                Segment::Placeholder(_) => fill.clone(),
            }).collect();
            prop_assert!(t.matches(&room), "{} should match {}", raw, room);
        }
    }
}
