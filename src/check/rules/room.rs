//! EV006 room-mismatch: an emit targets a room other than the catalog's room for the event
//! (`signal:new` sent to `user:${id}` instead of `signals`).
//!
//! Rooms are compared as patterns: literal text with every placeholder (`{userId}` in the
//! catalog, `${userId}` or `+ userId` in JS, `{}` in Rust's `format!`) reduced to `{*}`. A room
//! held in a variable cannot be compared and is left alone.

use super::{finding, site_location, Context};
use crate::catalog::room::RoomTemplate;
use crate::check::Finding;
use crate::scan::Role;
use crate::vocab::Rule;

/// One finding per emit site whose room pattern differs from the catalog's.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let events = &ctx.catalog.catalog.events;
    let mut out = Vec::new();
    for site in &ctx.scan.sites {
        let (Some(name), Some(room), Role::Emit) =
            (site.event.as_deref(), site.room.as_deref(), site.role)
        else {
            continue;
        };
        let Some(expected) = events.get(name).and_then(|e| e.room.as_deref()) else {
            continue;
        };
        let want = RoomTemplate::parse(expected).pattern();
        let Some(got) = code_patterns(room) else {
            continue;
        };
        if got.iter().all(|g| *g == want) {
            continue;
        }
        let shown = if room.starts_with(['\'', '"', '`']) {
            room.to_owned()
        } else {
            format!("`{room}`")
        };
        let mut f = finding(
            Rule::RoomMismatch,
            Some(name),
            format!(
                "`{name}` is emitted to room {shown}, but the catalog sends it to `{expected}`"
            ),
        );
        f.code = Some(site_location(site));
        f.catalog = ctx.catalog.locate(&format!(
            "{}/room",
            crate::catalog::positions::pointer(["events", name])
        ));
        f.help = Some("emit to the catalog's room, or correct the event's `room`".into());
        out.push(f);
    }
    out
}

/// The room pattern(s) of a room expression, or `None` when it is not literal enough to compare.
pub fn code_patterns(expr: &str) -> Option<Vec<String>> {
    if let Some(p) = code_pattern(expr) {
        return Some(vec![p]);
    }
    // Several rooms (`to(a).to(b)`) are joined with ", " by the scanner.
    let parts: Option<Vec<String>> = expr.split(", ").map(code_pattern).collect();
    parts.filter(|p| p.len() > 1)
}

fn code_pattern(expr: &str) -> Option<String> {
    let t = expr.trim();
    // Rust: `format!("user:{}", id)` is the only room-building form socketioxide code uses.
    if let Some(args) = t.strip_prefix("format!(").and_then(|r| r.strip_suffix(')')) {
        let lit = args.get(..=args.rfind('"')?)?;
        let lit = lit.trim().strip_prefix('"')?.strip_suffix('"')?;
        return (!lit.contains('"')).then(|| RoomTemplate::parse(lit).pattern());
    }
    crate::scan::room::template(t).map(|template| RoomTemplate::parse(&template).pattern())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(RoomTemplate::parse("user:{userId}").pattern(), "user:{*}");
        assert_eq!(code_patterns("`user:${userId}`").unwrap(), ["user:{*}"]);
        assert_eq!(code_patterns("'signals'").unwrap(), ["signals"]);
        assert_eq!(code_patterns("\"user:\" + id").unwrap(), ["user:{*}"]);
        assert_eq!(
            code_patterns("format!(\"user:{}\", id)").unwrap(),
            ["user:{*}"]
        );
        assert_eq!(code_patterns("'a', 'b'").unwrap(), ["a", "b"]);
        assert!(code_patterns("room").is_none());
    }
}
