//! Cell formats: a missing value as `-`, floats to fixed decimals, bytes, durations, times relative to now.

use std::fmt::Display;

pub(super) fn dash<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

pub(super) fn fixed(v: Option<f64>, decimals: usize) -> String {
    dash(
        v.filter(|x| x.is_finite())
            .map(|x| format!("{x:.decimals$}")),
    )
}

pub(super) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

pub(super) fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "-".into();
    }
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `at_ms` relative to `now_ms`: `in 1.2s` / `1.2s ago`.
pub(super) fn relative_ms(at_ms: u64, now_ms: u64) -> String {
    if at_ms >= now_ms {
        format!("in {:.1}s", (at_ms - now_ms) as f64 / 1000.0)
    } else {
        format!("{:.1}s ago", (now_ms - at_ms) as f64 / 1000.0)
    }
}
