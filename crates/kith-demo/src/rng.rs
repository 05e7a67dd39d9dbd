//! Deterministic randomness.
//!
//! Every random choice draws from a generator seeded by (world seed, stage,
//! item index), never from a shared stream, so the world does not depend on
//! how rayon schedules items over threads, and one stage can change without
//! shifting the random numbers of another.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal, Poisson};
use rand_pcg::Pcg64Mcg;

/// The generator's stages; each owns an independent family of streams.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stage {
    Cast = 1,
    Persona,
    Profile,
    HandleRepair,
    Follows,
    FakeFollows,
    Friendship,
    PostCount,
    Posts,
    PodTiming,
    Interactions,
    History,
    Customers,
    Referrals,
}

/// SplitMix64's finaliser: a bijective, well-mixing hash of a `u64`.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a seed, a stage and up to two item keys.
pub(crate) fn hash(seed: u64, stage: Stage, a: u64, b: u64) -> u64 {
    let h = splitmix64(seed ^ splitmix64(stage as u64));
    let h = splitmix64(h ^ a);
    splitmix64(h ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// A uniform number in [0, 1) from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The generator for one item of one stage.
pub(crate) fn rng(seed: u64, stage: Stage, index: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(hash(seed, stage, index, 0))
}

/// Small sampling helpers over any generator, so call sites read as the
/// distribution they draw from.
pub(crate) trait Draw: Rng {
    /// Log-normal with the given median and log-space standard deviation.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.std_normal()).exp()
    }

    /// Standard normal.
    fn std_normal(&mut self) -> f64 {
        Normal::new(0.0, 1.0).expect("valid normal").sample(self)
    }

    /// Poisson count with the given mean (0 for a mean of 0 or less).
    fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        Poisson::new(mean).expect("positive mean").sample(self) as u64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.r#gen::<f64>() < p
    }

    /// One element of a non-empty slice, uniformly.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.gen_range(0..items.len())]
    }

    /// One of a non-empty list of strings, uniformly.
    fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.gen_range(0..items.len())]
    }

    /// An index drawn with probability proportional to `weights`.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.r#gen::<f64>() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

impl<R: Rng + ?Sized> Draw for R {}

/// Draws from a fixed discrete distribution in O(log n): a cumulative-weight
/// table searched by bisection. Built once, shared read-only across threads.
#[derive(Clone, Debug, Default)]
pub(crate) struct WeightedTable {
    cumulative: Vec<f64>,
}

impl WeightedTable {
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        WeightedTable { cumulative }
    }

    /// An index with probability proportional to its weight; `None` if empty.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.r#gen::<f64>() * total;
        let i = self.cumulative.partition_point(|c| *c <= x);
        Some(i.min(self.cumulative.len() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u32> = (0..4).map(|_| rng(7, Stage::Posts, 3).r#gen()).collect();
        let b: Vec<u32> = (0..4).map(|_| rng(7, Stage::Posts, 3).r#gen()).collect();
        assert_eq!(a, b);
        let x: u64 = rng(7, Stage::Posts, 3).r#gen();
        let y: u64 = rng(7, Stage::Posts, 4).r#gen();
        let z: u64 = rng(7, Stage::Follows, 3).r#gen();
        let w: u64 = rng(8, Stage::Posts, 3).r#gen();
        assert!(x != y && x != z && x != w);
    }

    #[test]
    fn weighted_table_follows_weights() {
        let table = WeightedTable::new([1.0, 0.0, 3.0]);
        let mut r = rng(1, Stage::Cast, 0);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[table.sample(&mut r).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        let ratio = counts[2] as f64 / counts[0] as f64;
        assert!((2.7..3.3).contains(&ratio), "{counts:?}");
        assert!(WeightedTable::new([0.0]).sample(&mut r).is_none());
    }

    #[test]
    fn lognormal_median_is_the_median() {
        let mut r = rng(2, Stage::Cast, 0);
        let mut xs: Vec<f64> = (0..20_001).map(|_| r.lognormal(50.0, 0.8)).collect();
        xs.sort_by(f64::total_cmp);
        let median = xs[10_000];
        assert!((45.0..55.0).contains(&median), "{median}");
    }
}
