//! Times community detection on one SNAP file, the way `kith graph
//! communities` runs it (symmetrize with the reverse graph, then detect):
//! `cargo run --release -p kith-graph --example community_timing -- FILE
//! [leiden|louvain|both] [REPEATS]`. Prints one line per run with wall and
//! CPU seconds, modularity, passes and community count. A tuning aid.

use kith_graph::{CommunityAlgorithm, CommunityOptions, detect_communities, read_snap};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: community_timing FILE [leiden|louvain|both] [REPEATS]")?;
    let which = args.next().unwrap_or_else(|| "both".into());
    let repeats: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(1);
    let t = Instant::now();
    let g = read_snap(std::path::Path::new(&path))?;
    let inn = g.out.transpose();
    println!("read + transpose {:.3}s", t.elapsed().as_secs_f64());
    let algorithms: &[CommunityAlgorithm] = match which.as_str() {
        "leiden" => &[CommunityAlgorithm::Leiden],
        "louvain" => &[CommunityAlgorithm::Louvain],
        _ => &[CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain],
    };
    for &algorithm in algorithms {
        for _ in 0..repeats {
            let t = Instant::now();
            let cpu = cpu_seconds();
            let und = g.out.symmetrize_simple_with(&inn)?;
            let und = match std::env::var("KITH_ORDER").as_deref() {
                Ok("degree") => {
                    let n = und.num_nodes();
                    let mut order: Vec<u32> = (0..n as u32).collect();
                    order.sort_by_key(|&v| std::cmp::Reverse(und.neighbors(v).len()));
                    relabel(&und, &order)
                }
                Ok("bfs") => {
                    let n = und.num_nodes();
                    let mut seen = vec![false; n];
                    let mut order: Vec<u32> = Vec::with_capacity(n);
                    let mut by_degree: Vec<u32> = (0..n as u32).collect();
                    by_degree.sort_by_key(|&v| std::cmp::Reverse(und.neighbors(v).len()));
                    for &s in &by_degree {
                        if seen[s as usize] {
                            continue;
                        }
                        seen[s as usize] = true;
                        let mut head = order.len();
                        order.push(s);
                        while head < order.len() {
                            let v = order[head];
                            head += 1;
                            for &u in und.neighbors(v) {
                                if !seen[u as usize] {
                                    seen[u as usize] = true;
                                    order.push(u);
                                }
                            }
                        }
                    }
                    relabel(&und, &order)
                }
                _ => und,
            };
            let sym = t.elapsed().as_secs_f64();
            let opts = CommunityOptions {
                algorithm,
                max_iterations: std::env::var("KITH_PASSES")
                    .ok()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(10),
                min_gain: std::env::var("KITH_MIN_GAIN")
                    .ok()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(1e-3),
                ..Default::default()
            };
            let detect = Instant::now();
            let c = detect_communities(&und, &opts)?;
            let detect = detect.elapsed().as_secs_f64();
            println!(
                "{algorithm:?} Q={:.5} passes={} communities={} detect {detect:.3}s, {:.3}s wall (symmetrize {:.3}s) {:.2}s cpu",
                c.modularity,
                c.iterations,
                c.count(),
                t.elapsed().as_secs_f64(),
                sym,
                cpu_seconds() - cpu
            );
        }
    }
    Ok(())
}

/// The graph with node `order[i]` renamed `i`.
fn relabel(g: &kith_graph::Csr, order: &[u32]) -> kith_graph::Csr {
    let mut new_id = vec![0u32; order.len()];
    for (i, &v) in order.iter().enumerate() {
        new_id[v as usize] = i as u32;
    }
    let mut offsets = vec![0u64];
    let mut targets = Vec::new();
    for &v in order {
        let mut adj: Vec<u32> = g.neighbors(v).iter().map(|&u| new_id[u as usize]).collect();
        adj.sort_unstable();
        targets.extend(adj);
        offsets.push(targets.len() as u64);
    }
    kith_graph::Csr::from_parts(offsets, targets).unwrap()
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
