//! The small query layer the tracking write path speaks, so that one piece
//! of code (attribution, commissions, fraud rules, the webhook outbox) runs
//! on both of its executors:
//!
//! - a sqlx transaction over the `Any` pool: PostgreSQL, and SQLite outside
//!   the writer (API edits such as reviews and payouts);
//! - the SQLite writer thread's own rusqlite connection ([`crate::writer`]):
//!   each statement is prepared once and runs in place, with no hop to a
//!   worker thread and back per statement, which is what bounded a sale to
//!   about a millisecond of waiting under sqlx.
//!
//! Queries keep the one dialect of the schema (`$n` parameters, bound by
//! number on both executors, so a parameter may appear twice).

use crate::Error;
use sqlx::Row as _;
use std::borrow::Cow;
use std::sync::Mutex;

/// A bound value. NULLs keep their type: PostgreSQL refuses a text NULL in
/// a BIGINT column.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

pub(crate) trait IntoParam {
    fn into_param(self) -> Param;
}

impl IntoParam for i64 {
    fn into_param(self) -> Param {
        Param::Int(Some(self))
    }
}
impl IntoParam for Option<i64> {
    fn into_param(self) -> Param {
        Param::Int(self)
    }
}
impl IntoParam for &str {
    fn into_param(self) -> Param {
        Param::Text(Some(self.to_string()))
    }
}
impl IntoParam for String {
    fn into_param(self) -> Param {
        Param::Text(Some(self))
    }
}
impl IntoParam for &String {
    fn into_param(self) -> Param {
        Param::Text(Some(self.clone()))
    }
}
impl IntoParam for Option<&str> {
    fn into_param(self) -> Param {
        Param::Text(self.map(str::to_string))
    }
}
impl IntoParam for Option<String> {
    fn into_param(self) -> Param {
        Param::Text(self)
    }
}
impl IntoParam for &Option<String> {
    fn into_param(self) -> Param {
        Param::Text(self.clone())
    }
}

/// A statement with its parameters, run by [`Query::execute`] and the
/// `fetch_*` methods on a [`Conn`].
pub(crate) struct Query<'q> {
    sql: Cow<'q, str>,
    params: Vec<Param>,
}

/// Starts a query.
pub(crate) fn q<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query {
        sql: sql.into(),
        params: Vec::new(),
    }
}

/// Where a query runs: a sqlx transaction, or the SQLite writer's own
/// connection (in a transaction the writer opened).
pub(crate) enum Conn<'c> {
    Sqlx(sqlx::Transaction<'static, sqlx::Any>),
    Lite(&'c Mutex<rusqlite::Connection>),
}

/// One result row.
pub(crate) enum Row {
    Any(sqlx::any::AnyRow),
    Lite(Vec<rusqlite::types::Value>),
}

/// A column type both executors can decode.
pub(crate) trait Get:
    Sized + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>
{
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self>;
}

impl Get for i64 {
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}
impl Get for String {
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl<T: Get> Get for Option<T>
where
    Option<T>: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Null => Some(None),
            v => T::from_lite(v).map(Some),
        }
    }
}

impl Row {
    pub(crate) fn try_get<T: Get>(&self, i: usize) -> Result<T, Error> {
        match self {
            Row::Any(row) => Ok(row.try_get::<T, _>(i)?),
            Row::Lite(values) => values.get(i).and_then(T::from_lite).ok_or_else(|| {
                Error::Database(format!("column {i}: unexpected value {:?}", values.get(i)))
            }),
        }
    }
}

impl<'q> Query<'q> {
    pub(crate) fn bind(mut self, value: impl IntoParam) -> Self {
        self.params.push(value.into_param());
        self
    }

    fn to_sqlx(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.sql);
        for p in &self.params {
            query = match p {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }

    /// Runs a statement; the number of rows it changed.
    pub(crate) async fn execute(self, conn: &mut Conn<'_>) -> Result<u64, Error> {
        match conn {
            Conn::Sqlx(tx) => Ok(self.to_sqlx().execute(&mut **tx).await?.rows_affected()),
            Conn::Lite(c) => lite(c, &self.sql, &self.params, |stmt| {
                Ok(stmt.raw_execute()? as u64)
            }),
        }
    }

    pub(crate) async fn fetch_all(self, conn: &mut Conn<'_>) -> Result<Vec<Row>, Error> {
        match conn {
            Conn::Sqlx(tx) => Ok(self
                .to_sqlx()
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Any)
                .collect()),
            Conn::Lite(c) => lite(c, &self.sql, &self.params, |stmt| {
                let columns = stmt.column_count();
                let mut out = Vec::new();
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next()? {
                    let mut values = Vec::with_capacity(columns);
                    for i in 0..columns {
                        values.push(row.get_ref(i)?.into());
                    }
                    out.push(Row::Lite(values));
                }
                Ok(out)
            }),
        }
    }

    pub(crate) async fn fetch_optional(self, conn: &mut Conn<'_>) -> Result<Option<Row>, Error> {
        match conn {
            Conn::Sqlx(tx) => Ok(self
                .to_sqlx()
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Any)),
            Conn::Lite(_) => Ok(self.fetch_all(conn).await?.into_iter().next()),
        }
    }

    pub(crate) async fn fetch_one(self, conn: &mut Conn<'_>) -> Result<Row, Error> {
        self.fetch_optional(conn)
            .await?
            .ok_or_else(|| Error::Database("no rows returned".into()))
    }
}

/// Runs `sql` on the writer's connection: prepared once (the statement
/// cache), parameters bound by their number.
fn lite<T>(
    conn: &Mutex<rusqlite::Connection>,
    sql: &str,
    params: &[Param],
    run: impl FnOnce(&mut rusqlite::CachedStatement<'_>) -> Result<T, rusqlite::Error>,
) -> Result<T, Error> {
    let conn = conn
        .lock()
        .map_err(|_| Error::Database("the SQLite writer's connection is poisoned".into()))?;
    let mut stmt = conn.prepare_cached(sql)?;
    for i in 1..=stmt.parameter_count() {
        // `$3` is the third value whatever its place in the text.
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.get(1..)?.parse::<usize>().ok())
            .unwrap_or(i);
        let value = params
            .get(n - 1)
            .ok_or_else(|| Error::Database(format!("parameter ${n} of {sql:?} is not bound")))?;
        match value {
            Param::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Param::Text(v) => stmt.raw_bind_parameter(i, v)?,
        }
    }
    let result = run(&mut stmt);
    // A statement left half-read would keep its read lock: reset it.
    stmt.clear_bindings();
    Ok(result?)
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, message) = &e {
            let message = message.clone().unwrap_or_default();
            match f.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return Error::Conflict(format!("already exists: {message}"));
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                    return Error::NotFound("a referenced record".into());
                }
                _ => {}
            }
        }
        Error::Database(e.to_string())
    }
}
