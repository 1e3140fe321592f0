//! Medians, ranges and percentiles, and the one-line report of a figure.

/// Samples of one figure over several runs.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    pub fn median(&self) -> f64 {
        percentile(&self.0, 50.0)
    }

    pub fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.0.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// `median (min–max, n runs)`, with `unit`.
    pub fn describe(&self, unit: &str) -> String {
        format!(
            "{} {unit} (min {} – max {}, {} runs)",
            fmt(self.median()),
            fmt(self.min()),
            fmt(self.max()),
            self.0.len()
        )
    }
}

/// The `p`th percentile (nearest rank) of `values`; NaN when empty.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Three significant-ish digits: 0.0123, 1.23, 12.3, 1234.
pub fn fmt(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        format!("{v}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// One report line: `W1 chain40 | wall time | 123 ms (…) | reference … | ratio … | target … | PASS`.
/// The column titles of [`report`]'s lines.
pub fn header() {
    println!(
        "{:<14} | {:<22} | {:<44} | {:<46} | {:<12} | {:<18} | verdict",
        "workload", "figure", "median (min – max, runs)", "reference (same run)", "ratio", "target"
    );
}

/// One figure's line. `verdict` is `None` for a figure without a target (context).
pub fn report(
    id: &str,
    figure: &str,
    measured: &str,
    reference: &str,
    ratio: &str,
    target: &str,
    verdict: Option<bool>,
) {
    let verdict = match verdict {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "—",
    };
    println!("{id:<14} | {figure:<22} | {measured:<44} | {reference:<46} | {ratio:<12} | {target:<18} | {verdict}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn median_min_max_of_runs() {
        let s = Samples(vec![3.0, 1.0, 2.0, 5.0, 4.0]);
        assert_eq!((s.median(), s.min(), s.max()), (3.0, 1.0, 5.0));
        assert_eq!(s.describe("ms"), "3.00 ms (min 1.00 – max 5.00, 5 runs)");
    }
}
