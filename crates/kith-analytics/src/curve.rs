//! The expected-ER curve: for one platform, the median engagement rate of
//! accounts in fine log-spaced follower bands, smoothed by pooling
//! neighbouring bands, so an account is judged against peers of its own
//! size. The curve is measured on the population kith holds, never assumed.
//!
//! Band b holds follower counts f with floor(log10(f) * bands_per_decade) =
//! b, i.e. [10^(b/k), 10^((b+1)/k)). A band's value is the median ER of the
//! accounts in bands b-h..=b+h, with h = `smoothing_bands`, widened one band
//! at a time (up to a decade each side) until at least `min_band_accounts`
//! accounts are pooled; a band that cannot reach that has no value.

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::settings::Curve as CurveSettings;
use serde::{Deserialize, Serialize};

/// One follower band of the curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub index: i32,
    /// Lowest follower count in the band.
    pub followers_from: u64,
    /// First follower count of the next band.
    pub followers_to: u64,
    /// Accounts whose follower count is in the band.
    pub accounts: usize,
    /// Accounts the value pools (the band and its neighbours).
    pub pooled_accounts: usize,
    /// Bands pooled on each side.
    pub half_width: usize,
    /// Median ER of the pooled accounts; `None` below `min_band_accounts`.
    pub er_median: Option<f64>,
    /// 95% interval of that median (order statistics).
    pub er_median_interval: Option<[f64; 2]>,
    pub er_p25: Option<f64>,
    pub er_p75: Option<f64>,
    /// The ERs of the band's own accounts, sorted, for peer percentiles.
    /// Not in the JSON (a million numbers); the vetting cache keeps them in
    /// a binary file beside it ([`ErCurve::band_values`]). Each account's
    /// ER is kept once, not once per band that pools it.
    #[serde(skip)]
    values: SortedValues,
}

/// Sorted numbers that answer "how many are below x" with few dependent
/// memory loads: every [`SortedValues::BLOCK`]th value is copied into a
/// fence array and every `BLOCK`th fence into a top array (a few hundred
/// bytes, always in cache). A query binary-searches the tops, then counts
/// in one block of fences and one block of values, whose loads all issue at
/// once. A plain binary search over the values waited on about twenty
/// loads one after another: an eighth of `kith score`'s time at a million
/// accounts.
#[derive(Debug, Clone, Default, PartialEq)]
struct SortedValues {
    values: Vec<f64>,
    fences: Vec<f64>,
    tops: Vec<f64>,
}

impl SortedValues {
    const BLOCK: usize = 32;

    fn new(mut values: Vec<f64>) -> SortedValues {
        values.sort_by(f64::total_cmp);
        let fences: Vec<f64> = values.iter().step_by(Self::BLOCK).copied().collect();
        let tops = fences.iter().step_by(Self::BLOCK).copied().collect();
        SortedValues {
            values,
            fences,
            tops,
        }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    /// How many values are below `x` (`partition_point(|v| v < x)`).
    fn count_below(&self, x: f64) -> usize {
        // Sorted, so the count of a block's entries below x is where the
        // block crosses x; entries of earlier blocks are all below (their
        // block's first entry is), entries of later blocks none.
        let below = |block: &[f64]| block.iter().filter(|&&v| v < x).count();
        let t = self.tops.partition_point(|&f| f < x);
        if t == 0 {
            return 0;
        }
        let from = (t - 1) * Self::BLOCK;
        let to = (t * Self::BLOCK).min(self.fences.len());
        let j = from + below(&self.fences[from..to]);
        let from = (j - 1) * Self::BLOCK;
        let to = (j * Self::BLOCK).min(self.values.len());
        from + below(&self.values[from..to])
    }
}

/// The fitted curve of one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErCurve {
    pub platform: String,
    /// Which ER variant the curve is of.
    pub variant: String,
    pub bands_per_decade: u32,
    /// Accounts with a known ER and at least one follower.
    pub accounts: usize,
    /// Bands with at least one account, ascending.
    pub bands: Vec<Band>,
}

/// The expected ER of one follower count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    pub er: f64,
    /// Accounts behind the nearest band's value.
    pub pooled_accounts: usize,
    /// True when the count lies outside the bands with values (the nearest
    /// band's value is used).
    pub extrapolated: bool,
    pub band_index: i32,
}

fn band_of(followers: u64, k: u32) -> i32 {
    ((followers.max(1) as f64).log10() * k as f64 + 1e-9).floor() as i32
}

fn band_bound(index: i32, k: u32) -> u64 {
    10f64.powf(index as f64 / k as f64).ceil() as u64
}

impl ErCurve {
    /// Fits the curve to (followers, ER) pairs of one platform. Pairs with 0
    /// followers or a non-finite ER are left out.
    pub fn fit(
        platform: &str,
        variant: &str,
        points: &[(u64, f64)],
        settings: &CurveSettings,
    ) -> ErCurve {
        let k = settings.bands_per_decade.max(1);
        let mut by_band: std::collections::BTreeMap<i32, Vec<f64>> = Default::default();
        let mut accounts = 0;
        for &(f, er) in points {
            if f == 0 || !er.is_finite() {
                continue;
            }
            by_band.entry(band_of(f, k)).or_default().push(er);
            accounts += 1;
        }
        let max_half = (k as usize).max(settings.smoothing_bands);
        let bands = by_band
            .iter()
            .map(|(&b, own)| {
                let mut h = settings.smoothing_bands;
                let pool = |h: usize| -> Vec<f64> {
                    by_band
                        .range(b - h as i32..=b + h as i32)
                        .flat_map(|(_, v)| v.iter().copied())
                        .collect()
                };
                let mut pooled = pool(h);
                while pooled.len() < settings.min_band_accounts && h < max_half {
                    h += 1;
                    pooled = pool(h);
                }
                pooled.sort_by(f64::total_cmp);
                let enough = !pooled.is_empty() && pooled.len() >= settings.min_band_accounts;
                Band {
                    index: b,
                    followers_from: band_bound(b, k),
                    followers_to: band_bound(b + 1, k),
                    accounts: own.len(),
                    pooled_accounts: pooled.len(),
                    half_width: h,
                    er_median: enough.then(|| stats::median_of_sorted(&pooled)),
                    er_median_interval: if enough {
                        stats::median_interval_of_sorted(&pooled).map(|(a, b)| [a, b])
                    } else {
                        None
                    },
                    er_p25: if enough {
                        stats::quantile_of_sorted(&pooled, 0.25)
                    } else {
                        None
                    },
                    er_p75: if enough {
                        stats::quantile_of_sorted(&pooled, 0.75)
                    } else {
                        None
                    },
                    values: SortedValues::new(own.clone()),
                }
            })
            .collect();
        ErCurve {
            platform: platform.to_string(),
            variant: variant.to_string(),
            bands_per_decade: k,
            accounts,
            bands,
        }
    }

    /// Share of the peers pooled for `followers`' band (the band and
    /// `half_width` bands each side) with an ER below `er`; `None` where
    /// the band has no value or its accounts' ERs are not loaded.
    pub fn peer_percentile(&self, followers: u64, er: f64) -> Option<f64> {
        let band = self.band(followers)?;
        band.er_median?;
        let h = band.half_width as i32;
        let from = self.bands.partition_point(|b| b.index < band.index - h);
        let to = self.bands.partition_point(|b| b.index <= band.index + h);
        let (below, pooled) = self.bands[from..to]
            .iter()
            .fold((0usize, 0usize), |(below, pooled), b| {
                (below + b.values.count_below(er), pooled + b.values.len())
            });
        (pooled > 0 && pooled == band.pooled_accounts).then(|| below as f64 / pooled as f64)
    }

    /// Every band's sorted ERs, band after band (what the vetting cache
    /// stores beside the JSON; `band.accounts` values per band).
    pub fn band_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.bands
            .iter()
            .flat_map(|b| b.values.values.iter().copied())
    }

    /// Puts back the values of [`ErCurve::band_values`] from the front of
    /// `values` and returns the rest; `None` (and nothing changed) when too
    /// few are left. Each band's values are sorted again, so a damaged cache
    /// file cannot break the percentile search.
    pub fn take_band_values<'a>(&mut self, values: &'a [f64]) -> Option<&'a [f64]> {
        let total: usize = self.bands.iter().map(|b| b.accounts).sum();
        let (mut mine, rest) = values.split_at_checked(total)?;
        for b in &mut self.bands {
            let (own, tail) = mine.split_at(b.accounts);
            b.values = SortedValues::new(own.to_vec());
            mine = tail;
        }
        Some(rest)
    }

    /// The band `followers` falls in, if the curve has it.
    pub fn band(&self, followers: u64) -> Option<&Band> {
        let b = band_of(followers, self.bands_per_decade);
        self.bands
            .binary_search_by_key(&b, |band| band.index)
            .ok()
            .map(|i| &self.bands[i])
    }

    /// The expected ER at `followers`: log-log interpolation between the
    /// centres of the nearest bands with values; the edge band's value
    /// beyond them. `None` when no band has a value or followers is 0.
    pub fn expected(&self, followers: u64) -> Option<Expected> {
        if followers == 0 {
            return None;
        }
        let k = self.bands_per_decade as f64;
        // Called once per account scored: no allocation on this path.
        let valued = || {
            self.bands
                .iter()
                .filter_map(|b| b.er_median.map(|_| (b, (b.index as f64 + 0.5) / k)))
        };
        let x = (followers as f64).log10();
        let first = valued().next()?;
        let last = valued().next_back()?;
        let at = |band: &Band, extrapolated: bool| Expected {
            er: band.er_median.unwrap_or(0.0),
            pooled_accounts: band.pooled_accounts,
            extrapolated,
            band_index: band.index,
        };
        // Inside the first or last band's own range, or beyond: that band.
        if x <= first.1 {
            let inside = band_of(followers, self.bands_per_decade) == first.0.index;
            return Some(at(first.0, !inside));
        }
        if x >= last.1 {
            let inside = band_of(followers, self.bands_per_decade) == last.0.index;
            return Some(at(last.0, !inside));
        }
        // first.1 < x < last.1 here, so both exist.
        let lo = valued().rfind(|(_, c)| *c <= x)?;
        let hi = valued().find(|(_, c)| *c > x)?;
        let t = (x - lo.1) / (hi.1 - lo.1);
        let (a, b) = (lo.0.er_median?, hi.0.er_median?);
        // Engagement falls roughly as a power of followers, so interpolate
        // in log space; zero medians (possible on tiny samples) linearly.
        let er = if a > 0.0 && b > 0.0 {
            (a.ln() + t * (b.ln() - a.ln())).exp()
        } else {
            a + t * (b - a)
        };
        let nearest = if t < 0.5 { lo.0 } else { hi.0 };
        Some(Expected {
            er,
            pooled_accounts: nearest.pooled_accounts,
            extrapolated: false,
            band_index: nearest.index,
        })
    }

    /// The ER index (ER / expected ER) of an account as a figure, with the
    /// share of its band's peers it engages better than.
    pub fn er_index(&self, followers: Option<u64>, er: &Figure) -> ErIndex {
        let def = "ER / expected ER for the account's follower count on its platform (the curve's smoothed band median)";
        let base = Figure::new("er_index", def, "accounts")
            .window(format!(
                "{} against the {} curve",
                self.variant, self.platform
            ))
            .observed_at(er.observed_at);
        let (Some(f), Some(v)) = (followers, er.value) else {
            return ErIndex {
                index: base.not_enough(if followers.is_none_or(|f| f == 0) {
                    "follower count unknown or 0"
                } else {
                    "the account's ER is not known"
                }),
                expected: None,
                peer_percentile: None,
            };
        };
        let Some(expected) = self.expected(f) else {
            return ErIndex {
                index: base.not_enough(format!(
                    "the {} curve has no band with at least the minimum number of accounts",
                    self.platform
                )),
                expected: None,
                peer_percentile: None,
            };
        };
        if expected.er <= 0.0 {
            return ErIndex {
                index: base.not_enough("peers' median ER is 0"),
                expected: Some(expected),
                peer_percentile: None,
            };
        }
        // The index is only as sure as the weaker of the account's ER and
        // its peers' median.
        let peer_conf = Confidence::from_sample(expected.pooled_accounts as u64, 20, 100);
        let mut confidence = er.confidence.min(peer_conf);
        if expected.extrapolated {
            confidence = confidence.min(Confidence::Low);
        }
        let interval = er
            .interval
            .map(|[lo, hi]| (lo / expected.er, hi / expected.er));
        let mut index = base
            .sample(expected.pooled_accounts as u64)
            .value(v / expected.er, confidence)
            .interval(interval);
        if expected.extrapolated {
            index = index.note("follower count outside the curve's bands: nearest band used");
        }
        let peer_percentile = self.peer_percentile(f, v);
        ErIndex {
            index,
            expected: Some(expected),
            peer_percentile,
        }
    }
}

/// An account's ER against its peers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErIndex {
    pub index: Figure,
    pub expected: Option<Expected>,
    /// Share of the band's pooled peers with a lower ER (0..1).
    pub peer_percentile: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn count_below_is_partition_point(
            values in proptest::collection::vec(-5i32..50, 0..3000),
            x in -6i32..52,
        ) {
            let values: Vec<f64> = values.into_iter().map(|v| v as f64 / 4.0).collect();
            let sorted = SortedValues::new(values);
            let x = x as f64 / 4.0;
            prop_assert_eq!(
                sorted.count_below(x),
                sorted.values.partition_point(|&v| v < x)
            );
        }
    }

    /// ER = 0.1 * followers^-0.3, 50 accounts per decade step.
    fn power_law_points() -> Vec<(u64, f64)> {
        let mut pts = Vec::new();
        for i in 0..2000 {
            let f = 10f64.powf(2.0 + 4.0 * i as f64 / 2000.0) as u64;
            let wobble = 1.0 + 0.2 * ((i % 7) as f64 - 3.0) / 3.0;
            pts.push((f, 0.1 * (f as f64).powf(-0.3) * wobble));
        }
        pts
    }

    #[test]
    fn recovers_a_power_law_and_interpolates() {
        let curve = ErCurve::fit(
            "instagram",
            "er_followers_median",
            &power_law_points(),
            &CurveSettings::default(),
        );
        assert_eq!(curve.accounts, 2000);
        assert_eq!(curve.bands.len(), 40);
        for f in [300u64, 5_000, 80_000, 500_000] {
            let e = curve.expected(f).unwrap();
            let truth = 0.1 * (f as f64).powf(-0.3);
            assert!(
                (e.er / truth - 1.0).abs() < 0.08,
                "{f}: {} vs {truth}",
                e.er
            );
            assert!(!e.extrapolated);
        }
        // Beyond the data: the edge band, flagged.
        let e = curve.expected(50_000_000).unwrap();
        assert!(e.extrapolated);
        assert_eq!(curve.expected(0), None);
    }

    #[test]
    fn sparse_bands_borrow_from_neighbours() {
        let settings = CurveSettings {
            min_band_accounts: 5,
            ..CurveSettings::default()
        };
        // Three accounts at ~1k, three at ~10k: each band alone is short.
        let pts = [
            (1000, 0.05),
            (1001, 0.06),
            (1002, 0.07),
            (10_000, 0.01),
            (10_001, 0.02),
            (10_002, 0.03),
        ];
        let curve = ErCurve::fit("x", "er_followers_median", &pts, &settings);
        assert_eq!(curve.bands.len(), 2);
        for b in &curve.bands {
            assert!(b.pooled_accounts >= 5, "{b:?}");
            assert_eq!(b.half_width, 10);
            assert!(b.er_median.is_some());
        }
        // Too few accounts overall: no values, and the index says so.
        let curve = ErCurve::fit("x", "v", &pts[..2], &settings);
        assert!(curve.bands.iter().all(|b| b.er_median.is_none()));
        let er = Figure::new("er", "d", "posts").value(0.05, Confidence::High);
        let idx = curve.er_index(Some(1000), &er);
        assert!(idx.index.value.is_none());
    }

    #[test]
    fn er_index_and_percentile() {
        let curve = ErCurve::fit(
            "instagram",
            "er_followers_median",
            &power_law_points(),
            &CurveSettings::default(),
        );
        let expected = curve.expected(5000).unwrap().er;
        let er = Figure::new("er_followers_median", "d", "posts")
            .value(expected * 4.0, Confidence::High)
            .interval(Some((expected * 3.0, expected * 5.0)));
        let idx = curve.er_index(Some(5000), &er);
        assert!((idx.index.value.unwrap() - 4.0).abs() < 1e-9);
        let [lo, hi] = idx.index.interval.unwrap();
        assert!((lo - 3.0).abs() < 1e-9 && (hi - 5.0).abs() < 1e-9);
        assert_eq!(idx.peer_percentile, Some(1.0));
        let idx = curve.er_index(Some(0), &er);
        assert!(idx.index.note.unwrap().contains("not enough data"));
    }

    #[test]
    fn band_bounds_are_log_spaced() {
        assert_eq!(band_of(1000, 10), 30);
        assert_eq!(band_of(999, 10), 29);
        assert_eq!(band_bound(30, 10), 1000);
        assert_eq!(band_bound(31, 10), 1259);
    }
}
