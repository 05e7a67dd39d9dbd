//! Weakly connected components, by a lock-free union-find over the edges
//! (parallel), linking the larger root under the smaller so that every
//! component's root is its smallest node id, whatever the thread schedule.

use crate::Csr;
use crate::parallel::{block_count, csr_blocks};
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
    let root: Vec<u32> = (0..n as u32)
        .into_par_iter()
        .map(|v| find(&parent, v))
        .collect();
    drop(parent);
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
