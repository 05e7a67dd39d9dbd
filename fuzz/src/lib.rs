//! What every fuzz target checks: reading arbitrary bytes as any record kind
//! returns rows or a located error, never a panic and never an internal error.

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
