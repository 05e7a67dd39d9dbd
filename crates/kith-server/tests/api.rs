//! The HTTP API against a real server and database: auth and scopes,
//! redirects and clicks, tracking, bad input, workspace isolation over every
//! endpoint of the OpenAPI document, and webhooks. Each test runs on SQLite
//! and on PostgreSQL.

mod common;

use common::{Backend, Server};
use kith_track::keys::Scope;
use serde_json::{Value, json};

macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let server = super::Server::start(super::Backend::Sqlite, stringify!($scenario))
                    .await
                    .unwrap();
                super::$scenario(server).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(server) =
                    super::Server::start(super::Backend::Postgres, stringify!($scenario)).await
                else {
                    return;
                };
                super::$scenario(server).await;
            }
        }
    };
}

async fn count(s: &Server, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(s.db.pool())
        .await
        .unwrap()
        .get(0)
}

async fn keys_and_scopes(s: Server) {
    let r = s.http.get(s.url("/api/v1/programs")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = s.get("kith_not_a_key", "/api/v1/programs").await;
    assert_eq!(status, 401);
    let read = s.key("acme", Scope::Read).await;
    let track = s.key("acme", Scope::Track).await;
    let (status, body) = s
        .post(&read, "/api/v1/programs", json!({ "name": "x" }))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, _) = s.get(&track, "/api/v1/programs").await;
    assert_eq!(status, 403);
    let (status, body) = s.get(&read, "/api/v1/programs").await;
    assert_eq!((status, body), (200, json!([])));
    let r = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let metrics = s
        .http
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("kith_http_requests_total"), "{metrics}");
    // The latency histogram is cumulative: each bucket holds at least the
    // one before, +Inf equals the count, and every request so far is in it.
    let value = |line: &str| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap();
    let buckets: Vec<u64> = metrics
        .lines()
        .filter(|l| l.starts_with("kith_http_request_duration_seconds_bucket"))
        .map(value)
        .collect();
    assert_eq!(buckets.len(), 12, "{metrics}");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{metrics}");
    let count = metrics
        .lines()
        .find(|l| l.starts_with("kith_http_request_duration_seconds_count"))
        .map(value)
        .unwrap();
    assert_eq!(buckets[11], count);
    assert!(count >= 4, "{metrics}");
}
on_both_backends!(keys_and_scopes);

async fn redirects_and_clicks(s: Server) {
    let admin = s.key("acme", Scope::Admin).await;
    let (_, _, slug) = s.program(&admin).await;
    let browser = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36";
    let r = s
        .http
        .get(s.url(&format!("/{slug}")))
        .header("user-agent", browser)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("https://shop.example/x?kith_click=clk_"),
        "{location}"
    );
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("kith_click=clk_") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        count(&s, "clicks").await,
        1,
        "the click is on disk when the 302 is sent"
    );

    // HEAD and link previews are redirected but not counted.
    let r = s
        .http
        .head(s.url(&format!("/{slug}")))
        .header("user-agent", browser)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let r = s
        .http
        .get(s.url(&format!("/{slug}")))
        .header("user-agent", "facebookexternalhit/1.1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(
        !r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("kith_click")
    );
    assert_eq!(count(&s, "clicks").await, 1);

    // Bots are kept and flagged; paid-ads click ids are noted.
    let r = s
        .http
        .get(s.url(&format!("/{slug}?gclid=abc")))
        .header("user-agent", "curl/8.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    use sqlx::Row;
    let row = sqlx::query("SELECT is_bot, ads_click_id FROM clicks WHERE user_agent = 'curl/8.5'")
        .fetch_one(s.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>(0), 1);
    assert_eq!(
        row.get::<Option<String>, _>(1).as_deref(),
        Some("gclid=abc")
    );

    // Unknown slugs are 404 and expired links 410, with JSON bodies.
    let r = s.http.get(s.url("/no-such-slug")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    let (_, links) = s.get(&admin, "/api/v1/programs").await;
    let program = links[0]["id"].as_str().unwrap();
    let (_, all) = s
        .get(&admin, &format!("/api/v1/links?program_id={program}"))
        .await;
    let link_id = all[0]["id"].as_str().unwrap();
    let r = s
        .http
        .patch(s.url(&format!("/api/v1/links/{link_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "expires_at": "2000-01-01T00:00:00Z" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = s
        .http
        .get(s.url(&format!("/{slug}")))
        .header("user-agent", browser)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(count(&s, "clicks").await, 2);

    let (status, report) = s
        .get(&admin, &format!("/api/v1/programs/{program}/report"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(report["totals"]["clicks_human"], 1);
    assert_eq!(report["totals"]["clicks_bot"], 1);
    assert!(report["definitions"]["revenue_roi"].is_string());
}
on_both_backends!(redirects_and_clicks);

async fn bad_input_changes_nothing(s: Server) {
    let admin = s.key("acme", Scope::Admin).await;
    let (program, partner, slug) = s.program(&admin).await;
    let browser = "Mozilla/5.0 Safari/604.1";
    let r = s
        .http
        .get(s.url(&format!("/{slug}")))
        .header("user-agent", browser)
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let click_id = location.split("kith_click=").nth(1).unwrap().to_string();
    let tables = [
        "programs",
        "partners",
        "links",
        "customers",
        "leads",
        "sales",
        "commissions",
        "idempotency_keys",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&s, t).await);
    }
    let raw = |body: &'static str| {
        s.http
            .post(s.url("/api/v1/track/sale"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let sale = |overrides: Value| {
        let mut body = json!({ "program_id": program, "customer_id": "c1", "invoice_id": "I-1",
                               "amount_minor": 1000, "currency": "USD", "click_id": click_id });
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(u16, reqwest::Response)> = vec![
        (400, raw("{\"program_id\": ").await.unwrap()),
        (
            422,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(json!({ "amount_minor": "ten" })))
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(json!({ "amount_minor": -5 })))
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(json!({ "currency": "XYZ" })))
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(json!({ "unknown_field": 1 })))
                .send()
                .await
                .unwrap(),
        ),
        (
            404,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(json!({ "program_id": "prg_x' OR '1'='1" })))
                .send()
                .await
                .unwrap(),
        ),
        (
            404,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .json(&sale(
                    json!({ "code": "'; DROP TABLE sales; --", "click_id": null }),
                ))
                .send()
                .await
                .unwrap(),
        ),
        (
            413,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body(format!("{{\"program_id\": \"{}\"}}", "x".repeat(100_000)))
                .send()
                .await
                .unwrap(),
        ),
        (
            415,
            s.http
                .post(s.url("/api/v1/track/sale"))
                .bearer_auth(&admin)
                .body("amount=1")
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/programs"))
                .bearer_auth(&admin)
                .json(&json!({ "name": "" }))
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/programs"))
                .bearer_auth(&admin)
                .json(&json!({ "name": "x", "currency": "DOGE" }))
                .send()
                .await
                .unwrap(),
        ),
        (
            422,
            s.http
                .post(s.url("/api/v1/links"))
                .bearer_auth(&admin)
                .json(&json!({ "partner_id": partner, "destination": "javascript:alert(1)" }))
                .send()
                .await
                .unwrap(),
        ),
        (
            404,
            s.http
                .get(s.url("/api/v1/programs/prg_missing"))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (i, (expected, response)) in cases.into_iter().enumerate() {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "case {i}: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/json"),
            "case {i}"
        );
        assert!(body["error"]["message"].is_string(), "case {i}: {body}");
    }
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(count(&s, t).await, n, "{t} changed");
    }
    // The sale itself still works afterwards, and the tables survived.
    let (status, body) = s.post(&admin, "/api/v1/track/sale", sale(json!({}))).await;
    assert_eq!(status, 201, "{body}");
}
on_both_backends!(bad_input_changes_nothing);

async fn one_sale_from_a_thousand_concurrent_requests(s: Server) {
    let admin = s.key("acme", Scope::Admin).await;
    let track = s.key("acme", Scope::Track).await;
    let (program, _, _) = s.program(&admin).await;
    let body = json!({ "program_id": program, "customer_id": "c1", "invoice_id": "I-1",
                       "amount_minor": 1000, "currency": "USD" });
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let request = s
            .http
            .post(s.url("/api/v1/track/sale"))
            .bearer_auth(&track)
            .header("idempotency-key", "one-sale")
            .json(&body);
        tasks.push(tokio::spawn(async move {
            request.send().await.map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await.unwrap().unwrap()).or_insert(0) += 1;
    }
    assert_eq!(statuses.get(&201), Some(&1), "{statuses:?}");
    assert_eq!(statuses.get(&200), Some(&999), "{statuses:?}");
    assert_eq!(count(&s, "sales").await, 1);
}
on_both_backends!(one_sale_from_a_thousand_concurrent_requests);

/// Fills `{...}` path parameters with workspace A's ids.
fn fill(path: &str, ids: &std::collections::HashMap<&str, String>) -> String {
    let mut out = path.to_string();
    for (name, id) in ids {
        out = out.replace(&format!("{{{name}}}"), id);
    }
    out
}

async fn no_workspace_sees_another(s: Server) {
    let admin_a = s.key("brand-a", Scope::Admin).await;
    let admin_b = s.key("brand-b", Scope::Admin).await;
    let (program, partner, _) = s.program(&admin_a).await;
    let (_, campaign) = s
        .post(
            &admin_a,
            &format!("/api/v1/programs/{program}/campaigns"),
            json!({ "name": "C" }),
        )
        .await;
    let (_, group) = s
        .post(
            &admin_a,
            &format!("/api/v1/programs/{program}/groups"),
            json!({ "name": "G" }),
        )
        .await;
    let (_, codes) = s
        .post(
            &admin_a,
            "/api/v1/codes",
            json!({ "partner_id": partner, "code": "ANA10" }),
        )
        .await;
    let (_, hook) = s
        .post(
            &admin_a,
            "/api/v1/webhooks",
            json!({ "url": "http://127.0.0.1:9/x" }),
        )
        .await;
    let (_, rules) = s
        .get(&admin_a, &format!("/api/v1/programs/{program}/rules"))
        .await;
    let (_, links) = s
        .get(&admin_a, &format!("/api/v1/links?program_id={program}"))
        .await;
    let (_, sale) = s
        .post(
            &admin_a,
            "/api/v1/track/sale",
            json!({ "program_id": program, "customer_id": "c", "invoice_id": "I",
                 "amount_minor": 100, "currency": "USD", "code": "ANA10" }),
        )
        .await;
    let commission = sale["commissions"][0]["id"].as_str().unwrap().to_string();
    let secret_ids: Vec<String> = vec![program.clone(), partner.clone(), commission.clone()];
    let mut ids = std::collections::HashMap::new();
    ids.insert("partner_id", partner.clone());
    let openapi: Value = s
        .http
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut walked = 0;
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            // `{id}` means the resource the path is about.
            let id = match path.split('/').nth(1).unwrap_or("") {
                "programs" => program.clone(),
                "partners" => partner.clone(),
                "campaigns" => campaign["id"].as_str().unwrap().to_string(),
                "groups" => group["id"].as_str().unwrap().to_string(),
                "rules" => rules[0]["id"].as_str().unwrap().to_string(),
                "links" => links[0]["id"].as_str().unwrap().to_string(),
                "codes" => codes[0]["id"].as_str().unwrap().to_string(),
                "webhooks" => hook["id"].as_str().unwrap().to_string(),
                "commissions" => commission.clone(),
                _ => String::new(),
            };
            ids.insert("id", id);
            let url = format!("{}/api/v1{}", s.base, fill(path, &ids));
            let url = if path == "/links" || path == "/codes" {
                format!("{url}?program_id={program}")
            } else {
                url
            };
            // A valid body for each write, aimed at brand A's records.
            let body = match path.as_str() {
                "/links" => json!({ "partner_id": partner, "destination": "https://x.example" }),
                "/codes" => json!({ "partner_id": partner, "code": "STEAL1" }),
                "/webhooks" => json!({ "url": "http://127.0.0.1:9/y" }),
                "/track/lead" => json!({ "program_id": program, "customer_id": "c2" }),
                "/track/sale" => {
                    json!({ "program_id": program, "customer_id": "c2", "invoice_id": "I2",
                                         "amount_minor": 100, "currency": "USD" })
                }
                "/track/refund" => {
                    json!({ "program_id": program, "invoice_id": "I", "refund_id": "R",
                                           "amount_minor": 100 })
                }
                "/commissions/{id}/review" => json!({ "decision": "approve" }),
                p if p.ends_with("/rules") => {
                    json!({ "event": "sale", "kind": "flat", "amount_minor": 1 })
                }
                p if p.ends_with("/payouts") || p.ends_with("/rotate") => json!({}),
                _ => json!({ "name": "intruder" }),
            };
            let request = match method.as_str() {
                "get" => s.http.get(&url),
                "post" => s.http.post(&url).json(&body),
                "patch" => s.http.patch(&url).json(&match path.as_str() {
                    "/codes/{id}" | "/webhooks/{id}" => json!({ "active": false }),
                    "/links/{id}" => json!({ "destination": "https://x.example" }),
                    "/rules/{id}" => json!({ "percent_bp": 500 }),
                    _ => json!({ "name": "intruder" }),
                }),
                "put" => s.http.put(&url).json(&json!({ "stage": "active" })),
                other => panic!("method {other} not covered"),
            };
            let r = request.bearer_auth(&admin_b).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            walked += 1;
            // Either brand A's resource does not exist for brand B, or the
            // answer is about brand B's own data (lists, new records).
            assert!(
                status == 404 || status < 300,
                "{method} {path}: brand-b got {status}: {text}"
            );
            // A 404 may echo the id it was asked for; a success must not
            // carry any of brand A's ids.
            for secret in secret_ids.iter().filter(|_| status < 300) {
                assert!(
                    !text.contains(secret.as_str()),
                    "{method} {path} leaked {secret}: {text}"
                );
            }
        }
    }
    assert!(walked >= 30, "walked only {walked} operations");
    // Brand A's data is as it was.
    let (status, p) = s
        .get(&admin_a, &format!("/api/v1/programs/{program}"))
        .await;
    assert_eq!((status, p["name"].as_str()), (200, Some("Spring")));
}
on_both_backends!(no_workspace_sees_another);
