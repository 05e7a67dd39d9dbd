//! The SQLite writer: one thread per database file that makes every click
//! and tracking write, in batches (group commit).
//!
//! Requests wait in a bounded queue. The thread takes all that are waiting
//! (up to [`MAX_BATCH`]), runs them in one transaction on its own rusqlite
//! connection and commits once, then answers each caller: an answer means
//! the commit returned, so the event is in the database file and survives
//! a crash or kill of the process (with `?synchronous=full` on the address,
//! also a power cut: the commit's fsync serves the whole batch). When the
//! queue is full, callers wait for room; nothing is dropped.
//!
//! Why a thread and rusqlite rather than a task on sqlx's pool: through
//! sqlx every statement is a hop to the connection's worker thread and back,
//! and a sale is about ten statements; here they run in place, prepared
//! once. Reads (the API, reports) keep using the pool beside the writer:
//! WAL lets them run while it writes.

use crate::clicks::{NewClick, Pending};
use crate::db::SqliteTarget;
use crate::track::{self, Tx};
use crate::{Error, track::TrackReply};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Most requests (clicks and tracking writes together) in one transaction.
const MAX_BATCH: usize = 2048;
/// Requests that may wait for the writer before callers wait for room.
const QUEUE: usize = 65_536;
/// How often, while it writes, the writer checkpoints the WAL itself.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(1000);

/// A request to the writer.
pub(crate) enum Job {
    Click(Pending),
    Track(track::Job),
}

/// The way to a database's writer thread. Cheap to clone; the thread ends
/// when the last clone is dropped (after finishing what was sent).
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the writer's connection to the SQLite file at `path` (already
    /// created and migrated) and starts its thread.
    pub(crate) fn start(target: &SqliteTarget) -> Result<Writer, Error> {
        let conn = open(target)?;
        let (queue, receiver) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("kith-sqlite-writer".into())
            .spawn(move || run(conn, receiver))
            .map_err(|e| Error::Database(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Writer { queue })
    }

    /// Queues a request; `false` if the writer has stopped.
    pub(crate) async fn send(&self, job: Job) -> bool {
        self.queue.send(job).await.is_ok()
    }
}

fn open(target: &SqliteTarget) -> Result<rusqlite::Connection, Error> {
    let conn = rusqlite::Connection::open(&target.path)?;
    // WAL; waits rather than fails while another connection (an API edit)
    // holds the write lock; no checkpoint inside a commit (the checkpointer
    // task does that beside the writer). NORMAL: a commit is written to the
    // WAL file, not fsynced, before its callers are answered (see
    // `SqliteTarget::sync_full` and docs/tracking.md for why).
    let synchronous = if target.sync_full { "FULL" } else { "NORMAL" };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;"
    ))?;
    // Every statement of the write path stays prepared.
    conn.set_prepared_statement_cache_capacity(256);
    // 64 MiB of page cache (the default is 2 MiB): the indexes' hot pages
    // stay in memory instead of being read back from the OS per statement.
    conn.execute_batch("PRAGMA cache_size = -65536;")?;
    Ok(conn)
}

fn run(conn: rusqlite::Connection, mut receiver: mpsc::Receiver<Job>) {
    // The write path is async so that it also runs on sqlx (PostgreSQL);
    // here every await completes at once, and a current-thread runtime
    // drives it on this thread.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the SQLite writer's runtime");
            return;
        }
    };
    let conn = Mutex::new(conn);
    let mut clicks: Vec<NewClick> = Vec::new();
    let mut click_replies = Vec::new();
    let mut jobs: Vec<track::Job> = Vec::new();
    let mut last_checkpoint = Instant::now();
    while let Some(first) = receiver.blocking_recv() {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(job) = next {
            match job {
                Job::Click((click, done)) => {
                    clicks.push(click);
                    click_replies.push(done);
                }
                Job::Track(job) => jobs.push(job),
            }
            taken += 1;
            next = if taken < MAX_BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        let mut result = runtime.block_on(batch(&conn, &clicks, &jobs));
        // A failed batch left nothing on disk, so running it again cannot
        // count anything twice; a busy or briefly failing disk gets a few
        // more tries before the callers hear of it.
        for delay in track::retry_delays() {
            if result.is_ok() {
                break;
            }
            std::thread::sleep(delay);
            result = runtime.block_on(batch(&conn, &clicks, &jobs));
        }
        let clicks_outcome = result.as_ref().map(|_| ()).map_err(|e| e.to_string());
        if let Err(e) = &clicks_outcome
            && !clicks.is_empty()
        {
            tracing::error!(clicks = clicks.len(), error = %e, "click batch not written");
        }
        clicks.clear();
        for done in click_replies.drain(..) {
            // A caller that gave up (client gone) no longer listens: fine.
            let _ = done.send(clicks_outcome.clone());
        }
        track::answer(&mut jobs, result);
        if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            checkpoint(&conn);
            last_checkpoint = Instant::now();
        }
    }
}

/// Copies the WAL into the database file from the writer's own connection,
/// after the batch's callers have been answered.
///
/// The checkpointer task (see `db.rs`) does the same beside the writer, but
/// SQLite only starts the WAL over when a write begins with every frame
/// already copied, and under a steady stream of commits the task never
/// catches the last one: the WAL then grew by every page of every commit
/// for as long as the stream lasted (176 MB in 10 s at 3,200 clicks/s).
/// Between the writer's own batches nothing else writes, so its checkpoint
/// copies everything and the next batch starts the WAL from the beginning.
/// The task, which now runs every 50 ms, has copied all but the last few
/// ms of frames, so the writer's pause once a second is short: 3-4 ms at
/// 11,000 clicks/s, 13-23 ms at saturation (35,000/s). The WAL holds about
/// a second of commits whatever the load (87 MB at 11,000 clicks/s).
fn checkpoint(conn: &Mutex<rusqlite::Connection>) {
    let Ok(c) = conn.lock() else { return };
    // (busy, frames in the WAL, frames copied); busy when the task is at it.
    let outcome = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "WAL checkpoint from the writer failed");
    }
}

async fn batch(
    conn: &Mutex<rusqlite::Connection>,
    clicks: &[NewClick],
    jobs: &[track::Job],
) -> Result<Vec<Result<TrackReply, Error>>, Error> {
    let result = track::run_batch(|| Tx::begin_lite(conn), clicks, jobs).await;
    if result.is_err() {
        // A transaction that failed half-way (a failed COMMIT, an error
        // between statements) is still open on this connection: end it so
        // the next batch starts clean.
        if let Ok(c) = conn.lock()
            && !c.is_autocommit()
        {
            let _ = c.execute_batch("ROLLBACK");
        }
    }
    result
}
