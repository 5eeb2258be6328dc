//! The server as seen from outside, every sample: resident memory (`VmRSS`) and threads from
//! /proc/PID/status, open descriptors (the entries of /proc/PID/fd), CPU from /proc/PID/stat,
//! and live sockets from its own `/metrics` (`evdoc_connections`, summed over namespaces).
//! evdoc does not export tokio's task count; live sockets (each a handful of tasks) and
//! threads stand for it. One CSV row per sample, with the client side's counters next to it.

use crate::conn::http;
use crate::procfs::{read_cpu_split, read_status};
use crate::world::World;
use hyper::Method;
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::time::Instant;

/// `getconf CLK_TCK` on Linux (as procfs.rs assumes).
const CLK_TCK: f64 = 100.0;

#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub t_s: f64,
    pub phase: String,
    pub rss_kb: u64,
    pub fds: u64,
    pub threads: u64,
    /// `evdoc_connections`, `None` when /metrics could not be read
    pub sockets: Option<u64>,
    pub server_cpu_pct: Option<f64>,
    pub load1: f64,
    pub clients: usize,
}

impl Sample {
    pub fn to_json(&self) -> Value {
        json!({
            "t_s": self.t_s, "phase": self.phase, "rss_kb": self.rss_kb, "fds": self.fds,
            "threads": self.threads, "sockets": self.sockets,
            "server_cpu_pct": self.server_cpu_pct, "load1": self.load1, "clients": self.clients,
        })
    }
}

pub const CSV_HEADER: &str = "t_s,phase,rss_kb,fds,threads,sockets,clients_connected,\
server_cpu_pct,load1,connects,reconnects,acks_sent,acks_answered,acks_pending,\
invalid_refused,publishes,deliveries,deliveries_missing,flood_sent,flood_cutoffs";

pub struct Sampler {
    pub pid: u32,
    pub addr: SocketAddr,
    last_cpu: Option<(Instant, u64)>,
    csv: BufWriter<File>,
}

/// Open descriptors of `pid`.
pub fn count_fds(pid: u32) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}

/// The 1-minute load average.
fn load1() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// `GET /metrics` on a connection of its own, closed after.
pub async fn scrape(addr: SocketAddr) -> Result<String, String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        http(&mut send, addr, Method::GET, "/metrics", String::new()),
    )
    .await;
    driver.abort();
    let (status, body) = r.map_err(|_| "timeout".to_string())??;
    if status != 200 {
        return Err(format!("HTTP {status}"));
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The sum of every sample of metric `name` (any labels) in an exposition.
pub fn metric_sum(text: &str, name: &str) -> Option<f64> {
    metric_where(text, name, |_| true)
}

/// The sum of the samples of `name` whose label set contains `label`, e.g. `code="RateLimited"`.
pub fn metric_with(text: &str, name: &str, label: &str) -> Option<f64> {
    metric_where(text, name, |labels| labels.contains(label))
}

/// Every sample of `name` keyed by the value of `label`, e.g. disconnects by reason.
pub fn by_label(text: &str, name: &str, label: &str) -> Value {
    let key = format!("{label}=\"");
    let mut out = serde_json::Map::new();
    for line in text.lines().filter(|l| l.starts_with(name)) {
        let Some(at) = line.find(&key) else { continue };
        let rest = &line[at + key.len()..];
        let (Some(end), Some(v)) = (rest.find('"'), line.rsplit(' ').next()) else {
            continue;
        };
        if let Ok(v) = v.parse::<f64>() {
            out.insert(rest[..end].to_owned(), json!(v));
        }
    }
    Value::Object(out)
}

fn metric_where(text: &str, name: &str, keep: impl Fn(&str) -> bool) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let (labels, value) = match rest.as_bytes().first() {
            Some(b'{') => match rest.rfind('}') {
                Some(i) => (&rest[..=i], &rest[i + 1..]),
                None => continue,
            },
            Some(b' ') => ("", rest),
            _ => continue, // another metric whose name starts with `name`
        };
        if !keep(labels) {
            continue;
        }
        if let Some(v) = value
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok())
        {
            *found.get_or_insert(0.0) += v;
        }
    }
    found
}

impl Sampler {
    pub fn new(pid: u32, addr: SocketAddr, csv_path: &str) -> Result<Self, String> {
        let f = File::create(csv_path).map_err(|e| format!("{csv_path}: {e}"))?;
        let mut csv = BufWriter::new(f);
        writeln!(csv, "{CSV_HEADER}").map_err(|e| e.to_string())?;
        Ok(Sampler {
            pid,
            addr,
            last_cpu: None,
            csv,
        })
    }

    /// Whether the server process is still there.
    pub fn alive(&self) -> bool {
        read_status(Some(self.pid)).is_some()
    }

    /// Live sockets by the server's own count (the gauge has no series before the first
    /// connection: none is 0); `None` when /metrics cannot be read.
    pub async fn sockets(&self) -> Option<u64> {
        let text = scrape(self.addr).await.ok()?;
        Some(metric_sum(&text, "evdoc_connections").unwrap_or(0.0) as u64)
    }

    /// Take one sample and write its CSV row. `None` when the server is gone.
    pub async fn sample(&mut self, w: &World, phase: &str) -> Option<Sample> {
        let sockets = self.sockets().await;
        let st = read_status(Some(self.pid))?;
        let fds = count_fds(self.pid)?;
        let now = Instant::now();
        let ticks = read_cpu_split(Some(self.pid)).map(|(u, s)| u + s);
        let cpu = match (self.last_cpu, ticks) {
            (Some((t0, c0)), Some(c1)) => {
                let dt = now.duration_since(t0).as_secs_f64();
                (dt > 0.5).then(|| (c1.saturating_sub(c0)) as f64 / CLK_TCK / dt * 100.0)
            }
            _ => None,
        };
        if let Some(c) = ticks {
            self.last_cpu = Some((now, c));
        }
        let s = Sample {
            t_s: (w.now() / 100.0).round() / 10.0,
            phase: phase.to_owned(),
            rss_kb: st.rss_kb,
            fds,
            threads: st.threads,
            sockets,
            server_cpu_pct: cpu.map(|c| (c * 10.0).round() / 10.0),
            load1: load1(),
            clients: w.connected(),
        };
        self.write(w, &s);
        Some(s)
    }

    fn write(&mut self, w: &World, s: &Sample) {
        let c = &w.c;
        let opt = |v: Option<String>| v.unwrap_or_default();
        let row = format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            s.t_s,
            s.phase,
            s.rss_kb,
            s.fds,
            s.threads,
            opt(s.sockets.map(|v| v.to_string())),
            s.clients,
            opt(s.server_cpu_pct.map(|v| v.to_string())),
            s.load1,
            c.connects.get(),
            c.reconnects.get(),
            c.acks_sent.get(),
            c.acks_answered.get(),
            c.acks_pending.get(),
            c.invalid_refused.get(),
            c.publishes.get(),
            c.deliveries.get(),
            c.deliveries_missing.get(),
            c.flood_sent.get(),
            c.flood_cutoffs.get(),
        );
        // a sample that cannot be written is reported once by the final flush
        let _ = writeln!(self.csv, "{row}");
        let _ = self.csv.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPO: &str = "# HELP evdoc_connections Sockets.\n# TYPE evdoc_connections gauge\n\
evdoc_connections{namespace=\"/\"} 1999\nevdoc_connections{namespace=\"/admin\"} 1\n\
evdoc_connects_total{namespace=\"/\"} 5000\n\
evdoc_rejections_total{code=\"RateLimited\"} 42\nevdoc_rejections_total{code=\"PayloadError\"} 8\n\
evdoc_redis_up 0\n";

    #[test]
    fn sums_metrics() {
        assert_eq!(metric_sum(EXPO, "evdoc_connections"), Some(2000.0));
        assert_eq!(metric_sum(EXPO, "evdoc_connects_total"), Some(5000.0));
        assert_eq!(
            metric_with(EXPO, "evdoc_rejections_total", "code=\"RateLimited\""),
            Some(42.0)
        );
        assert_eq!(metric_sum(EXPO, "evdoc_redis_up"), Some(0.0));
        assert_eq!(metric_sum(EXPO, "evdoc_nothing"), None);
        assert_eq!(
            by_label(EXPO, "evdoc_rejections_total", "code"),
            json!({"RateLimited": 42.0, "PayloadError": 8.0})
        );
    }

    #[test]
    fn counts_own_descriptors() {
        assert!(count_fds(std::process::id()).unwrap() >= 3);
    }
}
