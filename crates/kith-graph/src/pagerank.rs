//! PageRank and personalized PageRank by power iteration, with the same
//! definition as networkx and igraph: a random surfer follows a uniformly
//! chosen out-edge with probability `alpha` and otherwise jumps to the
//! personalization distribution (uniform for plain PageRank); a node with no
//! out-edges (dangling) sends its whole score to the personalization
//! distribution. Self-loops count as out-edges.
//!
//! Iteration starts from the personalization distribution (uniform for
//! PageRank, as networkx) and stops when the L1 change of one step is below
//! `n * tolerance`, networkx's rule, or after `max_iterations`.

use crate::csr::check_directions;
use crate::parallel::{block_count, csr_blocks, deterministic_sum, for_each_block_mut};
use crate::{Csr, GraphError};
use rayon::prelude::*;

/// Settings of a power iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRankOptions {
    /// Probability of following an edge (networkx's `alpha`, the damping factor).
    pub alpha: f64,
    /// Stop when the L1 change of one step is below `n * tolerance`.
    /// 0 runs exactly `max_iterations` steps.
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for PageRankOptions {
    /// networkx's defaults: alpha 0.85, tolerance 1e-6, 100 iterations.
    fn default() -> PageRankOptions {
        PageRankOptions {
            alpha: 0.85,
            tolerance: 1e-6,
            max_iterations: 100,
        }
    }
}

/// Scores and how the iteration ended.
#[derive(Clone, Debug)]
pub struct PageRankResult {
    /// One score per node, summing to 1.
    pub scores: Vec<f64>,
    pub iterations: usize,
    /// Whether the stopping rule was met (false when `max_iterations` ran out).
    pub converged: bool,
    /// L1 change of the last step.
    pub last_change: f64,
}

fn check_options(opts: &PageRankOptions) -> Result<(), GraphError> {
    if !(0.0..1.0).contains(&opts.alpha) {
        return Err(GraphError::invalid(format!(
            "alpha must be in [0, 1), got {}",
            opts.alpha
        )));
    }
    if opts.tolerance.is_nan() || opts.tolerance < 0.0 {
        return Err(GraphError::invalid("tolerance must be non-negative"));
    }
    Ok(())
}

/// PageRank of the graph with out-adjacency `out` and in-adjacency `inn`.
pub fn pagerank(
    out: &Csr,
    inn: &Csr,
    opts: &PageRankOptions,
) -> Result<PageRankResult, GraphError> {
    check_directions(out, inn)?;
    check_options(opts)?;
    Ok(power_iteration(out, inn, None, opts, use_hub_order(out)))
}

/// Personalized PageRank: teleports (and dangling nodes) go to `seeds`,
/// weighted by their weights (normalized to sum 1). Weights must be
/// non-negative and not all 0; a node may appear more than once (weights add).
pub fn personalized_pagerank(
    out: &Csr,
    inn: &Csr,
    seeds: &[(u32, f64)],
    opts: &PageRankOptions,
) -> Result<PageRankResult, GraphError> {
    check_directions(out, inn)?;
    check_options(opts)?;
    let p = personalization_vector(out.num_nodes(), seeds)?;
    Ok(power_iteration(
        out,
        inn,
        Some(&p),
        opts,
        use_hub_order(out),
    ))
}

/// The dense personalization distribution of `seeds`.
pub(crate) fn personalization_vector(
    n: usize,
    seeds: &[(u32, f64)],
) -> Result<Vec<f64>, GraphError> {
    let mut p = vec![0.0; n];
    let mut total = 0.0;
    for &(v, w) in seeds {
        if v as usize >= n {
            return Err(GraphError::invalid(format!(
                "seed node {v} is not in the graph of {n} nodes"
            )));
        }
        if !(w >= 0.0 && w.is_finite()) {
            return Err(GraphError::invalid(format!(
                "seed weight {w} is not a finite non-negative number"
            )));
        }
        p[v as usize] += w;
        total += w;
    }
    if total.is_nan() || total <= 0.0 {
        return Err(GraphError::invalid(
            "personalized PageRank needs at least one seed with positive weight",
        ));
    }
    p.iter_mut().for_each(|x| *x /= total);
    Ok(p)
}

/// Graphs with at least this many nodes get their sources relabelled by
/// out-degree for the iteration (the per-node contributions no longer fit
/// in a core's cache). Measured on R-MAT scale 22 (2.4M nodes, 65M edges,
/// 2 threads): 20 iterations took 26% less CPU time (docs/graph.md).
const HUB_ORDER_MIN_NODES: usize = 1 << 17;

fn use_hub_order(out: &Csr) -> bool {
    out.num_nodes() >= HUB_ORDER_MIN_NODES
}

/// Sources relabelled by decreasing out-degree: the contributions read most
/// often (those of hubs) sit together in cache instead of being scattered
/// over the whole array. Costs one pass and 4 bytes per edge while the
/// iteration runs.
struct HubOrder {
    /// order[rank] = node
    order: Vec<u32>,
    /// in-adjacency with each source replaced by its rank
    sources: Vec<u32>,
}

impl HubOrder {
    fn new(out_offsets: &[u64], in_sources: &[u32]) -> HubOrder {
        let (order, rank) = crate::csr::by_decreasing_degree(out_offsets);
        let sources = in_sources.par_iter().map(|&u| rank[u as usize]).collect();
        HubOrder { order, sources }
    }
}

/// Rounding a contribution to f32 changes it by at most this share of
/// itself.
const F32_UNIT_ROUNDOFF: f64 = 1.0 / (1u64 << 24) as f64;

/// Whether the contributions may be held in f32, which halves the bytes of
/// the random reads that are the bulk of a step, so that on large graphs
/// more of them hit the caches.
///
/// Rounding perturbs each step by at most alpha u in L1 (u = 2^-24, the
/// sums being in f64), and steps contract errors by alpha, so the scores
/// end at most alpha u / (1 - alpha) from the f64 iteration's. The answer
/// itself is only as close to the fixed point as the stopping rule makes it:
/// within alpha / (1 - alpha) times the last step's L1 change, or, after a
/// fixed number of steps t from a distribution, within 2 alpha^t. f32 is
/// used when that bound is at least 10 times the rounding's, which for a
/// tolerance means an L1 threshold of at least 10 u, about 6e-7.
fn contributions_in_f32(n: usize, opts: &PageRankOptions) -> bool {
    let alpha = opts.alpha;
    let rounding = alpha * F32_UNIT_ROUNDOFF / (1.0 - alpha);
    let answer = if opts.tolerance > 0.0 {
        n as f64 * opts.tolerance * alpha / (1.0 - alpha)
    } else {
        2.0 * alpha.powi(opts.max_iterations.min(i32::MAX as usize) as i32)
    };
    answer >= 10.0 * rounding
}

/// A per-node contribution x(u) / out-degree(u), in f32 or f64.
trait Contribution: Copy + Send + Sync + Default {
    /// Whether rounding to this type loses anything from an f64.
    const ROUNDS: bool;
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
}

impl Contribution for f32 {
    const ROUNDS: bool = true;
    #[inline(always)]
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Contribution for f64 {
    const ROUNDS: bool = false;
    #[inline(always)]
    fn from_f64(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

fn power_iteration(
    out: &Csr,
    inn: &Csr,
    personalization: Option<&[f64]>,
    opts: &PageRankOptions,
    hub_order: bool,
) -> PageRankResult {
    if contributions_in_f32(out.num_nodes(), opts) {
        power_iteration_with::<f32>(out, inn, personalization, opts, hub_order)
    } else {
        power_iteration_with::<f64>(out, inn, personalization, opts, hub_order)
    }
}

fn power_iteration_with<C: Contribution>(
    out: &Csr,
    inn: &Csr,
    personalization: Option<&[f64]>,
    opts: &PageRankOptions,
    hub_order: bool,
) -> PageRankResult {
    let n = out.num_nodes();
    if n == 0 {
        return PageRankResult {
            scores: Vec::new(),
            iterations: 0,
            converged: true,
            last_change: 0.0,
        };
    }
    let uniform = 1.0 / n as f64;
    let alpha = opts.alpha;
    let out_offsets = out.offsets();
    // 1 / out-degree, 0 for dangling nodes.
    let inv_degree: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|u| {
            let d = out_offsets[u + 1] - out_offsets[u];
            if d == 0 { 0.0 } else { 1.0 / d as f64 }
        })
        .collect();
    let dangling: Vec<u32> = (0..n as u32)
        .filter(|&u| inv_degree[u as usize] == 0.0)
        .collect();

    let mut x: Vec<f64> = match personalization {
        Some(p) => p.to_vec(),
        None => vec![uniform; n],
    };
    let mut next = vec![0.0; n];
    let mut diffs = vec![0.0; n];
    let blocks = csr_blocks(inn.offsets(), block_count(n + inn.num_edges()));
    let in_offsets = inn.offsets();
    let hubs = hub_order.then(|| HubOrder::new(out_offsets, inn.targets()));
    let in_sources: &[u32] = hubs.as_ref().map_or(inn.targets(), |h| &h.sources);
    // contrib[u] = x[u] / out-degree(u), indexed like `in_sources`
    let mut contrib = vec![C::default(); n];

    let mut iterations = 0;
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    while iterations < opts.max_iterations {
        iterations += 1;
        match &hubs {
            Some(h) => contrib
                .par_iter_mut()
                .zip(h.order.par_iter())
                .for_each(|(c, &u)| *c = C::from_f64(x[u as usize] * inv_degree[u as usize])),
            None => contrib
                .par_iter_mut()
                .zip(x.par_iter().zip(&inv_degree))
                .for_each(|(c, (&xv, &inv))| *c = C::from_f64(xv * inv)),
        }
        let dangling_sum: f64 = dangling.iter().map(|&u| x[u as usize]).sum();
        // Mass every node receives in proportion to its personalization.
        let jump = alpha * dangling_sum + (1.0 - alpha);
        let contrib_ref = &contrib;
        let x_ref = &x;
        let diffs_ptr = crate::parallel::SharedMut::new(&mut diffs);
        for_each_block_mut(&blocks, &mut next, |a, _b, slice| {
            for (i, slot) in slice.iter_mut().enumerate() {
                let v = a + i;
                let mut sum = 0.0;
                for &u in &in_sources[in_offsets[v] as usize..in_offsets[v + 1] as usize] {
                    sum += contrib_ref[u as usize].to_f64();
                }
                let p = personalization.map_or(uniform, |p| p[v]);
                let value = alpha * sum + jump * p;
                *slot = value;
                // SAFETY: index v belongs to this block only.
                unsafe { diffs_ptr.write(v, (value - x_ref[v]).abs()) };
            }
        });
        std::mem::swap(&mut x, &mut next);
        last_change = deterministic_sum(&diffs);
        if last_change < n as f64 * opts.tolerance {
            converged = true;
            break;
        }
    }
    if C::ROUNDS {
        // Each step's rounded contributions carry a little more or less
        // than the mass they stand for (at most 2^-24 of it); the scores
        // are a distribution, so that drift, by then below the stopping
        // threshold, is divided out.
        let total = deterministic_sum(&x);
        x.par_iter_mut().for_each(|v| *v /= total);
    }
    PageRankResult {
        scores: x,
        iterations,
        converged,
        last_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RmatParams, rmat_csr};

    /// An R-MAT graph of 2^12 nodes in both directions.
    fn rmat_both_directions(seed: u64) -> (Csr, Csr) {
        let out = rmat_csr(&RmatParams {
            scale: 12,
            seed,
            ..RmatParams::default()
        })
        .unwrap();
        let inn = out.transpose();
        (out, inn)
    }

    fn l1_distance(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
    }

    /// The hub-ordered iteration gives the plain iteration's scores (up to
    /// the order of floating-point additions) and the same iteration count,
    /// for PageRank and personalized PageRank.
    #[test]
    fn hub_order_changes_nothing_but_speed() {
        let (out, inn) = rmat_both_directions(3);
        let opts = PageRankOptions {
            tolerance: 1e-12,
            max_iterations: 1000,
            ..PageRankOptions::default()
        };
        let p = personalization_vector(out.num_nodes(), &[(3, 1.0), (77, 2.0)]).unwrap();
        for personalization in [None, Some(p.as_slice())] {
            let plain = power_iteration(&out, &inn, personalization, &opts, false);
            let hubs = power_iteration(&out, &inn, personalization, &opts, true);
            assert!(plain.converged && hubs.converged);
            assert_eq!(plain.iterations, hubs.iterations);
            let l1 = l1_distance(&plain.scores, &hubs.scores);
            assert!(l1 < 1e-12, "L1 {l1}");
        }
    }

    /// f32 is chosen only where the answer's own error dwarfs its rounding.
    #[test]
    fn f32_only_for_loose_answers() {
        let with = |tolerance, max_iterations| PageRankOptions {
            tolerance,
            max_iterations,
            ..PageRankOptions::default()
        };
        // networkx's default rule on 81,306 nodes: L1 threshold 0.08
        assert!(contributions_in_f32(81_306, &with(1e-6, 100)));
        // an L1 threshold of 1e-6, and of 1e-7 (below 10 u = 6e-7)
        assert!(contributions_in_f32(1, &with(1e-6, 10_000)));
        assert!(!contributions_in_f32(1, &with(1e-7, 10_000)));
        // fixed step counts: 20 steps leave up to 2 * 0.85^20 = 0.078
        assert!(contributions_in_f32(1000, &with(0.0, 20)));
        assert!(!contributions_in_f32(1000, &with(0.0, 1000)));
    }

    /// With f32 contributions the iteration stops at the same step as with
    /// f64, within the rounding bound alpha u / (1 - alpha) of its scores,
    /// which still sum to 1.
    #[test]
    fn f32_contributions_stay_within_their_bound() {
        let (out, inn) = rmat_both_directions(5);
        let opts = PageRankOptions {
            tolerance: 1e-6 / out.num_nodes() as f64,
            max_iterations: 1000,
            ..PageRankOptions::default()
        };
        assert!(contributions_in_f32(out.num_nodes(), &opts));
        let p = personalization_vector(out.num_nodes(), &[(3, 1.0), (77, 2.0)]).unwrap();
        for personalization in [None, Some(p.as_slice())] {
            for hub_order in [false, true] {
                let exact =
                    power_iteration_with::<f64>(&out, &inn, personalization, &opts, hub_order);
                let rounded =
                    power_iteration_with::<f32>(&out, &inn, personalization, &opts, hub_order);
                assert!(exact.converged && rounded.converged);
                assert_eq!(exact.iterations, rounded.iterations);
                let l1 = l1_distance(&exact.scores, &rounded.scores);
                let bound = 0.85 * F32_UNIT_ROUNDOFF / 0.15;
                assert!(l1 <= bound, "L1 {l1}, bound {bound}");
                // the rounding did happen (the seeds 3 and 77 may have no
                // out-edges, which leaves nothing to round)
                assert!(personalization.is_some() || l1 > 0.0);
                let sum: f64 = rounded.scores.iter().sum();
                assert!((sum - 1.0).abs() < 1e-12, "sum {sum}");
            }
        }
    }
}
