//! Number formatting and latency samples exactly as loadgen.js computes them, so that the JSON of
//! both load generators can be put side by side by report.js and ratios.js: `round` is JS
//! `Math.round(x * 10^d) / 10^d`, percentiles are nearest-rank on the sorted samples, whole
//! numbers are written without a fractional part (as `JSON.stringify` does).

use serde_json::{Map, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// JS `Math.round(x * 10^d) / 10^d` (halves round towards +∞); `None` for a non-finite input.
pub fn round(x: f64, d: i32) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let m = 10f64.powi(d);
    Some((x * m + 0.5).floor() / m)
}

/// A number as JSON the way `JSON.stringify` writes it: whole numbers without `.0`,
/// non-finite as `null`.
pub fn num(x: f64) -> Value {
    if !x.is_finite() {
        Value::Null
    } else if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// `num(round(x, d))`, `null` when `x` is not finite.
pub fn rnum(x: f64, d: i32) -> Value {
    round(x, d).map_or(Value::Null, num)
}

/// A bounded sample store, like loadgen.js's `Samples`: values past the capacity are counted
/// as `unrecorded` instead of stored.
pub struct Samples {
    v: Vec<f64>,
    cap: usize,
    dropped: u64,
}

impl Samples {
    pub fn new(cap: usize) -> Self {
        let cap = cap.clamp(16, 30_000_000);
        Samples {
            v: Vec::with_capacity(cap.min(1 << 20)),
            cap,
            dropped: 0,
        }
    }

    pub fn push(&mut self, x: f64) {
        if self.v.len() < self.cap {
            self.v.push(x);
        } else {
            self.dropped += 1;
        }
    }

    /// `{n, p50, p95, p99, max, mean}` in ms, rounded to 3 decimals (`unrecorded` if any).
    pub fn stats(&self) -> Value {
        let n = self.v.len();
        let mut o = Map::new();
        o.insert("n".into(), Value::from(n));
        if n == 0 {
            for k in ["p50", "p95", "p99", "max", "mean"] {
                o.insert(k.into(), Value::Null);
            }
        } else {
            let mut a = self.v.clone();
            a.sort_unstable_by(f64::total_cmp);
            let q = |p: f64| {
                let i = ((p / 100.0) * n as f64).ceil() as i64 - 1;
                a[i.clamp(0, n as i64 - 1) as usize]
            };
            let mean = a.iter().sum::<f64>() / n as f64;
            o.insert("p50".into(), rnum(q(50.0), 3));
            o.insert("p95".into(), rnum(q(95.0), 3));
            o.insert("p99".into(), rnum(q(99.0), 3));
            o.insert("max".into(), rnum(a[n - 1], 3));
            o.insert("mean".into(), rnum(mean, 3));
        }
        if self.dropped > 0 {
            o.insert("unrecorded".into(), Value::from(self.dropped));
        }
        Value::Object(o)
    }
}

/// The current time as JS `new Date().toISOString()`: `2026-01-31T12:34:56.789Z`.
pub fn iso_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil-from-days (H. Hinnant), proleptic Gregorian calendar
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_js() {
        assert_eq!(round(2.5, 0), Some(3.0));
        assert_eq!(round(-2.5, 0), Some(-2.0));
        assert_eq!(round(1.23456, 2), Some(1.23));
        assert_eq!(num(95.0).to_string(), "95");
        assert_eq!(num(110.00000000000001).to_string(), "110.00000000000001");
        assert_eq!(num(f64::NAN), Value::Null);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::new(100);
        for i in 1..=100 {
            s.push(f64::from(i));
        }
        let st = s.stats();
        assert_eq!(st["p50"], 50);
        assert_eq!(st["p99"], 99);
        assert_eq!(st["max"], 100);
        assert_eq!(st["mean"], 50.5);
    }

    #[test]
    fn iso_format() {
        let s = iso_now();
        assert_eq!(s.len(), 24);
        assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T');
    }
}
