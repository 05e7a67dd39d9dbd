//! Personalized PageRank by forward push (Andersen, Chung and Lang, 2006),
//! for small seed sets: it touches only the region around the seeds.
//!
//! Same definition as [`crate::pagerank::personalized_pagerank`] (dangling
//! nodes send their mass back to the seeds). The push keeps the invariant
//! `ppr = estimate + sum_u residual(u) * ppr_u`, where each `ppr_u` is a
//! probability distribution; so when it stops, every estimate is a lower
//! bound and `0 <= ppr(v) - estimate(v)`, summed over all v, equals the
//! remaining residual mass exactly. That sum is returned as the L1 error.
//! It stops when every residual is at most `epsilon * max(out-degree, 1)`,
//! which bounds the L1 error by `epsilon * (m + n)` in the worst case; in
//! practice it is far smaller and is reported.

use crate::{Csr, GraphError};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Settings of the push.
#[derive(Clone, Debug, PartialEq)]
pub struct PushOptions {
    /// Probability of following an edge (as in PageRank).
    pub alpha: f64,
    /// Residual threshold per unit of out-degree.
    pub epsilon: f64,
    /// Give up after this many pushes (the error bound is still exact).
    pub max_pushes: u64,
}

impl Default for PushOptions {
    fn default() -> PushOptions {
        PushOptions {
            alpha: 0.85,
            epsilon: 1e-7,
            max_pushes: 100_000_000,
        }
    }
}

/// Sparse estimates and their exact error bound.
#[derive(Clone, Debug)]
pub struct PushResult {
    /// (node, estimate), estimate > 0, sorted by node.
    pub estimates: Vec<(u32, f64)>,
    /// Sum of all residuals: the L1 distance to the exact vector (every
    /// estimate is below its exact value).
    pub l1_error: f64,
    pub pushes: u64,
}

/// Forward push from `seeds` (weights normalized to sum 1) on the
/// out-adjacency `out`.
pub fn ppr_push(
    out: &Csr,
    seeds: &[(u32, f64)],
    opts: &PushOptions,
) -> Result<PushResult, GraphError> {
    if !(0.0..1.0).contains(&opts.alpha) {
        return Err(GraphError::invalid(format!(
            "alpha must be in [0, 1), got {}",
            opts.alpha
        )));
    }
    if opts.epsilon.is_nan() || opts.epsilon <= 0.0 {
        return Err(GraphError::invalid("push epsilon must be positive"));
    }
    let n = out.num_nodes();
    // Normalized, merged seed weights (validated like the power iteration's).
    let seed_dist: Vec<(u32, f64)> = {
        let mut merged: FxHashMap<u32, f64> = FxHashMap::default();
        for &(v, w) in seeds {
            *merged.entry(v).or_default() += w;
        }
        let list: Vec<(u32, f64)> = merged.into_iter().collect();
        let total: f64 = list.iter().map(|&(_, w)| w).sum();
        if let Some(&(v, _)) = list.iter().find(|&&(v, _)| v as usize >= n) {
            return Err(GraphError::invalid(format!(
                "seed node {v} is not in the graph of {n} nodes"
            )));
        }
        if list.iter().any(|&(_, w)| !(w >= 0.0 && w.is_finite())) || total.is_nan() || total <= 0.0
        {
            return Err(GraphError::invalid(
                "seed weights must be non-negative, finite and not all 0",
            ));
        }
        let mut l: Vec<(u32, f64)> = list
            .into_iter()
            .filter(|&(_, w)| w > 0.0)
            .map(|(v, w)| (v, w / total))
            .collect();
        l.sort_unstable_by_key(|&(v, _)| v);
        l
    };

    let alpha = opts.alpha;
    let threshold = |u: u32| opts.epsilon * (out.degree(u).max(1) as f64);
    let mut estimate: FxHashMap<u32, f64> = FxHashMap::default();
    let mut residual: FxHashMap<u32, f64> = FxHashMap::default();
    let mut queue: VecDeque<u32> = VecDeque::new();
    for &(v, w) in &seed_dist {
        residual.insert(v, w);
        if w > threshold(v) {
            queue.push_back(v);
        }
    }
    let mut pushes = 0u64;
    while let Some(u) = queue.pop_front() {
        if pushes >= opts.max_pushes {
            break;
        }
        let r = residual.get(&u).copied().unwrap_or(0.0);
        if r <= threshold(u) {
            continue;
        }
        pushes += 1;
        residual.insert(u, 0.0);
        *estimate.entry(u).or_default() += (1.0 - alpha) * r;
        let neighbors = out.neighbors(u);
        let mut spread = |v: u32, amount: f64, queue: &mut VecDeque<u32>| {
            let slot = residual.entry(v).or_default();
            let before = *slot;
            *slot += amount;
            let t = threshold(v);
            // enqueue when it crosses the threshold (a node already above is queued)
            if before <= t && *slot > t {
                queue.push_back(v);
            }
        };
        if neighbors.is_empty() {
            for &(s, w) in &seed_dist {
                spread(s, alpha * r * w, &mut queue);
            }
        } else {
            let share = alpha * r / neighbors.len() as f64;
            for &v in neighbors {
                spread(v, share, &mut queue);
            }
        }
    }
    let l1_error = residual.values().sum();
    let mut estimates: Vec<(u32, f64)> = estimate.into_iter().filter(|&(_, e)| e > 0.0).collect();
    estimates.sort_unstable_by_key(|&(v, _)| v);
    Ok(PushResult {
        estimates,
        l1_error,
        pushes,
    })
}
