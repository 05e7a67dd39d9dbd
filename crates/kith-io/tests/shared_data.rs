//! Every public dataset in `shared/data` reads without error, with the row
//! counts its README states. Skips (with a note on stderr) where the data is
//! absent, as in a fresh clone.

use kith_io::{ReadOptions, Record, read_records, read_snap};
use kith_model::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, Post,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KITH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping the shared-data checks",
            dir.display()
        );
        None
    }
}

fn count<T: Record>(path: &Path) -> u64 {
    let started = Instant::now();
    let rows = read_records(path, &ReadOptions::default(), |_: Vec<T>| Ok(()))
        .unwrap_or_else(|e| panic!("{e}"));
    report(path, rows, started);
    rows
}

fn report(path: &Path, rows: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{}: {rows} rows in {secs:.3} s ({:.0} rows/s, unoptimised test build)",
        path.display(),
        rows as f64 / secs.max(1e-9)
    );
}

/// Reads a world file as the kind its name says.
fn count_by_name(path: &Path) -> u64 {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let kind = name.split('.').next().unwrap_or("");
    match kind {
        "accounts" => count::<Account>(path),
        "posts" => count::<Post>(path),
        "follows" => count::<Follow>(path),
        "interactions" => count::<Interaction>(path),
        "history" => count::<HistoryPoint>(path),
        "customers" => count::<Customer>(path),
        _ => panic!("{}: no record kind is named {kind:?}", path.display()),
    }
}

#[test]
fn every_world_file_reads() {
    let Some(data) = data_dir() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("worlds"))
        .unwrap()
        .flatten()
        .flat_map(|world| {
            std::fs::read_dir(world.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|f| f.path())
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".csv.gz")))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "found only {files:?}");
    for path in &files {
        let rows = count_by_name(path);
        assert!(rows > 0, "{}", path.display());
    }
    let known = [
        ("x-ego/accounts.csv.gz", 81_306),
        ("instagram-engagement/accounts.csv.gz", 700),
        ("instagram-engagement/posts.csv.gz", 57_816),
        ("instagram-influencers/accounts.csv.gz", 33_935),
        ("x-higgs/interactions.csv.gz", 563_069),
        ("twitch/accounts.csv.gz", 34_118),
    ];
    for (file, rows) in known {
        assert_eq!(
            count_by_name(&data.join("worlds").join(file)),
            rows,
            "{file}"
        );
    }
}

#[test]
fn authenticity_files_read() {
    let Some(data) = data_dir() else { return };
    for (file, rows, fakes) in [
        ("instafake.csv", 1_194, 200),
        ("kaggle-train.csv", 576, 288),
    ] {
        let path = data.join("authenticity").join(file);
        let all: Vec<AuthenticityFeatures> =
            kith_io::read_all(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), rows, "{file}");
        let fake = all
            .iter()
            .filter(|r| r.label == Some(kith_model::Label::Fake))
            .count();
        assert_eq!(fake, fakes, "{file}");
    }
}

#[test]
fn snap_graphs_match_their_published_edge_counts() {
    let Some(data) = data_dir() else { return };
    for (graph, edges) in [
        ("ego-twitter", 1_768_149),
        ("soc-slashdot0902", 948_464),
        ("wiki-vote", 103_689),
        ("email-eu-core", 25_571),
        ("ego-facebook", 88_234),
    ] {
        let path = data.join("graphs").join(graph).join("edges.txt.gz");
        let started = Instant::now();
        let n =
            read_snap(&path, &ReadOptions::default(), |_| Ok(())).unwrap_or_else(|e| panic!("{e}"));
        report(&path, n, started);
        assert_eq!(n, edges, "{graph}");
    }
}
