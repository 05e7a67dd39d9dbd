//! Outbound webhooks, through an outbox: the event and one delivery row per
//! subscribed endpoint are written in the same transaction as the change
//! they announce, so a restart loses nothing. A delivery task sends due
//! deliveries, HMAC-signed, and retries failures with backoff for more than
//! 24 hours; an endpoint whose delivery exhausts its retries is disabled.
//!
//! Delivery is at least once and unordered: receivers deduplicate on the
//! event id (`Kith-Event-Id`), which is the same for every retry.

use crate::sql::q;
use crate::track::Tx;
use crate::util::{check_text, hmac_hex, new_id, now_ms, random_hex};
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use std::time::Duration;
use utoipa::ToSchema;

/// Waits before each retry, in seconds: 1 min, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 10 h — 27.6 hours from the first attempt to the last.
pub const RETRY_DELAYS_S: &[i64] = &[60, 300, 1800, 7200, 18_000, 36_000, 36_000];

pub const EVENT_TYPES: &[&str] = &[
    "lead.created",
    "sale.created",
    "refund.created",
    "commission.created",
    "commission.updated",
    "payout.created",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// Event types sent to it; `*` for all.
    pub event_types: Vec<String>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    /// The signing secret: shown in full only when the endpoint is made.
    pub secret: String,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `true` re-enables a disabled endpoint.
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    /// pending, delivered or failed
    pub status: String,
    pub attempts: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

fn check_url(url: &str) -> Result<String, Error> {
    let url = check_text("url", url, 2000)?;
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        return Err(Error::Invalid("url must be an http or https URL".into()));
    }
    Ok(url)
}

fn check_types(types: &[String]) -> Result<Vec<String>, Error> {
    if types.is_empty() {
        return Err(Error::Invalid("event_types must not be empty".into()));
    }
    for t in types {
        if t != "*" && !EVENT_TYPES.contains(&t.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown event type {t:?}: use * or {}",
                EVENT_TYPES.join(", ")
            )));
        }
    }
    Ok(types.to_vec())
}

fn endpoint_from_row(r: &sqlx::any::AnyRow, reveal: bool) -> Result<WebhookEndpoint, Error> {
    let types: String = r.try_get(2)?;
    let secret: String = r.try_get(5)?;
    Ok(WebhookEndpoint {
        id: r.try_get(0)?,
        url: r.try_get(1)?,
        event_types: types.split(',').map(str::to_string).collect(),
        active: r.try_get::<i64, _>(3)? != 0,
        disabled_reason: r.try_get(4)?,
        secret: if reveal {
            secret
        } else {
            format!("{}…", &secret[..6.min(secret.len())])
        },
        created_at: r.try_get(6)?,
    })
}

const ENDPOINT_COLUMNS: &str = "id, url, event_types, active, disabled_reason, secret, created_at";

/// Writes the outbox rows of one event for every endpoint that wants it.
pub(crate) async fn enqueue(
    tx: &mut Tx<'_>,
    ws: &str,
    event_type: &str,
    data: &Value,
) -> Result<(), Error> {
    let endpoints = match tx.cache.endpoints.get(ws) {
        Some(e) => e.clone(),
        None => {
            let rows = q(
                "SELECT id, event_types FROM webhook_endpoints WHERE workspace_id = $1 AND active = 1",
            )
            .bind(ws)
            .fetch_all(&mut tx.conn)
            .await?;
            let endpoints = std::sync::Arc::new(
                rows.iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect::<Result<Vec<(String, String)>, Error>>()?,
            );
            tx.cache.endpoints.insert(ws.to_string(), endpoints.clone());
            endpoints
        }
    };
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let event_id = new_id("evt");
    let payload = json!({
        "id": event_id,
        "type": event_type,
        "created_at": crate::util::format_time(now),
        "data": data,
    })
    .to_string();
    for (endpoint_id, types) in endpoints.iter() {
        if !types.split(',').any(|t| t == "*" || t == event_type) {
            continue;
        }
        q(
            "INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_type, payload, \
             status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(new_id("dlv"))
        .bind(ws)
        .bind(endpoint_id)
        .bind(&event_id)
        .bind(event_type)
        .bind(&payload)
        .bind(now)
        .execute(&mut tx.conn)
        .await?;
    }
    Ok(())
}

/// The `Kith-Signature` header value: `t=UNIX_SECONDS,v1=HEX`, where HEX is
/// HMAC-SHA256 under the endpoint's secret of `UNIX_SECONDS.BODY`.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    let mac = hmac_hex(
        secret.as_bytes(),
        format!("{unix_seconds}.{body}").as_bytes(),
    );
    format!("t={unix_seconds},v1={mac}")
}

impl Db {
    pub async fn create_webhook(
        &self,
        ws: &str,
        input: &WebhookInput,
    ) -> Result<WebhookEndpoint, Error> {
        let url = check_url(input.url.as_deref().unwrap_or(""))?;
        let types = check_types(input.event_types.as_deref().unwrap_or(&["*".to_string()]))?;
        let now = now_ms();
        let endpoint = WebhookEndpoint {
            id: new_id("whk"),
            url,
            event_types: types,
            active: input.active.unwrap_or(true),
            disabled_reason: None,
            secret: format!("whsec_{}", random_hex(24)),
            created_at: now,
        };
        sqlx::query(&format!(
            "INSERT INTO webhook_endpoints (workspace_id, updated_at, {ENDPOINT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(ws)
        .bind(now)
        .bind(&endpoint.id)
        .bind(&endpoint.url)
        .bind(endpoint.event_types.join(","))
        .bind(endpoint.active as i64)
        .bind(&endpoint.disabled_reason)
        .bind(&endpoint.secret)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(endpoint)
    }

    pub async fn webhook(&self, ws: &str, id: &str) -> Result<WebhookEndpoint, Error> {
        let row = sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("webhook {id}")))?;
        endpoint_from_row(&row, false)
    }

    pub async fn list_webhooks(&self, ws: &str) -> Result<Vec<WebhookEndpoint>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 ORDER BY created_at, id"
        ))
        .bind(ws)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| endpoint_from_row(r, false)).collect()
    }

    pub async fn update_webhook(
        &self,
        ws: &str,
        id: &str,
        input: &WebhookInput,
    ) -> Result<WebhookEndpoint, Error> {
        let mut endpoint = self.webhook(ws, id).await?;
        if let Some(url) = &input.url {
            endpoint.url = check_url(url)?;
        }
        if let Some(types) = &input.event_types {
            endpoint.event_types = check_types(types)?;
        }
        if let Some(active) = input.active {
            endpoint.active = active;
            if active {
                endpoint.disabled_reason = None;
            }
        }
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, event_types = $2, active = $3, disabled_reason = $4, \
             updated_at = $5 WHERE workspace_id = $6 AND id = $7",
        )
        .bind(&endpoint.url)
        .bind(endpoint.event_types.join(","))
        .bind(endpoint.active as i64)
        .bind(&endpoint.disabled_reason)
        .bind(now_ms())
        .bind(ws)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(endpoint)
    }

    pub async fn list_deliveries(
        &self,
        ws: &str,
        endpoint_id: &str,
    ) -> Result<Vec<Delivery>, Error> {
        self.webhook(ws, endpoint_id).await?;
        let rows = sqlx::query(
            "SELECT id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, last_error \
             FROM webhook_deliveries WHERE workspace_id = $1 AND endpoint_id = $2 ORDER BY created_at, id LIMIT 1000",
        )
        .bind(ws)
        .bind(endpoint_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Delivery {
                    id: r.try_get(0)?,
                    endpoint_id: r.try_get(1)?,
                    event_id: r.try_get(2)?,
                    event_type: r.try_get(3)?,
                    status: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                    next_attempt_at: r.try_get(6)?,
                    last_error: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// Sends every delivery due at `now` once; returns how many were sent
    /// successfully. Several processes may run this: a delivery is leased
    /// (its next attempt moved a minute on) before it is sent.
    pub async fn deliver_due_webhooks(
        &self,
        client: &reqwest::Client,
        now: i64,
    ) -> Result<usize, Error> {
        let due = sqlx::query(
            "SELECT d.id, d.event_id, d.event_type, d.payload, d.attempts, d.next_attempt_at, e.url, e.secret, e.id \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.active = 1 \
             ORDER BY d.next_attempt_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut delivered = 0;
        for row in due {
            let id: String = row.try_get(0)?;
            let event_id: String = row.try_get(1)?;
            let event_type: String = row.try_get(2)?;
            let payload: String = row.try_get(3)?;
            let attempts: i64 = row.try_get(4)?;
            let due_at: i64 = row.try_get(5)?;
            let url: String = row.try_get(6)?;
            let secret: String = row.try_get(7)?;
            let endpoint_id: String = row.try_get(8)?;
            let lease = sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND status = 'pending'",
            )
            .bind(now + 60_000)
            .bind(&id)
            .bind(due_at)
            .execute(&self.pool)
            .await?;
            if lease.rows_affected() == 0 {
                continue; // another process took it
            }
            let sent = client
                .post(&url)
                .header("content-type", "application/json")
                .header("kith-event-id", &event_id)
                .header("kith-event-type", &event_type)
                .header("kith-signature", signature(&secret, now / 1000, &payload))
                .body(payload)
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => Some(format!("HTTP {}", response.status().as_u16())),
                Err(e) => Some(e.to_string()),
            };
            let attempts = attempts + 1;
            match failure {
                None => {
                    delivered += 1;
                    sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, delivered_at = $2, \
                         last_error = NULL WHERE id = $3",
                    )
                    .bind(attempts)
                    .bind(now_ms())
                    .bind(&id)
                    .execute(&self.pool)
                    .await?;
                }
                Some(error) => {
                    let retry = RETRY_DELAYS_S.get(attempts as usize - 1);
                    let status = if retry.is_some() { "pending" } else { "failed" };
                    sqlx::query(
                        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, \
                         last_error = $4 WHERE id = $5",
                    )
                    .bind(status)
                    .bind(attempts)
                    .bind(now + retry.copied().unwrap_or(0) * 1000)
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(&id)
                    .execute(&self.pool)
                    .await?;
                    if retry.is_none() {
                        tracing::warn!(endpoint = %endpoint_id, "webhook endpoint disabled after repeated failures");
                        sqlx::query(
                            "UPDATE webhook_endpoints SET active = 0, disabled_reason = $1, updated_at = $2 WHERE id = $3",
                        )
                        .bind(format!(
                            "delivery {id} failed {attempts} times over more than 24 hours: {error}"
                        ))
                        .bind(now_ms())
                        .bind(&endpoint_id)
                        .execute(&self.pool)
                        .await?;
                    }
                }
            }
        }
        Ok(delivered)
    }
}

/// Runs webhook deliveries and commission approvals forever, once a second.
pub async fn run_background(db: Db) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("kith-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook client; webhooks will not be sent");
            return;
        }
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if let Err(e) = db.deliver_due_webhooks(&client, now_ms()).await {
            tracing::warn!(error = %e, "webhook delivery round failed");
        }
        if let Err(e) = db.approve_due(now_ms()).await {
            tracing::warn!(error = %e, "approving due commissions failed");
        }
    }
}
