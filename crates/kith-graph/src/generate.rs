//! R-MAT / Graph500 Kronecker graph generator, written as a SNAP edge list.
//!
//! Each edge picks one of four quadrants of the adjacency matrix per level
//! (probabilities a, b, c, d = 1 - a - b - c), `scale` levels deep, so ids are
//! in `0..2^scale`; node labels are then shuffled by a random permutation
//! (as Graph500 does) so that id order carries no degree information.
//! Self-loops and repeated edges are written as generated; readers merge
//! repeats. Output depends only on the parameters and the seed.

use crate::rng::Rng;
use crate::{Csr, GraphError};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Parameters of an R-MAT graph. `Default` is Graph500's: a = 0.57,
/// b = 0.19, c = 0.19, edge factor 16.
#[derive(Clone, Debug, PartialEq)]
pub struct RmatParams {
    /// log2 of the node count.
    pub scale: u32,
    /// Edges generated per node.
    pub edge_factor: u32,
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub seed: u64,
}

impl Default for RmatParams {
    fn default() -> RmatParams {
        RmatParams {
            scale: 16,
            edge_factor: 16,
            a: 0.57,
            b: 0.19,
            c: 0.19,
            seed: 1,
        }
    }
}

/// Edges generated per independent random stream: the unit of parallel work.
const EDGES_PER_STREAM: u64 = 1 << 16;

impl RmatParams {
    fn check(&self) -> Result<(), GraphError> {
        let d = 1.0 - self.a - self.b - self.c;
        let probs_ok = [self.a, self.b, self.c]
            .iter()
            .all(|p| (0.0..=1.0).contains(p))
            && d >= -1e-12;
        if !probs_ok {
            return Err(GraphError::invalid(
                "R-MAT probabilities a, b, c must be in [0, 1] with a + b + c <= 1",
            ));
        }
        if self.scale == 0 || self.scale > 32 {
            return Err(GraphError::invalid("R-MAT scale must be in 1..=32"));
        }
        if self.num_edges() == 0 {
            return Err(GraphError::invalid("R-MAT edge factor must be positive"));
        }
        Ok(())
    }

    /// 2^scale.
    pub fn num_nodes(&self) -> u64 {
        1u64 << self.scale
    }

    /// edge_factor * 2^scale, repeats included.
    pub fn num_edges(&self) -> u64 {
        self.num_nodes() * self.edge_factor as u64
    }

    /// Quadrant thresholds on 16 random bits: a, a + b, a + b + c.
    fn thresholds(&self) -> [u32; 3] {
        let t = |p: f64| (p * 65536.0).round().clamp(0.0, 65536.0) as u32;
        [t(self.a), t(self.a + self.b), t(self.a + self.b + self.c)]
    }

    /// A random permutation of the node labels.
    fn permutation(&self) -> Vec<u32> {
        let n = self.num_nodes();
        let mut perm: Vec<u32> = (0..n).map(|v| v as u32).collect();
        let mut rng = Rng::stream(self.seed, u64::MAX);
        for i in (1..perm.len()).rev() {
            let j = rng.below_u64(i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        perm
    }

    /// Edges of stream `s`, relabelled by `perm`, passed to `emit`.
    fn stream_edges(&self, s: u64, perm: &[u32], mut emit: impl FnMut(u32, u32)) {
        let total = self.num_edges();
        let count = EDGES_PER_STREAM.min(total - s * EDGES_PER_STREAM);
        let [ta, tab, tabc] = self.thresholds();
        let mut rng = Rng::stream(self.seed, s);
        for _ in 0..count {
            let (mut u, mut v) = (0u64, 0u64);
            let mut bits = 0u64;
            let mut left = 0;
            for _ in 0..self.scale {
                if left == 0 {
                    bits = rng.next_u64();
                    left = 4;
                }
                let r = (bits & 0xFFFF) as u32;
                bits >>= 16;
                left -= 1;
                let (du, dv) = if r < ta {
                    (0, 0)
                } else if r < tab {
                    (0, 1)
                } else if r < tabc {
                    (1, 0)
                } else {
                    (1, 1)
                };
                u = (u << 1) | du;
                v = (v << 1) | dv;
            }
            emit(perm[u as usize], perm[v as usize]);
        }
    }

    fn num_streams(&self) -> u64 {
        self.num_edges().div_ceil(EDGES_PER_STREAM)
    }
}

/// Generates the graph in memory (repeats merged), for tests and benchmarks
/// that skip the text file.
pub fn rmat_csr(params: &RmatParams) -> Result<Csr, GraphError> {
    params.check()?;
    let perm = params.permutation();
    let blocks: Vec<Vec<(u32, u32)>> = (0..params.num_streams())
        .into_par_iter()
        .map(|s| {
            let mut edges = Vec::with_capacity(EDGES_PER_STREAM as usize);
            params.stream_edges(s, &perm, |u, v| edges.push((u, v)));
            edges
        })
        .collect();
    Ok(Csr::from_edge_blocks(params.num_nodes() as usize, blocks))
}

/// Writes the graph as a SNAP edge list (`src<TAB>dst` lines after a `#`
/// header) and fsyncs it. Returns the number of edge lines.
pub fn write_rmat_snap(params: &RmatParams, path: &Path) -> Result<u64, GraphError> {
    params.check()?;
    let io = |e| GraphError::io(path, e);
    let file = File::create(path).map_err(io)?;
    let mut w = BufWriter::with_capacity(1 << 22, file);
    writeln!(
        w,
        "# R-MAT scale={} edge_factor={} a={} b={} c={} seed={}\n# nodes={} edges={}",
        params.scale,
        params.edge_factor,
        params.a,
        params.b,
        params.c,
        params.seed,
        params.num_nodes(),
        params.num_edges()
    )
    .map_err(io)?;
    let perm = params.permutation();
    let streams = params.num_streams();
    let batch = (rayon::current_num_threads() as u64 * 4).max(1);
    let mut first = 0;
    while first < streams {
        let last = (first + batch).min(streams);
        let texts: Vec<Vec<u8>> = (first..last)
            .into_par_iter()
            .map(|s| {
                let mut text = Vec::with_capacity(EDGES_PER_STREAM as usize * 18);
                params.stream_edges(s, &perm, |u, v| {
                    push_decimal(&mut text, u);
                    text.push(b'\t');
                    push_decimal(&mut text, v);
                    text.push(b'\n');
                });
                text
            })
            .collect();
        for t in &texts {
            w.write_all(t).map_err(io)?;
        }
        first = last;
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(params.num_edges())
}

fn push_decimal(out: &mut Vec<u8>, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
