//! EV009 dynamic-event: the event name is computed at run time, so evdoc cannot check it.

use super::{finding, site_location, Context};
use crate::check::Finding;
use crate::vocab::Rule;

/// One info finding per dynamic site the catalog's `scan.dynamic` does not list as reviewed.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let reviewed: Vec<(globset::GlobMatcher, &str)> = ctx
        .catalog
        .catalog
        .scan
        .dynamic
        .iter()
        .filter_map(|d| {
            let glob = globset::Glob::new(&d.file).ok()?.compile_matcher();
            Some((glob, d.expr.as_str()))
        })
        .collect();
    let is_reviewed = |file: &str, expr: Option<&str>| {
        reviewed
            .iter()
            .any(|(glob, e)| glob.is_match(file) && Some(*e) == expr)
    };
    ctx.scan
        .sites
        .iter()
        .filter(|s| s.dynamic && s.event.is_none())
        .filter(|s| !is_reviewed(&s.file, s.expr.as_deref()))
        .map(|site| {
            let expr = site.expr.as_deref().unwrap_or("?");
            let mut f = finding(
                Rule::DynamicEvent,
                None,
                format!("event name `{expr}` is computed at run time and cannot be verified"),
            );
            f.code = Some(site_location(site));
            f.help = Some(format!(
                "use a constant, declare the wrapper in `scan.wrappers`, or list the site as reviewed in `scan.dynamic` ({{file: {:?}, expr: {expr:?}}})",
                site.file
            ));
            f
        })
        .collect()
}
