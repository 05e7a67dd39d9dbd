//! Opening an input: the file, a byte counter for progress, and gzip
//! detection by magic bytes (so a compressed file named `.csv` still reads,
//! and a plain file named `.gz` too).

use crate::error::{Error, describe_io};
use kith_model::Platform;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters a progress bar can poll from another thread while a read runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes of input consumed so far, as stored (compressed bytes for gzip).
    pub bytes_read: AtomicU64,
    /// Rows (or edges) handed to the sink so far.
    pub rows: AtomicU64,
    /// The total the bar runs to. Readers never change it: the caller sets it
    /// once, up front, for all the files of an import (see [`Progress::for_files`]).
    pub total_bytes: AtomicU64,
}

impl Progress {
    /// A progress whose total is the sum of the sizes of `paths` (files that
    /// cannot be read count 0; the read itself reports them).
    pub fn for_files<P: AsRef<Path>>(paths: &[P]) -> Arc<Progress> {
        let total = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        Arc::new(Progress {
            total_bytes: AtomicU64::new(total),
            ..Progress::default()
        })
    }
}

/// How to read: what the command line said.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The platform of rows that do not name one (`--platform`). Rows that
    /// do name one keep theirs.
    pub platform: Option<Platform>,
    /// Skip columns (or JSON fields) the kind does not know instead of failing.
    pub ignore_unknown: bool,
    pub progress: Option<Arc<Progress>>,
}

/// Counts bytes as they are read, into [`Progress::bytes_read`].
struct Counted<R> {
    inner: R,
    progress: Option<Arc<Progress>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = &self.progress {
            p.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// A decompressed byte stream and the name errors should carry.
pub(crate) struct Input {
    pub path: PathBuf,
    pub reader: Box<dyn Read + Send + 'static>,
}

/// Buffer between the file and the gzip decoder: large reads keep syscalls
/// rare without holding much memory.
const FILE_BUFFER: usize = 256 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens `path`, decompressing it when it starts with the gzip magic bytes.
pub(crate) fn open(path: &Path, opts: &ReadOptions) -> Result<Input, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, &e))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Error::new(path, "is a directory, not a file"));
    }
    let counted = Counted {
        inner: file,
        progress: opts.progress.clone(),
    };
    let reader = decompressing(counted).map_err(|e| Error::io(path, &e))?;
    Ok(Input {
        path: path.to_path_buf(),
        reader,
    })
}

/// Wraps any reader the same way [`open`] wraps a file.
pub(crate) fn from_reader(
    reader: impl Read + Send + 'static,
    name: &Path,
    opts: &ReadOptions,
) -> Result<Input, Error> {
    let counted = Counted {
        inner: reader,
        progress: opts.progress.clone(),
    };
    let reader = decompressing(counted).map_err(|e| Error::io(name, &e))?;
    Ok(Input {
        path: name.to_path_buf(),
        reader,
    })
}

fn decompressing<R: Read + Send + 'static>(mut raw: R) -> io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; GZIP_MAGIC.len()];
    let mut filled = 0;
    while filled < head.len() {
        match raw.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let is_gzip = head[..filled] == GZIP_MAGIC;
    let stream = io::Cursor::new(head[..filled].to_vec()).chain(raw);
    if is_gzip {
        // Multi-member, as written by bgzip, pigz and `cat a.gz b.gz`.
        let buffered = BufReader::with_capacity(FILE_BUFFER, stream);
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
    } else {
        // The pipeline reads megabytes at a time; no buffer needed.
        Ok(Box::new(stream))
    }
}

/// Message for a read failure in the middle of the stream: a gzip stream that
/// ends early or has a bad checksum says so plainly.
pub(crate) fn describe_read_failure(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::UnexpectedEof => {
            "the file is truncated (the compressed data ends before the end of the stream); \
             re-download or re-export it"
                .to_string()
        }
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            format!("the file is corrupt ({err}); re-download or re-export it")
        }
        _ => describe_io(err),
    }
}
