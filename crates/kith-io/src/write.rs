//! Writers for the import contract, emitting exactly what the readers read
//! back (round-trip tested): CSV with a header of every column, or JSON
//! Lines with empty values left out; gzip when the name ends in `.gz`.

use crate::error::Error;
use crate::schema::Value;
use crate::{Format, Record, detect_format_by_name, is_gzip_name, is_tsv_name};
use kith_model::time::{format_date, format_time};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Times in this range are written as RFC 3339; outside it (years before
/// 1000 or after 9999, which RFC 3339 cannot spell) as Unix seconds.
const RFC3339_SECONDS: std::ops::RangeInclusive<i64> = -30_610_224_000..=253_402_300_799;

/// Writes `rows` to `path` as CSV (`.csv`, `.tsv`) or JSON Lines (`.jsonl`,
/// `.ndjson`, `.json`), gzip-compressed when the name ends in `.gz`. The file
/// appears complete or not at all: it is written beside `path` and renamed.
pub fn write_records<T: Record>(path: &Path, rows: &[T]) -> Result<(), Error> {
    let format = detect_format_by_name(path).ok_or_else(|| {
        Error::new(
            path,
            "cannot tell the format from the name: use .csv, .tsv, .jsonl, .ndjson or .json (optionally + .gz)",
        )
    })?;
    if format == Format::Snap {
        return Err(Error::new(
            path,
            format!(
                "{} cannot be written as an edge list: use .csv or .jsonl",
                T::KIND
            ),
        ));
    }
    let partial = partial_name(path);
    let result = write_file::<T>(&partial, path, format, rows);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

fn write_file<T: Record>(
    partial: &Path,
    path: &Path,
    format: Format,
    rows: &[T],
) -> Result<(), Error> {
    let io_error = |e: io::Error| Error::io(path, &e);
    let file = File::create(partial).map_err(io_error)?;
    let buffered = BufWriter::with_capacity(1 << 20, file);
    let file = if is_gzip_name(path) {
        let mut gz = flate2::write::GzEncoder::new(buffered, flate2::Compression::default());
        write_rows(&mut gz, path, format, rows).map_err(io_error)?;
        gz.finish().map_err(io_error)?
    } else {
        let mut plain = buffered;
        write_rows(&mut plain, path, format, rows).map_err(io_error)?;
        plain
    };
    let file = file.into_inner().map_err(|e| io_error(e.into_error()))?;
    file.sync_all().map_err(io_error)?;
    drop(file);
    std::fs::rename(partial, path).map_err(io_error)
}

fn write_rows<T: Record>(
    out: &mut impl Write,
    path: &Path,
    format: Format,
    rows: &[T],
) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            let mut line = Vec::with_capacity(256);
            for row in rows {
                line.clear();
                json_line::<T>(&mut line, &row.to_values())?;
                out.write_all(&line)?;
            }
        }
        _ => {
            let delimiter = if is_tsv_name(path) { b'\t' } else { b',' };
            let names: Vec<&str> = T::COLUMNS.iter().map(|c| c.name).collect();
            let mut line = Vec::with_capacity(256);
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    line.push(delimiter);
                }
                csv_field(&mut line, name, delimiter);
            }
            line.push(b'\n');
            out.write_all(&line)?;
            for row in rows {
                line.clear();
                csv_line(&mut line, &row.to_values(), delimiter);
                out.write_all(&line)?;
            }
        }
    }
    out.flush()
}

fn csv_line(line: &mut Vec<u8>, values: &[Value<'_>], delimiter: u8) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            line.push(delimiter);
        }
        match value {
            Value::Empty => {}
            Value::Text(s) => csv_field(line, s, delimiter),
            Value::Word(s) => csv_field(line, s, delimiter),
            Value::Tags(tags) => csv_field(line, &tags.join(" "), delimiter),
            other => line.extend_from_slice(scalar_text(other).as_bytes()),
        }
    }
    line.push(b'\n');
}

/// Counts, decimals, booleans, times and dates, as text both formats accept.
fn scalar_text(value: &Value<'_>) -> String {
    match *value {
        Value::Count(n) => n.to_string(),
        // Rust prints the shortest decimal that parses back to the same f64.
        Value::Decimal(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Time(t) if RFC3339_SECONDS.contains(&t) => format_time(t),
        Value::Time(t) => t.to_string(),
        Value::Date(d) if RFC3339_SECONDS.contains(&(i64::from(d) * 86_400)) => format_date(d),
        // Midnight of that day in Unix seconds reads back as the same day.
        Value::Date(d) => (i64::from(d) * 86_400).to_string(),
        Value::Empty => String::new(),
        Value::Text(s) | Value::Word(s) => s.to_string(),
        Value::Tags(tags) => tags.join(" "),
    }
}

/// Quotes a field when it would otherwise change meaning: delimiters,
/// quotes, line breaks.
fn csv_field(line: &mut Vec<u8>, s: &str, delimiter: u8) {
    let needs_quotes = s
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if !needs_quotes {
        line.extend_from_slice(s.as_bytes());
        return;
    }
    line.push(b'"');
    for part in s.split('"').enumerate() {
        if part.0 > 0 {
            line.extend_from_slice(b"\"\"");
        }
        line.extend_from_slice(part.1.as_bytes());
    }
    line.push(b'"');
}

fn json_line<T: Record>(line: &mut Vec<u8>, values: &[Value<'_>]) -> io::Result<()> {
    line.push(b'{');
    let mut first = true;
    for (column, value) in T::COLUMNS.iter().zip(values) {
        if *value == Value::Empty {
            continue;
        }
        if !first {
            line.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *line, column.name)?;
        line.push(b':');
        match value {
            Value::Text(s) | Value::Word(s) => serde_json::to_writer(&mut *line, s)?,
            Value::Tags(tags) => serde_json::to_writer(&mut *line, tags)?,
            Value::Count(n) => serde_json::to_writer(&mut *line, n)?,
            Value::Decimal(x) => serde_json::to_writer(&mut *line, x)?,
            Value::Bool(b) => serde_json::to_writer(&mut *line, b)?,
            Value::Time(t) if !RFC3339_SECONDS.contains(t) => serde_json::to_writer(&mut *line, t)?,
            other => serde_json::to_writer(&mut *line, &scalar_text(other))?,
        }
    }
    line.extend_from_slice(b"}\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut line = Vec::new();
        csv_field(&mut line, "a \"b\", c", b',');
        assert_eq!(line, b"\"a \"\"b\"\", c\"");
        line.clear();
        csv_field(&mut line, "plain text", b',');
        assert_eq!(line, b"plain text");
        line.clear();
        csv_field(&mut line, "a,b", b'\t');
        assert_eq!(line, b"a,b");
    }

    #[test]
    fn times_and_dates() {
        assert_eq!(scalar_text(&Value::Time(60)), "1970-01-01T00:01:00Z");
        assert_eq!(scalar_text(&Value::Time(i64::MAX)), i64::MAX.to_string());
        assert_eq!(scalar_text(&Value::Date(2)), "1970-01-03");
        assert_eq!(
            scalar_text(&Value::Date(i32::MIN)),
            (i64::from(i32::MIN) * 86_400).to_string()
        );
    }
}
