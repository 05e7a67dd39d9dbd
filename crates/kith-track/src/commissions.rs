//! Commissions and their states:
//!
//! ```text
//! pending -> approved (after the holding period) -> paid
//! hold (a fraud rule fired) -> pending | fraud | duplicate | canceled (review)
//! pending | hold | approved -> refunded (the sale was refunded in full)
//! ```
//!
//! A refund after payment makes a negative commission (a clawback), approved
//! at once, which the next payout deducts. Paying through a payment provider
//! is not kith's job: a payout here records what is owed and marks the
//! commissions paid; the money moves elsewhere.

use crate::fraud::Flag;
use crate::rules::{RewardRule, applicable};
use crate::sql::q;
use crate::track::{CustomerRow, ProgramFacts, Tx};
use crate::util::{new_id, now_ms};
use crate::{Db, Error};
use chrono::{Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Commission {
    pub id: String,
    pub program_id: String,
    pub partner_id: String,
    /// Set on `referred`-side commissions: the customer who earns it.
    pub customer_id: Option<String>,
    /// `referrer` (earned by the partner) or `referred` (by the customer).
    pub side: String,
    /// `click`, `lead`, `sale` or `refund` (a clawback).
    pub event_kind: String,
    pub event_id: String,
    pub rule_id: String,
    /// Negative for clawbacks.
    pub amount_minor: i64,
    pub currency: String,
    /// pending, hold, approved, paid, refunded, fraud, canceled, duplicate
    pub status: String,
    /// Fraud rules that put it on hold, comma-separated.
    pub hold_reasons: Option<String>,
    /// JSON evidence of those rules.
    pub evidence: Option<String>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub approve_after: i64,
    pub payout_id: Option<String>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

/// A commission from a row of [`COMMISSION_COLUMNS`], on either executor.
fn commission_from_row(row: &crate::sql::Row) -> Result<Commission, Error> {
    Ok(Commission {
        id: row.try_get(0)?,
        program_id: row.try_get(1)?,
        partner_id: row.try_get(2)?,
        customer_id: row.try_get(3)?,
        side: row.try_get(4)?,
        event_kind: row.try_get(5)?,
        event_id: row.try_get(6)?,
        rule_id: row.try_get(7)?,
        amount_minor: row.try_get(8)?,
        currency: row.try_get(9)?,
        status: row.try_get(10)?,
        hold_reasons: row.try_get(11)?,
        evidence: row.try_get(12)?,
        approve_after: row.try_get(13)?,
        payout_id: row.try_get(14)?,
        created_at: row.try_get(15)?,
        updated_at: row.try_get(16)?,
    })
}

const COMMISSION_COLUMNS: &str = "id, program_id, partner_id, customer_id, side, event_kind, event_id, \
    rule_id, amount_minor, currency, status, hold_reasons, evidence, approve_after, payout_id, \
    created_at, updated_at";

pub(crate) struct Event<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub amount_minor: i64,
    pub at: i64,
}

/// Start of the cap period containing `at` (UTC calendar).
fn period_start(period: &str, at: i64) -> i64 {
    let t = Utc.timestamp_millis_opt(at).single().unwrap_or_default();
    let day = t.date_naive();
    let start = match period {
        "day" => day,
        "week" => day - chrono::Days::new(day.weekday().num_days_from_monday() as u64),
        "month" => day.with_day(1).unwrap_or(day),
        _ => day.with_ordinal(1).unwrap_or(day),
    };
    start
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp_millis())
        .unwrap_or(at)
}

/// A program's reward rules, read once per batch.
async fn rules_of(
    tx: &mut Tx<'_>,
    ws: &str,
    program_id: &str,
) -> Result<std::sync::Arc<Vec<RewardRule>>, Error> {
    let cache_key = (ws.to_string(), program_id.to_string());
    if let Some(rules) = tx.cache.rules.get(&cache_key) {
        return Ok(rules.clone());
    }
    let rows = q(format!(
        "SELECT {} FROM reward_rules WHERE workspace_id = $1 AND program_id = $2",
        crate::rules::RULE_COLUMNS
    ))
    .bind(ws)
    .bind(program_id)
    .fetch_all(&mut tx.conn)
    .await?;
    let rules = rows
        .iter()
        .map(crate::rules::rule_from_row)
        .collect::<Result<Vec<_>, Error>>()?;
    let rules = std::sync::Arc::new(rules);
    tx.cache.rules.insert(cache_key, rules.clone());
    Ok(rules)
}

/// Makes the commissions an attributed event earns, on both sides.
pub(crate) async fn create_for_event(
    tx: &mut Tx<'_>,
    ws: &str,
    program: &ProgramFacts,
    customer: &CustomerRow,
    group_id: Option<&str>,
    event: Event<'_>,
    flags: &[Flag],
) -> Result<Vec<Commission>, Error> {
    let Some(partner_id) = &customer.partner_id else {
        return Ok(Vec::new());
    };
    let rules = rules_of(tx, ws, &program.id).await?;
    let mut made = Vec::new();
    for side in ["referrer", "referred"] {
        for rule in applicable(&rules, group_id, side, event.kind) {
            if let (Some(months), Some(bound_at)) = (rule.max_recurring_months, customer.bound_at)
                && event.at > bound_at + months * 30 * 86_400_000
            {
                continue;
            }
            let mut amount = match rule.kind.as_str() {
                "percent" => (event.amount_minor as i128 * rule.percent_bp as i128 / 10_000) as i64,
                _ => rule.amount_minor,
            };
            let beneficiary_customer = (side == "referred").then(|| customer.id.clone());
            if let (Some(cap), Some(period)) = (rule.cap_minor, rule.cap_period.as_deref()) {
                let row = q(
                    "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM commissions \
                     WHERE rule_id = $1 AND side = $2 AND partner_id = $3 \
                     AND ($4 IS NULL OR customer_id = $4) AND created_at >= $5 \
                     AND status NOT IN ('fraud', 'canceled', 'duplicate', 'refunded')",
                )
                .bind(&rule.id)
                .bind(side)
                .bind(partner_id)
                .bind(&beneficiary_customer)
                .bind(period_start(period, event.at))
                .fetch_one(&mut tx.conn)
                .await?;
                let earned: i64 = row.try_get(0)?;
                amount = amount.min((cap - earned).max(0));
            }
            if amount <= 0 {
                continue;
            }
            let holding = rule.holding_days.unwrap_or(program.holding_days);
            let (status, reasons, evidence) = if flags.is_empty() {
                ("pending", None, None)
            } else {
                (
                    "hold",
                    Some(flags.iter().map(|f| f.rule).collect::<Vec<_>>().join(",")),
                    Some(json!(flags).to_string()),
                )
            };
            let c = Commission {
                id: new_id("com"),
                program_id: program.id.clone(),
                partner_id: partner_id.clone(),
                customer_id: beneficiary_customer,
                side: side.to_string(),
                event_kind: event.kind.to_string(),
                event_id: event.id.to_string(),
                rule_id: rule.id.clone(),
                amount_minor: amount,
                currency: program.currency.clone(),
                status: status.to_string(),
                hold_reasons: reasons,
                evidence,
                approve_after: event.at + holding * 86_400_000,
                payout_id: None,
                created_at: event.at,
                updated_at: event.at,
            };
            insert(tx, ws, &c).await?;
            made.push(c);
        }
    }
    for c in &made {
        crate::webhooks::enqueue(tx, ws, "commission.created", &json!({ "commission": c })).await?;
    }
    Ok(made)
}

async fn insert(tx: &mut Tx<'_>, ws: &str, c: &Commission) -> Result<(), Error> {
    // The unique (event_kind, event_id, rule_id, side) key is the last line
    // of defence against paying one event twice.
    q(format!(
        "INSERT INTO commissions (workspace_id, {COMMISSION_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    ))
    .bind(ws)
    .bind(&c.id)
    .bind(&c.program_id)
    .bind(&c.partner_id)
    .bind(&c.customer_id)
    .bind(&c.side)
    .bind(&c.event_kind)
    .bind(&c.event_id)
    .bind(&c.rule_id)
    .bind(c.amount_minor)
    .bind(&c.currency)
    .bind(&c.status)
    .bind(&c.hold_reasons)
    .bind(&c.evidence)
    .bind(c.approve_after)
    .bind(&c.payout_id)
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(&mut tx.conn)
    .await?;
    Ok(())
}

/// Reverses a sale's commissions in proportion to a refund.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reverse_for_refund(
    tx: &mut Tx<'_>,
    ws: &str,
    sale_id: &str,
    refund_id: &str,
    sale_amount: i64,
    refund_amount: i64,
    full: bool,
    currency: &str,
    now: i64,
) -> Result<Vec<Commission>, Error> {
    let originals = q(format!(
        "SELECT {COMMISSION_COLUMNS} FROM commissions WHERE workspace_id = $1 AND event_kind = 'sale' \
         AND event_id = $2 AND amount_minor > 0"
    ))
    .bind(ws)
    .bind(sale_id)
    .fetch_all(&mut tx.conn)
    .await?;
    let mut changed = Vec::new();
    for row in &originals {
        let mut c = commission_from_row(row)?;
        let unpaid = matches!(c.status.as_str(), "pending" | "hold" | "approved");
        if full && unpaid {
            // Nothing was paid: the commission and any earlier partial
            // clawbacks of it simply lapse.
            q(
                "UPDATE commissions SET status = 'refunded', updated_at = $1 \
                 WHERE id = $2 OR (event_kind = 'refund' AND rule_id = $3 AND side = $4 AND status <> 'paid' \
                 AND event_id IN (SELECT id FROM refunds WHERE sale_id = $5))",
            )
            .bind(now)
            .bind(&c.id)
            .bind(&c.rule_id)
            .bind(&c.side)
            .bind(sale_id)
            .execute(&mut tx.conn)
            .await?;
            c.status = "refunded".into();
            c.updated_at = now;
            changed.push(c);
            continue;
        }
        if !unpaid && c.status != "paid" {
            continue; // fraud, canceled, duplicate, refunded: nothing to take back
        }
        let share =
            (c.amount_minor as i128 * refund_amount as i128 / sale_amount.max(1) as i128) as i64;
        if share == 0 {
            continue;
        }
        let clawback = Commission {
            id: new_id("com"),
            event_kind: "refund".into(),
            event_id: refund_id.to_string(),
            amount_minor: -share,
            currency: currency.to_string(),
            // After payment the clawback is due at once; before, it follows
            // the original so that the two net out when it is paid.
            status: if c.status == "paid" {
                "approved".into()
            } else {
                c.status.clone()
            },
            approve_after: if c.status == "paid" {
                now
            } else {
                c.approve_after
            },
            payout_id: None,
            created_at: now,
            updated_at: now,
            ..c
        };
        insert(tx, ws, &clawback).await?;
        changed.push(clawback);
    }
    for c in &changed {
        crate::webhooks::enqueue(tx, ws, "commission.updated", &json!({ "commission": c })).await?;
    }
    Ok(changed)
}

/// Filters for listing commissions.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommissionFilter {
    pub program_id: Option<String>,
    pub partner_id: Option<String>,
    pub status: Option<String>,
}

/// A review decision on a held commission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// `approve` (back to pending, or approved if its holding period is
    /// over), or `reject`.
    pub decision: String,
    /// For `reject`: `fraud` (default), `duplicate` or `canceled`.
    pub status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Payout {
    pub id: String,
    pub program_id: String,
    pub partner_id: String,
    pub amount_minor: i64,
    pub currency: String,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const STATUSES: &[&str] = &[
    "pending",
    "hold",
    "approved",
    "paid",
    "refunded",
    "fraud",
    "canceled",
    "duplicate",
];

impl Db {
    pub async fn commission(&self, ws: &str, id: &str) -> Result<Commission, Error> {
        sqlx::query_as(&format!(
            "SELECT {COMMISSION_COLUMNS} FROM commissions WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("commission {id}")))
    }

    pub async fn list_commissions(
        &self,
        ws: &str,
        f: &CommissionFilter,
    ) -> Result<Vec<Commission>, Error> {
        if let Some(s) = &f.status
            && !STATUSES.contains(&s.as_str())
        {
            return Err(Error::Invalid(format!("unknown status {s:?}")));
        }
        Ok(sqlx::query_as(&format!(
            "SELECT {COMMISSION_COLUMNS} FROM commissions WHERE workspace_id = $1 \
             AND ($2 IS NULL OR program_id = $2) AND ($3 IS NULL OR partner_id = $3) \
             AND ($4 IS NULL OR status = $4) ORDER BY created_at, id LIMIT 10000"
        ))
        .bind(ws)
        .bind(&f.program_id)
        .bind(&f.partner_id)
        .bind(&f.status)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Approves pending commissions whose holding period is over; returns
    /// how many.
    pub async fn approve_due(&self, now: i64) -> Result<u64, Error> {
        let done = sqlx::query(
            "UPDATE commissions SET status = 'approved', updated_at = $1 \
             WHERE status = 'pending' AND approve_after <= $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Decides a held commission.
    pub async fn review_commission(
        &self,
        ws: &str,
        id: &str,
        review: &Review,
    ) -> Result<Commission, Error> {
        let c = self.commission(ws, id).await?;
        if c.status != "hold" {
            return Err(Error::Conflict(format!(
                "commission {id} is {}, not on hold",
                c.status
            )));
        }
        let now = now_ms();
        let status = match review.decision.as_str() {
            "approve" if c.approve_after <= now => "approved",
            "approve" => "pending",
            "reject" => match review.status.as_deref().unwrap_or("fraud") {
                s @ ("fraud" | "duplicate" | "canceled") => s,
                other => {
                    return Err(Error::Invalid(format!(
                        "reject status must be fraud, duplicate or canceled, got {other:?}"
                    )));
                }
            },
            other => {
                return Err(Error::Invalid(format!(
                    "decision must be approve or reject, got {other:?}"
                )));
            }
        };
        let note = crate::util::check_opt_text("note", review.note.as_deref(), 2000)?;
        let evidence = match (&c.evidence, note) {
            (Some(e), Some(n)) => Some(format!("{{\"flags\":{e},\"review_note\":{}}}", json!(n))),
            (e, _) => e.clone(),
        };
        let mut tx = Tx::begin(&self.pool).await?;
        let done = q(
            "UPDATE commissions SET status = $1, evidence = $2, updated_at = $3 \
             WHERE workspace_id = $4 AND id = $5 AND status = 'hold'",
        )
        .bind(status)
        .bind(&evidence)
        .bind(now)
        .bind(ws)
        .bind(id)
        .execute(&mut tx.conn)
        .await?;
        if done == 0 {
            return Err(Error::Conflict(format!(
                "commission {id} changed meanwhile"
            )));
        }
        let updated = Commission {
            status: status.into(),
            evidence,
            updated_at: now,
            ..c
        };
        crate::webhooks::enqueue(
            &mut tx,
            ws,
            "commission.updated",
            &json!({ "commission": &updated }),
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Pays each partner of a program what its approved referrer-side
    /// commissions (clawbacks included) add up to, where that is positive;
    /// a negative balance waits for later earnings.
    pub async fn create_payouts(&self, ws: &str, program_id: &str) -> Result<Vec<Payout>, Error> {
        let program = self.program(ws, program_id).await?;
        let now = now_ms();
        let mut tx = Tx::begin(&self.pool).await?;
        let rows = q(
            "SELECT partner_id, CAST(SUM(amount_minor) AS BIGINT) FROM commissions \
             WHERE workspace_id = $1 AND program_id = $2 AND status = 'approved' AND side = 'referrer' \
             GROUP BY partner_id ORDER BY partner_id",
        )
        .bind(ws)
        .bind(program_id)
        .fetch_all(&mut tx.conn)
        .await?;
        let mut payouts = Vec::new();
        for row in rows {
            let partner_id: String = row.try_get(0)?;
            let total: i64 = row.try_get(1)?;
            if total <= 0 {
                continue;
            }
            let payout = Payout {
                id: new_id("pay"),
                program_id: program_id.to_string(),
                partner_id: partner_id.clone(),
                amount_minor: total,
                currency: program.currency.clone(),
                created_at: now,
            };
            q(
                "INSERT INTO payouts (id, workspace_id, program_id, partner_id, amount_minor, currency, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&payout.id)
            .bind(ws)
            .bind(program_id)
            .bind(&partner_id)
            .bind(total)
            .bind(&payout.currency)
            .bind(now)
            .execute(&mut tx.conn)
            .await?;
            q(
                "UPDATE commissions SET status = 'paid', payout_id = $1, updated_at = $2 \
                 WHERE workspace_id = $3 AND program_id = $4 AND partner_id = $5 \
                 AND status = 'approved' AND side = 'referrer'",
            )
            .bind(&payout.id)
            .bind(now)
            .bind(ws)
            .bind(program_id)
            .bind(&partner_id)
            .execute(&mut tx.conn)
            .await?;
            crate::webhooks::enqueue(&mut tx, ws, "payout.created", &json!({ "payout": &payout }))
                .await?;
            payouts.push(payout);
        }
        tx.commit().await?;
        Ok(payouts)
    }

    pub async fn list_payouts(&self, ws: &str, program_id: &str) -> Result<Vec<Payout>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, program_id, partner_id, amount_minor, currency, created_at FROM payouts \
             WHERE workspace_id = $1 AND program_id = $2 ORDER BY created_at, id",
        )
        .bind(ws)
        .bind(program_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A partner's payout statement as CSV: every referrer-side commission
    /// with its state and payout, then the balance owed.
    pub async fn partner_statement_csv(&self, ws: &str, partner_id: &str) -> Result<String, Error> {
        let partner = self.partner(ws, partner_id).await?;
        let filter = CommissionFilter {
            program_id: Some(partner.program_id.clone()),
            partner_id: Some(partner.id.clone()),
            status: None,
        };
        let mut out = String::from(
            "commission_id,created_at,event_kind,event_id,amount,currency,status,approve_after,payout_id,hold_reasons\n",
        );
        let mut owed = 0i64;
        let mut currency = String::new();
        for c in self
            .list_commissions(ws, &filter)
            .await?
            .iter()
            .filter(|c| c.side == "referrer")
        {
            if c.status == "approved" {
                owed += c.amount_minor;
            }
            currency = c.currency.clone();
            out.push_str(&format!(
                "{},{},{},{},{:.*},{},{},{},{},{}\n",
                c.id,
                crate::util::format_time(c.created_at),
                c.event_kind,
                c.event_id,
                crate::util::currency_exponent(&c.currency).unwrap_or(2) as usize,
                crate::util::to_major(c.amount_minor, &c.currency),
                c.currency,
                c.status,
                crate::util::format_time(c.approve_after),
                c.payout_id.as_deref().unwrap_or(""),
                csv_field(c.hold_reasons.as_deref().unwrap_or("")),
            ));
        }
        out.push_str(&format!(
            "balance_approved_unpaid,,,,{:.*},{},,,,\n",
            crate::util::currency_exponent(&currency).unwrap_or(2) as usize,
            crate::util::to_major(owed, &currency),
            currency
        ));
        Ok(out)
    }
}

/// Quotes a CSV field when it needs it; a leading `=`, `+`, `-` or `@` is
/// defused so a spreadsheet does not run it as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let t = crate::util::parse_time("2026-03-18T15:00:00Z").unwrap();
        let f = crate::util::format_time;
        assert_eq!(f(period_start("day", t)), "2026-03-18T00:00:00.000Z");
        assert_eq!(f(period_start("week", t)), "2026-03-16T00:00:00.000Z");
        assert_eq!(f(period_start("month", t)), "2026-03-01T00:00:00.000Z");
        assert_eq!(f(period_start("year", t)), "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn csv_is_safe() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }
}
