//! `kith score` as a user runs it on a demo world: one row per account in
//! every output format (CSV, gzip-compressed CSV, JSON Lines, standard
//! output), the same figures in each, unknown as empty or null, and a name
//! it cannot write refused with a usage error.

mod common;

use common::kith_command;
use std::io::Read;
use std::path::Path;
use std::process::Output;

fn kith(ws: &Path, args: &[&str]) -> Output {
    kith_command()
        .arg("-q")
        .arg("-w")
        .arg(ws)
        .args(args)
        .output()
        .expect("kith runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.expect("a well-formed CSV row"))
        .collect();
    (header, rows)
}

#[test]
fn score_writes_every_account_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    let ws_s = ws.to_str().unwrap();
    let demo = kith_command()
        .args(["-q", "demo", ws_s, "--accounts", "3000"])
        .output()
        .unwrap();
    ok(&demo);
    let info = kith(&ws, &["--json", "info"]);
    ok(&info);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    let accounts = info["counts"]["accounts"].as_u64().unwrap() as usize;
    assert!(accounts >= 3000, "{info}");

    let csv_path = ws.join("scores.csv");
    ok(&kith(&ws, &["score", "--out", csv_path.to_str().unwrap()]));
    let csv_bytes = std::fs::read(&csv_path).unwrap();
    let (header, rows) = csv_rows(&csv_bytes);
    assert_eq!(header.len(), 40);
    assert_eq!(&header[..2], ["platform", "handle"]);
    assert_eq!(rows.len(), accounts);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    // Never NaN or infinity; some figures known, some not.
    let text = String::from_utf8_lossy(&csv_bytes);
    assert!(!text.contains("NaN") && !text.contains("inf"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let er = col("er_followers_median");
    assert!(rows.iter().any(|r| !r[er].is_empty()));
    assert!(rows.iter().any(|r| r[er].is_empty()));
    let flags = col("red_flags");
    assert!(rows.iter().any(|r| r[flags].contains("fake_account")));

    // Standard output and gzip carry the same bytes.
    let stdout = kith(&ws, &["score"]);
    ok(&stdout);
    assert_eq!(stdout.stdout, csv_bytes);
    let gz_path = ws.join("scores.csv.gz");
    ok(&kith(&ws, &["score", "--out", gz_path.to_str().unwrap()]));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz_path).unwrap())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, csv_bytes);

    // JSON Lines: the same accounts and numbers, unknown as null.
    let jsonl_path = ws.join("scores.jsonl");
    ok(&kith(
        &ws,
        &["score", "--out", jsonl_path.to_str().unwrap()],
    ));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), accounts);
    for (line, row) in lines.iter().zip(&rows) {
        assert_eq!(line["handle"].as_str().unwrap(), &row[1]);
        match line["er_followers_median"].as_f64() {
            // serde_json's default float parsing may miss the last bit.
            Some(v) => assert!((v - row[er].parse::<f64>().unwrap()).abs() <= 1e-15 * v.abs()),
            None => assert!(row[er].is_empty() && line["er_followers_median"].is_null()),
        }
    }

    // One platform only.
    let x = kith(&ws, &["score", "--platform", "tiktok"]);
    ok(&x);
    let (_, x_rows) = csv_rows(&x.stdout);
    assert!(x_rows.iter().all(|r| &r[0] == "tiktok"));
    assert!(x_rows.len() < accounts);

    // A name kith cannot write: a usage error, nothing written.
    let parquet = ws.join("scores.parquet");
    let out = kith(&ws, &["score", "--out", parquet.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Parquet"));
    assert!(!parquet.exists());
}
