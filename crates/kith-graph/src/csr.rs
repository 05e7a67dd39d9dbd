//! Compressed sparse row adjacency: `offsets: [u64; n + 1]` and
//! `targets: [u32; m]`, each node's adjacency sorted and free of duplicates,
//! held in owned vectors or in a read-only memory map of a CSR file.
//!
//! Memory is 4 bytes per edge plus 8 bytes per node; a graph with both
//! directions keeps two of these (see [`Csr::transpose`]).

mod build;
mod file;

pub use file::{CSR_FILE_VERSION, CSR_MAGIC};

use crate::parallel::exclusive_prefix_sum;
use memmap2::Mmap;
use rayon::prelude::*;
use std::fmt;
use std::sync::Arc;

/// One direction of a directed graph in CSR form (see the module docs).
///
/// Node ids are dense `u32`s `0..num_nodes()`. Self-loops are kept; parallel
/// edges are merged.
pub struct Csr {
    storage: Storage,
    /// Known to have no self-loop (built by [`Csr::symmetrize_simple`] or
    /// [`Csr::symmetrize_simple_with`]), so a node's degree in the simple
    /// graph is its list's length; false means not known.
    loop_free: bool,
}

enum Storage {
    Owned {
        offsets: Vec<u64>,
        targets: Vec<u32>,
    },
    /// A validated CSR file; `offsets_at`/`targets_at` are byte positions in
    /// the map, both suitably aligned (checked when opened).
    Mapped {
        map: Arc<Mmap>,
        num_nodes: usize,
        num_edges: usize,
        offsets_at: usize,
        targets_at: usize,
    },
}

impl Csr {
    /// A graph of `num_nodes` nodes and no edges.
    pub fn empty(num_nodes: usize) -> Csr {
        Csr::from_parts_unchecked(vec![0; num_nodes + 1], Vec::new())
    }

    /// Builds the CSR of `edges` (source, target) by a parallel counting sort
    /// on the source, then sorts and deduplicates each adjacency. Self-loops
    /// are kept. `edges` is dropped as soon as it has been scattered, so the
    /// peak is the pairs (8 bytes per edge) plus the targets (4 bytes per
    /// edge) plus per-node counters.
    ///
    /// The node count is `num_nodes`, raised to cover every endpoint if an
    /// edge names a larger id.
    pub fn from_edges(num_nodes: usize, edges: Vec<(u32, u32)>) -> Csr {
        let (offsets, targets) = build::from_edges(num_nodes, edges);
        Csr::from_parts_unchecked(offsets, targets)
    }

    /// Like [`Csr::from_edges`] for edges that arrive in several vectors
    /// (as a parallel parser produces them); each is freed once scattered.
    pub fn from_edge_blocks(num_nodes: usize, blocks: Vec<Vec<(u32, u32)>>) -> Csr {
        let (offsets, targets) = build::from_edge_blocks(num_nodes, blocks);
        Csr::from_parts_unchecked(offsets, targets)
    }

    /// A new CSR holding this graph's edges and `new_edges`, over
    /// `max(num_nodes, self.num_nodes(), largest endpoint + 1)` nodes;
    /// O(m + k log k) for k new edges.
    pub fn with_added_edges(&self, num_nodes: usize, new_edges: Vec<(u32, u32)>) -> Csr {
        let (offsets, targets) = build::with_added_edges(self, num_nodes, new_edges);
        Csr::from_parts_unchecked(offsets, targets)
    }

    /// The reverse graph (an edge u -> v becomes v -> u), built in parallel.
    /// Adjacency comes out sorted with no sort step.
    pub fn transpose(&self) -> Csr {
        let (offsets, targets) = build::transpose(self);
        Csr::from_parts_unchecked(offsets, targets)
    }

    /// The undirected simple graph: both directions of every edge, merged,
    /// without self-loops (what k-core and Louvain work on).
    pub fn symmetrize_simple(&self) -> Csr {
        let (offsets, targets) = build::symmetrize_simple(self);
        Csr::from_parts_unchecked(offsets, targets).known_loop_free(true)
    }

    /// [`Csr::symmetrize_simple`] when the reverse graph `inn` (this graph's
    /// [`Csr::transpose`]) is already in memory: one parallel merge of the
    /// two sorted lists of each node, no transpose.
    pub fn symmetrize_simple_with(&self, inn: &Csr) -> Result<Csr, crate::GraphError> {
        check_directions(self, inn)?;
        let (offsets, targets) = build::merge_adjacency(self.num_nodes(), self, inn, true);
        Ok(Csr::from_parts_unchecked(offsets, targets).known_loop_free(true))
    }

    /// The same graph with node `order[i]` renamed `i`, where `order` is a
    /// permutation of the nodes and `new_id` its inverse; built in parallel,
    /// lists sorted.
    pub(crate) fn relabeled(&self, order: &[u32], new_id: &[u32]) -> Csr {
        let (offsets, targets) = build::relabel(self, order, new_id);
        Csr::from_parts_unchecked(offsets, targets).known_loop_free(self.loop_free)
    }

    /// The target array of an owned graph, for reuse as scratch (None when
    /// the graph is a mapped file).
    pub(crate) fn into_targets(self) -> Option<Vec<u32>> {
        match self.storage {
            Storage::Owned { targets, .. } => Some(targets),
            Storage::Mapped { .. } => None,
        }
    }

    /// Wraps parts that already satisfy every invariant (built in this crate).
    pub(crate) fn from_parts_unchecked(offsets: Vec<u64>, targets: Vec<u32>) -> Csr {
        debug_assert_eq!(offsets.last().copied(), Some(targets.len() as u64));
        Csr {
            storage: Storage::Owned { offsets, targets },
            loop_free: false,
        }
    }

    fn known_loop_free(self, known: bool) -> Csr {
        Csr {
            loop_free: known,
            ..self
        }
    }

    /// True when the graph is known to have no self-loop: built by
    /// [`Csr::symmetrize_simple`] or [`Csr::symmetrize_simple_with`] (false
    /// says nothing either way).
    pub fn is_loop_free(&self) -> bool {
        self.loop_free
    }

    /// Whether some node lists itself: known at once for a graph built
    /// loop-free, else every list is searched, on all threads, until one
    /// holds its own node (0.045-0.058 s on R-MAT scale 22, one random
    /// access a node).
    pub fn has_self_loops(&self) -> bool {
        !self.loop_free
            && (0..self.num_nodes() as u32)
                .into_par_iter()
                .any(|v| self.has_edge(v, v))
    }

    /// The degree of `v` in the simple graph: its list's length, less one
    /// for a self-loop. `loops` is [`Csr::has_self_loops`], asked once for
    /// all nodes: when false, no list is read.
    #[inline]
    pub fn simple_degree(&self, v: u32, loops: bool) -> usize {
        self.degree(v) - (loops && self.has_edge(v, v)) as usize
    }

    /// Checks the invariants of CSR parts given by a caller: offsets start at
    /// 0, never decrease, end at `targets.len()`, every target is a node, and
    /// each adjacency is strictly increasing.
    pub fn from_parts(offsets: Vec<u64>, targets: Vec<u32>) -> Result<Csr, crate::GraphError> {
        file::validate(&offsets, &targets, true).map_err(crate::GraphError::InvalidInput)?;
        Ok(Csr::from_parts_unchecked(offsets, targets))
    }

    /// Number of nodes `n`.
    #[inline]
    pub fn num_nodes(&self) -> usize {
        match &self.storage {
            Storage::Owned { offsets, .. } => offsets.len() - 1,
            Storage::Mapped { num_nodes, .. } => *num_nodes,
        }
    }

    /// Number of edges `m` (after merging parallel edges).
    #[inline]
    pub fn num_edges(&self) -> usize {
        match &self.storage {
            Storage::Owned { targets, .. } => targets.len(),
            Storage::Mapped { num_edges, .. } => *num_edges,
        }
    }

    /// `n + 1` offsets into [`Csr::targets`]; node v's adjacency is
    /// `targets[offsets[v]..offsets[v + 1]]`.
    #[inline]
    pub fn offsets(&self) -> &[u64] {
        match &self.storage {
            Storage::Owned { offsets, .. } => offsets,
            Storage::Mapped {
                map,
                num_nodes,
                offsets_at,
                ..
            } => {
                let bytes = &map[*offsets_at..*offsets_at + 8 * (num_nodes + 1)];
                // Alignment and length were checked when the file was opened.
                bytemuck::cast_slice(bytes)
            }
        }
    }

    /// All adjacency lists, concatenated in node order.
    #[inline]
    pub fn targets(&self) -> &[u32] {
        match &self.storage {
            Storage::Owned { targets, .. } => targets,
            Storage::Mapped {
                map,
                num_edges,
                targets_at,
                ..
            } => bytemuck::cast_slice(&map[*targets_at..*targets_at + 4 * num_edges]),
        }
    }

    /// The sorted adjacency of `v`; empty for an id past the graph.
    #[inline]
    pub fn neighbors(&self, v: u32) -> &[u32] {
        let offsets = self.offsets();
        let v = v as usize;
        if v + 1 >= offsets.len() {
            return &[];
        }
        &self.targets()[offsets[v] as usize..offsets[v + 1] as usize]
    }

    /// Number of neighbours of `v`; 0 for an id past the graph.
    #[inline]
    pub fn degree(&self, v: u32) -> usize {
        let offsets = self.offsets();
        let v = v as usize;
        if v + 1 >= offsets.len() {
            return 0;
        }
        (offsets[v + 1] - offsets[v]) as usize
    }

    /// Whether the edge `u -> v` exists (binary search).
    pub fn has_edge(&self, u: u32, v: u32) -> bool {
        self.neighbors(u).binary_search(&v).is_ok()
    }

    /// Every edge as (source, target), in CSR order.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.num_nodes() as u32)
            .flat_map(move |u| self.neighbors(u).iter().map(move |&v| (u, v)))
    }

    /// Whether this graph is read from a memory-mapped file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.storage, Storage::Mapped { .. })
    }

    /// Bytes the offsets and targets take (in memory or in the map).
    pub fn size_bytes(&self) -> usize {
        8 * (self.num_nodes() + 1) + 4 * self.num_edges()
    }
}

/// The nodes of each part of a partition (dense ids below `count`), by
/// counting sort: part p's nodes are `of(p)`, ascending.
pub(crate) struct Members {
    start: Vec<u64>,
    nodes: Vec<u32>,
}

impl Members {
    pub fn new(part: &[u32], count: usize) -> Members {
        let mut start = vec![0u64; count + 1];
        for &p in part {
            start[p as usize] += 1;
        }
        exclusive_prefix_sum(&mut start);
        let mut nodes = vec![0u32; part.len()];
        let mut fill = start.clone();
        for (v, &p) in part.iter().enumerate() {
            nodes[fill[p as usize] as usize] = v as u32;
            fill[p as usize] += 1;
        }
        Members { start, nodes }
    }

    /// Every node, part after part.
    pub fn into_nodes(self) -> Vec<u32> {
        self.nodes
    }

    /// The number of parts.
    pub fn count(&self) -> usize {
        self.start.len() - 1
    }

    #[inline]
    pub fn of(&self, p: usize) -> &[u32] {
        &self.nodes[self.start[p] as usize..self.start[p + 1] as usize]
    }
}

/// Nodes by decreasing degree, ties by id, from a CSR's offsets: returns
/// `order` (order[rank] = node) and its inverse. A counting sort
/// ([`Members`] keyed by degree), O(n + the largest degree).
pub(crate) fn by_decreasing_degree(offsets: &[u64]) -> (Vec<u32>, Vec<u32>) {
    let n = offsets.len().saturating_sub(1);
    let degree = |v: usize| offsets[v + 1] - offsets[v];
    let max_degree = (0..n).map(degree).max().unwrap_or(0);
    let key: Vec<u32> = (0..n).map(|v| (max_degree - degree(v)) as u32).collect();
    let order = Members::new(&key, max_degree as usize + 1).into_nodes();
    let mut rank = vec![0u32; n];
    for (r, &v) in order.iter().enumerate() {
        rank[v as usize] = r as u32;
    }
    (order, rank)
}

/// Checks that `out` and `inn` are the two directions of one graph (same
/// node and edge counts; the contents are trusted).
pub(crate) fn check_directions(out: &Csr, inn: &Csr) -> Result<(), crate::GraphError> {
    if out.num_nodes() != inn.num_nodes() || out.num_edges() != inn.num_edges() {
        return Err(crate::GraphError::invalid(format!(
            "out- and in-adjacency disagree: {} nodes / {} edges vs {} / {}",
            out.num_nodes(),
            out.num_edges(),
            inn.num_nodes(),
            inn.num_edges()
        )));
    }
    Ok(())
}

impl Clone for Csr {
    /// Owned graphs are copied; mapped graphs share the map.
    fn clone(&self) -> Csr {
        match &self.storage {
            Storage::Owned { offsets, targets } => {
                Csr::from_parts_unchecked(offsets.clone(), targets.clone())
                    .known_loop_free(self.loop_free)
            }
            Storage::Mapped {
                map,
                num_nodes,
                num_edges,
                offsets_at,
                targets_at,
            } => Csr {
                storage: Storage::Mapped {
                    map: Arc::clone(map),
                    num_nodes: *num_nodes,
                    num_edges: *num_edges,
                    offsets_at: *offsets_at,
                    targets_at: *targets_at,
                },
                loop_free: self.loop_free,
            },
        }
    }
}

impl PartialEq for Csr {
    fn eq(&self, other: &Csr) -> bool {
        self.offsets() == other.offsets() && self.targets() == other.targets()
    }
}

impl Eq for Csr {}

impl fmt::Debug for Csr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Csr")
            .field("num_nodes", &self.num_nodes())
            .field("num_edges", &self.num_edges())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}
