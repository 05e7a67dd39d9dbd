//! `manifest.json`: what one generation of the world holds, written at commit
//! so `kith info` answers without scanning tables.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the on-disk world layout; a newer kith refuses an older layout
/// with a message rather than misreading it.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub generation: u64,
    pub committed_at: i64,
    pub counts: Counts,
    /// Nodes and imported profiles per platform.
    pub platforms: BTreeMap<String, PlatformCounts>,
    pub time_ranges: TimeRanges,
    /// Every import that made this world, oldest first.
    pub imports: Vec<ImportRecord>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Every (platform, handle) seen anywhere.
    pub nodes: u64,
    /// Nodes with an imported profile row.
    pub accounts: u64,
    pub posts: u64,
    pub follows: u64,
    pub interactions: u64,
    pub history_points: u64,
    pub customers: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformCounts {
    pub nodes: u64,
    pub accounts: u64,
}

/// Inclusive [min, max] in Unix seconds (dates as midnight UTC); `None` when
/// there is no data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRanges {
    pub posts: Option<(i64, i64)>,
    pub interactions: Option<(i64, i64)>,
    pub history: Option<(i64, i64)>,
    pub follows_since: Option<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub at: i64,
    pub kind: String,
    pub files: Vec<String>,
    pub rows: u64,
}

/// Folds values into an optional [min, max] range.
pub fn extend_range(range: &mut Option<(i64, i64)>, values: impl Iterator<Item = i64>) {
    for v in values {
        *range = Some(match *range {
            None => (v, v),
            Some((a, b)) => (a.min(v), b.max(v)),
        });
    }
}
