//! The partner's read-only stats page, `/p/{partner_id}/{signature}`: a
//! link the brand sends the partner, signed with the workspace's secret, so
//! it shows that partner's figures and nothing else.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Path;
use axum::extract::State;
use axum::response::Html;
use kith_track::util::constant_time_eq;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub async fn page(
    State(s): State<AppState>,
    Path((partner_id, signature)): Path<(String, String)>,
) -> Result<Html<String>, ApiError> {
    let not_found = || ApiError::not_found("no such stats page");
    let ws =
        s.db.partner_workspace(&partner_id)
            .await
            .map_err(|_| not_found())?;
    let expected = kith_track::keys::stats_signature(&ws.stats_secret, &partner_id);
    if !constant_time_eq(&expected, &signature) {
        return Err(not_found());
    }
    let partner = s.db.partner(&ws.id, &partner_id).await?;
    let window = i64::from(s.config.tracking.unique_click_window_hours);
    let report =
        s.db.program_report(&ws.id, &partner.program_id, window)
            .await?;
    let row = report
        .rows
        .into_iter()
        .find(|r| r.partner_id == partner.id)
        .unwrap_or_default();
    let money = |m: i64| {
        let exp = kith_track::util::currency_exponent(&report.currency).unwrap_or(2) as usize;
        format!(
            "{:.*} {}",
            exp,
            kith_track::util::to_major(m, &report.currency),
            report.currency
        )
    };
    let lines = [
        ("Clicks (people)", row.clicks_human.to_string()),
        ("Unique visitors", row.unique_clicks_human.to_string()),
        ("Clicks (bots, not paid)", row.clicks_bot.to_string()),
        ("Signups", row.leads.to_string()),
        ("Sales", row.sales.to_string()),
        ("Revenue", money(row.revenue_minor)),
        ("Your commissions", money(row.commissions_minor)),
    ];
    let rows: String = lines
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v)))
        .collect();
    Ok(Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">\
         <title>Stats for {name}</title><style>body{{font-family:system-ui;margin:2em}}\
         th{{text-align:left;padding-right:2em}}</style></head><body><h1>Stats for {name}</h1>\
         <table>{rows}</table><p>Unique visitors: one per visitor per {window} hours.</p></body></html>",
        name = escape(&partner.name),
    )))
}
