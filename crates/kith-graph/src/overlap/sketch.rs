//! Cardinality and similarity sketches of node sets.
//!
//! - [`HyperLogLog`] (Flajolet et al. 2007) with Ertl's improved estimator
//!   (2017), which needs no bias tables and is accurate from 0 up: relative
//!   standard error 1.04 / √m for m = 2^precision registers.
//! - [`MinHash`], a bottom-k sketch (the k smallest hash values of one hash
//!   function): Jaccard similarity with standard error about
//!   √(J (1 - J) / k), at most 1 / (2 √k).
//!
//! Both hash node ids with the same fixed 64-bit mixer, so sketches of
//! different sets, built anywhere, can be merged and compared.

/// 64-bit hash of a node id (a SplitMix64 finalizer with a fixed salt).
#[inline]
pub fn hash_node(v: u32) -> u64 {
    let mut z = (v as u64) ^ 0x6A09_E667_F3BC_C909;
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A HyperLogLog sketch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HyperLogLog {
    precision: u8,
    registers: Vec<u8>,
}

impl HyperLogLog {
    /// Default precision: 2^16 registers (64 KiB), relative standard error
    /// 0.41%, so 1,000 estimates stay within 2% of the truth.
    pub const DEFAULT_PRECISION: u8 = 16;

    /// A sketch with 2^precision registers; precision is clamped to 4..=18.
    pub fn new(precision: u8) -> HyperLogLog {
        let p = precision.clamp(4, 18);
        HyperLogLog {
            precision: p,
            registers: vec![0; 1 << p],
        }
    }

    pub fn precision(&self) -> u8 {
        self.precision
    }

    #[inline]
    pub fn insert_hash(&mut self, h: u64) {
        let p = self.precision as u32;
        let index = (h >> (64 - p)) as usize;
        // rank = leading zeros of the remaining 64 - p bits, plus one
        let rest = h << p;
        let rank = (rest.leading_zeros().min(64 - p) + 1) as u8;
        let r = &mut self.registers[index];
        if rank > *r {
            *r = rank;
        }
    }

    #[inline]
    pub fn insert(&mut self, v: u32) {
        self.insert_hash(hash_node(v));
    }

    /// Adds every element of `other` (register-wise max). Sketches of
    /// different precisions cannot be merged: returns false and changes
    /// nothing.
    pub fn merge(&mut self, other: &HyperLogLog) -> bool {
        if other.precision != self.precision {
            return false;
        }
        for (a, &b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(b);
        }
        true
    }

    /// Relative standard error of [`HyperLogLog::estimate`]: 1.04 / √m.
    pub fn relative_std_error(&self) -> f64 {
        1.04 / (self.registers.len() as f64).sqrt()
    }

    /// Estimated number of distinct elements inserted (Ertl 2017, "improved
    /// raw estimator").
    pub fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        let q = 64 - self.precision as usize;
        let mut counts = vec![0u32; q + 2];
        for &r in &self.registers {
            counts[r as usize] += 1;
        }
        let mut z = m * tau(1.0 - counts[q + 1] as f64 / m);
        for k in (1..=q).rev() {
            z = 0.5 * (z + counts[k] as f64);
        }
        z += m * sigma(counts[0] as f64 / m);
        let alpha_inf = 1.0 / (2.0 * std::f64::consts::LN_2);
        alpha_inf * m * m / z
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// A bottom-k MinHash sketch: the k smallest distinct hashes seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHash {
    k: usize,
    /// Sorted ascending, at most k values.
    hashes: Vec<u64>,
}

impl MinHash {
    /// Default size: 256 hashes (2 KiB); Jaccard standard error at most
    /// 1 / (2 √256) = 3.1 points.
    pub const DEFAULT_SIZE: usize = 256;

    /// The sketch of a set of nodes; `k` is at least 1.
    pub fn from_nodes(k: usize, nodes: impl IntoIterator<Item = u32>) -> MinHash {
        let k = k.max(1);
        let mut hashes: Vec<u64> = nodes.into_iter().map(hash_node).collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes.truncate(k);
        MinHash { k, hashes }
    }

    pub fn size(&self) -> usize {
        self.k
    }

    /// Estimated Jaccard similarity |A ∩ B| / |A ∪ B|: among the k smallest
    /// hashes of the union, the share present in both sketches.
    pub fn jaccard(&self, other: &MinHash) -> f64 {
        let k = self.k.min(other.k);
        let (a, b) = (&self.hashes, &other.hashes);
        let (mut i, mut j, mut taken, mut both) = (0, 0, 0, 0);
        while taken < k && (i < a.len() || j < b.len()) {
            if j >= b.len() || (i < a.len() && a[i] < b[j]) {
                i += 1;
            } else if i >= a.len() || b[j] < a[i] {
                j += 1;
            } else {
                both += 1;
                i += 1;
                j += 1;
            }
            taken += 1;
        }
        if taken == 0 {
            0.0
        } else {
            both as f64 / taken as f64
        }
    }

    /// Standard error of a Jaccard estimate `j` at this size.
    pub fn jaccard_std_error(&self, j: f64) -> f64 {
        (j * (1.0 - j) / self.k as f64).sqrt()
    }
}
