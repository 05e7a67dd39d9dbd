//! Programs (a brand's referral or affiliate program, with its currency,
//! windows and fraud thresholds) and partner groups (partners that share
//! reward rules, such as "micro-influencers" or "customers").

use crate::util::{check_currency, check_text, new_id, now_ms};
use crate::{Db, Error};
use kith_model::settings::Tracking;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Program {
    pub id: String,
    pub name: String,
    /// ISO 4217 code; every amount of the program is in its minor unit.
    pub currency: String,
    /// A lead binds to a click or code seen at most this many days before.
    pub attribution_window_days: i64,
    /// Commissions wait this many days (refunds) before approval.
    pub holding_days: i64,
    /// Fraud rule `referral_velocity`: more leads than this for one partner
    /// in an hour hold its commissions.
    pub fraud_velocity_per_hour: i64,
    /// Fraud rule `many_from_one_identity`: more referred customers than
    /// this from one IP+user-agent identity hold their commissions.
    pub fraud_max_per_identity: i64,
    /// Fraud rule `coupon_leak`: promo-code sales in 30 days above this many
    /// per 1,000 followers of the partner hold commissions (0: off).
    pub coupon_leak_sales_per_1k_audience: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

/// Fields of a program to create (name required) or change (all optional).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub attribution_window_days: Option<u32>,
    pub holding_days: Option<u32>,
    pub fraud_velocity_per_hour: Option<u32>,
    pub fraud_max_per_identity: Option<u32>,
    pub coupon_leak_sales_per_1k_audience: Option<u32>,
}

impl ProgramInput {
    fn apply(&self, p: &mut Program) -> Result<(), Error> {
        if let Some(name) = &self.name {
            p.name = check_text("name", name, 200)?;
        }
        if let Some(currency) = &self.currency {
            p.currency = check_currency(currency)?;
        }
        let days = |field: &str, v: u32| {
            if v > 3650 {
                Err(Error::Invalid(format!("{field} must be at most 3650 days")))
            } else {
                Ok(v as i64)
            }
        };
        if let Some(v) = self.attribution_window_days {
            p.attribution_window_days = days("attribution_window_days", v)?;
        }
        if let Some(v) = self.holding_days {
            p.holding_days = days("holding_days", v)?;
        }
        if let Some(v) = self.fraud_velocity_per_hour {
            p.fraud_velocity_per_hour = v as i64;
        }
        if let Some(v) = self.fraud_max_per_identity {
            p.fraud_max_per_identity = v as i64;
        }
        if let Some(v) = self.coupon_leak_sales_per_1k_audience {
            p.coupon_leak_sales_per_1k_audience = v as i64;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct PartnerGroup {
    pub id: String,
    pub program_id: String,
    pub name: String,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: Option<String>,
}

const PROGRAM_COLUMNS: &str = "id, name, currency, attribution_window_days, holding_days, \
    fraud_velocity_per_hour, fraud_max_per_identity, coupon_leak_sales_per_1k_audience, \
    created_at, updated_at";

impl Db {
    pub async fn create_program(
        &self,
        ws: &str,
        input: &ProgramInput,
        defaults: &Tracking,
    ) -> Result<Program, Error> {
        let name = input
            .name
            .as_deref()
            .ok_or_else(|| Error::Invalid("name is required".into()))?;
        let now = now_ms();
        let mut program = Program {
            id: new_id("prg"),
            name: name.to_string(),
            currency: check_currency(&defaults.currency)?,
            attribution_window_days: defaults.attribution_window_days as i64,
            holding_days: defaults.holding_days as i64,
            fraud_velocity_per_hour: 20,
            fraud_max_per_identity: 3,
            coupon_leak_sales_per_1k_audience: 20,
            created_at: now,
            updated_at: now,
        };
        input.apply(&mut program)?;
        sqlx::query(&format!(
            "INSERT INTO programs (workspace_id, {PROGRAM_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(ws)
        .bind(&program.id)
        .bind(&program.name)
        .bind(&program.currency)
        .bind(program.attribution_window_days)
        .bind(program.holding_days)
        .bind(program.fraud_velocity_per_hour)
        .bind(program.fraud_max_per_identity)
        .bind(program.coupon_leak_sales_per_1k_audience)
        .bind(program.created_at)
        .bind(program.updated_at)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_as(e, &format!("a program named {:?} exists", program.name)))?;
        Ok(program)
    }

    pub async fn program(&self, ws: &str, id: &str) -> Result<Program, Error> {
        sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM programs WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("program {id}")))
    }

    /// The program of this name, for the command line.
    pub async fn program_by_name(&self, ws: &str, name: &str) -> Result<Program, Error> {
        sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM programs WHERE workspace_id = $1 AND name = $2"
        ))
        .bind(ws)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("program {name:?}")))
    }

    pub async fn list_programs(&self, ws: &str) -> Result<Vec<Program>, Error> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM programs WHERE workspace_id = $1 ORDER BY created_at, id"
        ))
        .bind(ws)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_program(
        &self,
        ws: &str,
        id: &str,
        input: &ProgramInput,
    ) -> Result<Program, Error> {
        let mut program = self.program(ws, id).await?;
        input.apply(&mut program)?;
        program.updated_at = now_ms();
        sqlx::query(
            "UPDATE programs SET name = $1, currency = $2, attribution_window_days = $3, \
             holding_days = $4, fraud_velocity_per_hour = $5, fraud_max_per_identity = $6, \
             coupon_leak_sales_per_1k_audience = $7, updated_at = $8 \
             WHERE workspace_id = $9 AND id = $10",
        )
        .bind(&program.name)
        .bind(&program.currency)
        .bind(program.attribution_window_days)
        .bind(program.holding_days)
        .bind(program.fraud_velocity_per_hour)
        .bind(program.fraud_max_per_identity)
        .bind(program.coupon_leak_sales_per_1k_audience)
        .bind(program.updated_at)
        .bind(ws)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_as(e, &format!("a program named {:?} exists", program.name)))?;
        Ok(program)
    }

    pub async fn create_group(
        &self,
        ws: &str,
        program_id: &str,
        input: &GroupInput,
    ) -> Result<PartnerGroup, Error> {
        self.program(ws, program_id).await?;
        let name = check_text("name", input.name.as_deref().unwrap_or(""), 200)?;
        let group = PartnerGroup {
            id: new_id("grp"),
            program_id: program_id.to_string(),
            name,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO partner_groups (id, workspace_id, program_id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&group.id)
        .bind(ws)
        .bind(&group.program_id)
        .bind(&group.name)
        .bind(group.created_at)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_as(e, "a group of this name exists in the program"))?;
        Ok(group)
    }

    pub async fn group(&self, ws: &str, id: &str) -> Result<PartnerGroup, Error> {
        sqlx::query_as(
            "SELECT id, program_id, name, created_at FROM partner_groups \
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("group {id}")))
    }

    pub async fn list_groups(
        &self,
        ws: &str,
        program_id: &str,
    ) -> Result<Vec<PartnerGroup>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, program_id, name, created_at FROM partner_groups \
             WHERE workspace_id = $1 AND program_id = $2 ORDER BY created_at, id",
        )
        .bind(ws)
        .bind(program_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_group(
        &self,
        ws: &str,
        id: &str,
        input: &GroupInput,
    ) -> Result<PartnerGroup, Error> {
        let mut group = self.group(ws, id).await?;
        if let Some(name) = &input.name {
            group.name = check_text("name", name, 200)?;
        }
        sqlx::query("UPDATE partner_groups SET name = $1 WHERE workspace_id = $2 AND id = $3")
            .bind(&group.name)
            .bind(ws)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_as(e, "a group of this name exists in the program"))?;
        Ok(group)
    }
}

/// A unique violation as a conflict with a message a person can act on.
pub(crate) fn conflict_as(e: sqlx::Error, message: &str) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => Error::Conflict(message.to_string()),
        other => other,
    }
}
