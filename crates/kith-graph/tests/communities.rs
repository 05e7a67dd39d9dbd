//! Community detection: quality against igraph on the shared datasets
//! (reference values from `bench/graph/reference.sh`), and exact checks on
//! small graphs.

mod common;

use common::{graph_dir, load, reference_file};
use kith_graph::communities::normalized_mutual_information;
use kith_graph::{CommunityAlgorithm, CommunityOptions, Csr, detect_communities, modularity};

fn igraph_reference() -> Option<serde_json::Value> {
    let path = reference_file("communities.json")?;
    Some(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

fn values(reference: &serde_json::Value, key: &str) -> Vec<f64> {
    reference[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// NMI of our partition of email-eu-core against its 42 departments, over
/// all 1,005 people (people without edges count as singletons, as in the
/// reference script), averaged over the same number of seeds as igraph's
/// runs, is at least igraph's mean for both its Leiden and its Louvain.
#[test]
fn email_eu_core_nmi_at_least_igraphs() {
    let Some(g) = load("email-eu-core") else {
        return;
    };
    let dir = graph_dir("email-eu-core").unwrap();
    let text = std::fs::read_to_string(dir.join("departments.txt")).unwrap();
    let departments: Vec<(u64, u32)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            (
                it.next().unwrap().parse().unwrap(),
                it.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let und = g.out.symmetrize_simple();
    let mut report = Vec::new();
    for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
        let mut nmis = Vec::new();
        for seed in 0..10 {
            let opts = CommunityOptions {
                algorithm,
                seed,
                ..CommunityOptions::default()
            };
            let c = detect_communities(&und, &opts).unwrap();
            let mut next = c.count() as u32;
            let (ours, truth): (Vec<u32>, Vec<u32>) = departments
                .iter()
                .map(|&(id, dept)| match g.ids.dense(id) {
                    Some(v) => (c.membership[v as usize], dept),
                    None => {
                        next += 1;
                        (next, dept)
                    }
                })
                .unzip();
            nmis.push(normalized_mutual_information(&ours, &truth).unwrap());
        }
        report.push((algorithm, mean(&nmis)));
    }
    eprintln!("email-eu-core NMI (mean of 10 seeds): kith {report:?}");
    let Some(reference) = igraph_reference() else {
        return;
    };
    let igraph_leiden = mean(&values(&reference, "email-eu-core-leiden-nmi"));
    let igraph_louvain = mean(&values(&reference, "email-eu-core-louvain-nmi"));
    eprintln!("igraph Leiden {igraph_leiden:.4}, igraph Louvain {igraph_louvain:.4}");
    let ours = report[0].1;
    assert!(
        ours >= igraph_leiden && ours >= igraph_louvain,
        "kith Leiden NMI {ours}"
    );
}

/// Modularity on ego-facebook, mean over 10 seeds, is at least igraph's mean
/// for Leiden and Louvain; every seed's reported modularity is recomputed.
#[test]
fn ego_facebook_modularity_at_least_igraphs() {
    let Some(g) = load("ego-facebook") else {
        return;
    };
    let und = g.out.symmetrize_simple();
    let mut mods = Vec::new();
    for seed in 0..10 {
        let c = detect_communities(
            &und,
            &CommunityOptions {
                seed,
                ..CommunityOptions::default()
            },
        )
        .unwrap();
        let q = modularity(&und, &c.membership, 1.0).unwrap();
        assert!((q - c.modularity).abs() < 1e-12);
        mods.push(q);
    }
    eprintln!(
        "ego-facebook modularity: kith mean {:.6} max {:.4}",
        mean(&mods),
        mods.iter().cloned().fold(0.0, f64::max)
    );
    let Some(reference) = igraph_reference() else {
        return;
    };
    let leiden = mean(&values(&reference, "ego-facebook-leiden-modularity"));
    let louvain = mean(&values(&reference, "ego-facebook-louvain-modularity"));
    eprintln!("igraph Leiden {leiden:.4}, Louvain {louvain:.4}");
    assert!(mean(&mods) >= leiden && mean(&mods) >= louvain);
}

fn two_cliques_with_bridge() -> Csr {
    let mut edges = Vec::new();
    for group in [0u32, 5] {
        for a in group..group + 5 {
            for b in group..group + 5 {
                if a != b {
                    edges.push((a, b));
                }
            }
        }
    }
    edges.push((4, 5));
    edges.push((5, 4));
    Csr::from_edges(10, edges)
}

#[test]
fn finds_planted_cliques_deterministically() {
    let g = two_cliques_with_bridge();
    for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
        let opts = CommunityOptions {
            algorithm,
            seed: 7,
            ..CommunityOptions::default()
        };
        let a = detect_communities(&g, &opts).unwrap();
        assert_eq!(a.count(), 2);
        assert!(a.membership[..5].iter().all(|&c| c == a.membership[0]));
        assert!(a.membership[5..].iter().all(|&c| c == a.membership[5]));
        // Q = 2 * (20/42 - (21/42)^2)
        assert!((a.modularity - 2.0 * (20.0 / 42.0 - 0.25)).abs() < 1e-12);
        assert_eq!(a, detect_communities(&g, &opts).unwrap());
    }
}

/// Self-loops are ignored: in a graph not known to be loop-free, as
/// `Csr::from_edges` builds it, they change neither the partition nor the
/// modularity.
#[test]
fn self_loops_are_ignored() {
    let plain = two_cliques_with_bridge();
    let mut edges: Vec<(u32, u32)> = plain.edges().collect();
    edges.extend((0..10).map(|v| (v, v)));
    let looped = Csr::from_edges(10, edges);
    assert!(!looped.is_loop_free());
    for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
        let opts = CommunityOptions {
            algorithm,
            seed: 7,
            ..CommunityOptions::default()
        };
        assert_eq!(
            detect_communities(&looped, &opts).unwrap(),
            detect_communities(&plain, &opts).unwrap()
        );
    }
}

#[test]
fn resolution_changes_granularity() {
    let g = two_cliques_with_bridge();
    let coarse = detect_communities(
        &g,
        &CommunityOptions {
            resolution: 0.01,
            ..CommunityOptions::default()
        },
    )
    .unwrap();
    assert_eq!(coarse.count(), 1);
    let fine = detect_communities(
        &g,
        &CommunityOptions {
            resolution: 20.0,
            ..CommunityOptions::default()
        },
    )
    .unwrap();
    assert!(fine.count() > 2);
    assert!(
        detect_communities(
            &g,
            &CommunityOptions {
                resolution: -1.0,
                ..CommunityOptions::default()
            }
        )
        .is_err()
    );
    for min_gain in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(
            detect_communities(
                &g,
                &CommunityOptions {
                    min_gain,
                    ..CommunityOptions::default()
                }
            )
            .is_err(),
            "min_gain {min_gain}"
        );
    }
}

#[test]
fn edgeless_graph_gives_singletons() {
    let c = detect_communities(&Csr::empty(4), &CommunityOptions::default()).unwrap();
    assert_eq!(c.count(), 4);
    assert_eq!(c.modularity, 0.0);
}

#[test]
fn nmi_edge_cases() {
    assert!(
        (normalized_mutual_information(&[0, 0, 1, 1], &[5, 5, 3, 3]).unwrap() - 1.0).abs() < 1e-12
    );
    assert!(normalized_mutual_information(&[0, 0, 1, 1], &[0, 1, 0, 1]).unwrap() < 1e-12);
    assert!(normalized_mutual_information(&[0], &[0, 1]).is_err());
}

/// A planted partition: `groups` groups of `size` nodes, each node with
/// `inside` random neighbours in its group and `outside` anywhere.
fn planted(groups: u32, size: u32, inside: u32, outside: u32, seed: u64) -> Csr {
    let mut rng = kith_graph::rng::Rng::new(seed);
    let n = groups * size;
    let mut edges = Vec::new();
    for v in 0..n {
        let g = v / size;
        for _ in 0..inside {
            let u = g * size + rng.below(size);
            edges.push((v, u));
            edges.push((u, v));
        }
        for _ in 0..outside {
            let u = rng.below(n);
            edges.push((v, u));
            edges.push((u, v));
        }
    }
    Csr::from_edges(n as usize, edges).symmetrize_simple()
}

/// Large graphs take the parallel batched path: the result is the same on
/// one thread and on three, and recovers most of a planted partition.
#[test]
fn batched_moving_is_independent_of_thread_count() {
    let g = planted(400, 60, 8, 2, 3);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                detect_communities(
                    &g,
                    &CommunityOptions {
                        seed: 11,
                        ..CommunityOptions::default()
                    },
                )
                .unwrap()
            })
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one, three);
    let truth: Vec<u32> = (0..g.num_nodes() as u32).map(|v| v / 60).collect();
    let nmi = normalized_mutual_information(&one.membership, &truth).unwrap();
    eprintln!(
        "planted partition: {} communities, Q = {:.4}, NMI = {nmi:.4}",
        one.count(),
        one.modularity
    );
    assert!(nmi > 0.9, "NMI {nmi}");
}

/// The default of two passes gives up under 1% of the modularity of ten
/// passes (stopping at a gain under 1e-3): Louvain loses 0.8% on this
/// small R-MAT graph, 0.16% on scale 20 and 0.01% on ego-twitter; Leiden
/// with greedy refinement 0.4% on scale 22 (the trade measured in
/// docs/graph.md).
#[test]
fn default_passes_lose_little() {
    let g = kith_graph::rmat_csr(&kith_graph::RmatParams {
        scale: 14,
        seed: 2,
        ..kith_graph::RmatParams::default()
    })
    .unwrap()
    .symmetrize_simple();
    for algorithm in [CommunityAlgorithm::Leiden, CommunityAlgorithm::Louvain] {
        let default = CommunityOptions::new(algorithm);
        assert_eq!(
            default.max_iterations,
            kith_graph::communities::DEFAULT_PASSES
        );
        let two = detect_communities(&g, &default).unwrap();
        let ten = detect_communities(
            &g,
            &CommunityOptions {
                max_iterations: 10,
                ..default.clone()
            },
        )
        .unwrap();
        eprintln!(
            "R-MAT scale 14 {algorithm:?}: {} passes {:.5}, {} passes {:.5}",
            two.iterations, two.modularity, ten.iterations, ten.modularity
        );
        assert!(two.iterations <= 2 && ten.iterations > 2);
        assert!(
            ten.modularity - two.modularity < 0.01 * ten.modularity,
            "{algorithm:?}: {} against {}",
            two.modularity,
            ten.modularity
        );
    }
}
