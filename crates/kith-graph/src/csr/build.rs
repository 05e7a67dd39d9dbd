//! Building CSR arrays: parallel counting sort, per-node sort and dedup,
//! transposition and merging of two adjacency structures.

use super::Csr;
use crate::parallel::{SharedMut, block_count, csr_blocks, exclusive_prefix_sum, node_blocks};
use rayon::prelude::*;

/// Pairs (bucket, value) split into ordered chunks; bucketing keeps, within
/// each bucket, the order of chunks and the order inside each chunk.
trait PairSource: Sync {
    fn num_chunks(&self) -> usize;
    fn for_each_in_chunk(&self, chunk: usize, f: impl FnMut(u32, u32));
}

/// Edges held in several vectors, read as one sequence cut into `chunks`
/// equal ranges.
struct EdgeBlocks<'a> {
    blocks: &'a [Vec<(u32, u32)>],
    /// `starts[i]` = number of edges in blocks before block i; one extra entry.
    starts: Vec<usize>,
    chunks: usize,
}

impl<'a> EdgeBlocks<'a> {
    fn new(blocks: &'a [Vec<(u32, u32)>], chunks: usize) -> EdgeBlocks<'a> {
        let mut starts = Vec::with_capacity(blocks.len() + 1);
        let mut sum = 0;
        starts.push(0);
        for b in blocks {
            sum += b.len();
            starts.push(sum);
        }
        EdgeBlocks {
            blocks,
            starts,
            chunks,
        }
    }

    fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }
}

impl PairSource for EdgeBlocks<'_> {
    fn num_chunks(&self) -> usize {
        self.chunks
    }
    fn for_each_in_chunk(&self, chunk: usize, mut f: impl FnMut(u32, u32)) {
        let len = self.len();
        let (lo, hi) = (chunk * len / self.chunks, (chunk + 1) * len / self.chunks);
        // first block that ends after `lo`
        let mut b = self.starts.partition_point(|&s| s <= lo).saturating_sub(1);
        let mut pos = lo;
        while pos < hi && b < self.blocks.len() {
            let block_start = self.starts[b];
            let from = pos - block_start;
            let to = (hi - block_start).min(self.blocks[b].len());
            for &(s, t) in &self.blocks[b][from..to] {
                f(s, t);
            }
            pos = block_start + to;
            b += 1;
        }
    }
}

/// The edges of a CSR reversed: bucket = target, value = source.
struct ReversedCsr<'a> {
    csr: &'a Csr,
    blocks: Vec<(usize, usize)>,
}

impl PairSource for ReversedCsr<'_> {
    fn num_chunks(&self) -> usize {
        self.blocks.len()
    }
    fn for_each_in_chunk(&self, chunk: usize, mut f: impl FnMut(u32, u32)) {
        let (a, b) = self.blocks[chunk];
        let offsets = self.csr.offsets();
        let targets = self.csr.targets();
        for u in a..b {
            for &v in &targets[offsets[u] as usize..offsets[u + 1] as usize] {
                f(v, u as u32);
            }
        }
    }
}

/// How many per-thread histograms a counting sort of `total` pairs into `n`
/// buckets may use: one per thread, but the histograms (4 bytes per bucket
/// each) may not take more than half the output's 4 bytes per pair.
fn histogram_chunks(n: usize, total: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let by_memory = total / (2 * n.max(1));
    threads.min(by_memory).max(1)
}

/// A per-bucket counter: `u32` normally, `u64` when a chunk could overflow it.
trait Count: Copy + Default + Send + Sync {
    fn to_u64(self) -> u64;
    fn from_u64(v: u64) -> Self;
}
impl Count for u32 {
    fn to_u64(self) -> u64 {
        self as u64
    }
    fn from_u64(v: u64) -> u32 {
        v as u32
    }
}
impl Count for u64 {
    fn to_u64(self) -> u64 {
        self
    }
    fn from_u64(v: u64) -> u64 {
        v
    }
}

/// Counting sort of pairs by bucket: returns `n + 1` offsets and the values.
fn bucket_pairs<S: PairSource>(n: usize, total: usize, src: &S) -> (Vec<u64>, Vec<u32>) {
    if total <= u32::MAX as usize {
        bucket_pairs_with::<S, u32>(n, total, src)
    } else {
        bucket_pairs_with::<S, u64>(n, total, src)
    }
}

fn bucket_pairs_with<S: PairSource, C: Count>(
    n: usize,
    total: usize,
    src: &S,
) -> (Vec<u64>, Vec<u32>) {
    let chunks = src.num_chunks();
    let mut counts: Vec<Vec<C>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut h = vec![C::default(); n];
            src.for_each_in_chunk(c, |k, _| {
                let slot = &mut h[k as usize];
                *slot = C::from_u64(slot.to_u64() + 1);
            });
            h
        })
        .collect();

    // Per bucket: total count into `offsets`, and each chunk's count turned
    // into that chunk's starting position relative to the bucket's start.
    let mut offsets = vec![0u64; n + 1];
    {
        let hists: Vec<SharedMut<C>> = counts.iter_mut().map(|h| SharedMut::new(h)).collect();
        offsets[..n]
            .par_chunks_mut(1 << 14)
            .enumerate()
            .for_each(|(i, out)| {
                let base = i << 14;
                for (j, slot) in out.iter_mut().enumerate() {
                    let v = base + j;
                    let mut sum = 0u64;
                    for h in &hists {
                        // SAFETY: v < n, and each v is visited by exactly one task.
                        let cell = unsafe { &mut h.slice_mut(v, 1)[0] };
                        let c = cell.to_u64();
                        *cell = C::from_u64(sum);
                        sum += c;
                    }
                    *slot = sum;
                }
            });
    }
    let m = exclusive_prefix_sum(&mut offsets[..n]);
    offsets[n] = m;
    debug_assert_eq!(m as usize, total);

    let mut values = vec![0u32; total];
    let out = SharedMut::new(&mut values);
    let offsets_ref = &offsets;
    counts.par_iter_mut().enumerate().for_each(|(c, cursor)| {
        src.for_each_in_chunk(c, |k, v| {
            let k = k as usize;
            let pos = offsets_ref[k] + cursor[k].to_u64();
            cursor[k] = C::from_u64(cursor[k].to_u64() + 1);
            // SAFETY: positions offsets[k] + (this chunk's share of bucket k)
            // are owned by this chunk alone and lie below `total`.
            unsafe { out.write(pos as usize, v) };
        });
    });
    (offsets, values)
}

/// Smallest node count covering `num_nodes` and every endpoint.
fn covering_nodes(num_nodes: usize, edges: &[(u32, u32)]) -> usize {
    let max_id = edges.par_iter().map(|&(s, t)| s.max(t)).max();
    num_nodes.max(max_id.map_or(0, |x| x as usize + 1))
}

pub(super) fn from_edges(num_nodes: usize, edges: Vec<(u32, u32)>) -> (Vec<u64>, Vec<u32>) {
    from_edge_blocks(num_nodes, vec![edges])
}

pub(super) fn from_edge_blocks(
    num_nodes: usize,
    blocks: Vec<Vec<(u32, u32)>>,
) -> (Vec<u64>, Vec<u32>) {
    let n = blocks.iter().fold(num_nodes, |n, b| covering_nodes(n, b));
    let m: usize = blocks.iter().map(Vec::len).sum();
    let src = EdgeBlocks::new(&blocks, histogram_chunks(n, m));
    let (offsets, targets) = bucket_pairs(n, m, &src);
    drop(src);
    drop(blocks);
    sort_and_dedup(offsets, targets)
}

/// Sorts every adjacency and removes repeats, compacting the targets.
fn sort_and_dedup(mut offsets: Vec<u64>, mut targets: Vec<u32>) -> (Vec<u64>, Vec<u32>) {
    let n = offsets.len() - 1;
    let blocks = csr_blocks(&offsets, block_count(n + targets.len()));
    let out = SharedMut::new(&mut targets);
    let offsets_ref = &offsets;
    let kept: Vec<Vec<u64>> = blocks
        .par_iter()
        .map(|&(a, b)| {
            let base = offsets_ref[a] as usize;
            // SAFETY: blocks are disjoint node ranges, so their target ranges are disjoint.
            let slice = unsafe { out.slice_mut(base, offsets_ref[b] as usize - base) };
            let mut write = 0usize;
            let mut lens = Vec::with_capacity(b - a);
            for v in a..b {
                let (s, e) = (
                    offsets_ref[v] as usize - base,
                    offsets_ref[v + 1] as usize - base,
                );
                let adj = &mut slice[s..e];
                if !adj.is_sorted() {
                    adj.sort_unstable();
                }
                let start = write;
                for i in s..e {
                    let x = slice[i];
                    if write == start || slice[write - 1] != x {
                        slice[write] = x;
                        write += 1;
                    }
                }
                lens.push((write - start) as u64);
            }
            lens
        })
        .collect();

    let kept_total: u64 = kept.iter().flatten().sum();
    if kept_total as usize == targets.len() {
        return (offsets, targets);
    }
    // Slide each block's kept prefix down; blocks are in node order, so the
    // destination never overtakes a source not yet moved.
    let mut write = 0usize;
    for (&(a, _), lens) in blocks.iter().zip(&kept) {
        let start = offsets[a] as usize;
        let len: u64 = lens.iter().sum();
        targets.copy_within(start..start + len as usize, write);
        write += len as usize;
    }
    targets.truncate(write);
    targets.shrink_to_fit();
    let mut v = 0usize;
    for lens in &kept {
        for &len in lens {
            offsets[v + 1] = offsets[v] + len;
            v += 1;
        }
    }
    (offsets, targets)
}

pub(super) fn transpose(csr: &Csr) -> (Vec<u64>, Vec<u32>) {
    let n = csr.num_nodes();
    let m = csr.num_edges();
    let src = ReversedCsr {
        csr,
        blocks: csr_blocks(csr.offsets(), histogram_chunks(n, m)),
    };
    if src.blocks.is_empty() {
        return (vec![0; n + 1], Vec::new());
    }
    bucket_pairs(n, m, &src)
}

pub(super) fn with_added_edges(
    csr: &Csr,
    num_nodes: usize,
    new_edges: Vec<(u32, u32)>,
) -> (Vec<u64>, Vec<u32>) {
    let n = covering_nodes(num_nodes.max(csr.num_nodes()), &new_edges);
    let (offsets, targets) = from_edges(n, new_edges);
    let added = Csr::from_parts_unchecked(offsets, targets);
    merge_adjacency(n, csr, &added, false)
}

pub(super) fn symmetrize_simple(csr: &Csr) -> (Vec<u64>, Vec<u32>) {
    let reversed = csr.transpose();
    merge_adjacency(csr.num_nodes(), csr, &reversed, true)
}

/// See [`Csr::relabeled`]: each new list is the old one mapped through
/// `new_id`, then sorted, block by block on all threads.
pub(super) fn relabel(csr: &Csr, order: &[u32], new_id: &[u32]) -> (Vec<u64>, Vec<u32>) {
    let n = csr.num_nodes();
    // The writes below are unchecked, and sound only for a permutation
    // and its inverse; checking costs one pass over the nodes.
    assert!(
        order.len() == n
            && new_id.len() == n
            && order
                .par_iter()
                .enumerate()
                .all(|(i, &v)| { (v as usize) < n && new_id[v as usize] as usize == i }),
        "relabel needs a permutation of the nodes and its inverse"
    );
    let mut offsets = vec![0u64; n + 1];
    offsets[..n]
        .par_iter_mut()
        .zip(order.par_iter())
        .for_each(|(d, &v)| *d = csr.degree(v) as u64);
    let m = exclusive_prefix_sum(&mut offsets);
    let mut targets = vec![0u32; m as usize];
    let out = SharedMut::new(&mut targets);
    let offsets_ref = &offsets;
    let id_bits = u32::BITS - (n.max(2) as u32 - 1).leading_zeros();
    // Old lists in their own order (read streaming), each written to its new
    // place: reading them in the new order made every list a random load.
    let old_offsets = csr.offsets();
    let blocks = node_blocks(n, |i| old_offsets[i], block_count(n + m as usize));
    blocks.par_iter().for_each(|&(a, b)| {
        let mut scratch = Vec::new();
        for v in a..b {
            let neighbors = csr.neighbors(v as u32);
            let r = new_id[v] as usize;
            // SAFETY: new node r's list is offsets[r]..offsets[r + 1], and
            // each new node is written by exactly one old node.
            let list = unsafe { out.slice_mut(offsets_ref[r] as usize, neighbors.len()) };
            for (slot, &u) in list.iter_mut().zip(neighbors) {
                *slot = new_id[u as usize];
            }
            if list.len() >= RADIX_SORT_MIN_LEN {
                radix_sort_ids(list, &mut scratch, id_bits);
            } else {
                list.sort_unstable();
            }
        }
    });
    (offsets, targets)
}

/// Lists at least this long are radix sorted: on R-MAT the few hub lists
/// hold much of the graph's entries, and a comparison sort of them took
/// longer than building the whole relabelled graph.
const RADIX_SORT_MIN_LEN: usize = 512;

/// Sorts ids below `2^bits` by least-significant-digit radix sort, 11 bits
/// a digit, through `scratch`.
fn radix_sort_ids(list: &mut [u32], scratch: &mut Vec<u32>, bits: u32) {
    const DIGIT: u32 = 11;
    const MASK: u32 = (1 << DIGIT) - 1;
    let passes = bits.div_ceil(DIGIT).max(1);
    if scratch.len() < list.len() {
        scratch.resize(list.len(), 0);
    }
    let len = list.len();
    let (mut src, mut dst): (&mut [u32], &mut [u32]) = (list, &mut scratch[..len]);
    let mut count = [0u64; 1 << DIGIT];
    for pass in 0..passes {
        let shift = pass * DIGIT;
        count.fill(0);
        for &x in src.iter() {
            count[((x >> shift) & MASK) as usize] += 1;
        }
        exclusive_prefix_sum(&mut count);
        for &x in src.iter() {
            let slot = &mut count[((x >> shift) & MASK) as usize];
            dst[*slot as usize] = x;
            *slot += 1;
        }
        std::mem::swap(&mut src, &mut dst);
    }
    // after an odd number of passes the sorted ids are in the scratch
    if passes % 2 == 1 {
        dst.copy_from_slice(src);
    }
}

/// Union of two graphs' adjacencies over `n` nodes (a node past a graph has
/// no neighbours there), optionally without self-loops. Two passes: count,
/// then fill, so the output is allocated once at its final size.
pub(crate) fn merge_adjacency(
    n: usize,
    left: &Csr,
    right: &Csr,
    drop_self_loops: bool,
) -> (Vec<u64>, Vec<u32>) {
    let (lo, ro) = (left.offsets(), right.offsets());
    let (ln, rn) = (left.num_nodes(), right.num_nodes());
    let work = |i: usize| lo[i.min(ln)] + ro[i.min(rn)];
    let blocks = node_blocks(
        n,
        work,
        block_count(n + left.num_edges() + right.num_edges()),
    );

    let degrees: Vec<Vec<u64>> = blocks
        .par_iter()
        .map(|&(a, b)| {
            (a..b)
                .map(|v| {
                    let (l, r) = (left.neighbors(v as u32), right.neighbors(v as u32));
                    if drop_self_loops {
                        union_len_without(l, r, v as u32) as u64
                    } else {
                        union_len(l, r) as u64
                    }
                })
                .collect()
        })
        .collect();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0u64);
    let mut sum = 0u64;
    for d in degrees.iter().flatten() {
        sum += d;
        offsets.push(sum);
    }
    drop(degrees);

    let mut targets = vec![0u32; sum as usize];
    let out = SharedMut::new(&mut targets);
    let offsets_ref = &offsets;
    blocks.par_iter().for_each(|&(a, b)| {
        let mut pos = offsets_ref[a] as usize;
        for v in a..b {
            merge_sorted(left.neighbors(v as u32), right.neighbors(v as u32), |x| {
                if !(drop_self_loops && x as usize == v) {
                    // SAFETY: node v's range offsets[v]..offsets[v+1] belongs to this block.
                    unsafe { out.write(pos, x) };
                    pos += 1;
                }
            });
        }
    });
    (offsets, targets)
}

/// Calls `emit` on the union of two strictly increasing lists, in order.
///
/// Without branches on the comparison: which list holds the next smaller
/// id is a coin toss on real graphs (out- and in-lists interleave), and the
/// mispredicted branch of the usual three-way merge cost about 10 ns an
/// element; this takes the minimum and advances each side by a comparison.
#[inline]
pub(crate) fn merge_sorted(a: &[u32], b: &[u32], mut emit: impl FnMut(u32)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        emit(x.min(y));
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    a[i..].iter().for_each(|&x| emit(x));
    b[j..].iter().for_each(|&y| emit(y));
}

/// Size of the union of two strictly increasing lists, by the same loop as
/// [`merge_sorted`].
#[inline]
pub(crate) fn union_len(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        shared += (x == y) as usize;
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    a.len() + b.len() - shared
}

/// Size of the union of two strictly increasing lists, leaving out `skip`
/// (a node's own id: the undirected simple graph has no self-loops).
#[inline]
pub(crate) fn union_len_without(a: &[u32], b: &[u32], skip: u32) -> usize {
    let has_skip = a.binary_search(&skip).is_ok() || b.binary_search(&skip).is_ok();
    union_len(a, b) - has_skip as usize
}

#[cfg(test)]
mod tests {
    use super::{merge_sorted, radix_sort_ids, union_len, union_len_without};
    use crate::Csr;
    use crate::csr::by_decreasing_degree;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// Relabelling renames every edge and nothing else, with each list
    /// sorted; the hub's list is long enough to take the radix sort.
    #[test]
    fn relabel_renames_every_edge() {
        let n = 3000u32;
        let mut edges: Vec<(u32, u32)> = (1..n).step_by(2).map(|v| (7, v)).collect();
        edges.extend((0..n).map(|v| (v, (v * 31 + 5) % n)));
        edges.push((12, 12));
        let directed = Csr::from_edges(n as usize, edges);
        let g = directed
            .symmetrize_simple()
            .with_added_edges(0, vec![(12, 12)]);
        let (order, rank) = by_decreasing_degree(g.offsets());
        assert_eq!(order[0], 7);
        for pair in order.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!((g.degree(a), std::cmp::Reverse(a)) > (g.degree(b), std::cmp::Reverse(b)));
        }
        for (r, &v) in order.iter().enumerate() {
            assert_eq!(rank[v as usize] as usize, r);
        }
        let relabelled = g.relabeled(&order, &rank);
        assert_eq!(relabelled.num_edges(), g.num_edges());
        for v in 0..n {
            let mut expected: Vec<u32> = g.neighbors(v).iter().map(|&u| rank[u as usize]).collect();
            expected.sort_unstable();
            assert_eq!(relabelled.neighbors(rank[v as usize]), &expected[..]);
        }
        assert!(g.degree(7) >= super::RADIX_SORT_MIN_LEN);
    }

    proptest! {
        /// The branchless merge is the sorted union, and its length the
        /// union's size.
        #[test]
        fn merge_is_the_sorted_union(
            a in proptest::collection::btree_set(0u32..200, 0..60),
            b in proptest::collection::btree_set(0u32..200, 0..60),
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let mut merged = Vec::new();
            merge_sorted(&a, &b, |x| merged.push(x));
            let union: Vec<u32> = a.iter().chain(&b).copied().collect::<BTreeSet<_>>().into_iter().collect();
            prop_assert_eq!(&merged, &union);
            prop_assert_eq!(union_len(&a, &b), union.len());
            let skip = 100;
            prop_assert_eq!(
                union_len_without(&a, &b, skip),
                union.iter().filter(|&&x| x != skip).count()
            );
        }

        /// The radix sort sorts ids of any width, whatever its pass count.
        #[test]
        fn radix_sort_sorts(
            ids in proptest::collection::vec(any::<u32>(), 0..2000),
            bits in 1u32..=32,
        ) {
            let mask = if bits == 32 { u32::MAX } else { (1 << bits) - 1 };
            let mut ids: Vec<u32> = ids.into_iter().map(|x| x & mask).collect();
            let mut expected = ids.clone();
            expected.sort_unstable();
            let mut scratch = vec![0; 3];
            radix_sort_ids(&mut ids, &mut scratch, bits);
            prop_assert_eq!(ids, expected);
        }
    }
}
