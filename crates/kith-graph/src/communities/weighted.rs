//! The weighted undirected graph community detection works on: the input
//! graph at the first level (unit weights, borrowed, no copy) and the
//! aggregated graphs after it.

use super::moves::ScratchPool;
use crate::Csr;
use crate::parallel::{PREFETCH_AHEAD, block_count, node_blocks, prefetch, prefetch_slice};
use rayon::prelude::*;
use std::borrow::Cow;

pub(super) struct WeightedGraph<'a> {
    pub offsets: Cow<'a, [u64]>,
    pub targets: Cow<'a, [u32]>,
    /// Edge weights; `None` means every edge weighs 1.
    pub weights: Option<Vec<f64>>,
    /// Weight of edges inside each node, counted in both directions
    /// (aggregated nodes hold their internal edges here).
    pub self_weight: Vec<f64>,
    /// Weighted degree: adjacency weights plus `self_weight`.
    pub strength: Vec<f64>,
    /// Sum of all strengths (2m for an unweighted graph).
    pub total: f64,
}

impl<'a> WeightedGraph<'a> {
    /// The graph of a symmetric CSR; self-loops in it are ignored.
    pub fn from_symmetric(csr: &'a Csr) -> WeightedGraph<'a> {
        let n = csr.num_nodes();
        let has_loops = (0..n as u32).into_par_iter().any(|v| csr.has_edge(v, v));
        let offsets = csr.offsets();
        // without self-loops the degree is the adjacency's length
        let strength: Vec<f64> = (0..n as u32)
            .into_par_iter()
            .map(|v| {
                let degree = offsets[v as usize + 1] - offsets[v as usize];
                (degree - (has_loops && csr.has_edge(v, v)) as u64) as f64
            })
            .collect();
        let total = strength.iter().sum();
        if has_loops {
            // drop self-loops by giving them weight 0
            let weights = (0..n as u32)
                .into_par_iter()
                .flat_map_iter(|v| {
                    csr.neighbors(v)
                        .iter()
                        .map(move |&u| if u == v { 0.0 } else { 1.0 })
                })
                .collect();
            return WeightedGraph {
                offsets: Cow::Borrowed(csr.offsets()),
                targets: Cow::Borrowed(csr.targets()),
                weights: Some(weights),
                self_weight: vec![0.0; n],
                strength,
                total,
            };
        }
        WeightedGraph {
            offsets: Cow::Borrowed(csr.offsets()),
            targets: Cow::Borrowed(csr.targets()),
            weights: None,
            self_weight: vec![0.0; n],
            strength,
            total,
        }
    }

    pub fn num_nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The neighbours of `v` and their weights (`None`: all 1).
    #[inline]
    pub fn edges(&self, v: u32) -> (&[u32], Option<&[f64]>) {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        (&self.targets[a..b], self.weights.as_ref().map(|w| &w[a..b]))
    }

    /// Starts loading v's offsets, so that [`WeightedGraph::prefetch_edges`]
    /// can find its edges a little later.
    #[inline(always)]
    pub fn prefetch_offsets(&self, v: u32) {
        if let Some(o) = self.offsets.get(v as usize) {
            prefetch(o);
        }
    }

    /// Starts loading the first cache lines of v's edges and weights.
    #[inline(always)]
    pub fn prefetch_edges(&self, v: u32) {
        let (targets, weights) = self.edges(v);
        prefetch_slice(targets, 4);
        if let Some(w) = weights {
            prefetch_slice(w, 4);
        }
    }

    /// Prefetches for a loop over `nodes` at position `i`: the offsets of
    /// the node `PREFETCH_AHEAD` places on and the edges of the one half as
    /// far, so both have arrived when the loop gets there.
    #[inline(always)]
    pub fn prefetch_ahead(&self, nodes: &[u32], i: usize) {
        if let Some(&v) = nodes.get(i + PREFETCH_AHEAD) {
            self.prefetch_offsets(v);
        }
        if let Some(&v) = nodes.get(i + PREFETCH_AHEAD / 2) {
            self.prefetch_edges(v);
        }
    }

    /// Calls `f(neighbour, weight)` for each edge of `v` (no self-loops are
    /// stored except with weight 0 on the first level).
    #[inline]
    pub fn for_each_edge(&self, v: u32, mut f: impl FnMut(u32, f64)) {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        match &self.weights {
            None => self.targets[a..b].iter().for_each(|&u| f(u, 1.0)),
            Some(w) => self.targets[a..b]
                .iter()
                .zip(&w[a..b])
                .for_each(|(&u, &x)| f(u, x)),
        }
    }

    /// The graph whose nodes are the parts of `part` (dense ids
    /// `0..num_parts`), edge weights summed, internal edges in `self_weight`.
    /// `pool`'s accumulators must hold at least `num_parts` ids.
    pub fn aggregate(
        &self,
        part: &[u32],
        num_parts: usize,
        pool: &ScratchPool,
    ) -> WeightedGraph<'static> {
        let n = self.num_nodes();
        // members of each part, by counting sort
        let mut start = vec![0u64; num_parts + 1];
        for &p in part {
            start[p as usize + 1] += 1;
        }
        for i in 0..num_parts {
            start[i + 1] += start[i];
        }
        let mut members = vec![0u32; n];
        let mut fill = start.clone();
        for (v, &p) in part.iter().enumerate() {
            members[fill[p as usize] as usize] = v as u32;
            fill[p as usize] += 1;
        }
        drop(fill);
        let work = |p: usize| {
            // adjacency size of the members as balance weight; cheap bound
            start[p]
        };
        let blocks = node_blocks(num_parts, work, block_count(n + self.targets.len()));
        struct Piece {
            degrees: Vec<u64>,
            targets: Vec<u32>,
            weights: Vec<f64>,
            self_weight: Vec<f64>,
            strength: Vec<f64>,
        }
        let pieces: Vec<Piece> = blocks
            .par_iter()
            .map(|&(a, b)| {
                pool.with(|acc| {
                    let mut piece = Piece {
                        degrees: Vec::with_capacity(b - a),
                        targets: Vec::new(),
                        weights: Vec::new(),
                        self_weight: Vec::with_capacity(b - a),
                        strength: Vec::with_capacity(b - a),
                    };
                    for p in a..b {
                        let mut inside = 0.0;
                        let mut strength = 0.0;
                        let group = &members[start[p] as usize..start[p + 1] as usize];
                        for (i, &v) in group.iter().enumerate() {
                            self.prefetch_ahead(group, i);
                            inside += self.self_weight[v as usize];
                            strength += self.strength[v as usize];
                            let (targets, weights) = self.edges(v);
                            acc.add_edges(targets, weights, part);
                        }
                        // edges inside p (weights are whole numbers, so the
                        // order of the sum does not matter)
                        inside += acc.get(p as u32);
                        // neighbour order is first-seen order, which depends
                        // only on the input: no sort needed for determinism
                        let before = piece.targets.len();
                        for &q in acc.touched() {
                            if q as usize != p {
                                piece.targets.push(q);
                                piece.weights.push(acc.get(q));
                            }
                        }
                        piece.degrees.push((piece.targets.len() - before) as u64);
                        acc.clear();
                        piece.self_weight.push(inside);
                        piece.strength.push(strength);
                    }
                    piece
                })
            })
            .collect();
        let m: usize = pieces.iter().map(|p| p.targets.len()).sum();
        let mut offsets = Vec::with_capacity(num_parts + 1);
        offsets.push(0u64);
        let mut targets = Vec::with_capacity(m);
        let mut weights = Vec::with_capacity(m);
        let mut self_weight = Vec::with_capacity(num_parts);
        let mut strength = Vec::with_capacity(num_parts);
        let mut sum = 0;
        for piece in pieces {
            for d in piece.degrees {
                sum += d;
                offsets.push(sum);
            }
            targets.extend(piece.targets);
            weights.extend(piece.weights);
            self_weight.extend(piece.self_weight);
            strength.extend(piece.strength);
        }
        WeightedGraph {
            offsets: Cow::Owned(offsets),
            targets: Cow::Owned(targets),
            weights: Some(weights),
            self_weight,
            strength,
            total: self.total,
        }
    }
}
