//! Pass or fail, from the samples at the checkpoints and the run's counters. A pure function,
//! so that each rule is tested on its own below.
//!
//! The checkpoints are taken in the same state: churn and flood bursts paused, every client
//! connected again, and the server's `evdoc_connections` equal to the clients connected. So
//! the server has the same clients at `warm` (end of the warm-up) and `end`, and none at
//! `start` (before the first client) and `after` (after every client left).

use crate::sample::Sample;
use crate::world::Counters;

/// The counters the verdict reads (a copy, so that tests can build one).
#[derive(Default, Clone, Debug)]
pub struct Tally {
    pub acks_sent: u64,
    pub acks_answered: u64,
    pub acks_abandoned: u64,
    pub acks_lost: u64,
    pub acks_unanswered: u64,
    pub valid_refused: u64,
    pub invalid_sent: u64,
    pub invalid_refused: u64,
    pub invalid_accepted: u64,
    pub publishes: u64,
    pub publish_failed: u64,
    pub deliveries: u64,
    pub deliveries_missing: u64,
    pub deliveries_stray: u64,
    pub unexpected_disconnects: u64,
    pub flood_sent: u64,
    pub flood_rate_limited: u64,
}

impl Tally {
    pub fn of(c: &Counters) -> Self {
        Tally {
            acks_sent: c.acks_sent.get(),
            acks_answered: c.acks_answered.get(),
            acks_abandoned: c.acks_abandoned.get(),
            acks_lost: c.acks_lost.get(),
            acks_unanswered: c.acks_unanswered.get(),
            valid_refused: c.valid_refused.get(),
            invalid_sent: c.invalid_sent.get(),
            invalid_refused: c.invalid_refused.get(),
            invalid_accepted: c.invalid_accepted.get(),
            publishes: c.publishes.get(),
            publish_failed: c.publish_failed.get(),
            deliveries: c.deliveries.get(),
            deliveries_missing: c.deliveries_missing.get(),
            deliveries_stray: c.deliveries_stray.get(),
            unexpected_disconnects: c.unexpected_disconnects.get(),
            flood_sent: c.flood_sent.get(),
            flood_rate_limited: c.flood_rate_limited.get(),
        }
    }
}

/// RSS after the warm-up: the median of the samples in its first window against the median of
/// those in its last window. Why windows and not the two checkpoints alone: mimalloc takes and
/// returns memory in steps of about 2 MB (3 % of this server's RSS with 2,000 clients), up as
/// well as down over minutes, so one sample at each end measures where the allocator happened
/// to be; a leak raises the whole last window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RssTrend {
    pub window_s: f64,
    pub first_kb: u64,
    pub last_kb: u64,
    pub min_kb: u64,
    pub max_kb: u64,
    pub growth_pct: f64,
}

/// The trend of `(t_s, rss_kb)` samples taken from the end of the warm-up to the end of the
/// run; the windows are a fifth of that time, at most 5 minutes, at least one sample each.
pub fn rss_trend(samples: &[(f64, u64)]) -> RssTrend {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (Some(first), Some(last)) = (s.first(), s.last()) else {
        return RssTrend::default();
    };
    let (t0, t1) = (first.0, last.0);
    let window_s = ((t1 - t0) / 5.0).min(300.0);
    let median = |mut v: Vec<u64>| {
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    };
    let first_kb = median(
        s.iter()
            .filter(|x| x.0 <= t0 + window_s)
            .map(|x| x.1)
            .collect(),
    );
    let last_kb = median(
        s.iter()
            .filter(|x| x.0 >= t1 - window_s)
            .map(|x| x.1)
            .collect(),
    );
    RssTrend {
        window_s,
        first_kb,
        last_kb,
        min_kb: s.iter().map(|x| x.1).min().unwrap_or(0),
        max_kb: s.iter().map(|x| x.1).max().unwrap_or(0),
        growth_pct: pct(first_kb, last_kb),
    }
}

/// The limits.
pub struct Limits {
    /// RSS at the end may exceed RSS after the warm-up by this much (%, see `RssTrend`)
    pub rss_growth_pct: f64,
    /// descriptors at `end` may exceed those at `warm` by this many (the publisher's keep-alive
    /// pool of up to 8 connections, a /metrics scrape)
    pub fd_slack: u64,
}

/// What the verdict looks at.
pub struct Inputs<'a> {
    pub start: &'a Sample,
    pub warm: &'a Sample,
    pub end: &'a Sample,
    pub after: &'a Sample,
    /// every client the run has (the checkpoints must have them all connected)
    pub clients: usize,
    pub tally: &'a Tally,
    pub rss: &'a RssTrend,
    pub server_alive: bool,
}

/// The failures, each one sentence; empty: pass.
pub fn verdict(i: &Inputs, lim: &Limits) -> Vec<String> {
    let mut f = Vec::new();
    let t = i.tally;
    if !i.server_alive {
        f.push("the server process is gone".into());
    }
    for cp in [i.warm, i.end] {
        if cp.clients != i.clients {
            f.push(format!(
                "checkpoint `{}`: only {} of {} clients were connected",
                cp.phase, cp.clients, i.clients
            ));
        }
        if cp.sockets != Some(cp.clients as u64) {
            f.push(format!(
                "checkpoint `{}`: the server counts {} live sockets for {} connected clients",
                cp.phase,
                show(cp.sockets),
                cp.clients
            ));
        }
    }
    if i.rss.growth_pct > lim.rss_growth_pct {
        f.push(format!(
            "RSS grew {:.1} % after the warm-up (median {} kB in its first {:.0} s, {} kB in the last; limit {} %)",
            i.rss.growth_pct, i.rss.first_kb, i.rss.window_s, i.rss.last_kb, lim.rss_growth_pct
        ));
    }
    if i.end.fds > i.warm.fds + lim.fd_slack {
        f.push(format!(
            "open descriptors grew with the same clients connected: {} after the warm-up, {} at the end",
            i.warm.fds, i.end.fds
        ));
    }
    if i.after.fds > i.start.fds + lim.fd_slack {
        f.push(format!(
            "descriptors not released: {} before the first client, {} after every client left",
            i.start.fds, i.after.fds
        ));
    }
    if i.after.sockets != Some(0) {
        f.push(format!(
            "{} live sockets after every client left",
            show(i.after.sockets)
        ));
    }
    if i.end.threads > i.warm.threads + 8 {
        f.push(format!(
            "threads grew from {} to {} with the same clients connected",
            i.warm.threads, i.end.threads
        ));
    }
    if t.acks_unanswered > 0 {
        f.push(format!(
            "{} acks unanswered on live connections ({} sent, {} answered, {} abandoned at churn)",
            t.acks_unanswered, t.acks_sent, t.acks_answered, t.acks_abandoned
        ));
    }
    if t.unexpected_disconnects > 0 {
        f.push(format!(
            "{} connections ended that nobody asked to end ({} acks in flight on them)",
            t.unexpected_disconnects, t.acks_lost
        ));
    }
    if t.valid_refused > 0 {
        f.push(format!("{} valid events were refused", t.valid_refused));
    }
    if t.invalid_accepted > 0 {
        f.push(format!(
            "{} invalid events were accepted",
            t.invalid_accepted
        ));
    }
    if t.invalid_sent > 0 && t.invalid_refused == 0 {
        f.push("no invalid event was refused with its error code".into());
    }
    if t.publish_failed > 0 {
        f.push(format!(
            "{} of {} publishes were not accepted",
            t.publish_failed, t.publishes
        ));
    }
    if t.deliveries_missing > 0 {
        f.push(format!(
            "{} publishes did not reach a connected member of their room ({} delivered)",
            t.deliveries_missing, t.deliveries
        ));
    }
    if t.deliveries_stray > 0 {
        f.push(format!(
            "{} publishes reached a connection that never joined their room",
            t.deliveries_stray
        ));
    }
    if t.publishes > 0 && t.deliveries == 0 {
        f.push("no publish was delivered at all".into());
    }
    if t.flood_sent > 0 && t.flood_rate_limited == 0 {
        f.push("the flooding client was never rate-limited".into());
    }
    f
}

/// Growth from `a` to `b` in %.
pub fn pct(a: u64, b: u64) -> f64 {
    if a == 0 {
        return 0.0;
    }
    (b as f64 - a as f64) / a as f64 * 100.0
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "unknown".into(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(phase: &str, rss: u64, fds: u64, sockets: u64, clients: usize) -> Sample {
        Sample {
            phase: phase.into(),
            rss_kb: rss,
            fds,
            threads: 3,
            sockets: Some(sockets),
            clients,
            ..Sample::default()
        }
    }

    fn good() -> Tally {
        Tally {
            acks_sent: 10,
            acks_answered: 9,
            acks_abandoned: 1,
            invalid_sent: 2,
            invalid_refused: 2,
            publishes: 3,
            deliveries: 9,
            flood_sent: 100,
            flood_rate_limited: 5,
            ..Tally::default()
        }
    }

    const LIM: Limits = Limits {
        rss_growth_pct: 5.0,
        fd_slack: 16,
    };

    fn run(warm: Sample, end: Sample, after: Sample, t: &Tally) -> Vec<String> {
        let start = s("start", 10_000, 20, 0, 0);
        let rss = rss_trend(&[(0.0, warm.rss_kb), (100.0, end.rss_kb)]);
        verdict(
            &Inputs {
                start: &start,
                warm: &warm,
                end: &end,
                after: &after,
                clients: 100,
                tally: t,
                rss: &rss,
                server_alive: true,
            },
            &LIM,
        )
    }

    #[test]
    fn a_flat_run_passes() {
        let f = run(
            s("warm", 50_000, 2_220, 100, 100),
            s("end", 52_000, 2_230, 100, 100),
            s("after", 40_000, 25, 0, 0),
            &good(),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn each_rule_fails_on_its_own() {
        let warm = || s("warm", 50_000, 2_220, 100, 100);
        let after = || s("after", 40_000, 25, 0, 0);
        let one = |end: Sample, after: Sample, t: Tally| {
            let f = run(warm(), end, after, &t);
            assert_eq!(f.len(), 1, "{f:?}");
            f[0].clone()
        };
        let end = || s("end", 50_000, 2_220, 100, 100);
        assert!(
            one(s("end", 53_000, 2_220, 100, 100), after(), good()).starts_with("RSS grew 6.0 %")
        );
        assert!(
            one(s("end", 50_000, 2_300, 100, 100), after(), good()).contains("descriptors grew")
        );
        assert!(one(end(), s("after", 1, 60, 0, 0), good()).contains("not released"));
        assert!(one(end(), s("after", 1, 25, 3, 0), good()).contains("3 live sockets"));
        assert!(
            one(s("end", 50_000, 2_220, 101, 100), after(), good()).contains("101 live sockets")
        );
        let with = |f: fn(&mut Tally)| {
            let mut t = good();
            f(&mut t);
            one(end(), after(), t)
        };
        assert!(with(|t| t.acks_unanswered = 1).contains("acks unanswered"));
        assert!(with(|t| t.deliveries_missing = 2).contains("did not reach"));
        assert!(with(|t| t.deliveries_stray = 1).contains("never joined"));
        assert!(with(|t| t.invalid_accepted = 1).contains("invalid events were accepted"));
        assert!(with(|t| t.valid_refused = 1).contains("valid events were refused"));
        assert!(with(|t| t.publish_failed = 1).contains("not accepted"));
        assert!(with(|t| t.unexpected_disconnects = 1).contains("nobody asked"));
        assert!(with(|t| t.flood_rate_limited = 0).contains("never rate-limited"));
    }

    #[test]
    fn rss_trend_compares_window_medians() {
        // allocator steps up and down within the run, flat ends: no growth
        let steps: Vec<(f64, u64)> = [64, 64, 65, 64, 66, 61, 61, 66, 64, 64, 64]
            .iter()
            .enumerate()
            .map(|(i, kb)| (i as f64 * 60.0, kb * 1000))
            .collect();
        let t = rss_trend(&steps);
        assert_eq!((t.window_s, t.first_kb, t.last_kb), (120.0, 64_000, 64_000));
        assert_eq!((t.min_kb, t.max_kb), (61_000, 66_000));
        // a leak raises the whole last window
        let leak: Vec<(f64, u64)> = (0..11)
            .map(|i| (i as f64 * 60.0, 64_000 + i * 500))
            .collect();
        let t = rss_trend(&leak);
        assert_eq!((t.first_kb, t.last_kb), (64_500, 68_500));
        assert!(t.growth_pct > 6.0);
        assert_eq!(rss_trend(&[]), RssTrend::default());
    }

    #[test]
    fn growth_in_percent() {
        assert_eq!(pct(100, 105), 5.0);
        assert_eq!(pct(0, 5), 0.0);
        assert!(pct(100, 90) < 0.0);
    }
}
