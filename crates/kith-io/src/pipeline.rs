//! The streaming engine every reader shares.
//!
//! One thread reads and decompresses the input into large chunks cut at
//! record boundaries; each chunk is parsed as a rayon job; the calling thread
//! receives the parsed chunks in file order and hands them to the sink. The
//! three stages overlap, and memory stays bounded: at most a few chunks per
//! core are in flight, and a record may not exceed [`MAX_RECORD_BYTES`].
//!
//! Chunks do not know their first line number while they are parsed; each
//! reports how many lines it spans, and the ordered consumer adds them up, so
//! errors carry exact absolute lines at no sequential cost.

use crate::error::{ChunkError, ChunkPos, Error, position_of};
use crate::source::{Input, describe_read_failure};
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvError, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

/// Target size of one chunk of decompressed text.
pub(crate) const CHUNK_BYTES: usize = 4 << 20;
/// A longer record (or line) is an error, so a file without newlines cannot
/// make a reader buffer it whole.
pub(crate) const MAX_RECORD_BYTES: usize = 16 << 20;
/// How much more to read when a chunk holds no complete record yet.
const READ_STEP: usize = 1 << 20;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses chunks that hold whole records (the last one may lack its newline).
pub(crate) trait ChunkParser: Sync {
    type Item: Send;
    fn parse(&self, chunk: &[u8]) -> Result<Vec<Self::Item>, ChunkError>;
}

/// Finds where a growing buffer may be cut so each piece holds whole
/// records. The buffer always starts at a record start.
pub(crate) trait Boundary: Send {
    /// Scans bytes added since the last call; returns the end of the last
    /// complete record in `buf` (just after its newline), if any.
    fn scan(&mut self, buf: &[u8]) -> Option<usize>;
    /// The first `cut` bytes were handed off; positions shift down by `cut`.
    fn shift(&mut self, cut: usize);
    /// Why the record at the start of `buf` has no end, for the error when it
    /// outgrows [`MAX_RECORD_BYTES`].
    fn overlong(&self, _buf: &[u8]) -> ChunkError {
        ChunkError::at(
            ChunkPos {
                line: 0,
                column: Some(1),
            },
            format!(
                "line is longer than {} MiB; is this the right file and format?",
                MAX_RECORD_BYTES >> 20
            ),
        )
    }
}

/// Boundaries of newline-terminated formats (JSON Lines, SNAP).
#[derive(Default)]
pub(crate) struct LineBoundary {
    scanned: usize,
    last: Option<usize>,
}

impl Boundary for LineBoundary {
    fn scan(&mut self, buf: &[u8]) -> Option<usize> {
        if let Some(i) = memchr::memrchr(b'\n', &buf[self.scanned..]) {
            self.last = Some(self.scanned + i + 1);
        }
        self.scanned = buf.len();
        self.last
    }

    fn shift(&mut self, cut: usize) {
        self.scanned -= cut;
        self.last = None;
    }
}

/// What the format's header (if any) made of the start of the input.
pub(crate) struct Prepared<P> {
    pub parser: P,
    /// Bytes of the buffer the header used.
    pub consumed: usize,
    /// Lines those bytes span.
    pub lines: u64,
}

/// The parsed form of one chunk.
struct Parsed<T> {
    items: Vec<T>,
    lines: u64,
}

enum Message<T> {
    /// Lines consumed outside chunks (the header).
    Lines(u64),
    /// A chunk being parsed; its result arrives on the receiver.
    Chunk(Receiver<Result<Parsed<T>, ChunkError>>),
    /// Reading stopped here.
    Fail(ChunkError),
}

/// Streams `input` through `prepare` (header), then parses chunks in
/// parallel and feeds the sink in order. Returns the number of items.
pub(crate) fn run<P, Prep, B, S>(
    input: Input,
    prepare: Prep,
    boundary: B,
    progress: Option<&crate::Progress>,
    mut sink: S,
) -> Result<u64, Error>
where
    P: ChunkParser + Send,
    Prep: FnMut(&[u8], bool) -> Result<Option<Prepared<P>>, ChunkError> + Send,
    B: Boundary,
    S: FnMut(Vec<P::Item>) -> Result<(), Error>,
{
    let Input { path, reader } = input;
    rayon::in_place_scope(|jobs| {
        let in_flight = 2 * rayon::current_num_threads() + 2;
        let (tx, rx) = sync_channel::<Message<P::Item>>(in_flight);
        std::thread::scope(|threads| {
            threads.spawn(move || read_chunks(reader, prepare, boundary, jobs, tx));
            // `rx` is moved into the consumer and dropped when it returns, so a
            // reader blocked on a full channel wakes up and stops.
            consume(rx, &path, progress, &mut sink)
        })
    })
}

fn consume<T, S>(
    rx: Receiver<Message<T>>,
    path: &std::path::Path,
    progress: Option<&crate::Progress>,
    sink: &mut S,
) -> Result<u64, Error>
where
    S: FnMut(Vec<T>) -> Result<(), Error>,
{
    let mut lines_before = 0u64;
    let mut rows = 0u64;
    while let Ok(message) = wait(&rx) {
        match message {
            Message::Lines(n) => lines_before += n,
            Message::Chunk(result) => {
                let parsed = match wait(&result) {
                    Ok(Ok(parsed)) => parsed,
                    Ok(Err(e)) => return Err(e.into_error(path, lines_before)),
                    Err(RecvError) => {
                        return Err(Error::new(path, "internal error: a parser job vanished"));
                    }
                };
                lines_before += parsed.lines;
                if parsed.items.is_empty() {
                    continue;
                }
                rows += parsed.items.len() as u64;
                if let Some(p) = progress {
                    p.rows
                        .fetch_add(parsed.items.len() as u64, Ordering::Relaxed);
                }
                sink(parsed.items)?;
            }
            Message::Fail(e) => return Err(e.into_error(path, lines_before)),
        }
    }
    Ok(rows)
}

/// Receives without deadlocking a rayon pool: when called on one of its
/// threads (a caller reading several files in parallel), it runs other
/// pending jobs (our parser jobs among them) while it waits.
fn wait<T>(rx: &Receiver<T>) -> Result<T, RecvError> {
    if rayon::current_thread_index().is_none() {
        return rx.recv();
    }
    loop {
        match rx.try_recv() {
            Ok(v) => return Ok(v),
            Err(TryRecvError::Disconnected) => return Err(RecvError),
            Err(TryRecvError::Empty) => {}
        }
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
}

/// The reading thread: fills buffers, cuts them at record boundaries and
/// starts a parse job per chunk. Stops at end of input, at the first
/// failure, or when the consumer hangs up.
fn read_chunks<'scope, P, Prep, B>(
    mut reader: Box<dyn Read + Send>,
    mut prepare: Prep,
    mut boundary: B,
    jobs: &rayon::Scope<'scope>,
    tx: SyncSender<Message<P::Item>>,
) where
    P: ChunkParser + Send + 'scope,
    Prep: FnMut(&[u8], bool) -> Result<Option<Prepared<P>>, ChunkError>,
    B: Boundary,
{
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + READ_STEP);
    let mut parser: Option<std::sync::Arc<P>> = None;
    let mut first_fill = true;
    loop {
        let target = if buf.len() < CHUNK_BYTES {
            CHUNK_BYTES
        } else {
            buf.len() + READ_STEP
        };
        let eof = match fill(&mut reader, &mut buf, target) {
            Ok(eof) => eof,
            Err(e) => {
                let _ = tx.send(Message::Fail(ChunkError {
                    pos: None,
                    message: describe_read_failure(&e),
                }));
                return;
            }
        };
        if first_fill {
            first_fill = false;
            if buf.starts_with(UTF8_BOM) {
                buf.drain(..UTF8_BOM.len());
            }
        }
        if parser.is_none() {
            match prepare(&buf, eof) {
                Err(e) => {
                    let _ = tx.send(Message::Fail(e));
                    return;
                }
                Ok(Some(prepared)) => {
                    buf.drain(..prepared.consumed);
                    parser = Some(std::sync::Arc::new(prepared.parser));
                    if tx.send(Message::Lines(prepared.lines)).is_err() {
                        return;
                    }
                }
                Ok(None) if eof => {
                    let _ = tx.send(Message::Fail(ChunkError {
                        pos: None,
                        message: "internal error: the header reader wanted more input at its end"
                            .to_string(),
                    }));
                    return;
                }
                Ok(None) if buf.len() > MAX_RECORD_BYTES => {
                    let _ = tx.send(Message::Fail(boundary.overlong(&buf)));
                    return;
                }
                Ok(None) => continue,
            }
        }
        let Some(parser) = parser.as_ref() else {
            continue;
        };
        if eof {
            if buf.len() > MAX_RECORD_BYTES && boundary.scan(&buf).is_none() {
                let _ = tx.send(Message::Fail(boundary.overlong(&buf)));
            } else if !buf.is_empty() {
                dispatch(std::mem::take(&mut buf), parser, jobs, &tx);
            }
            return;
        }
        match boundary.scan(&buf) {
            Some(cut) if buf.len() >= CHUNK_BYTES => {
                let mut next = Vec::with_capacity(CHUNK_BYTES + READ_STEP);
                next.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                boundary.shift(cut);
                if !dispatch(std::mem::replace(&mut buf, next), parser, jobs, &tx) {
                    return;
                }
            }
            None if buf.len() > MAX_RECORD_BYTES => {
                let _ = tx.send(Message::Fail(boundary.overlong(&buf)));
                return;
            }
            _ => {}
        }
    }
}

/// Starts parsing `chunk` on the pool; returns false when the consumer is gone.
fn dispatch<'scope, P>(
    chunk: Vec<u8>,
    parser: &std::sync::Arc<P>,
    jobs: &rayon::Scope<'scope>,
    tx: &SyncSender<Message<P::Item>>,
) -> bool
where
    P: ChunkParser + Send + 'scope,
{
    let (result_tx, result_rx) = sync_channel(1);
    let parser = std::sync::Arc::clone(parser);
    jobs.spawn(move |_| {
        let outcome = catch_unwind(AssertUnwindSafe(|| parser.parse(&chunk)));
        let result = match outcome {
            Ok(Ok(items)) => Ok(Parsed {
                items,
                lines: memchr::memchr_iter(b'\n', &chunk).count() as u64,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ChunkError::at(
                position_of(&chunk, 0),
                "internal error: the parser failed on this chunk (please report this file)",
            )),
        };
        // The consumer may have stopped at an earlier error; nothing to do then.
        let _ = result_tx.send(result);
    });
    tx.send(Message::Chunk(result_rx)).is_ok()
}

/// Reads until `buf` holds `target` bytes or the input ends; true at the end.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> io::Result<bool> {
    let mut len = buf.len();
    buf.resize(target.max(len), 0);
    let result = loop {
        if len >= target {
            break Ok(false);
        }
        match reader.read(&mut buf[len..target]) {
            Ok(0) => break Ok(true),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buf.truncate(len);
    result
}
