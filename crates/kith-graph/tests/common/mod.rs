//! Finding the shared datasets and the reference values written by
//! `bench/graph/reference.sh`. Absent files make a test print a note on
//! stderr and return (a fresh clone has neither), unless
//! `KITH_REQUIRE_REFERENCE=1` (set by CI, which writes them first): then an
//! absent dataset or networkx/igraph reference fails the test, so that
//! these checks cannot pass by being skipped.

#![allow(dead_code)]

use kith_graph::{EdgeListGraph, read_snap};
use std::collections::HashMap;
use std::path::PathBuf;

/// `path` if it exists; else skips (None after a note) or, if `required`
/// and `KITH_REQUIRE_REFERENCE=1`, fails.
fn present(path: PathBuf, required: bool) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    if required && std::env::var_os("KITH_REQUIRE_REFERENCE").is_some_and(|v| v == "1") {
        panic!("{} is absent and KITH_REQUIRE_REFERENCE=1", path.display());
    }
    eprintln!("note: {} is absent; skipping", path.display());
    None
}

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
    present(dir.join("edges.txt.gz"), true)?;
    Some(dir)
}

pub fn load(name: &str) -> Option<EdgeListGraph> {
    let dir = graph_dir(name)?;
    Some(read_snap(&dir.join("edges.txt.gz")).expect("dataset parses"))
}

fn reference_path(file: &str) -> PathBuf {
    std::env::var_os("KITH_GRAPH_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/kith-graph-reference"))
        .join(file)
}

/// `target/kith-graph-reference/<file>` (or `$KITH_GRAPH_REFERENCE/<file>`),
/// written by `bench/graph/reference.sh` (networkx and igraph).
pub fn reference_file(file: &str) -> Option<PathBuf> {
    present(reference_path(file), true)
}

/// A reference file from a tool built from source (SUBSIM, by
/// `bench/graph/im_reference.sh`), which CI does not build: never required.
pub fn external_reference_file(file: &str) -> Option<PathBuf> {
    present(reference_path(file), false)
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
