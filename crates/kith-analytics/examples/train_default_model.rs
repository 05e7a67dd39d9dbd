//! Rebuilds the shipped default model from the labelled files, the same way
//! `kith authenticity train` does (this runs without building the CLI):
//!
//! ```text
//! cargo run --release -p kith-analytics --example train_default_model -- \
//!     ../shared/data/authenticity/instafake.csv ../shared/data/authenticity/kaggle-train.csv \
//!     crates/kith-analytics/models/authenticity-default.json
//! ```

use kith_analytics::authenticity::{LabelledFile, TrainOptions, TrainRecord, train_files};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .pop()
        .ok_or("usage: train_default_model FEATURES... OUT")?;
    let bytes: Vec<Vec<u8>> = args.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let mut files = Vec::new();
    for (path, bytes) in args.iter().zip(&bytes) {
        let rows = kith_io::read_all(Path::new(path), &kith_io::ReadOptions::default())?;
        let name = Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        files.push(LabelledFile { name, bytes, rows });
    }
    let record = TrainRecord {
        trained_at: kith_model::time::format_time(kith_model::time::now()),
        cross_validation: Some((5, 10)),
        threshold: 0.5,
    };
    let model = train_files(&files, &TrainOptions::default(), &record)?;
    std::fs::write(&out, model.to_json() + "\n")?;
    eprintln!("wrote {out}: {} trees", model.ensemble.trees.len());
    Ok(())
}
