//! What good input means: normalisation, captions, CRLF, BOM, quoting, and
//! exact line numbers across chunk boundaries of large files.

use kith_io::{ReadOptions, read_all, read_records, read_snap};
use kith_model::{Account, Customer, HistoryPoint, Platform, Post, PostKind};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn accounts_are_normalised() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\u{feff}Handle, platform ,followers,verified,tags,created_at\r\n\
               @Alice,Instagram,1200,YES,#Trail #running trail,2024-05-01T12:00:00Z\r\n\
               \r\n\
               bob,twitter,,0,,1714564800\r\n";
    let path = write(dir.path(), "a.csv", csv.as_bytes());
    let rows: Vec<Account> = read_all(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].handle, "alice");
    assert_eq!(rows[0].platform, Platform::Instagram);
    assert_eq!(rows[0].followers, Some(1200));
    assert_eq!(rows[0].verified, Some(true));
    assert_eq!(rows[0].tags, ["trail", "running"]);
    assert_eq!(rows[0].created_at, Some(1_714_564_800));
    assert_eq!(rows[1].platform, Platform::X);
    assert_eq!(rows[1].followers, None);
    assert_eq!(rows[1].verified, Some(false));
    assert!(rows[1].tags.is_empty());
    assert_eq!(rows[1].created_at, Some(1_714_564_800));
}

#[test]
fn post_tags_come_from_the_caption_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "platform,handle,post_id,kind,caption,hashtags,likes\n\
               instagram,a,1,Reel,\"Run with @Bob, #Trail\n#Ultra\",,5\n\
               instagram,a,2,photo,\"only #this\",#given,\n";
    let path = write(dir.path(), "p.csv", csv.as_bytes());
    let rows: Vec<Post> = read_all(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows[0].hashtags, ["trail", "ultra"]);
    assert_eq!(rows[0].mentions, ["bob"]);
    assert_eq!(rows[0].kind, Some(PostKind::Reel));
    assert_eq!(
        rows[0].caption.as_deref(),
        Some("Run with @Bob, #Trail\n#Ultra")
    );
    assert_eq!(rows[1].hashtags, ["given"]);
    assert_eq!(rows[1].likes, None);
}

#[test]
fn tsv_history_and_customers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "h.tsv",
        b"platform\thandle\tdate\tfollowers\nx\ta\t2024-01-02\t10\nx\ta\t1704240000\t11\n",
    );
    let rows: Vec<HistoryPoint> = read_all(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows[0].date, 19_724);
    assert_eq!(rows[1].date, 19_725);
    let path = write(
        dir.path(),
        "c.csv",
        b"customer_id,revenue,platform,handle\nc1,12.50,,@Zed\nc2,,ig,\n",
    );
    let rows: Vec<Customer> = read_all(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows[0].revenue, Some(12.5));
    assert_eq!(rows[0].platform, None);
    assert_eq!(rows[0].handle.as_deref(), Some("zed"));
    assert_eq!(rows[1].platform, Some(Platform::Instagram));
    let path = write(dir.path(), "d.csv", b"customer_id,revenue\nc1,-3\n");
    let e = read_all::<Customer>(&path, &ReadOptions::default()).unwrap_err();
    assert!(
        e.to_string().ends_with(
            "d.csv:2:4: \"-3\" in column \"revenue\" is negative; it cannot be below zero"
        ),
        "{e}"
    );
}

/// A file many chunks long, whose captions hold quoted newlines: the rows
/// arrive in order, and an error far into it names its exact physical line.
#[test]
fn large_file_order_and_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("platform,handle,post_id,caption,likes\n");
    let rows = 120_000;
    let pad = "lorem ipsum dolor sit amet ".repeat(3);
    for i in 0..rows {
        // Every third caption spans two lines.
        if i % 3 == 0 {
            csv.push_str(&format!(
                "x,u{},{i},\"first line, then\nsecond \"\"line\"\"\",{i}\n",
                i % 97
            ));
        } else {
            csv.push_str(&format!(
                "x,u{},{i},{pad}plain caption number {i},{i}\n",
                i % 97
            ));
        }
    }
    assert!(
        csv.len() > 2 * (4 << 20),
        "the file spans three chunks or more"
    );
    let path = write(dir.path(), "p.csv", csv.as_bytes());
    let mut next = 0u64;
    let mut batches = 0;
    let count = read_records(&path, &ReadOptions::default(), |batch: Vec<Post>| {
        batches += 1;
        for post in batch {
            assert_eq!(post.post_id, next.to_string());
            assert_eq!(post.likes, Some(next));
            next += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(count, rows);
    assert_eq!(next, rows);
    assert!(batches > 2);

    // Break the likes of row 100_000 and compute its physical line.
    let bad_row = 100_000usize;
    let line = 2 + bad_row + bad_row.div_ceil(3); // header, rows, extra caption lines
    let broken = csv.replacen(
        &format!("number {bad_row},{bad_row}\n"),
        &format!("number {bad_row},lots\n"),
        1,
    );
    assert_ne!(broken, csv);
    let path = write(dir.path(), "q.csv", broken.as_bytes());
    let e = read_all::<Post>(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.line, Some(line as u64), "{e}");
    let expected_column = format!(
        "x,u{},{bad_row},{pad}plain caption number {bad_row},",
        bad_row % 97
    )
    .len()
        + 1;
    assert_eq!(e.column, Some(expected_column as u64), "{e}");
}

#[test]
fn large_snap_file_in_order_with_exact_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("# Nodes: 1000 Edges: 1500000\n");
    let edges = 1_500_000u64;
    for i in 0..edges {
        text.push_str(&format!("{}\t{}\n", i % 1000, i));
    }
    let path = write(dir.path(), "g.txt", text.as_bytes());
    let mut next = 0;
    let n = read_snap(&path, &ReadOptions::default(), |batch| {
        for (a, b) in batch {
            assert_eq!((a, b), (next % 1000, next));
            next += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(n, edges);
    let broken = text.replacen("\n777\t1400777\n", "\n777\t1400777x\n", 1);
    let path = write(dir.path(), "h.txt", broken.as_bytes());
    let e = read_snap(&path, &ReadOptions::default(), |_| Ok(())).unwrap_err();
    assert_eq!((e.line, e.column), (Some(1_400_779), Some(5)), "{e}");
}

#[test]
fn progress_counts_bytes_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "g.txt", b"1 2\n3 4\n");
    let progress = kith_io::Progress::for_files(&[&path]);
    let opts = ReadOptions {
        progress: Some(progress.clone()),
        ..ReadOptions::default()
    };
    read_snap(&path, &opts, |_| Ok(())).unwrap();
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(progress.total_bytes.load(Relaxed), 8);
    assert_eq!(progress.bytes_read.load(Relaxed), 8);
    assert_eq!(progress.rows.load(Relaxed), 2);
}

#[test]
fn reading_from_inside_a_rayon_pool_does_not_deadlock() {
    use rayon::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = (0..8)
        .map(|i| {
            let text: String = (0..200_000).map(|j| format!("{i} {j}\n")).collect();
            write(dir.path(), &format!("g{i}.txt"), text.as_bytes())
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let counts: Vec<u64> = pool.install(|| {
        paths
            .par_iter()
            .map(|p| read_snap(p, &ReadOptions::default(), |_| Ok(())).unwrap())
            .collect()
    });
    assert_eq!(counts, vec![200_000; 8]);
}

#[test]
fn format_detection() {
    use kith_io::{Format, detect_format};
    assert_eq!(detect_format(Path::new("a.CSV.gz")), Format::Csv);
    assert_eq!(detect_format(Path::new("a.tsv")), Format::Csv);
    assert_eq!(detect_format(Path::new("a.ndjson.gz")), Format::Jsonl);
    assert_eq!(detect_format(Path::new("a.json")), Format::Jsonl);
    assert_eq!(detect_format(Path::new("edges.txt.gz")), Format::Snap);
    assert_eq!(detect_format(Path::new("g.el")), Format::Snap);
    let dir = tempfile::tempdir().unwrap();
    let sniffed = |name: &str, text: &str| detect_format(&write(dir.path(), name, text.as_bytes()));
    assert_eq!(sniffed("x.dat", "\n{\"handle\":\"a\"}\n"), Format::Jsonl);
    assert_eq!(sniffed("y.dat", "# graph\n1 2\n"), Format::Snap);
    assert_eq!(sniffed("z.dat", "12 13\n"), Format::Snap);
    assert_eq!(sniffed("w.dat", "platform,handle\n"), Format::Csv);
    assert_eq!(detect_format(Path::new("/nonexistent/v.dat")), Format::Csv);
}
