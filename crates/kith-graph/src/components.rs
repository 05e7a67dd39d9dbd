//! Weakly connected components, by a lock-free union-find over the edges
//! (parallel), linking the larger root under the smaller so that every
//! component's root is its smallest node id, whatever the thread schedule.
//!
//! With both directions of the graph at hand, [`weakly_connected_components_with`]
//! links only a sample of the edges first (Afforest: Sutton, Ben-Nun and
//! Barak, 2018) and then skips the edges of the component most nodes are
//! already in, which on graphs with a giant component leaves little to do.

use crate::csr::check_directions;
use crate::parallel::{block_count, csr_blocks, node_blocks};
use crate::rng::Rng;
use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// Components of a graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Components {
    /// Component of each node; components are numbered by their smallest
    /// node, in increasing order.
    pub component: Vec<u32>,
    /// Node count of each component.
    pub sizes: Vec<u64>,
}

impl Components {
    pub fn count(&self) -> usize {
        self.sizes.len()
    }

    /// Index of the largest component (the first of equals), if any.
    pub fn largest(&self) -> Option<u32> {
        let max = self.sizes.iter().copied().max()?;
        self.sizes.iter().position(|&s| s == max).map(|i| i as u32)
    }
}

fn find(parent: &[AtomicU32], mut v: u32) -> u32 {
    loop {
        let p = parent[v as usize].load(Ordering::Relaxed);
        if p == v {
            return v;
        }
        let gp = parent[p as usize].load(Ordering::Relaxed);
        if gp != p {
            // path halving; losing the race only skips a shortcut
            let _ = parent[v as usize].compare_exchange_weak(
                p,
                gp,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        v = gp;
    }
}

fn union(parent: &[AtomicU32], a: u32, b: u32) {
    let (mut a, mut b) = (a, b);
    loop {
        a = find(parent, a);
        b = find(parent, b);
        if a == b {
            return;
        }
        let (low, high) = if a < b { (a, b) } else { (b, a) };
        // link only a root: fails if `high` stopped being a root meanwhile
        if parent[high as usize]
            .compare_exchange(high, low, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
    }
}

/// Weakly connected components of a directed graph given by its out- (or
/// in-) adjacency; edge direction does not matter.
pub fn weakly_connected_components(graph: &Csr) -> Components {
    let n = graph.num_nodes();
    let parent: Vec<AtomicU32> = (0..n as u32).into_par_iter().map(AtomicU32::new).collect();
    let blocks = csr_blocks(graph.offsets(), block_count(n + graph.num_edges()));
    blocks.par_iter().for_each(|&(a, b)| {
        for u in a as u32..b as u32 {
            for &v in graph.neighbors(u) {
                union(&parent, u, v);
            }
        }
    });
    number(&parent)
}

/// Out-edges of every node linked in the sampling rounds (its first ones).
const SAMPLED_EDGES: usize = 2;
/// Nodes drawn to find the component most nodes are in.
const SAMPLED_NODES: usize = 1024;

/// Weakly connected components of the directed graph with out-adjacency
/// `out` and in-adjacency `inn`, by Afforest: link each node to its first
/// two out-neighbours, find the component of most of 1,024 sampled nodes,
/// then link every edge of the nodes outside it, through their out- and
/// in-lists. An edge between two nodes of that component joins nodes
/// already joined, and any other edge has an end outside it, whose lists
/// hold the edge. Same result as [`weakly_connected_components`].
pub fn weakly_connected_components_with(out: &Csr, inn: &Csr) -> Result<Components, GraphError> {
    check_directions(out, inn)?;
    let n = out.num_nodes();
    let parent: Vec<AtomicU32> = (0..n as u32).into_par_iter().map(AtomicU32::new).collect();
    for round in 0..SAMPLED_EDGES {
        (0..n as u32)
            .into_par_iter()
            .with_min_len(4096)
            .for_each(|u| {
                if let Some(&v) = out.neighbors(u).get(round) {
                    union(&parent, u, v);
                }
            });
    }
    // Flatten, so that the membership test below is one or two loads.
    (0..n as u32)
        .into_par_iter()
        .with_min_len(4096)
        .for_each(|v| {
            let r = find(&parent, v);
            parent[v as usize].store(r, Ordering::Relaxed);
        });
    let largest = most_common_root(&parent, n);
    let (oo, io) = (out.offsets(), inn.offsets());
    let blocks = node_blocks(
        n,
        |i| oo[i] + io[i],
        block_count(n + out.num_edges() + inn.num_edges()),
    );
    blocks.par_iter().for_each(|&(a, b)| {
        for u in a as u32..b as u32 {
            if Some(find(&parent, u)) == largest {
                continue;
            }
            for &v in out.neighbors(u).iter().skip(SAMPLED_EDGES) {
                union(&parent, u, v);
            }
            for &v in inn.neighbors(u) {
                union(&parent, u, v);
            }
        }
    });
    Ok(number(&parent))
}

/// The root of most of `SAMPLED_NODES` nodes drawn with a fixed seed (the
/// result does not depend on which root is chosen, only the work does).
fn most_common_root(parent: &[AtomicU32], n: usize) -> Option<u32> {
    if n == 0 {
        return None;
    }
    let mut rng = Rng::new(0x5EED);
    let mut roots: Vec<u32> = (0..SAMPLED_NODES)
        .map(|_| find(parent, rng.below(n as u32)))
        .collect();
    roots.sort_unstable();
    roots
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0])
}

/// Numbers the components of a finished union-find by their roots.
fn number(parent: &[AtomicU32]) -> Components {
    let n = parent.len();
    let root: Vec<u32> = (0..n as u32)
        .into_par_iter()
        .map(|v| find(parent, v))
        .collect();
    // Roots are component minima, so numbering roots in id order numbers
    // components by their smallest node.
    let mut index = vec![u32::MAX; n];
    let mut sizes = Vec::new();
    for v in 0..n {
        if root[v] == v as u32 {
            index[v] = sizes.len() as u32;
            sizes.push(0u64);
        }
    }
    let component: Vec<u32> = root.par_iter().map(|&r| index[r as usize]).collect();
    for &c in &component {
        sizes[c as usize] += 1;
    }
    Components { component, sizes }
}
