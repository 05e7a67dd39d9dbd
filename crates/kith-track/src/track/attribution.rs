//! Attribution: the program and partner facts a batch reads once, the
//! customer found or made, bound once to a partner by click or code (first
//! bind wins), and the fraud rules' view of an attributed event.

use super::Tx;
use crate::Error;
use crate::fraud::{self, Flag};
use crate::sql::q;
use crate::util::{check_text, new_id, normalize_email, now_ms};
use serde::Serialize;
use std::sync::Arc;

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

pub(super) async fn program_facts(
    tx: &mut Tx<'_>,
    ws: &str,
    program_id: &str,
) -> Result<Arc<ProgramFacts>, Error> {
    let cache_key = (ws.to_string(), program_id.to_string());
    if let Some(p) = tx.cache.programs.get(&cache_key) {
        return Ok(p.clone());
    }
    let row = q(
        "SELECT id, currency, attribution_window_days, holding_days, fraud_velocity_per_hour, \
         fraud_max_per_identity, coupon_leak_sales_per_1k_audience FROM programs \
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(program_id)
    .fetch_optional(&mut tx.conn)
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

/// The partner facts fraud rules and reward rules need.
pub(crate) struct PartnerFacts {
    pub email_norm: Option<String>,
    pub customer_ref: Option<String>,
    pub audience: Option<i64>,
    pub group_id: Option<String>,
}

/// A partner's facts, read once per batch.
pub(crate) async fn partner_facts(
    tx: &mut Tx<'_>,
    ws: &str,
    partner_id: &str,
) -> Result<Arc<PartnerFacts>, Error> {
    let cache_key = (ws.to_string(), partner_id.to_string());
    if let Some(p) = tx.cache.partners.get(&cache_key) {
        return Ok(p.clone());
    }
    let row = q(
        "SELECT email_norm, customer_ref, audience_size, group_id FROM partners WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(partner_id)
    .fetch_one(&mut tx.conn)
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

pub(super) struct Facts<'a> {
    pub(super) customer_ref: &'a str,
    pub(super) email: Option<&'a str>,
    pub(super) click_id: Option<&'a str>,
    pub(super) code: Option<&'a str>,
    pub(super) ip: Option<&'a str>,
    pub(super) user_agent: Option<&'a str>,
    pub(super) existing_customer: bool,
}

/// Finds or makes the customer and binds them to a partner if they are not
/// bound yet: by a click within the window, else by a code. First bind wins:
/// a bound customer keeps their partner whatever later events carry.
pub(super) async fn attribute(
    tx: &mut Tx<'_>,
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
                    let salt: Option<String> = q("SELECT salt FROM click_salts WHERE day = $1")
                        .bind(salt_day)
                        .fetch_optional(&mut tx.conn)
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
    let inserted = q(format!(
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
    .fetch_optional(&mut tx.conn)
    .await?;
    let row = match inserted {
        Some(row) => row,
        None => {
            q(format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers \
                 WHERE program_id = $1 AND external_id = $2 AND workspace_id = $3"
            ))
            .bind(&program.id)
            .bind(&customer_ref)
            .bind(ws)
            .fetch_one(&mut tx.conn)
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
        email_norm: row.try_get::<Option<String>>(6)?.or(email_norm),
        identity_hash: row.try_get::<Option<String>>(7)?.or(identity),
        existing_customer: row.try_get::<i64>(8)? != 0 || facts.existing_customer,
        campaign_id: row.try_get(9)?,
    };
    let mut ads_click_id = None;
    if customer.partner_id.is_none() {
        let window_start = now - program.window_days * 86_400_000;
        if let Some(click_id) = facts.click_id.filter(|c| !c.is_empty()) {
            let click = q(
                "SELECT c.partner_id, c.at, c.ads_click_id, l.campaign_id FROM clicks c \
                 JOIN links l ON l.id = c.link_id \
                 WHERE c.workspace_id = $1 AND c.program_id = $2 AND c.id = $3",
            )
            .bind(ws)
            .bind(&program.id)
            .bind(click_id)
            .fetch_optional(&mut tx.conn)
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
            let row = q(
                    "SELECT id, partner_id, kind, single_use, used_at, active, expires_at, campaign_id FROM codes \
                     WHERE workspace_id = $1 AND program_id = $2 AND code = $3",
                )
                .bind(ws)
                .bind(&program.id)
                .bind(code.trim().to_ascii_uppercase())
                .fetch_optional(&mut tx.conn)
                .await?
                .ok_or_else(|| Error::NotFound(format!("code {code:?}")))?;
            let code_id: String = row.try_get(0)?;
            let single_use = row.try_get::<i64>(3)? != 0;
            let used = row.try_get::<Option<i64>>(4)?.is_some();
            let active = row.try_get::<i64>(5)? != 0;
            let expired = row.try_get::<Option<i64>>(6)?.is_some_and(|e| e < now);
            if !active || expired || (single_use && used) {
                return Err(Error::Invalid(format!("code {code:?} is no longer valid")));
            }
            let kind: String = row.try_get(2)?;
            customer.partner_id = Some(row.try_get(1)?);
            customer.code_id = Some(code_id.clone());
            customer.campaign_id = row.try_get(7)?;
            customer.bound_by = Some(format!("{kind}_code"));
            if single_use {
                q("UPDATE codes SET used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&code_id)
                    .execute(&mut tx.conn)
                    .await?;
            }
        }
        if customer.partner_id.is_some() {
            customer.bound_at = Some(now);
            q(
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
            .execute(&mut tx.conn)
            .await?;
        }
    }
    Ok((customer, ads_click_id))
}

pub(super) fn attribution_of(c: &CustomerRow) -> Option<Attribution> {
    Some(Attribution {
        partner_id: c.partner_id.clone()?,
        by: c.bound_by.clone().unwrap_or_default(),
        click_id: c.click_id.clone(),
        code_id: c.code_id.clone(),
        bound_at: c.bound_at.unwrap_or(0),
    })
}

/// Records an inbound provider event once; `false` if it was seen before.
pub(super) async fn first_provider_event(
    tx: &mut Tx<'_>,
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
    let done = q(
        "INSERT INTO provider_events (program_id, provider, provider_event_id, workspace_id, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (program_id, provider, provider_event_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(provider)
    .bind(event_id)
    .bind(ws)
    .bind(now_ms())
    .execute(&mut tx.conn)
    .await?;
    Ok(done == 1)
}

pub(super) async fn fraud_flags(
    tx: &mut Tx<'_>,
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
