//! Outbound webhooks against a real receiving server on loopback: signed,
//! stable event ids, retried, and the endpoint disabled after its retries
//! run out.

mod common;

use axum::http::{HeaderMap, StatusCode};
use common::{Backend, Server};
use kith_track::keys::Scope;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver that records what it gets and answers `status`.
async fn receiver(status: StatusCode) -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push((headers, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(
                    super::Server::start(super::Backend::Sqlite, stringify!($scenario))
                        .await
                        .unwrap(),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(s) =
                    super::Server::start(super::Backend::Postgres, stringify!($scenario)).await
                else {
                    return;
                };
                super::$scenario(s).await;
            }
        }
    };
}

async fn signed_delivered_and_disabled_after_retries(s: Server) {
    let admin = s.key("acme", Scope::Admin).await;
    let (program, partner, _) = s.program(&admin).await;
    let (ok_url, ok_received) = receiver(StatusCode::OK).await;
    let (bad_url, bad_received) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let (status, good) = s
        .post(
            &admin,
            "/api/v1/webhooks",
            json!({ "url": ok_url, "event_types": ["sale.created"] }),
        )
        .await;
    assert_eq!(status, 201, "{good}");
    let secret = good["secret"].as_str().unwrap().to_string();
    let (_, bad) = s
        .post(&admin, "/api/v1/webhooks", json!({ "url": bad_url }))
        .await;
    let bad_id = bad["id"].as_str().unwrap().to_string();
    s.post(
        &admin,
        "/api/v1/codes",
        json!({ "partner_id": partner, "code": "ANA10" }),
    )
    .await;
    let (status, _) = s
        .post(
            &admin,
            "/api/v1/track/sale",
            json!({ "program_id": program, "customer_id": "c", "invoice_id": "I",
                 "amount_minor": 1000, "currency": "USD", "code": "ANA10" }),
        )
        .await;
    assert_eq!(status, 201);

    // The background task delivers within a few seconds.
    let mut waited = 0;
    while ok_received.lock().unwrap().is_empty() || bad_received.lock().unwrap().is_empty() {
        assert!(waited < 100, "no delivery within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let (headers, body) = ok_received.lock().unwrap()[0].clone();
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["type"], "sale.created");
    assert_eq!(
        headers["kith-event-id"].to_str().unwrap(),
        event["id"].as_str().unwrap()
    );
    let signature = headers["kith-signature"].to_str().unwrap();
    let t: i64 = signature
        .trim_start_matches("t=")
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        signature,
        kith_track::webhooks::signature(&secret, t, &body)
    );
    assert_eq!(
        ok_received.lock().unwrap().len(),
        1,
        "only subscribed types are sent"
    );

    // The failing endpoint is retried on schedule, then disabled. Time is
    // moved forward by passing a later `now`. First the background task's
    // own first attempt must be recorded: the receiver saw the request a
    // moment before the task wrote the failure down (and while it holds the
    // delivery's lease, a second sender skips it).
    let mut waited = 0;
    loop {
        let (_, deliveries) = s
            .get(&admin, &format!("/api/v1/webhooks/{bad_id}/deliveries"))
            .await;
        if deliveries
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["attempts"].as_i64() >= Some(1)))
        {
            break;
        }
        assert!(waited < 100, "first attempt not recorded within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let client = reqwest::Client::new();
    let mut now = kith_track::util::now_ms();
    for delay in kith_track::webhooks::RETRY_DELAYS_S {
        now += delay * 1000 + 1000;
        s.db.deliver_due_webhooks(&client, now).await.unwrap();
    }
    let (_, endpoint) = s.get(&admin, &format!("/api/v1/webhooks/{bad_id}")).await;
    assert_eq!(endpoint["active"], false, "{endpoint}");
    assert!(
        endpoint["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    let (_, deliveries) = s
        .get(&admin, &format!("/api/v1/webhooks/{bad_id}/deliveries"))
        .await;
    let first = &deliveries.as_array().unwrap()[0];
    assert_eq!(first["status"], "failed");
    assert_eq!(
        first["attempts"].as_i64(),
        Some(kith_track::webhooks::RETRY_DELAYS_S.len() as i64 + 1)
    );
    let ids: std::collections::BTreeSet<String> = bad_received
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, b)| b.contains("sale.created"))
        .map(|(h, _)| h["kith-event-id"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "every retry carries the same event id");
    let total: i64 = kith_track::webhooks::RETRY_DELAYS_S.iter().sum();
    assert!(total >= 24 * 3600, "retries span at least 24 hours");
}
on_both_backends!(signed_delivered_and_disabled_after_retries);
