//! SNAP edge lists: `#` or `%` comment lines, blank lines, and lines of two
//! whitespace-separated non-negative integer ids (further columns, such as a
//! weight or a timestamp, are ignored).
//!
//! This is the hot path of graph imports, so parsing is a hand-written loop
//! over bytes: no UTF-8 validation (ids are ASCII digits; anything else is an
//! error anyway), no per-line allocation, line numbers computed only when an
//! error needs one.

use crate::error::ChunkError;
use crate::pipeline::{ChunkParser, Parsed, Prepared};

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

    fn parse(&self, chunk: &[u8]) -> Result<Parsed<(u64, u64)>, ChunkError> {
        // The shortest edge line is 4 bytes ("1 2\n"); typical ones are 12-20.
        let mut edges = Vec::with_capacity(chunk.len() / 12);
        let len = chunk.len();
        let mut pos = 0;
        // Each iteration consumes one line, through its newline if it has one.
        let mut lines = 0u64;
        while pos < len {
            lines += 1;
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
        if chunk.last().is_some_and(|&b| b != b'\n') {
            lines -= 1; // the last line has no newline
        }
        Ok(Parsed {
            items: edges,
            lines,
        })
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

/// Digits at `start` as an id, and where they end.
#[inline(always)]
fn parse_id(chunk: &[u8], start: usize) -> Result<(u64, usize), ChunkError> {
    let (mut value, mut p) = match chunk.get(start..start + 8) {
        Some(eight) => {
            let word = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
            let digits = leading_digits(word);
            if digits == 0 {
                return Err(not_an_id(chunk, start));
            }
            (parse_digits(word, digits), start + digits)
        }
        None => (0, start),
    };
    // Ids of more than eight digits, and ids near the end of the chunk.
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

/// How many of the eight bytes of `word` (first byte lowest) are ASCII
/// digits before the first non-digit. Carries out of a non-digit byte only
/// disturb the bytes after it, which do not matter.
#[inline(always)]
fn leading_digits(word: u64) -> usize {
    let offsets = word ^ 0x3030_3030_3030_3030; // digits become 0..=9
    let high_if_not_digit =
        (offsets.wrapping_add(0x7676_7676_7676_7676) | offsets) & 0x8080_8080_8080_8080;
    (high_if_not_digit.trailing_zeros() / 8) as usize
}

/// The value of the first `digits` (1..=8) bytes of `word`, all ASCII digits,
/// by SWAR: shift them to the top (zeros become leading zero digits), then
/// combine pairs of digits, pairs of pairs, and pairs of those.
#[inline(always)]
fn parse_digits(word: u64, digits: usize) -> u64 {
    let shifted = word << (8 * (8 - digits));
    let nibbles = shifted & 0x0F0F_0F0F_0F0F_0F0F;
    let pairs = (nibbles.wrapping_mul(10) + (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    (quads.wrapping_mul(10_000) + (quads >> 32)) & 0xFFFF_FFFF
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
        let parsed = SnapParser.parse(s.as_bytes())?;
        assert_eq!(parsed.lines, s.matches('\n').count() as u64, "{s:?}");
        Ok(parsed.items)
    }

    proptest::proptest! {
        #[test]
        fn ids_parse_like_std(id in proptest::prelude::any::<u64>(), pad in "[ \t]{1,3}", tail in "[ \t\r#a-z0-9.]{0,12}") {
            let text = format!("{id}{pad}{}\t{tail}\n", id / 7);
            proptest::prop_assert_eq!(parse(&text).unwrap(), vec![(id, id / 7)]);
        }

        #[test]
        fn never_panics_and_counts_lines(text in "[0-9 \t\r\n#%a.-]{0,80}") {
            let _ = parse(&text);
        }
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
