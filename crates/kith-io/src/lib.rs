//! Readers and writers for kith's import contract (DESIGN, "Data formats"):
//! CSV or TSV with a header (any column order), JSON Lines with the same
//! field names, either optionally gzip-compressed (detected by its magic
//! bytes), and SNAP edge lists. This crate owns the contract's rules (empty
//! means unknown, booleans, counts, times, normalised handles and tags) and
//! its `FILE:LINE:COLUMN: what is wrong` errors.
//!
//! Reading streams: one thread decompresses, chunks cut at record boundaries
//! are parsed in parallel on rayon, and batches reach the caller's sink in
//! file order, so memory stays bounded whatever the file's size: at most a
//! few 4 MiB chunks per core are in flight, and a record longer than
//! [`MAX_RECORD_BYTES`] is an error rather than a reason to buffer more.

mod csv;
mod csv_record;
mod error;
mod jsonl;
mod pipeline;
mod records;
pub mod schema;
mod snap;
mod source;
mod write;

pub use error::Error;
pub use records::Record;
pub use schema::{Column, Value};
pub use source::{Progress, ReadOptions};
pub use write::write_records;

use pipeline::LineBoundary;
use source::Input;
use std::io::Read;
use std::path::Path;

/// The longest record (or line) a reader accepts, in bytes.
pub const MAX_RECORD_BYTES: usize = pipeline::MAX_RECORD_BYTES;

/// How a file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CSV (or TSV, by a `.tsv` name) with a header row.
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
    /// SNAP edge list: two integer ids per line, `#` comments.
    Snap,
}

/// The format of `path`: by its extension after any `.gz` (`.csv`/`.tsv`,
/// `.jsonl`/`.ndjson`/`.json`, `.txt`/`.edges`/`.el`); for other names, by
/// a look at the first lines; CSV when the file cannot be read (the read
/// then reports why).
pub fn detect_format(path: &Path) -> Format {
    detect_format_by_name(path).unwrap_or_else(|| sniff_format(path))
}

fn extension_after_gz(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_string())
}

pub(crate) fn detect_format_by_name(path: &Path) -> Option<Format> {
    match extension_after_gz(path)?.as_str() {
        "csv" | "tsv" => Some(Format::Csv),
        "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
        "txt" | "edges" | "el" => Some(Format::Snap),
        _ => None,
    }
}

pub(crate) fn is_tsv_name(path: &Path) -> bool {
    extension_after_gz(path).as_deref() == Some("tsv")
}

pub(crate) fn is_gzip_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Guesses from the first meaningful line: `{` is JSON Lines, comments or
/// two integers are an edge list, anything else CSV.
fn sniff_format(path: &Path) -> Format {
    let Ok(Input { mut reader, .. }) = source::open(path, &ReadOptions::default()) else {
        return Format::Csv;
    };
    let mut head = Vec::new();
    if reader
        .by_ref()
        .take(64 * 1024)
        .read_to_end(&mut head)
        .is_err()
    {
        return Format::Csv;
    }
    let text = String::from_utf8_lossy(&head);
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Format::Csv;
    };
    let mut words = line.split_whitespace();
    let is_id = |w: Option<&str>| w.is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()));
    if line.starts_with('{') {
        Format::Jsonl
    } else if line.starts_with('#')
        || line.starts_with('%')
        || (is_id(words.next()) && is_id(words.next()))
    {
        Format::Snap
    } else {
        Format::Csv
    }
}

/// Streams the records of a CSV or JSON Lines file to `sink` in batches, in
/// file order; returns how many records there were. The first row that
/// breaks the contract stops the read with its `path:line:column` error
/// (the sink has then seen only rows before it).
pub fn read_records<T: Record>(
    path: &Path,
    opts: &ReadOptions,
    sink: impl FnMut(Vec<T>) -> Result<(), Error>,
) -> Result<u64, Error> {
    let format = detect_format(path);
    if format == Format::Snap {
        return Err(Error::new(
            path,
            format!(
                "this looks like an edge list (by its name), which holds follows, not {}; use .csv or .jsonl for {}",
                T::KIND,
                T::KIND
            ),
        ));
    }
    let input = source::open(path, opts)?;
    read_input(input, format, opts, sink)
}

/// [`read_records`] over any byte stream (gzip detected the same way);
/// `name` stands for the source in errors and picks TSV when it ends in `.tsv`.
pub fn read_records_from<T: Record>(
    reader: impl Read + Send + 'static,
    name: &Path,
    format: Format,
    opts: &ReadOptions,
    sink: impl FnMut(Vec<T>) -> Result<(), Error>,
) -> Result<u64, Error> {
    if format == Format::Snap {
        return Err(Error::new(
            name,
            format!("{} cannot be read from an edge list", T::KIND),
        ));
    }
    let input = source::from_reader(reader, name, opts)?;
    read_input(input, format, opts, sink)
}

fn read_input<T: Record>(
    input: Input,
    format: Format,
    opts: &ReadOptions,
    sink: impl FnMut(Vec<T>) -> Result<(), Error>,
) -> Result<u64, Error> {
    let progress = opts.progress.as_deref();
    if format == Format::Jsonl {
        let prepare = |_: &[u8], _: bool| jsonl::prepare::<T>(opts);
        return pipeline::run(input, prepare, LineBoundary::default(), progress, sink);
    }
    let delimiter = if is_tsv_name(&input.path) {
        b'\t'
    } else {
        b','
    };
    let prepare = |buf: &[u8], eof: bool| csv::prepare::<T>(buf, eof, delimiter, opts);
    let boundary = csv_record::CsvBoundary::new(delimiter);
    pipeline::run(input, prepare, boundary, progress, sink)
}

/// Reads a whole file into memory. For large files prefer [`read_records`].
pub fn read_all<T: Record>(path: &Path, opts: &ReadOptions) -> Result<Vec<T>, Error> {
    let mut all = Vec::new();
    read_records(path, opts, |batch: Vec<T>| {
        if all.is_empty() {
            all = batch;
        } else {
            all.extend(batch);
        }
        Ok(())
    })?;
    Ok(all)
}

/// Streams the edges of a SNAP edge list (`#`/`%` comments and blank lines
/// skipped; two whitespace-separated non-negative integer ids per line,
/// further columns ignored) to `sink` in batches, in file order; returns the
/// number of edges.
pub fn read_snap(
    path: &Path,
    opts: &ReadOptions,
    sink: impl FnMut(Vec<(u64, u64)>) -> Result<(), Error>,
) -> Result<u64, Error> {
    let input = source::open(path, opts)?;
    pipeline::run(
        input,
        snap::prepare,
        LineBoundary::default(),
        opts.progress.as_deref(),
        sink,
    )
}

/// [`read_snap`] over any byte stream; `name` stands for the source in errors.
pub fn read_snap_from(
    reader: impl Read + Send + 'static,
    name: &Path,
    opts: &ReadOptions,
    sink: impl FnMut(Vec<(u64, u64)>) -> Result<(), Error>,
) -> Result<u64, Error> {
    let input = source::from_reader(reader, name, opts)?;
    pipeline::run(
        input,
        snap::prepare,
        LineBoundary::default(),
        opts.progress.as_deref(),
        sink,
    )
}
