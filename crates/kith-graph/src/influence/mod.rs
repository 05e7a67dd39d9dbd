//! Influence maximization by reverse-reachable (RR) sets under Independent
//! Cascade and Linear Threshold, with OPIM-C's stopping rule (Tang et al.,
//! SIGMOD 2018), SUBSIM's subset sampling (Guo et al., SIGMOD 2020) and
//! parallel sampling; a budgeted variant with node costs; and a Monte Carlo
//! spread estimator to check any seed set.
//!
//! OPIM-C keeps two independent collections R1 and R2 of equal size. Seeds
//! are chosen greedily on R1; their coverage on R2 gives an unbiased spread
//! estimate and, by a martingale bound, a lower bound σ_l that holds with
//! probability 1 - δ/3 per round; R1's greedy run gives an upper bound σ_u
//! on the best possible spread. The collections double until
//! σ_l / σ_u >= 1 - 1/e - ε, or reach the size at which that ratio is
//! guaranteed; the result is then (1 - 1/e - ε)-approximate with
//! probability at least 1 - δ, and the achieved ratio is reported.

mod coverage;
mod model;
mod montecarlo;
mod rrsets;

pub use model::{DiffusionModel, EdgeProbability};
pub use montecarlo::{SpreadEstimate, monte_carlo_spread};
pub use rrsets::{RrSampler, RrSets};

use crate::{Csr, GraphError};
use coverage::{budgeted_max_cover, greedy_max_cover};

/// Settings of an influence maximization run.
#[derive(Clone, Debug, PartialEq)]
pub struct InfluenceOptions {
    pub model: DiffusionModel,
    /// Seeds to choose (ignored by the budgeted variant).
    pub k: usize,
    /// Target: a (1 - 1/e - ε)-approximation.
    pub epsilon: f64,
    /// Failure probability; `None` means 1/n.
    pub delta: Option<f64>,
    pub seed: u64,
}

impl Default for InfluenceOptions {
    fn default() -> InfluenceOptions {
        InfluenceOptions {
            model: DiffusionModel::default(),
            k: 50,
            epsilon: 0.1,
            delta: None,
            seed: 1,
        }
    }
}

/// Chosen seeds and what is known of their spread.
#[derive(Clone, Debug, PartialEq)]
pub struct InfluenceResult {
    /// Seeds in the order chosen.
    pub seeds: Vec<u32>,
    /// Total cost of the seeds (budgeted variant; otherwise the seed count).
    pub cost: f64,
    /// Unbiased estimate of the expected spread (nodes activated, seeds
    /// included), from the validation collection R2.
    pub spread: f64,
    /// Lower and upper confidence bounds on the seeds' spread (each holds
    /// with probability at least 1 - δ/3).
    pub spread_lower: f64,
    pub spread_upper: f64,
    /// Upper bound on the best achievable spread.
    pub optimum_upper: f64,
    /// spread_lower / optimum_upper: the approximation ratio certified.
    pub approximation: f64,
    /// Estimated marginal spread of each seed, in order (from R1).
    pub marginal_spread: Vec<f64>,
    /// RR sets drawn, both collections.
    pub rr_sets: u64,
    /// Node entries in those RR sets (memory is 4 bytes each, twice: sets
    /// and their inverse index).
    pub rr_entries: u64,
    pub rounds: usize,
    pub delta: f64,
    /// Budgeted variant: whether the best single node won.
    pub single_node_won: bool,
}

fn log_binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k.min(n));
    (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum()
}

/// OPIM-C's schedule: (initial size, final size, rounds, a = ln(3 rounds / δ)).
fn schedule(n: usize, k: usize, epsilon: f64, delta: f64) -> (usize, usize, usize, f64) {
    let e = std::f64::consts::E;
    let alpha = (6.0 / delta).ln().sqrt();
    let beta = ((1.0 - 1.0 / e) * (log_binomial(n, k) + (6.0 / delta).ln())).sqrt();
    let base = 2.0 * ((1.0 - 1.0 / e) * alpha + beta).powi(2);
    let max = base * n as f64 / (k as f64 * epsilon * epsilon);
    let first = base.ceil().max(1.0) as usize;
    let last = max.ceil().max(first as f64) as usize;
    let rounds = ((last as f64 / first as f64).log2().floor() as usize) + 1;
    let a = (3.0 * rounds as f64 / delta).ln();
    (first, last, rounds, a)
}

/// Lower confidence bound on a coverage count (OPIM-C, Lemma 4.2 form).
fn coverage_lower(count: f64, a: f64) -> f64 {
    ((count + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt()).powi(2) - a / 18.0
}

/// Upper confidence bound on a coverage count.
fn coverage_upper(count: f64, a: f64) -> f64 {
    ((count + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2)
}

fn check_common(inn: &Csr, opts: &InfluenceOptions) -> Result<f64, GraphError> {
    let n = inn.num_nodes();
    if n == 0 {
        return Err(GraphError::invalid(
            "influence maximization needs a non-empty graph",
        ));
    }
    if !(opts.epsilon > 0.0 && opts.epsilon < 1.0 - 1.0 / std::f64::consts::E) {
        return Err(GraphError::invalid("epsilon must be in (0, 1 - 1/e)"));
    }
    let delta = opts.delta.unwrap_or(1.0 / n as f64);
    if !(delta > 0.0 && delta < 1.0) {
        return Err(GraphError::invalid("delta must be in (0, 1)"));
    }
    opts.model.check(inn)?;
    Ok(delta)
}

/// Random stream offset of the validation collection R2.
const VALIDATION_STREAM: u64 = 0x9E37_79B9_7F4A_7C15;

/// What a selection on R1 gives the sampling loop.
struct Selection {
    seeds: Vec<u32>,
    cost: f64,
    /// Upper bound on the best coverage of R1 (a count of sets).
    upper_bound: f64,
    /// Sets of R1 covered after each seed (empty if not tracked).
    covered_after: Vec<u64>,
    single_node_won: bool,
}

/// OPIM-C's loop: grow R1 and R2 by doubling, select on R1, bound on R2,
/// stop when the certified ratio reaches `target` or the schedule ends.
fn sample_until_certified(
    inn: &Csr,
    opts: &InfluenceOptions,
    delta: f64,
    k_for_bound: usize,
    target: f64,
    select: impl Fn(&RrSets) -> Selection,
) -> InfluenceResult {
    let n = inn.num_nodes();
    let (first, last, rounds, a) = schedule(n, k_for_bound, opts.epsilon, delta);
    let sampler1 = RrSampler::new(inn, opts.model, opts.seed);
    let sampler2 = RrSampler::new(inn, opts.model, opts.seed ^ VALIDATION_STREAM);
    let (mut r1, mut r2) = (RrSets::new(), RrSets::new());
    let mut best_upper = f64::INFINITY;
    let mut round = 0;
    loop {
        round += 1;
        let size = (first << (round - 1).min(62)).min(last);
        sampler1.extend(&mut r1, size);
        sampler2.extend(&mut r2, size);
        let chosen = select(&r1);
        let mut is_seed = vec![false; n];
        chosen
            .seeds
            .iter()
            .for_each(|&v| is_seed[v as usize] = true);
        let covered2 = r2.covered_by(&is_seed) as f64;
        let scale = n as f64 / size as f64;
        let lower = coverage_lower(covered2, a).max(0.0);
        let upper_opt = coverage_upper(chosen.upper_bound, a);
        best_upper = best_upper.min(upper_opt * scale);
        let ratio = if upper_opt > 0.0 {
            lower / upper_opt
        } else {
            1.0
        };
        if ratio >= target || size >= last || round > rounds {
            let mut previous = 0u64;
            let marginal_spread = chosen
                .covered_after
                .iter()
                .map(|&c| {
                    let m = (c - previous) as f64 * scale;
                    previous = c;
                    m
                })
                .collect();
            return InfluenceResult {
                seeds: chosen.seeds,
                cost: chosen.cost,
                spread: covered2 * scale,
                spread_lower: lower * scale,
                spread_upper: coverage_upper(covered2, a) * scale,
                optimum_upper: best_upper,
                approximation: if best_upper > 0.0 {
                    (lower * scale / best_upper).min(1.0)
                } else {
                    1.0
                },
                marginal_spread,
                rr_sets: (r1.len() + r2.len()) as u64,
                rr_entries: (r1.total_size() + r2.total_size()) as u64,
                rounds: round,
                delta,
                single_node_won: chosen.single_node_won,
            };
        }
    }
}

/// Chooses `opts.k` seeds maximizing expected spread on the graph with
/// in-adjacency `inn` (OPIM-C; see the module docs).
pub fn maximize_influence(
    inn: &Csr,
    opts: &InfluenceOptions,
) -> Result<InfluenceResult, GraphError> {
    let delta = check_common(inn, opts)?;
    let n = inn.num_nodes();
    if opts.k == 0 || opts.k > n {
        return Err(GraphError::invalid(format!("k must be in 1..={n}")));
    }
    let target = 1.0 - 1.0 / std::f64::consts::E - opts.epsilon;
    Ok(sample_until_certified(
        inn,
        opts,
        delta,
        opts.k,
        target,
        |r1| {
            let greedy = greedy_max_cover(n, r1, opts.k);
            Selection {
                cost: greedy.seeds.len() as f64,
                seeds: greedy.seeds,
                upper_bound: greedy.upper_bound as f64,
                covered_after: greedy.covered_after,
                single_node_won: false,
            }
        },
    ))
}

/// Chooses seeds of total cost at most `budget` (cost-effective greedy on
/// RR coverage, or the best single node if that covers more), sampling as
/// OPIM-C does until the certified ratio reaches (1 - 1/√e) - ε, the
/// guarantee of this greedy (or the sample size bound is reached).
/// `costs` has one positive finite cost per node; `opts.k` is ignored.
pub fn maximize_influence_budgeted(
    inn: &Csr,
    costs: &[f64],
    budget: f64,
    opts: &InfluenceOptions,
) -> Result<InfluenceResult, GraphError> {
    let delta = check_common(inn, opts)?;
    let n = inn.num_nodes();
    if costs.len() != n {
        return Err(GraphError::invalid(format!(
            "{} costs for {n} nodes",
            costs.len()
        )));
    }
    if let Some(v) = costs.iter().position(|&c| !(c.is_finite() && c > 0.0)) {
        return Err(GraphError::invalid(format!(
            "cost of node {v} is not a positive number"
        )));
    }
    if !(budget.is_finite() && budget > 0.0) {
        return Err(GraphError::invalid("budget must be a positive number"));
    }
    // most nodes any affordable set can hold, for the union bound
    let mut sorted: Vec<f64> = costs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut sum = 0.0;
    let k_max = sorted
        .iter()
        .take_while(|&&c| {
            sum += c;
            sum <= budget
        })
        .count()
        .max(1);
    let target = 1.0 - (-0.5f64).exp() - opts.epsilon;
    Ok(sample_until_certified(
        inn,
        opts,
        delta,
        k_max,
        target,
        |r1| {
            let cover = budgeted_max_cover(n, r1, costs, budget);
            Selection {
                seeds: cover.seeds,
                cost: cover.cost,
                upper_bound: cover.upper_bound,
                covered_after: Vec::new(),
                single_node_won: cover.single_node_won,
            }
        },
    ))
}
