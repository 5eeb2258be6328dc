//! CPU and memory sampling from /proc, field for field as loadgen.js's `readStatus`,
//! `readCpuSplit`, `readSysTicks` and `cpuWindow`, so that the CPU figures of both load
//! generators mean the same thing. The one difference: loadgen.js takes its own CPU from
//! `process.cpuUsage()` (µs); this one from /proc/self/stat (ticks), which is the same count at
//! 10 ms resolution — 0.1 % of a core over the 10 s window.

use crate::stats::rnum;
use serde_json::{Map, Value};
use std::fs;
use std::time::Instant;

/// `getconf CLK_TCK` on Linux x86_64 / aarch64 (loadgen.js assumes the same).
const CLK_TCK: f64 = 100.0;

/// `/proc/<pid>/status`: the fields loadgen.js reads.
pub struct Status {
    pub rss_kb: u64,
    pub hwm_kb: u64,
    pub threads: u64,
    pub cpus: Option<String>,
}

fn status_path(pid: Option<u32>) -> String {
    match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".into(),
    }
}

/// `/proc/<pid>/status` (own process for `None`).
pub fn read_status(pid: Option<u32>) -> Option<Status> {
    let s = fs::read_to_string(status_path(pid)).ok()?;
    let get = |k: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix(':').map(str::trim))
    };
    let kb = |k: &str| {
        get(k)
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Some(Status {
        rss_kb: kb("VmRSS"),
        hwm_kb: kb("VmHWM"),
        threads: get("Threads").and_then(|v| v.parse().ok()).unwrap_or(0),
        cpus: get("Cpus_allowed_list").map(str::to_owned),
    })
}

/// utime and stime (ticks) of `/proc/<pid>/stat` (own process for `None`).
pub fn read_cpu_split(pid: Option<u32>) -> Option<(u64, u64)> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".into(),
    };
    let s = fs::read_to_string(path).ok()?;
    // the command name may contain spaces and ')': fields start after the last ')'
    let rest = s.get(s.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split(' ').collect();
    Some((f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?))
}

/// Whole-machine ticks from the first line of /proc/stat:
/// busy = user+nice+system+steal, irq = irq+softirq, idle = idle+iowait.
struct SysTicks {
    busy: u64,
    irq: u64,
    idle: u64,
}

fn read_sys_ticks() -> Option<SysTicks> {
    let s = fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<u64> = s
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let g = |i: usize| v.get(i).copied().unwrap_or(0);
    Some(SysTicks {
        busy: g(0) + g(1) + g(2) + g(7),
        irq: g(5) + g(6),
        idle: g(3) + g(4),
    })
}

/// CPU use over a window in % of one core: the server, this load generator, kernel
/// irq/softirq, and everything else on the machine (loadgen.js `cpuWindow`).
pub struct CpuWindow {
    server_pid: Option<u32>,
    t0: Instant,
    s0: Option<(u64, u64)>,
    l0: Option<(u64, u64)>,
    y0: Option<SysTicks>,
}

impl CpuWindow {
    pub fn start(server_pid: Option<u32>) -> Self {
        CpuWindow {
            server_pid,
            t0: Instant::now(),
            s0: server_pid.and_then(|p| read_cpu_split(Some(p))),
            l0: read_cpu_split(None),
            y0: read_sys_ticks(),
        }
    }

    /// The window's fields, in loadgen.js's order: window_s, server_cpu_pct, loadgen_cpu_pct,
    /// server_user_pct, server_sys_pct, loadgen_sys_pct, softirq_cpu_pct, other_cpu_pct,
    /// machine_idle_pct.
    pub fn end(&self) -> Map<String, Value> {
        let dt = self.t0.elapsed().as_secs_f64();
        let s1 = self.server_pid.and_then(|p| read_cpu_split(Some(p)));
        let l1 = read_cpu_split(None);
        let y1 = read_sys_ticks();
        let pct = |ticks: f64| (ticks / CLK_TCK) / dt * 100.0;
        let sum = |(u, s): (u64, u64)| u + s;
        let mut o = Map::new();
        o.insert("window_s".into(), rnum(dt, 2));
        let server = match (self.s0, s1) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        let own = match (self.l0, l1) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        let server_ticks = server.map(|(a, b)| sum(b) as f64 - sum(a) as f64);
        let own_ticks = own.map(|(a, b)| sum(b) as f64 - sum(a) as f64);
        o.insert(
            "server_cpu_pct".into(),
            server_ticks.map_or(Value::Null, |t| rnum(pct(t), 1)),
        );
        o.insert(
            "loadgen_cpu_pct".into(),
            own_ticks.map_or(Value::Null, |t| rnum(pct(t), 1)),
        );
        if let Some((a, b)) = server {
            o.insert(
                "server_user_pct".into(),
                rnum(pct(b.0 as f64 - a.0 as f64), 1),
            );
            o.insert(
                "server_sys_pct".into(),
                rnum(pct(b.1 as f64 - a.1 as f64), 1),
            );
        }
        o.insert(
            "loadgen_sys_pct".into(),
            own.map_or(Value::Null, |(a, b)| rnum(pct(b.1 as f64 - a.1 as f64), 1)),
        );
        if let (Some(y0), Some(y1)) = (&self.y0, &y1) {
            o.insert(
                "softirq_cpu_pct".into(),
                rnum(pct(y1.irq as f64 - y0.irq as f64), 1),
            );
            // busy ticks not attributable to the server or this loadgen = other processes
            let ours = server_ticks.unwrap_or(0.0) + own_ticks.unwrap_or(0.0);
            let other = pct(y1.busy as f64 - y0.busy as f64 - ours);
            o.insert(
                "other_cpu_pct".into(),
                crate::stats::round(other, 1)
                    .map_or(Value::Null, |x| crate::stats::num(x.max(0.0))),
            );
            o.insert(
                "machine_idle_pct".into(),
                rnum(pct(y1.idle as f64 - y0.idle as f64), 1),
            );
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_process() {
        let st = read_status(None).expect("own /proc status");
        assert!(st.rss_kb > 0 && st.threads >= 1 && st.cpus.is_some());
        assert!(read_cpu_split(None).is_some());
        assert!(read_sys_ticks().is_some());
        let w = CpuWindow::start(None).end();
        assert_eq!(w["server_cpu_pct"], Value::Null);
        assert!(w.contains_key("other_cpu_pct"));
    }
}
