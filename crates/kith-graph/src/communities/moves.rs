//! The two node-moving phases: Leiden's fast local moving (also Louvain's
//! moving phase) and Leiden's refinement.
//!
//! Gains are in units of edge weight: moving node v (strength k_v) into
//! community c changes the modularity by (w(v, c) - γ k_v K_c / 2m) / m,
//! where w(v, c) is the weight between v and c and K_c the strength of c.

use super::weighted::{EdgeWeight, WeightedGraph};
use crate::csr::Members;
use crate::parallel::SharedMut;
use crate::rng::Rng;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Per-community accumulator of edge weight from the node being moved.
/// A weight of exactly 0 marks a community not yet seen: edge weights are
/// positive, except first-level self-loops, which weigh 0 and so add
/// nothing and list nothing.
///
/// The list of communities seen is written without a branch (the id is
/// always stored, and the length grows only for a new one), since which
/// neighbour brings a new community is unpredictable and the mispredicted
/// branch cost more than the memory access on large graphs.
pub(super) struct NeighborWeights {
    weight: Vec<f64>,
    /// Edge counts, for unweighted graphs (every pass's first level): half
    /// the bytes of `weight`, so more of the randomly accessed array stays
    /// in cache, and an integer add instead of a float one in the chain
    /// through memory when neighbours share a community.
    count: Vec<u32>,
    /// Whether the edges since the last clear were counted in `count`.
    counting: bool,
    /// `n + 1` slots: at most n communities can be seen.
    list: Vec<u32>,
    len: usize,
    /// Whether [`NeighborWeights::add_edges`] prefetches the community of
    /// the target `PREFETCH_DISTANCE` entries on (large graphs, whose
    /// per-node arrays are far larger than the cache).
    prefetch: bool,
}

/// How many entries ahead in a list `add_edges` prefetches a target's
/// community: as for k-core's counts, far enough for a load from L3 or
/// memory to arrive.
const PREFETCH_DISTANCE: usize = 32;

impl NeighborWeights {
    pub fn new(n: usize, prefetch: bool) -> NeighborWeights {
        NeighborWeights {
            weight: vec![0.0; n],
            count: vec![0; n],
            counting: false,
            list: vec![0; n + 1],
            len: 0,
            prefetch,
        }
    }

    #[inline]
    pub fn get(&self, c: u32) -> f64 {
        if self.counting {
            self.count[c as usize] as f64
        } else {
            self.weight[c as usize]
        }
    }

    /// The communities seen since the last clear, in first-seen order.
    #[inline]
    pub fn touched(&self) -> &[u32] {
        &self.list[..self.len]
    }

    /// Adds the weight of each edge (to `targets[i]`, weighing `weights[i]`,
    /// or 1 without weights) to the community `part` gives its target, over
    /// a whole adjacency, with the list length kept in a register (kept in
    /// `self`, it made a store-to-load chain through memory on every edge).
    #[inline]
    pub fn add_edges(&mut self, targets: &[u32], weights: Option<&[EdgeWeight]>, part: &[u32]) {
        self.counting = weights.is_none();
        let mut len = self.len;
        let list = &mut self.list[..];
        match (weights, self.prefetch) {
            (None, false) => {
                tally_targets::<_, false>(&mut self.count, list, &mut len, targets, part, |_| 1)
            }
            (None, true) => {
                tally_targets::<_, true>(&mut self.count, list, &mut len, targets, part, |_| 1)
            }
            (Some(ws), prefetch) => {
                let ws = &ws[..targets.len()];
                let weight = |i: usize| ws[i] as f64;
                let slots = &mut self.weight;
                if prefetch {
                    tally_targets::<_, true>(slots, list, &mut len, targets, part, weight)
                } else {
                    tally_targets::<_, false>(slots, list, &mut len, targets, part, weight)
                }
            }
        }
        self.len = len;
    }

    /// Adds the weight of each edge whose target u has `part[u] == c` to
    /// the entry `ids[u]`, like [`NeighborWeights::add_edges`]; `ids` is read
    /// only at such targets.
    #[inline]
    pub fn add_edges_within(
        &mut self,
        targets: &[u32],
        weights: Option<&[EdgeWeight]>,
        part: &[u32],
        c: u32,
        ids: &[u32],
    ) {
        self.counting = weights.is_none();
        let mut len = self.len;
        let list = &mut self.list[..];
        match weights {
            None => {
                for &u in targets {
                    if part[u as usize] == c {
                        tally(&mut self.count, list, &mut len, ids[u as usize], 1);
                    }
                }
            }
            Some(ws) => {
                for (&u, &w) in targets.iter().zip(ws) {
                    if part[u as usize] == c {
                        tally(&mut self.weight, list, &mut len, ids[u as usize], w as f64);
                    }
                }
            }
        }
        self.len = len;
    }

    pub fn clear(&mut self) {
        let seen = &self.list[..self.len];
        if self.counting {
            seen.iter().for_each(|&c| self.count[c as usize] = 0);
        } else {
            seen.iter().for_each(|&c| self.weight[c as usize] = 0.0);
        }
        self.len = 0;
    }
}

/// Adds `w` to `slots[id]` and lists `id` if its slot was empty, without a
/// branch (see [`NeighborWeights`]); a weight of 0 lists nothing. One body
/// for edge counts (u32) and weights (f64), on every edge of the moving,
/// refinement and aggregation phases.
#[inline(always)]
fn tally<T: Copy + PartialEq + Default + std::ops::AddAssign>(
    slots: &mut [T],
    list: &mut [u32],
    len: &mut usize,
    id: u32,
    w: T,
) {
    let slot = &mut slots[id as usize];
    list[*len] = id;
    *len += (*slot == T::default() && w != T::default()) as usize;
    *slot += w;
}

/// [`tally`]s the community `part` gives each of `targets`, with weight
/// `weight(i)` for the i-th. With PREFETCH, the community of the target
/// `PREFETCH_DISTANCE` entries on is requested early: on R-MAT scale 22
/// (2.4M nodes with edges) `part` is 9.6 MB read at random, mostly along
/// hubs' long lists, and the hardware keeps only so many misses in flight
/// on its own.
#[inline(always)]
fn tally_targets<T: Copy + PartialEq + Default + std::ops::AddAssign, const PREFETCH: bool>(
    slots: &mut [T],
    list: &mut [u32],
    len: &mut usize,
    targets: &[u32],
    part: &[u32],
    weight: impl Fn(usize) -> T,
) {
    for (i, &u) in targets.iter().enumerate() {
        if PREFETCH && let Some(&ahead) = targets.get(i + PREFETCH_DISTANCE) {
            crate::parallel::prefetch(&part[ahead as usize]);
        }
        tally(slots, list, len, part[u as usize], weight(i));
    }
}

/// One accumulator per rayon thread, so parallel loops need not allocate
/// an n-sized array per task. One pool serves a whole run (every level and
/// pass): ids never exceed the first level's node count, and a fresh n-sized
/// array per level or per task was paid in page faults (on ego-twitter a
/// third of the process's time went to the kernel zeroing pages).
pub(super) struct ScratchPool {
    slots: Vec<Mutex<NeighborWeights>>,
}

impl ScratchPool {
    /// Accumulators for ids below `n`; `prefetch` as in
    /// [`NeighborWeights::new`].
    pub fn new(n: usize, prefetch: bool) -> ScratchPool {
        let threads = rayon::current_num_threads().max(1);
        ScratchPool {
            slots: (0..threads)
                .map(|_| Mutex::new(NeighborWeights::new(n, prefetch)))
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
/// Nodes per parallel task inside a batch.
const CHUNK: usize = 64;
/// Sweeps of the batched moving before it stops regardless.
const MAX_SWEEPS: usize = 64;
/// A sweep raising modularity by less than this ends the batched moving.
const MIN_SWEEP_GAIN: f64 = 1e-6;
/// A sweep gaining less than this share of its level's gain so far ends it.
const RELATIVE_SWEEP_GAIN: f64 = 0.01;

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

    /// Renumbers the communities densely in order of first appearance in
    /// `part` (`map` is scratch of n entries), carrying their totals over
    /// unchanged. After the first sweeps there are far fewer communities than
    /// nodes, and with small ids the per-community arrays the moving reads at
    /// random (strengths, each thread's accumulator) stay in cache: on large
    /// graphs those reads, mostly from high-degree nodes revisited every
    /// sweep, were most of the time.
    fn compact(&mut self, part: &mut [u32], map: &mut [u32]) {
        map.fill(u32::MAX);
        let mut next = 0u32;
        for p in part.iter_mut() {
            let slot = &mut map[*p as usize];
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *p = *slot;
        }
        let mut strength = vec![0.0; self.strength.len()];
        let mut size = vec![0u32; self.size.len()];
        for (c, &to) in map.iter().enumerate() {
            if to != u32::MAX {
                strength[to as usize] = self.strength[c];
                size[to as usize] = self.size[c];
            }
        }
        self.strength = strength;
        self.size = size;
        self.empty = (next..part.len() as u32).rev().collect();
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
    // a self-loop of the first level weighs 0 and adds nothing
    let (targets, weights) = g.edges(v);
    acc.add_edges(targets, weights, part);
    let stay = acc.get(own) - kv * (totals.strength[own as usize] - kv) * scale;
    let mut best = own;
    let mut best_gain = stay;
    for &c in acc.touched() {
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
pub(super) fn move_nodes(
    g: &WeightedGraph,
    part: &mut [u32],
    resolution: f64,
    rng: &mut Rng,
    pool: &ScratchPool,
) {
    // By size only, never by thread count, so results do not depend on it.
    if g.num_nodes() >= PARALLEL_MIN_NODES {
        move_nodes_batched(g, part, resolution, rng, pool)
    } else {
        // runs on this thread, with no parallel work inside that could want
        // the same slot
        pool.with(|acc| move_nodes_queue(g, part, resolution, rng, acc))
    }
}

/// Leiden's fast local moving: visits nodes from a queue (initially all, in
/// random order) and re-queues the neighbours of a moved node that are
/// outside its new community.
fn move_nodes_queue(
    g: &WeightedGraph,
    part: &mut [u32],
    resolution: f64,
    rng: &mut Rng,
    acc: &mut NeighborWeights,
) {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    let mut totals = CommunityTotals::new(g, part);
    let mut queue: VecDeque<u32> = shuffled(n, rng).into();
    let mut queued = vec![true; n];
    while let Some(v) = queue.pop_front() {
        queued[v as usize] = false;
        let own = part[v as usize];
        let target = match best_move(g, v, part, &totals, scale, acc).target {
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

/// The same moves in parallel, in the manner of NetworKit's PLM but
/// deterministic. A sweep visits the nodes that are active at its start (all
/// at first), in one random order, in batches of `BATCH`: each batch's best
/// moves are computed in parallel against the state before the batch, then
/// applied in order, which is O(1) a node. A decision made on a stale view is
/// dropped rather than recomputed where it is plainly wrong: a target that
/// emptied earlier in the batch, or a singleton joining another singleton of
/// larger id (two neighbouring singletons would otherwise swap communities
/// and gain nothing). The neighbours of moved nodes outside their new
/// community are then marked active in parallel (an idempotent flag, so the
/// result does not depend on the schedule) and are visited in a later sweep,
/// which also fixes any move that a stale view made worse. Sweeps stop when
/// one raises modularity (by the gains estimated) by less than
/// `MIN_SWEEP_GAIN`. Nothing depends on the thread count.
fn move_nodes_batched(
    g: &WeightedGraph,
    part: &mut [u32],
    resolution: f64,
    rng: &mut Rng,
    pool: &ScratchPool,
) {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    let mut totals = CommunityTotals::new(g, part);
    let order = shuffled(n, rng);
    let active: Vec<AtomicBool> = (0..n).map(|_| AtomicBool::new(true)).collect();
    let mut choices: Vec<Move> = (0..BATCH)
        .map(|_| Move {
            target: None,
            gain: 0.0,
        })
        .collect();
    let mut moved: Vec<(u32, u32)> = Vec::with_capacity(BATCH);
    let mut map = vec![0u32; n];
    let mut level_gain = 0.0;
    for _ in 0..MAX_SWEEPS {
        // Each node appears once in `order`, so the swaps never race.
        let visit: Vec<u32> = order
            .par_iter()
            .copied()
            .filter(|&v| active[v as usize].swap(false, Ordering::Relaxed))
            .collect();
        if visit.is_empty() {
            break;
        }
        let mut sweep_gain = 0.0;
        for batch in visit.chunks(BATCH) {
            let frozen: &[u32] = part;
            let totals_ref = &totals;
            let choose = || {
                choices[..batch.len()]
                    .par_chunks_mut(CHUNK)
                    .zip(batch.par_chunks(CHUNK))
                    .for_each(|(out, nodes)| {
                        pool.with(|acc| {
                            for (i, (slot, &v)) in out.iter_mut().zip(nodes).enumerate() {
                                g.prefetch_ahead(nodes, i);
                                *slot = best_move(g, v, frozen, totals_ref, scale, acc);
                            }
                        })
                    })
            };
            // The last batch's neighbours are marked active in the same
            // parallel call: they are compared with the state this batch is
            // frozen at, and the flags are read only when the next sweep
            // starts. One call a batch instead of two, each waking the
            // other threads (on ego-twitter a batch is about 0.2 ms).
            rayon::join(choose, || activate(g, &moved, frozen, &active));
            moved.clear();
            for (&v, choice) in batch.iter().zip(&choices) {
                let own = part[v as usize];
                let target = match choice.target {
                    Some(c) if c == own => continue,
                    // emptied earlier in this batch: the gain counted its members
                    Some(c) if totals.size[c as usize] == 0 => continue,
                    Some(c)
                        if totals.size[own as usize] == 1
                            && totals.size[c as usize] == 1
                            && c > own =>
                    {
                        continue;
                    }
                    Some(c) => c,
                    None if totals.size[own as usize] > 1 => match totals.take_empty() {
                        Some(c) => c,
                        None => continue,
                    },
                    None => continue,
                };
                sweep_gain += choice.gain;
                totals.shift(own, target, g.strength[v as usize]);
                part[v as usize] = target;
                moved.push((v, target));
            }
        }
        // before the ids are compacted
        activate(g, &moved, part, &active);
        moved.clear();
        totals.compact(part, &mut map);
        // Gains are in edge weight; modularity moves by 2 * gain / total.
        // Late sweeps revisit mostly high-degree nodes (any neighbour's move
        // reactivates them) for little gain: stop once a sweep adds less
        // than `RELATIVE_SWEEP_GAIN` of what this level has gained so far.
        level_gain += sweep_gain;
        if 2.0 * sweep_gain / g.total < MIN_SWEEP_GAIN
            || sweep_gain < RELATIVE_SWEEP_GAIN * level_gain
        {
            break;
        }
    }
}

/// Marks active the neighbours of each moved node (with its new community)
/// that lie outside that community in `part`; an idempotent flag, so the
/// result does not depend on the schedule.
fn activate(g: &WeightedGraph, moved: &[(u32, u32)], part: &[u32], active: &[AtomicBool]) {
    moved.par_chunks(CHUNK).for_each(|chunk| {
        for &(v, target) in chunk {
            g.for_each_edge(v, |u, _| {
                if part[u as usize] != target {
                    active[u as usize].store(true, Ordering::Relaxed);
                }
            });
        }
    });
}

/// Leiden's refinement: inside each community of `part` (ids below
/// `num_parts`), starting from singletons, merges each well-connected
/// singleton node into a well-connected sub-community of non-negative gain:
/// the one of largest gain if `randomness` is 0, else one chosen at random
/// with probability proportional to exp(gain / randomness). Communities are
/// refined independently and in parallel, each with its own random stream
/// of `seed` (for its visiting order, and for the choice if random).
/// Returns the refined partition (sub-community ids are node ids).
pub(super) fn refine(
    g: &WeightedGraph,
    part: &[u32],
    num_parts: usize,
    resolution: f64,
    randomness: f64,
    seed: u64,
    pool: &ScratchPool,
) -> Vec<u32> {
    let n = g.num_nodes();
    let scale = resolution / g.total;
    let members = Members::new(part, num_parts);
    let community_strength: Vec<f64> = (0..num_parts)
        .into_par_iter()
        .map(|c| members.of(c).iter().map(|&v| g.strength[v as usize]).sum())
        .collect();
    let mut refined: Vec<u32> = (0..n as u32).collect();
    let mut sub_strength = g.strength.clone();
    let mut sub_size = vec![1u32; n];
    // weight from each sub-community to the rest of its community, filled
    // in by the task of that community
    let mut external: Vec<f64> = vec![0.0; n];

    let shared = (
        SharedMut::new(&mut refined),
        SharedMut::new(&mut sub_strength),
        SharedMut::new(&mut sub_size),
        SharedMut::new(&mut external),
    );
    // Largest communities first, one task each: left to rayon's halving of
    // the id range, several of the largest ended up in one sequential
    // piece and refinement ran no faster on 2 threads than on 1 (R-MAT
    // scale 20, whose five largest communities hold 15% of the nodes each).
    // Each community has its own random stream, so the order changes no
    // result.
    let size = |c: u32| members.of(c as usize).len();
    let mut by_size: Vec<u32> = (0..num_parts as u32).filter(|&c| size(c) >= 2).collect();
    by_size.sort_unstable_by_key(|&c| std::cmp::Reverse(size(c)));
    by_size.par_iter().with_max_len(1).for_each(|&c| {
        let c = c as usize;
        let group = members.of(c);
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
        // a self-loop of the first level weighs 0 and adds nothing
        for (i, &v) in group.iter().enumerate() {
            g.prefetch_ahead(group, i);
            let (targets, weights) = g.edges(v);
            // unweighted: an integer count, not a chain of float adds
            external[v as usize] = match weights {
                None => targets
                    .iter()
                    .filter(|&&u| part[u as usize] == c as u32)
                    .count() as f64,
                Some(ws) => targets
                    .iter()
                    .zip(ws)
                    .filter(|&(&u, _)| part[u as usize] == c as u32)
                    .map(|(_, &w)| w as f64)
                    .sum(),
            };
        }
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
    for (i, &v) in order.iter().enumerate() {
        g.prefetch_ahead(order, i);
        let vi = v as usize;
        let kv = g.strength[vi];
        if sub_size[vi] != 1 || refined[vi] != v || !well_connected(external[vi], kv) {
            continue;
        }
        // v's own entry: a first-level self-loop weighs 0 and is never listed
        let (targets, weights) = g.edges(v);
        acc.add_edges_within(targets, weights, part, c, refined);
        options.clear();
        options.push((v, 0.0)); // staying alone
        let mut best = 0.0f64;
        for &s in acc.touched() {
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
        } else if randomness == 0.0 {
            // greedy: the first option of the largest gain; joining at a gain
            // of 0 beats staying alone, as it leaves fewer nodes to aggregate
            options[1..]
                .iter()
                .find(|&&(_, gain)| gain == best)
                .map_or(v, |&(s, _)| s)
        } else {
            // each option's weight exp((gain - best) / randomness), once;
            // below e^-746 it is exactly 0 in f64, so exp need not run
            for option in options.iter_mut() {
                let x = (option.1 - best) / randomness;
                option.1 = if x < -746.0 { 0.0 } else { x.exp() };
            }
            let total: f64 = options.iter().map(|&(_, p)| p).sum();
            let mut r = rng.next_f64() * total;
            let mut pick = options[options.len() - 1].0;
            for &(s, p) in &options {
                r -= p;
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
