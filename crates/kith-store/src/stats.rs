//! The manifest of a freshly built generation: counts, platforms and time
//! ranges, computed once at commit so `kith info` is instant.

use crate::StoreError;
use crate::column::NULL_I64;
use crate::manifest::{
    Counts, FORMAT_VERSION, ImportRecord, Manifest, PlatformCounts, TimeRanges, extend_range,
};
use crate::table::{ACCOUNTS, CUSTOMERS, FOLLOW_SINCE, HISTORY, INTERACTIONS, POSTS, Table};
use kith_model::Platform;
use std::path::Path;

pub(crate) fn manifest_for(
    dir: &Path,
    generation: u64,
    imports: Vec<ImportRecord>,
) -> Result<Manifest, StoreError> {
    let accounts = Table::open(dir, &ACCOUNTS)?;
    let platforms_col = accounts.columns[0].u8s();
    let profile = accounts.columns[3].u8s();
    let mut per_platform = vec![PlatformCounts::default(); Platform::ALL.len()];
    for (id, &code) in platforms_col.iter().enumerate() {
        if let Some(pc) = per_platform.get_mut(code as usize) {
            pc.nodes += 1;
            if profile.get(id) == Some(&1) {
                pc.accounts += 1;
            }
        }
    }
    let platforms = Platform::ALL
        .iter()
        .zip(per_platform)
        .filter(|(_, c)| c.nodes > 0)
        .map(|(p, c)| (p.as_str().to_string(), c))
        .collect();

    let known = |v: &[i64]| {
        v.iter()
            .copied()
            .filter(|&t| t != NULL_I64)
            .collect::<Vec<_>>()
    };
    let posts = Table::open(dir, &POSTS)?;
    let interactions = Table::open(dir, &INTERACTIONS)?;
    let history = Table::open(dir, &HISTORY)?;
    let since = Table::open(dir, &FOLLOW_SINCE)?;
    let customers = Table::open(dir, &CUSTOMERS)?;
    let mut ranges = TimeRanges::default();
    extend_range(
        &mut ranges.posts,
        known(posts.columns[2].i64s()).into_iter(),
    );
    extend_range(
        &mut ranges.interactions,
        known(interactions.columns[3].i64s()).into_iter(),
    );
    extend_range(
        &mut ranges.history,
        history.columns[1].i32s().iter().map(|&d| d as i64 * 86_400),
    );
    extend_range(
        &mut ranges.follows_since,
        known(since.columns[2].i64s()).into_iter(),
    );

    let out_csr = dir.join("follows").join("out.csr");
    let follows = if out_csr.exists() {
        kith_graph::Csr::open(&out_csr)
            .map_err(|e| StoreError::Corrupt {
                path: out_csr.clone(),
                message: e.to_string(),
            })?
            .num_edges() as u64
    } else {
        0
    };
    Ok(Manifest {
        format_version: FORMAT_VERSION,
        generation,
        committed_at: kith_model::time::now(),
        counts: Counts {
            nodes: platforms_col.len() as u64,
            accounts: profile.iter().filter(|&&p| p == 1).count() as u64,
            posts: posts.columns[0].len() as u64,
            follows,
            interactions: interactions.columns[0].len() as u64,
            history_points: history.columns[0].len() as u64,
            customers: customers.columns[0].len() as u64,
        },
        platforms,
        time_ranges: ranges,
        imports,
    })
}

pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(manifest).expect("manifest serialises");
    std::fs::write(&path, text).map_err(|e| StoreError::io(&path, e))?;
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(&path, e))
}
