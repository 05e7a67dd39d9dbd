//! Measures read throughput and peak memory of the kith-io readers.
//!
//! ```text
//! cargo run --release -p kith-io --example throughput -- snap FILE
//! cargo run --release -p kith-io --example throughput -- KIND FILE     (accounts, posts, follows, interactions, history, customers, features)
//! cargo run --release -p kith-io --example throughput -- gen-snap FILE EDGES   (a synthetic edge list; gzip when FILE ends in .gz)
//! ```

use kith_io::{Progress, ReadOptions, Record, read_records, read_snap};
use kith_model::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, Post,
};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: throughput snap|accounts|posts|follows|interactions|history|customers|features FILE | gen-snap FILE EDGES"
        );
        std::process::exit(2);
    };
    let path = Path::new(file);
    if what == "gen-snap" {
        let edges: u64 = args
            .get(2)
            .and_then(|e| e.parse().ok())
            .unwrap_or(50_000_000);
        generate_snap(path, edges);
        return;
    }
    let progress = Progress::for_files(&[path]);
    let opts = ReadOptions {
        progress: Some(Arc::clone(&progress)),
        ..ReadOptions::default()
    };
    let started = Instant::now();
    let result = match what.as_str() {
        "snap" => {
            let mut checksum = 0u64;
            read_snap(path, &opts, |batch| {
                checksum = batch
                    .iter()
                    .fold(checksum, |c, &(a, b)| c.wrapping_add(a ^ b));
                Ok(())
            })
            .map(|n| (n, checksum))
        }
        "accounts" => rows::<Account>(path, &opts),
        "posts" => rows::<Post>(path, &opts),
        "follows" => rows::<Follow>(path, &opts),
        "interactions" => rows::<Interaction>(path, &opts),
        "history" => rows::<HistoryPoint>(path, &opts),
        "customers" => rows::<Customer>(path, &opts),
        "features" => rows::<AuthenticityFeatures>(path, &opts),
        other => {
            eprintln!("unknown kind {other}");
            std::process::exit(2);
        }
    };
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok((rows, checksum)) => {
            let bytes = progress.bytes_read.load(Ordering::Relaxed) as f64;
            println!(
                "{file}: {rows} rows in {secs:.3} s = {:.2} M rows/s, {:.0} MB/s of input as stored; peak RSS {} MiB; {} threads (checksum {checksum})",
                rows as f64 / secs / 1e6,
                bytes / secs / 1e6,
                peak_rss_mib(),
                rayon::current_num_threads(),
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

/// Reads every record; the checksum keeps the work from being optimised away.
fn rows<T: Record>(path: &Path, opts: &ReadOptions) -> Result<(u64, u64), kith_io::Error> {
    let mut checksum = 0u64;
    let n = read_records(path, opts, |batch: Vec<T>| {
        checksum = checksum.wrapping_add(batch.len() as u64);
        Ok(())
    })?;
    Ok((n, checksum))
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// A power-law-ish edge list with SNAP's comment header, deterministic.
fn generate_snap(path: &Path, edges: u64) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let buffered = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut out: Box<dyn Write> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::write::GzEncoder::new(
            buffered,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(buffered)
    };
    let nodes = (edges / 20).max(2);
    writeln!(
        out,
        "# Synthetic directed graph\n# Nodes: {nodes} Edges: {edges}\n# FromNodeId\tToNodeId"
    )
    .unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        // xorshift64*: fast, deterministic, good enough for a benchmark file.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut line = String::with_capacity(32);
    for _ in 0..edges {
        let from = next() % nodes;
        // Squaring a uniform draw skews targets towards low ids (popular accounts).
        let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
        let to = ((u * u) * nodes as f64) as u64;
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(line, "{from}\t{to}");
        out.write_all(line.as_bytes()).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    println!(
        "wrote {edges} edges over {nodes} nodes to {}",
        path.display()
    );
}
