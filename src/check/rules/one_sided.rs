//! EV004 one-sided-event: an event is emitted but nobody listens, or listened to but nobody emits
//! it. Only meaningful when the scan saw both a server and a client.

use super::{finding, site_location, Context};
use crate::check::Finding;
use crate::scan::{Role, Side, Site};
use crate::vocab::is_reserved;
use crate::vocab::Rule;
use indexmap::IndexMap;

/// One finding per event whose sites are all emits or all listens, at its first site.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let sites = &ctx.scan.sites;
    let both_sides = sites.iter().any(|s| s.side == Some(Side::Server))
        && sites.iter().any(|s| s.side == Some(Side::Client));
    if !both_sides {
        return Vec::new();
    }
    let mut by_event: IndexMap<&str, Vec<&Site>> = IndexMap::new();
    for s in sites {
        if let Some(e) = s.event.as_deref() {
            if !is_reserved(e) {
                by_event.entry(e).or_default().push(s);
            }
        }
    }
    let mut out = Vec::new();
    for (name, sites) in by_event {
        let emits = sites.iter().any(|s| s.role == Role::Emit);
        let listens = sites.iter().any(|s| s.role == Role::Listen);
        if emits == listens {
            continue;
        }
        let first = sites[0];
        let message = if emits {
            format!("event `{name}` is emitted but never listened to")
        } else {
            format!("event `{name}` is listened to but never emitted")
        };
        let mut f = finding(Rule::OneSidedEvent, Some(name), message);
        f.code = Some(site_location(first));
        f.catalog = ctx.catalog.event_location(name);
        f.help = Some(if emits {
            "add a listener on the receiving side, or stop emitting it".into()
        } else {
            "remove the dead listener, or emit the event".into()
        });
        out.push(f);
    }
    out
}
