//! The weighted undirected graph community detection works on: the input
//! graph at the first level (unit weights, borrowed, no copy) and the
//! aggregated graphs after it.

use super::moves::ScratchPool;
use crate::Csr;
use crate::csr::Members;
use crate::parallel::{
    self, SharedMut, block_count, exclusive_prefix_sum, node_blocks, prefetch_slice,
};
use rayon::prelude::*;
use std::borrow::Cow;

/// An edge weight of an aggregated graph: the number of input edges it
/// merges. Stored as f32, 4 bytes instead of 8 for each of the entries that
/// the moving, refinement and aggregation phases stream through on every
/// level after the first (and that Leiden's peak memory is mostly made of):
/// whole numbers up to 2^24 are exact, and a larger one is rounded once,
/// when it is stored, by at most 6e-8 of itself. Sums of weights are taken
/// in f64, where whole numbers add exactly in any order, so results do not
/// depend on the thread count.
pub(super) type EdgeWeight = f32;

pub(super) struct WeightedGraph<'a> {
    /// Where each node's list starts; it ends where the next one starts,
    /// or at `ends` if there is that.
    pub offsets: Cow<'a, [u64]>,
    /// Where each node's list ends, in a graph whose lists have gaps
    /// between them (a built level: each block of nodes writes from where
    /// a bound on its entries put it, and moving the blocks together
    /// touched the fresh pages of the gaps for nothing; on R-MAT scale 22
    /// that took 1 of the 2 s of the first pass's third level).
    pub ends: Option<Vec<u64>>,
    /// Targets, then weights, of the edges at `offsets`; in a built level
    /// both arrays have gaps and room past the last list (see
    /// `aggregate`), and in a regrouped one a target may repeat (see
    /// `regroup`): the weights to it add up.
    pub targets: Cow<'a, [u32]>,
    /// Edge weights; `None` means every edge weighs 1.
    pub weights: Option<Vec<EdgeWeight>>,
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
        let has_loops = csr.has_self_loops();
        let strength: Vec<f64> = (0..n as u32)
            .into_par_iter()
            .map(|v| csr.simple_degree(v, has_loops) as f64)
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
                ends: None,
                targets: Cow::Borrowed(csr.targets()),
                weights: Some(weights),
                self_weight: vec![0.0; n],
                strength,
                total,
            };
        }
        WeightedGraph {
            offsets: Cow::Borrowed(csr.offsets()),
            ends: None,
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
    pub fn edges(&self, v: u32) -> (&[u32], Option<&[EdgeWeight]>) {
        let (a, b) = self.span(v);
        (&self.targets[a..b], self.weights.as_ref().map(|w| &w[a..b]))
    }

    /// Where the list of `v` starts and ends.
    #[inline]
    fn span(&self, v: u32) -> (usize, usize) {
        let a = self.offsets[v as usize] as usize;
        let b = match &self.ends {
            Some(ends) => ends[v as usize],
            None => self.offsets[v as usize + 1],
        };
        (a, b as usize)
    }

    /// The number of entries in the list of `v`.
    #[inline]
    pub fn degree(&self, v: u32) -> usize {
        let (a, b) = self.span(v);
        b - a
    }

    /// Prefetches for a loop over `nodes` at position `i` (see
    /// [`crate::parallel::prefetch_ahead`]): offsets, then the first cache
    /// lines of the edges and of their weights.
    #[inline(always)]
    pub fn prefetch_ahead(&self, nodes: &[u32], i: usize) {
        if let Some(ends) = &self.ends {
            parallel::prefetch_ahead(nodes, i, ends, |_| {});
        }
        parallel::prefetch_ahead(nodes, i, &self.offsets, |v| {
            let (targets, weights) = self.edges(v);
            prefetch_slice(targets, 4);
            if let Some(w) = weights {
                prefetch_slice(w, 4);
            }
        });
    }

    /// Calls `f(neighbour, weight)` for each edge of `v` (no self-loops are
    /// stored except with weight 0 on the first level).
    #[inline]
    pub fn for_each_edge(&self, v: u32, mut f: impl FnMut(u32, f64)) {
        match self.edges(v) {
            (targets, None) => targets.iter().for_each(|&u| f(u, 1.0)),
            (targets, Some(w)) => targets.iter().zip(w).for_each(|(&u, &x)| f(u, x as f64)),
        }
    }

    /// Where a new level's lists go, one part per node of it: each part's
    /// room is its members' entries, which bound its distinct neighbours,
    /// as a prefix over the parts (`room[p]..room[p + 1]`), and the blocks of
    /// parts, balanced by that room, that build the level in parallel.
    fn layout(&self, members: &Members) -> (Vec<(usize, usize)>, Vec<u64>) {
        let count = members.count();
        let mut room: Vec<u64> = (0..count + 1)
            .into_par_iter()
            .map(|p| {
                if p == count {
                    return 0;
                }
                members.of(p).iter().map(|&v| self.degree(v) as u64).sum()
            })
            .collect();
        let total = exclusive_prefix_sum(&mut room) as usize;
        let blocks = node_blocks(count, |p| room[p], block_count(self.num_nodes() + total));
        (blocks, room)
    }

    /// The graph whose nodes are the groups of `group` (dense ids below
    /// `members.count()`; `members` lists each one's nodes) without merging
    /// parallel edges: each group's list is its members' lists, in order,
    /// each target replaced by its group, and the group's own entries counted into `self_weight` instead. Only for a
    /// graph of unit weights (the input level, whose self-loops weigh 0 and
    /// are dropped).
    ///
    /// Leiden aggregates by its refined partition, whose sub-communities are
    /// small stars on graphs like R-MAT, so merging keeps almost every entry
    /// there (scale 22: 124.1M of 128.3M after the first level), at 8 bytes
    /// an entry, after an accumulator pass over every edge. This writes 4
    /// bytes an entry with no accumulator, and the next level counts its
    /// edges as integers. Sums are the same and met in the same order, so
    /// the partition found on it is the one found on the merged graph.
    pub fn regroup(
        &self,
        group: &[u32],
        members: &Members,
        spare: &mut SpareEdges,
    ) -> WeightedGraph<'static> {
        let count = members.count();
        let (blocks, room) = self.layout(members);
        let mut targets = spare.take_targets(room[count] as usize);
        let targets_out = SharedMut::new(&mut targets);
        let pieces: Vec<Piece> = blocks
            .par_iter()
            .map(|&(a, b)| {
                let (from, to) = (room[a] as usize, room[b] as usize);
                // SAFETY: each block writes only its own region of the array.
                let out = unsafe { targets_out.slice_mut(from, to - from) };
                let mut piece = Piece::with_capacity(b - a);
                for p in a..b {
                    let before = piece.len;
                    let mut inside = 0u64;
                    let mut strength = 0.0;
                    let group_members = members.of(p);
                    for (i, &v) in group_members.iter().enumerate() {
                        self.prefetch_ahead(group_members, i);
                        strength += self.strength[v as usize];
                        for &u in self.edges(v).0 {
                            let q = group[u as usize];
                            // written always, kept only if not inside p: no
                            // branch on which it is
                            out[piece.len] = q;
                            let own = q as usize == p;
                            piece.len += !own as usize;
                            inside += (own && u != v) as u64;
                        }
                    }
                    piece.degrees.push((piece.len - before) as u64);
                    piece.self_weight.push(inside as f64);
                    piece.strength.push(strength);
                }
                piece
            })
            .collect();
        let (offsets, ends, self_weight, strength) = Piece::assemble(pieces, &blocks, &room);
        WeightedGraph {
            offsets: Cow::Owned(offsets),
            ends: Some(ends),
            targets: Cow::Owned(targets),
            weights: None,
            self_weight,
            strength,
            total: self.total,
        }
    }

    /// The graph whose nodes are the parts of `part` (dense ids below
    /// `members.count()`; `members` lists each one's nodes), edge weights
    /// summed, internal edges in `self_weight`. `pool`'s accumulators must
    /// hold at least that many ids.
    pub fn aggregate(
        &self,
        part: &[u32],
        members: &Members,
        pool: &ScratchPool,
        spare: &mut SpareEdges,
    ) -> WeightedGraph<'static> {
        // Each block writes its parts' lists straight into one array at
        // their room, and they stay there, gaps between them (see `ends`).
        // Growing a vector per block and concatenating them copied every
        // entry twice into fresh pages: a third of a run went to the kernel
        // zeroing them (perf, R-MAT scale 20).
        let (blocks, room) = self.layout(members);
        let (mut targets, mut weights) = spare.take(room[members.count()] as usize);
        let (targets_out, weights_out) =
            (SharedMut::new(&mut targets), SharedMut::new(&mut weights));
        let pieces: Vec<Piece> = blocks
            .par_iter()
            .map(|&(a, b)| {
                let (from, to) = (room[a] as usize, room[b] as usize);
                // SAFETY: each block writes only its own region of the arrays.
                let (block_targets, block_weights) = unsafe {
                    (
                        targets_out.slice_mut(from, to - from),
                        weights_out.slice_mut(from, to - from),
                    )
                };
                pool.with(|acc| {
                    let mut piece = Piece::with_capacity(b - a);
                    for p in a..b {
                        let mut inside = 0.0;
                        let mut strength = 0.0;
                        let group = members.of(p);
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
                        let before = piece.len;
                        for &q in acc.touched() {
                            if q as usize != p {
                                block_targets[piece.len] = q;
                                block_weights[piece.len] = acc.get(q) as EdgeWeight;
                                piece.len += 1;
                            }
                        }
                        piece.degrees.push((piece.len - before) as u64);
                        acc.clear();
                        piece.self_weight.push(inside);
                        piece.strength.push(strength);
                    }
                    piece
                })
            })
            .collect();
        let (offsets, ends, self_weight, strength) = Piece::assemble(pieces, &blocks, &room);
        // The arrays keep their gaps and their room past the last list:
        // cutting them would free nothing, and a spare array reused at its
        // full length needs no zeroing (which would touch every page).
        WeightedGraph {
            offsets: Cow::Owned(offsets),
            ends: Some(ends),
            targets: Cow::Owned(targets),
            weights: Some(weights),
            self_weight,
            strength,
            total: self.total,
        }
    }
}

/// What one block of a new level's nodes wrote: `len` entries from the
/// start of its region of the edge arrays, and its nodes' degrees, internal
/// weights and strengths.
struct Piece {
    len: usize,
    degrees: Vec<u64>,
    self_weight: Vec<f64>,
    strength: Vec<f64>,
}

impl Piece {
    fn with_capacity(nodes: usize) -> Piece {
        Piece {
            len: 0,
            degrees: Vec::with_capacity(nodes),
            self_weight: Vec::with_capacity(nodes),
            strength: Vec::with_capacity(nodes),
        }
    }

    /// The starts and ends of the nodes' lists, written by `blocks`, in
    /// order, from the start of their room (see `WeightedGraph::layout`),
    /// and the nodes' internal weights and strengths.
    fn assemble(
        pieces: Vec<Piece>,
        blocks: &[(usize, usize)],
        room: &[u64],
    ) -> (Vec<u64>, Vec<u64>, Vec<f64>, Vec<f64>) {
        let count = room.len() - 1;
        let mut starts = Vec::with_capacity(count + 1);
        let mut ends = Vec::with_capacity(count);
        let mut self_weight = Vec::with_capacity(count);
        let mut strength = Vec::with_capacity(count);
        for (piece, &(a, _)) in pieces.into_iter().zip(blocks) {
            let mut at = room[a];
            for d in piece.degrees {
                starts.push(at);
                at += d;
                ends.push(at);
            }
            self_weight.extend(piece.self_weight);
            strength.extend(piece.strength);
        }
        // one more start, so that the node count is `starts.len() - 1`
        starts.push(ends.last().copied().unwrap_or(0));
        (starts, ends, self_weight, strength)
    }
}

/// Edge arrays of built levels that are done with, for the next levels to
/// write into: a fresh array per level was paid in page faults, the kernel
/// zeroing every page (a fifth of a Leiden run on R-MAT scale 20 after
/// aggregation stopped copying). Targets and weights are kept apart, since
/// a regrouped level has targets only.
///
/// A new array is made as long as any level can need, the input's entry
/// count (regrouping keeps a level's entries and aggregating never adds
/// any), so that every later level fits in it. Made only as long as the
/// level at hand, a spare a few thousand entries short of the next level's
/// room sent that level to a fresh pair of arrays: 1 GB of new pages in
/// each pass after the first on R-MAT scale 22. The unused tail of a new
/// array is never written, so it costs address space only when the array
/// comes fresh from the OS (memory the allocator reuses is zeroed whole).
pub(super) struct SpareEdges {
    targets: Spares<u32>,
    weights: Spares<EdgeWeight>,
    /// The length of a new array: the most entries any level can hold.
    fresh_len: usize,
}

impl SpareEdges {
    /// Spares for levels built from an input of `max_entries` list entries.
    pub fn new(max_entries: usize) -> SpareEdges {
        SpareEdges {
            targets: Spares::default(),
            weights: Spares::default(),
            fresh_len: max_entries,
        }
    }

    /// Target and weight arrays at least `len` long, for
    /// [`WeightedGraph::aggregate`].
    fn take(&mut self, len: usize) -> (Vec<u32>, Vec<EdgeWeight>) {
        (
            self.targets.take(len, self.fresh_len),
            self.weights.take(len, self.fresh_len),
        )
    }

    /// A target array at least `len` long, for [`WeightedGraph::regroup`].
    fn take_targets(&mut self, len: usize) -> Vec<u32> {
        self.targets.take(len, self.fresh_len)
    }

    /// Keeps a target array of the caller's that is no longer needed.
    pub fn keep_targets(&mut self, targets: Vec<u32>) {
        self.targets.put(targets);
    }

    /// Keeps the edge arrays of a graph no longer needed (a built one; the
    /// input graph is borrowed and has none to give).
    pub fn recycle(&mut self, g: WeightedGraph) {
        if let Cow::Owned(targets) = g.targets {
            self.targets.put(targets);
        }
        if let Some(weights) = g.weights {
            self.weights.put(weights);
        }
    }
}

/// Spare arrays of one element type, the longest two kept.
struct Spares<T> {
    arrays: Vec<Vec<T>>,
}

impl<T> Default for Spares<T> {
    fn default() -> Spares<T> {
        Spares { arrays: Vec::new() }
    }
}

impl<T: Copy + Default> Spares<T> {
    const KEEP: usize = 2;

    /// An array at least `len` long (its contents are whatever was there):
    /// the shortest spare that is, else a new zeroed one `fresh_len` long
    /// if that is longer. Spares keep their full length: a new zeroed array
    /// costs nothing until written, but zeroing a spare's cut-off tail
    /// again would touch every page of it.
    fn take(&mut self, len: usize, fresh_len: usize) -> Vec<T> {
        let fitting = (0..self.arrays.len())
            .filter(|&i| self.arrays[i].len() >= len)
            .min_by_key(|&i| self.arrays[i].len());
        match fitting {
            Some(i) => self.arrays.swap_remove(i),
            None => vec![T::default(); len.max(fresh_len)],
        }
    }

    fn put(&mut self, array: Vec<T>) {
        self.arrays.push(array);
        self.arrays.sort_by_key(|a| std::cmp::Reverse(a.len()));
        self.arrays.truncate(Self::KEEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_spare_fits_every_later_level() {
        let mut spare = SpareEdges::new(1000);
        let (targets, weights) = spare.take(600);
        assert_eq!((targets.len(), weights.len()), (1000, 1000));
        let (t, w) = (targets.as_ptr(), weights.as_ptr());
        spare.targets.put(targets);
        spare.weights.put(weights);
        // a later level with more entries than the first is written into
        // the same arrays, not into new ones
        let (targets, weights) = spare.take(900);
        assert_eq!((targets.as_ptr(), weights.as_ptr()), (t, w));
        spare.weights.put(weights);
        assert_eq!(spare.take_targets(1000).len(), 1000);
        assert_eq!(spare.take(10).1.as_ptr(), w);
    }
}
