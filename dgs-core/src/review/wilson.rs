//! The Wilson score interval for a proportion.

/// Returns the Wilson score interval `(low, high)` for `successes` out of `trials` at the
/// normal quantile `z` (1.96 for 95%). With no trials the interval is the whole `(0, 1)`.
///
/// Unlike the normal approximation it stays inside 0..=1 and behaves at 0% and 100%, which is
/// where small review samples often land.
pub fn wilson_interval(successes: f64, trials: f64, z: f64) -> (f64, f64) {
    if trials <= 0.0 {
        return (0.0, 1.0);
    }

    let proportion = successes / trials;
    let z2 = z * z;
    let denominator = 1.0 + z2 / trials;
    let centre = (proportion + z2 / (2.0 * trials)) / denominator;
    let spread = proportion * (1.0 - proportion) / trials + z2 / (4.0 * trials * trials);
    let half_width = z * spread.sqrt() / denominator;

    (
        (centre - half_width).max(0.0),
        (centre + half_width).min(1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 5e-5
    }

    #[test]
    fn matches_published_values() {
        // 81 of 263 at 95%: (0.2553, 0.3662).
        let (low, high) = wilson_interval(81.0, 263.0, 1.959964);
        assert!(close(low, 0.2553), "low was {low}");
        assert!(close(high, 0.3662), "high was {high}");
    }

    #[test]
    fn all_correct_stays_below_one() {
        let (low, high) = wilson_interval(10.0, 10.0, 1.959964);
        assert!(close(high, 1.0));
        assert!(close(low, 0.7225), "low was {low}");
    }

    #[test]
    fn no_trials_gives_whole_range() {
        assert_eq!(wilson_interval(0.0, 0.0, 1.96), (0.0, 1.0));
    }
}
