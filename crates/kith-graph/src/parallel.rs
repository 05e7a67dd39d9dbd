//! Small helpers for splitting work over rayon threads.

use rayon::prelude::*;

/// A raw pointer that may be shared between threads. Every user writes only
/// positions no other thread touches (disjoint node blocks or buckets), which
/// is what makes the `unsafe` writes through it sound.
pub(crate) struct SharedMut<T>(*mut T);

impl<T> Clone for SharedMut<T> {
    fn clone(&self) -> SharedMut<T> {
        *self
    }
}
impl<T> Copy for SharedMut<T> {}

// SAFETY: the pointer is only dereferenced at indices that are disjoint
// between threads (see the type's comment); T itself must be Send.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    pub(crate) fn new(slice: &mut [T]) -> SharedMut<T> {
        SharedMut(slice.as_mut_ptr())
    }

    /// # Safety
    /// `index` must be in bounds of the slice this was made from, and no
    /// other thread may read or write `index` concurrently.
    #[inline(always)]
    pub(crate) unsafe fn write(self, index: usize, value: T) {
        unsafe { self.0.add(index).write(value) }
    }

    /// # Safety
    /// `start..start + len` must be in bounds and used by this thread alone.
    #[inline(always)]
    pub(crate) unsafe fn slice_mut<'a>(self, start: usize, len: usize) -> &'a mut [T] {
        unsafe { std::slice::from_raw_parts_mut(self.0.add(start), len) }
    }
}

/// Splits nodes `0..n` into contiguous blocks of roughly equal work, where the
/// work of a node range `a..b` is `prefix(b) - prefix(a)` plus one per node
/// (so long runs of isolated nodes still get split). `prefix` is defined on
/// `0..=n`, starts at 0 and never decreases.
pub(crate) fn node_blocks(
    n: usize,
    prefix: impl Fn(usize) -> u64,
    parts: usize,
) -> Vec<(usize, usize)> {
    if n == 0 {
        return Vec::new();
    }
    let parts = parts.clamp(1, n);
    let total = prefix(n) + n as u64;
    let mut blocks = Vec::with_capacity(parts);
    let mut start = 0usize;
    for part in 1..=parts {
        let end = if part == parts {
            n
        } else {
            let goal = (total as u128 * part as u128 / parts as u128) as u64;
            // first node index whose cumulative work reaches the goal
            let idx = partition_point_by(n, |i| prefix(i) + (i as u64) < goal);
            idx.clamp(start, n)
        };
        if end > start {
            blocks.push((start, end));
            start = end;
        }
    }
    blocks
}

/// Blocks of a CSR's nodes balanced by edge count.
pub(crate) fn csr_blocks(offsets: &[u64], parts: usize) -> Vec<(usize, usize)> {
    node_blocks(offsets.len().saturating_sub(1), |i| offsets[i], parts)
}

fn partition_point_by(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) { lo = mid + 1 } else { hi = mid }
    }
    lo
}

/// How many blocks to cut work of `work` units into: enough for load
/// balance across threads, few enough that per-block overhead is small.
pub(crate) fn block_count(work: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    (work / 16_384).clamp(1, threads * 16)
}

/// Exclusive prefix sum in place; returns the total.
pub(crate) fn exclusive_prefix_sum(values: &mut [u64]) -> u64 {
    let mut sum = 0u64;
    for v in values.iter_mut() {
        let d = *v;
        *v = sum;
        sum += d;
    }
    sum
}

/// Sum of a slice of f64 in parallel with a fixed reduction tree over fixed
/// chunks, so the result does not depend on the thread count.
pub(crate) fn deterministic_sum(values: &[f64]) -> f64 {
    values
        .par_chunks(4096)
        .map(|c| c.iter().sum::<f64>())
        .collect::<Vec<f64>>()
        .iter()
        .sum()
}

/// Runs `f(a, b, out[a..b])` for every node block `(a, b)` in parallel;
/// blocks must be disjoint, in order, and within `out`.
pub(crate) fn for_each_block_mut<T: Send>(
    blocks: &[(usize, usize)],
    out: &mut [T],
    f: impl Fn(usize, usize, &mut [T]) + Sync,
) {
    assert!(blocks.last().is_none_or(|&(_, b)| b <= out.len()));
    let ptr = SharedMut::new(out);
    blocks.par_iter().for_each(|&(a, b)| {
        // SAFETY: blocks are disjoint ranges within `out` (asserted above
        // for the end; callers build them with `node_blocks`).
        let slice = unsafe { ptr.slice_mut(a, b - a) };
        f(a, b, slice);
    });
}

/// Asks the CPU to start loading the cache line holding `value`, so a read
/// that is known ahead but lands at a random place does not wait on memory.
/// A hint only: it never faults and changes no result.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults, for any address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (value as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Prefetches the first `lines` cache lines of `items`: where a node's list
/// sits is random, and most lists are a few lines long (the hardware's
/// stream prefetcher takes over on longer ones).
#[inline(always)]
pub(crate) fn prefetch_slice<T>(items: &[T], lines: usize) {
    let per_line = (64 / std::mem::size_of::<T>().max(1)).max(1);
    for item in items.iter().step_by(per_line).take(lines) {
        prefetch(item);
    }
}

/// How far ahead a loop over known nodes prefetches: the offsets of the
/// node this many places ahead, then the list of the node half as far.
const PREFETCH_AHEAD: usize = 16;

/// Prefetching for a loop over `nodes` at position `i`, whatever holds the
/// lists: the `offsets` entry of the node `PREFETCH_AHEAD` places on and,
/// through `prefetch_list`, the list of the node half as far, so both have
/// arrived when the loop gets there (the offsets were loaded 8 nodes
/// earlier, so finding the list does not wait).
#[inline(always)]
pub(crate) fn prefetch_ahead(
    nodes: &[u32],
    i: usize,
    offsets: &[u64],
    prefetch_list: impl FnOnce(u32),
) {
    if let Some(o) = nodes
        .get(i + PREFETCH_AHEAD)
        .and_then(|&v| offsets.get(v as usize))
    {
        prefetch(o);
    }
    if let Some(&v) = nodes.get(i + PREFETCH_AHEAD / 2) {
        prefetch_list(v);
    }
}
