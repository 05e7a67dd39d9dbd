//! Every way an input can break the contract gets an error that says where
//! (`path:line:column`) and what, and what to do when that helps.

use kith_io::{Error, ReadOptions, read_all, read_records_from, read_snap, read_snap_from};
use kith_model::{Account, AuthenticityFeatures, Interaction, Platform, Post};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Reads `bytes` stored as `name` into `T`s; returns the error's text.
fn error_of<T: kith_io::Record>(name: &str, bytes: &[u8], opts: &ReadOptions) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, bytes);
    let err = read_all::<T>(&path, opts)
        .map(|rows| rows.len())
        .unwrap_err();
    // Errors name the path as given; tests compare against the bare name.
    err.to_string()
        .replace(&format!("{}", dir.path().display()), "")
}

fn accounts_error(csv: &str) -> String {
    error_of::<Account>("a.csv", csv.as_bytes(), &ReadOptions::default())
}

fn snap_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "g.txt", text.as_bytes());
    let err = read_snap(&path, &ReadOptions::default(), |_| Ok(())).unwrap_err();
    err.to_string()
        .replace(&format!("{}", dir.path().display()), "")
}

#[test]
fn missing_required_column() {
    let e = accounts_error("platform,name\ninstagram,Alice\n");
    assert_eq!(
        e,
        "/a.csv:1:1: missing required column \"handle\" for accounts (the header has: platform, name)"
    );
}

#[test]
fn missing_platform_suggests_the_flag_and_the_flag_fills_it() {
    let e = accounts_error("handle,followers\nalice,10\n");
    assert!(
        e.starts_with("/a.csv:1:1: missing required column \"platform\""),
        "{e}"
    );
    assert!(e.contains("--platform"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.csv", b"handle,followers\n@Alice,10\n");
    let opts = ReadOptions {
        platform: Some(Platform::Tiktok),
        ..ReadOptions::default()
    };
    let rows: Vec<Account> = read_all(&path, &opts).unwrap();
    assert_eq!(rows[0].platform, Platform::Tiktok);
    assert_eq!(rows[0].handle, "alice");

    // A present but empty platform cell also takes the flag's value, and
    // without the flag says how to fix it.
    let path = write(dir.path(), "b.csv", b"platform,handle\n,bob\nx,carol\n");
    let rows: Vec<Account> = read_all(&path, &opts).unwrap();
    assert_eq!(rows[0].platform, Platform::Tiktok);
    assert_eq!(rows[1].platform, Platform::X);
    let e = read_all::<Account>(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(1)));
    assert!(e.message.contains("--platform"), "{e}");
}

#[test]
fn unknown_column_is_located_and_can_be_ignored() {
    let e = accounts_error("platform,handle,foo\nx,a,1\n");
    assert!(
        e.starts_with("/a.csv:1:17: unknown column \"foo\" for accounts (known columns: platform, handle, name,"),
        "{e}"
    );
    assert!(e.contains("pass --ignore-unknown to skip it"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.csv", b"platform,foo,handle\nx,1,a\n");
    let opts = ReadOptions {
        ignore_unknown: true,
        ..ReadOptions::default()
    };
    let rows: Vec<Account> = read_all(&path, &opts).unwrap();
    assert_eq!(rows[0].handle, "a");
}

#[test]
fn header_problems() {
    let e = accounts_error("platform,handle,Handle\n");
    assert!(
        e.starts_with("/a.csv:1:17: column \"handle\" appears twice"),
        "{e}"
    );
    let e = accounts_error("12,13\n14,15\n");
    assert!(e.contains("does the file start with a header row?"), "{e}");
    let e = accounts_error("platform\thandle\nx\ta\n");
    assert!(e.contains("tab-separated"), "{e}");
}

#[test]
fn bad_numbers_are_located_at_their_cell() {
    let e = accounts_error("platform,handle,followers\nx,a,10\ninstagram,b,12k\n");
    assert!(
        e.starts_with("/a.csv:3:13: \"12k\" in column \"followers\" is not a whole number"),
        "{e}"
    );
    let e = accounts_error("platform,handle,followers\nx,a,1200.0\n");
    assert!(e.contains("not a whole number"), "{e}");
    let e = accounts_error("platform,handle,followers\nx,a,-5\n");
    assert_eq!(
        e,
        "/a.csv:2:5: \"-5\" in column \"followers\" is negative; counts cannot be below zero"
    );
}

#[test]
fn bad_time_and_boolean() {
    let e = accounts_error("platform,handle,created_at\nx,a,yesterday\n");
    assert!(
        e.starts_with("/a.csv:2:5: column \"created_at\": \"yesterday\" is not a time"),
        "{e}"
    );
    let e = accounts_error("platform,handle,verified\nx,a,maybe\n");
    assert!(
        e.contains("not a boolean (expected true/false, 1/0 or yes/no)"),
        "{e}"
    );
}

#[test]
fn unknown_vocabulary_values() {
    let e = accounts_error("platform,handle\nmyspace,a\n");
    assert!(
        e.starts_with("/a.csv:2:1: column \"platform\": \"myspace\" is not a known platform"),
        "{e}"
    );
    assert!(e.contains("instagram"), "{e}");
    let opts = ReadOptions::default();
    let e = error_of::<Post>("p.csv", b"platform,handle,post_id,kind\nx,a,1,gif\n", &opts);
    assert!(e.contains("\"gif\" is not a known post kind"), "{e}");
    let e = error_of::<Interaction>("i.csv", b"platform,from,to,kind\nx,a,b,poke\n", &opts);
    assert!(e.starts_with("/i.csv:2:7:"), "{e}");
    assert!(e.contains("not a known interaction kind"), "{e}");
    let e = error_of::<AuthenticityFeatures>("f.csv", b"followers,label\n10,maybe\n", &opts);
    assert!(e.contains("\"maybe\" is not a known label"), "{e}");
}

#[test]
fn required_cells_must_not_be_empty() {
    let e = accounts_error("platform,handle\nx,@\n");
    assert_eq!(e, "/a.csv:2:3: required column \"handle\" is empty");
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let e = error_of::<Account>(
        "a.csv",
        b"platform,handle,name\nx,a,ok\ninstagram,b,caf\xe9 x\n",
        &ReadOptions::default(),
    );
    assert!(
        e.starts_with("/a.csv:3:16: invalid UTF-8 (byte 0xE9)"),
        "{e}"
    );
    // Characters, not bytes, count towards the column.
    let e = error_of::<Account>(
        "a.jsonl",
        "{\"platform\":\"x\",\"handle\":\"é\",\"name\":\"\u{1F600}"
            .as_bytes()
            .iter()
            .chain(b"\xff\"}\n")
            .copied()
            .collect::<Vec<_>>()
            .as_slice(),
        &ReadOptions::default(),
    );
    assert!(
        e.starts_with("/a.jsonl:1:39: invalid UTF-8 (byte 0xFF)"),
        "{e}"
    );
}

#[test]
fn truncated_and_corrupt_gzip() {
    let mut csv = String::from("platform,handle,followers\n");
    for i in 0..20_000 {
        csv.push_str(&format!("x,user{i},{i}\n"));
    }
    let gz = gzip(csv.as_bytes());
    let e = error_of::<Account>("a.csv.gz", &gz[..gz.len() / 2], &ReadOptions::default());
    assert!(e.starts_with("/a.csv.gz: the file is truncated"), "{e}");
    let mut corrupt = gz.clone();
    let middle = corrupt.len() / 2;
    for b in &mut corrupt[middle..middle + 64] {
        *b ^= 0x5a;
    }
    let e = error_of::<Account>("a.csv.gz", &corrupt, &ReadOptions::default());
    assert!(e.contains("corrupt") || e.contains("truncated"), "{e}");
    // Detected by content, not by name.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "plain-name.csv", &gz);
    assert_eq!(
        read_all::<Account>(&path, &ReadOptions::default())
            .unwrap()
            .len(),
        20_000
    );
}

#[test]
fn snap_lines() {
    let e = snap_error("# c\n1 2\n3\n");
    assert!(e.starts_with("/g.txt:3:2: only one id on this line"), "{e}");
    let e = snap_error("1 2\n3 abc\n");
    assert_eq!(
        e,
        "/g.txt:2:3: \"abc\" is not an id: edge list ids must be non-negative integers"
    );
    let e = snap_error("1 2\n3.5 4\n");
    assert!(e.starts_with("/g.txt:2:1: \"3.5\" is not an id"), "{e}");
}

#[test]
fn empty_and_header_only_files() {
    let e = accounts_error("");
    assert!(
        e.starts_with("/a.csv: the file is empty; a accounts file starts with a header row"),
        "{e}"
    );
    let e = accounts_error("\n\r\n");
    assert!(e.contains("the file is empty"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.csv", b"platform,handle\n");
    assert!(
        read_all::<Account>(&path, &ReadOptions::default())
            .unwrap()
            .is_empty()
    );
    let path = write(dir.path(), "a.jsonl", b"");
    assert!(
        read_all::<Account>(&path, &ReadOptions::default())
            .unwrap()
            .is_empty()
    );
    let path = write(dir.path(), "g.txt", b"");
    assert_eq!(
        read_snap(&path, &ReadOptions::default(), |_| Ok(())).unwrap(),
        0
    );
}

#[test]
fn missing_file() {
    let e =
        read_all::<Account>(Path::new("/nonexistent/a.csv"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "/nonexistent/a.csv: no such file");
    let e = read_snap(
        Path::new("/nonexistent/g.txt"),
        &ReadOptions::default(),
        |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "/nonexistent/g.txt: no such file");
}

/// An endless stream of one byte: a reader that buffered a line whole
/// would never return.
struct Endless(u8);

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(self.0);
        Ok(buf.len())
    }
}

#[test]
fn endless_line_stops_at_the_limit() {
    let head = b"platform,handle,bio\nx,a,".to_vec();
    let stream = std::io::Cursor::new(head).chain(Endless(b'z'));
    let opts = ReadOptions::default();
    let name = Path::new("long.csv");
    let e = read_records_from::<Account>(stream, name, kith_io::Format::Csv, &opts, |_| Ok(()))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "long.csv:2:1: line is longer than 16 MiB; is this the right file and format?"
    );

    let e = read_snap_from(Endless(b'7'), Path::new("g.txt"), &opts, |_| Ok(())).unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("longer than 16 MiB"), "{e}");

    let stream = std::io::Cursor::new(b"{\"handle\":\"".to_vec()).chain(Endless(b'q'));
    let e = read_records_from::<Account>(
        stream,
        Path::new("a.jsonl"),
        kith_io::Format::Jsonl,
        &opts,
        |_| Ok(()),
    )
    .unwrap_err();
    assert!(e.message.contains("longer than 16 MiB"), "{e}");

    // An unclosed quote makes an endless record too; the error points at it.
    let stream =
        std::io::Cursor::new(b"platform,handle,bio\nx,a,ok\nx,b,\"never closed\n".to_vec())
            .chain(Endless(b'\n'));
    let e = read_records_from::<Account>(stream, name, kith_io::Format::Csv, &opts, |_| Ok(()))
        .unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(5)), "{e}");
    assert!(e.message.contains("quoted field is never closed"), "{e}");
}

#[test]
fn unclosed_quote_at_end_of_file() {
    let e = accounts_error("platform,handle,bio\nx,a,\"oops\n");
    assert!(
        e.starts_with("/a.csv:2:5: this quoted field is never closed"),
        "{e}"
    );
}

#[test]
fn wrong_number_of_fields() {
    let e = accounts_error("platform,handle,name\nx,a,Al,ice\n");
    assert!(
        e.starts_with("/a.csv:2:8: this row has 4 fields but the header has 3"),
        "{e}"
    );
    let e = accounts_error("platform,handle,name\nx,a\n");
    assert_eq!(e, "/a.csv:2: this row has 2 fields but the header has 3");
}

fn jsonl_error(text: &str) -> String {
    error_of::<Account>("a.jsonl", text.as_bytes(), &ReadOptions::default())
}

#[test]
fn jsonl_problems() {
    let ok = "{\"platform\":\"x\",\"handle\":\"a\"}\n";
    let e = jsonl_error(&format!("{ok}[1,2]\n"));
    assert!(
        e.starts_with("/a.jsonl:2:1: this line is a JSON array"),
        "{e}"
    );
    let e = jsonl_error(&format!("{ok}\n  42\n"));
    assert!(
        e.starts_with("/a.jsonl:3:3: this line is not a JSON object"),
        "{e}"
    );
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"followers\":{\"n\":1}}\n");
    assert_eq!(
        e,
        "/a.jsonl:1:42: field \"followers\" must be a whole number, not an object"
    );
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"followers\":\"many\"}\n");
    assert!(
        e.starts_with("/a.jsonl:1:42: \"many\" in field \"followers\" is not a whole number"),
        "{e}"
    );
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"verified\":[true]}\n");
    assert!(e.contains("must be a boolean, not a list"), "{e}");
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"followers\":true}\n");
    assert!(e.contains("must be a whole number, not a boolean"), "{e}");
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"foo\":1}\n");
    assert!(
        e.starts_with("/a.jsonl:1:30: unknown field \"foo\" for accounts"),
        "{e}"
    );
    assert!(e.contains("--ignore-unknown"), "{e}");
    let e = jsonl_error("{\"platform\":\"x\"}\n");
    assert_eq!(
        e,
        "/a.jsonl:1: missing required field \"handle\" for accounts"
    );
    let e = jsonl_error("{\"handle\":\"a\"}\n");
    assert!(e.contains("--platform"), "{e}");
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",}\n");
    assert!(e.starts_with("/a.jsonl:1:"), "{e}");
    assert!(e.contains("invalid JSON"), "{e}");
    let e = jsonl_error("{\n  \"platform\": \"x\"\n}\n");
    assert!(
        e.starts_with("/a.jsonl:1:1: invalid JSON: EOF while parsing an object"),
        "{e}"
    );
    assert!(e.contains("each object must be on one line"), "{e}");
    let e = jsonl_error("{\"platform\":\"x\",\"handle\":\"a\",\"handle\":\"b\"}\n");
    assert!(e.contains("appears twice"), "{e}");
}

#[test]
fn jsonl_accepts_json_types() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        "{\"platform\":\"x\",\"handle\":\"@A\",\"followers\":1200,\"verified\":true,",
        "\"created_at\":86400,\"tags\":[\"#Run\",\"trail\"],\"name\":null,\"private\":\"no\"}\r\n",
        "\n",
        "{\"platform\":\"ig\",\"handle\":\"b\",\"tags\":\"#x #y\",\"has_profile_pic\":1}\n",
    );
    let path = write(dir.path(), "a.ndjson", text.as_bytes());
    let rows: Vec<Account> = read_all(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].handle, "a");
    assert_eq!(rows[0].followers, Some(1200));
    assert_eq!(rows[0].verified, Some(true));
    assert_eq!(rows[0].private, Some(false));
    assert_eq!(rows[0].created_at, Some(86_400));
    assert_eq!(rows[0].tags, ["run", "trail"]);
    assert_eq!(rows[0].name, None);
    assert_eq!(rows[1].platform, Platform::Instagram);
    assert_eq!(rows[1].tags, ["x", "y"]);
    assert_eq!(rows[1].has_profile_pic, Some(true));
}

#[test]
fn the_sink_can_stop_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "g.txt", b"1 2\n");
    let e = read_snap(&path, &ReadOptions::default(), |_| {
        Err(Error::new(Path::new("store"), "disk full"))
    })
    .unwrap_err();
    assert_eq!(e.to_string(), "store: disk full");
}
