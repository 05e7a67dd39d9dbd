//! Tracking writes: leads, sales and refunds, with attribution, commissions,
//! fraud holds, idempotency and webhook outbox rows, all in one transaction
//! per batch.
//!
//! Every tracking write goes through one writer task ([`Tracker`]). It takes
//! all requests waiting in its queue, runs them in one transaction and
//! commits once (group commit): the reply to each caller is sent only after
//! that commit, so a 2xx means the event is on disk. One writer also means
//! no two requests race on the same invoice, customer or idempotency key:
//! the unique constraints are the invariants, the writer makes them cheap to
//! honour.
//!
//! A batch first runs without savepoints. If any request in it fails, the
//! whole transaction is rolled back and the batch runs again with each
//! request in its own savepoint, so a failed request leaves nothing behind
//! and the others are recorded. Within one batch's transaction the program,
//! its reward rules, partners and webhook endpoints are read once
//! ([`Tx`]'s cache): the tracking writer never changes them.
//!
//! On SQLite the writer is the database's one writer thread
//! ([`crate::writer`]), which commits clicks and tracking events of a batch
//! together; on PostgreSQL it is a task on a connection of the pool.

mod attribution;
mod events;
mod tx;

pub use attribution::Attribution;
pub(crate) use attribution::{CustomerRow, ProgramFacts};
pub use tx::Tx;

use crate::clicks::NewClick;
use crate::sql::q;
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

/// A signup or other lead event.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub program_id: String,
    /// The brand's own id of the customer.
    pub customer_id: String,
    /// Lead event name; one lead per customer and name (default `signup`).
    pub event_name: Option<String>,
    pub email: Option<String>,
    /// The click id from the `kith_click` cookie or query parameter.
    pub click_id: Option<String>,
    /// A referral or promo code the customer entered.
    pub code: Option<String>,
    /// The customer's IP and user agent at signup, for fraud rules.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The shop already knew this customer before the referral.
    pub existing_customer: Option<bool>,
    pub provider: Option<String>,
    pub provider_event_id: Option<String>,
}

/// A sale (order or invoice payment).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleInput {
    pub program_id: String,
    pub customer_id: String,
    /// Unique per program: a repeated invoice id is the same sale.
    pub invoice_id: String,
    /// In the currency's minor unit (cents for USD); 0 or more.
    pub amount_minor: i64,
    /// ISO 4217; must be the program's currency.
    pub currency: String,
    pub email: Option<String>,
    pub click_id: Option<String>,
    pub code: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub existing_customer: Option<bool>,
    pub provider: Option<String>,
    pub provider_event_id: Option<String>,
}

/// A refund of (part of) a sale.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub program_id: String,
    pub invoice_id: String,
    /// Unique per sale: a repeated refund id is the same refund.
    pub refund_id: String,
    pub amount_minor: i64,
    pub provider: Option<String>,
    pub provider_event_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum TrackRequest {
    Lead(LeadInput),
    Sale(SaleInput),
    Refund(RefundInput),
}

impl TrackRequest {
    pub(crate) fn route(&self) -> &'static str {
        match self {
            TrackRequest::Lead(_) => "track/lead",
            TrackRequest::Sale(_) => "track/sale",
            TrackRequest::Refund(_) => "track/refund",
        }
    }
}

/// The answer to a tracking write: `status` 201 when the event was new, 200
/// when it was already recorded (a retry), with the stored result.
#[derive(Debug, Clone)]
pub struct TrackReply {
    pub status: u16,
    pub body: Value,
}

/// One tracking request waiting for the writer: workspace, idempotency key,
/// request and where its answer goes.
pub(crate) type Job = (
    String,
    Option<String>,
    TrackRequest,
    oneshot::Sender<Result<TrackReply, Error>>,
);

/// The single writer of tracking events. Cheap to clone.
#[derive(Clone)]
pub struct Tracker {
    queue: Queue,
}

#[derive(Clone)]
enum Queue {
    /// PostgreSQL: a task of this process on a pooled connection.
    Pool(mpsc::Sender<Job>),
    /// SQLite: the database's writer thread.
    Sqlite(crate::writer::Writer),
}

const MAX_BATCH: usize = 512;

impl Tracker {
    pub fn start(db: Db) -> Tracker {
        if let Some(writer) = db.sqlite_writer() {
            return Tracker {
                queue: Queue::Sqlite(writer),
            };
        }
        let (queue, receiver) = mpsc::channel(16_384);
        tokio::spawn(writer_loop(db, receiver));
        Tracker {
            queue: Queue::Pool(queue),
        }
    }

    /// Records an event for workspace `ws` and returns once it is committed.
    pub async fn submit(
        &self,
        ws: &str,
        idempotency_key: Option<String>,
        request: TrackRequest,
    ) -> Result<TrackReply, Error> {
        let (reply, answer) = oneshot::channel();
        let job = (ws.to_string(), idempotency_key, request, reply);
        let sent = match &self.queue {
            Queue::Pool(queue) => queue.send(job).await.is_ok(),
            Queue::Sqlite(writer) => writer.send(crate::writer::Job::Track(job)).await,
        };
        let stopped = || Error::Database("the tracking writer has stopped".into());
        if !sent {
            return Err(stopped());
        }
        answer.await.map_err(|_| stopped())?
    }
}

async fn writer_loop(db: Db, mut receiver: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = run_batch(|| Tx::begin(&db.pool), &[], &batch).await;
        answer(&mut batch, results);
    }
}

/// Sends each job of a batch its answer.
pub(crate) fn answer(batch: &mut Vec<Job>, results: Result<Vec<Result<TrackReply, Error>>, Error>) {
    match results {
        Ok(results) => {
            for ((_, _, _, reply), result) in batch.drain(..).zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            // The batch's transaction failed as a whole (commit error, lost
            // connection): nothing of it is on disk; each caller hears so
            // and may retry with its idempotency key.
            tracing::error!(error = %e, jobs = batch.len(), "tracking batch failed");
            for (_, _, _, reply) in batch.drain(..) {
                let _ = reply.send(Err(Error::Database(e.to_string())));
            }
        }
    }
}

/// Runs a batch in one transaction from `begin`: the clicks, then each job,
/// and commits once. `Err` when the transaction failed as a whole (nothing
/// of it is on disk); otherwise each job's own result, in order.
///
/// Optimistic pass first: no savepoints (three statements fewer per job).
/// If a job fails, the whole transaction is rolled back and the batch runs
/// again with each job in its own savepoint, so the failed one leaves
/// nothing behind and the others are recorded.
pub(crate) async fn run_batch<'c, F, Fut>(
    mut begin: F,
    clicks: &[NewClick],
    batch: &[Job],
) -> Result<Vec<Result<TrackReply, Error>>, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Tx<'c>, Error>>,
{
    let mut tx = begin().await?;
    crate::clicks::insert_clicks(&mut tx, clicks).await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut failed = None;
    for (ws, key, request, _) in batch {
        match events::run_one(&mut tx, ws, key.as_deref(), request).await {
            Ok(reply) => results.push(Ok(reply)),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let Some(error) = failed else {
        tx.commit().await?;
        return Ok(results);
    };
    tx.rollback().await?;
    if batch.len() == 1 && clicks.is_empty() {
        return Ok(vec![Err(error)]);
    }
    let mut tx = begin().await?;
    crate::clicks::insert_clicks(&mut tx, clicks).await?;
    let mut results = Vec::with_capacity(batch.len());
    for (ws, key, request, _) in batch {
        q("SAVEPOINT track_event").execute(&mut tx.conn).await?;
        let result = events::run_one(&mut tx, ws, key.as_deref(), request).await;
        if result.is_err() {
            q("ROLLBACK TO SAVEPOINT track_event")
                .execute(&mut tx.conn)
                .await?;
        }
        q("RELEASE SAVEPOINT track_event")
            .execute(&mut tx.conn)
            .await?;
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}

/// Waits before retrying a batch that failed as a whole (a busy or briefly
/// unreachable database): 20 ms, then three times longer each time.
pub(crate) fn retry_delays() -> impl Iterator<Item = Duration> {
    std::iter::successors(Some(Duration::from_millis(20)), |d| Some(*d * 3)).take(5)
}
