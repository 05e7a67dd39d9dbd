//! JSON Lines: one object per line with the CSV column names as keys.
//!
//! Each line is checked once by serde_json while its values are kept as raw
//! slices of the line; each value is then read by the same rules as a CSV
//! cell, with JSON's own types (numbers, booleans, null, lists of strings)
//! accepted where they fit. Knowing where each raw value sits in the line
//! lets errors point at the exact column.

use crate::Record;
use crate::csv::{SAMPLE_ROWS, invalid_utf8, reserve_for_rest, utf8_prefix};
use crate::error::ChunkError;
use crate::pipeline::{ChunkParser, Parsed, Prepared};
use crate::schema::{Cell, Row};
use crate::source::ReadOptions;
use kith_model::Platform;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

pub(crate) struct JsonlParser<T> {
    ignore_unknown: bool,
    default_platform: Option<Platform>,
    kind: PhantomData<fn() -> T>,
}

/// JSON Lines has no header.
pub(crate) fn prepare<T: Record>(
    opts: &ReadOptions,
) -> Result<Option<Prepared<JsonlParser<T>>>, ChunkError> {
    Ok(Some(Prepared {
        parser: JsonlParser {
            ignore_unknown: opts.ignore_unknown,
            default_platform: opts.platform,
            kind: PhantomData,
        },
        consumed: 0,
        lines: 0,
    }))
}

impl<T: Record> ChunkParser for JsonlParser<T> {
    type Item = T;

    fn parse(&self, chunk: &[u8]) -> Result<Parsed<T>, ChunkError> {
        let (text, invalid) = utf8_prefix(chunk);
        let mut rows = Vec::new();
        let mut entries = Vec::new();
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(T::COLUMNS.len());
        let mut pos = 0;
        while pos < text.len() {
            let end = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map(|i| pos + i);
            if end.is_none() && invalid.is_some() {
                break; // the line runs into the invalid byte
            }
            let line_end = end.unwrap_or(text.len());
            let line = &text[pos..line_end];
            if !line.trim().is_empty() {
                rows.push(self.row(chunk, pos, line, &mut entries, &mut cells)?);
                if rows.len() == SAMPLE_ROWS {
                    reserve_for_rest(&mut rows, line_end, text.len());
                }
            }
            pos = line_end + 1;
        }
        match invalid {
            Some(at) => Err(invalid_utf8(chunk, at)),
            None => Ok(Parsed::counting_lines(rows, chunk)),
        }
    }
}

/// One key of an object line and its raw value.
type Entry<'a> = (Cow<'a, str>, &'a RawValue);

impl<T: Record> JsonlParser<T> {
    fn row<'a>(
        &self,
        chunk: &[u8],
        line_start: usize,
        line: &'a str,
        entries: &mut Vec<Entry<'a>>,
        cells: &mut Vec<Cell<'a>>,
    ) -> Result<T, ChunkError> {
        // Offset of a slice of `line` within the chunk.
        let offset_of = |s: &str| line_start + (s.as_ptr() as usize - line.as_ptr() as usize);
        let trimmed = line.trim_start();
        if !trimmed.starts_with('{') {
            let what = if trimmed.starts_with('[') {
                "a JSON array; JSON Lines needs one object per line (jq -c '.[]' converts an array)"
            } else {
                "not a JSON object; each line must be one object such as {\"platform\": \"instagram\", \"handle\": \"alice\"}"
            };
            return Err(ChunkError::at_offset(
                chunk,
                offset_of(trimmed),
                format!("this line is {what}"),
            ));
        }
        entries.clear();
        let mut de = serde_json::Deserializer::from_str(line);
        let parsed = ObjectSeed(entries)
            .deserialize(&mut de)
            .and_then(|()| de.end());
        if let Err(e) = parsed {
            let column = e.column().max(1) - 1;
            let at = line_start + column.min(line.len());
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            let hint = if e.is_eof() {
                " (in JSON Lines each object must be on one line)"
            } else {
                ""
            };
            return Err(ChunkError::at_offset(
                chunk,
                at,
                format!("invalid JSON: {message}{hint}"),
            ));
        }
        cells.clear();
        cells.resize(T::COLUMNS.len(), Cell::Absent);
        let mut value_offsets = vec![line_start; T::COLUMNS.len()];
        for (key, raw) in entries.drain(..) {
            let key_offset = match &key {
                Cow::Borrowed(k) => offset_of(k).saturating_sub(1),
                Cow::Owned(_) => offset_of(raw.get()),
            };
            let Some(index) = T::COLUMNS.iter().position(|c| c.name == key) else {
                if self.ignore_unknown {
                    continue;
                }
                return Err(ChunkError::at_offset(
                    chunk,
                    key_offset,
                    format!(
                        "unknown field \"{key}\" for {} (known fields: {}); pass --ignore-unknown to skip it",
                        T::KIND,
                        T::COLUMNS
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if cells[index] != Cell::Absent {
                return Err(ChunkError::at_offset(
                    chunk,
                    key_offset,
                    format!("field \"{key}\" appears twice in this object"),
                ));
            }
            value_offsets[index] = offset_of(raw.get());
            cells[index] = cell(raw.get());
        }
        for (index, column) in T::COLUMNS.iter().enumerate() {
            let defaulted = column.name == "platform" && self.default_platform.is_some();
            if column.required && cells[index] == Cell::Absent && !defaulted {
                let hint = if column.name == "platform" {
                    "; add it, or pass --platform to set the platform of every row"
                } else {
                    ""
                };
                let mut pos = crate::error::position_of(chunk, line_start);
                pos.column = None;
                return Err(ChunkError::at(
                    pos,
                    format!(
                        "missing required field \"{}\" for {}{hint}",
                        column.name,
                        T::KIND
                    ),
                ));
            }
        }
        let row = Row {
            cells,
            columns: T::COLUMNS,
            default_platform: self.default_platform,
            noun: "field",
        };
        T::from_row(&row).map_err(|e| {
            let at = value_offsets.get(e.column).copied().unwrap_or(line_start);
            ChunkError::at_offset(chunk, at, e.message)
        })
    }
}

/// A raw JSON value (already validated by serde_json) as a cell.
fn cell(raw: &str) -> Cell<'_> {
    match raw.as_bytes().first() {
        Some(b'"') => {
            let inner = &raw[1..raw.len() - 1];
            if inner.contains('\\') {
                match serde_json::from_str::<String>(raw) {
                    Ok(s) => Cell::Text(Cow::Owned(s)),
                    Err(_) => Cell::Unsupported("an invalid string"),
                }
            } else {
                Cell::Text(Cow::Borrowed(inner))
            }
        }
        Some(b'n') => Cell::Null,
        Some(b't') => Cell::Bool(true),
        Some(b'f') => Cell::Bool(false),
        Some(b'[') => match serde_json::from_str::<Vec<Option<String>>>(raw) {
            Ok(items) => Cell::List(items.into_iter().flatten().map(Cow::Owned).collect()),
            Err(_) => Cell::Unsupported("a list with items that are not strings"),
        },
        Some(b'{') => Cell::Unsupported("an object"),
        _ => Cell::Number(raw),
    }
}

/// Deserializes a JSON object into borrowed (key, raw value) pairs.
struct ObjectSeed<'v, 'de>(&'v mut Vec<Entry<'de>>);

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            self.0.push((key, value));
        }
        Ok(())
    }
}

/// A key, borrowed from the line unless it had escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}
