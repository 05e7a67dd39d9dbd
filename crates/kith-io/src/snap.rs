//! SNAP edge lists: `#` or `%` comment lines, blank lines, and lines of two
//! whitespace-separated non-negative integer ids (further columns, such as a
//! weight or a timestamp, are ignored).
//!
//! This is the hot path of graph imports, so parsing is a hand-written loop
//! over bytes: no UTF-8 validation (ids are ASCII digits; anything else is an
//! error anyway), no per-line allocation, line numbers computed only when an
//! error needs one.

use crate::error::ChunkError;
use crate::pipeline::{ChunkParser, Prepared};

pub(crate) struct SnapParser;

/// SNAP has no header.
pub(crate) fn prepare(_buf: &[u8], _eof: bool) -> Result<Option<Prepared<SnapParser>>, ChunkError> {
    Ok(Some(Prepared {
        parser: SnapParser,
        consumed: 0,
        lines: 0,
    }))
}

impl ChunkParser for SnapParser {
    type Item = (u64, u64);

    fn parse(&self, chunk: &[u8]) -> Result<Vec<(u64, u64)>, ChunkError> {
        // The shortest edge line is 4 bytes ("1 2\n"); typical ones are 12-20.
        let mut edges = Vec::with_capacity(chunk.len() / 12);
        let len = chunk.len();
        let mut pos = 0;
        while pos < len {
            let mut p = skip_blanks(chunk, pos);
            if p == len {
                break;
            }
            match chunk[p] {
                b'\n' => {
                    pos = p + 1;
                    continue;
                }
                b'\r' if p + 1 == len || chunk[p + 1] == b'\n' => {
                    pos = p + 2;
                    continue;
                }
                b'#' | b'%' => {
                    pos = next_line(chunk, p);
                    continue;
                }
                _ => {}
            }
            let from;
            (from, p) = parse_id(chunk, p)?;
            let gap = skip_blanks(chunk, p);
            if gap == p || gap == len || matches!(chunk[gap], b'\n' | b'\r') {
                if gap == p && p < len && !matches!(chunk[p], b'\n' | b'\r') {
                    return Err(not_an_id(chunk, token_start(chunk, p)));
                }
                return Err(ChunkError::at_offset(
                    chunk,
                    p,
                    "only one id on this line; an edge list line needs two (from, to), separated by spaces or a tab",
                ));
            }
            let to;
            (to, p) = parse_id(chunk, gap)?;
            if p < len && !matches!(chunk[p], b' ' | b'\t' | b'\n' | b'\r') {
                return Err(not_an_id(chunk, gap));
            }
            edges.push((from, to));
            pos = if p < len && chunk[p] == b'\n' {
                p + 1
            } else {
                next_line(chunk, p)
            };
        }
        Ok(edges)
    }
}

fn skip_blanks(chunk: &[u8], mut p: usize) -> usize {
    while p < chunk.len() && matches!(chunk[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

/// Start of the line after the one holding `p` (or the end).
fn next_line(chunk: &[u8], p: usize) -> usize {
    memchr::memchr(b'\n', &chunk[p..]).map_or(chunk.len(), |i| p + i + 1)
}

/// Start of the whitespace-delimited token that holds `p`.
fn token_start(chunk: &[u8], p: usize) -> usize {
    let mut s = p;
    while s > 0 && !matches!(chunk[s - 1], b' ' | b'\t' | b'\n' | b'\r') {
        s -= 1;
    }
    s
}

/// Digits at `p` as an id, and where they end.
fn parse_id(chunk: &[u8], start: usize) -> Result<(u64, usize), ChunkError> {
    let mut p = start;
    let mut value: u64 = 0;
    while p < chunk.len() {
        let digit = chunk[p].wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        p += 1;
    }
    if p == start {
        return Err(not_an_id(chunk, start));
    }
    // u64::MAX has 20 digits: only then can the wrapping arithmetic have wrapped.
    if p - start >= 20 {
        let digits = std::str::from_utf8(&chunk[start..p]).unwrap_or("");
        value = digits.parse().map_err(|_| {
            ChunkError::at_offset(
                chunk,
                start,
                format!("id {digits} is too large (the maximum is {})", u64::MAX),
            )
        })?;
    }
    Ok((value, p))
}

fn not_an_id(chunk: &[u8], start: usize) -> ChunkError {
    let end = chunk[start..]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .map_or(chunk.len(), |i| start + i);
    let shown = &chunk[start..end.min(start + 40)];
    ChunkError::at_offset(
        chunk,
        start,
        format!(
            "{:?} is not an id: edge list ids must be non-negative integers",
            String::from_utf8_lossy(shown)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Vec<(u64, u64)>, ChunkError> {
        SnapParser.parse(s.as_bytes())
    }

    #[test]
    fn edges_comments_and_extra_columns() {
        let text = "# Directed graph\n% konect\n\n1 2\n3\t4\t0.5\n  5   6 1700000000\r\n7 8";
        assert_eq!(parse(text).unwrap(), [(1, 2), (3, 4), (5, 6), (7, 8)]);
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse("\r\n\n").unwrap(), []);
        assert_eq!(parse("18446744073709551615 0\n").unwrap(), [(u64::MAX, 0)]);
    }

    #[test]
    fn bad_lines() {
        let e = parse("1 2\n3\n").unwrap_err();
        assert_eq!(e.pos.unwrap().line, 1);
        assert!(e.message.contains("only one id"), "{}", e.message);
        let e = parse("1 2\n3 x4\n").unwrap_err();
        assert_eq!(e.pos.unwrap().column, Some(3));
        assert!(e.message.contains("\"x4\" is not an id"), "{}", e.message);
        let e = parse("1.5 2\n").unwrap_err();
        assert!(e.message.contains("\"1.5\""), "{}", e.message);
        assert_eq!(e.pos.unwrap().column, Some(1));
        let e = parse("1 2.5\n").unwrap_err();
        assert!(e.message.contains("\"2.5\""), "{}", e.message);
        let e = parse("-1 2\n").unwrap_err();
        assert!(e.message.contains("non-negative"), "{}", e.message);
        let e = parse("18446744073709551616 1").unwrap_err();
        assert!(e.message.contains("too large"), "{}", e.message);
        let e = parse("7").unwrap_err();
        assert!(e.message.contains("only one id"), "{}", e.message);
    }
}
