//! Partners (influencers and customer advocates), campaigns and the
//! campaign pipeline: each partner's stage, fee, deliverables and notes.

use crate::programs::conflict_as;
use crate::util::{check_opt_text, check_text, new_id, normalize_email, now_ms};
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Partner {
    pub id: String,
    pub program_id: String,
    pub group_id: Option<String>,
    pub name: String,
    /// `influencer` or `customer` (a customer advocate).
    pub kind: String,
    pub email: Option<String>,
    /// The brand's own customer id of this partner, if they are a customer
    /// (used by the self-referral rule).
    pub customer_ref: Option<String>,
    pub platform: Option<String>,
    pub handle: Option<String>,
    /// Followers or audience size, used by the coupon-leak rule.
    pub audience_size: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub group_id: Option<String>,
    pub email: Option<String>,
    pub customer_ref: Option<String>,
    pub platform: Option<String>,
    pub handle: Option<String>,
    pub audience_size: Option<u64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Campaign {
    pub id: String,
    pub program_id: String,
    pub name: String,
    /// `awareness`, `engagement` or `sales`.
    pub goal: String,
    /// Budget in the program currency's minor unit.
    pub budget_minor: Option<i64>,
    #[serde(with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<i64>,
    #[serde(with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub goal: Option<String>,
    pub budget_minor: Option<u64>,
    #[serde(default, with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<i64>,
    #[serde(default, with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<i64>,
}

/// One partner's place in a campaign's pipeline.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct CampaignPartner {
    pub campaign_id: String,
    pub partner_id: String,
    /// discovered, engaging, contacted, negotiating, active, completed, declined
    pub stage: String,
    /// Agreed fee in the program currency's minor unit.
    pub fee_minor: Option<i64>,
    pub commission_terms: Option<String>,
    pub deliverables: Option<String>,
    pub notes: Option<String>,
    /// Earned media value of the partner's deliverables (from the analytics
    /// or entered by hand), in the program currency's minor unit: the basis
    /// of media ROI.
    pub emv_minor: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPartnerInput {
    pub stage: Option<String>,
    pub fee_minor: Option<u64>,
    pub commission_terms: Option<String>,
    pub deliverables: Option<String>,
    pub notes: Option<String>,
    pub emv_minor: Option<u64>,
}

pub const STAGES: &[&str] = &[
    "discovered",
    "engaging",
    "contacted",
    "negotiating",
    "active",
    "completed",
    "declined",
];
const GOALS: &[&str] = &["awareness", "engagement", "sales"];
const PARTNER_KINDS: &[&str] = &["influencer", "customer"];
const PLATFORMS: &[&str] = &[
    "instagram",
    "tiktok",
    "youtube",
    "x",
    "facebook",
    "pinterest",
    "snapchat",
    "linkedin",
    "twitch",
    "bluesky",
    "mastodon",
    "other",
];

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<String, Error> {
    let v = value.trim().to_lowercase();
    if allowed.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(Error::Invalid(format!(
            "{field} must be one of {}, got {value:?}",
            allowed.join(", ")
        )))
    }
}

fn money(field: &str, v: u64) -> Result<i64, Error> {
    i64::try_from(v)
        .ok()
        .filter(|v| *v <= 1_000_000_000_000_000)
        .ok_or_else(|| Error::Invalid(format!("{field} is too large")))
}

const PARTNER_COLUMNS: &str = "id, program_id, group_id, name, kind, email, customer_ref, \
    platform, handle, audience_size, created_at, updated_at";
const CAMPAIGN_COLUMNS: &str =
    "id, program_id, name, goal, budget_minor, starts_at, ends_at, created_at, updated_at";
const PIPELINE_COLUMNS: &str = "campaign_id, partner_id, stage, fee_minor, commission_terms, deliverables, notes, emv_minor, updated_at";

impl Db {
    async fn apply_partner(
        &self,
        ws: &str,
        input: &PartnerInput,
        p: &mut Partner,
    ) -> Result<(), Error> {
        if let Some(v) = &input.name {
            p.name = check_text("name", v, 200)?;
        }
        if let Some(v) = &input.kind {
            p.kind = one_of("kind", v, PARTNER_KINDS)?;
        }
        if let Some(group_id) = &input.group_id {
            let group = self.group(ws, group_id).await?;
            if group.program_id != p.program_id {
                return Err(Error::Invalid("group belongs to another program".into()));
            }
            p.group_id = Some(group.id);
        }
        if let Some(v) = &input.email {
            let email = check_text("email", v, 320)?;
            if normalize_email(&email).is_none() {
                return Err(Error::Invalid(format!("email {email:?} is not an address")));
            }
            p.email = Some(email);
        }
        if input.customer_ref.is_some() {
            p.customer_ref = check_opt_text("customer_ref", input.customer_ref.as_deref(), 200)?;
        }
        if let Some(v) = &input.platform {
            p.platform = Some(one_of("platform", v, PLATFORMS)?);
        }
        if input.handle.is_some() {
            p.handle = check_opt_text("handle", input.handle.as_deref(), 200)?;
        }
        if let Some(v) = input.audience_size {
            p.audience_size = Some(money("audience_size", v)?);
        }
        Ok(())
    }

    pub async fn create_partner(
        &self,
        ws: &str,
        program_id: &str,
        input: &PartnerInput,
    ) -> Result<Partner, Error> {
        self.program(ws, program_id).await?;
        if input.name.is_none() {
            return Err(Error::Invalid("name is required".into()));
        }
        let now = now_ms();
        let mut p = Partner {
            id: new_id("ptn"),
            program_id: program_id.to_string(),
            group_id: None,
            name: String::new(),
            kind: "influencer".into(),
            email: None,
            customer_ref: None,
            platform: None,
            handle: None,
            audience_size: None,
            created_at: now,
            updated_at: now,
        };
        self.apply_partner(ws, input, &mut p).await?;
        sqlx::query(&format!(
            "INSERT INTO partners (workspace_id, email_norm, {PARTNER_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(ws)
        .bind(p.email.as_deref().and_then(normalize_email))
        .bind(&p.id)
        .bind(&p.program_id)
        .bind(&p.group_id)
        .bind(&p.name)
        .bind(&p.kind)
        .bind(&p.email)
        .bind(&p.customer_ref)
        .bind(&p.platform)
        .bind(&p.handle)
        .bind(p.audience_size)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(p)
    }

    pub async fn partner(&self, ws: &str, id: &str) -> Result<Partner, Error> {
        sqlx::query_as(&format!(
            "SELECT {PARTNER_COLUMNS} FROM partners WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("partner {id}")))
    }

    pub async fn list_partners(&self, ws: &str, program_id: &str) -> Result<Vec<Partner>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {PARTNER_COLUMNS} FROM partners WHERE workspace_id = $1 AND program_id = $2 \
             ORDER BY created_at, id"
        ))
        .bind(ws)
        .bind(program_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_partner(
        &self,
        ws: &str,
        id: &str,
        input: &PartnerInput,
    ) -> Result<Partner, Error> {
        let mut p = self.partner(ws, id).await?;
        self.apply_partner(ws, input, &mut p).await?;
        p.updated_at = now_ms();
        sqlx::query(
            "UPDATE partners SET group_id = $1, name = $2, kind = $3, email = $4, email_norm = $5, \
             customer_ref = $6, platform = $7, handle = $8, audience_size = $9, updated_at = $10 \
             WHERE workspace_id = $11 AND id = $12",
        )
        .bind(&p.group_id)
        .bind(&p.name)
        .bind(&p.kind)
        .bind(&p.email)
        .bind(p.email.as_deref().and_then(normalize_email))
        .bind(&p.customer_ref)
        .bind(&p.platform)
        .bind(&p.handle)
        .bind(p.audience_size)
        .bind(p.updated_at)
        .bind(ws)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(p)
    }

    fn apply_campaign(input: &CampaignInput, c: &mut Campaign) -> Result<(), Error> {
        if let Some(v) = &input.name {
            c.name = check_text("name", v, 200)?;
        }
        if let Some(v) = &input.goal {
            c.goal = one_of("goal", v, GOALS)?;
        }
        if let Some(v) = input.budget_minor {
            c.budget_minor = Some(money("budget_minor", v)?);
        }
        if input.starts_at.is_some() {
            c.starts_at = input.starts_at;
        }
        if input.ends_at.is_some() {
            c.ends_at = input.ends_at;
        }
        if let (Some(s), Some(e)) = (c.starts_at, c.ends_at)
            && e < s
        {
            return Err(Error::Invalid("ends_at is before starts_at".into()));
        }
        Ok(())
    }

    pub async fn create_campaign(
        &self,
        ws: &str,
        program_id: &str,
        input: &CampaignInput,
    ) -> Result<Campaign, Error> {
        self.program(ws, program_id).await?;
        if input.name.is_none() {
            return Err(Error::Invalid("name is required".into()));
        }
        let now = now_ms();
        let mut c = Campaign {
            id: new_id("cmp"),
            program_id: program_id.to_string(),
            name: String::new(),
            goal: "sales".into(),
            budget_minor: None,
            starts_at: None,
            ends_at: None,
            created_at: now,
            updated_at: now,
        };
        Self::apply_campaign(input, &mut c)?;
        sqlx::query(&format!(
            "INSERT INTO campaigns (workspace_id, {CAMPAIGN_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(ws)
        .bind(&c.id)
        .bind(&c.program_id)
        .bind(&c.name)
        .bind(&c.goal)
        .bind(c.budget_minor)
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(c)
    }

    pub async fn campaign(&self, ws: &str, id: &str) -> Result<Campaign, Error> {
        sqlx::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("campaign {id}")))
    }

    pub async fn list_campaigns(&self, ws: &str, program_id: &str) -> Result<Vec<Campaign>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE workspace_id = $1 AND program_id = $2 \
             ORDER BY created_at, id"
        ))
        .bind(ws)
        .bind(program_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_campaign(
        &self,
        ws: &str,
        id: &str,
        input: &CampaignInput,
    ) -> Result<Campaign, Error> {
        let mut c = self.campaign(ws, id).await?;
        Self::apply_campaign(input, &mut c)?;
        c.updated_at = now_ms();
        sqlx::query(
            "UPDATE campaigns SET name = $1, goal = $2, budget_minor = $3, starts_at = $4, \
             ends_at = $5, updated_at = $6 WHERE workspace_id = $7 AND id = $8",
        )
        .bind(&c.name)
        .bind(&c.goal)
        .bind(c.budget_minor)
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(c.updated_at)
        .bind(ws)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(c)
    }

    /// Adds a partner to a campaign's pipeline or changes its entry.
    pub async fn put_campaign_partner(
        &self,
        ws: &str,
        campaign_id: &str,
        partner_id: &str,
        input: &CampaignPartnerInput,
    ) -> Result<CampaignPartner, Error> {
        let campaign = self.campaign(ws, campaign_id).await?;
        let partner = self.partner(ws, partner_id).await?;
        if partner.program_id != campaign.program_id {
            return Err(Error::Invalid("partner belongs to another program".into()));
        }
        let existing = self.campaign_partner(ws, campaign_id, partner_id).await;
        let mut entry = match existing {
            Ok(e) => e,
            Err(Error::NotFound(_)) => CampaignPartner {
                campaign_id: campaign_id.to_string(),
                partner_id: partner_id.to_string(),
                stage: "discovered".into(),
                fee_minor: None,
                commission_terms: None,
                deliverables: None,
                notes: None,
                emv_minor: None,
                updated_at: 0,
            },
            Err(e) => return Err(e),
        };
        if let Some(v) = &input.stage {
            entry.stage = one_of("stage", v, STAGES)?;
        }
        if let Some(v) = input.fee_minor {
            entry.fee_minor = Some(money("fee_minor", v)?);
        }
        if input.commission_terms.is_some() {
            entry.commission_terms =
                check_opt_text("commission_terms", input.commission_terms.as_deref(), 2000)?;
        }
        if input.deliverables.is_some() {
            entry.deliverables =
                check_opt_text("deliverables", input.deliverables.as_deref(), 5000)?;
        }
        if let Some(notes) = &input.notes {
            // Notes may span lines: only their length is bounded.
            if notes.chars().count() > 20_000 {
                return Err(Error::Invalid(
                    "notes are longer than 20000 characters".into(),
                ));
            }
            entry.notes = Some(notes.clone()).filter(|n| !n.trim().is_empty());
        }
        if let Some(v) = input.emv_minor {
            entry.emv_minor = Some(money("emv_minor", v)?);
        }
        entry.updated_at = now_ms();
        sqlx::query(&format!(
            "INSERT INTO campaign_partners (workspace_id, {PIPELINE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (campaign_id, partner_id) DO UPDATE SET stage = excluded.stage, \
             fee_minor = excluded.fee_minor, commission_terms = excluded.commission_terms, \
             deliverables = excluded.deliverables, notes = excluded.notes, \
             emv_minor = excluded.emv_minor, updated_at = excluded.updated_at"
        ))
        .bind(ws)
        .bind(&entry.campaign_id)
        .bind(&entry.partner_id)
        .bind(&entry.stage)
        .bind(entry.fee_minor)
        .bind(&entry.commission_terms)
        .bind(&entry.deliverables)
        .bind(&entry.notes)
        .bind(entry.emv_minor)
        .bind(entry.updated_at)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_as(e, "pipeline entry changed concurrently"))?;
        Ok(entry)
    }

    pub async fn campaign_partner(
        &self,
        ws: &str,
        campaign_id: &str,
        partner_id: &str,
    ) -> Result<CampaignPartner, Error> {
        sqlx::query_as(&format!(
            "SELECT {PIPELINE_COLUMNS} FROM campaign_partners \
             WHERE workspace_id = $1 AND campaign_id = $2 AND partner_id = $3"
        ))
        .bind(ws)
        .bind(campaign_id)
        .bind(partner_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("partner {partner_id} in campaign {campaign_id}")))
    }

    pub async fn list_campaign_partners(
        &self,
        ws: &str,
        campaign_id: &str,
    ) -> Result<Vec<CampaignPartner>, Error> {
        self.campaign(ws, campaign_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {PIPELINE_COLUMNS} FROM campaign_partners \
             WHERE workspace_id = $1 AND campaign_id = $2 ORDER BY partner_id"
        ))
        .bind(ws)
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
