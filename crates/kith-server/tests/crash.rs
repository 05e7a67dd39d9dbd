//! SIGKILL of the server in the middle of a load of 10,000 clicks and 2,000
//! sales sent with retries: after a restart every acknowledged click is on
//! disk, and no sale or commission is counted twice. On SQLite and on
//! PostgreSQL.
//!
//! The server runs in a child process: this test binary started again with
//! `KITH_CRASH_CHILD` set, running [`child_server`].

mod common;

use common::support;
use kith_track::Db;
use kith_track::keys::Scope;
use serde_json::json;
use sqlx::Row;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLICKS: usize = 10_000;
const SALES: usize = 2_000;

/// The server half: does nothing unless started by the parent test.
#[test]
fn child_server() {
    let Ok(spec) = std::env::var("KITH_CRASH_CHILD") else {
        return;
    };
    let (addr, url) = spec.split_once('|').unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::connect(url).await.unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let config = kith_server::Config {
            background_tasks: false,
            ..Default::default()
        };
        kith_server::serve(listener, db, config).await.unwrap();
    });
}

fn spawn_child(addr: &str, url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_server", "--nocapture", "--test-threads=1"])
        .env("KITH_CRASH_CHILD", format!("{addr}|{url}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} did not come up");
}

async fn sigkill_under_load(url: String) {
    let db = Db::connect(&url).await.unwrap();
    let admin = db
        .create_api_key("acme", Scope::Admin, "crash")
        .await
        .unwrap()
        .1;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut child = spawn_child(&addr, &url);
    wait_healthy(&http, &base).await;

    let post = |path: &str, body: serde_json::Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let program: serde_json::Value = post("/api/v1/programs", json!({ "name": "P" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let program = program["id"].as_str().unwrap().to_string();
    let partner: serde_json::Value = post(
        &format!("/api/v1/programs/{program}/partners"),
        json!({ "name": "Ana" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let partner = partner["id"].as_str().unwrap().to_string();
    post(
        &format!("/api/v1/programs/{program}/rules"),
        json!({ "event": "sale", "kind": "percent", "percent_bp": 1000 }),
    )
    .await
    .unwrap();
    post(
        "/api/v1/codes",
        json!({ "partner_id": partner, "code": "ANA10" }),
    )
    .await
    .unwrap();
    let link: serde_json::Value = post(
        "/api/v1/links",
        json!({ "partner_id": partner, "destination": "https://x.example/" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let slug = link["slug"].as_str().unwrap().to_string();

    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let sales_done = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (http, base, slug, admin, program) = (
            http.clone(),
            base.clone(),
            slug.clone(),
            admin.clone(),
            program.clone(),
        );
        let (acknowledged, next, sales_done) =
            (acknowledged.clone(), next.clone(), sales_done.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let job = next.fetch_add(1, Ordering::Relaxed);
                if job >= CLICKS + SALES {
                    break;
                }
                // Interleave: every sixth job is a sale.
                if job % 6 == 0 && job / 6 < SALES {
                    let i = job / 6;
                    let body = json!({ "program_id": program, "customer_id": format!("c{i}"), "invoice_id": format!("INV-{i}"),
                                       "amount_minor": 1000, "currency": "USD", "code": "ANA10" });
                    // Retried until acknowledged, through the crash.
                    loop {
                        let sent = http.post(format!("{base}/api/v1/track/sale")).bearer_auth(&admin)
                            .header("idempotency-key", format!("sale-{i}")).json(&body).send().await;
                        if let Ok(r) = sent
                            && r.status().is_success() {
                                sales_done.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                } else {
                    let sent = http.get(format!("{base}/{slug}")).header("user-agent", "Mozilla/5.0 Safari").send().await;
                    if let Ok(r) = sent
                        && let Some(location) = r.headers().get("location").and_then(|l| l.to_str().ok())
                            && let Some(id) = location.split("kith_click=").nth(1) {
                                acknowledged.lock().unwrap().push(id.to_string());
                            }
                }
            }
        }));
    }
    // Kill the server hard once a third of the work is acknowledged.
    while acknowledged.lock().unwrap().len() < CLICKS / 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = acknowledged.lock().unwrap().len();
    let mut child = spawn_child(&addr, &url);
    wait_healthy(&http, &base).await;
    for w in workers {
        w.await.unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let stored: HashSet<String> = sqlx::query("SELECT id FROM clicks")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > at_kill,
        "load went on after the restart"
    );
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged clicks lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    assert_eq!(sales_done.load(Ordering::Relaxed), SALES);
    let pool = db.pool();
    assert_eq!(
        count(pool, "SELECT COUNT(*) FROM sales").await,
        SALES as i64
    );
    assert_eq!(
        count(pool, "SELECT COUNT(DISTINCT invoice_id) FROM sales").await,
        SALES as i64
    );
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM commissions WHERE event_kind = 'sale'"
        )
        .await,
        SALES as i64
    );
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(DISTINCT event_id) FROM commissions WHERE event_kind = 'sale'"
        )
        .await,
        SALES as i64
    );
    eprintln!(
        "crash test: {} clicks acknowledged ({at_kill} before the kill), {} stored, {SALES} sales once each",
        acknowledged.len(),
        stored.len()
    );
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(pool)
        .await
        .unwrap()
        .get::<i64, _>(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    sigkill_under_load(dir.path().join("kith.db").to_str().unwrap().to_string()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_postgres() {
    let Some(url) = support::fresh_postgres_db("crash").await else {
        return;
    };
    sigkill_under_load(url).await;
}
