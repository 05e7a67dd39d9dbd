//! CSR construction, transposition, merging and the file format, checked
//! against a naive `BTreeSet` model with proptest, plus corrupt-file cases.

use kith_graph::{Csr, GraphError};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The model: the node count and the set of distinct edges.
fn model(num_nodes: usize, edges: &[(u32, u32)]) -> (usize, BTreeSet<(u32, u32)>) {
    let n = edges
        .iter()
        .map(|&(s, t)| s.max(t) as usize + 1)
        .max()
        .unwrap_or(0)
        .max(num_nodes);
    (n, edges.iter().copied().collect())
}

fn assert_matches(csr: &Csr, n: usize, set: &BTreeSet<(u32, u32)>) {
    assert_eq!(csr.num_nodes(), n);
    assert_eq!(csr.num_edges(), set.len());
    assert_eq!(csr.offsets().len(), n + 1);
    let got: Vec<(u32, u32)> = csr.edges().collect();
    let want: Vec<(u32, u32)> = set.iter().copied().collect();
    assert_eq!(got, want);
    for v in 0..n as u32 {
        let adj: Vec<u32> = set.range((v, 0)..=(v, u32::MAX)).map(|e| e.1).collect();
        assert_eq!(csr.neighbors(v), &adj[..]);
        assert_eq!(csr.degree(v), adj.len());
    }
}

fn edge_lists() -> impl Strategy<Value = (usize, Vec<(u32, u32)>)> {
    (0usize..40).prop_flat_map(|n| {
        let id = 0u32..(n as u32 + 5);
        (Just(n), prop::collection::vec((id.clone(), id), 0..300))
    })
}

proptest! {
    #[test]
    fn from_edges_equals_model((n, edges) in edge_lists()) {
        let (mn, set) = model(n, &edges);
        let csr = Csr::from_edges(n, edges);
        assert_matches(&csr, mn, &set);
    }

    #[test]
    fn transpose_equals_reversed_model((n, edges) in edge_lists()) {
        let (mn, set) = model(n, &edges);
        let t = Csr::from_edges(n, edges).transpose();
        let reversed: BTreeSet<(u32, u32)> = set.iter().map(|&(s, d)| (d, s)).collect();
        assert_matches(&t, mn, &reversed);
        assert_eq!(t.transpose(), Csr::from_edges(mn, set.into_iter().collect()));
    }

    #[test]
    fn with_added_edges_equals_union((n, edges) in edge_lists(), (n2, more) in edge_lists()) {
        let base = Csr::from_edges(n, edges.clone());
        let merged = base.with_added_edges(n2, more.clone());
        let all: Vec<(u32, u32)> = edges.into_iter().chain(more).collect();
        let (mn, set) = model(n.max(n2).max(base.num_nodes()), &all);
        assert_matches(&merged, mn, &set);
    }

    #[test]
    fn symmetrize_simple_equals_model((n, edges) in edge_lists()) {
        let (mn, set) = model(n, &edges);
        let out = Csr::from_edges(n, edges);
        let und = out.symmetrize_simple();
        let want: BTreeSet<(u32, u32)> = set
            .iter()
            .flat_map(|&(s, d)| [(s, d), (d, s)])
            .filter(|&(s, d)| s != d)
            .collect();
        assert_matches(&und, mn, &want);
        // the same from both directions already built
        let with = out.symmetrize_simple_with(&out.transpose()).unwrap();
        assert_eq!(with, und);
        // known loop-free only where built without self-loops
        assert!(und.is_loop_free() && with.is_loop_free() && und.clone().is_loop_free());
        assert!(!out.is_loop_free() && !out.transpose().is_loop_free());
        // searched when not known, and degrees counted without the loops
        assert_eq!(out.has_self_loops(), set.iter().any(|&(s, d)| s == d));
        assert!(!und.has_self_loops());
        let loops = out.has_self_loops();
        for v in 0..mn as u32 {
            let simple = set.iter().filter(|&&(s, d)| s == v && d != v).count();
            assert_eq!(out.simple_degree(v, loops), simple);
        }
    }

    #[test]
    fn file_round_trip((n, edges) in edge_lists()) {
        let csr = Csr::from_edges(n, edges);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.csr");
        csr.write_to(&path).unwrap();
        let opened = Csr::open(&path).unwrap();
        assert!(opened.is_mapped() || cfg!(target_endian = "big"));
        assert_eq!(opened, csr);
        assert_eq!(opened.clone(), csr);
    }

    /// Flipping any byte or cutting the file either still opens to a valid
    /// CSR or gives an error: never a panic.
    #[test]
    fn damaged_files_never_panic((n, edges) in edge_lists(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let csr = Csr::from_edges(n, edges);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.csr");
        csr.write_to(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let i = at.index(bytes.len());
        if cut { bytes.truncate(i) } else { bytes[i] = byte }
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(g) = Csr::open(&path) {
            let n = g.num_nodes();
            prop_assert!(g.targets().iter().all(|&t| (t as usize) < n));
            prop_assert_eq!(*g.offsets().last().unwrap() as usize, g.num_edges());
            for v in 0..n as u32 { let _ = g.neighbors(v); }
        }
    }
}

#[test]
fn self_loops_are_kept_and_parallel_edges_merged() {
    let csr = Csr::from_edges(3, vec![(1, 1), (0, 2), (0, 2), (2, 0), (0, 1)]);
    assert_eq!(csr.neighbors(0), &[1, 2]);
    assert_eq!(csr.neighbors(1), &[1]);
    assert_eq!(csr.num_edges(), 4);
    assert_eq!(csr.neighbors(99), &[] as &[u32]);
    assert_eq!(csr.degree(99), 0);
}

#[test]
fn larger_random_graph_uses_many_chunks() {
    // Enough edges per node that the counting sort splits into per-thread
    // histograms and the dedup into many blocks.
    let n = 2_000u32;
    let mut state = 12345u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as u32
    };
    let edges: Vec<(u32, u32)> = (0..200_000).map(|_| (next(), next())).collect();
    let (mn, set) = model(n as usize, &edges);
    let csr = Csr::from_edges(n as usize, edges);
    assert_matches(&csr, mn, &set);
    let t = csr.transpose();
    assert_eq!(t.num_edges(), csr.num_edges());
    assert_eq!(t.transpose(), csr);
}

#[test]
fn corrupt_files_are_errors() {
    let csr = Csr::from_edges(4, vec![(0, 1), (1, 2), (2, 3)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.csr");
    csr.write_to(&path).unwrap();
    let good = std::fs::read(&path).unwrap();

    let expect_corrupt = |bytes: &[u8], what: &str| {
        std::fs::write(&path, bytes).unwrap();
        match Csr::open(&path) {
            Err(GraphError::CorruptCsr { .. }) => {}
            other => panic!("{what}: expected CorruptCsr, got {other:?}"),
        }
    };
    let mut b = good.clone();
    b[0] = b'X';
    expect_corrupt(&b, "magic");
    expect_corrupt(&good[..40], "short header");
    expect_corrupt(&good[..good.len() - 8], "truncated");
    let mut b = good.clone();
    b[16] = 200; // n = 200 with the same length
    expect_corrupt(&b, "size mismatch");
    let mut b = good.clone();
    let targets_at = 64 + 8 * 5;
    b[targets_at] = 9; // target 9 >= n
    expect_corrupt(&b, "target out of range");
    let mut b = good.clone();
    b[64 + 8] = 3; // offsets[1] = 3 > offsets[2] = 2
    expect_corrupt(&b, "offsets decrease");
    let mut b = good.clone();
    b[24] = 0xff;
    b[31] = 0xff; // absurd m
    expect_corrupt(&b, "huge m");
    assert!(matches!(
        Csr::open(&dir.path().join("missing")),
        Err(GraphError::Io { .. })
    ));
}

#[test]
fn from_parts_checks_invariants() {
    assert!(Csr::from_parts(vec![0, 1, 2], vec![1, 0]).is_ok());
    assert!(Csr::from_parts(vec![0, 2, 2], vec![1, 1]).is_err());
    assert!(Csr::from_parts(vec![1, 2], vec![0]).is_err());
    assert!(Csr::from_parts(vec![], vec![]).is_err());
    assert!(Csr::from_parts(vec![0, 1], vec![5]).is_err());
}

#[test]
fn empty_graphs() {
    let e = Csr::from_edges(0, Vec::new());
    assert_eq!((e.num_nodes(), e.num_edges()), (0, 0));
    assert_eq!(e.transpose(), e);
    let e5 = Csr::empty(5);
    assert_eq!(e5.transpose().num_nodes(), 5);
    assert_eq!(e5.symmetrize_simple().num_nodes(), 5);
}
