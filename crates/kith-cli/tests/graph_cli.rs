//! `kith graph` as a user runs it on a SNAP edge list: the JSON reports of
//! k-core, components and communities on a graph whose answers are known
//! by hand, their timings (the undirected graph's build timed apart), and
//! bad input refused with its place in the file or a usage error.

mod common;

use common::kith_command;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn kith(args: &[&str]) -> Output {
    kith_command()
        .arg("-q")
        .args(args)
        .output()
        .expect("kith runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON report")
}

/// Two groups joined by one edge: a 4-clique on 10..13 written in one
/// direction only, with a repeated edge and a self-loop, and a triangle on
/// 20..22 written in both directions; 13 -> 20 joins them. Node 30 hangs
/// off the triangle.
fn write_graph(dir: &Path) -> String {
    let text = "# two groups\n\
                10\t11\n10\t12\n10\t13\n11\t12\n11\t13\n12\t13\n12\t13\n13\t13\n\
                20\t21\n21\t20\n21\t22\n22\t21\n20\t22\n22\t20\n\
                13\t20\n30\t22\n";
    let path = dir.join("edges.txt");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn kcore_reports_core_numbers_of_the_undirected_simple_graph() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write_graph(dir.path());
    let r = json_of(&kith(&[
        "--json", "graph", "kcore", "--edges", &edges, "--top", "20",
    ]));
    assert_eq!(r["max_core"], 3, "{r}");
    assert_eq!(r["nodes_in_max_core"], 4, "{r}");
    let score = |node: &str| {
        r["top"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["node"].to_string().trim_matches('"') == node)
            .map(|row| row["score"].as_f64().unwrap())
    };
    assert_eq!(score("10"), Some(3.0));
    assert_eq!(score("21"), Some(2.0));
    assert_eq!(score("30"), Some(1.0));
    assert_eq!(r["graph"]["nodes"], 8);
    for key in ["load", "undirected", "compute"] {
        assert!(r["seconds"][key].as_f64().unwrap() >= 0.0, "{key}: {r}");
    }
}

#[test]
fn components_and_communities_on_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write_graph(dir.path());
    let r = json_of(&kith(&["--json", "graph", "components", "--edges", &edges]));
    assert_eq!(r["count"], 1, "{r}");
    assert_eq!(r["largest"][0]["size"], 8, "{r}");
    assert!(
        r["seconds"].get("undirected").is_none(),
        "components needs no undirected graph: {r}"
    );
    let graph = r["graph"].clone();

    let members = dir.path().join("members.txt");
    let r = json_of(&kith(&[
        "--json",
        "graph",
        "communities",
        "--edges",
        &edges,
        "--output",
        members.to_str().unwrap(),
    ]));
    assert_eq!(r["count"], 2, "{r}");
    // the directed edges are freed before detection; the report still
    // gives the size of the graph read
    assert_eq!(r["graph"], graph, "{r}");
    assert!(r["modularity"].as_f64().unwrap() > 0.3, "{r}");
    assert!(r["seconds"]["undirected"].as_f64().is_some(), "{r}");
    // writing the membership file is timed apart from the algorithm
    assert!(r["seconds"]["write"].as_f64().unwrap() >= 0.0, "{r}");
    let text = std::fs::read_to_string(&members).unwrap();
    let community = |node: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{node}\t")))
            .unwrap()
            .to_string()
    };
    assert_eq!(community("10"), community("13"));
    assert_eq!(community("20"), community("30"));
    assert_ne!(community("10"), community("20"));
}

#[test]
fn a_bad_line_is_named_by_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    std::fs::write(&path, "1\t2\n2\t3\n5\tx7\n").unwrap();
    let p = path.to_str().unwrap();
    let out = kith(&["graph", "kcore", "--edges", p]);
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{p}:3:3: a node id must be a non-negative integer"
        )),
        "{err}"
    );
    let out = kith(&["--json", "graph", "kcore", "--edges", p]);
    assert_eq!(out.status.code(), Some(65));
    let v: Value = serde_json::from_slice(&out.stdout)
        .or_else(|_| serde_json::from_slice(&out.stderr))
        .expect("a JSON error");
    assert_eq!(v["exit_code"], 65, "{v}");
}

#[test]
fn a_bad_setting_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write_graph(dir.path());
    let out = kith(&["graph", "communities", "--edges", &edges, "--min-gain=nan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("min_gain must be a non-negative number")
    );
}

/// `--iterations`' help gives the default the library sets for each
/// algorithm, so the two cannot drift apart.
#[test]
fn communities_help_states_the_library_defaults() {
    use kith_graph::{CommunityAlgorithm, CommunityOptions};
    let out = kith(&["graph", "communities", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let leiden = CommunityOptions::new(CommunityAlgorithm::Leiden).max_iterations;
    let louvain = CommunityOptions::new(CommunityAlgorithm::Louvain).max_iterations;
    assert_eq!(leiden, louvain, "the help gives one default for both");
    let expected = format!("to the modularity [default: {leiden}]");
    assert!(help.contains(&expected), "{expected:?} not in {help}");
}
