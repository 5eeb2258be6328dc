//! EV009 dynamic-event: the event name is computed at run time, so evdoc cannot check it.

use super::{finding, site_location, Context};
use crate::check::Finding;
use crate::vocab::Rule;

/// One info finding per dynamic site.
pub fn run(ctx: &Context) -> Vec<Finding> {
    ctx.scan
        .sites
        .iter()
        .filter(|s| s.dynamic && s.event.is_none())
        .map(|site| {
            let expr = site.expr.as_deref().unwrap_or("?");
            let mut f = finding(
                Rule::DynamicEvent,
                None,
                format!("event name `{expr}` is computed at run time and cannot be verified"),
            );
            f.code = Some(site_location(site));
            f.help = Some("use a constant, or declare the wrapper in `scan.wrappers`".into());
            f
        })
        .collect()
}
