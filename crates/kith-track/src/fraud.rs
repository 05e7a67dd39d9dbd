//! Fraud rules. Each one flags an event with its reason and evidence; the
//! event's commissions then wait in `hold` for a person to approve or reject
//! them. Nothing is silently blocked.

use crate::Error;
use crate::sql::q;
use crate::track::Tx;
use serde::Serialize;
use serde_json::{Value, json};

/// One rule that fired, with what it saw.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    pub rule: &'static str,
    pub evidence: Value,
}

/// Domains of throwaway mailboxes. Short on purpose: the common services,
/// not a list to keep up to date by hand.
const DISPOSABLE_DOMAINS: &[&str] = &[
    "mailinator.com",
    "guerrillamail.com",
    "guerrillamail.net",
    "sharklasers.com",
    "10minutemail.com",
    "10minutemail.net",
    "tempmail.com",
    "temp-mail.org",
    "temp-mail.io",
    "yopmail.com",
    "yopmail.fr",
    "trashmail.com",
    "trashmail.de",
    "getnada.com",
    "nada.email",
    "dispostable.com",
    "maildrop.cc",
    "throwawaymail.com",
    "fakeinbox.com",
    "mailnesia.com",
    "mintemail.com",
    "spamgourmet.com",
    "emailondeck.com",
    "moakt.com",
    "tempr.email",
    "mohmal.com",
    "burnermail.io",
    "mail.tm",
    "discard.email",
    "getairmail.com",
    "mytemp.email",
    "tmpmail.org",
    "tmail.ws",
    "inboxkitten.com",
];

pub fn is_disposable(email_norm: &str) -> bool {
    email_norm
        .rsplit_once('@')
        .is_some_and(|(_, domain)| DISPOSABLE_DOMAINS.contains(&domain))
}

/// What the rules look at for one attributed lead or sale.
pub struct Subject<'a> {
    pub workspace_id: &'a str,
    pub program_id: &'a str,
    pub partner_id: &'a str,
    pub partner_email_norm: Option<&'a str>,
    pub partner_customer_ref: Option<&'a str>,
    pub partner_audience: Option<i64>,
    pub customer_external_id: &'a str,
    pub customer_email_norm: Option<&'a str>,
    pub customer_identity: Option<&'a str>,
    pub existing_customer: bool,
    pub click_ads_id: Option<&'a str>,
    pub by_promo_code: bool,
    pub now: i64,
    pub velocity_per_hour: i64,
    pub max_per_identity: i64,
    pub coupon_leak_per_1k: i64,
}

/// Runs every rule; returns the ones that fired.
pub async fn check(tx: &mut Tx<'_>, s: &Subject<'_>) -> Result<Vec<Flag>, Error> {
    let mut flags = Vec::new();
    let same_email =
        s.customer_email_norm.is_some() && s.customer_email_norm == s.partner_email_norm;
    let same_customer = s.partner_customer_ref == Some(s.customer_external_id);
    if same_email || same_customer {
        flags.push(Flag {
            rule: "self_referral",
            evidence: json!({
                "same_email": same_email,
                "same_customer_id": same_customer,
                "customer_id": s.customer_external_id,
            }),
        });
    }
    if let Some(email) = s.customer_email_norm.filter(|e| is_disposable(e)) {
        flags.push(Flag {
            rule: "disposable_email",
            evidence: json!({ "domain": email.rsplit_once('@').map(|(_, d)| d) }),
        });
    }
    if s.existing_customer {
        flags.push(Flag {
            rule: "already_a_customer",
            evidence: json!({ "customer_id": s.customer_external_id }),
        });
    }
    if let Some(ads) = s.click_ads_id {
        flags.push(Flag {
            rule: "paid_ads_click",
            evidence: json!({ "ads_click_id": ads }),
        });
    }
    if let Some(identity) = s.customer_identity {
        let row = q(
            "SELECT COUNT(*) FROM customers WHERE workspace_id = $1 AND partner_id = $2 AND identity_hash = $3",
        )
        .bind(s.workspace_id)
        .bind(s.partner_id)
        .bind(identity)
        .fetch_one(&mut tx.conn)
        .await?;
        let same_identity: i64 = row.try_get(0)?;
        if same_identity > s.max_per_identity {
            flags.push(Flag {
                rule: "many_from_one_identity",
                evidence: json!({ "customers_from_identity": same_identity, "limit": s.max_per_identity }),
            });
        }
    }
    let row =
        q("SELECT COUNT(*) FROM leads WHERE workspace_id = $1 AND partner_id = $2 AND at > $3")
            .bind(s.workspace_id)
            .bind(s.partner_id)
            .bind(s.now - 3_600_000)
            .fetch_one(&mut tx.conn)
            .await?;
    let leads_last_hour: i64 = row.try_get(0)?;
    if leads_last_hour > s.velocity_per_hour {
        flags.push(Flag {
            rule: "referral_velocity",
            evidence: json!({ "leads_last_hour": leads_last_hour, "limit": s.velocity_per_hour }),
        });
    }
    if let (true, Some(audience)) = (s.by_promo_code, s.partner_audience)
        && s.coupon_leak_per_1k > 0
    {
        let row = q(
            "SELECT COUNT(*) FROM sales WHERE workspace_id = $1 AND program_id = $2 \
                 AND partner_id = $3 AND code_id IS NOT NULL AND at > $4",
        )
        .bind(s.workspace_id)
        .bind(s.program_id)
        .bind(s.partner_id)
        .bind(s.now - 30 * 86_400_000)
        .fetch_one(&mut tx.conn)
        .await?;
        let code_sales: i64 = row.try_get(0)?;
        let limit = (audience.max(0) * s.coupon_leak_per_1k) / 1000;
        if code_sales > limit.max(1) {
            flags.push(Flag {
                rule: "coupon_leak",
                evidence: json!({
                    "promo_code_sales_30d": code_sales,
                    "audience": audience,
                    "limit": limit.max(1),
                    "advice": "rotate the code: POST /api/v1/codes/{id}/rotate",
                }),
            });
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposable() {
        assert!(super::is_disposable("x@mailinator.com"));
        assert!(!super::is_disposable("x@example.com"));
    }
}
