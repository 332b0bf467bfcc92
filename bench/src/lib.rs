//! Shared by the benchmark programs.

use std::time::Duration;

/// "p50 …, p99 …, max …" in milliseconds; sorts `times`.
pub fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", ms(at(0.50)), ms(at(0.99)), ms(*times.last().unwrap()))
}
