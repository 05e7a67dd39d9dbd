//! Audience overlap: exact figures against a set model, and the sketches'
//! errors on ego-twitter follower sets.

mod common;

use kith_graph::overlap::{HyperLogLog, MinHash};
use kith_graph::rng::Rng;
use kith_graph::{SketchOptions, exact_overlap, sketch_overlap};
use std::collections::BTreeSet;

#[test]
fn exact_figures_on_a_small_case() {
    let a: &[u32] = &[1, 2, 3, 4];
    let b: &[u32] = &[3, 4, 5];
    let c: &[u32] = &[9, 1, 1];
    let r = exact_overlap(&[a, b, c]);
    assert_eq!(r.sizes, vec![4, 3, 2]);
    assert_eq!(r.total, 9);
    assert_eq!(r.unique, 6); // 1 2 3 4 5 9
    assert_eq!(r.shared, 3); // 1 3 4
    assert_eq!(r.exclusive, vec![1, 1, 1]); // 2 | 5 | 9
    assert_eq!(r.pairwise[0].intersection, 2.0);
    assert!((r.pairwise[0].overlap - 2.0 / 3.0).abs() < 1e-12);
    assert!((r.pairwise[0].jaccard - 2.0 / 5.0).abs() < 1e-12);
    assert!((r.expected_frequency - 9.0 / 6.0).abs() < 1e-12);
    let empty = exact_overlap(&[]);
    assert_eq!((empty.unique, empty.expected_frequency), (0, 0.0));
}

#[test]
fn hll_is_exact_enough_when_small_and_merges() {
    let mut h = HyperLogLog::new(HyperLogLog::DEFAULT_PRECISION);
    assert_eq!(h.estimate(), 0.0);
    (0..100u32).for_each(|v| h.insert(v));
    assert!((h.estimate() - 100.0).abs() < 1.0);
    let mut other = HyperLogLog::new(HyperLogLog::DEFAULT_PRECISION);
    (50..150u32).for_each(|v| other.insert(v));
    assert!(h.merge(&other));
    assert!((h.estimate() - 150.0).abs() < 1.5);
    assert!(!h.merge(&HyperLogLog::new(10)));
    let a = MinHash::from_nodes(64, 0..10u32);
    let b = MinHash::from_nodes(64, 5..15u32);
    assert!(
        (a.jaccard(&b) - 5.0 / 15.0).abs() < 1e-12,
        "small sets are exact"
    );
}

/// Over 1,000 random sets of ego-twitter accounts (2 to 50 accounts with at
/// least 20 followers each), the HyperLogLog estimate of unique reach at the
/// default precision is within 2% of the exact count for every set, and
/// the MinHash Jaccard errors stay within 4 stated standard errors.
#[test]
fn sketch_errors_on_ego_twitter() {
    let Some(g) = common::load("ego-twitter") else {
        return;
    };
    let followers = g.out.transpose();
    let candidates: Vec<u32> = (0..followers.num_nodes() as u32)
        .filter(|&v| followers.degree(v) >= 20)
        .collect();
    let mut rng = Rng::new(2024);
    let opts = SketchOptions::default();
    let (mut worst, mut sum_err, mut worst_j_z) = (0.0f64, 0.0, 0.0f64);
    let mut exact_unique_sizes = Vec::new();
    for _ in 0..1000 {
        let count = 2 + rng.below(49) as usize;
        let accounts: BTreeSet<u32> = (0..count)
            .map(|_| candidates[rng.below(candidates.len() as u32) as usize])
            .collect();
        let audiences: Vec<&[u32]> = accounts.iter().map(|&v| followers.neighbors(v)).collect();
        let exact = exact_overlap(&audiences);
        let est = sketch_overlap(&audiences, &opts);
        let err = (est.unique - exact.unique as f64).abs() / exact.unique as f64;
        worst = worst.max(err);
        sum_err += err;
        exact_unique_sizes.push(exact.unique);
        for (e, s) in exact.pairwise.iter().zip(&est.pairwise).take(5) {
            let se = (e.jaccard * (1.0 - e.jaccard) / opts.minhash_size as f64)
                .sqrt()
                .max(1e-3);
            worst_j_z = worst_j_z.max((s.jaccard - e.jaccard).abs() / se);
        }
    }
    exact_unique_sizes.sort_unstable();
    eprintln!(
        "HLL p={}: unique reach relative error mean {:.3}% max {:.3}% (stated standard error {:.2}%), union sizes {}..{}; MinHash worst |error| / stated error {:.2}",
        opts.hll_precision,
        100.0 * sum_err / 1000.0,
        100.0 * worst,
        100.0 * 1.04 / 256.0,
        exact_unique_sizes[0],
        exact_unique_sizes[999],
        worst_j_z
    );
    assert!(worst <= 0.02, "worst relative error {worst}");
    assert!(
        worst_j_z <= 4.5,
        "MinHash error {worst_j_z} standard errors"
    );
}
