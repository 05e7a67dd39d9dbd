//! The two node-moving phases: Leiden's fast local moving (also Louvain's
//! moving phase) and Leiden's refinement.
//!
//! Gains are in units of edge weight: moving node v (strength k_v) into
//! community c changes the modularity by (w(v, c) - γ k_v K_c / 2m) / m,
//! where w(v, c) is the weight between v and c and K_c the strength of c.

use super::weighted::WeightedGraph;
use crate::parallel::SharedMut;
use crate::rng::Rng;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Per-community accumulator of edge weight from the node being moved.
/// A weight of exactly 0 marks a community not yet seen: edge weights are
/// positive, except first-level self-loops, which callers skip.
pub(super) struct NeighborWeights {
    weight: Vec<f64>,
    pub touched: Vec<u32>,
}

impl NeighborWeights {
    pub fn new(n: usize) -> NeighborWeights {
        NeighborWeights {
            weight: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    #[inline]
    pub fn add(&mut self, c: u32, w: f64) {
        let slot = &mut self.weight[c as usize];
        if *slot == 0.0 {
            if w == 0.0 {
                return;
            }
            self.touched.push(c);
        }
        *slot += w;
    }

    #[inline]
    pub fn get(&self, c: u32) -> f64 {
        self.weight[c as usize]
    }

    pub fn clear(&mut self) {
        for &c in &self.touched {
            self.weight[c as usize] = 0.0;
        }
        self.touched.clear();
    }
}

/// One accumulator per rayon thread, so parallel loops need not allocate
/// an n-sized array per task.
pub(super) struct ScratchPool {
    slots: Vec<Mutex<NeighborWeights>>,
}

impl ScratchPool {
    pub fn new(n: usize) -> ScratchPool {
        let threads = rayon::current_num_threads().max(1);
        ScratchPool {
            slots: (0..threads)
                .map(|_| Mutex::new(NeighborWeights::new(n)))
                .collect(),
        }
    }

    /// Runs `f` with this thread's accumulator (left cleared by `f`).
    pub fn with<R>(&self, f: impl FnOnce(&mut NeighborWeights) -> R) -> R {
        let i = rayon::current_thread_index().unwrap_or(0) % self.slots.len();
        // Each thread only ever takes its own slot, so this never waits; a
        // poisoned slot (a panic elsewhere) is still a valid accumulator
        // once cleared.
        let mut guard = self.slots[i].lock().unwrap_or_else(|e| e.into_inner());
        guard.clear();
        f(&mut guard)
    }
}

/// A random permutation of `0..n`.
pub(super) fn shuffled(n: usize, rng: &mut Rng) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        order.swap(i, j);
    }
    order
}

/// Graphs with at least this many nodes are moved in parallel batches.
pub(super) const PARALLEL_MIN_NODES: usize = 16_384;
/// Nodes whose moves are computed against one frozen state. Fixed, so the
/// result does not depend on the thread count.
const BATCH: usize = 4096;
/// Sweeps of the batched moving before it stops regardless.
const MAX_SWEEPS: usize = 64;
/// A sweep raising modularity by less than this ends the batched moving.
const MIN_SWEEP_GAIN: f64 = 1e-6;

/// Community strengths and sizes, and the ids of empty communities.
struct CommunityTotals {
    strength: Vec<f64>,
    size: Vec<u32>,
    empty: Vec<u32>,
}

impl CommunityTotals {
    fn new(g: &WeightedGraph, part: &[u32]) -> CommunityTotals {
        let n = g.num_nodes();
        let mut strength = vec![0.0; n];
        let mut size = vec![0u32; n];
        for v in 0..n {
            strength[part[v] as usize] += g.strength[v];
            size[part[v] as usize] += 1;
        }
        let empty = (0..n as u32)
            .rev()
            .filter(|&c| size[c as usize] == 0)
            .collect();
        CommunityTotals {
            strength,
            size,
            empty,
        }
    }

    /// An empty community id (skipping ids refilled since they emptied).
    fn take_empty(&mut self) -> Option<u32> {
        while let Some(c) = self.empty.pop() {
            if self.size[c as usize] == 0 {
                return Some(c);
            }
        }
        None
    }

    fn shift(&mut self, from: u32, to: u32, k: f64) {
        self.strength[from as usize] -= k;
        self.size[from as usize] -= 1;
        if self.size[from as usize] == 0 {
            self.empty.push(from);
        }
        self.strength[to as usize] += k;
        self.size[to as usize] += 1;
    }
}

/// A node's best move: `target` None means "an empty community" (every
/// option loses and the node is not alone); `gain` is the improvement over
/// staying, in edge weight.
struct Move {
    target: Option<u32>,
    gain: f64,
}

/// Where node v should go given the current state (`Some(own)` to stay).
#[inline]
fn best_move(
    g: &WeightedGraph,
    v: u32,
    part: &[u32],
    totals: &CommunityTotals,
    scale: f64,
    acc: &mut NeighborWeights,
) -> Move {
    let own = part[v as usize];
    let kv = g.strength[v as usize];
    g.for_each_edge(v, |u, w| {
        if u != v {
            acc.add(part[u as usize], w);
        }
    });
    let stay = acc.get(own) - kv * (totals.strength[own as usize] - kv) * scale;
    let mut best = own;
    let mut best_gain = stay;
    for &c in &acc.touched {
        let gain = acc.get(c) - kv * totals.strength[c as usize] * scale;
        if gain > best_gain {
            best_gain = gain;
            best = c;
        }
    }
    acc.clear();
    // Alone, v would score 0: leave for an empty community if staying loses.
    if best_gain < 0.0 && totals.size[own as usize] > 1 {
        Move {
            target: None,
            gain: -stay,
        }
    } else {
        Move {
            target: Some(best),
            gain: best_gain - stay,
        }
    }
}

/// Local moving of every node to the neighbouring community of largest
/// modularity gain until no node moves; `part` holds community ids below n.
pub(super) fn move_nodes(g: &WeightedGraph, part: &mut [u32], resolution: f64, rng: &mut Rng) {
    // By size only, never by thread count, so results do not depend on it.
    if g.num_nodes() >= PARALLEL_MIN_NODES {
        move_nodes_batched(g, part, resolution, rng)
    } else {
        move_nodes_queue(g, part, resolution, rng)
    }
}

/// Leiden's fast local moving: visits nodes from a queue (initially all, in
/// random order) and re-queues the neighbours of a moved node that are
/// outside its new community.
fn move_nodes_queue(g: &WeightedGraph, part: &mut [u32], resolution: f64, rng: &mut Rng) {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    let mut totals = CommunityTotals::new(g, part);
    let mut queue: VecDeque<u32> = shuffled(n, rng).into();
    let mut queued = vec![true; n];
    let mut acc = NeighborWeights::new(n);
    while let Some(v) = queue.pop_front() {
        queued[v as usize] = false;
        let own = part[v as usize];
        let target = match best_move(g, v, part, &totals, scale, &mut acc).target {
            Some(c) => c,
            None => totals.take_empty().unwrap_or(own),
        };
        if target != own {
            totals.shift(own, target, g.strength[v as usize]);
            part[v as usize] = target;
            g.for_each_edge(v, |u, _| {
                if !queued[u as usize] && part[u as usize] != target {
                    queued[u as usize] = true;
                    queue.push_back(u);
                }
            });
        }
    }
}

/// The same moves in parallel: sweeps over the nodes in random order, in
/// batches of `BATCH` whose best moves are computed in parallel against the
/// state before the batch, then applied in order; a node with a neighbour
/// that moved earlier in its batch has its move recomputed on the spot, so
/// neighbours never act on stale views of each other. Only nodes with a
/// neighbour that moved since their last visit are visited again; sweeps
/// stop when one raises modularity by less than `MIN_SWEEP_GAIN`.
fn move_nodes_batched(g: &WeightedGraph, part: &mut [u32], resolution: f64, rng: &mut Rng) {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    let mut totals = CommunityTotals::new(g, part);
    let order = shuffled(n, rng);
    let mut active = vec![true; n];
    let mut dirty = vec![false; n];
    let mut dirtied: Vec<u32> = Vec::new();
    let mut acc = NeighborWeights::new(n);
    let pool = ScratchPool::new(n);
    for _ in 0..MAX_SWEEPS {
        let mut sweep_gain = 0.0;
        for batch in order.chunks(BATCH) {
            let visit: Vec<u32> = batch
                .iter()
                .copied()
                .filter(|&v| std::mem::take(&mut active[v as usize]))
                .collect();
            if visit.is_empty() {
                continue;
            }
            let frozen: &[u32] = part;
            let totals_ref = &totals;
            let choices: Vec<Move> = visit
                .par_chunks(64)
                .flat_map_iter(|chunk| {
                    pool.with(|acc| {
                        chunk
                            .iter()
                            .map(|&v| best_move(g, v, frozen, totals_ref, scale, acc))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for (&v, choice) in visit.iter().zip(choices) {
                let choice = if dirty[v as usize] {
                    best_move(g, v, part, &totals, scale, &mut acc)
                } else {
                    choice
                };
                let own = part[v as usize];
                let target = match choice.target {
                    Some(c) => c,
                    None if totals.size[own as usize] > 1 => totals.take_empty().unwrap_or(own),
                    None => own,
                };
                if target != own {
                    sweep_gain += choice.gain;
                    totals.shift(own, target, g.strength[v as usize]);
                    part[v as usize] = target;
                    g.for_each_edge(v, |u, _| {
                        let ui = u as usize;
                        if !dirty[ui] {
                            dirty[ui] = true;
                            dirtied.push(u);
                        }
                        if part[ui] != target {
                            active[ui] = true;
                        }
                    });
                }
            }
            for u in dirtied.drain(..) {
                dirty[u as usize] = false;
            }
        }
        // gains are in edge weight; modularity moves by 2 * gain / total
        if 2.0 * sweep_gain / g.total < MIN_SWEEP_GAIN {
            break;
        }
    }
}

/// Leiden's refinement: inside each community of `part` (ids below
/// `num_parts`), starting from singletons, merges each well-connected
/// singleton node into a well-connected sub-community of non-negative gain,
/// chosen at random with probability proportional to exp(gain /
/// randomness). Communities are refined independently and in parallel,
/// each with its own random stream of `seed`. Returns the refined partition
/// (sub-community ids are node ids).
pub(super) fn refine(
    g: &WeightedGraph,
    part: &[u32],
    num_parts: usize,
    resolution: f64,
    randomness: f64,
    seed: u64,
) -> Vec<u32> {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    // members of each community, by counting sort
    let mut start = vec![0usize; num_parts + 1];
    for &c in part {
        start[c as usize + 1] += 1;
    }
    for i in 0..num_parts {
        start[i + 1] += start[i];
    }
    let mut members = vec![0u32; n];
    let mut fill = start.clone();
    for (v, &c) in part.iter().enumerate() {
        members[fill[c as usize]] = v as u32;
        fill[c as usize] += 1;
    }
    drop(fill);
    let community_strength: Vec<f64> = (0..num_parts)
        .into_par_iter()
        .map(|c| {
            members[start[c]..start[c + 1]]
                .iter()
                .map(|&v| g.strength[v as usize])
                .sum()
        })
        .collect();
    let mut refined: Vec<u32> = (0..n as u32).collect();
    let mut sub_strength = g.strength.clone();
    let mut sub_size = vec![1u32; n];
    // weight from each sub-community to the rest of its community
    let mut external: Vec<f64> = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let mut w_in = 0.0;
            g.for_each_edge(v, |u, w| {
                if u != v && part[u as usize] == part[v as usize] {
                    w_in += w;
                }
            });
            w_in
        })
        .collect();

    let shared = (
        SharedMut::new(&mut refined),
        SharedMut::new(&mut sub_strength),
        SharedMut::new(&mut sub_size),
        SharedMut::new(&mut external),
    );
    let pool = ScratchPool::new(n);
    (0..num_parts).into_par_iter().for_each(|c| {
        let group = &members[start[c]..start[c + 1]];
        if group.len() < 2 {
            return;
        }
        // SAFETY: this task reads and writes only entries of nodes in
        // community c (sub-community ids are ids of members of c), and the
        // communities are disjoint.
        let (refined, sub_strength, sub_size, external) = unsafe {
            (
                shared.0.slice_mut(0, n),
                shared.1.slice_mut(0, n),
                shared.2.slice_mut(0, n),
                shared.3.slice_mut(0, n),
            )
        };
        let mut rng = Rng::stream(seed, c as u64);
        let mut order = group.to_vec();
        for i in (1..order.len()).rev() {
            let j = rng.below(i as u32 + 1) as usize;
            order.swap(i, j);
        }
        pool.with(|acc| {
            refine_community(
                g,
                part,
                c as u32,
                &order,
                community_strength[c],
                scale,
                randomness,
                &mut rng,
                acc,
                refined,
                sub_strength,
                sub_size,
                external,
            )
        });
    });
    refined
}

#[allow(clippy::too_many_arguments)]
fn refine_community(
    g: &WeightedGraph,
    part: &[u32],
    c: u32,
    order: &[u32],
    k_comm: f64,
    scale: f64,
    randomness: f64,
    rng: &mut Rng,
    acc: &mut NeighborWeights,
    refined: &mut [u32],
    sub_strength: &mut [f64],
    sub_size: &mut [u32],
    external: &mut [f64],
) {
    let well_connected = |ext: f64, k: f64| ext >= k * (k_comm - k) * scale;
    let mut options: Vec<(u32, f64)> = Vec::new();
    for &v in order {
        let vi = v as usize;
        let kv = g.strength[vi];
        if sub_size[vi] != 1 || refined[vi] != v || !well_connected(external[vi], kv) {
            continue;
        }
        g.for_each_edge(v, |u, w| {
            if u != v && part[u as usize] == c {
                acc.add(refined[u as usize], w);
            }
        });
        options.clear();
        options.push((v, 0.0)); // staying alone
        let mut best = 0.0f64;
        for &s in &acc.touched {
            let si = s as usize;
            if !well_connected(external[si], sub_strength[si]) {
                continue;
            }
            let gain = acc.get(s) - kv * sub_strength[si] * scale;
            if gain >= 0.0 {
                options.push((s, gain));
                best = best.max(gain);
            }
        }
        let chosen = if options.len() == 1 {
            v
        } else {
            let total: f64 = options
                .iter()
                .map(|&(_, gain)| ((gain - best) / randomness).exp())
                .sum();
            let mut r = rng.next_f64() * total;
            let mut pick = options[options.len() - 1].0;
            for &(s, gain) in &options {
                r -= ((gain - best) / randomness).exp();
                if r <= 0.0 {
                    pick = s;
                    break;
                }
            }
            pick
        };
        if chosen != v {
            let w_vs = acc.get(chosen);
            let si = chosen as usize;
            external[si] = external[si] + external[vi] - 2.0 * w_vs;
            sub_strength[si] += kv;
            sub_size[si] += 1;
            sub_size[vi] = 0;
            refined[vi] = chosen;
        }
        acc.clear();
    }
}
