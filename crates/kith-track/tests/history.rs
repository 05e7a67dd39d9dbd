//! Each partner's referral history (what `kith advocates` ranks by), on
//! SQLite and on PostgreSQL.

mod support;

use kith_model::settings::Tracking;
use kith_track::Db;
use kith_track::clicks::{ClickFacts, NewClick};
use kith_track::commissions::Review;
use kith_track::links::LinkInput;
use kith_track::partners::PartnerInput;
use kith_track::programs::ProgramInput;
use kith_track::rules::RuleInput;
use kith_track::track::{LeadInput, RefundInput, SaleInput, TrackRequest, Tracker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(dir.path().join("kith.db").to_str().unwrap())
        .await
        .unwrap();
    history_sums_what_each_partner_brought(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let Some(url) = support::fresh_postgres_db("referral_history").await else {
        return;
    };
    history_sums_what_each_partner_brought(Db::connect(&url).await.unwrap()).await;
}

async fn history_sums_what_each_partner_brought(db: Db) {
    let ws = db.ensure_workspace("acme").await.unwrap().id;
    let program = db
        .create_program(
            &ws,
            &ProgramInput {
                name: Some("Friends".into()),
                ..Default::default()
            },
            &Tracking::default(),
        )
        .await
        .unwrap();
    let partner = |name: &str, handle: &str, email: &str| PartnerInput {
        name: Some(name.into()),
        kind: Some("customer".into()),
        platform: Some("instagram".into()),
        handle: Some(handle.into()),
        customer_ref: Some(format!("c-{handle}")),
        email: Some(email.into()),
        ..Default::default()
    };
    let ana = db
        .create_partner(&ws, &program.id, &partner("Ana", "ana", "ana@example.com"))
        .await
        .unwrap();
    let bo = db
        .create_partner(&ws, &program.id, &partner("Bo", "bo", "bo@example.com"))
        .await
        .unwrap();
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
                partner_id: Some(ana.id.clone()),
                destination: Some("https://shop.example/".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let target = db.redirect_target(&link.slug).await.unwrap().unwrap();
    let salt = db
        .daily_salt(kith_track::clicks::day_of(kith_track::util::now_ms()))
        .await
        .unwrap();
    let mut clicks = Vec::new();
    for (ip, agent) in [
        ("10.0.0.1", "Mozilla/5.0 Safari"),
        ("10.0.0.2", "Mozilla/5.0 Firefox"),
        ("10.0.0.3", "Googlebot/2.1"),
    ] {
        let facts = ClickFacts {
            ip,
            user_agent: Some(agent),
            referrer: None,
            country: None,
            ads_click_id: None,
        };
        clicks.push(NewClick::new(&target, &facts, &salt));
    }
    db.insert_clicks(&clicks).await.unwrap();

    let tracker = Tracker::start(db.clone());
    let lead = |customer: &str, click: &str, email: &str| LeadInput {
        program_id: program.id.clone(),
        customer_id: customer.into(),
        event_name: None,
        email: Some(email.into()),
        click_id: Some(click.into()),
        code: None,
        ip: None,
        user_agent: None,
        existing_customer: None,
        provider: None,
        provider_event_id: None,
    };
    let sale = |customer: &str, invoice: &str, amount_minor: i64| SaleInput {
        program_id: program.id.clone(),
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
    };
    let submit = |r: TrackRequest| tracker.submit(&ws, None, r);
    submit(TrackRequest::Lead(lead(
        "n1",
        &clicks[0].id,
        "n1@example.org",
    )))
    .await
    .unwrap();
    // Ana refers herself: the referred side's commission is held, then rejected.
    let own = submit(TrackRequest::Lead(lead(
        "n2",
        &clicks[1].id,
        "ANA+shop@example.com",
    )))
    .await
    .unwrap();
    let held = own.body["commissions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.review_commission(
        &ws,
        &held,
        &Review {
            decision: "reject".into(),
            status: None,
            note: Some("her own account".into()),
        },
    )
    .await
    .unwrap();
    submit(TrackRequest::Sale(sale("n1", "INV-1", 10_000)))
        .await
        .unwrap();
    submit(TrackRequest::Sale(sale("n1", "INV-2", 2_550)))
        .await
        .unwrap();
    submit(TrackRequest::Refund(RefundInput {
        program_id: program.id.clone(),
        invoice_id: "INV-2".into(),
        refund_id: "R-1".into(),
        amount_minor: 2_550,
        provider: None,
        provider_event_id: None,
    }))
    .await
    .unwrap();

    let history = db.referral_history(&ws).await.unwrap();
    assert_eq!(history.len(), 2);
    let a = history.iter().find(|p| p.partner_id == ana.id).unwrap();
    assert_eq!(
        (a.platform.as_deref(), a.handle.as_deref(), a.kind.as_str()),
        (Some("instagram"), Some("ana"), "customer")
    );
    assert_eq!(a.customer_ref.as_deref(), Some("c-ana"));
    let h = &a.history;
    assert_eq!(h.clicks_human, 2, "the bot's click is left out");
    assert_eq!(h.leads, 2);
    assert_eq!(h.sales, 1, "the fully refunded sale is not counted");
    assert_eq!(h.revenue["USD"], 100.0);
    assert_eq!(h.commissions_rejected, 1);
    let b = history.iter().find(|p| p.partner_id == bo.id).unwrap();
    assert!(b.history.is_empty());
    assert_eq!(b.history.partners, 1);

    // Another workspace sees none of it.
    let other = db.ensure_workspace("other").await.unwrap().id;
    assert!(db.referral_history(&other).await.unwrap().is_empty());
}
