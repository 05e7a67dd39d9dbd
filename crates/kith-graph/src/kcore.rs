//! k-core decomposition (core numbers) of the undirected simple graph: edge
//! directions dropped, repeated edges merged, self-loops ignored, as
//! networkx's `core_number` and NetworKit's `CoreDecomposition` define it.
//!
//! Level-synchronous peeling (after Kabir and Madduri's PKC, 2017): at level
//! k every remaining node of degree k is peeled, which lowers its
//! neighbours' degrees; neighbours that drop to k join the next wave of the
//! same level. Levels with no node are skipped by jumping to the smallest
//! remaining degree; one pass over the remaining nodes keeps the survivors
//! and finds the next level. A wave of at least `PARALLEL_WAVE_ENTRIES`
//! list entries (its nodes times the mean degree) is peeled on all threads
//! with atomic decrements; smaller ones (almost all) finish their level on
//! one thread, first in first out, with the lists of the nodes to come
//! prefetched. The result is the same as Batagelj and
//! Zaversnik's sequential algorithm.

use crate::parallel::{self, prefetch_slice};
use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// Core numbers of a graph given as an undirected CSR (each edge stored in
/// both directions; self-loops are ignored). Use [`Csr::symmetrize_simple`]
/// to make one from a directed graph, or [`core_numbers_directed`].
pub fn core_numbers(undirected: &Csr) -> Vec<u32> {
    peel(undirected)
}

/// Core numbers of the undirected simple graph underlying the directed graph
/// with out-adjacency `out` and in-adjacency `inn`.
///
/// It builds that graph first ([`Csr::symmetrize_simple_with`], 4 bytes an
/// entry): peeling then reads one list a node instead of merging two, and
/// the merge's cost is paid once instead of at every visit.
pub fn core_numbers_directed(out: &Csr, inn: &Csr) -> Result<Vec<u32>, GraphError> {
    // the merge checks that the two are directions of one graph
    Ok(peel(&out.symmetrize_simple_with(inn)?))
}

/// The neighbours of v without v itself (a self-loop is not an edge of the
/// undirected simple graph).
#[inline(always)]
fn for_each_neighbor(g: &Csr, v: u32, mut f: impl FnMut(u32)) {
    for &w in g.neighbors(v) {
        if w != v {
            f(w);
        }
    }
}

/// Prefetches for a loop over `nodes` at position `i` (see
/// [`crate::parallel::prefetch_ahead`]).
#[inline(always)]
fn prefetch_ahead(g: &Csr, nodes: &[u32], i: usize) {
    parallel::prefetch_ahead(nodes, i, g.offsets(), |v| prefetch_slice(g.neighbors(v), 4));
}

/// Waves expected to hold fewer list entries than this (their size times
/// the mean degree) are peeled on the calling thread: about 0.3 ms of
/// work, below which waking the other threads and their atomic updates
/// cost more than they save.
const PARALLEL_WAVE_ENTRIES: usize = 1 << 17;

/// Levels with fewer nodes left than this are scanned on the calling thread.
const SEQUENTIAL_SCAN: usize = 1 << 16;

/// Graphs with at least this many nodes have the single-thread waves
/// prefetch neighbours' counts: below it the counts (4 bytes a node) fit in
/// L2, and prefetching only added work (ego-twitter, 81,306 nodes: 5%
/// slower).
const PREFETCH_COUNTS_MIN_NODES: usize = 1 << 18;

/// How many entries ahead in a list the count is prefetched: far enough for
/// a load from L3 or memory to arrive (12 gained less than 24 to 96, which
/// did equally well on R-MAT scale 22).
const PREFETCH_COUNTS_DISTANCE: usize = 32;

/// Peels u at level k on the calling thread: lowers each neighbour's count
/// if it is above k, and queues the neighbours that fall to k. Most of the
/// upper levels' visits are here, the few nodes left having long lists
/// whose neighbours sit at random places in `degree`; with PREFETCH, the
/// count of the neighbour `PREFETCH_COUNTS_DISTANCE` entries on is
/// requested early, as the hardware keeps only so many misses in flight
/// on its own (R-MAT scale 22: peel 15-20% faster).
#[inline(always)]
fn peel_list<const PREFETCH: bool>(
    g: &Csr,
    u: u32,
    k: u32,
    degree: &[AtomicU32],
    queue: &mut [u32],
    tail: &mut usize,
) {
    let list = g.neighbors(u);
    for (i, &v) in list.iter().enumerate() {
        if PREFETCH && let Some(&ahead) = list.get(i + PREFETCH_COUNTS_DISTANCE) {
            parallel::prefetch(&degree[ahead as usize]);
        }
        // a self-loop is not an edge of the undirected simple graph
        if v == u {
            continue;
        }
        let d = &degree[v as usize];
        let dv = d.load(Ordering::Relaxed);
        d.store(dv - (dv > k) as u32, Ordering::Relaxed);
        queue[*tail] = v;
        *tail += (dv == k + 1) as usize;
    }
}

fn peel(g: &Csr) -> Vec<u32> {
    let n = g.num_nodes();
    // On a graph known loop-free (as the commands build it) the degrees
    // come from the offsets alone: searching each list for its node was a
    // tenth of the peel on R-MAT scale 22.
    let loops = g.has_self_loops();
    let degree: Vec<AtomicU32> = (0..n as u32)
        .into_par_iter()
        .map(|v| AtomicU32::new(g.simple_degree(v, loops) as u32))
        .collect();
    let load = |v: u32| degree[v as usize].load(Ordering::Relaxed);
    let mut remaining: Vec<u32> = (0..n as u32).collect();
    let mut k = remaining.par_iter().map(|&v| load(v)).min().unwrap_or(0);
    let mut wave: Vec<u32> = remaining
        .par_iter()
        .copied()
        .filter(|&v| load(v) <= k)
        .collect();
    // The queue of sequential waves: a node joins a queue once in the whole
    // run (when its degree falls to the level), so n + 1 slots hold it, the
    // one spare taking the unconditional write below.
    let mut queue = vec![0u32; n + 1];
    let mean_degree = g.num_edges().div_ceil(n.max(1)).max(1);
    let prefetch_counts = n >= PREFETCH_COUNTS_MIN_NODES;
    while !remaining.is_empty() {
        while !wave.is_empty() {
            if wave.len() * mean_degree < PARALLEL_WAVE_ENTRIES {
                // Most waves are this small. Finish the level here: the
                // counts are plain loads and stores, as no other thread
                // runs now. Whether a neighbour is above the level is a
                // coin toss, so the update has no branch (a mispredicted
                // branch an edge cost more than the rest). First in, first
                // out, so the nodes to come are known a few steps ahead and
                // their lists are prefetched: each list sits at a random
                // place, and waiting on it was half the time.
                let (mut head, mut tail) = (0, wave.len());
                queue[..tail].copy_from_slice(&wave);
                wave.clear();
                while head < tail {
                    prefetch_ahead(g, &queue[..tail], head);
                    let u = queue[head];
                    head += 1;
                    if prefetch_counts {
                        peel_list::<true>(g, u, k, &degree, &mut queue, &mut tail);
                    } else {
                        peel_list::<false>(g, u, k, &degree, &mut queue, &mut tail);
                    }
                }
                break;
            }
            wave = wave
                .par_chunks(1024)
                .flat_map_iter(|chunk| {
                    let mut next = Vec::new();
                    for (i, &u) in chunk.iter().enumerate() {
                        prefetch_ahead(g, chunk, i);
                        for_each_neighbor(g, u, |v| {
                            let d = &degree[v as usize];
                            if d.load(Ordering::Relaxed) > k {
                                let before = d.fetch_sub(1, Ordering::Relaxed);
                                if before == k + 1 {
                                    next.push(v);
                                } else if before <= k {
                                    // another thread took it to k first: undo
                                    d.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        });
                    }
                    next
                })
                .collect();
        }
        // Every node still above k survives to a higher level; peeled nodes
        // keep degree k, which is their core number. One pass keeps the
        // survivors, finds the next level (their smallest degree) and, as
        // the next level is most often k + 1, the nodes at k + 1.
        let next_k = if remaining.len() < SEQUENTIAL_SCAN {
            // In place and without branches: the late levels have few
            // nodes left, and a parallel pass would cost more to start.
            let mut kept = 0;
            let mut low = u32::MAX;
            for i in 0..remaining.len() {
                let v = remaining[i];
                let d = load(v);
                remaining[kept] = v;
                kept += (d > k) as usize;
                low = low.min(if d > k { d } else { u32::MAX });
            }
            remaining.truncate(kept);
            wave.extend(remaining.iter().copied().filter(|&v| load(v) == low));
            low
        } else {
            let pieces: Vec<(Vec<u32>, Vec<u32>, u32)> = remaining
                .par_chunks(4096)
                .map(|chunk| {
                    let mut kept = Vec::with_capacity(chunk.len());
                    let mut at_next = Vec::new();
                    let mut low = u32::MAX;
                    for &v in chunk {
                        let d = load(v);
                        if d > k {
                            kept.push(v);
                            low = low.min(d);
                            if d == k + 1 {
                                at_next.push(v);
                            }
                        }
                    }
                    (kept, at_next, low)
                })
                .collect();
            let next_k = pieces.iter().map(|p| p.2).min().unwrap_or(u32::MAX);
            remaining = Vec::with_capacity(pieces.iter().map(|p| p.0.len()).sum());
            for (kept, at_next, _) in pieces {
                remaining.extend(kept);
                wave.extend(at_next);
            }
            if next_k != k + 1 && !remaining.is_empty() {
                wave = remaining
                    .par_iter()
                    .copied()
                    .filter(|&v| load(v) <= next_k)
                    .collect();
            }
            next_k
        };
        if remaining.is_empty() {
            break;
        }
        k = next_k;
    }
    degree.into_iter().map(AtomicU32::into_inner).collect()
}

/// The reference sequential algorithm (Batagelj and Zaversnik, 2003), used
/// to check the parallel one.
pub fn core_numbers_sequential(undirected: &Csr) -> Vec<u32> {
    let g = undirected;
    let n = g.num_nodes();
    let loops = g.has_self_loops();
    let mut degree: Vec<u32> = (0..n as u32)
        .map(|v| g.simple_degree(v, loops) as u32)
        .collect();
    let max_degree = degree.iter().copied().max().unwrap_or(0) as usize;
    let mut bin_start = vec![0usize; max_degree + 2];
    for &d in &degree {
        bin_start[d as usize + 1] += 1;
    }
    for i in 1..bin_start.len() {
        bin_start[i] += bin_start[i - 1];
    }
    let mut order = vec![0u32; n];
    let mut position = vec![0usize; n];
    let mut fill = bin_start.clone();
    for v in 0..n {
        let d = degree[v] as usize;
        position[v] = fill[d];
        order[fill[d]] = v as u32;
        fill[d] += 1;
    }
    for i in 0..n {
        let u = order[i];
        let du = degree[u as usize];
        for_each_neighbor(g, u, |w| {
            let dw = degree[w as usize];
            if dw > du {
                // move w to the front of its bin, then shrink its degree
                let pw = position[w as usize];
                let front = bin_start[dw as usize];
                let x = order[front];
                if x != w {
                    order.swap(pw, front);
                    position[x as usize] = pw;
                    position[w as usize] = front;
                }
                bin_start[dw as usize] += 1;
                degree[w as usize] = dw - 1;
            }
        });
    }
    degree
}
