//! The SNAP reader and the R-MAT generator.

use kith_graph::edgelist::read_snap_from;
use kith_graph::{Csr, GraphError, RmatParams, read_snap, rmat_csr, write_rmat_snap};
use proptest::prelude::*;
use std::path::Path;

fn parse(text: &str) -> Result<kith_graph::EdgeListGraph, GraphError> {
    read_snap_from(text.as_bytes(), Path::new("test.txt"))
}

#[test]
fn comments_blank_lines_crlf_and_extra_columns() {
    let g = parse("# a comment\n% another\n\n10\t20\r\n20 10 0.5 x\n  30\t10\n10 20\n").unwrap();
    assert_eq!(g.ids.len(), 3);
    assert_eq!(g.lines_with_edges, 4);
    let (a, b, c) = (
        g.ids.dense(10).unwrap(),
        g.ids.dense(20).unwrap(),
        g.ids.dense(30).unwrap(),
    );
    assert_eq!(
        (a, b, c),
        (0, 1, 2),
        "dense ids follow the sorted original ids"
    );
    assert_eq!(g.out.num_edges(), 3);
    assert!(g.out.has_edge(a, b) && g.out.has_edge(b, a) && g.out.has_edge(c, a));
    assert_eq!(g.ids.original(2), Some(30));
    assert_eq!(g.ids.original(3), None);
    assert_eq!(g.ids.dense(99), None);
}

#[test]
fn ids_beyond_32_bits_are_remapped() {
    let big = 1u64 << 40;
    let g = parse(&format!("{big} 5\n5 {}\n", big + 1)).unwrap();
    assert_eq!(g.ids.len(), 3);
    assert_eq!(g.ids.original(2), Some(big + 1));
    assert!(g.out.has_edge(g.ids.dense(big).unwrap(), 0));
}

#[test]
fn bad_lines_are_located_errors() {
    for (text, line, column) in [
        ("1 2\n3\n", 2, 2),
        ("1 2\n\n# c\n4 x\n", 4, 3),
        ("1 -2\n", 1, 3),
        ("99999999999999999999999 1\n", 1, 1),
        ("1 2 \n1\t\n", 2, 3),
        ("1 2\n  7\t8x 9\n", 2, 6),
    ] {
        let err = parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text:?} parsed"));
        let GraphError::EdgeList {
            line: got,
            column: got_column,
            ..
        } = &err
        else {
            panic!("{text:?}: expected a located error, got {err:?}");
        };
        assert_eq!((*got, *got_column), (line, column), "{text:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("test.txt:{line}:{column}: ")),
            "{shown}"
        );
    }
    assert!(matches!(
        read_snap(Path::new("/nonexistent/edges.txt")),
        Err(GraphError::Io { .. })
    ));
}

proptest! {
    /// Any bytes either parse or give a located error inside the input;
    /// never a panic.
    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        match read_snap_from(&bytes[..], Path::new("x")) {
            Ok(_) => {}
            Err(GraphError::EdgeList { line, column, .. }) => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                prop_assert!((1..=lines).contains(&line), "line {} of {}", line, lines);
                prop_assert!(column >= 1 && column as usize <= bytes.len() + 1);
            }
            Err(e) => prop_assert!(false, "not a located error: {}", e),
        }
    }

    /// Written edges read back as the same graph (ids kept: they are 0..n).
    #[test]
    fn edges_round_trip(edges in prop::collection::vec((0u32..50, 0u32..50), 1..200)) {
        let text: String = edges.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
        let g = parse(&text).unwrap();
        let remapped: Vec<(u32, u32)> = edges
            .iter()
            .map(|&(a, b)| (g.ids.dense(a as u64).unwrap(), g.ids.dense(b as u64).unwrap()))
            .collect();
        prop_assert_eq!(g.out, Csr::from_edges(g.ids.len(), remapped));
    }
}

#[test]
fn rmat_is_deterministic_and_round_trips_through_a_file() {
    let params = RmatParams {
        scale: 10,
        edge_factor: 8,
        seed: 42,
        ..RmatParams::default()
    };
    let a = rmat_csr(&params).unwrap();
    assert_eq!(a, rmat_csr(&params).unwrap());
    assert_ne!(
        a,
        rmat_csr(&RmatParams {
            seed: 43,
            ..params.clone()
        })
        .unwrap()
    );
    assert_eq!(a.num_nodes(), 1024);
    // skewed: the largest out-degree is far above the mean of 8
    let max_degree = (0..1024).map(|v| a.degree(v)).max().unwrap();
    assert!(max_degree > 60, "max degree {max_degree}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rmat.txt");
    assert_eq!(write_rmat_snap(&params, &path).unwrap(), 8 * 1024);
    let g = read_snap(&path).unwrap();
    assert_eq!(g.lines_with_edges, 8 * 1024);
    // the file may leave isolated ids out; map ours through the dictionary
    let remapped: Vec<(u32, u32)> = a
        .edges()
        .filter_map(|(u, v)| Some((g.ids.dense(u as u64)?, g.ids.dense(v as u64)?)))
        .collect();
    assert_eq!(g.out, Csr::from_edges(g.ids.len(), remapped));
    assert!(
        rmat_csr(&RmatParams {
            a: 0.9,
            b: 0.2,
            ..params.clone()
        })
        .is_err()
    );
    assert!(rmat_csr(&RmatParams { scale: 0, ..params }).is_err());
}

/// Plain files are memory-mapped and parsed in blocks cut at line ends:
/// the same graph, the same error lines (here past the first 32 MiB
/// block), as reading the same bytes through a reader.
#[test]
fn mapped_files_read_as_streams_do() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let mut text = Vec::new();
    let mut line = 0u64;
    while text.len() < (33 << 20) {
        line += 1;
        text.extend_from_slice(format!("{} {}\n", line % 1000, line % 997 + 5).as_bytes());
    }
    text.extend_from_slice(b"7 8"); // no newline at the end
    let good = write("good.txt", &text);
    let mapped = read_snap(&good).unwrap();
    let streamed = read_snap_from(&text[..], Path::new("x")).unwrap();
    assert_eq!(mapped.out, streamed.out);
    assert_eq!(mapped.ids, streamed.ids);
    assert_eq!(mapped.lines_with_edges, line + 1);

    let bad_line = line + 2;
    text.extend_from_slice(b"\n9 x\n1 2\n");
    let bad = write("bad.txt", &text);
    for result in [read_snap(&bad), read_snap_from(&text[..], Path::new("x"))] {
        match result {
            Err(GraphError::EdgeList { line, .. }) => assert_eq!(line, bad_line),
            other => panic!("expected a located error, got {other:?}"),
        }
    }

    let empty = read_snap(&write("empty.txt", b"")).unwrap();
    assert_eq!((empty.ids.len(), empty.lines_with_edges), (0, 0));
    let short = read_snap(&write("short.txt", b"# only\n1 2")).unwrap();
    assert_eq!((short.ids.len(), short.lines_with_edges), (2, 1));
}
