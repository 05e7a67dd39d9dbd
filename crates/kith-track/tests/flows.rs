//! The tracking flows end to end against a real database, the same suite on
//! SQLite (a file in a temporary directory) and on PostgreSQL.

mod support;

use kith_model::settings::Tracking;
use kith_track::clicks::{ClickFacts, NewClick};
use kith_track::commissions::{CommissionFilter, Review};
use kith_track::links::{CodeInput, LinkInput};
use kith_track::partners::{CampaignInput, PartnerInput};
use kith_track::programs::ProgramInput;
use kith_track::rules::RuleInput;
use kith_track::track::{LeadInput, RefundInput, SaleInput, TrackReply, TrackRequest, Tracker};
use kith_track::{Db, Error};
use serde_json::Value;

/// Runs a scenario on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let db = kith_track::Db::connect(dir.path().join("kith.db").to_str().unwrap())
                    .await
                    .unwrap();
                super::$scenario(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = super::support::fresh_postgres_db(stringify!($scenario)).await
                else {
                    return;
                };
                let db = kith_track::Db::connect(&url).await.unwrap();
                super::$scenario(db).await;
            }
        }
    };
}

struct Setup {
    ws: String,
    program: String,
    partner: String,
    link: kith_track::links::RedirectTarget,
    tracker: Tracker,
}

async fn setup(db: &Db, tenant: &str) -> Setup {
    let ws = db.ensure_workspace(tenant).await.unwrap().id;
    let program = db
        .create_program(
            &ws,
            &ProgramInput {
                name: Some("Spring".into()),
                ..Default::default()
            },
            &Tracking::default(),
        )
        .await
        .unwrap();
    let partner = db
        .create_partner(
            &ws,
            &program.id,
            &PartnerInput {
                name: Some("Ana Trail".into()),
                email: Some("ana@example.com".into()),
                audience_size: Some(5_000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // 10% of sales to the partner; 5.00 to the referred customer on signup.
    for input in [
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
            amount_minor: Some(500),
            ..Default::default()
        },
    ] {
        db.create_rule(&ws, &program.id, &input).await.unwrap();
    }
    let link = db
        .create_link(
            &ws,
            &LinkInput {
                partner_id: Some(partner.id.clone()),
                destination: Some("https://shop.example/spring".into()),
                utm_source: Some("kith".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let target = db.redirect_target(&link.slug).await.unwrap().unwrap();
    assert_eq!(
        target.destination,
        "https://shop.example/spring?utm_source=kith"
    );
    Setup {
        ws,
        program: program.id,
        partner: partner.id,
        link: target,
        tracker: Tracker::start(db.clone()),
    }
}

async fn click(db: &Db, s: &Setup, ip: &str) -> String {
    let salt = db
        .daily_salt(kith_track::clicks::day_of(kith_track::util::now_ms()))
        .await
        .unwrap();
    let facts = ClickFacts {
        ip,
        user_agent: Some("Mozilla/5.0 Safari"),
        referrer: None,
        country: None,
        ads_click_id: None,
    };
    let click = NewClick::new(&s.link, &facts, &salt);
    db.insert_clicks(std::slice::from_ref(&click))
        .await
        .unwrap();
    click.id
}

fn lead(s: &Setup, customer: &str) -> LeadInput {
    LeadInput {
        program_id: s.program.clone(),
        customer_id: customer.into(),
        event_name: None,
        email: Some(format!("{customer}@example.org")),
        click_id: None,
        code: None,
        ip: None,
        user_agent: None,
        existing_customer: None,
        provider: None,
        provider_event_id: None,
    }
}

fn sale(s: &Setup, customer: &str, invoice: &str, amount_minor: i64) -> SaleInput {
    SaleInput {
        program_id: s.program.clone(),
        customer_id: customer.into(),
        invoice_id: invoice.into(),
        amount_minor,
        currency: "USD".into(),
        email: None,
        click_id: None,
        code: None,
        ip: None,
        user_agent: None,
        existing_customer: None,
        provider: None,
        provider_event_id: None,
    }
}

async fn submit(s: &Setup, key: Option<&str>, request: TrackRequest) -> Result<TrackReply, Error> {
    s.tracker
        .submit(&s.ws, key.map(str::to_string), request)
        .await
}

fn amounts(reply: &TrackReply) -> Vec<(String, i64, String)> {
    reply.body["commissions"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["side"].as_str().unwrap_or("").to_string(),
                        c["amount_minor"].as_i64().unwrap_or(0),
                        c["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn click_lead_sale_refund(db: Db) {
    let s = setup(&db, "acme").await;
    let click_id = click(&db, &s, "10.0.0.1").await;

    let mut signup = lead(&s, "cust-1");
    signup.click_id = Some(click_id.clone());
    let first = submit(&s, Some("lead-1"), TrackRequest::Lead(signup.clone()))
        .await
        .unwrap();
    assert_eq!(first.status, 201);
    assert_eq!(first.body["attribution"]["by"], "click");
    assert_eq!(
        first.body["attribution"]["partner_id"],
        Value::from(s.partner.clone())
    );
    assert_eq!(
        amounts(&first),
        vec![("referred".into(), 500, "pending".into())]
    );

    // A retry with the same key replays; another key hits the unique lead.
    let replay = submit(&s, Some("lead-1"), TrackRequest::Lead(signup.clone()))
        .await
        .unwrap();
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, first.body);
    let again = submit(&s, None, TrackRequest::Lead(signup.clone()))
        .await
        .unwrap();
    assert_eq!(
        (again.status, again.body["duplicate"].as_bool()),
        (200, Some(true))
    );
    // The same key with another body is refused and changes nothing.
    let mut other = signup.clone();
    other.customer_id = "cust-other".into();
    assert!(matches!(
        submit(&s, Some("lead-1"), TrackRequest::Lead(other)).await,
        Err(Error::Conflict(_))
    ));

    // The sale follows the customer, not the cookie.
    let bought = submit(
        &s,
        Some("sale-1"),
        TrackRequest::Sale(sale(&s, "cust-1", "INV-1", 10_000)),
    )
    .await
    .unwrap();
    assert_eq!(bought.status, 201);
    assert_eq!(
        amounts(&bought),
        vec![("referrer".into(), 1000, "pending".into())]
    );
    let dup = submit(
        &s,
        None,
        TrackRequest::Sale(sale(&s, "cust-1", "INV-1", 10_000)),
    )
    .await
    .unwrap();
    assert_eq!(dup.status, 200);

    // A partial refund claws back in proportion, a full one reverses.
    let refund = |id: &str, amount| RefundInput {
        program_id: s.program.clone(),
        invoice_id: "INV-1".into(),
        refund_id: id.into(),
        amount_minor: amount,
        provider: None,
        provider_event_id: None,
    };
    let partial = submit(&s, None, TrackRequest::Refund(refund("R1", 2_500)))
        .await
        .unwrap();
    assert_eq!(
        amounts(&partial),
        vec![("referrer".into(), -250, "pending".into())]
    );
    let too_much = submit(&s, None, TrackRequest::Refund(refund("R2", 9_000))).await;
    assert!(matches!(too_much, Err(Error::Invalid(_))), "{too_much:?}");
    let rest = submit(&s, None, TrackRequest::Refund(refund("R2", 7_500)))
        .await
        .unwrap();
    assert_eq!(
        amounts(&rest),
        vec![("referrer".into(), 1000, "refunded".into())]
    );
    let live: i64 = db
        .list_commissions(
            &s.ws,
            &CommissionFilter {
                partner_id: Some(s.partner.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .iter()
        .filter(|c| c.side == "referrer" && c.status != "refunded")
        .map(|c| c.amount_minor)
        .sum();
    assert_eq!(live, 0, "a fully refunded sale pays nothing");

    let report = db.program_report(&s.ws, &s.program, 24).await.unwrap();
    let row = &report.rows[0];
    assert_eq!(
        (
            row.clicks_human,
            row.unique_clicks_human,
            row.leads,
            row.sales
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(row.revenue_minor, 0);
}
on_both_backends!(click_lead_sale_refund);

async fn codes_and_first_bind_wins(db: Db) {
    let s = setup(&db, "acme").await;
    let codes = db
        .create_codes(
            &s.ws,
            &CodeInput {
                partner_id: s.partner.clone(),
                kind: Some("promo".into()),
                pattern: Some("{NAME}10".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(codes[0].code, "ANATRAIL10");
    let other = db
        .create_partner(
            &s.ws,
            &s.program,
            &PartnerInput {
                name: Some("Ben".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ben_code = db
        .create_codes(
            &s.ws,
            &CodeInput {
                partner_id: other.id.clone(),
                code: Some("BEN5".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // A promo code attributes a sale that came without a click.
    let mut with_code = sale(&s, "cust-9", "INV-9", 4_000);
    with_code.code = Some("anatrail10".into());
    let r = submit(&s, None, TrackRequest::Sale(with_code))
        .await
        .unwrap();
    assert_eq!(r.body["attribution"]["by"], "promo_code");
    assert_eq!(
        r.body["attribution"]["partner_id"],
        Value::from(s.partner.clone())
    );

    // Bound once, always: a later code of another partner changes nothing.
    let mut later = sale(&s, "cust-9", "INV-10", 1_000);
    later.code = Some(ben_code[0].code.clone());
    let r = submit(&s, None, TrackRequest::Sale(later)).await.unwrap();
    assert_eq!(
        r.body["attribution"]["partner_id"],
        Value::from(s.partner.clone())
    );

    // Unknown codes and inactive codes are refused without a trace.
    let mut unknown = sale(&s, "cust-10", "INV-11", 1_000);
    unknown.code = Some("NOPE".into());
    assert!(matches!(
        submit(&s, None, TrackRequest::Sale(unknown)).await,
        Err(Error::NotFound(_))
    ));
    let rotated = db.rotate_code(&s.ws, &codes[0].id).await.unwrap();
    assert!(rotated.code.starts_with("ANATRAIL10-"));
    let mut old = sale(&s, "cust-11", "INV-12", 1_000);
    old.code = Some("ANATRAIL10".into());
    assert!(matches!(
        submit(&s, None, TrackRequest::Sale(old)).await,
        Err(Error::Invalid(_))
    ));
    let report = db.program_report(&s.ws, &s.program, 24).await.unwrap();
    assert_eq!(report.totals.sales, 2, "refused sales left nothing behind");
}
on_both_backends!(codes_and_first_bind_wins);

async fn fraud_holds_and_review(db: Db) {
    let s = setup(&db, "acme").await;
    let click_id = click(&db, &s, "10.0.0.2").await;
    // The partner refers herself (same mailbox, Gmail-style variant).
    let mut own = lead(&s, "cust-self");
    own.email = Some("ANA+shop@example.com".into());
    own.click_id = Some(click_id);
    let r = submit(&s, None, TrackRequest::Lead(own)).await.unwrap();
    assert_eq!(r.body["fraud_flags"][0]["rule"], "self_referral");
    assert_eq!(amounts(&r), vec![("referred".into(), 500, "hold".into())]);
    let id = r.body["commissions"][0]["id"].as_str().unwrap().to_string();

    // A disposable mailbox is flagged too.
    let mut throwaway = lead(&s, "cust-temp");
    throwaway.email = Some("x@mailinator.com".into());
    throwaway.click_id = Some(click(&db, &s, "10.0.0.3").await);
    let r = submit(&s, None, TrackRequest::Lead(throwaway))
        .await
        .unwrap();
    assert_eq!(r.body["fraud_flags"][0]["rule"], "disposable_email");

    let rejected = db
        .review_commission(
            &s.ws,
            &id,
            &Review {
                decision: "reject".into(),
                status: None,
                note: Some("own account".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, "fraud");
    assert!(matches!(
        db.review_commission(
            &s.ws,
            &id,
            &Review {
                decision: "approve".into(),
                status: None,
                note: None
            }
        )
        .await,
        Err(Error::Conflict(_))
    ));
}
on_both_backends!(fraud_holds_and_review);

async fn payouts_and_clawback_after_payment(db: Db) {
    let s = setup(&db, "acme").await;
    let mut signup = lead(&s, "cust-p");
    signup.click_id = Some(click(&db, &s, "10.0.0.4").await);
    submit(&s, None, TrackRequest::Lead(signup)).await.unwrap();
    submit(
        &s,
        None,
        TrackRequest::Sale(sale(&s, "cust-p", "INV-P1", 20_000)),
    )
    .await
    .unwrap();
    // Nothing is approved before the holding period ends.
    assert_eq!(db.create_payouts(&s.ws, &s.program).await.unwrap().len(), 0);
    let far_future = kith_track::util::now_ms() + 31 * 86_400_000;
    assert!(db.approve_due(far_future).await.unwrap() >= 1);
    let paid = db.create_payouts(&s.ws, &s.program).await.unwrap();
    assert_eq!((paid.len(), paid[0].amount_minor), (1, 2_000));
    // Refund after payment: a negative commission, due at once.
    let r = submit(
        &s,
        None,
        TrackRequest::Refund(RefundInput {
            program_id: s.program.clone(),
            invoice_id: "INV-P1".into(),
            refund_id: "R-P1".into(),
            amount_minor: 20_000,
            provider: None,
            provider_event_id: None,
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        amounts(&r),
        vec![("referrer".into(), -2_000, "approved".into())]
    );
    // The balance is negative: no payout until later earnings cover it.
    assert_eq!(db.create_payouts(&s.ws, &s.program).await.unwrap().len(), 0);
    let csv = db.partner_statement_csv(&s.ws, &s.partner).await.unwrap();
    assert!(csv.contains("paid") && csv.contains("-20.00"), "{csv}");
    assert!(csv.lines().last().unwrap().contains("-20.00"), "{csv}");
}
on_both_backends!(payouts_and_clawback_after_payment);

async fn workspaces_are_apart(db: Db) {
    let a = setup(&db, "brand-a").await;
    let b_ws = db.ensure_workspace("brand-b").await.unwrap().id;
    assert!(matches!(
        db.program(&b_ws, &a.program).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        db.partner(&b_ws, &a.partner).await,
        Err(Error::NotFound(_))
    ));
    assert!(db.list_programs(&b_ws).await.unwrap().is_empty());
    let b = Tracker::start(db.clone());
    let attempt = b
        .submit(&b_ws, None, TrackRequest::Sale(sale(&a, "c", "I", 100)))
        .await;
    assert!(matches!(attempt, Err(Error::NotFound(_))), "{attempt:?}");
    let campaign = db
        .create_campaign(
            &b_ws,
            &a.program,
            &CampaignInput {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(campaign, Err(Error::NotFound(_))));
}
on_both_backends!(workspaces_are_apart);

async fn concurrent_same_sale_counts_once(db: Db) {
    let s = setup(&db, "acme").await;
    let click_id = click(&db, &s, "10.0.0.5").await;
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let tracker = s.tracker.clone();
        let ws = s.ws.clone();
        let mut one_sale = sale(&s, "cust-c", "INV-C", 5_000);
        one_sale.click_id = Some(click_id.clone());
        let request = TrackRequest::Sale(one_sale);
        tasks.push(tokio::spawn(async move {
            tracker.submit(&ws, Some("same-key".into()), request).await
        }));
    }
    let mut created = 0;
    for t in tasks {
        let reply = t.await.unwrap().unwrap();
        if reply.status == 201 {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    let report = db.program_report(&s.ws, &s.program, 24).await.unwrap();
    assert_eq!(report.totals.sales, 1);
    let commissions = db
        .list_commissions(&s.ws, &CommissionFilter::default())
        .await
        .unwrap();
    assert_eq!(commissions.len(), 1);
}
on_both_backends!(concurrent_same_sale_counts_once);

/// Clicks and tracking writes waiting together share the writer's batches
/// (on SQLite, one transaction): a refused sale among them leaves nothing
/// behind and takes neither the clicks nor the good sales with it.
async fn clicks_and_refused_sales_in_one_batch(db: Db) {
    let s = setup(&db, "acme").await;
    let clicks = kith_track::clicks::ClickRecorder::start(db.clone());
    let today = kith_track::clicks::day_of(kith_track::util::now_ms());
    let salt = db.daily_salt(today).await.unwrap();
    let (mut recorded, mut sales) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let facts = ClickFacts {
            ip: "10.0.0.9",
            user_agent: Some("Mozilla/5.0 Safari"),
            referrer: None,
            country: None,
            ads_click_id: None,
        };
        let (clicks, click) = (clicks.clone(), NewClick::new(&s.link, &facts, &salt));
        recorded.push(tokio::spawn(async move { clicks.record(click).await }));
        let mut request = sale(&s, &format!("c-{i}"), &format!("INV-{i}"), 1_000);
        if i % 4 == 0 {
            request.code = Some("NO-SUCH-CODE".into()); // refused: unknown code
        }
        let (tracker, ws) = (s.tracker.clone(), s.ws.clone());
        sales.push(tokio::spawn(async move {
            tracker.submit(&ws, None, TrackRequest::Sale(request)).await
        }));
    }
    for r in recorded {
        r.await.unwrap().unwrap();
    }
    let mut created = 0;
    for (i, t) in sales.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(reply) if i % 4 != 0 && reply.status == 201 => created += 1,
            Err(Error::NotFound(_)) if i % 4 == 0 => {}
            other => panic!("sale {i}: {other:?}"),
        }
    }
    assert_eq!(created, 150);
    let report = db.program_report(&s.ws, &s.program, 24).await.unwrap();
    assert_eq!(report.totals.clicks_human, 200);
    let pool = db.pool();
    let sql = "SELECT COUNT(*) FROM sales";
    let stored: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
    assert_eq!(stored, 150);
    // The refused sales' customers were made before the code was read: the
    // savepoint took them back.
    let sql = "SELECT COUNT(*) FROM customers";
    let customers: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
    assert_eq!(customers, 150);
}
on_both_backends!(clicks_and_refused_sales_in_one_batch);
