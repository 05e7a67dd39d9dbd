//! The population-wide vetting state kept on disk beside the world
//! generation it was computed from, so that every command after the first
//! reads it instead of recomputing it (at a million accounts the
//! classifier pass, the curves and the pod search cost seconds; reading
//! them back costs milliseconds).
//!
//! Files live in `world/gen-N/cache/`: `vetting-KEY.json` (curves, pods and
//! the key's inputs), `vetting-KEY.f32` (one little-endian f32 fake
//! probability per node, NaN for none) and `vetting-KEY.f64` (the curves'
//! sorted ERs per band, for peer percentiles, little-endian f64, curve
//! after curve in platform order). A state read back is the state computed,
//! bit for bit (serde_json's `float_roundtrip`). KEY hashes everything the state
//! depends on: the generation and its commit time, every setting, the
//! model, and the observation time; a change to any of them reads as a
//! miss, and a generation's cache goes away with the generation. The
//! `.json` is renamed into place last, so a reader sees all three files or
//! none; a cache that cannot be read or written is ignored (a
//! read-only workspace still works, only slower).

use crate::authenticity::AuthenticityModel;
use crate::curve::ErCurve;
use crate::pods::Pod;
use kith_model::{Platform, Settings};
use kith_store::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Bump when the layout or the meaning of the cached state changes.
const FORMAT: u32 = 2;

/// What [`super::Vetting::build`] computes over the whole population.
pub(crate) struct PopulationState {
    pub fake_probability: Vec<f32>,
    pub curves: BTreeMap<Platform, ErCurve>,
    pub pods: Vec<Pod>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    key: String,
    nodes: usize,
    curves: BTreeMap<Platform, ErCurve>,
    pods: Vec<Pod>,
}

/// The cache slot of one set of inputs.
pub(crate) struct Slot {
    meta: PathBuf,
    probabilities: PathBuf,
    band_values: PathBuf,
    key: String,
}

impl Slot {
    pub fn new(
        world: &World,
        settings: &Settings,
        model: &AuthenticityModel,
        as_of: i64,
    ) -> Option<Slot> {
        let m = world.manifest();
        let mut hash = Fnv64::new();
        hash.write(&FORMAT.to_le_bytes());
        hash.write(&m.generation.to_le_bytes());
        hash.write(&m.committed_at.to_le_bytes());
        hash.write(&(world.num_nodes() as u64).to_le_bytes());
        hash.write(serde_json::to_string(settings).ok()?.as_bytes());
        hash.write(serde_json::to_string(model).ok()?.as_bytes());
        hash.write(&as_of.to_le_bytes());
        let key = format!("{:016x}", hash.finish());
        let dir = world.dir().join("cache");
        Some(Slot {
            meta: dir.join(format!("vetting-{key}.json")),
            probabilities: dir.join(format!("vetting-{key}.f32")),
            band_values: dir.join(format!("vetting-{key}.f64")),
            key,
        })
    }

    /// The cached state, or `None` on a miss or any damage.
    pub fn load(&self, nodes: usize) -> Option<PopulationState> {
        let meta: Meta = serde_json::from_slice(&fs::read(&self.meta).ok()?).ok()?;
        if meta.format != FORMAT || meta.key != self.key || meta.nodes != nodes {
            return None;
        }
        let bytes = fs::read(&self.probabilities).ok()?;
        if bytes.len() != nodes * 4 {
            return None;
        }
        let fake_probability = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let bytes = fs::read(&self.band_values).ok()?;
        if bytes.len() % 8 != 0 {
            return None;
        }
        let values: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        let mut curves = meta.curves;
        let mut rest = values.as_slice();
        for curve in curves.values_mut() {
            rest = curve.take_band_values(rest)?;
        }
        if !rest.is_empty() {
            return None;
        }
        Some(PopulationState {
            fake_probability,
            curves,
            pods: meta.pods,
        })
    }

    /// Writes the state; failures are reported to the caller, who may
    /// ignore them (the cache is an optimisation, never a requirement).
    pub fn store(&self, state: &PopulationState) -> std::io::Result<()> {
        let dir = self.meta.parent().expect("cache files live in a directory");
        fs::create_dir_all(dir)?;
        let mut bytes = Vec::with_capacity(state.fake_probability.len() * 4);
        for p in &state.fake_probability {
            bytes.extend_from_slice(&p.to_le_bytes());
        }
        write_atomically(&self.probabilities, &bytes)?;
        let mut bytes = Vec::new();
        for curve in state.curves.values() {
            for v in curve.band_values() {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        write_atomically(&self.band_values, &bytes)?;
        let meta = Meta {
            format: FORMAT,
            key: self.key.clone(),
            nodes: state.fake_probability.len(),
            curves: state.curves.clone(),
            pods: state.pods.clone(),
        };
        let json = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        write_atomically(&self.meta, &json)
    }
}

/// Writes to a temporary name unique to this process, then renames, so a
/// concurrent reader or writer never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// FNV-1a, 64 bits: stable across Rust releases and platforms (std's
/// hasher is not promised to be), and fast enough for a few hundred KB.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
