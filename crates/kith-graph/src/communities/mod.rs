//! Community detection by modularity: Leiden (Traag, Waltman and van Eck,
//! 2019), and Louvain (Blondel et al., 2008) as the same machinery without
//! the refinement phase, on the undirected simple graph.
//!
//! Modularity with resolution γ is
//! Q = Σ_c [ w_in(c) / 2m − γ (K_c / 2m)² ],
//! with w_in(c) the weight of edges inside c counted in both directions,
//! K_c the sum of degrees in c and 2m the sum of all degrees. Runs are
//! sequential and seeded, so a seed always gives the same communities.

mod moves;
mod weighted;

use crate::csr::Members;
use crate::parallel::deterministic_sum;
use crate::rng::Rng;
use crate::{Csr, GraphError};
use moves::{ScratchPool, move_nodes, refine};
use rayon::prelude::*;
use std::borrow::Cow;
use weighted::{SpareEdges, WeightedGraph};

/// Which algorithm to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommunityAlgorithm {
    Leiden,
    Louvain,
}

/// Settings of a community detection run.
#[derive(Clone, Debug, PartialEq)]
pub struct CommunityOptions {
    pub algorithm: CommunityAlgorithm,
    /// γ: above 1 favours more, smaller communities; below 1 fewer, larger.
    pub resolution: f64,
    pub seed: u64,
    /// Leiden's refinement randomness θ, in edge weight. 0 (the default)
    /// is greedy: each singleton joins the sub-community of largest gain,
    /// as NetworKit's ParallelLeiden does. Above 0 it joins one at random
    /// with probability ∝ exp(gain / θ), as igraph does (its `beta`, 0.01).
    pub randomness: f64,
    /// Full passes over the graph, each starting from the previous result
    /// ([`DEFAULT_PASSES`] by default).
    pub max_iterations: usize,
    /// Stop when a pass raises modularity by less than this.
    pub min_gain: f64,
}

/// The default number of passes, for both algorithms (measured in
/// docs/graph.md with `examples/community_passes.rs`).
///
/// Louvain's third pass added 6e-5 to the modularity on ego-twitter and
/// 1.3e-4 on R-MAT scale 20, for 20-30% more time. Leiden's, with greedy
/// refinement, added 3e-4 on R-MAT scale 22 (0.07503 → 0.07534) for 35%
/// more time (17.1 → 23.1 s), and two passes already stand above
/// NetworKit's and igraph's Leiden there (0.0743 and 0.0746).
pub const DEFAULT_PASSES: usize = 2;

impl CommunityOptions {
    /// The defaults for `algorithm`: resolution 1, seed 1, greedy
    /// refinement (randomness 0), and at most [`DEFAULT_PASSES`] passes,
    /// stopping sooner once a pass gains less than 1e-3.
    pub fn new(algorithm: CommunityAlgorithm) -> CommunityOptions {
        CommunityOptions {
            algorithm,
            resolution: 1.0,
            seed: 1,
            randomness: 0.0,
            max_iterations: DEFAULT_PASSES,
            min_gain: 1e-3,
        }
    }
}

impl Default for CommunityOptions {
    /// Leiden's defaults ([`CommunityOptions::new`]).
    fn default() -> CommunityOptions {
        CommunityOptions::new(CommunityAlgorithm::Leiden)
    }
}

/// A partition into communities.
#[derive(Clone, Debug, PartialEq)]
pub struct Communities {
    /// Community of each node, numbered by decreasing size (ties: by
    /// smallest member).
    pub membership: Vec<u32>,
    /// Node count of each community.
    pub sizes: Vec<u64>,
    /// Modularity of the partition at the resolution used.
    pub modularity: f64,
    /// Passes run (the last one may have been discarded for lowering modularity).
    pub iterations: usize,
}

impl Communities {
    pub fn count(&self) -> usize {
        self.sizes.len()
    }
}

/// Detects communities of an undirected graph given as a symmetric CSR
/// (see [`Csr::symmetrize_simple`]); self-loops are ignored.
pub fn detect_communities(
    undirected: &Csr,
    opts: &CommunityOptions,
) -> Result<Communities, GraphError> {
    detect_with(Cow::Borrowed(undirected), opts, Tuning::default())
}

/// [`detect_communities`] on a graph the caller no longer needs: on large
/// graphs, which are relabelled by degree first, the input is not held
/// through the run, and the next level writes into its edge array.
pub fn detect_communities_owned(
    undirected: Csr,
    opts: &CommunityOptions,
) -> Result<Communities, GraphError> {
    detect_with(Cow::Owned(undirected), opts, Tuning::default())
}

/// Switches that change how a run gets its result, never the result
/// itself; tests force each way to show that.
#[derive(Clone, Copy, Debug, Default)]
struct Tuning {
    /// Whether the level after the input may be regrouped rather than
    /// aggregated (see [`WeightedGraph::regroup`]); by default where a
    /// sample says merging would keep at least `REGROUP_MIN_SHARE` of the
    /// entries.
    regroup: Switch,
    /// Whether the input is relabelled by decreasing degree
    /// ([`hub_ordered`]); by default from `HUB_ORDER_MIN_NODES` nodes.
    hub_order: Switch,
    /// Whether tallying a list prefetches its targets' communities (see
    /// `moves::tally_targets`); by default from `PREFETCH_MIN_NODES` nodes.
    prefetch: Switch,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Switch {
    /// Where the measured rule of each use says it pays.
    #[default]
    Auto,
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
    #[cfg_attr(not(test), allow(dead_code))]
    Never,
}

impl Switch {
    fn on(self, auto: impl FnOnce() -> bool) -> bool {
        match self {
            Switch::Auto => auto(),
            Switch::Always => true,
            Switch::Never => false,
        }
    }
}

fn detect_with(
    undirected: Cow<'_, Csr>,
    opts: &CommunityOptions,
    tuning: Tuning,
) -> Result<Communities, GraphError> {
    if !(opts.resolution.is_finite() && opts.resolution > 0.0) {
        return Err(GraphError::invalid("resolution must be a positive number"));
    }
    if !(opts.randomness.is_finite() && opts.randomness >= 0.0) {
        return Err(GraphError::invalid(
            "randomness must be a non-negative number",
        ));
    }
    if !(opts.min_gain.is_finite() && opts.min_gain >= 0.0) {
        return Err(GraphError::invalid(
            "min_gain must be a non-negative number",
        ));
    }
    let n = undirected.num_nodes();
    // new id of each input node, if relabelled
    let mut hub_rank = None;
    let mut spare = SpareEdges::new(undirected.num_edges());
    let input = if tuning.hub_order.on(|| n >= HUB_ORDER_MIN_NODES) {
        let (graph, rank) = hub_ordered(&undirected);
        hub_rank = Some(rank);
        // An owned input's targets, as long as the next level's at most,
        // take that level's entries in pages already faulted in.
        if let Some(targets) = match undirected {
            Cow::Owned(input) => input.into_targets(),
            Cow::Borrowed(_) => None,
        } {
            spare.keep_targets(targets);
        }
        Cow::Owned(graph)
    } else {
        undirected
    };
    let base = WeightedGraph::from_symmetric(&input);
    let mut rng = Rng::new(opts.seed);
    let mut membership: Vec<u32> = (0..n as u32).collect();
    let mut quality = singleton_modularity(&base, opts.resolution);
    let mut iterations = 0;
    let pool = ScratchPool::new(n, tuning.prefetch.on(|| n >= PREFETCH_MIN_NODES));
    if base.total > 0.0 {
        while iterations < opts.max_iterations.max(1) {
            iterations += 1;
            let (next, next_quality) = one_pass(
                &base,
                &membership,
                opts,
                &mut rng,
                &pool,
                &mut spare,
                tuning.regroup,
            );
            // Later passes only refine: stop once one gains almost nothing.
            let gain = next_quality - quality;
            if gain >= 0.0 {
                membership = next;
                quality = next_quality;
            }
            if gain < opts.min_gain {
                break;
            }
        }
    }
    if let Some(rank) = &hub_rank {
        membership = rank.par_iter().map(|&r| membership[r as usize]).collect();
    }
    let membership = renumber_by_size(&membership);
    // equal to modularity_of(&base, &membership) but for rounding
    let modularity = quality;
    let mut sizes = vec![
        0u64;
        membership
            .iter()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0)
    ];
    membership.iter().for_each(|&c| sizes[c as usize] += 1);
    Ok(Communities {
        membership,
        sizes,
        modularity,
        iterations,
    })
}

/// Graphs with at least this many nodes are relabelled by decreasing degree
/// before detection, as PageRank's sources are. On ego-twitter (81,306
/// nodes), whose arrays fit in the caches anyway, it gained nothing.
const HUB_ORDER_MIN_NODES: usize = 1 << 17;

/// The input graph with its nodes renamed by decreasing degree (ties by
/// id), and the new id of each node. The per-node and per-community arrays
/// that every phase reads at random are read most at hubs, which then share
/// cache lines instead of being scattered over arrays larger than the
/// cache; with each list sorted, a node's hub neighbours also come first.
/// Costs one pass over the lists: on R-MAT scale 22, 0.4-0.7 s of Leiden
/// runs that went from 13.6-16.4 s to 12.1-13.5 s (docs/graph.md).
fn hub_ordered(undirected: &Csr) -> (Csr, Vec<u32>) {
    let (order, rank) = crate::csr::by_decreasing_degree(undirected.offsets());
    (undirected.relabeled(&order, &rank), rank)
}

/// Graphs with at least this many nodes prefetch communities while
/// tallying lists: R-MAT scale 22 Leiden ran 9% faster (6 of 7 alternating
/// pairs). Below, the per-node arrays mostly fit in the caches, as for
/// k-core's counts (`kcore::PREFETCH_COUNTS_MIN_NODES`).
const PREFETCH_MIN_NODES: usize = 1 << 18;

/// The input level is regrouped rather than aggregated when merging would
/// keep at least this share of its list entries: a regrouped entry takes 4
/// bytes and a merged one 8, and merging costs an accumulator pass. Where
/// communities are strong the share is small (ego-twitter: 17%) and merging
/// pays; on R-MAT it is 96-97%.
const REGROUP_MIN_SHARE: f64 = 0.6;

/// Groups sampled to estimate that share.
const SAMPLE_GROUPS: usize = 4096;

/// Estimated share of `g`'s list entries that aggregating by `group`
/// would keep: distinct neighbouring groups over entries, summed over
/// evenly spaced groups.
fn merged_share(g: &WeightedGraph, group: &[u32], members: &Members, pool: &ScratchPool) -> f64 {
    let count = members.count();
    let step = count.div_ceil(SAMPLE_GROUPS).max(1);
    let (mut kept, mut entries) = (0usize, 0usize);
    pool.with(|acc| {
        for p in (0..count).step_by(step) {
            for &v in members.of(p) {
                let (targets, weights) = g.edges(v);
                entries += targets.len();
                acc.add_edges(targets, weights, group);
            }
            kept += acc.touched().len() - (acc.get(p as u32) > 0.0) as usize;
            acc.clear();
        }
    });
    if entries == 0 {
        0.0
    } else {
        kept as f64 / entries as f64
    }
}

/// One Leiden (or Louvain) pass from `start`: move, refine, aggregate, until
/// a level leaves every node alone. Returns the partition and its modularity,
/// taken from the last level's graph (whose nodes are then the communities)
/// rather than by another scan of every edge.
fn one_pass(
    base: &WeightedGraph,
    start: &[u32],
    opts: &CommunityOptions,
    rng: &mut Rng,
    pool: &ScratchPool,
    spare: &mut SpareEdges,
    regroup: Switch,
) -> (Vec<u32>, f64) {
    let n = base.num_nodes();
    // node of the current graph that each original node belongs to
    let mut node_of: Vec<u32> = (0..n as u32).collect();
    let mut part = dense_ids(start).0;
    let mut owned: Option<WeightedGraph<'static>> = None;
    loop {
        let g: &WeightedGraph = owned.as_ref().unwrap_or(base);
        move_nodes(g, &mut part, opts.resolution, rng, pool);
        let (dense_part, parts) = dense_ids(&part);
        part = dense_part;
        if parts == g.num_nodes() {
            let quality = singleton_modularity(g, opts.resolution);
            let membership = node_of.par_iter().map(|&x| part[x as usize]).collect();
            if let Some(done) = owned {
                spare.recycle(done);
            }
            return (membership, quality);
        }
        let (refined, subparts) = match opts.algorithm {
            CommunityAlgorithm::Leiden => {
                let seed = rng.next_u64();
                let (r, s) = dense_ids(&refine(
                    g,
                    &part,
                    parts,
                    opts.resolution,
                    opts.randomness,
                    seed,
                    pool,
                ));
                // a refinement that merged nothing would aggregate to the same graph
                if s == g.num_nodes() {
                    (part.clone(), parts)
                } else {
                    (r, s)
                }
            }
            CommunityAlgorithm::Louvain => (part.clone(), parts),
        };
        let members = Members::new(&refined, subparts);
        // Louvain's communities merge well; Leiden's refined ones may not
        let regrouped = owned.is_none()
            && opts.algorithm == CommunityAlgorithm::Leiden
            && regroup.on(|| merged_share(g, &refined, &members, pool) >= REGROUP_MIN_SHARE);
        let next = if regrouped {
            g.regroup(&refined, &members, spare)
        } else {
            g.aggregate(&refined, &members, pool, spare)
        };
        let mut next_part = vec![0u32; subparts];
        for v in 0..g.num_nodes() {
            next_part[refined[v] as usize] = part[v];
        }
        node_of
            .par_iter_mut()
            .for_each(|x| *x = refined[*x as usize]);
        part = next_part;
        if let Some(done) = owned.replace(next) {
            spare.recycle(done);
        }
    }
}

/// Modularity of the partition of `g` into single nodes (its internal edges
/// are in `self_weight`). Edge weights are whole numbers, so the sums are
/// exact and this equals the modularity of the same communities on the
/// graph `g` was aggregated from, but for the rounding of the last term.
fn singleton_modularity(g: &WeightedGraph, resolution: f64) -> f64 {
    if g.total <= 0.0 {
        return 0.0;
    }
    let m2 = g.total;
    let inside: f64 = g.self_weight.iter().sum();
    let expected: f64 = g.strength.iter().map(|&k| (k / m2) * (k / m2)).sum();
    inside / m2 - resolution * expected
}

/// Renumbers ids densely in order of first appearance; returns the count.
fn dense_ids(ids: &[u32]) -> (Vec<u32>, usize) {
    let bound = ids.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut map = vec![u32::MAX; bound];
    let mut next = 0u32;
    let out = ids
        .iter()
        .map(|&c| {
            let slot = &mut map[c as usize];
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *slot
        })
        .collect();
    (out, next as usize)
}

fn renumber_by_size(membership: &[u32]) -> Vec<u32> {
    let (dense, count) = dense_ids(membership);
    let mut size = vec![0u64; count];
    dense.iter().for_each(|&c| size[c as usize] += 1);
    // dense ids already follow smallest member, so a stable sort by size
    // breaks ties by smallest member
    let mut order: Vec<u32> = (0..count as u32).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(size[c as usize]));
    let mut rank = vec![0u32; count];
    for (r, &c) in order.iter().enumerate() {
        rank[c as usize] = r as u32;
    }
    dense.iter().map(|&c| rank[c as usize]).collect()
}

fn modularity_of(g: &WeightedGraph, membership: &[u32], resolution: f64) -> f64 {
    if g.total <= 0.0 {
        return 0.0;
    }
    let m2 = g.total;
    // Σ_c w_in(c) is a sum over nodes of their weight into their own community.
    let inside: Vec<f64> = (0..g.num_nodes())
        .into_par_iter()
        .map(|v| {
            let c = membership[v];
            let mut w_in = g.self_weight[v];
            g.for_each_edge(v as u32, |u, w| {
                if membership[u as usize] == c {
                    w_in += w;
                }
            });
            w_in
        })
        .collect();
    let count = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut strength = vec![0.0; count];
    for v in 0..g.num_nodes() {
        strength[membership[v] as usize] += g.strength[v];
    }
    let expected: f64 = strength.iter().map(|&k| (k / m2) * (k / m2)).sum();
    deterministic_sum(&inside) / m2 - resolution * expected
}

/// Modularity of `membership` (any ids) on an undirected graph given as a
/// symmetric CSR, at resolution γ; self-loops are ignored.
pub fn modularity(
    undirected: &Csr,
    membership: &[u32],
    resolution: f64,
) -> Result<f64, GraphError> {
    if membership.len() != undirected.num_nodes() {
        return Err(GraphError::invalid(format!(
            "membership has {} entries for {} nodes",
            membership.len(),
            undirected.num_nodes()
        )));
    }
    let g = WeightedGraph::from_symmetric(undirected);
    Ok(modularity_of(&g, &dense_ids(membership).0, resolution))
}

/// Normalized mutual information between two labellings of the same nodes,
/// I(A; B) / ((H(A) + H(B)) / 2) (the arithmetic normalization igraph and
/// scikit-learn use); 1 for identical partitions.
pub fn normalized_mutual_information(a: &[u32], b: &[u32]) -> Result<f64, GraphError> {
    if a.len() != b.len() {
        return Err(GraphError::invalid("labellings differ in length"));
    }
    let n = a.len() as f64;
    if a.is_empty() {
        return Ok(1.0);
    }
    let (a, ka) = dense_ids(a);
    let (b, kb) = dense_ids(b);
    let mut joint: rustc_hash::FxHashMap<(u32, u32), f64> = rustc_hash::FxHashMap::default();
    let mut pa = vec![0.0; ka];
    let mut pb = vec![0.0; kb];
    for (&x, &y) in a.iter().zip(&b) {
        *joint.entry((x, y)).or_default() += 1.0;
        pa[x as usize] += 1.0;
        pb[y as usize] += 1.0;
    }
    let entropy = |p: &[f64]| -> f64 {
        p.iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| -(c / n) * (c / n).ln())
            .sum()
    };
    let (ha, hb) = (entropy(&pa), entropy(&pb));
    let mutual: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| (c / n) * ((c * n) / (pa[x as usize] * pb[y as usize])).ln())
        .sum();
    if ha + hb == 0.0 {
        return Ok(1.0);
    }
    Ok((2.0 * mutual / (ha + hb)).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rmat(scale: u32) -> Csr {
        crate::rmat_csr(&crate::RmatParams {
            scale,
            ..Default::default()
        })
        .unwrap()
        .symmetrize_simple()
    }

    /// A regrouped level gives exactly the partition its merged aggregate
    /// gives: the same sums, met in the same order.
    #[test]
    fn regrouping_changes_no_result() {
        let mut loops: Vec<(u32, u32)> = rmat(11).edges().collect();
        loops.extend((0..40u32).map(|v| (v * 7, v * 7)));
        let with_loops = Csr::from_edges(2048, loops);
        for g in [rmat(15), with_loops] {
            for randomness in [0.0, 0.01] {
                let opts = CommunityOptions {
                    randomness,
                    ..CommunityOptions::new(CommunityAlgorithm::Leiden)
                };
                let tuning = |regroup| Tuning {
                    regroup,
                    ..Tuning::default()
                };
                let regrouped =
                    detect_with(Cow::Borrowed(&g), &opts, tuning(Switch::Always)).unwrap();
                let merged = detect_with(Cow::Borrowed(&g), &opts, tuning(Switch::Never)).unwrap();
                assert_eq!(regrouped.membership, merged.membership);
                assert!((regrouped.modularity - merged.modularity).abs() < 1e-12);
                let recomputed = modularity(&g, &regrouped.membership, 1.0).unwrap();
                assert!((regrouped.modularity - recomputed).abs() < 1e-9);
            }
        }
    }

    /// Prefetching is only a hint: forced on and off, the same partitions,
    /// for both algorithms, on the counted input level and the weighted
    /// levels after it.
    #[test]
    fn prefetching_changes_no_result() {
        let g = rmat(14);
        let tuning = |prefetch| Tuning {
            prefetch,
            ..Tuning::default()
        };
        for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
            let opts = CommunityOptions::new(algorithm);
            let on = detect_with(Cow::Borrowed(&g), &opts, tuning(Switch::Always)).unwrap();
            let off = detect_with(Cow::Borrowed(&g), &opts, tuning(Switch::Never)).unwrap();
            assert_eq!(on, off, "{algorithm:?}");
        }
    }

    /// Relabelling by degree renames nodes and nothing else: the partition
    /// is the one found on the relabelled graph itself, mapped back, and its
    /// modularity is the input's. Owned or borrowed input, the same.
    #[test]
    fn hub_order_only_renames_nodes() {
        let mut loops: Vec<(u32, u32)> = rmat(12).edges().collect();
        loops.extend((0..60u32).map(|v| (v * 5, v * 5)));
        let with_loops = Csr::from_edges(4096, loops);
        let tuning = |hub_order| Tuning {
            hub_order,
            ..Tuning::default()
        };
        for (g, algorithm) in [
            (rmat(14), CommunityAlgorithm::Leiden),
            (rmat(14), CommunityAlgorithm::Louvain),
            (with_loops, CommunityAlgorithm::Leiden),
        ] {
            let opts = CommunityOptions::new(algorithm);
            let found = detect_with(Cow::Borrowed(&g), &opts, tuning(Switch::Always)).unwrap();
            let (relabelled, rank) = hub_ordered(&g);
            let direct = detect_with(Cow::Owned(relabelled), &opts, tuning(Switch::Never)).unwrap();
            let mapped: Vec<u32> = rank
                .iter()
                .map(|&r| direct.membership[r as usize])
                .collect();
            assert_eq!(found.membership, renumber_by_size(&mapped));
            assert!((found.modularity - direct.modularity).abs() < 1e-12);
            let recomputed = modularity(&g, &found.membership, 1.0).unwrap();
            assert!((found.modularity - recomputed).abs() < 1e-9);
            let owned = detect_with(Cow::Owned(g.clone()), &opts, tuning(Switch::Always)).unwrap();
            assert_eq!(owned, found);
        }
    }
}
