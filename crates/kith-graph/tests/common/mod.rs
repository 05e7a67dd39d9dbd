//! Finding the shared datasets and the reference values written by
//! `bench/graph/reference.sh`. Absent files make a test print a note on
//! stderr and return (a fresh clone has neither).

#![allow(dead_code)]

use kith_graph::{EdgeListGraph, read_snap};
use std::collections::HashMap;
use std::path::PathBuf;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$KITH_DATA/graphs/<name>`, or `../shared/data/graphs/<name>` from the
/// workspace root.
pub fn graph_dir(name: &str) -> Option<PathBuf> {
    let data = std::env::var_os("KITH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/data"));
    let dir = data.join("graphs").join(name);
    if dir.join("edges.txt.gz").exists() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping", dir.display());
        None
    }
}

pub fn load(name: &str) -> Option<EdgeListGraph> {
    let dir = graph_dir(name)?;
    Some(read_snap(&dir.join("edges.txt.gz")).expect("dataset parses"))
}

/// `target/kith-graph-reference/<file>` (or `$KITH_GRAPH_REFERENCE/<file>`).
pub fn reference_file(file: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("KITH_GRAPH_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/kith-graph-reference"));
    let path = dir.join(file);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "note: {} is absent (run bench/graph/reference.sh); skipping",
            path.display()
        );
        None
    }
}

/// A reference file of `original_id<TAB>value` lines.
pub fn read_reference<T: std::str::FromStr>(file: &str) -> Option<HashMap<u64, T>>
where
    T::Err: std::fmt::Debug,
{
    let path = reference_file(file)?;
    let text = std::fs::read_to_string(path).expect("reference readable");
    Some(
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once('\t').expect("two columns");
                (k.parse().expect("id"), v.parse().expect("value"))
            })
            .collect(),
    )
}
