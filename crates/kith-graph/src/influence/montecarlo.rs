//! Monte Carlo estimate of the expected spread of a seed set: simulate the
//! diffusion forward `runs` times (in parallel, run r on its own random
//! stream) and average the number of active nodes, seeds included.
//!
//! IC: each newly active u tries each out-neighbour v once with p(u, v).
//! LT is simulated through its live-edge form (Kempe et al. 2003): every
//! node keeps at most one in-edge, u with probability w(u, v) (drawn lazily,
//! once per run), and the active set is what the seeds reach on kept edges.

use super::model::{DiffusionModel, EdgeProbability};
use crate::csr::check_directions;
use crate::rng::Rng;
use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::sync::Mutex;

/// A Monte Carlo spread estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct SpreadEstimate {
    pub mean: f64,
    /// Standard error of the mean.
    pub std_error: f64,
    /// 95% confidence interval (normal approximation).
    pub ci95: (f64, f64),
    pub runs: u64,
}

struct Scratch {
    /// `active[v] == stamp`: v active in this run.
    active: Vec<u32>,
    /// LT: `chosen_at[v] == stamp`: v's kept in-edge was drawn this run,
    /// and `chosen[v]` is its source (u32::MAX: none).
    chosen_at: Vec<u32>,
    chosen: Vec<u32>,
    stamp: u32,
    queue: Vec<u32>,
}

/// Estimates the spread of `seeds` on the graph with out-adjacency `out`
/// and in-adjacency `inn`.
pub fn monte_carlo_spread(
    out: &Csr,
    inn: &Csr,
    model: DiffusionModel,
    seeds: &[u32],
    runs: u64,
    seed: u64,
) -> Result<SpreadEstimate, GraphError> {
    check_directions(out, inn)?;
    model.check(inn)?;
    let n = out.num_nodes();
    if let Some(&v) = seeds.iter().find(|&&v| v as usize >= n) {
        return Err(GraphError::invalid(format!(
            "seed {v} is not in the graph of {n} nodes"
        )));
    }
    if runs == 0 {
        return Err(GraphError::invalid("runs must be positive"));
    }
    // IC: fire when 32 random bits fall below p(v) * 2^32 (p = 1 always fires).
    let threshold: Vec<u64> = match model {
        DiffusionModel::IndependentCascade(_) => (0..n as u32)
            .into_par_iter()
            .map(|v| {
                let d = inn.degree(v);
                if d == 0 {
                    0
                } else {
                    (model.edge_probability(d) * 4_294_967_296.0).round() as u64
                }
            })
            .collect(),
        DiffusionModel::LinearThreshold(_) => Vec::new(),
    };
    let threads = rayon::current_num_threads().max(1);
    let pool: Vec<Mutex<Scratch>> = (0..threads)
        .map(|_| {
            Mutex::new(Scratch {
                active: vec![0; n],
                chosen_at: if matches!(model, DiffusionModel::LinearThreshold(_)) {
                    vec![0; n]
                } else {
                    Vec::new()
                },
                chosen: if matches!(model, DiffusionModel::LinearThreshold(_)) {
                    vec![0; n]
                } else {
                    Vec::new()
                },
                stamp: 0,
                queue: Vec::new(),
            })
        })
        .collect();
    let counts: Vec<u64> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let slot = rayon::current_thread_index().unwrap_or(0) % pool.len();
            // only this thread takes this slot; a poisoned slot is still usable
            let mut scratch = pool[slot].lock().unwrap_or_else(|e| e.into_inner());
            simulate(
                out,
                inn,
                model,
                &threshold,
                seeds,
                &mut Rng::stream(seed, r),
                &mut scratch,
            )
        })
        .collect();
    let mean = counts.iter().sum::<u64>() as f64 / runs as f64;
    let var = if runs > 1 {
        counts
            .iter()
            .map(|&c| (c as f64 - mean).powi(2))
            .sum::<f64>()
            / (runs - 1) as f64
    } else {
        0.0
    };
    let std_error = (var / runs as f64).sqrt();
    Ok(SpreadEstimate {
        mean,
        std_error,
        ci95: (mean - 1.96 * std_error, mean + 1.96 * std_error),
        runs,
    })
}

fn simulate(
    out: &Csr,
    inn: &Csr,
    model: DiffusionModel,
    threshold: &[u64],
    seeds: &[u32],
    rng: &mut Rng,
    s: &mut Scratch,
) -> u64 {
    s.stamp = s.stamp.wrapping_add(1);
    if s.stamp == 0 {
        s.active.iter_mut().for_each(|x| *x = 0);
        s.chosen_at.iter_mut().for_each(|x| *x = 0);
        s.stamp = 1;
    }
    let stamp = s.stamp;
    s.queue.clear();
    for &v in seeds {
        if s.active[v as usize] != stamp {
            s.active[v as usize] = stamp;
            s.queue.push(v);
        }
    }
    let mut head = 0;
    while head < s.queue.len() {
        let u = s.queue[head];
        head += 1;
        for &v in out.neighbors(u) {
            if s.active[v as usize] == stamp {
                continue;
            }
            let fires = match model {
                DiffusionModel::IndependentCascade(_) => {
                    (rng.next_u64() >> 32) < threshold[v as usize]
                }
                DiffusionModel::LinearThreshold(prob) => {
                    let d = inn.degree(v);
                    if s.chosen_at[v as usize] != stamp {
                        s.chosen_at[v as usize] = stamp;
                        let in_nbrs = inn.neighbors(v);
                        s.chosen[v as usize] = match prob {
                            EdgeProbability::WeightedCascade => {
                                in_nbrs[rng.below(d as u32) as usize]
                            }
                            EdgeProbability::Uniform(p) => {
                                let i = (rng.next_f64() / p) as usize;
                                if p > 0.0 && i < d {
                                    in_nbrs[i]
                                } else {
                                    u32::MAX
                                }
                            }
                        };
                    }
                    s.chosen[v as usize] == u
                }
            };
            if fires {
                s.active[v as usize] = stamp;
                s.queue.push(v);
            }
        }
    }
    s.queue.len() as u64
}
