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

use crate::fraud::{self, Flag};
use crate::util::{check_currency, check_text, new_id, normalize_email, now_ms, sha256_hex};
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

/// A transaction with a cache of what tracking reads and never writes
/// (programs, reward rules, partners, webhook endpoints, identity salts).
/// It derefs to the connection, so `&mut **tx` is an executor.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) cache: Cache,
}

#[derive(Default)]
pub(crate) struct Cache {
    pub programs: HashMap<(String, String), Arc<ProgramFacts>>,
    pub rules: HashMap<(String, String), Arc<Vec<crate::rules::RewardRule>>>,
    pub partners: HashMap<(String, String), Arc<PartnerFacts>>,
    pub endpoints: HashMap<String, Arc<Vec<(String, String)>>>,
    pub salts: HashMap<i64, String>,
}

/// The partner facts fraud rules and reward rules need.
pub(crate) struct PartnerFacts {
    pub email_norm: Option<String>,
    pub customer_ref: Option<String>,
    pub audience: Option<i64>,
    pub group_id: Option<String>,
}

impl Tx {
    pub async fn begin(pool: &sqlx::AnyPool) -> Result<Tx, Error> {
        Ok(Tx {
            inner: pool.begin().await?,
            cache: Cache::default(),
        })
    }

    pub async fn commit(self) -> Result<(), Error> {
        Ok(self.inner.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), Error> {
        Ok(self.inner.rollback().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

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
    fn route(&self) -> &'static str {
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

type Job = (
    String,
    Option<String>,
    TrackRequest,
    oneshot::Sender<Result<TrackReply, Error>>,
);

/// The single writer of tracking events. Cheap to clone.
#[derive(Clone)]
pub struct Tracker {
    queue: mpsc::Sender<Job>,
}

const MAX_BATCH: usize = 512;

impl Tracker {
    pub fn start(db: Db) -> Tracker {
        let (queue, receiver) = mpsc::channel(16_384);
        tokio::spawn(writer_loop(db, receiver));
        Tracker { queue }
    }

    /// Records an event for workspace `ws` and returns once it is committed.
    pub async fn submit(
        &self,
        ws: &str,
        idempotency_key: Option<String>,
        request: TrackRequest,
    ) -> Result<TrackReply, Error> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((ws.to_string(), idempotency_key, request, reply))
            .await
            .map_err(|_| Error::Database("the tracking writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Database("the tracking writer has stopped".into()))?
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
        let results = run_batch(&db, &batch).await;
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
}

async fn run_batch(db: &Db, batch: &[Job]) -> Result<Vec<Result<TrackReply, Error>>, Error> {
    // Optimistic pass: no savepoints (three statements fewer per request).
    // Any failure rolls the whole transaction back and the batch runs again
    // with savepoints, so the failed request leaves nothing behind.
    let mut tx = Tx::begin(&db.pool).await?;
    let mut results = Vec::with_capacity(batch.len());
    for (ws, key, request, _) in batch {
        match run_one(&mut tx, ws, key.as_deref(), request).await {
            Ok(reply) => results.push(Ok(reply)),
            Err(e) if batch.len() == 1 => {
                tx.rollback().await?;
                return Ok(vec![Err(e)]);
            }
            Err(_) => {
                tx.rollback().await?;
                return run_batch_with_savepoints(db, batch).await;
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

async fn run_batch_with_savepoints(
    db: &Db,
    batch: &[Job],
) -> Result<Vec<Result<TrackReply, Error>>, Error> {
    let mut tx = Tx::begin(&db.pool).await?;
    let mut results = Vec::with_capacity(batch.len());
    for (ws, key, request, _) in batch {
        sqlx::query("SAVEPOINT track_event")
            .execute(&mut *tx)
            .await?;
        let result = run_one(&mut tx, ws, key.as_deref(), request).await;
        if result.is_ok() {
            sqlx::query("RELEASE SAVEPOINT track_event")
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("ROLLBACK TO SAVEPOINT track_event")
                .execute(&mut *tx)
                .await?;
            sqlx::query("RELEASE SAVEPOINT track_event")
                .execute(&mut *tx)
                .await?;
        }
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}

async fn run_one(
    tx: &mut Tx,
    ws: &str,
    key: Option<&str>,
    request: &TrackRequest,
) -> Result<TrackReply, Error> {
    let request_hash = sha256_hex(format!("{request:?}").as_bytes());
    if let Some(key) = key {
        check_text("Idempotency-Key", key, 255)?;
        let stored = sqlx::query(
            "SELECT route, request_hash, status, response FROM idempotency_keys \
             WHERE workspace_id = $1 AND idem_key = $2",
        )
        .bind(ws)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = stored {
            let route: String = row.try_get(0)?;
            let hash: String = row.try_get(1)?;
            if route != request.route() || hash != request_hash {
                return Err(Error::Conflict(
                    "this Idempotency-Key was used with another request".into(),
                ));
            }
            let body: String = row.try_get(3)?;
            return Ok(TrackReply {
                status: 200,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            });
        }
    }
    let reply = match request {
        TrackRequest::Lead(input) => lead(tx, ws, input).await?,
        TrackRequest::Sale(input) => sale(tx, ws, input).await?,
        TrackRequest::Refund(input) => refund(tx, ws, input).await?,
    };
    if let Some(key) = key {
        sqlx::query(
            "INSERT INTO idempotency_keys (workspace_id, idem_key, route, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ws)
        .bind(key)
        .bind(request.route())
        .bind(&request_hash)
        .bind(reply.status as i64)
        .bind(reply.body.to_string())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    Ok(reply)
}

/// The program facts tracking needs.
pub(crate) struct ProgramFacts {
    pub id: String,
    pub currency: String,
    pub window_days: i64,
    pub holding_days: i64,
    pub velocity: i64,
    pub max_per_identity: i64,
    pub coupon_leak_per_1k: i64,
}

async fn program_facts(
    tx: &mut Tx,
    ws: &str,
    program_id: &str,
) -> Result<Arc<ProgramFacts>, Error> {
    let cache_key = (ws.to_string(), program_id.to_string());
    if let Some(p) = tx.cache.programs.get(&cache_key) {
        return Ok(p.clone());
    }
    let row = sqlx::query(
        "SELECT id, currency, attribution_window_days, holding_days, fraud_velocity_per_hour, \
         fraud_max_per_identity, coupon_leak_sales_per_1k_audience FROM programs \
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(program_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| Error::NotFound(format!("program {program_id}")))?;
    let facts = Arc::new(ProgramFacts {
        id: row.try_get(0)?,
        currency: row.try_get(1)?,
        window_days: row.try_get(2)?,
        holding_days: row.try_get(3)?,
        velocity: row.try_get(4)?,
        max_per_identity: row.try_get(5)?,
        coupon_leak_per_1k: row.try_get(6)?,
    });
    tx.cache.programs.insert(cache_key, facts.clone());
    Ok(facts)
}

/// A partner's facts, read once per batch.
pub(crate) async fn partner_facts(
    tx: &mut Tx,
    ws: &str,
    partner_id: &str,
) -> Result<Arc<PartnerFacts>, Error> {
    let cache_key = (ws.to_string(), partner_id.to_string());
    if let Some(p) = tx.cache.partners.get(&cache_key) {
        return Ok(p.clone());
    }
    let row = sqlx::query(
        "SELECT email_norm, customer_ref, audience_size, group_id FROM partners WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(partner_id)
    .fetch_one(&mut **tx)
    .await?;
    let facts = Arc::new(PartnerFacts {
        email_norm: row.try_get(0)?,
        customer_ref: row.try_get(1)?,
        audience: row.try_get(2)?,
        group_id: row.try_get(3)?,
    });
    tx.cache.partners.insert(cache_key, facts.clone());
    Ok(facts)
}

/// A customer as attribution sees it.
pub(crate) struct CustomerRow {
    pub id: String,
    pub partner_id: Option<String>,
    pub click_id: Option<String>,
    pub code_id: Option<String>,
    pub campaign_id: Option<String>,
    pub bound_by: Option<String>,
    pub bound_at: Option<i64>,
    pub email_norm: Option<String>,
    pub identity_hash: Option<String>,
    pub existing_customer: bool,
}

/// Who an event is attributed to and how.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    pub partner_id: String,
    /// `click`, `referral_code` or `promo_code`.
    pub by: String,
    pub click_id: Option<String>,
    pub code_id: Option<String>,
    #[serde(with = "crate::util::rfc3339")]
    pub bound_at: i64,
}

struct Facts<'a> {
    customer_ref: &'a str,
    email: Option<&'a str>,
    click_id: Option<&'a str>,
    code: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    existing_customer: bool,
}

/// Finds or makes the customer and binds them to a partner if they are not
/// bound yet: by a click within the window, else by a code. First bind wins:
/// a bound customer keeps their partner whatever later events carry.
async fn attribute(
    tx: &mut Tx,
    ws: &str,
    program: &ProgramFacts,
    facts: &Facts<'_>,
    now: i64,
) -> Result<(CustomerRow, Option<String>), Error> {
    let customer_ref = check_text("customer_id", facts.customer_ref, 255)?;
    let email_norm = match facts.email {
        Some(e) if !e.trim().is_empty() => Some(
            normalize_email(e)
                .ok_or_else(|| Error::Invalid(format!("email {e:?} is not an address")))?,
        ),
        _ => None,
    };
    let identity = match (facts.ip, facts.user_agent) {
        (Some(ip), ua) => {
            let salt_day = crate::clicks::day_of(now);
            let salt: String = match tx.cache.salts.get(&salt_day) {
                Some(salt) => salt.clone(),
                None => {
                    let salt: Option<String> =
                        sqlx::query("SELECT salt FROM click_salts WHERE day = $1")
                            .bind(salt_day)
                            .fetch_optional(&mut **tx)
                            .await?
                            .map(|r| r.try_get(0))
                            .transpose()?;
                    if let Some(salt) = &salt {
                        tx.cache.salts.insert(salt_day, salt.clone());
                    }
                    salt.unwrap_or_default()
                }
            };
            Some(crate::clicks::identity_hash(&salt, ip, ua.unwrap_or("")))
        }
        _ => None,
    };
    // New customers come back from the INSERT itself; a known one (the
    // insert did nothing) is read.
    const CUSTOMER_COLUMNS: &str = "id, partner_id, click_id, code_id, bound_by, bound_at, \
        email_norm, identity_hash, existing_customer, campaign_id";
    let inserted = sqlx::query(&format!(
        "INSERT INTO customers (id, workspace_id, program_id, external_id, email_norm, identity_hash, \
         existing_customer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (program_id, external_id) DO NOTHING RETURNING {CUSTOMER_COLUMNS}"
    ))
    .bind(new_id("cus"))
    .bind(ws)
    .bind(&program.id)
    .bind(&customer_ref)
    .bind(&email_norm)
    .bind(&identity)
    .bind(facts.existing_customer as i64)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let row = match inserted {
        Some(row) => row,
        None => {
            sqlx::query(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers \
                 WHERE program_id = $1 AND external_id = $2 AND workspace_id = $3"
            ))
            .bind(&program.id)
            .bind(&customer_ref)
            .bind(ws)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    let mut customer = CustomerRow {
        id: row.try_get(0)?,
        partner_id: row.try_get(1)?,
        click_id: row.try_get(2)?,
        code_id: row.try_get(3)?,
        bound_by: row.try_get(4)?,
        bound_at: row.try_get(5)?,
        email_norm: row.try_get::<Option<String>, _>(6)?.or(email_norm),
        identity_hash: row.try_get::<Option<String>, _>(7)?.or(identity),
        existing_customer: row.try_get::<i64, _>(8)? != 0 || facts.existing_customer,
        campaign_id: row.try_get(9)?,
    };
    let mut ads_click_id = None;
    if customer.partner_id.is_none() {
        let window_start = now - program.window_days * 86_400_000;
        if let Some(click_id) = facts.click_id.filter(|c| !c.is_empty()) {
            let click = sqlx::query(
                "SELECT c.partner_id, c.at, c.ads_click_id, l.campaign_id FROM clicks c \
                 JOIN links l ON l.id = c.link_id \
                 WHERE c.workspace_id = $1 AND c.program_id = $2 AND c.id = $3",
            )
            .bind(ws)
            .bind(&program.id)
            .bind(click_id)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(click) = click {
                let at: i64 = click.try_get(1)?;
                if at >= window_start {
                    customer.partner_id = Some(click.try_get(0)?);
                    customer.click_id = Some(click_id.to_string());
                    customer.bound_by = Some("click".into());
                    ads_click_id = click.try_get(2)?;
                    customer.campaign_id = click.try_get(3)?;
                }
            }
        }
        if customer.partner_id.is_none()
            && let Some(code) = facts.code.filter(|c| !c.trim().is_empty())
        {
            let row = sqlx::query(
                    "SELECT id, partner_id, kind, single_use, used_at, active, expires_at, campaign_id FROM codes \
                     WHERE workspace_id = $1 AND program_id = $2 AND code = $3",
                )
                .bind(ws)
                .bind(&program.id)
                .bind(code.trim().to_ascii_uppercase())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| Error::NotFound(format!("code {code:?}")))?;
            let code_id: String = row.try_get(0)?;
            let single_use = row.try_get::<i64, _>(3)? != 0;
            let used = row.try_get::<Option<i64>, _>(4)?.is_some();
            let active = row.try_get::<i64, _>(5)? != 0;
            let expired = row.try_get::<Option<i64>, _>(6)?.is_some_and(|e| e < now);
            if !active || expired || (single_use && used) {
                return Err(Error::Invalid(format!("code {code:?} is no longer valid")));
            }
            let kind: String = row.try_get(2)?;
            customer.partner_id = Some(row.try_get(1)?);
            customer.code_id = Some(code_id.clone());
            customer.campaign_id = row.try_get(7)?;
            customer.bound_by = Some(format!("{kind}_code"));
            if single_use {
                sqlx::query("UPDATE codes SET used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&code_id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        if customer.partner_id.is_some() {
            customer.bound_at = Some(now);
            sqlx::query(
                "UPDATE customers SET partner_id = $1, click_id = $2, code_id = $3, bound_by = $4, \
                 bound_at = $5, email_norm = $6, identity_hash = $7, existing_customer = $8, \
                 campaign_id = $9 WHERE id = $10",
            )
            .bind(&customer.partner_id)
            .bind(&customer.click_id)
            .bind(&customer.code_id)
            .bind(&customer.bound_by)
            .bind(customer.bound_at)
            .bind(&customer.email_norm)
            .bind(&customer.identity_hash)
            .bind(customer.existing_customer as i64)
            .bind(&customer.campaign_id)
            .bind(&customer.id)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok((customer, ads_click_id))
}

fn attribution_of(c: &CustomerRow) -> Option<Attribution> {
    Some(Attribution {
        partner_id: c.partner_id.clone()?,
        by: c.bound_by.clone().unwrap_or_default(),
        click_id: c.click_id.clone(),
        code_id: c.code_id.clone(),
        bound_at: c.bound_at.unwrap_or(0),
    })
}

/// Records an inbound provider event once; `false` if it was seen before.
async fn first_provider_event(
    tx: &mut Tx,
    ws: &str,
    program_id: &str,
    provider: Option<&str>,
    event_id: Option<&str>,
) -> Result<bool, Error> {
    let (Some(provider), Some(event_id)) = (provider, event_id) else {
        return Ok(true);
    };
    check_text("provider", provider, 100)?;
    check_text("provider_event_id", event_id, 255)?;
    let done = sqlx::query(
        "INSERT INTO provider_events (program_id, provider, provider_event_id, workspace_id, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (program_id, provider, provider_event_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(provider)
    .bind(event_id)
    .bind(ws)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn fraud_flags(
    tx: &mut Tx,
    ws: &str,
    program: &ProgramFacts,
    customer: &CustomerRow,
    customer_ref: &str,
    ads_click_id: Option<&str>,
    now: i64,
) -> Result<(Vec<Flag>, Option<String>), Error> {
    let Some(partner_id) = &customer.partner_id else {
        return Ok((Vec::new(), None));
    };
    let partner = partner_facts(tx, ws, partner_id).await?;
    let partner_email = partner.email_norm.clone();
    let partner_ref = partner.customer_ref.clone();
    let audience = partner.audience;
    let group_id = partner.group_id.clone();
    let subject = fraud::Subject {
        workspace_id: ws,
        program_id: &program.id,
        partner_id,
        partner_email_norm: partner_email.as_deref(),
        partner_customer_ref: partner_ref.as_deref(),
        partner_audience: audience,
        customer_external_id: customer_ref,
        customer_email_norm: customer.email_norm.as_deref(),
        customer_identity: customer.identity_hash.as_deref(),
        existing_customer: customer.existing_customer,
        click_ads_id: ads_click_id,
        by_promo_code: customer.bound_by.as_deref() == Some("promo_code"),
        now,
        velocity_per_hour: program.velocity,
        max_per_identity: program.max_per_identity,
        coupon_leak_per_1k: program.coupon_leak_per_1k,
    };
    Ok((fraud::check(tx, &subject).await?, group_id))
}

async fn lead(tx: &mut Tx, ws: &str, input: &LeadInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let event_name = check_text(
        "event_name",
        input.event_name.as_deref().unwrap_or("signup"),
        100,
    )?;
    if !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?
    {
        return existing_lead(tx, ws, &program.id, &input.customer_id, &event_name).await;
    }
    let now = now_ms();
    let facts = Facts {
        customer_ref: &input.customer_id,
        email: input.email.as_deref(),
        click_id: input.click_id.as_deref(),
        code: input.code.as_deref(),
        ip: input.ip.as_deref(),
        user_agent: input.user_agent.as_deref(),
        existing_customer: input.existing_customer.unwrap_or(false),
    };
    let (customer, ads) = attribute(tx, ws, &program, &facts, now).await?;
    let lead_id = new_id("led");
    let inserted = sqlx::query(
        "INSERT INTO leads (id, workspace_id, program_id, customer_id, event_name, partner_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id, event_name) DO NOTHING",
    )
    .bind(&lead_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&customer.id)
    .bind(&event_name)
    .bind(&customer.partner_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return existing_lead(tx, ws, &program.id, &input.customer_id, &event_name).await;
    }
    let (flags, group_id) = fraud_flags(
        tx,
        ws,
        &program,
        &customer,
        &input.customer_id,
        ads.as_deref(),
        now,
    )
    .await?;
    let commissions = crate::commissions::create_for_event(
        tx,
        ws,
        &program,
        &customer,
        group_id.as_deref(),
        crate::commissions::Event {
            kind: "lead",
            id: &lead_id,
            amount_minor: 0,
            at: now,
        },
        &flags,
    )
    .await?;
    let body = json!({
        "lead": { "id": lead_id, "customer_id": input.customer_id, "event_name": event_name,
                  "at": crate::util::format_time(now) },
        "attribution": attribution_of(&customer),
        "fraud_flags": flags,
        "commissions": commissions,
    });
    crate::webhooks::enqueue(tx, ws, "lead.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}

async fn existing_lead(
    tx: &mut Tx,
    ws: &str,
    program_id: &str,
    customer_ref: &str,
    event_name: &str,
) -> Result<TrackReply, Error> {
    let row = sqlx::query(
        "SELECT l.id, l.at, c.partner_id FROM leads l JOIN customers c ON c.id = l.customer_id \
         WHERE l.workspace_id = $1 AND c.program_id = $2 AND c.external_id = $3 AND l.event_name = $4",
    )
    .bind(ws)
    .bind(program_id)
    .bind(customer_ref)
    .bind(event_name)
    .fetch_optional(&mut **tx)
    .await?;
    let lead = match row {
        Some(r) => json!({ "id": r.try_get::<String, _>(0)?, "customer_id": customer_ref,
                           "event_name": event_name,
                           "at": crate::util::format_time(r.try_get(1)?),
                           "partner_id": r.try_get::<Option<String>, _>(2)? }),
        None => Value::Null,
    };
    Ok(TrackReply {
        status: 200,
        body: json!({ "duplicate": true, "lead": lead }),
    })
}

async fn sale(tx: &mut Tx, ws: &str, input: &SaleInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let invoice_id = check_text("invoice_id", &input.invoice_id, 255)?;
    if input.amount_minor < 0 {
        return Err(Error::Invalid(format!(
            "amount_minor must be >= 0, got {}",
            input.amount_minor
        )));
    }
    let currency = check_currency(&input.currency)?;
    if currency != program.currency {
        return Err(Error::Invalid(format!(
            "currency {currency} differs from the program's {}",
            program.currency
        )));
    }
    if !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?
    {
        return existing_sale(tx, ws, &program.id, &invoice_id).await;
    }
    let seen = sqlx::query("SELECT id FROM sales WHERE program_id = $1 AND invoice_id = $2")
        .bind(&program.id)
        .bind(&invoice_id)
        .fetch_optional(&mut **tx)
        .await?;
    if seen.is_some() {
        return existing_sale(tx, ws, &program.id, &invoice_id).await;
    }
    let now = now_ms();
    let facts = Facts {
        customer_ref: &input.customer_id,
        email: input.email.as_deref(),
        click_id: input.click_id.as_deref(),
        code: input.code.as_deref(),
        ip: input.ip.as_deref(),
        user_agent: input.user_agent.as_deref(),
        existing_customer: input.existing_customer.unwrap_or(false),
    };
    let (customer, ads) = attribute(tx, ws, &program, &facts, now).await?;
    let sale_id = new_id("sal");
    let promo_code_id = match customer.bound_by.as_deref() {
        Some("promo_code") => customer.code_id.clone(),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO sales (id, workspace_id, program_id, customer_id, invoice_id, amount_minor, currency, \
         partner_id, code_id, refunded_minor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
    )
    .bind(&sale_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&customer.id)
    .bind(&invoice_id)
    .bind(input.amount_minor)
    .bind(&currency)
    .bind(&customer.partner_id)
    .bind(&promo_code_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let (flags, group_id) = fraud_flags(
        tx,
        ws,
        &program,
        &customer,
        &input.customer_id,
        ads.as_deref(),
        now,
    )
    .await?;
    let commissions = crate::commissions::create_for_event(
        tx,
        ws,
        &program,
        &customer,
        group_id.as_deref(),
        crate::commissions::Event {
            kind: "sale",
            id: &sale_id,
            amount_minor: input.amount_minor,
            at: now,
        },
        &flags,
    )
    .await?;
    let body = json!({
        "sale": { "id": sale_id, "customer_id": input.customer_id, "invoice_id": invoice_id,
                  "amount_minor": input.amount_minor, "currency": currency,
                  "partner_id": customer.partner_id, "at": crate::util::format_time(now) },
        "attribution": attribution_of(&customer),
        "fraud_flags": flags,
        "commissions": commissions,
    });
    crate::webhooks::enqueue(tx, ws, "sale.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}

async fn existing_sale(
    tx: &mut Tx,
    ws: &str,
    program_id: &str,
    invoice_id: &str,
) -> Result<TrackReply, Error> {
    let row = sqlx::query(
        "SELECT s.id, c.external_id, s.amount_minor, s.currency, s.partner_id, s.at, s.refunded_minor \
         FROM sales s JOIN customers c ON c.id = s.customer_id \
         WHERE s.workspace_id = $1 AND s.program_id = $2 AND s.invoice_id = $3",
    )
    .bind(ws)
    .bind(program_id)
    .bind(invoice_id)
    .fetch_optional(&mut **tx)
    .await?;
    let sale = match row {
        Some(r) => json!({
            "id": r.try_get::<String, _>(0)?, "customer_id": r.try_get::<String, _>(1)?,
            "invoice_id": invoice_id, "amount_minor": r.try_get::<i64, _>(2)?,
            "currency": r.try_get::<String, _>(3)?, "partner_id": r.try_get::<Option<String>, _>(4)?,
            "at": crate::util::format_time(r.try_get(5)?), "refunded_minor": r.try_get::<i64, _>(6)?,
        }),
        None => Value::Null,
    };
    Ok(TrackReply {
        status: 200,
        body: json!({ "duplicate": true, "sale": sale }),
    })
}

async fn refund(tx: &mut Tx, ws: &str, input: &RefundInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let refund_ref = check_text("refund_id", &input.refund_id, 255)?;
    if input.amount_minor <= 0 {
        return Err(Error::Invalid(format!(
            "amount_minor must be > 0, got {}",
            input.amount_minor
        )));
    }
    let row = sqlx::query(
        "SELECT id, amount_minor, refunded_minor, currency FROM sales \
         WHERE workspace_id = $1 AND program_id = $2 AND invoice_id = $3",
    )
    .bind(ws)
    .bind(&program.id)
    .bind(&input.invoice_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| Error::NotFound(format!("sale with invoice_id {:?}", input.invoice_id)))?;
    let sale_id: String = row.try_get(0)?;
    let amount: i64 = row.try_get(1)?;
    let refunded: i64 = row.try_get(2)?;
    let currency: String = row.try_get(3)?;
    let seen = !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?;
    let existing =
        sqlx::query("SELECT id, amount_minor FROM refunds WHERE sale_id = $1 AND refund_ref = $2")
            .bind(&sale_id)
            .bind(&refund_ref)
            .fetch_optional(&mut **tx)
            .await?;
    if seen || existing.is_some() {
        return Ok(TrackReply {
            status: 200,
            body: json!({ "duplicate": true, "refund": { "sale_id": sale_id, "refund_id": refund_ref,
                          "refunded_minor": refunded } }),
        });
    }
    if refunded + input.amount_minor > amount {
        return Err(Error::Invalid(format!(
            "refund of {} exceeds what is left of the sale ({})",
            input.amount_minor,
            amount - refunded
        )));
    }
    let now = now_ms();
    let refund_id = new_id("rfd");
    sqlx::query(
        "INSERT INTO refunds (id, workspace_id, program_id, sale_id, refund_ref, amount_minor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&refund_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&sale_id)
    .bind(&refund_ref)
    .bind(input.amount_minor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE sales SET refunded_minor = refunded_minor + $1 WHERE id = $2")
        .bind(input.amount_minor)
        .bind(&sale_id)
        .execute(&mut **tx)
        .await?;
    let adjustments = crate::commissions::reverse_for_refund(
        tx,
        ws,
        &sale_id,
        &refund_id,
        amount,
        input.amount_minor,
        refunded + input.amount_minor == amount,
        &currency,
        now,
    )
    .await?;
    let body = json!({
        "refund": { "id": refund_id, "sale_id": sale_id, "refund_id": refund_ref,
                    "amount_minor": input.amount_minor, "at": crate::util::format_time(now) },
        "commissions": adjustments,
    });
    crate::webhooks::enqueue(tx, ws, "refund.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}
