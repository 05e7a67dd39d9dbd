//! The database handle: one interface over SQLite and PostgreSQL.
//!
//! Both backends speak through sqlx's `Any` driver with one SQL dialect (the
//! common subset: TEXT, BIGINT, `$n` parameters, `ON CONFLICT`, `RETURNING`),
//! so every query is written once. The schema keeps to that subset too, which
//! is why there is a single migrations directory.

use crate::Error;
use crate::writer::Writer;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to the operations database, migrated.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite: the file, and its writer thread once a writer is wanted
    /// (started on first use, so that CLI commands that only read or edit
    /// through the pool never start one).
    sqlite: Option<Arc<SqliteFile>>,
}

#[derive(Debug)]
struct SqliteFile {
    target: SqliteTarget,
    writer: Mutex<Option<Writer>>,
}

/// A SQLite database file and how its writer commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqliteTarget {
    pub path: String,
    /// `synchronous = FULL` in the writer (`?synchronous=full` on the
    /// address): every commit is fsynced before its callers are answered.
    /// Otherwise NORMAL: a commit is in the WAL file when callers hear of it
    /// (safe from a crash of the process, not from a power cut) and the
    /// checkpointer fsyncs the WAL twice a second. See docs/tracking.md.
    pub sync_full: bool,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

/// Creates the SQLite operations database at `path` if absent, switches it to
/// WAL and applies every migration. Safe to call again on an existing file.
/// Synchronous, for callers without a runtime (`kith init`).
pub fn init_sqlite(path: &Path) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Database(format!("cannot start a runtime: {e}")))?;
    let path = path.to_str().ok_or_else(|| {
        Error::Invalid(format!(
            "database path is not valid UTF-8: {}",
            path.display()
        ))
    })?;
    runtime.block_on(async {
        let db = Db::connect(path).await?;
        db.close().await;
        Ok(())
    })
}

impl Db {
    /// Connects to `sqlite://PATH`, a plain file path (SQLite), or
    /// `postgres://...`, and applies pending migrations. A SQLite file is
    /// created if absent.
    pub async fn connect(url_or_path: &str) -> Result<Db, Error> {
        sqlx::any::install_default_drivers();
        let (backend, options, path) = parse_target(url_or_path)?;
        let pool_options = match backend {
            // One writer at a time is all SQLite allows; a few readers beside it.
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; FULL makes every
                            // commit reach the disk before it returns ("a 2xx means
                            // the event is on disk"), which group commit makes cheap.
                            // No checkpoint on commit: that would stall the writer
                            // (and every request waiting on it) while the database
                            // file is written and synced; the checkpointer task
                            // does it beside the writer (see `checkpointer`).
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA wal_autocheckpoint = 0;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| Error::Database(format!("cannot open {}: {e}", redact(url_or_path))))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| Error::Database(format!("migration failed: {e}")))?;
        if backend == Backend::Sqlite
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(checkpointer(pool.clone()));
        }
        let sqlite = path.map(|target| {
            Arc::new(SqliteFile {
                target,
                writer: Mutex::new(None),
            })
        });
        Ok(Db {
            pool,
            backend,
            sqlite,
        })
    }

    /// The SQLite writer thread, started on first call; `None` on
    /// PostgreSQL (or if the thread cannot start: then the pool writes).
    pub(crate) fn sqlite_writer(&self) -> Option<Writer> {
        let file = self.sqlite.as_ref()?;
        let mut slot = file.writer.lock().ok()?;
        if slot.is_none() {
            match Writer::start(&file.target) {
                Ok(writer) => *slot = Some(writer),
                Err(e) => {
                    tracing::error!(error = %e, "SQLite writer not started; writing through the pool");
                    return None;
                }
            }
        }
        slot.clone()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for checks and tools outside this crate's API.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Waits for open connections to finish and closes them. The SQLite
    /// writer thread ends once the recorders holding it are dropped too.
    pub async fn close(&self) {
        if let Some(file) = &self.sqlite
            && let Ok(mut slot) = file.writer.lock()
        {
            slot.take();
        }
        self.pool.close().await;
    }
}

/// Copies committed WAL frames into the SQLite database file every
/// [`CHECKPOINT_EVERY`], beside the writer rather than in its commit
/// (PASSIVE: it never blocks a writer or a reader). Commits stay durable by
/// the WAL's own fsync. This does the bulk of the copying, so that the
/// writer's own checkpoint once a second (`writer::checkpoint`, which lets
/// the WAL start over under a steady load) has only the last few ms of
/// frames left and pauses the writer briefly. Ends when the pool is
/// closed. When the last connection closes SQLite checkpoints anyway, so a
/// short-lived process (a CLI command) needs no task.
async fn checkpointer(pool: AnyPool) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
        }
    }
}

/// Often enough that the writer's checkpoint finds little left (an idle
/// pass costs a few µs).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// The backend, its connect options and, for SQLite, the file's path.
fn parse_target(
    url_or_path: &str,
) -> Result<(Backend, AnyConnectOptions, Option<SqliteTarget>), Error> {
    let bad = |e: sqlx::Error| Error::Invalid(format!("bad database address: {e}"));
    if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
        let options = AnyConnectOptions::from_str(url_or_path).map_err(bad)?;
        return Ok((Backend::Postgres, options, None));
    }
    let path = url_or_path
        .strip_prefix("sqlite://")
        .or_else(|| url_or_path.strip_prefix("sqlite:"))
        .unwrap_or(url_or_path);
    let (path, sync_full) = match path.split_once('?') {
        None => (path, false),
        Some((path, "synchronous=full")) => (path, true),
        Some((path, "synchronous=normal")) => (path, false),
        Some((_, other)) => {
            return Err(Error::Invalid(format!(
                "unsupported SQLite option {other:?}: only synchronous=full or synchronous=normal"
            )));
        }
    };
    if path.is_empty() {
        return Err(Error::Invalid("empty database path".into()));
    }
    if path.contains("://") {
        return Err(Error::Invalid(format!(
            "unsupported database address {}: use a file path, sqlite://PATH or postgres://...",
            redact(url_or_path)
        )));
    }
    let sqlite = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let options = AnyConnectOptions::from_url(&sqlite.to_url_lossy()).map_err(bad)?;
    let target = SqliteTarget {
        path: path.to_string(),
        sync_full,
    };
    Ok((Backend::Sqlite, options, Some(target)))
}

/// A database address without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://kith:secret@localhost/kith"),
            "postgres://kith:***@localhost/kith"
        );
        assert_eq!(redact("/tmp/kith.db"), "/tmp/kith.db");
    }

    #[test]
    fn targets() {
        assert_eq!(parse_target("kith.db").unwrap().0, Backend::Sqlite);
        assert_eq!(
            parse_target("sqlite:///tmp/k.db").unwrap().0,
            Backend::Sqlite
        );
        assert_eq!(
            parse_target("postgres://u@localhost/k").unwrap().0,
            Backend::Postgres
        );
        assert!(parse_target("mysql://x").is_err());
        let full = parse_target("sqlite:///tmp/k.db?synchronous=full")
            .unwrap()
            .2;
        assert_eq!(
            full,
            Some(SqliteTarget {
                path: "/tmp/k.db".into(),
                sync_full: true
            })
        );
        assert_eq!(
            parse_target("k.db").unwrap().2.map(|t| t.sync_full),
            Some(false)
        );
        assert!(parse_target("k.db?cache=shared").is_err());
        assert!(parse_target("").is_err());
    }
}
