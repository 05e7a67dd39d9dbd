//! The CSR file: a 64-byte header, then `offsets` (u64), then `targets`
//! (u32), little-endian, each section 8-byte aligned, the file padded to a
//! multiple of 8 bytes.
//!
//! Header: bytes 0..8 magic `KITHCSR1`; 8..12 format version (u32); 12..16
//! header length (u32, 64); 16..24 node count n (u64); 24..32 edge count m
//! (u64); 32..64 zero.

use super::{Csr, Storage};
use crate::GraphError;
use memmap2::Mmap;
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

/// First eight bytes of every CSR file.
pub const CSR_MAGIC: &[u8; 8] = b"KITHCSR1";
/// The format version this build writes and reads.
pub const CSR_FILE_VERSION: u32 = 1;
const HEADER_LEN: usize = 64;

fn padded_len(n: usize, m: usize) -> Option<usize> {
    let body = (n.checked_add(1)?)
        .checked_mul(8)?
        .checked_add(m.checked_mul(4)?)?;
    let total = HEADER_LEN.checked_add(body)?;
    total.checked_add((8 - total % 8) % 8)
}

impl Csr {
    /// Writes the graph as a CSR file (format in the module docs) and fsyncs
    /// it. The caller makes the write atomic (temporary name, then rename).
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        let file = File::create(path)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let (n, m) = (self.num_nodes(), self.num_edges());
        let mut header = [0u8; HEADER_LEN];
        header[0..8].copy_from_slice(CSR_MAGIC);
        header[8..12].copy_from_slice(&CSR_FILE_VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        header[16..24].copy_from_slice(&(n as u64).to_le_bytes());
        header[24..32].copy_from_slice(&(m as u64).to_le_bytes());
        w.write_all(&header)?;
        if cfg!(target_endian = "little") {
            w.write_all(bytemuck::cast_slice(self.offsets()))?;
            w.write_all(bytemuck::cast_slice(self.targets()))?;
        } else {
            for &o in self.offsets() {
                w.write_all(&o.to_le_bytes())?;
            }
            for &t in self.targets() {
                w.write_all(&t.to_le_bytes())?;
            }
        }
        let pad = (8 - (4 * m) % 8) % 8;
        w.write_all(&[0u8; 8][..pad])?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    }

    /// Opens a CSR file as a read-only memory map after checking it whole:
    /// magic, version, sizes, offsets starting at 0, never decreasing and
    /// ending at m, every target below n, every adjacency strictly
    /// increasing. A damaged file is an error.
    ///
    /// The file must not be modified while mapped (the world store never
    /// rewrites a committed generation).
    pub fn open(path: &Path) -> Result<Csr, GraphError> {
        let corrupt = |reason: String| GraphError::CorruptCsr {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|e| GraphError::io(path, e))?;
        let len = file.metadata().map_err(|e| GraphError::io(path, e))?.len();
        if len < HEADER_LEN as u64 {
            return Err(corrupt(format!(
                "{len} bytes is shorter than the 64-byte header"
            )));
        }
        // SAFETY: the map is read-only and the file is never modified while
        // in use (documented above); every byte is validated before use.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| GraphError::io(path, e))?;
        let header = &map[..HEADER_LEN];
        if &header[0..8] != CSR_MAGIC {
            return Err(corrupt("bad magic".into()));
        }
        let word32 =
            |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap_or([0; 4]));
        let word64 =
            |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().unwrap_or([0; 8]));
        let version = word32(8);
        if version != CSR_FILE_VERSION {
            return Err(corrupt(format!(
                "format version {version}, this build reads {CSR_FILE_VERSION}"
            )));
        }
        if word32(12) as usize != HEADER_LEN {
            return Err(corrupt(format!("header length {}", word32(12))));
        }
        let (n64, m64) = (word64(16), word64(24));
        if n64 > 1u64 << 32 {
            return Err(corrupt(format!("{n64} nodes do not fit 32-bit ids")));
        }
        let (n, m) = (
            n64 as usize,
            usize::try_from(m64).map_err(|_| corrupt("edge count too large".into()))?,
        );
        let expected = padded_len(n, m).ok_or_else(|| corrupt("sizes overflow".into()))?;
        if map.len() as u64 != expected as u64 {
            return Err(corrupt(format!(
                "{} bytes, but n = {n} and m = {m} need {expected}",
                map.len()
            )));
        }
        let offsets_at = HEADER_LEN;
        let targets_at = HEADER_LEN + 8 * (n + 1);
        let map = Arc::new(map);
        let csr = if cfg!(target_endian = "little")
            && bytemuck::try_cast_slice::<u8, u64>(&map[offsets_at..targets_at]).is_ok()
            && bytemuck::try_cast_slice::<u8, u32>(&map[targets_at..targets_at + 4 * m]).is_ok()
        {
            Csr {
                storage: Storage::Mapped {
                    map,
                    num_nodes: n,
                    num_edges: m,
                    offsets_at,
                    targets_at,
                },
                loop_free: false,
            }
        } else {
            // Big-endian host or an unaligned map: decode into owned vectors.
            let offsets = map[offsets_at..targets_at]
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            let targets = map[targets_at..targets_at + 4 * m]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
                .collect();
            Csr::from_parts_unchecked(offsets, targets)
        };
        validate(csr.offsets(), csr.targets(), true).map_err(corrupt)?;
        Ok(csr)
    }
}

/// Checks CSR invariants; `strict_adjacency` also requires each adjacency to
/// be strictly increasing (sorted, no repeats).
pub(super) fn validate(
    offsets: &[u64],
    targets: &[u32],
    strict_adjacency: bool,
) -> Result<(), String> {
    let Some(&last) = offsets.last() else {
        return Err("no offsets (need n + 1)".into());
    };
    let n = offsets.len() - 1;
    if offsets[0] != 0 {
        return Err(format!("offsets start at {}, not 0", offsets[0]));
    }
    if last != targets.len() as u64 {
        return Err(format!(
            "last offset {last} is not the edge count {}",
            targets.len()
        ));
    }
    if let Some(v) = offsets.par_windows(2).position_any(|w| w[0] > w[1]) {
        return Err(format!("offsets decrease at node {v}"));
    }
    if let Some(i) = targets.par_iter().position_any(|&t| t as usize >= n) {
        return Err(format!(
            "target {} at position {i} is not below n = {n}",
            targets[i]
        ));
    }
    if strict_adjacency {
        let bad = (0..n).into_par_iter().find_any(|&v| {
            let adj = &targets[offsets[v] as usize..offsets[v + 1] as usize];
            adj.windows(2).any(|w| w[0] >= w[1])
        });
        if let Some(v) = bad {
            return Err(format!("adjacency of node {v} is not strictly increasing"));
        }
    }
    Ok(())
}
