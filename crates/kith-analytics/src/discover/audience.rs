//! Network fit: how much of the brief's target audience an account reaches.
//!
//! The target audience T is the seeds (the brand's accounts and its
//! customers' accounts) and everyone in the world who follows a seed. For a
//! candidate a with F(a) its followers in the world:
//!
//! - hits(a) = |F(a) ∩ T|, plus `talks(a)`: members of T who replied to,
//!   mentioned, reposted or commented on a (counted apart);
//! - coverage(a) = hits(a) / |T|;
//! - precision(a) = hits(a) / (|F(a)| + 10): the share of its audience that is
//!   the brand's, shrunk toward 0 for accounts with few followers seen so
//!   that 2 of 2 does not beat 400 of 500;
//! - ppr(a): personalized PageRank from the seeds over the follow graph
//!   (random walks that follow the audience's follows, restarting at the
//!   seeds with probability 0.15), by forward push with its L1 error bound.
//!
//! network_fit = (coverage / max coverage + precision / max precision +
//! ppr / max ppr) / 3, the maxima taken over the candidates.
//!
//! Cost: O(Σ_{t ∈ T} out-degree(t)) for the hits, and the push touches only
//! the region around the seeds.

use kith_graph::{PushOptions, ppr_push};
use kith_store::World;
use rayon::prelude::*;

/// Shrinkage of precision, in followers.
pub const PRECISION_PRIOR: f64 = 10.0;

/// The target audience and what every node reaches of it.
#[derive(Debug, Clone)]
pub struct Audience {
    /// Seed nodes, sorted and unique.
    pub seeds: Vec<u32>,
    /// Whether each node is in T.
    pub member: Vec<bool>,
    pub size: u64,
    /// hits per node (followers in T).
    pub hits: Vec<u32>,
    /// T members who interacted with each node.
    pub talks: Vec<u32>,
    /// PPR estimate per node (0 outside the pushed region).
    pub ppr: Vec<f64>,
    /// L1 error bound of `ppr` (every estimate is a lower bound).
    pub ppr_l1_error: f64,
}

impl Audience {
    /// T from `seeds`, and every node's hits, talks and PPR.
    pub fn build(world: &World, seeds: &[u32]) -> Audience {
        let n = world.num_nodes();
        let mut seeds = seeds.to_vec();
        seeds.sort_unstable();
        seeds.dedup();
        let mut member = vec![false; n];
        for &s in &seeds {
            member[s as usize] = true;
            for &f in world.follows_in().neighbors(s) {
                member[f as usize] = true;
            }
        }
        let members: Vec<u32> = (0..n as u32).filter(|&v| member[v as usize]).collect();
        let size = members.len() as u64;
        let hits = count_targets(n, &members, |t, counts| {
            for &v in world.follows_out().neighbors(t) {
                counts[v as usize] += 1;
            }
        });
        let inter = world.interactions();
        let talks = count_targets(n, &members, |t, counts| {
            // distinct accounts t talked to, each counted once
            let mut to: Vec<u32> = world.interactions_from(t).map(|r| inter.to(r)).collect();
            to.sort_unstable();
            to.dedup();
            for v in to.into_iter().filter(|&v| v != t) {
                counts[v as usize] += 1;
            }
        });
        let (ppr, ppr_l1_error) = if seeds.is_empty() || world.follows_out().num_edges() == 0 {
            (vec![0.0; n], 0.0)
        } else {
            let weights: Vec<(u32, f64)> = seeds.iter().map(|&s| (s, 1.0)).collect();
            let opts = PushOptions {
                epsilon: 1e-6,
                ..PushOptions::default()
            };
            match ppr_push(world.follows_out(), &weights, &opts) {
                Ok(r) => {
                    let mut dense = vec![0.0; n];
                    for (v, x) in r.estimates {
                        dense[v as usize] = x;
                    }
                    (dense, r.l1_error)
                }
                // Seeds are valid nodes and weights are 1: cannot fail; if
                // it ever did, network fit falls back to hits alone.
                Err(_) => (vec![0.0; n], 1.0),
            }
        };
        Audience {
            seeds,
            member,
            size,
            hits,
            talks,
            ppr,
            ppr_l1_error,
        }
    }

    pub fn coverage(&self, v: u32) -> f64 {
        if self.size == 0 {
            0.0
        } else {
            self.hits[v as usize] as f64 / self.size as f64
        }
    }

    pub fn precision(&self, world: &World, v: u32) -> f64 {
        let seen = world.follows_in().degree(v) as f64;
        self.hits[v as usize] as f64 / (seen + PRECISION_PRIOR)
    }
}

/// Per-node counts that `visit(member, counts)` adds for every member, in
/// parallel (one count array per worker, summed at the end).
fn count_targets<F>(n: usize, members: &[u32], visit: F) -> Vec<u32>
where
    F: Fn(u32, &mut [u32]) + Sync,
{
    members
        .par_chunks(4096)
        .fold(
            || vec![0u32; n],
            |mut acc, chunk| {
                for &t in chunk {
                    visit(t, &mut acc);
                }
                acc
            },
        )
        .reduce(
            || vec![0u32; n],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )
}
