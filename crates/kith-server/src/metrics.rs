//! `/healthz`, `/metrics` in Prometheus' text format, and the middleware
//! that counts requests.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Latency bucket bounds in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    pub clicks_recorded: AtomicU64,
    pub clicks_bot: AtomicU64,
    pub clicks_not_recorded: AtomicU64,
    pub redirects_not_counted: AtomicU64,
    /// Requests by route, then status. Nested so that counting looks the
    /// route up by `&str`, without making a String per request.
    requests:
        std::sync::Mutex<std::collections::BTreeMap<String, std::collections::BTreeMap<u16, u64>>>,
    /// Requests by latency band: `[i]` counts those in (BUCKETS[i-1],
    /// BUCKETS[i]], the last those above every bound. One increment per
    /// request (two worker threads adding to eleven shared cumulative
    /// counters made every request bounce their cache lines); /metrics
    /// adds them up into Prometheus' cumulative buckets.
    latency_buckets: [AtomicU64; 12],
    latency_sum_us: AtomicU64,
}

/// Counts every request by route and status, and its latency.
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // MatchedPath is an Arc inside: cloning it copies no text.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed().as_secs_f64();
    let m = &state.metrics;
    if let Ok(mut requests) = m.requests.lock() {
        let route = route.as_ref().map_or("unmatched", |r| r.as_str());
        let by_status = match requests.get_mut(route) {
            Some(by_status) => by_status,
            None => requests.entry(route.to_string()).or_default(),
        };
        *by_status.entry(response.status().as_u16()).or_default() += 1;
    }
    let band = BUCKETS.partition_point(|bound| *bound < elapsed);
    m.latency_buckets[band].fetch_add(1, Ordering::Relaxed);
    m.latency_sum_us
        .fetch_add((elapsed * 1e6) as u64, Ordering::Relaxed);
    response
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let mut out = String::new();
    let counter = |out: &mut String, name: &str, help: &str, v: u64| {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
        ));
    };
    counter(
        &mut out,
        "kith_clicks_recorded_total",
        "Clicks committed to the database.",
        m.clicks_recorded.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "kith_clicks_bot_total",
        "Recorded clicks flagged as bots.",
        m.clicks_bot.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "kith_clicks_not_recorded_total",
        "Redirects whose click could not be written (the visitor was still sent on).",
        m.clicks_not_recorded.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "kith_redirects_not_counted_total",
        "Redirects that are not clicks (HEAD, link previews, prefetch).",
        m.redirects_not_counted.load(Ordering::Relaxed),
    );
    out.push_str("# HELP kith_http_requests_total HTTP requests by route and status.\n# TYPE kith_http_requests_total counter\n");
    if let Ok(requests) = m.requests.lock() {
        let all = requests
            .iter()
            .flat_map(|(route, by_status)| by_status.iter().map(move |(s, n)| (route, s, n)));
        for (route, status, n) in all {
            out.push_str(&format!(
                "kith_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}\n",
                route.replace('\\', "\\\\").replace('"', "\\\"")
            ));
        }
    }
    out.push_str("# HELP kith_http_request_duration_seconds Request latency.\n# TYPE kith_http_request_duration_seconds histogram\n");
    let mut count = 0;
    for (band, bucket) in m.latency_buckets.iter().enumerate() {
        count += bucket.load(Ordering::Relaxed);
        if let Some(bound) = BUCKETS.get(band) {
            out.push_str(&format!(
                "kith_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {count}\n"
            ));
        }
    }
    out.push_str(&format!(
        "kith_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
    ));
    out.push_str(&format!(
        "kith_http_request_duration_seconds_sum {}\nkith_http_request_duration_seconds_count {count}\n",
        m.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6
    ));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
}

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx_ping(&state).await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "unavailable", "error": e })),
        )
            .into_response(),
    }
}

async fn sqlx_ping(state: &AppState) -> Result<(), String> {
    state.db.ping().await.map_err(|e| e.to_string())
}
