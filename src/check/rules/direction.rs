//! EV003 direction-mismatch: a site sends or handles an event in a direction the catalog does
//! not declare (a client emitting a server→client event).

use super::{finding, site_location, Context};
use crate::check::Finding;
use crate::vocab::Rule;

/// One finding per site whose derived direction the catalog does not allow.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let events = &ctx.catalog.catalog.events;
    ctx.scan
        .sites
        .iter()
        .filter_map(|site| {
            let name = site.event.as_deref()?;
            let event = events.get(name)?;
            let dir = site.direction?;
            if event.direction.allows(dir) {
                return None;
            }
            let side = site.side.map_or("?", |s| s.as_str());
            let role = match site.role {
                crate::scan::Role::Emit => "emits",
                crate::scan::Role::Listen => "listens to",
            };
            let mut f = finding(Rule::DirectionMismatch, Some(name), format!("the {side} {role} `{name}` ({dir}), but the catalog declares it {}", event.direction));
            f.code = Some(site_location(site));
            f.catalog = ctx.catalog.event_location(name);
            f.help = Some("fix the call, or change the event's `direction` (use `both` for an event that travels either way)".into());
            Some(f)
        })
        .collect()
}
