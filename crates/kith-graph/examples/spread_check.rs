//! Monte Carlo spread of seed sets on one SNAP file:
//! `spread_check FILE MODEL RUNS SEEDS_FILE...` with MODEL `ic` or `lt`
//! (weighted cascade) and each seeds file holding one original node id a
//! line. Prints one JSON line per seeds file. Used by bench/graph to compare
//! kith's seeds with a reference implementation's.

use kith_graph::{DiffusionModel, EdgeProbability, monte_carlo_spread, read_snap};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err("usage: spread_check FILE ic|lt RUNS SEEDS_FILE...".into());
    }
    let g = read_snap(std::path::Path::new(&args[0]))?;
    let inn = g.out.transpose();
    let model = match args[1].as_str() {
        "ic" => DiffusionModel::IndependentCascade(EdgeProbability::WeightedCascade),
        "lt" => DiffusionModel::LinearThreshold(EdgeProbability::WeightedCascade),
        other => return Err(format!("unknown model {other}").into()),
    };
    let runs: u64 = args[2].parse()?;
    for file in &args[3..] {
        let text = std::fs::read_to_string(file)?;
        let mut seeds = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let id: u64 = line.trim().parse()?;
            seeds.push(
                g.ids
                    .dense(id)
                    .ok_or_else(|| format!("{file}: node {id} is not in the graph"))?,
            );
        }
        let t = Instant::now();
        let s = monte_carlo_spread(&g.out, &inn, model, &seeds, runs, 2024)?;
        println!(
            "{{\"seeds_file\":\"{file}\",\"seeds\":{},\"mean\":{:.2},\"std_error\":{:.2},\"runs\":{},\"seconds\":{:.2}}}",
            seeds.len(),
            s.mean,
            s.std_error,
            s.runs,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
