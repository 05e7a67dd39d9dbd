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
use std::sync::mpsc::{
    Receiver, RecvError, Sender, SyncSender, TryRecvError, channel, sync_channel,
};
use std::time::Duration;

/// Target size of one chunk of decompressed text.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;
/// A longer record (or line) is an error, so a file without newlines cannot
/// make a reader buffer it whole.
pub(crate) const MAX_RECORD_BYTES: usize = 16 << 20;
/// How much more to read when a chunk holds no complete record yet.
const READ_STEP: usize = 1 << 20;

/// How much a new buffer grows at a time while it is being filled.
const GROW_STEP: usize = 64 << 10;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses chunks that hold whole records (the last one may lack its newline).
pub(crate) trait ChunkParser: Sync {
    type Item: Send;
    fn parse(&self, chunk: &[u8]) -> Result<Parsed<Self::Item>, ChunkError>;
}

/// The parsed form of one chunk.
pub(crate) struct Parsed<T> {
    pub items: Vec<T>,
    /// Newlines in the chunk, so later chunks know their first line.
    pub lines: u64,
}

impl<T> Parsed<T> {
    /// Items of a chunk whose newlines the parser did not count itself.
    pub fn counting_lines(items: Vec<T>, chunk: &[u8]) -> Self {
        Parsed {
            items,
            lines: memchr::memchr_iter(b'\n', chunk).count() as u64,
        }
    }
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
        // Enough chunks to keep every core busy while one waits for the
        // sink; each parsed chunk can be several times its text in memory.
        let in_flight = rayon::current_num_threads() + 2;
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

/// A buffer being filled: `bytes[..filled]` is input; the rest is spare
/// room that was initialised once and is overwritten by later reads, so
/// recycled buffers are never zeroed again.
struct Buffer {
    bytes: Vec<u8>,
    filled: usize,
}

impl Buffer {
    fn data(&self) -> &[u8] {
        &self.bytes[..self.filled]
    }

    /// Drops the first `n` bytes of input.
    fn consume(&mut self, n: usize) {
        self.bytes.copy_within(n..self.filled, 0);
        self.filled -= n;
    }

    /// Reads until `target` bytes are filled or the input ends; true at the
    /// end. A new buffer grows as input arrives, so a small file does not
    /// pay for initialising a whole chunk.
    fn fill(&mut self, reader: &mut dyn Read, target: usize) -> io::Result<bool> {
        while self.filled < target {
            if self.bytes.len() <= self.filled {
                self.bytes.resize((self.filled + GROW_STEP).min(target), 0);
            }
            let end = self.bytes.len().min(target);
            match reader.read(&mut self.bytes[self.filled..end]) {
                Ok(0) => return Ok(true),
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }
}

/// Chunk buffers come back here after parsing, to be filled again.
struct Pool {
    returned: Receiver<Vec<u8>>,
    give_back: Sender<Vec<u8>>,
}

impl Pool {
    fn take(&self) -> Vec<u8> {
        self.returned.try_recv().unwrap_or_default()
    }
}

/// Buffers that grew past this for one long record are freed, not kept.
const POOLED_BUFFER_MAX: usize = 2 * (CHUNK_BYTES + READ_STEP);

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
    let fail = |e: ChunkError| {
        let _ = tx.send(Message::Fail(e));
    };
    let (give_back, returned) = channel();
    let pool = Pool {
        returned,
        give_back,
    };
    let mut buf = Buffer {
        bytes: Vec::new(),
        filled: 0,
    };
    let mut parser: Option<std::sync::Arc<P>> = None;
    let mut first_fill = true;
    loop {
        let target = if buf.filled < CHUNK_BYTES {
            CHUNK_BYTES
        } else {
            buf.filled + READ_STEP
        };
        let eof = match buf.fill(&mut reader, target) {
            Ok(eof) => eof,
            Err(e) => {
                return fail(ChunkError {
                    pos: None,
                    message: describe_read_failure(&e),
                });
            }
        };
        if first_fill {
            first_fill = false;
            if buf.data().starts_with(UTF8_BOM) {
                buf.consume(UTF8_BOM.len());
            }
        }
        if parser.is_none() {
            match prepare(buf.data(), eof) {
                Err(e) => return fail(e),
                Ok(Some(prepared)) => {
                    buf.consume(prepared.consumed);
                    parser = Some(std::sync::Arc::new(prepared.parser));
                    if tx.send(Message::Lines(prepared.lines)).is_err() {
                        return;
                    }
                }
                Ok(None) if eof => {
                    return fail(ChunkError {
                        pos: None,
                        message: "internal error: the header reader wanted more input at its end"
                            .to_string(),
                    });
                }
                Ok(None) if buf.filled > MAX_RECORD_BYTES => {
                    return fail(boundary.overlong(buf.data()));
                }
                Ok(None) => continue,
            }
        }
        let Some(parser) = parser.as_ref() else {
            continue;
        };
        if eof {
            if buf.filled > MAX_RECORD_BYTES && boundary.scan(buf.data()).is_none() {
                fail(boundary.overlong(buf.data()));
            } else if buf.filled > 0 {
                dispatch(buf, parser, &pool, jobs, &tx);
            }
            return;
        }
        match boundary.scan(buf.data()) {
            Some(cut) if buf.filled >= CHUNK_BYTES => {
                let mut next = Buffer {
                    bytes: pool.take(),
                    filled: buf.filled - cut,
                };
                if next.bytes.len() < next.filled {
                    next.bytes.resize(next.filled, 0);
                }
                next.bytes[..next.filled].copy_from_slice(&buf.bytes[cut..buf.filled]);
                buf.filled = cut;
                boundary.shift(cut);
                if !dispatch(std::mem::replace(&mut buf, next), parser, &pool, jobs, &tx) {
                    return;
                }
            }
            None if buf.filled > MAX_RECORD_BYTES => {
                return fail(boundary.overlong(buf.data()));
            }
            _ => {}
        }
    }
}

/// Starts parsing `chunk` on the pool; returns false when the consumer is gone.
fn dispatch<'scope, P>(
    chunk: Buffer,
    parser: &std::sync::Arc<P>,
    pool: &Pool,
    jobs: &rayon::Scope<'scope>,
    tx: &SyncSender<Message<P::Item>>,
) -> bool
where
    P: ChunkParser + Send + 'scope,
{
    let (result_tx, result_rx) = sync_channel(1);
    let parser = std::sync::Arc::clone(parser);
    let give_back = pool.give_back.clone();
    jobs.spawn(move |_| {
        let outcome = catch_unwind(AssertUnwindSafe(|| parser.parse(chunk.data())));
        let result = match outcome {
            Ok(Ok(parsed)) => Ok(parsed),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ChunkError::at(
                position_of(chunk.data(), 0),
                "internal error: the parser failed on this chunk (please report this file)",
            )),
        };
        // The consumer may have stopped at an earlier error; nothing to do then.
        let _ = result_tx.send(result);
        if chunk.bytes.len() <= POOLED_BUFFER_MAX {
            let _ = give_back.send(chunk.bytes);
        }
    });
    tx.send(Message::Chunk(result_rx)).is_ok()
}
