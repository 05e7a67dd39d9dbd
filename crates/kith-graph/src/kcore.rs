//! k-core decomposition (core numbers) of the undirected simple graph: edge
//! directions dropped, repeated edges merged, self-loops ignored, as
//! networkx's `core_number` and NetworKit's `CoreDecomposition` define it.
//!
//! Parallel level-synchronous peeling (after Kabir and Madduri's PKC, 2017):
//! at level k every remaining node of degree k is peeled in parallel, which
//! lowers its neighbours' degrees with atomic decrements; neighbours that
//! drop to k join the next wave of the same level. Levels with no node are
//! skipped by jumping to the smallest remaining degree; one pass over the
//! remaining nodes keeps the survivors and finds the next level. A wave of
//! fewer than `SEQUENTIAL_WAVE` nodes finishes its level on one thread,
//! depth first, as most waves are that small. The result is the same as
//! Batagelj and Zaversnik's sequential algorithm.

use crate::csr::{merge_sorted, union_len_without};
use crate::pagerank::check_directions;
use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// Neighbours of a node in the undirected simple graph.
trait Undirected: Sync {
    fn num_nodes(&self) -> usize;
    fn for_each_neighbor(&self, v: u32, f: impl FnMut(u32));
    fn degree(&self, v: u32) -> u32 {
        let mut d = 0;
        self.for_each_neighbor(v, |_| d += 1);
        d
    }
}

/// An already symmetric CSR without self-loops (see [`Csr::symmetrize_simple`]).
struct Symmetric<'a>(&'a Csr);

impl Undirected for Symmetric<'_> {
    fn num_nodes(&self) -> usize {
        self.0.num_nodes()
    }
    #[inline]
    fn for_each_neighbor(&self, v: u32, mut f: impl FnMut(u32)) {
        for &w in self.0.neighbors(v) {
            if w != v {
                f(w);
            }
        }
    }
}

/// Both directions of a directed graph, merged on the fly (no copy).
struct BothDirections<'a> {
    out: &'a Csr,
    inn: &'a Csr,
}

impl Undirected for BothDirections<'_> {
    fn num_nodes(&self) -> usize {
        self.out.num_nodes()
    }
    #[inline]
    fn for_each_neighbor(&self, v: u32, mut f: impl FnMut(u32)) {
        merge_sorted(self.out.neighbors(v), self.inn.neighbors(v), |w| {
            if w != v {
                f(w)
            }
        });
    }
    fn degree(&self, v: u32) -> u32 {
        union_len_without(self.out.neighbors(v), self.inn.neighbors(v), v) as u32
    }
}

/// Core numbers of a graph given as an undirected CSR (each edge stored in
/// both directions; self-loops are ignored). Use [`Csr::symmetrize_simple`]
/// to make one from a directed graph, or [`core_numbers_directed`].
pub fn core_numbers(undirected: &Csr) -> Vec<u32> {
    peel(&Symmetric(undirected))
}

/// Core numbers of the undirected simple graph underlying the directed graph
/// with out-adjacency `out` and in-adjacency `inn`, without building it.
pub fn core_numbers_directed(out: &Csr, inn: &Csr) -> Result<Vec<u32>, GraphError> {
    check_directions(out, inn)?;
    Ok(peel(&BothDirections { out, inn }))
}

/// Waves of fewer nodes than this are peeled on the calling thread.
const SEQUENTIAL_WAVE: usize = 1024;

fn peel(g: &impl Undirected) -> Vec<u32> {
    let n = g.num_nodes();
    let degree: Vec<AtomicU32> = (0..n as u32)
        .into_par_iter()
        .map(|v| AtomicU32::new(g.degree(v)))
        .collect();
    let load = |v: u32| degree[v as usize].load(Ordering::Relaxed);
    let mut remaining: Vec<u32> = (0..n as u32).collect();
    let mut k = remaining.par_iter().map(|&v| load(v)).min().unwrap_or(0);
    let mut wave: Vec<u32> = remaining
        .par_iter()
        .copied()
        .filter(|&v| load(v) <= k)
        .collect();
    while !remaining.is_empty() {
        while !wave.is_empty() {
            if wave.len() < SEQUENTIAL_WAVE {
                // Most waves are this small (on ego-twitter 945 of 961): a
                // parallel wave would run on one thread anyway, behind the
                // cost of starting it. Finish the level here, depth first;
                // the counts are plain loads and stores, no other thread
                // runs now.
                let mut stack = std::mem::take(&mut wave);
                while let Some(u) = stack.pop() {
                    g.for_each_neighbor(u, |v| {
                        let d = &degree[v as usize];
                        let dv = d.load(Ordering::Relaxed);
                        if dv > k {
                            d.store(dv - 1, Ordering::Relaxed);
                            if dv == k + 1 {
                                stack.push(v);
                            }
                        }
                    });
                }
                break;
            }
            wave = wave
                .par_chunks(1024)
                .flat_map_iter(|chunk| {
                    let mut next = Vec::new();
                    for &u in chunk {
                        g.for_each_neighbor(u, |v| {
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
        wave = Vec::new();
        for (kept, at_next, _) in pieces {
            remaining.extend(kept);
            wave.extend(at_next);
        }
        if remaining.is_empty() {
            break;
        }
        if next_k != k + 1 {
            wave = remaining
                .par_iter()
                .copied()
                .filter(|&v| load(v) <= next_k)
                .collect();
        }
        k = next_k;
    }
    degree.into_iter().map(AtomicU32::into_inner).collect()
}

/// The reference sequential algorithm (Batagelj and Zaversnik, 2003), used
/// to check the parallel one.
pub fn core_numbers_sequential(undirected: &Csr) -> Vec<u32> {
    let g = Symmetric(undirected);
    let n = g.num_nodes();
    let mut degree: Vec<u32> = (0..n as u32).map(|v| g.degree(v)).collect();
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
        g.for_each_neighbor(u, |w| {
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
