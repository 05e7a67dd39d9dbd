//! Maximum coverage over RR sets: the greedy choice of seeds and the upper
//! bounds on the best possible coverage that OPIM-C's stopping rule needs.
//!
//! Coverage of a node = number of not yet covered RR sets containing it.
//! It only decreases as seeds are added, so a max-heap with lazily
//! refreshed entries (CELF) finds the largest current values.

use super::rrsets::RrSets;
use rayon::prelude::*;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// For each node, the RR sets that contain it (the inverse of `RrSets`).
pub(crate) struct SetsOfNode {
    offsets: Vec<u64>,
    sets: Vec<u32>,
}

impl SetsOfNode {
    pub fn build(n: usize, rr: &RrSets) -> SetsOfNode {
        let mut counts = vec![0u64; n + 1];
        for &v in &rr.nodes {
            counts[v as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut sets = vec![0u32; rr.nodes.len()];
        for i in 0..rr.len() {
            for &v in rr.set(i) {
                sets[fill[v as usize] as usize] = i as u32;
                fill[v as usize] += 1;
            }
        }
        SetsOfNode {
            offsets: counts,
            sets,
        }
    }

    fn of(&self, v: u32) -> &[u32] {
        &self.sets[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }
}

/// Greedy max coverage with the coverage bookkeeping shared by the plain
/// and budgeted variants.
struct CoverageState<'a> {
    rr: &'a RrSets,
    index: &'a SetsOfNode,
    coverage: Vec<u32>,
    covered: Vec<bool>,
    covered_count: u64,
}

impl<'a> CoverageState<'a> {
    fn new(rr: &'a RrSets, index: &'a SetsOfNode, n: usize) -> CoverageState<'a> {
        let coverage = (0..n as u32)
            .into_par_iter()
            .map(|v| index.of(v).len() as u32)
            .collect();
        CoverageState {
            rr,
            index,
            coverage,
            covered: vec![false; rr.len()],
            covered_count: 0,
        }
    }

    fn take(&mut self, v: u32) {
        for &s in self.index.of(v) {
            if !self.covered[s as usize] {
                self.covered[s as usize] = true;
                self.covered_count += 1;
                for &u in self.rr.set(s as usize) {
                    self.coverage[u as usize] -= 1;
                }
            }
        }
        debug_assert_eq!(self.coverage[v as usize], 0);
    }
}

/// The outcome of greedy max coverage on one collection.
#[derive(Clone, Debug)]
pub(crate) struct GreedyCover {
    pub seeds: Vec<u32>,
    /// Sets covered after each seed.
    pub covered_after: Vec<u64>,
    /// Smallest upper bound on the coverage of the best k nodes found
    /// along the way: min over steps i of cov(S_i) + the k largest
    /// marginal coverages at step i (OPIM-C's tightened bound).
    pub upper_bound: u64,
}

/// Heap entry for coverage: larger coverage first, then smaller node id.
type Entry = (u32, Reverse<u32>);

/// Greedy selection of `k` nodes on `rr` (n nodes).
pub(crate) fn greedy_max_cover(n: usize, rr: &RrSets, k: usize) -> GreedyCover {
    let index = SetsOfNode::build(n, rr);
    let mut state = CoverageState::new(rr, &index, n);
    let mut heap: BinaryHeap<Entry> = (0..n as u32)
        .filter(|&v| state.coverage[v as usize] > 0)
        .map(|v| (state.coverage[v as usize], Reverse(v)))
        .collect();
    let mut seeds = Vec::with_capacity(k);
    let mut covered_after = Vec::with_capacity(k);
    let mut upper_bound = u64::MAX;
    let mut top: Vec<Entry> = Vec::with_capacity(k);
    loop {
        // the k largest current coverages (refreshing stale entries)
        top.clear();
        while top.len() < k {
            let Some((c, Reverse(v))) = heap.pop() else {
                break;
            };
            let now = state.coverage[v as usize];
            if now == c {
                top.push((c, Reverse(v)));
            } else if now > 0 {
                heap.push((now, Reverse(v)));
            }
        }
        let top_sum: u64 = top.iter().map(|&(c, _)| c as u64).sum();
        upper_bound = upper_bound.min(state.covered_count + top_sum);
        if seeds.len() == k || top.is_empty() {
            break;
        }
        let (_, Reverse(best)) = top[0];
        for &e in &top[1..] {
            heap.push(e);
        }
        state.take(best);
        seeds.push(best);
        covered_after.push(state.covered_count);
    }
    // With every set covered before k picks, fill with the smallest ids not
    // chosen (they add nothing, but callers asked for k seeds).
    if seeds.len() < k {
        let chosen: rustc_hash::FxHashSet<u32> = seeds.iter().copied().collect();
        for v in 0..n as u32 {
            if seeds.len() == k {
                break;
            }
            if !chosen.contains(&v) {
                seeds.push(v);
                covered_after.push(state.covered_count);
            }
        }
    }
    GreedyCover {
        seeds,
        covered_after,
        upper_bound,
    }
}

/// An `f64` key with a total order, for heaps.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The outcome of budgeted max coverage.
#[derive(Clone, Debug)]
pub(crate) struct BudgetedCover {
    pub seeds: Vec<u32>,
    pub cost: f64,
    /// Whether the best single node beat the cost-effective greedy.
    pub single_node_won: bool,
    /// Upper bound on the coverage of any set within budget: min over
    /// greedy steps of cov(S_i) + the fractional knapsack of marginal
    /// coverages per cost within the budget (valid by submodularity).
    pub upper_bound: f64,
}

/// Cost-effective greedy (largest marginal coverage per unit cost that
/// still fits) against the best single affordable node, keeping the better
/// (Khuller, Moss and Naor 1999). `costs` are positive and finite.
pub(crate) fn budgeted_max_cover(
    n: usize,
    rr: &RrSets,
    costs: &[f64],
    budget: f64,
) -> BudgetedCover {
    let index = SetsOfNode::build(n, rr);
    let mut state = CoverageState::new(rr, &index, n);
    let affordable = |v: u32| costs[v as usize] <= budget;
    // best single node: largest coverage among affordable nodes
    let single = (0..n as u32)
        .filter(|&v| affordable(v) && state.coverage[v as usize] > 0)
        .max_by(|&a, &b| {
            state.coverage[a as usize]
                .cmp(&state.coverage[b as usize])
                .then(b.cmp(&a))
        });
    let single_cover = single.map_or(0, |v| state.coverage[v as usize] as u64);

    let ratio = |c: u32, v: u32| c as f64 / costs[v as usize];
    let mut heap: BinaryHeap<(Key, Reverse<u32>)> = (0..n as u32)
        .filter(|&v| affordable(v) && state.coverage[v as usize] > 0)
        .map(|v| (Key(ratio(state.coverage[v as usize], v)), Reverse(v)))
        .collect();
    let mut seeds = Vec::new();
    let mut spent = 0.0;
    let mut upper_bound = f64::INFINITY;
    let mut valid: Vec<(Key, Reverse<u32>)> = Vec::new();
    loop {
        // Pop entries by decreasing current ratio, refreshing stale ones,
        // until the budget is filled fractionally: that is the bound; the
        // first that fits the remaining budget is the greedy pick.
        valid.clear();
        let mut knapsack = 0.0;
        let mut room = budget;
        let mut pick: Option<u32> = None;
        while let Some((Key(r), Reverse(v))) = heap.pop() {
            let now = state.coverage[v as usize];
            if now == 0 {
                continue;
            }
            let current = ratio(now, v);
            if current != r {
                heap.push((Key(current), Reverse(v)));
                continue;
            }
            valid.push((Key(r), Reverse(v)));
            let c = costs[v as usize];
            if pick.is_none() && spent + c <= budget {
                pick = Some(v);
            }
            if room > 0.0 {
                let used = c.min(room);
                knapsack += now as f64 * used / c;
                room -= used;
            }
            if room <= 0.0 && pick.is_some() {
                break;
            }
        }
        upper_bound = upper_bound.min(state.covered_count as f64 + knapsack);
        for &e in &valid {
            if Some(e.1.0) != pick {
                heap.push(e);
            }
        }
        let Some(v) = pick else { break };
        state.take(v);
        spent += costs[v as usize];
        seeds.push(v);
    }
    if single_cover > state.covered_count {
        let v = single.unwrap_or(0);
        BudgetedCover {
            seeds: vec![v],
            cost: costs[v as usize],
            single_node_won: true,
            upper_bound,
        }
    } else {
        BudgetedCover {
            seeds,
            cost: spent,
            single_node_won: false,
            upper_bound,
        }
    }
}
