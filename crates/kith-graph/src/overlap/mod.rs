//! Audience overlap of a set of accounts, each audience a set of nodes
//! (typically an account's followers: its in-adjacency).
//!
//! Figures, as DESIGN.md defines them: total = Σ |A_i|; unique (net reach)
//! = |∪ A_i|; shared = nodes in two or more audiences; exclusive_i = nodes
//! only in A_i; pairwise overlap = |A ∩ B| / min(|A|, |B|) and Jaccard
//! |A ∩ B| / |A ∪ B|; expected frequency = total / unique. [`exact_overlap`]
//! computes them exactly; [`sketch_overlap`] estimates unique reach with a
//! HyperLogLog union and pairwise figures with MinHash, with their errors.

mod sketch;

pub use sketch::{HyperLogLog, MinHash, hash_node};

use rayon::prelude::*;

/// Overlap of two audiences.
#[derive(Clone, Debug, PartialEq)]
pub struct PairOverlap {
    pub a: usize,
    pub b: usize,
    /// |A ∩ B| (estimated by the sketch variant).
    pub intersection: f64,
    /// |A ∩ B| / min(|A|, |B|); 0 when either is empty.
    pub overlap: f64,
    pub jaccard: f64,
}

/// Exact overlap figures.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlapReport {
    pub sizes: Vec<u64>,
    pub total: u64,
    pub unique: u64,
    pub shared: u64,
    pub exclusive: Vec<u64>,
    pub pairwise: Vec<PairOverlap>,
    /// total / unique (0 when unique is 0).
    pub expected_frequency: f64,
}

fn sorted_unique(audience: &[u32]) -> std::borrow::Cow<'_, [u32]> {
    if audience.windows(2).all(|w| w[0] < w[1]) {
        std::borrow::Cow::Borrowed(audience)
    } else {
        let mut v = audience.to_vec();
        v.sort_unstable();
        v.dedup();
        std::borrow::Cow::Owned(v)
    }
}

fn intersection_size(a: &[u32], b: &[u32]) -> u64 {
    let (mut i, mut j, mut count) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

fn pair(a: usize, b: usize, size_a: u64, size_b: u64, intersection: f64) -> PairOverlap {
    let min = size_a.min(size_b) as f64;
    let union = size_a as f64 + size_b as f64 - intersection;
    PairOverlap {
        a,
        b,
        intersection,
        overlap: if min > 0.0 { intersection / min } else { 0.0 },
        jaccard: if union > 0.0 {
            intersection / union
        } else {
            0.0
        },
    }
}

/// Exact overlap of `audiences` (any order, repeats ignored).
pub fn exact_overlap(audiences: &[&[u32]]) -> OverlapReport {
    let sets: Vec<std::borrow::Cow<'_, [u32]>> =
        audiences.par_iter().map(|a| sorted_unique(a)).collect();
    let sizes: Vec<u64> = sets.iter().map(|s| s.len() as u64).collect();
    let total: u64 = sizes.iter().sum();
    // every (node, audience) pair, sorted by node: runs give multiplicity
    let mut tagged: Vec<(u32, u32)> = sets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().map(move |&v| (v, i as u32)))
        .collect();
    tagged.par_sort_unstable();
    let mut unique = 0u64;
    let mut shared = 0u64;
    let mut exclusive = vec![0u64; sets.len()];
    let mut i = 0;
    while i < tagged.len() {
        let mut j = i + 1;
        while j < tagged.len() && tagged[j].0 == tagged[i].0 {
            j += 1;
        }
        unique += 1;
        if j - i == 1 {
            exclusive[tagged[i].1 as usize] += 1;
        } else {
            shared += 1;
        }
        i = j;
    }
    let pairs: Vec<(usize, usize)> = (0..sets.len())
        .flat_map(|a| (a + 1..sets.len()).map(move |b| (a, b)))
        .collect();
    let pairwise = pairs
        .par_iter()
        .map(|&(a, b)| {
            pair(
                a,
                b,
                sizes[a],
                sizes[b],
                intersection_size(&sets[a], &sets[b]) as f64,
            )
        })
        .collect();
    OverlapReport {
        expected_frequency: if unique > 0 {
            total as f64 / unique as f64
        } else {
            0.0
        },
        sizes,
        total,
        unique,
        shared,
        exclusive,
        pairwise,
    }
}

/// Sketch sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct SketchOptions {
    /// HyperLogLog precision (2^p registers).
    pub hll_precision: u8,
    /// MinHash size k.
    pub minhash_size: usize,
}

impl Default for SketchOptions {
    fn default() -> SketchOptions {
        SketchOptions {
            hll_precision: HyperLogLog::DEFAULT_PRECISION,
            minhash_size: MinHash::DEFAULT_SIZE,
        }
    }
}

/// Estimated overlap figures and their errors.
#[derive(Clone, Debug, PartialEq)]
pub struct SketchOverlapReport {
    /// Exact audience sizes (known without sketches).
    pub sizes: Vec<u64>,
    pub total: u64,
    /// HyperLogLog estimate of |∪ A_i|.
    pub unique: f64,
    /// Relative standard error of `unique` (1.04 / √m).
    pub unique_relative_std_error: f64,
    /// Pairwise figures from MinHash Jaccard estimates: |A ∩ B| is
    /// J (|A| + |B|) / (1 + J).
    pub pairwise: Vec<PairOverlap>,
    /// Largest standard error of the Jaccard estimates (√(J(1-J)/k)).
    pub jaccard_std_error: f64,
    pub expected_frequency: f64,
}

/// Estimates overlap from sketches of each audience; sketches of many
/// accounts can be precomputed and merged at query time.
pub fn sketch_overlap(audiences: &[&[u32]], opts: &SketchOptions) -> SketchOverlapReport {
    let sketches: Vec<(HyperLogLog, MinHash, u64)> = audiences
        .par_iter()
        .map(|a| {
            let mut hll = HyperLogLog::new(opts.hll_precision);
            a.iter().for_each(|&v| hll.insert(v));
            let mh = MinHash::from_nodes(opts.minhash_size, a.iter().copied());
            (hll, mh, sorted_unique(a).len() as u64)
        })
        .collect();
    let mut union = HyperLogLog::new(opts.hll_precision);
    for (h, _, _) in &sketches {
        union.merge(h);
    }
    let sizes: Vec<u64> = sketches.iter().map(|s| s.2).collect();
    let total: u64 = sizes.iter().sum();
    let unique = union.estimate();
    let mut jaccard_std_error: f64 = 0.0;
    let mut pairwise = Vec::new();
    for a in 0..sketches.len() {
        for b in a + 1..sketches.len() {
            let j = sketches[a].1.jaccard(&sketches[b].1);
            jaccard_std_error = jaccard_std_error.max(sketches[a].1.jaccard_std_error(j));
            let inter = j * (sizes[a] + sizes[b]) as f64 / (1.0 + j);
            let mut p = pair(a, b, sizes[a], sizes[b], inter);
            p.jaccard = j;
            pairwise.push(p);
        }
    }
    SketchOverlapReport {
        expected_frequency: if unique > 0.0 {
            total as f64 / unique
        } else {
            0.0
        },
        sizes,
        total,
        unique,
        unique_relative_std_error: union.relative_std_error(),
        pairwise,
        jaccard_std_error,
    }
}
