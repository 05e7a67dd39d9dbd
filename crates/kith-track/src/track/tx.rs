//! The transaction tracking writes run in, on either executor (see
//! [`crate::sql`]), with a cache of what tracking reads and never writes.

use crate::Error;
use crate::sql::{Conn, q};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A transaction with a cache of what tracking reads and never writes
/// (programs, reward rules, partners, webhook endpoints, identity salts).
/// Queries run on `&mut tx.conn`.
pub struct Tx<'c> {
    pub(crate) conn: Conn<'c>,
    pub(crate) cache: Cache,
}

#[derive(Default)]
pub(crate) struct Cache {
    pub programs: HashMap<(String, String), Arc<super::attribution::ProgramFacts>>,
    pub rules: HashMap<(String, String), Arc<Vec<crate::rules::RewardRule>>>,
    pub partners: HashMap<(String, String), Arc<super::attribution::PartnerFacts>>,
    pub endpoints: HashMap<String, Arc<Vec<(String, String)>>>,
    pub salts: HashMap<i64, String>,
}

impl Tx<'static> {
    /// A transaction on a connection of the pool.
    pub async fn begin(pool: &sqlx::AnyPool) -> Result<Tx<'static>, Error> {
        Ok(Tx {
            conn: Conn::Sqlx(pool.begin().await?),
            cache: Cache::default(),
        })
    }
}

impl<'c> Tx<'c> {
    /// A transaction on the SQLite writer's connection. IMMEDIATE takes the
    /// write lock at once, so no statement of the batch can fail later for
    /// want of it (a deferred transaction that reads first may not upgrade
    /// once another connection wrote).
    pub(crate) async fn begin_lite(conn: &'c Mutex<rusqlite::Connection>) -> Result<Tx<'c>, Error> {
        let mut conn = Conn::Lite(conn);
        q("BEGIN IMMEDIATE").execute(&mut conn).await?;
        Ok(Tx {
            conn,
            cache: Cache::default(),
        })
    }

    pub async fn commit(self) -> Result<(), Error> {
        match self.conn {
            Conn::Sqlx(tx) => Ok(tx.commit().await?),
            mut lite @ Conn::Lite(_) => {
                q("COMMIT").execute(&mut lite).await?;
                Ok(())
            }
        }
    }

    pub async fn rollback(self) -> Result<(), Error> {
        match self.conn {
            Conn::Sqlx(tx) => Ok(tx.rollback().await?),
            mut lite @ Conn::Lite(_) => {
                q("ROLLBACK").execute(&mut lite).await?;
                Ok(())
            }
        }
    }
}
