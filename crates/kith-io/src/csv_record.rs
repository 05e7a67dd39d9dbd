//! CSV record syntax, shared by the chunk splitter and the parser so both
//! always agree on where records end.
//!
//! The dialect is RFC 4180 with the leniency of common tools: a field is
//! quoted only when it *starts* with `"`; inside it `""` is a quote and
//! newlines are data; a quote inside an unquoted field is a literal
//! character; text after a closing quote (`"ab"c`) is appended. Records end
//! at `\n`; a `\r` before it is dropped.

use crate::error::{ChunkError, ChunkPos};
use crate::pipeline::{Boundary, MAX_RECORD_BYTES};
use std::borrow::Cow;

/// One field: where it starts (byte offset in the chunk, for errors) and
/// its unquoted value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field<'a> {
    pub offset: usize,
    pub value: Cow<'a, str>,
}

/// Finds record boundaries in a growing buffer by following only the quote
/// characters: between quotes the state cannot change, so the scan runs at
/// `memchr` speed while matching the parser's notion of a record exactly.
pub(crate) struct CsvBoundary {
    delimiter: u8,
    scanned: usize,
    in_quotes: bool,
    /// Where the quoted field we are inside opened.
    quote_opened_at: usize,
    last: Option<usize>,
}

impl CsvBoundary {
    pub fn new(delimiter: u8) -> Self {
        CsvBoundary {
            delimiter,
            scanned: 0,
            in_quotes: false,
            quote_opened_at: 0,
            last: None,
        }
    }

    fn opens_field(&self, buf: &[u8], q: usize) -> bool {
        q == 0 || buf[q - 1] == self.delimiter || buf[q - 1] == b'\n'
    }
}

impl Boundary for CsvBoundary {
    fn scan(&mut self, buf: &[u8]) -> Option<usize> {
        let mut pos = self.scanned;
        while pos < buf.len() {
            if self.in_quotes {
                let Some(k) = memchr::memchr(b'"', &buf[pos..]) else {
                    pos = buf.len();
                    break;
                };
                let q = pos + k;
                if q + 1 == buf.len() {
                    // Is it `""` or a closing quote? The next read will tell.
                    pos = q;
                    break;
                }
                if buf[q + 1] == b'"' {
                    pos = q + 2;
                } else {
                    self.in_quotes = false;
                    pos = q + 1;
                }
            } else {
                let mut search = pos;
                let opening = loop {
                    match memchr::memchr(b'"', &buf[search..]) {
                        Some(k) if self.opens_field(buf, search + k) => break Some(search + k),
                        Some(k) => search += k + 1,
                        None => break None,
                    }
                };
                let outside_end = opening.unwrap_or(buf.len());
                if let Some(nl) = memchr::memrchr(b'\n', &buf[pos..outside_end]) {
                    self.last = Some(pos + nl + 1);
                }
                match opening {
                    Some(q) => {
                        self.in_quotes = true;
                        self.quote_opened_at = q;
                        pos = q + 1;
                    }
                    None => pos = buf.len(),
                }
            }
        }
        self.scanned = pos;
        self.last
    }

    fn shift(&mut self, cut: usize) {
        self.scanned -= cut;
        self.quote_opened_at = self.quote_opened_at.saturating_sub(cut);
        self.last = None;
    }

    fn overlong(&self, buf: &[u8]) -> ChunkError {
        let limit = MAX_RECORD_BYTES >> 20;
        if self.in_quotes {
            ChunkError::at_offset(
                buf,
                self.quote_opened_at,
                format!(
                    "this quoted field is never closed (the record grows past {limit} MiB); \
                     close the quote, and write quotes inside a quoted field as \"\""
                ),
            )
        } else {
            ChunkError::at(
                ChunkPos {
                    line: 0,
                    column: Some(1),
                },
                format!("line is longer than {limit} MiB; is this the right file and format?"),
            )
        }
    }
}

/// Parses the record starting at `start` of `text` into `fields`.
///
/// Returns the offset just past the record (after its `\n`, or the end of
/// `text`), or `None` when the record runs past the end of `text` and
/// `complete` is false (more input would be needed to finish it).
pub(crate) fn parse_record<'a>(
    text: &'a str,
    start: usize,
    delimiter: u8,
    complete: bool,
    fields: &mut Vec<Field<'a>>,
) -> Result<Option<usize>, ChunkError> {
    fields.clear();
    let bytes = text.as_bytes();
    let line_end = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
    let line = &bytes[start..line_end.unwrap_or(bytes.len())];
    if memchr::memchr(b'"', line).is_none() {
        if line_end.is_none() && !complete {
            return Ok(None);
        }
        split_plain(text, start, start + line.len(), delimiter, fields);
        return Ok(Some(line_end.map_or(bytes.len(), |e| e + 1)));
    }
    parse_quoted_record(text, start, delimiter, complete, fields)
}

/// Fields of a line without quotes: a split at each delimiter.
fn split_plain<'a>(
    text: &'a str,
    start: usize,
    end: usize,
    delimiter: u8,
    fields: &mut Vec<Field<'a>>,
) {
    let bytes = text.as_bytes();
    let end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    let mut field_start = start;
    for d in memchr::memchr_iter(delimiter, &bytes[start..end]) {
        let d = start + d;
        fields.push(Field {
            offset: field_start,
            value: Cow::Borrowed(&text[field_start..d]),
        });
        field_start = d + 1;
    }
    fields.push(Field {
        offset: field_start,
        value: Cow::Borrowed(&text[field_start..end]),
    });
}

fn parse_quoted_record<'a>(
    text: &'a str,
    start: usize,
    delimiter: u8,
    complete: bool,
    fields: &mut Vec<Field<'a>>,
) -> Result<Option<usize>, ChunkError> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut p = start;
    loop {
        let field_start = p;
        let mut value: Cow<'a, str>;
        if p < len && bytes[p] == b'"' {
            let mut segment = p + 1;
            let mut search = p + 1;
            value = Cow::Borrowed("");
            loop {
                let Some(k) = memchr::memchr(b'"', &bytes[search..]) else {
                    if !complete {
                        return Ok(None);
                    }
                    return Err(ChunkError::at_offset(
                        bytes,
                        field_start,
                        "this quoted field is never closed; close the quote, and write quotes inside a quoted field as \"\"",
                    ));
                };
                let q = search + k;
                if q + 1 < len && bytes[q + 1] == b'"' {
                    value.to_mut().push_str(&text[segment..=q]);
                    segment = q + 2;
                    search = q + 2;
                    continue;
                }
                if q + 1 == len && !complete {
                    return Ok(None);
                }
                if segment == p + 1 {
                    value = Cow::Borrowed(&text[segment..q]);
                } else {
                    value.to_mut().push_str(&text[segment..q]);
                }
                p = q + 1;
                break;
            }
            // Lenient: text between the closing quote and the delimiter is kept.
            let tail_end = memchr::memchr2(delimiter, b'\n', &bytes[p..]).map_or(len, |i| p + i);
            let tail = trim_cr(text, p, tail_end, bytes.get(tail_end) == Some(&b'\n'));
            if !tail.is_empty() {
                value.to_mut().push_str(tail);
            }
            p = tail_end;
        } else {
            let end = memchr::memchr2(delimiter, b'\n', &bytes[p..]).map_or(len, |i| p + i);
            value = Cow::Borrowed(trim_cr(text, p, end, bytes.get(end) == Some(&b'\n')));
            p = end;
        }
        fields.push(Field {
            offset: field_start,
            value,
        });
        if p == len {
            return Ok(if complete { Some(len) } else { None });
        }
        if bytes[p] == b'\n' {
            return Ok(Some(p + 1));
        }
        p += 1; // the delimiter
    }
}

/// `text[from..to]`, without a final `\r` when the line ends right after it.
fn trim_cr(text: &str, from: usize, to: usize, before_newline: bool) -> &str {
    let s = &text[from..to];
    if before_newline {
        s.strip_suffix('\r').unwrap_or(s)
    } else {
        s
    }
}

/// True for a line with nothing on it (blank lines between records are skipped).
pub(crate) fn is_blank_line(text: &str, start: usize) -> Option<usize> {
    let rest = &text.as_bytes()[start..];
    match rest {
        [b'\n', ..] => Some(start + 1),
        [b'\r', b'\n', ..] => Some(start + 2),
        [b'\r'] => Some(start + 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str, complete: bool) -> Option<(Vec<String>, usize)> {
        let mut fields = Vec::new();
        let end = parse_record(text, 0, b',', complete, &mut fields).unwrap()?;
        Some((fields.iter().map(|f| f.value.to_string()).collect(), end))
    }

    #[test]
    fn plain_and_quoted() {
        assert_eq!(
            record("a,b,\r\nx", true),
            Some((vec!["a".into(), "b".into(), "".into()], 6))
        );
        assert_eq!(
            record("\"a,\"\"b\"\"\nc\",d\n", true),
            Some((vec!["a,\"b\"\nc".into(), "d".into()], 14))
        );
        assert_eq!(
            record("x\"y,\"z\"w\n", true),
            Some((vec!["x\"y".into(), "zw".into()], 9))
        );
        assert_eq!(record("\"a\"\r\n", true), Some((vec!["a".into()], 5)));
        assert_eq!(record("a,b", false), None);
        assert_eq!(record("\"a\nb", false), None);
        assert_eq!(record("\"a\"", false), None);
        assert_eq!(record("a,b", true), Some((vec!["a".into(), "b".into()], 3)));
    }

    #[test]
    fn unclosed_quote_is_located() {
        let mut fields = Vec::new();
        let e = parse_record("a,\"b\nc", 0, b',', true, &mut fields).unwrap_err();
        assert_eq!(e.pos.unwrap().column, Some(3));
    }

    /// The last record end the parser finds, reading `text` as a prefix of
    /// a longer input.
    fn last_end_by_parser(text: &str) -> Option<usize> {
        let mut fields = Vec::new();
        let (mut pos, mut last) = (0, None);
        while pos < text.len() {
            match parse_record(text, pos, b',', false, &mut fields).unwrap() {
                Some(end) => {
                    pos = end;
                    last = Some(end);
                }
                None => break,
            }
        }
        last
    }

    proptest::proptest! {
        #[test]
        fn boundary_agrees_with_parser(text in "[a,\"\n\r]{0,60}", step in 1usize..7) {
            let mut boundary = CsvBoundary::new(b',');
            let mut last = None;
            let mut end = 0;
            while end < text.len() {
                end = (end + step).min(text.len());
                last = boundary.scan(&text.as_bytes()[..end]);
            }
            proptest::prop_assert_eq!(last, last_end_by_parser(&text));
        }
    }
}
