//! Each partner's referral history across every program of a workspace:
//! what `kith advocates` and `kith plan` read to rank customer advocates by
//! what they already brought, beside their reach.

use crate::{Db, Error};
use kith_model::ReferralHistory;
use sqlx::Row;
use std::collections::BTreeMap;

/// One partner record and what its links and codes brought.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerReferrals {
    pub partner_id: String,
    pub program_id: String,
    /// `influencer` or `customer`.
    pub kind: String,
    pub platform: Option<String>,
    pub handle: Option<String>,
    /// The brand's own customer id of the partner, when given.
    pub customer_ref: Option<String>,
    pub history: ReferralHistory,
}

impl Db {
    /// Every partner of workspace `ws` with its referral history, in partner
    /// id order. Leads and sales follow the customer's binding (first bind
    /// wins), as in the reports; clicks flagged as bots are left out.
    pub async fn referral_history(&self, ws: &str) -> Result<Vec<PartnerReferrals>, Error> {
        let mut partners: BTreeMap<String, PartnerReferrals> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT id, program_id, kind, platform, handle, customer_ref FROM partners \
             WHERE workspace_id = $1",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?
        {
            let partner_id: String = r.try_get(0)?;
            partners.insert(
                partner_id.clone(),
                PartnerReferrals {
                    partner_id,
                    program_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    platform: r.try_get(3)?,
                    handle: r.try_get(4)?,
                    customer_ref: r.try_get(5)?,
                    history: ReferralHistory {
                        partners: 1,
                        ..Default::default()
                    },
                },
            );
        }
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        for r in sqlx::query(
            "SELECT partner_id, COUNT(*) FROM clicks WHERE workspace_id = $1 AND is_bot = 0 \
             GROUP BY partner_id",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(p) = partners.get_mut(&r.try_get::<String, _>(0)?) {
                p.history.clicks_human = count(r.try_get(1)?);
            }
        }
        for r in sqlx::query(
            "SELECT cu.partner_id, COUNT(*) FROM leads l JOIN customers cu ON cu.id = l.customer_id \
             WHERE l.workspace_id = $1 AND cu.partner_id IS NOT NULL GROUP BY cu.partner_id",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(p) = partners.get_mut(&r.try_get::<String, _>(0)?) {
                p.history.leads = count(r.try_get(1)?);
            }
        }
        for r in sqlx::query(
            "SELECT cu.partner_id, s.currency, \
             CAST(SUM(CASE WHEN s.refunded_minor < s.amount_minor THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(COALESCE(SUM(s.amount_minor - s.refunded_minor), 0) AS BIGINT) \
             FROM sales s JOIN customers cu ON cu.id = s.customer_id \
             WHERE s.workspace_id = $1 AND cu.partner_id IS NOT NULL \
             GROUP BY cu.partner_id, s.currency",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(p) = partners.get_mut(&r.try_get::<String, _>(0)?) {
                let currency: String = r.try_get(1)?;
                p.history.sales += count(r.try_get(2)?);
                let net = crate::util::to_major(r.try_get(3)?, &currency);
                *p.history.revenue.entry(currency).or_default() += net;
            }
        }
        for r in sqlx::query(
            "SELECT partner_id, \
             CAST(SUM(CASE WHEN status = 'hold' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN status = 'fraud' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM commissions WHERE workspace_id = $1 GROUP BY partner_id",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(p) = partners.get_mut(&r.try_get::<String, _>(0)?) {
                p.history.commissions_held = count(r.try_get(1)?);
                p.history.commissions_rejected = count(r.try_get(2)?);
            }
        }
        Ok(partners.into_values().collect())
    }
}
