//! CSV (and TSV) files of any record kind: the header decides which column
//! is which, then each chunk of rows is parsed on its own.

use crate::Record;
use crate::csv_record::{Field, is_blank_line, parse_record};
use crate::error::{ChunkError, ChunkPos};
use crate::pipeline::{ChunkParser, Parsed, Prepared};
use crate::schema::{Cell, Row};
use crate::source::ReadOptions;
use kith_model::Platform;
use std::marker::PhantomData;

/// Parses the rows of one CSV file of kind `T`.
pub(crate) struct CsvParser<T> {
    delimiter: u8,
    /// Record column (index into `T::COLUMNS`) of each file column; `None`
    /// for ignored columns.
    file_to_record: Vec<Option<usize>>,
    /// File column of each record column, to locate errors.
    record_to_file: Vec<Option<usize>>,
    default_platform: Option<Platform>,
    kind: PhantomData<fn() -> T>,
}

/// The chunk as text: its valid UTF-8 prefix, and the offset of the first
/// invalid byte (if any).
pub(crate) fn utf8_prefix(chunk: &[u8]) -> (&str, Option<usize>) {
    match std::str::from_utf8(chunk) {
        Ok(text) => (text, None),
        Err(e) => {
            let valid = e.valid_up_to();
            (
                std::str::from_utf8(&chunk[..valid]).unwrap_or(""),
                Some(valid),
            )
        }
    }
}

pub(crate) fn invalid_utf8(chunk: &[u8], at: usize) -> ChunkError {
    let byte = chunk.get(at).copied().unwrap_or(0);
    ChunkError::at_offset(
        chunk,
        at,
        format!(
            "invalid UTF-8 (byte 0x{byte:02X}); the file must be UTF-8: re-save or convert it (e.g. iconv -f latin1 -t utf-8)"
        ),
    )
}

/// Reads the header (skipping blank lines before it) once the buffer holds
/// all of it. Returns `None` to ask for more input.
pub(crate) fn prepare<T: Record>(
    buf: &[u8],
    eof: bool,
    delimiter: u8,
    opts: &ReadOptions,
) -> Result<Option<Prepared<CsvParser<T>>>, ChunkError> {
    let (text, invalid) = utf8_prefix(buf);
    let complete = eof && invalid.is_none();
    let mut start = 0;
    while let Some(next) = is_blank_line(text, start) {
        start = next;
    }
    if start == text.len() && complete {
        return Err(ChunkError {
            pos: None,
            message: format!(
                "the file is empty; a {} file starts with a header row naming its columns ({})",
                T::KIND,
                column_list::<T>()
            ),
        });
    }
    let mut fields = Vec::new();
    let end = match parse_record(text, start, delimiter, complete, &mut fields)? {
        Some(end) => end,
        None => {
            // The header is incomplete within the valid text: bad bytes are the
            // problem if there are any, otherwise wait for more input (a read
            // may end in the middle of a character).
            return match invalid {
                Some(at) if eof || buf.len() - at >= 4 => Err(invalid_utf8(buf, at)),
                _ if eof => Err(ChunkError {
                    pos: None,
                    message: "internal error: incomplete header at the end of input".into(),
                }),
                _ => Ok(None),
            };
        }
    };
    let parser = CsvParser::from_header(buf, &fields, delimiter, opts)?;
    Ok(Some(Prepared {
        parser,
        consumed: end,
        lines: memchr::memchr_iter(b'\n', &buf[..end]).count() as u64,
    }))
}

fn column_list<T: Record>() -> String {
    T::COLUMNS
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl<T: Record> CsvParser<T> {
    fn from_header(
        buf: &[u8],
        header: &[Field<'_>],
        delimiter: u8,
        opts: &ReadOptions,
    ) -> Result<Self, ChunkError> {
        let columns = T::COLUMNS;
        let mut file_to_record = Vec::with_capacity(header.len());
        let mut record_to_file = vec![None; columns.len()];
        let names: Vec<String> = header
            .iter()
            .map(|f| f.value.trim().to_ascii_lowercase())
            .collect();
        let known_count = names
            .iter()
            .filter(|n| columns.iter().any(|c| c.name == n.as_str()))
            .count();
        for (file_index, (field, name)) in header.iter().zip(&names).enumerate() {
            match columns.iter().position(|c| c.name == name.as_str()) {
                Some(record_index) => {
                    if record_to_file[record_index].is_some() {
                        return Err(ChunkError::at_offset(
                            buf,
                            field.offset,
                            format!("column \"{name}\" appears twice in the header"),
                        ));
                    }
                    record_to_file[record_index] = Some(file_index);
                    file_to_record.push(Some(record_index));
                }
                None if opts.ignore_unknown => file_to_record.push(None),
                None => {
                    let hint = if known_count == 0 {
                        header_hint(header, delimiter)
                    } else {
                        String::new()
                    };
                    return Err(ChunkError::at_offset(
                        buf,
                        field.offset,
                        format!(
                            "unknown column \"{}\" for {} (known columns: {}); pass --ignore-unknown to skip it{hint}",
                            field.value.trim(),
                            T::KIND,
                            column_list::<T>()
                        ),
                    ));
                }
            }
        }
        let missing: Vec<&str> = columns
            .iter()
            .zip(&record_to_file)
            .filter(|(c, present)| {
                c.required
                    && present.is_none()
                    && !(c.name == "platform" && opts.platform.is_some())
            })
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            let quoted: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
            let plural = if missing.len() > 1 { "s" } else { "" };
            let platform_hint = if missing.contains(&"platform") {
                "; pass --platform to set the platform of every row"
            } else {
                ""
            };
            let header_line = header.first().map_or(0, |f| f.offset);
            let pos = crate::error::position_of(buf, header_line);
            return Err(ChunkError::at(
                ChunkPos {
                    line: pos.line,
                    column: Some(1),
                },
                format!(
                    "missing required column{plural} {} for {} (the header has: {}){platform_hint}",
                    quoted.join(" and "),
                    T::KIND,
                    names.join(", ")
                ),
            ));
        }
        Ok(CsvParser {
            delimiter,
            file_to_record,
            record_to_file,
            default_platform: opts.platform,
            kind: PhantomData,
        })
    }
}

/// Extra words when no header name is known: the file may lack a header or
/// use another delimiter.
fn header_hint(header: &[Field<'_>], delimiter: u8) -> String {
    let first = header.first().map_or("", |f| f.value.as_ref());
    if delimiter == b',' && header.len() == 1 && first.contains('\t') {
        " (the file looks tab-separated: name it .tsv)".to_string()
    } else {
        " (does the file start with a header row?)".to_string()
    }
}

impl<T: Record> ChunkParser for CsvParser<T> {
    type Item = T;

    fn parse(&self, chunk: &[u8]) -> Result<Parsed<T>, ChunkError> {
        let (text, invalid) = utf8_prefix(chunk);
        let complete = invalid.is_none();
        let mut rows = Vec::new();
        let mut fields: Vec<Field<'_>> = Vec::with_capacity(self.file_to_record.len());
        let mut cells: Vec<Cell<'_>> = vec![Cell::Absent; T::COLUMNS.len()];
        let mut pos = 0;
        while pos < text.len() {
            if let Some(next) = is_blank_line(text, pos) {
                pos = next;
                continue;
            }
            let Some(end) = parse_record(text, pos, self.delimiter, complete, &mut fields)? else {
                break;
            };
            rows.push(self.row(chunk, pos, &mut fields, &mut cells)?);
            pos = end;
            if rows.len() == SAMPLE_ROWS {
                reserve_for_rest(&mut rows, pos, text.len());
            }
        }
        match invalid {
            Some(at) => Err(invalid_utf8(chunk, at)),
            None => Ok(Parsed::counting_lines(rows, chunk)),
        }
    }
}

/// Rows parsed before the rest of a chunk's rows are estimated.
pub(crate) const SAMPLE_ROWS: usize = 64;

/// Reserves room for the rows still to come in a chunk, estimated from the
/// average length of the rows so far (a little over, to avoid a final
/// doubling), so the row vector does not grow and copy itself repeatedly.
pub(crate) fn reserve_for_rest<T>(rows: &mut Vec<T>, parsed_bytes: usize, total_bytes: usize) {
    let average = parsed_bytes.div_ceil(rows.len().max(1)).max(1);
    let expected = (total_bytes - parsed_bytes.min(total_bytes)) / average;
    rows.reserve(expected + expected / 8);
}

impl<T: Record> CsvParser<T> {
    fn row<'a>(
        &self,
        chunk: &[u8],
        record_start: usize,
        fields: &mut [Field<'a>],
        cells: &mut [Cell<'a>],
    ) -> Result<T, ChunkError> {
        let expected = self.file_to_record.len();
        if fields.len() != expected {
            let got = fields.len();
            return Err(if got > expected {
                ChunkError::at_offset(
                    chunk,
                    fields[expected].offset,
                    format!(
                        "this row has {got} fields but the header has {expected}; quote values that contain the delimiter"
                    ),
                )
            } else {
                let mut pos = crate::error::position_of(chunk, record_start);
                pos.column = None;
                ChunkError::at(
                    pos,
                    format!("this row has {got} fields but the header has {expected}"),
                )
            });
        }
        for (field, target) in fields.iter_mut().zip(&self.file_to_record) {
            if let Some(record_index) = target {
                cells[*record_index] = Cell::Text(std::mem::take(&mut field.value));
            }
        }
        let row = Row {
            cells,
            columns: T::COLUMNS,
            default_platform: self.default_platform,
            noun: "column",
        };
        T::from_row(&row).map_err(|e| {
            let offset = self
                .record_to_file
                .get(e.column)
                .copied()
                .flatten()
                .map_or(record_start, |file_index| fields[file_index].offset);
            ChunkError::at_offset(chunk, offset, e.message)
        })
    }
}
