//! EV002 stale-event: the catalog documents an event that no site in the code uses.

use super::{finding, Context};
use crate::check::Finding;
use crate::vocab::is_reserved;
use crate::vocab::Rule;
use std::collections::HashSet;

/// One finding per catalog event without any site.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let used: HashSet<&str> = ctx
        .scan
        .sites
        .iter()
        .filter_map(|s| s.event.as_deref())
        .collect();
    ctx.catalog
        .catalog
        .events
        .keys()
        .filter(|name| !is_reserved(name) && !used.contains(name.as_str()))
        .map(|name| {
            let mut f = finding(Rule::StaleEvent, Some(name), format!("event `{name}` is in the catalog but no code emits or listens to it"));
            f.catalog = ctx.catalog.event_location(name);
            f.help = Some("remove it from the catalog, or mark the code that uses it (a wrapper in `scan.wrappers`)".into());
            f
        })
        .collect()
}
