//! Reading SNAP edge lists (`#` or `%` comment lines, two whitespace-separated
//! non-negative integer ids a line, further columns ignored, `.gz` allowed)
//! into a CSR, with original ids remapped to dense `u32` node ids.
//!
//! A plain file is memory-mapped, a compressed one read into a buffer; the
//! text is cut into blocks at line ends, each parsed by all threads at once.
//! Dense ids follow the sorted order of the original ids, so a file whose ids
//! are already `0..n` keeps them.

use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bytes of text parsed per round.
const BLOCK_BYTES: usize = 32 << 20;

/// The dictionary between dense node ids and the ids in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdMap {
    /// Original id of each dense id, increasing.
    originals: Vec<u64>,
}

impl IdMap {
    /// The identity map on `0..n`.
    pub fn identity(n: usize) -> IdMap {
        IdMap {
            originals: (0..n as u64).collect(),
        }
    }

    /// The original id of dense node `v`, if `v` is a node.
    pub fn original(&self, v: u32) -> Option<u64> {
        self.originals.get(v as usize).copied()
    }

    /// The dense node id of an original id, if it appears in the file.
    pub fn dense(&self, original: u64) -> Option<u32> {
        self.originals
            .binary_search(&original)
            .ok()
            .map(|i| i as u32)
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.originals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.originals.is_empty()
    }
}

/// A graph read from an edge list: out-edges and the id dictionary.
#[derive(Debug)]
pub struct EdgeListGraph {
    pub out: Csr,
    pub ids: IdMap,
    /// Edge lines read, before merging repeated edges.
    pub lines_with_edges: u64,
}

/// One parsed stretch of text: edges with ids below 2^32 stay narrow; a
/// stretch holding a larger id is kept wide until remapping.
enum Parsed {
    Narrow(Vec<(u32, u32)>),
    Wide(Vec<(u64, u64)>),
}

impl Parsed {
    fn len(&self) -> usize {
        match self {
            Parsed::Narrow(v) => v.len(),
            Parsed::Wide(v) => v.len(),
        }
    }
}

/// Where a piece of text stopped parsing: `line` counts the line ends
/// before the bad line inside the piece, `column` is 1-based in bytes.
struct ParseError {
    line: u64,
    column: u64,
    reason: &'static str,
}

/// Reads a SNAP edge list (gzip if the name ends in `.gz`) into a CSR.
///
/// A plain file is memory-mapped and parsed in place: read into a buffer,
/// every block cost a copy, and on a fresh process the buffer's pages were
/// faulted in and zeroed by the kernel first (about a sixth of the time of
/// reading ego-twitter).
pub fn read_snap(path: &Path) -> Result<EdgeListGraph, GraphError> {
    let file = File::open(path).map_err(|e| GraphError::io(path, e))?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    if gz {
        let reader =
            flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 20, file));
        return read_snap_from(reader, path);
    }
    let len = file.metadata().map_err(|e| GraphError::io(path, e))?.len();
    // SAFETY: the map is read-only and dropped before this returns; a file
    // truncated by another process meanwhile would fault, as with any
    // memory-mapped reader (the same contract as the workspace's CSR files).
    // Empty files and files that cannot be mapped (pipes, some special
    // files) are read instead.
    match (len > 0).then(|| unsafe { memmap2::Mmap::map(&file) }) {
        Some(Ok(map)) => {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            // Parsed blocks leave this process's memory at once: mapped
            // pages count in its resident set, and a 1 GB file kept mapped
            // until the end doubled the reader's peak (2.0 GiB against
            // 1.05 GiB on R-MAT scale 22).
            let release = |start: usize, end: usize| {
                // SAFETY: the map is shared, read-only and file-backed, so
                // dropping pages only makes a later read fault them in again
                // from the page cache, with the same bytes.
                #[cfg(unix)]
                let _ = unsafe {
                    map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        start,
                        end - start,
                    )
                };
                #[cfg(not(unix))]
                let _ = (start, end);
            };
            read_snap_text(&map, path, release)
        }
        _ => read_snap_from(file, path),
    }
}

/// Parses text already in memory, in blocks cut at line ends;
/// `release(start, end)` is told each block once it is parsed.
fn read_snap_text(
    text: &[u8],
    path: &Path,
    release: impl Fn(usize, usize),
) -> Result<EdgeListGraph, GraphError> {
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut line_base = 1u64;
    let mut start = 0usize;
    while start < text.len() {
        let mut end = (start + BLOCK_BYTES).min(text.len());
        if end < text.len() {
            end = match memchr_last_newline(&text[start..end]) {
                Some(i) => start + i + 1,
                // a line longer than the block: take it whole
                None => text[end..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(text.len(), |i| end + i + 1),
            };
        }
        line_base = parse_block(&text[start..end], line_base, path, &mut parsed)?;
        release(start, end);
        start = end;
    }
    finish(parsed)
}

/// Reads an edge list from any reader; `path` only labels errors.
pub fn read_snap_from(mut reader: impl Read, path: &Path) -> Result<EdgeListGraph, GraphError> {
    let mut parsed: Vec<Parsed> = Vec::new();
    // `buf[..filled]` holds unparsed text; the rest is scratch space that is
    // zeroed once, not on every read.
    let mut buf: Vec<u8> = vec![0; BLOCK_BYTES];
    let mut filled = 0usize;
    let mut line_base = 1u64;
    let mut eof = false;
    while !eof {
        while filled < buf.len() {
            let got = read_retrying(&mut reader, &mut buf[filled..])
                .map_err(|e| GraphError::io(path, e))?;
            if got == 0 {
                eof = true;
                break;
            }
            filled += got;
        }
        let cut = if eof {
            filled
        } else {
            match memchr_last_newline(&buf[..filled]) {
                Some(i) => i + 1,
                // a single line longer than the block: read more of it
                None if buf.len() < (1 << 30) => {
                    buf.resize(buf.len() + BLOCK_BYTES, 0);
                    continue;
                }
                None => return Err(edge_error(path, line_base, 1, "line longer than 1 GiB")),
            }
        };
        let text = &buf[..cut];
        line_base = parse_block(text, line_base, path, &mut parsed)?;
        buf.copy_within(cut..filled, 0);
        filled -= cut;
    }
    finish(parsed)
}

/// Parses whole lines of `text` (starting at line `line_base`) on all
/// threads, appending the non-empty results to `parsed`; returns the line
/// number the next block starts at.
fn parse_block(
    text: &[u8],
    line_base: u64,
    path: &Path,
    parsed: &mut Vec<Parsed>,
) -> Result<u64, GraphError> {
    let pieces = split_at_newlines(text, rayon::current_num_threads() * 2);
    let results: Vec<Result<(Parsed, u64), ParseError>> = pieces
        .par_iter()
        .map(|&(a, b)| parse_piece(&text[a..b]))
        .collect();
    let mut line = line_base;
    for r in results {
        match r {
            Ok((p, lines)) => {
                if p.len() > 0 {
                    parsed.push(p);
                }
                line += lines;
            }
            Err(e) => return Err(edge_error(path, line + e.line, e.column, e.reason)),
        }
    }
    Ok(line)
}

fn finish(parsed: Vec<Parsed>) -> Result<EdgeListGraph, GraphError> {
    let lines_with_edges = parsed.iter().map(|p| p.len() as u64).sum();
    let (blocks, ids) = remap(parsed);
    let out = Csr::from_edge_blocks(ids.len(), blocks);
    Ok(EdgeListGraph {
        out,
        ids,
        lines_with_edges,
    })
}

fn edge_error(path: &Path, line: u64, column: u64, reason: &str) -> GraphError {
    GraphError::EdgeList {
        path: PathBuf::from(path),
        line,
        column,
        reason: reason.to_string(),
    }
}

fn read_retrying(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn memchr_last_newline(buf: &[u8]) -> Option<usize> {
    buf.iter().rposition(|&b| b == b'\n')
}

/// Cuts `text` into about `parts` ranges, each ending just after a newline
/// (or at the end of the text).
fn split_at_newlines(text: &[u8], parts: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..=parts {
        let mut end = if p == parts {
            text.len()
        } else {
            (text.len() * p / parts).max(start)
        };
        while end < text.len() && end > 0 && text[end - 1] != b'\n' {
            end += 1;
        }
        if end > start {
            ranges.push((start, end));
            start = end;
        }
    }
    ranges
}

/// Parses whole lines; stays narrow until an id needs more than 32 bits.
/// Returns the edges and the number of line ends passed, counted here so
/// that no second pass over the text is needed to number lines.
fn parse_piece(text: &[u8]) -> Result<(Parsed, u64), ParseError> {
    let mut narrow: Vec<(u32, u32)> = Vec::with_capacity(text.len() / 12);
    let mut wide: Option<Vec<(u64, u64)>> = None;
    let mut i = 0;
    let mut lines = 0u64;
    let len = text.len();
    while i < len {
        let line_start = i;
        while i < len && (text[i] == b' ' || text[i] == b'\t') {
            i += 1;
        }
        if i >= len {
            break;
        }
        let c = text[i];
        if c == b'\n' || c == b'\r' || c == b'#' || c == b'%' {
            while i < len && text[i] != b'\n' {
                i += 1;
            }
            lines += (i < len) as u64;
            i += 1;
            continue;
        }
        let fail = |at: usize, reason| ParseError {
            line: lines,
            column: (at - line_start + 1) as u64,
            reason,
        };
        let (src, next) = parse_id(text, i).map_err(|reason| fail(i, reason))?;
        i = next;
        if i >= len || (text[i] != b' ' && text[i] != b'\t') {
            return Err(fail(i, "expected two whitespace-separated node ids"));
        }
        while i < len && (text[i] == b' ' || text[i] == b'\t') {
            i += 1;
        }
        let (dst, next) = parse_id(text, i).map_err(|reason| fail(i, reason))?;
        i = next;
        if i < len && !matches!(text[i], b' ' | b'\t' | b'\r' | b'\n') {
            return Err(fail(i, "a node id must be a non-negative integer"));
        }
        // further columns (weights, times) are ignored
        while i < len && text[i] != b'\n' {
            i += 1;
        }
        lines += (i < len) as u64;
        i += 1;
        match &mut wide {
            Some(w) => w.push((src, dst)),
            None if src <= u32::MAX as u64 && dst <= u32::MAX as u64 => {
                narrow.push((src as u32, dst as u32))
            }
            None => {
                let mut w: Vec<(u64, u64)> =
                    narrow.iter().map(|&(a, b)| (a as u64, b as u64)).collect();
                w.push((src, dst));
                narrow = Vec::new();
                wide = Some(w);
            }
        }
    }
    let parsed = match wide {
        Some(w) => Parsed::Wide(w),
        None => {
            narrow.shrink_to_fit();
            Parsed::Narrow(narrow)
        }
    };
    Ok((parsed, lines))
}

#[inline]
fn parse_id(text: &[u8], mut i: usize) -> Result<(u64, usize), &'static str> {
    let start = i;
    let mut value: u64 = 0;
    while i < text.len() && text[i].is_ascii_digit() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add((text[i] - b'0') as u64))
            .ok_or("node id does not fit 64 bits")?;
        i += 1;
    }
    if i == start {
        return Err(if i >= text.len() || text[i] == b'\n' || text[i] == b'\r' {
            "expected two whitespace-separated node ids"
        } else {
            "a node id must be a non-negative integer"
        });
    }
    Ok((value, i))
}

/// Replaces original ids by dense ids (ranks among the distinct ids).
fn remap(parsed: Vec<Parsed>) -> (Vec<Vec<(u32, u32)>>, IdMap) {
    let edges: usize = parsed.iter().map(Parsed::len).sum();
    let max_id = parsed
        .par_iter()
        .map(|p| match p {
            Parsed::Narrow(v) => v.iter().map(|&(a, b)| a.max(b) as u64).max().unwrap_or(0),
            Parsed::Wide(v) => v.iter().map(|&(a, b)| a.max(b)).max().unwrap_or(0),
        })
        .max()
        .unwrap_or(0);
    // A rank table costs 4 bytes per possible id: use it when that is at most
    // about the size of the edges themselves.
    let small_universe = max_id < (1u64 << 32) && (max_id as usize) < 2 * edges + (1 << 20);
    if edges > 0 && small_universe && parsed.iter().all(|p| matches!(p, Parsed::Narrow(_))) {
        let narrow = parsed
            .into_iter()
            .filter_map(|p| match p {
                Parsed::Narrow(v) => Some(v),
                Parsed::Wide(_) => None,
            })
            .collect();
        remap_by_table(narrow, max_id as usize + 1)
    } else {
        remap_by_search(parsed)
    }
}

fn remap_by_table(parsed: Vec<Vec<(u32, u32)>>, universe: usize) -> (Vec<Vec<(u32, u32)>>, IdMap) {
    use std::sync::atomic::{AtomicU32, Ordering};
    let present: Vec<AtomicU32> = (0..universe).map(|_| AtomicU32::new(0)).collect();
    parsed.par_iter().for_each(|v| {
        for &(a, b) in v {
            present[a as usize].store(1, Ordering::Relaxed);
            present[b as usize].store(1, Ordering::Relaxed);
        }
    });
    let mut rank: Vec<u32> = present.into_iter().map(AtomicU32::into_inner).collect();
    let mut originals = Vec::new();
    let mut next = 0u32;
    for (id, slot) in rank.iter_mut().enumerate() {
        if *slot != 0 {
            *slot = next;
            next += 1;
            originals.push(id as u64);
        }
    }
    let blocks = parsed
        .into_par_iter()
        .map(|mut v| {
            for e in v.iter_mut() {
                *e = (rank[e.0 as usize], rank[e.1 as usize]);
            }
            v
        })
        .collect();
    (blocks, IdMap { originals })
}

/// Sparse or wide ids: distinct ids through hash sets, ranks through a hash
/// map (each lookup hits a table of distinct ids, not a binary search).
fn remap_by_search(parsed: Vec<Parsed>) -> (Vec<Vec<(u32, u32)>>, IdMap) {
    use rustc_hash::{FxHashMap, FxHashSet};
    let per_block: Vec<Vec<u64>> = parsed
        .par_iter()
        .map(|p| {
            let mut seen: FxHashSet<u64> = FxHashSet::default();
            match p {
                Parsed::Narrow(v) => v.iter().for_each(|&(a, b)| {
                    seen.insert(a as u64);
                    seen.insert(b as u64);
                }),
                Parsed::Wide(v) => v.iter().for_each(|&(a, b)| {
                    seen.insert(a);
                    seen.insert(b);
                }),
            }
            seen.into_iter().collect()
        })
        .collect();
    let mut originals: Vec<u64> = per_block.into_iter().flatten().collect();
    originals.par_sort_unstable();
    originals.dedup();
    originals.shrink_to_fit();
    let rank: FxHashMap<u64, u32> = originals
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i as u32))
        .collect();
    let rank = |id: u64| rank.get(&id).copied().unwrap_or(0);
    let blocks = parsed
        .into_par_iter()
        .map(|p| match p {
            Parsed::Narrow(mut v) => {
                for e in v.iter_mut() {
                    *e = (rank(e.0 as u64), rank(e.1 as u64));
                }
                v
            }
            Parsed::Wide(v) => v.into_iter().map(|(a, b)| (rank(a), rank(b))).collect(),
        })
        .collect();
    (blocks, IdMap { originals })
}
