//! What every fuzz target checks: reading arbitrary bytes as any record kind,
//! or as a graph's edge list, returns rows or a located error, never a panic
//! and never an internal error.

use kith_io::{Format, ReadOptions, Record, read_records_from, read_snap_from};
use kith_model::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, Post,
};
use std::path::Path;

fn read_as<T: Record>(data: &[u8], name: &str, format: Format, opts: &ReadOptions) {
    let reader = std::io::Cursor::new(data.to_vec());
    if let Err(e) = read_records_from::<T>(reader, Path::new(name), format, opts, |_| Ok(())) {
        assert!(!e.message.contains("internal error"), "{e}");
    }
}

/// Reads `data` as every record kind in `format`, with and without the
/// options that change parsing (`--platform`, `--ignore-unknown`).
pub fn read_every_kind(data: &[u8], name: &str, format: Format) {
    for opts in [
        ReadOptions::default(),
        ReadOptions {
            platform: Some(kith_model::Platform::Instagram),
            ignore_unknown: true,
            progress: None,
        },
    ] {
        read_as::<Account>(data, name, format, &opts);
        read_as::<Post>(data, name, format, &opts);
        read_as::<Follow>(data, name, format, &opts);
        read_as::<Interaction>(data, name, format, &opts);
        read_as::<HistoryPoint>(data, name, format, &opts);
        read_as::<Customer>(data, name, format, &opts);
        read_as::<AuthenticityFeatures>(data, name, format, &opts);
    }
}

/// Reads `data` as an edge list.
pub fn read_edges(data: &[u8]) {
    let reader = std::io::Cursor::new(data.to_vec());
    if let Err(e) = read_snap_from(
        reader,
        Path::new("fuzz.txt"),
        &ReadOptions::default(),
        |_| Ok(()),
    ) {
        assert!(!e.message.contains("internal error"), "{e}");
    }
}

/// Reads `data` with kith-graph's edge-list reader: a graph, or an error
/// that points at a line and column inside the input.
pub fn read_graph_edges(data: &[u8]) {
    match kith_graph::edgelist::read_snap_from(data, Path::new("fuzz.txt")) {
        Ok(g) => assert!(g.out.num_nodes() == g.ids.len()),
        Err(kith_graph::GraphError::EdgeList { line, column, .. }) => {
            let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
            assert!(column >= 1 && column as usize <= data.len() + 1);
        }
        Err(e) => panic!("not a located error: {e}"),
    }
}
