//! Modularity and time of Leiden and Louvain by number of passes on one
//! SNAP file: `cargo run --release -p kith-graph --example community_passes -- FILE`.
//! A tuning aid for `CommunityOptions`' defaults.

use kith_graph::{CommunityAlgorithm, CommunityOptions, detect_communities, read_snap};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: community_passes FILE")?;
    let g = read_snap(std::path::Path::new(&path))?;
    let und = g.out.symmetrize_simple();
    for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
        for passes in [1, 2, 3, 5, 10] {
            let opts = CommunityOptions {
                algorithm,
                max_iterations: passes,
                min_gain: 0.0,
                ..Default::default()
            };
            let t = Instant::now();
            let cpu = cpu_seconds();
            let c = detect_communities(&und, &opts)?;
            println!(
                "{algorithm:?} passes={passes} ran={} Q={:.5} communities={} {:.3}s wall {:.2}s cpu",
                c.iterations,
                c.modularity,
                c.count(),
                t.elapsed().as_secs_f64(),
                cpu_seconds() - cpu
            );
        }
    }
    Ok(())
}

/// User + system CPU seconds of this process (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}
