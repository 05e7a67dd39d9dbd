//! Reverse-reachable (RR) sets: the nodes that would have activated a random
//! root, sampled on the in-adjacency.
//!
//! Under IC an RR set is the set reached by a reverse BFS that keeps each
//! in-edge with its probability. Keeping "each of d in-edges with
//! probability p" is subset sampling: rather than d coin flips, the gaps
//! between kept edges are drawn from the geometric distribution (SUBSIM,
//! Guo et al. 2020), costing O(1 + kept) instead of O(d); for weighted
//! cascade that is about 2 draws per visited node whatever its in-degree.
//! It is used where p < 1/2; above that plain flips are as cheap. Under LT an
//! RR set is a reverse random walk that picks at most one in-neighbour per
//! step and stops at a node already in the set.
//!
//! RR set i is drawn from its own random stream (seed, i), so a collection
//! is the same whatever the thread count, and growing it keeps its prefix.

use super::model::{DiffusionModel, EdgeProbability};
use crate::Csr;
use crate::rng::Rng;
use rayon::prelude::*;
use std::sync::Mutex;

/// A collection of RR sets, concatenated.
#[derive(Clone, Debug, Default)]
pub struct RrSets {
    pub(crate) offsets: Vec<u64>,
    pub(crate) nodes: Vec<u32>,
}

impl RrSets {
    pub fn new() -> RrSets {
        RrSets {
            offsets: vec![0],
            nodes: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn set(&self, i: usize) -> &[u32] {
        &self.nodes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Total number of node entries over all sets.
    pub fn total_size(&self) -> usize {
        self.nodes.len()
    }

    /// Number of sets containing at least one node flagged in `is_seed`.
    pub fn covered_by(&self, is_seed: &[bool]) -> u64 {
        (0..self.len())
            .into_par_iter()
            .with_min_len(1024)
            .filter(|&i| self.set(i).iter().any(|&v| is_seed[v as usize]))
            .count() as u64
    }
}

/// Sets drawn per parallel task.
const SETS_PER_TASK: usize = 2048;

/// Per-thread visit marks: `mark[v] == stamp` means v is in the current set.
struct Marks {
    mark: Vec<u32>,
    stamp: u32,
}

impl Marks {
    fn next(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        self.stamp
    }
}

/// Draws RR sets on the in-adjacency `inn`.
pub struct RrSampler<'a> {
    inn: &'a Csr,
    model: DiffusionModel,
    seed: u64,
    /// ln(1 - p) per node for IC subset sampling (0 marks "flip coins").
    log_skip: Vec<f64>,
    marks: Vec<Mutex<Marks>>,
}

impl<'a> RrSampler<'a> {
    /// The model must have been checked against the graph.
    pub fn new(inn: &'a Csr, model: DiffusionModel, seed: u64) -> RrSampler<'a> {
        let n = inn.num_nodes();
        let log_skip = match model {
            DiffusionModel::IndependentCascade(_) => (0..n as u32)
                .into_par_iter()
                .map(|v| {
                    let d = inn.degree(v);
                    if d == 0 {
                        return 0.0;
                    }
                    let p = model.edge_probability(d);
                    if p < 0.5 { (-p).ln_1p() } else { 0.0 }
                })
                .collect(),
            DiffusionModel::LinearThreshold(_) => Vec::new(),
        };
        let threads = rayon::current_num_threads().max(1);
        let marks = (0..threads)
            .map(|_| {
                Mutex::new(Marks {
                    mark: vec![0; n],
                    stamp: 0,
                })
            })
            .collect();
        RrSampler {
            inn,
            model,
            seed,
            log_skip,
            marks,
        }
    }

    /// Appends sets `sets.len()..target` to `sets`.
    pub fn extend(&self, sets: &mut RrSets, target: usize) {
        let start = sets.len();
        if target <= start || self.inn.num_nodes() == 0 {
            return;
        }
        let tasks: Vec<(usize, usize)> = (start..target)
            .step_by(SETS_PER_TASK)
            .map(|a| (a, (a + SETS_PER_TASK).min(target)))
            .collect();
        let pieces: Vec<(Vec<u32>, Vec<u32>)> = tasks
            .par_iter()
            .map(|&(a, b)| {
                let slot = rayon::current_thread_index().unwrap_or(0) % self.marks.len();
                // each thread takes only its own slot; a poisoned one is still usable
                let mut marks = self.marks[slot].lock().unwrap_or_else(|e| e.into_inner());
                let mut sizes = Vec::with_capacity(b - a);
                let mut nodes = Vec::new();
                for i in a..b {
                    let before = nodes.len();
                    self.sample_one(i as u64, &mut marks, &mut nodes);
                    sizes.push((nodes.len() - before) as u32);
                }
                (sizes, nodes)
            })
            .collect();
        let added: usize = pieces.iter().map(|p| p.1.len()).sum();
        sets.nodes.reserve(added);
        sets.offsets.reserve(target - start);
        let mut end = *sets.offsets.last().unwrap_or(&0);
        for (sizes, nodes) in pieces {
            for s in sizes {
                end += s as u64;
                sets.offsets.push(end);
            }
            sets.nodes.extend_from_slice(&nodes);
        }
    }

    fn sample_one(&self, index: u64, marks: &mut Marks, out: &mut Vec<u32>) {
        let mut rng = Rng::stream(self.seed, index);
        let n = self.inn.num_nodes() as u32;
        let root = rng.below(n);
        let stamp = marks.next();
        let mark = &mut marks.mark;
        let start = out.len();
        out.push(root);
        mark[root as usize] = stamp;
        match self.model {
            DiffusionModel::IndependentCascade(_) => {
                let mut head = start;
                while head < out.len() {
                    let v = out[head];
                    head += 1;
                    let in_nbrs = self.inn.neighbors(v);
                    let d = in_nbrs.len();
                    if d == 0 {
                        continue;
                    }
                    let log_q = self.log_skip[v as usize];
                    if log_q != 0.0 {
                        // geometric gaps between kept in-edges
                        let mut pos = geometric(&mut rng, log_q);
                        while pos < d {
                            let u = in_nbrs[pos];
                            if mark[u as usize] != stamp {
                                mark[u as usize] = stamp;
                                out.push(u);
                            }
                            pos += 1 + geometric(&mut rng, log_q);
                        }
                    } else {
                        let p = self.model.edge_probability(d);
                        for &u in in_nbrs {
                            if mark[u as usize] != stamp && (p >= 1.0 || rng.next_f64() < p) {
                                mark[u as usize] = stamp;
                                out.push(u);
                            }
                        }
                    }
                }
            }
            DiffusionModel::LinearThreshold(prob) => {
                let mut v = root;
                loop {
                    let in_nbrs = self.inn.neighbors(v);
                    let d = in_nbrs.len();
                    if d == 0 {
                        break;
                    }
                    let pick = match prob {
                        EdgeProbability::WeightedCascade => rng.below(d as u32) as usize,
                        EdgeProbability::Uniform(p) => {
                            // in-neighbour i with probability p each; none with 1 - d p
                            let r = rng.next_f64();
                            let i = (r / p) as usize;
                            if p <= 0.0 || i >= d {
                                break;
                            }
                            i
                        }
                    };
                    let u = in_nbrs[pick];
                    if mark[u as usize] == stamp {
                        break;
                    }
                    mark[u as usize] = stamp;
                    out.push(u);
                    v = u;
                }
            }
        }
    }
}

/// Number of failures before the first success of a trial with failure
/// probability q = exp(log_q): floor(ln U / ln q), U uniform in (0, 1].
#[inline]
fn geometric(rng: &mut Rng, log_q: f64) -> usize {
    let u = 1.0 - rng.next_f64(); // in (0, 1]
    let g = u.ln() / log_q;
    if g >= usize::MAX as f64 {
        usize::MAX / 2
    } else {
        g as usize
    }
}
