//! EV001 undocumented-event: a site names an event the catalog does not have.

use super::{finding, site_location, Context};
use crate::check::Finding;
use crate::vocab::is_reserved;
use crate::vocab::Rule;

/// One finding per site whose event is missing from the catalog.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let events = &ctx.catalog.catalog.events;
    let names: Vec<String> = events.keys().cloned().collect();
    ctx.scan
        .sites
        .iter()
        .filter_map(|site| {
            let name = site.event.as_deref()?;
            if events.contains_key(name) || is_reserved(name) {
                return None;
            }
            let verb = match site.role {
                crate::scan::Role::Emit => "emitted",
                crate::scan::Role::Listen => "listened to",
            };
            let mut f = finding(
                Rule::UndocumentedEvent,
                Some(name),
                format!("event `{name}` is {verb} in code but not in the catalog"),
            );
            f.code = Some(site_location(site));
            f.help = Some(match crate::catalog::load::did_you_mean(name, &names) {
                Some(s) => format!("did you mean `{s}`? Otherwise add `{name}` to the catalog"),
                None => format!("add `{name}` to the catalog (`evdoc init` can draft it)"),
            });
            Some(f)
        })
        .collect()
}
