//! Small, exact statistics every metric shares: medians and quantiles,
//! robust scale, confidence intervals for proportions and medians, ROC AUC.
//!
//! Every function returns `None` rather than NaN when its input cannot carry
//! an answer (empty samples, zero denominators).

/// The median of a sample (non-finite values left out); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    // Selection, not a sort: O(n), and every account's report takes
    // several medians (a million times in `kith score`).
    let n = v.len();
    let (left, &mut upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = left.iter().copied().max_by(f64::total_cmp).unwrap_or(upper);
    Some((lower + upper) / 2.0)
}

/// The median of an already sorted, non-empty slice.
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The mean; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// The sample standard deviation (n - 1); `None` below two values.
pub fn std_dev(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// The q-quantile (0..=1) of a sorted slice by linear interpolation between
/// order statistics (type 7, the default of R and NumPy).
pub fn quantile_of_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Median absolute deviation from the median (unscaled); `None` when empty.
pub fn mad(values: &[f64]) -> Option<f64> {
    let m = median(values)?;
    let dev: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
    median(&dev)
}

/// The standard normal quantile for 95% two-sided intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score 95% interval of a proportion `successes / n`; `None` when n = 0.
/// Chosen over the normal approximation because it stays inside [0, 1] and
/// behaves at 0 and n successes, which small follower samples hit often.
pub fn wilson_interval(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Distribution-free 95% confidence interval of the median from order
/// statistics: [x_(j), x_(n-j+1)] with j the largest rank such that
/// P(Binomial(n, 1/2) < j) <= 2.5%. Needs n >= 6 (below that no such
/// interval reaches 95%); `None` otherwise.
pub fn median_interval_of_sorted(sorted: &[f64]) -> Option<(f64, f64)> {
    let n = sorted.len();
    if n < 6 {
        return None;
    }
    let j = median_interval_rank(n);
    Some((sorted[j - 1], sorted[n - j]))
}

/// The 1-based rank j of [`median_interval_of_sorted`].
fn median_interval_rank(n: usize) -> usize {
    if n > 300 {
        // Normal approximation of the binomial; exact enough at this size.
        let j = (n as f64 / 2.0 - Z95 * (n as f64).sqrt() / 2.0).floor() as usize;
        return j.max(1);
    }
    // Exact: accumulate P(X = k) for X ~ Binomial(n, 1/2) in log space.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut cdf = 0.0; // P(X <= k - 1)
    let mut ln_choose = 0.0; // ln C(n, k)
    let mut j = 1;
    for k in 0..n {
        if k > 0 {
            ln_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
        }
        // cdf is now P(X < k); rank k is admissible when that is <= 2.5%.
        if cdf <= 0.025 && k >= 1 {
            j = k;
        }
        cdf += (ln_choose + ln_half_n).exp();
        if cdf > 0.025 {
            break;
        }
    }
    j.max(1)
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom, for 95%
/// intervals of a mean over a few repeats.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => Z95 + 2.4 / df as f64, // within 0.001 of the exact value past 30
    }
}

/// ROC AUC of scores against labels (true = positive), by the Mann-Whitney
/// statistic with average ranks for ties; `None` without both classes.
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), positive.len());
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &idx in &order[i..=j] {
            if positive[idx] {
                rank_sum_pos += avg_rank;
            }
        }
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Hanley and McNeil's (1982) standard error of an AUC, for a 95% interval
/// on a single evaluation set.
pub fn auc_standard_error(auc: f64, n_pos: usize, n_neg: usize) -> Option<f64> {
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let q1 = auc / (2.0 - auc);
    let q2 = 2.0 * auc * auc / (1.0 + auc);
    let (np, nn) = (n_pos as f64, n_neg as f64);
    let var = (auc * (1.0 - auc) + (np - 1.0) * (q1 - auc * auc) + (nn - 1.0) * (q2 - auc * auc))
        / (np * nn);
    Some(var.max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(
            quantile_of_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25),
            Some(2.0)
        );
        assert_eq!(quantile_of_sorted(&[1.0, 2.0], 0.5), Some(1.5));
        assert_eq!(mad(&[1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0]), Some(1.0));
        assert_eq!(std_dev(&[1.0]), None);
        assert!((std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap() - 2.138).abs() < 1e-3);
    }

    #[test]
    fn wilson_matches_reference_values() {
        // 0 of 10: upper bound 0.2775 (standard tables).
        let (lo, hi) = wilson_interval(0, 10).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-3, "{hi}");
        // 50 of 100: 0.4038 .. 0.5962.
        let (lo, hi) = wilson_interval(50, 100).unwrap();
        assert!((lo - 0.4038).abs() < 1e-3 && (hi - 0.5962).abs() < 1e-3);
        assert_eq!(wilson_interval(0, 0), None);
    }

    #[test]
    fn median_interval_ranks_match_tables() {
        // Published ranks for the 95% CI of a median: n=6 -> 1, n=10 -> 2,
        // n=20 -> 6, n=50 -> 18, n=100 -> 40.
        for (n, j) in [(6, 1), (10, 2), (20, 6), (50, 18), (100, 40)] {
            assert_eq!(median_interval_rank(n), j, "n = {n}");
        }
        assert_eq!(median_interval_of_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(median_interval_of_sorted(&v), Some((2.0, 9.0)));
    }

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(roc_auc(&[0.1, 0.9], &[false, true]), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.1], &[false, true]), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.5, 0.6], &[true, true]), None);
        // 3 positives, 2 negatives, one discordant pair of six: 5/6.
        let auc = roc_auc(
            &[0.9, 0.8, 0.3, 0.4, 0.1],
            &[true, true, true, false, false],
        )
        .unwrap();
        assert!((auc - 5.0 / 6.0).abs() < 1e-12);
        let se = auc_standard_error(0.9, 50, 50).unwrap();
        assert!(se > 0.0 && se < 0.05, "{se}");
    }

    proptest! {
        #[test]
        fn wilson_contains_the_estimate(k in 0u64..200, extra in 0u64..200) {
            let n = k + extra;
            prop_assume!(n > 0);
            let (lo, hi) = wilson_interval(k, n).unwrap();
            let p = k as f64 / n as f64;
            prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12 && (0.0..=1.0).contains(&lo) && hi <= 1.0);
        }

        #[test]
        fn selection_median_equals_the_sorted_median(v in proptest::collection::vec(-1e3f64..1e3, 1..60)) {
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            prop_assert_eq!(median(&v), Some(median_of_sorted(&sorted)));
        }

        #[test]
        fn median_interval_contains_median(mut v in proptest::collection::vec(-1e6f64..1e6, 6..400)) {
            v.sort_by(f64::total_cmp);
            let m = median_of_sorted(&v);
            let (lo, hi) = median_interval_of_sorted(&v).unwrap();
            prop_assert!(lo <= m && m <= hi);
        }
    }
}
