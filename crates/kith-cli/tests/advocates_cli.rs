//! `kith demo` writes the demo brand's referral program to kith.db, and
//! `kith advocates` and `kith plan` read it back as a user runs them: the
//! proven referrers rank high, the self-referrer is left out (listed,
//! marked, with --include-flagged), and a brief that cannot be read exits 66.

mod common;

use common::kith_command;
use std::path::Path;
use std::process::Output;

fn kith(args: &[&str]) -> Output {
    kith_command()
        .arg("-q")
        .args(args)
        .output()
        .expect("kith runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn demo_referrals_rank_advocates() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    let ws_s = ws.to_str().unwrap();
    let demo = json(&kith(&["--json", "demo", ws_s]));
    let written = &demo["referral_program"];
    assert!(written["sales"].as_u64().unwrap() > 0, "{written}");
    assert_eq!(written["rejected_as_fraud"], 1);
    let job = &demo["main_job"];
    assert_eq!(job["referral_fraud_left_out"], true);
    assert!(
        job["proven_referrers_shown"].as_u64().unwrap() >= 3,
        "{job}"
    );

    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("demo-truth.json")).unwrap()).unwrap();
    let fraud = truth["referral_fraud"][0].as_str().unwrap().to_string();
    let proven: Vec<String> = truth["proven_referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let brief = ws.join("brief.toml");
    let brief_s = brief.to_str().unwrap();
    let ranked = json(&kith(&[
        "-w",
        ws_s,
        "--json",
        "advocates",
        "--brief",
        brief_s,
        "-n",
        "1000",
    ]));
    let rows = ranked["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["account"] != fraud.as_str()));
    assert_eq!(ranked["excluded"]["referral_fraud"], 1);
    // The best-selling referrer is first: a full referral term beats any
    // reach alone at equal weights.
    assert!(proven.contains(&rows[0]["account"].as_str().unwrap().to_string()));
    assert!(rows[0]["referrals"]["sales"].as_u64().unwrap() > 0);
    for p in &proven {
        assert!(rows.iter().any(|r| r["account"] == p.as_str()), "{p}");
    }
    let kept = json(&kith(&[
        "-w",
        ws_s,
        "--json",
        "advocates",
        "--brief",
        brief_s,
        "-n",
        "1000",
        "--include-flagged",
    ]));
    let marked = kept["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == fraud.as_str())
        .expect("listed with --include-flagged");
    assert_eq!(marked["red_flags"][0], "referral_fraud");

    // The plan never picks the self-referrer.
    let plan = json(&kith(&["-w", ws_s, "--json", "plan", "--brief", brief_s]));
    assert!(
        plan["partners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["account"] != fraud.as_str())
    );

    let missing = kith(&["-w", ws_s, "advocates", "--brief", "/no/such/brief.toml"]);
    assert_eq!(missing.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the brief"));
    assert!(Path::new(&ws).join("kith.db").exists());
}
