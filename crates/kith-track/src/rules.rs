//! Reward rules: who earns what for which event. A rule belongs to a program
//! and optionally to one partner group (group rules replace the program-wide
//! rules of the same side and event for that group's partners).

use crate::util::{new_id, now_ms};
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct RewardRule {
    pub id: String,
    pub program_id: String,
    pub group_id: Option<String>,
    /// `referrer` (the partner) or `referred` (the customer they brought).
    pub side: String,
    /// `click`, `lead` or `sale`.
    pub event: String,
    /// `flat` (amount_minor per event) or `percent` (percent_bp of the sale).
    pub kind: String,
    pub amount_minor: i64,
    /// Basis points: 1000 = 10% of the sale amount.
    pub percent_bp: i64,
    /// Most one beneficiary may earn from this rule per `cap_period`.
    pub cap_minor: Option<i64>,
    /// `day`, `week`, `month` or `year` (calendar, UTC).
    pub cap_period: Option<String>,
    /// Sale rules: only sales within this many months (30 days each) of the
    /// customer's attribution earn (recurring subscriptions).
    pub max_recurring_months: Option<i64>,
    /// Overrides the program's holding period for this rule's commissions.
    pub holding_days: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub group_id: Option<String>,
    pub side: Option<String>,
    pub event: Option<String>,
    pub kind: Option<String>,
    pub amount_minor: Option<u64>,
    pub percent_bp: Option<u32>,
    pub cap_minor: Option<u64>,
    pub cap_period: Option<String>,
    pub max_recurring_months: Option<u32>,
    pub holding_days: Option<u32>,
}

fn pick(field: &str, value: &str, allowed: &[&str]) -> Result<String, Error> {
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(Error::Invalid(format!(
            "{field} must be one of {}, got {value:?}",
            allowed.join(", ")
        )))
    }
}

pub(crate) const RULE_COLUMNS: &str = "id, program_id, group_id, side, event, kind, amount_minor, percent_bp, \
    cap_minor, cap_period, max_recurring_months, holding_days, created_at, updated_at";

/// A rule from a row of [`RULE_COLUMNS`], on either executor of the
/// tracking writer.
pub(crate) fn rule_from_row(row: &crate::sql::Row) -> Result<RewardRule, Error> {
    Ok(RewardRule {
        id: row.try_get(0)?,
        program_id: row.try_get(1)?,
        group_id: row.try_get(2)?,
        side: row.try_get(3)?,
        event: row.try_get(4)?,
        kind: row.try_get(5)?,
        amount_minor: row.try_get(6)?,
        percent_bp: row.try_get(7)?,
        cap_minor: row.try_get(8)?,
        cap_period: row.try_get(9)?,
        max_recurring_months: row.try_get(10)?,
        holding_days: row.try_get(11)?,
        created_at: row.try_get(12)?,
        updated_at: row.try_get(13)?,
    })
}

impl Db {
    async fn apply_rule(
        &self,
        ws: &str,
        input: &RuleInput,
        r: &mut RewardRule,
    ) -> Result<(), Error> {
        if let Some(group_id) = &input.group_id {
            let group = self.group(ws, group_id).await?;
            if group.program_id != r.program_id {
                return Err(Error::Invalid("group belongs to another program".into()));
            }
            r.group_id = Some(group.id);
        }
        if let Some(v) = &input.side {
            r.side = pick("side", v, &["referrer", "referred"])?;
        }
        if let Some(v) = &input.event {
            r.event = pick("event", v, &["click", "lead", "sale"])?;
        }
        if let Some(v) = &input.kind {
            r.kind = pick("kind", v, &["flat", "percent"])?;
        }
        let bounded = |field: &str, v: u64| {
            i64::try_from(v)
                .ok()
                .filter(|v| *v <= 1_000_000_000_000)
                .ok_or_else(|| Error::Invalid(format!("{field} is too large")))
        };
        if let Some(v) = input.amount_minor {
            r.amount_minor = bounded("amount_minor", v)?;
        }
        if let Some(v) = input.percent_bp {
            if v > 10_000 {
                return Err(Error::Invalid(
                    "percent_bp must be at most 10000 (100%)".into(),
                ));
            }
            r.percent_bp = v as i64;
        }
        if let Some(v) = input.cap_minor {
            r.cap_minor = Some(bounded("cap_minor", v)?);
        }
        if let Some(v) = &input.cap_period {
            r.cap_period = Some(pick("cap_period", v, &["day", "week", "month", "year"])?);
        }
        if let Some(v) = input.max_recurring_months {
            r.max_recurring_months = Some(v as i64);
        }
        if let Some(v) = input.holding_days {
            if v > 3650 {
                return Err(Error::Invalid("holding_days must be at most 3650".into()));
            }
            r.holding_days = Some(v as i64);
        }
        if r.cap_minor.is_some() != r.cap_period.is_some() {
            return Err(Error::Invalid(
                "cap_minor and cap_period go together".into(),
            ));
        }
        if r.kind == "percent" && r.event != "sale" {
            return Err(Error::Invalid("percent rules apply to sales only".into()));
        }
        if r.kind == "flat" && r.amount_minor == 0 || r.kind == "percent" && r.percent_bp == 0 {
            return Err(Error::Invalid(
                "a rule must pay something: amount_minor (flat) or percent_bp (percent)".into(),
            ));
        }
        Ok(())
    }

    pub async fn create_rule(
        &self,
        ws: &str,
        program_id: &str,
        input: &RuleInput,
    ) -> Result<RewardRule, Error> {
        self.program(ws, program_id).await?;
        if input.event.is_none() || input.kind.is_none() {
            return Err(Error::Invalid("event and kind are required".into()));
        }
        let now = now_ms();
        let mut r = RewardRule {
            id: new_id("rul"),
            program_id: program_id.to_string(),
            group_id: None,
            side: "referrer".into(),
            event: String::new(),
            kind: String::new(),
            amount_minor: 0,
            percent_bp: 0,
            cap_minor: None,
            cap_period: None,
            max_recurring_months: None,
            holding_days: None,
            created_at: now,
            updated_at: now,
        };
        self.apply_rule(ws, input, &mut r).await?;
        self.write_rule(ws, &r, true).await?;
        Ok(r)
    }

    async fn write_rule(&self, ws: &str, r: &RewardRule, insert: bool) -> Result<(), Error> {
        let sql = if insert {
            format!(
                "INSERT INTO reward_rules (workspace_id, {RULE_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            )
        } else {
            "UPDATE reward_rules SET program_id = $3, group_id = $4, side = $5, event = $6, kind = $7, \
             amount_minor = $8, percent_bp = $9, cap_minor = $10, cap_period = $11, \
             max_recurring_months = $12, holding_days = $13, created_at = $14, updated_at = $15 \
             WHERE workspace_id = $1 AND id = $2"
                .to_string()
        };
        sqlx::query(&sql)
            .bind(ws)
            .bind(&r.id)
            .bind(&r.program_id)
            .bind(&r.group_id)
            .bind(&r.side)
            .bind(&r.event)
            .bind(&r.kind)
            .bind(r.amount_minor)
            .bind(r.percent_bp)
            .bind(r.cap_minor)
            .bind(&r.cap_period)
            .bind(r.max_recurring_months)
            .bind(r.holding_days)
            .bind(r.created_at)
            .bind(r.updated_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn rule(&self, ws: &str, id: &str) -> Result<RewardRule, Error> {
        sqlx::query_as(&format!(
            "SELECT {RULE_COLUMNS} FROM reward_rules WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("rule {id}")))
    }

    pub async fn list_rules(&self, ws: &str, program_id: &str) -> Result<Vec<RewardRule>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {RULE_COLUMNS} FROM reward_rules WHERE workspace_id = $1 AND program_id = $2 \
             ORDER BY created_at, id"
        ))
        .bind(ws)
        .bind(program_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_rule(
        &self,
        ws: &str,
        id: &str,
        input: &RuleInput,
    ) -> Result<RewardRule, Error> {
        let mut r = self.rule(ws, id).await?;
        self.apply_rule(ws, input, &mut r).await?;
        r.updated_at = now_ms();
        self.write_rule(ws, &r, false).await?;
        Ok(r)
    }
}

/// The rules that pay `side` for `event` to a partner of `group_id`: the
/// group's own rules if it has any for that side and event, else the
/// program-wide ones.
pub fn applicable<'a>(
    rules: &'a [RewardRule],
    group_id: Option<&str>,
    side: &str,
    event: &str,
) -> Vec<&'a RewardRule> {
    let matching = |r: &&RewardRule| r.side == side && r.event == event;
    if let Some(g) = group_id {
        let own: Vec<_> = rules
            .iter()
            .filter(matching)
            .filter(|r| r.group_id.as_deref() == Some(g))
            .collect();
        if !own.is_empty() {
            return own;
        }
    }
    rules
        .iter()
        .filter(matching)
        .filter(|r| r.group_id.is_none())
        .collect()
}
