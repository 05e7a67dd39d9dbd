//! Times each step of kith-graph on one SNAP file and prints one JSON line
//! per step: `cargo run --release -p kith-graph --example graph_timings --
//! FILE [steps...]`. Steps: read, transpose, pagerank20, pagerank, kcore,
//! components, communities, all (default). Used by bench/graph/run.sh.

use kith_graph::{
    CommunityOptions, DiffusionModel, EdgeProbability, InfluenceOptions, PageRankOptions,
    core_numbers_directed, detect_communities, maximize_influence, pagerank, read_snap,
    weakly_connected_components_with,
};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or("usage: graph_timings FILE [steps...]")?);
    let mut steps: Vec<String> = args.collect();
    if steps.is_empty() || steps.iter().any(|s| s == "all") {
        steps = [
            "pagerank20",
            "pagerank",
            "kcore",
            "components",
            "communities",
        ]
        .map(String::from)
        .to_vec();
    }
    let cpu_mark = std::cell::Cell::new(cpu_seconds());
    let report = |step: &str, seconds: f64, extra: String| {
        let cpu = cpu_seconds();
        let used = cpu - cpu_mark.replace(cpu);
        println!(
            "{{\"step\":\"{step}\",\"seconds\":{seconds:.4},\"cpu_seconds\":{used:.3}{extra}}}"
        );
    };
    let t = Instant::now();
    let g = read_snap(&path)?;
    report(
        "read",
        t.elapsed().as_secs_f64(),
        format!(
            ",\"nodes\":{},\"edges\":{}",
            g.out.num_nodes(),
            g.out.num_edges()
        ),
    );
    let t = Instant::now();
    let inn = g.out.transpose();
    report("transpose", t.elapsed().as_secs_f64(), String::new());
    for step in &steps {
        let t = Instant::now();
        let extra = match step.as_str() {
            "pagerank20" => {
                let opts = PageRankOptions {
                    tolerance: 0.0,
                    max_iterations: 20,
                    ..Default::default()
                };
                let r = pagerank(&g.out, &inn, &opts)?;
                format!(",\"iterations\":{}", r.iterations)
            }
            "pagerank" => {
                let r = pagerank(
                    &g.out,
                    &inn,
                    &PageRankOptions {
                        max_iterations: 1000,
                        ..Default::default()
                    },
                )?;
                format!(",\"iterations\":{}", r.iterations)
            }
            "kcore" => {
                let c = core_numbers_directed(&g.out, &inn)?;
                format!(",\"max_core\":{}", c.iter().max().unwrap_or(&0))
            }
            "components" => {
                let c = weakly_connected_components_with(&g.out, &inn)?;
                format!(",\"components\":{}", c.count())
            }
            "symmetrize" => {
                let u = g.out.symmetrize_simple();
                format!(",\"undirected_edges\":{}", u.num_edges() / 2)
            }
            "communities" => {
                let t0 = Instant::now();
                let u = g.out.symmetrize_simple();
                let sym = t0.elapsed().as_secs_f64();
                let c = detect_communities(&u, &CommunityOptions::default())?;
                format!(
                    ",\"symmetrize_seconds\":{sym:.4},\"communities\":{},\"modularity\":{:.6},\"iterations\":{}",
                    c.count(),
                    c.modularity,
                    c.iterations
                )
            }
            "influence_ic" | "influence_lt" => {
                let model = if step == "influence_ic" {
                    DiffusionModel::IndependentCascade(EdgeProbability::WeightedCascade)
                } else {
                    DiffusionModel::LinearThreshold(EdgeProbability::WeightedCascade)
                };
                let r = maximize_influence(
                    &inn,
                    &InfluenceOptions {
                        model,
                        k: 50,
                        epsilon: 0.1,
                        ..Default::default()
                    },
                )?;
                format!(
                    ",\"spread\":{:.1},\"spread_lower\":{:.1},\"approximation\":{:.4},\"rr_sets\":{},\"rr_entries\":{},\"rounds\":{},\"seeds\":{:?}",
                    r.spread,
                    r.spread_lower,
                    r.approximation,
                    r.rr_sets,
                    r.rr_entries,
                    r.rounds,
                    r.seeds
                )
            }
            other => return Err(format!("unknown step {other}").into()),
        };
        report(step, t.elapsed().as_secs_f64(), extra);
    }
    Ok(())
}

/// User + system CPU time of this process so far (Linux; 0 elsewhere), so
/// runs on a busy machine can be read by work done as well as wall time.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // fields after the command name's closing parenthesis; utime and stime
    // are the 12th and 13th of them
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}
