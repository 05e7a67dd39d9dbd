//! k-core and components on small graphs against simple models.

use kith_graph::kcore::core_numbers_sequential;
use kith_graph::{
    Csr, RmatParams, core_numbers, core_numbers_directed, rmat_csr, weakly_connected_components,
    weakly_connected_components_with,
};
use proptest::prelude::*;

fn graphs() -> impl Strategy<Value = (usize, Vec<(u32, u32)>)> {
    (1usize..60).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n as u32, 0..n as u32), 0..400),
        )
    })
}

/// Core numbers by definition: repeatedly delete nodes of degree < k.
fn naive_cores(und: &Csr) -> Vec<u32> {
    let n = und.num_nodes();
    let mut core = vec![0u32; n];
    for k in 1.. {
        let mut alive = vec![true; n];
        loop {
            let mut changed = false;
            for v in 0..n {
                if alive[v] {
                    let d = und
                        .neighbors(v as u32)
                        .iter()
                        .filter(|&&w| w as usize != v && alive[w as usize])
                        .count();
                    if d < k {
                        alive[v] = false;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if !alive.iter().any(|&a| a) {
            break;
        }
        for v in 0..n {
            if alive[v] {
                core[v] = k as u32;
            }
        }
    }
    core
}

proptest! {
    #[test]
    fn core_numbers_agree((n, edges) in graphs()) {
        // both directions with the self-loops kept: not known loop-free, so
        // the degrees are counted without them
        let both: Vec<(u32, u32)> = edges.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
        let with_loops = Csr::from_edges(n, both);
        let out = Csr::from_edges(n, edges);
        let und = out.symmetrize_simple();
        let naive = naive_cores(&und);
        prop_assert!(und.is_loop_free() && !with_loops.is_loop_free());
        prop_assert_eq!(&core_numbers(&und), &naive);
        prop_assert_eq!(&core_numbers(&with_loops), &naive);
        prop_assert_eq!(&core_numbers_sequential(&und), &naive);
        prop_assert_eq!(&core_numbers_directed(&out, &out.transpose()).unwrap(), &naive);
    }

    #[test]
    fn components_agree_with_bfs((n, edges) in graphs()) {
        let out = Csr::from_edges(n, edges);
        let und = out.symmetrize_simple();
        let comps = weakly_connected_components(&out);
        // BFS labelling by smallest node
        let mut label = vec![u32::MAX; n];
        let mut next = 0;
        for s in 0..n {
            if label[s] != u32::MAX { continue; }
            let mut stack = vec![s as u32];
            label[s] = next;
            while let Some(u) = stack.pop() {
                for &w in und.neighbors(u) {
                    if label[w as usize] == u32::MAX { label[w as usize] = next; stack.push(w); }
                }
            }
            next += 1;
        }
        prop_assert_eq!(&comps.component, &label);
        prop_assert_eq!(&weakly_connected_components_with(&out, &out.transpose()).unwrap(), &comps);
        prop_assert_eq!(comps.sizes.iter().sum::<u64>(), n as u64);
    }
}

#[test]
fn mismatched_directions_are_an_error() {
    let a = Csr::from_edges(3, vec![(0, 1)]);
    let b = Csr::from_edges(4, vec![(1, 0)]);
    assert!(core_numbers_directed(&a, &b).is_err());
}

/// A graph large enough for the parallel parts of peeling: its first waves
/// hold more than the parallel threshold's list entries, its first levels
/// more than 65,536 nodes (the parallel scan), and its 2^18 nodes make the
/// single-thread waves prefetch counts. The small random graphs above only
/// reach the sequential parts.
#[test]
fn parallel_peeling_matches_the_sequential_algorithm_on_rmat() {
    let out = rmat_csr(&RmatParams {
        scale: 18,
        edge_factor: 8,
        ..RmatParams::default()
    })
    .unwrap();
    let und = out.symmetrize_simple();
    let expected = core_numbers_sequential(&und);
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(
            pool.install(|| core_numbers(&und)),
            expected,
            "{threads} threads"
        );
    }
    assert_eq!(
        core_numbers_directed(&out, &out.transpose()).unwrap(),
        expected
    );
}

/// Afforest's skipping of the largest component, on a graph that has one
/// and many small components besides (R-MAT leaves many nodes alone), with
/// the edges given in both orientations.
#[test]
fn sampled_components_match_the_full_union_find_on_rmat() {
    let out = rmat_csr(&RmatParams {
        scale: 16,
        edge_factor: 4,
        ..RmatParams::default()
    })
    .unwrap();
    let inn = out.transpose();
    let full = weakly_connected_components(&out);
    assert!(full.count() > 100, "{} components", full.count());
    assert_eq!(weakly_connected_components_with(&out, &inn).unwrap(), full);
    assert_eq!(weakly_connected_components_with(&inn, &out).unwrap(), full);
    let other = Csr::from_edges(3, vec![(0, 1)]);
    assert!(weakly_connected_components_with(&out, &other).is_err());
}
