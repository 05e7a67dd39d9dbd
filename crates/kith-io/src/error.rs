//! The one error type of this crate, and the arithmetic that turns a byte
//! offset inside a chunk into the line and column a person sees in an editor.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A read or write that failed, located as precisely as the input allows.
///
/// Displays as `path:line:column: message`, `path:line: message` or
/// `path: message`. Lines and columns are 1-based; the column counts
/// characters (not bytes) from the start of the physical line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Located(self))]
pub struct Error {
    pub path: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

struct Located<'a>(&'a Error);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(f, "{}", e.path.display())?;
        if let Some(line) = e.line {
            write!(f, ":{line}")?;
            if let Some(column) = e.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", e.message)
    }
}

impl Error {
    /// An error about the file as a whole.
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        Error {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at a line and, when known, a column (both 1-based).
    pub fn at(path: &Path, line: u64, column: Option<u64>, message: impl Into<String>) -> Self {
        Error {
            path: path.to_path_buf(),
            line: Some(line),
            column,
            message: message.into(),
        }
    }

    /// An I/O failure on `path`, worded for a person ("no such file").
    pub fn io(path: &Path, err: &io::Error) -> Self {
        Error::new(path, describe_io(err))
    }
}

/// Words for an I/O error that say what happened without the OS's errno noise.
pub(crate) fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory, not a file".to_string(),
        _ => err.to_string(),
    }
}

/// Where something is inside a chunk, relative to the chunk's first line:
/// `line` 0 is the chunk's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkPos {
    pub line: u64,
    pub column: Option<u64>,
}

/// A failure found while parsing one chunk, before the chunk's absolute
/// line number is known (chunks are parsed in parallel; the ordered driver
/// adds the lines of the chunks before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChunkError {
    pub pos: Option<ChunkPos>,
    pub message: String,
}

impl ChunkError {
    pub fn at(pos: ChunkPos, message: impl Into<String>) -> Self {
        ChunkError {
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// Locates `message` at byte `offset` of `chunk`.
    pub fn at_offset(chunk: &[u8], offset: usize, message: impl Into<String>) -> Self {
        ChunkError::at(position_of(chunk, offset), message)
    }

    /// Attaches the path and the number of lines before the chunk.
    pub fn into_error(self, path: &Path, lines_before: u64) -> Error {
        match self.pos {
            Some(pos) => Error::at(path, lines_before + pos.line + 1, pos.column, self.message),
            None => Error::new(path, self.message),
        }
    }
}

/// Line (0-based, relative to the chunk) and character column (1-based) of
/// byte `offset` in `chunk`. Bytes of the line before `offset` that are not
/// valid UTF-8 count one column each, so a column is always produced.
pub(crate) fn position_of(chunk: &[u8], offset: usize) -> ChunkPos {
    let offset = offset.min(chunk.len());
    let before = &chunk[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() as u64;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    ChunkPos {
        line,
        column: Some(count_chars(&chunk[line_start..offset]) + 1),
    }
}

/// Characters in `bytes`: UTF-8 lead bytes, plus one per invalid byte.
fn count_chars(bytes: &[u8]) -> u64 {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count() as u64,
        Err(_) => bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_forms() {
        let p = Path::new("a.csv");
        assert_eq!(
            Error::new(p, "no such file").to_string(),
            "a.csv: no such file"
        );
        assert_eq!(Error::at(p, 3, None, "bad").to_string(), "a.csv:3: bad");
        assert_eq!(
            Error::at(p, 3, Some(7), "bad").to_string(),
            "a.csv:3:7: bad"
        );
    }

    #[test]
    fn positions_count_characters() {
        let chunk = "ab\ncäf,x\n".as_bytes();
        let comma = chunk.iter().position(|&b| b == b',').unwrap();
        assert_eq!(
            position_of(chunk, comma),
            ChunkPos {
                line: 1,
                column: Some(4)
            }
        );
        assert_eq!(position_of(chunk, 0).column, Some(1));
    }
}
