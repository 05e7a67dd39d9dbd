//! The demo brand's referral program written into the workspace's kith.db
//! through the tracking API (the same code `kith serve` runs): a partner,
//! a tracked link, its clicks, the friends' signups and purchases for each
//! referrer, and the planted self-referral held by the fraud rules and
//! rejected on review.

use crate::cmd::program::{connect, track_error};
use crate::context::{CliError, exit};
use kith_demo::{ReferralProgram, Referrer};
use kith_model::Settings;
use kith_track::clicks::{ClickFacts, NewClick, day_of};
use kith_track::commissions::Review;
use kith_track::keys::DEFAULT_WORKSPACE;
use kith_track::links::{LinkInput, RedirectTarget};
use kith_track::partners::PartnerInput;
use kith_track::programs::ProgramInput;
use kith_track::rules::RuleInput;
use kith_track::track::{LeadInput, SaleInput, TrackRequest, Tracker};
use kith_track::util::now_ms;
use kith_track::{Db, Error};
use std::path::Path;

/// Counts of what was written.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Written {
    pub partners: usize,
    pub clicks: usize,
    pub leads: usize,
    pub sales: usize,
    pub rejected_as_fraud: usize,
}

pub fn write(
    db_path: &Path,
    program: &ReferralProgram,
    settings: &Settings,
) -> anyhow::Result<Written> {
    let url = db_path
        .to_str()
        .ok_or_else(|| CliError::error(exit::IO, "workspace path is not UTF-8"))?
        .to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::error(exit::SOFTWARE, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let db = connect(&url).await?;
        let result = write_all(&db, program, settings).await.map_err(track_error);
        db.close().await;
        result
    })
}

async fn write_all(
    db: &Db,
    program: &ReferralProgram,
    settings: &Settings,
) -> Result<Written, Error> {
    let ws = db.ensure_workspace(DEFAULT_WORKSPACE).await?.id;
    let p = db
        .create_program(
            &ws,
            &ProgramInput {
                name: Some(program.name.clone()),
                currency: Some(settings.costs.currency.clone()),
                ..Default::default()
            },
            &settings.tracking,
        )
        .await?;
    // Double-sided: 10% of each referred sale to the referrer, 10.00 to the
    // friend on signup.
    for rule in [
        RuleInput {
            event: Some("sale".into()),
            kind: Some("percent".into()),
            percent_bp: Some(1000),
            ..Default::default()
        },
        RuleInput {
            side: Some("referred".into()),
            event: Some("lead".into()),
            kind: Some("flat".into()),
            amount_minor: Some(1000),
            ..Default::default()
        },
    ] {
        db.create_rule(&ws, &p.id, &rule).await?;
    }
    let salt = db.daily_salt(day_of(now_ms())).await?;
    let tracker = Tracker::start(db.clone());
    let mut written = Written::default();
    for (k, r) in program.referrers.iter().enumerate() {
        let partner = db
            .create_partner(
                &ws,
                &p.id,
                &PartnerInput {
                    name: Some(r.name.clone()),
                    kind: Some("customer".into()),
                    email: Some(r.email.clone()),
                    customer_ref: Some(r.customer_id.clone()),
                    platform: Some(r.platform.as_str().to_string()),
                    handle: Some(r.handle.clone()),
                    ..Default::default()
                },
            )
            .await?;
        written.partners += 1;
        let link = db
            .create_link(
                &ws,
                &LinkInput {
                    partner_id: Some(partner.id.clone()),
                    destination: Some("https://shop.example/".into()),
                    utm_source: Some("referral".into()),
                    ..Default::default()
                },
            )
            .await?;
        let Some(target) = db.redirect_target(&link.slug).await? else {
            return Err(Error::NotFound(format!("link {}", link.slug)));
        };
        let clicks = clicks_of(r, k, &target, &salt);
        db.insert_clicks(&clicks).await?;
        written.clicks += clicks.len();
        let lead = |customer: String, email: String, click: &str| LeadInput {
            program_id: p.id.clone(),
            customer_id: customer,
            event_name: None,
            email: Some(email),
            click_id: Some(click.to_string()),
            code: None,
            ip: None,
            user_agent: None,
            existing_customer: None,
            provider: None,
            provider_event_id: None,
        };
        if r.self_referral {
            let (local, domain) = r.email.split_once('@').unwrap_or((&r.email, "example.com"));
            let reply = tracker
                .submit(
                    &ws,
                    None,
                    TrackRequest::Lead(lead(
                        format!("{}-again", r.customer_id),
                        format!("{local}+again@{domain}"),
                        &clicks[0].id,
                    )),
                )
                .await?;
            written.leads += 1;
            for c in reply.body["commissions"].as_array().into_iter().flatten() {
                if c["status"] == "hold"
                    && let Some(id) = c["id"].as_str()
                {
                    db.review_commission(
                        &ws,
                        id,
                        &Review {
                            decision: "reject".into(),
                            status: None,
                            note: Some("signed up through her own link".into()),
                        },
                    )
                    .await?;
                    written.rejected_as_fraud += 1;
                }
            }
            continue;
        }
        for (j, purchases) in r.friends.iter().enumerate() {
            let friend = format!("{}-friend-{}", r.customer_id, j + 1);
            let email = format!("friend{}.{}@example.org", k + 1, j + 1);
            tracker
                .submit(
                    &ws,
                    None,
                    TrackRequest::Lead(lead(friend.clone(), email, &clicks[j].id)),
                )
                .await?;
            written.leads += 1;
            for (m, &amount_minor) in purchases.iter().enumerate() {
                let sale = SaleInput {
                    program_id: p.id.clone(),
                    customer_id: friend.clone(),
                    invoice_id: format!("{friend}-order-{}", m + 1),
                    amount_minor,
                    currency: settings.costs.currency.clone(),
                    email: None,
                    click_id: None,
                    code: None,
                    ip: None,
                    user_agent: None,
                    existing_customer: None,
                    provider: None,
                    provider_event_id: None,
                };
                tracker.submit(&ws, None, TrackRequest::Sale(sale)).await?;
                written.sales += 1;
            }
        }
    }
    Ok(written)
}

/// The referrer's clicks, each from its own address (a friend's browser).
fn clicks_of(r: &Referrer, k: usize, target: &RedirectTarget, salt: &str) -> Vec<NewClick> {
    (0..r.clicks.max(r.friends.len() as u32).max(1))
        .map(|c| {
            let ip = format!("10.{}.{}.{}", k % 250, c / 250, c % 250 + 1);
            let facts = ClickFacts {
                ip: &ip,
                user_agent: Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"),
                referrer: Some("https://www.instagram.com/"),
                country: None,
                ads_click_id: None,
            };
            NewClick::new(target, &facts, salt)
        })
        .collect()
}
