//! Tracking writes (leads, sales, refunds), commissions and their review,
//! payouts, webhooks and reports.

use super::json_response;
use crate::AppState;
use crate::error::{ApiError, ErrorResponses};
use crate::extract::{AdminKey, IdempotencyKey, Json, Path, Query, ReadKey, TrackKey};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_track::commissions::{Commission, CommissionFilter, Payout, Review};
use kith_track::reports::Report;
use kith_track::track::{LeadInput, RefundInput, SaleInput, TrackRequest};
use kith_track::webhooks::{Delivery, WebhookEndpoint, WebhookInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(track_lead))
        .routes(routes!(track_sale))
        .routes(routes!(track_refund))
        .routes(routes!(list_commissions))
        .routes(routes!(get_commission))
        .routes(routes!(review_commission))
        .routes(routes!(create_payouts, list_payouts))
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(get_webhook, update_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(program_report))
        .routes(routes!(campaign_report))
}

type Result<T> = std::result::Result<T, ApiError>;

async fn track(
    s: &AppState,
    key: &TrackKey,
    idem: IdempotencyKey,
    request: TrackRequest,
) -> Result<Response> {
    let reply = s.tracker.submit(key.ws(), idem.0, request).await?;
    Ok(json_response(reply.status, reply.body.to_string()))
}

/// Records a lead (signup) and binds the customer to a partner by click id,
/// referral code or promo code: the first bind wins.
#[utoipa::path(post, path = "/track/lead", tag = "track", request_body = LeadInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried write with the same key counts once")),
    responses((status = 201, description = "recorded", body = serde_json::Value),
               (status = 200, description = "already recorded (a retry): the stored result", body = serde_json::Value),
               ErrorResponses))]
async fn track_lead(
    State(s): State<AppState>,
    key: TrackKey,
    idem: IdempotencyKey,
    Json(input): Json<LeadInput>,
) -> Result<Response> {
    track(&s, &key, idem, TrackRequest::Lead(input)).await
}

/// Records a sale; it follows the customer's attribution (or binds it by
/// click id or code) and earns the rules' commissions.
#[utoipa::path(post, path = "/track/sale", tag = "track", request_body = SaleInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "recorded", body = serde_json::Value),
               (status = 200, description = "already recorded (a retry or a repeated invoice id)", body = serde_json::Value),
               ErrorResponses))]
async fn track_sale(
    State(s): State<AppState>,
    key: TrackKey,
    idem: IdempotencyKey,
    Json(input): Json<SaleInput>,
) -> Result<Response> {
    track(&s, &key, idem, TrackRequest::Sale(input)).await
}

/// Records a refund; the sale's commissions are reversed in proportion, or
/// clawed back if already paid.
#[utoipa::path(post, path = "/track/refund", tag = "track", request_body = RefundInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "recorded", body = serde_json::Value),
               (status = 200, description = "already recorded", body = serde_json::Value),
               ErrorResponses))]
async fn track_refund(
    State(s): State<AppState>,
    key: TrackKey,
    idem: IdempotencyKey,
    Json(input): Json<RefundInput>,
) -> Result<Response> {
    track(&s, &key, idem, TrackRequest::Refund(input)).await
}

#[utoipa::path(get, path = "/commissions", tag = "commissions", params(CommissionFilter),
    responses((status = 200, body = Vec<Commission>), ErrorResponses))]
async fn list_commissions(
    State(s): State<AppState>,
    key: ReadKey,
    Query(filter): Query<CommissionFilter>,
) -> Result<Json<Vec<Commission>>> {
    Ok(Json(s.db.list_commissions(key.ws(), &filter).await?))
}

#[utoipa::path(get, path = "/commissions/{id}", tag = "commissions", params(("id" = String, Path)),
    responses((status = 200, body = Commission), ErrorResponses))]
async fn get_commission(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Commission>> {
    Ok(Json(s.db.commission(key.ws(), &id).await?))
}

/// Approves or rejects a commission on hold.
#[utoipa::path(post, path = "/commissions/{id}/review", tag = "commissions", params(("id" = String, Path)),
    request_body = Review, responses((status = 200, body = Commission), ErrorResponses))]
async fn review_commission(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(review): Json<Review>,
) -> Result<Json<Commission>> {
    Ok(Json(s.db.review_commission(key.ws(), &id, &review).await?))
}

/// Records a payout per partner of everything approved (clawbacks deducted).
/// kith does not move money: pay the amounts through your provider.
#[utoipa::path(post, path = "/programs/{id}/payouts", tag = "commissions", params(("id" = String, Path)),
    responses((status = 201, body = Vec<Payout>), ErrorResponses))]
async fn create_payouts(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
) -> Result<Response> {
    let payouts = s.db.create_payouts(key.ws(), &id).await?;
    Ok((StatusCode::CREATED, Json(payouts)).into_response())
}

#[utoipa::path(get, path = "/programs/{id}/payouts", tag = "commissions", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Payout>), ErrorResponses))]
async fn list_payouts(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<Payout>>> {
    Ok(Json(s.db.list_payouts(key.ws(), &id).await?))
}

#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "the endpoint, with its signing secret shown this once", body = WebhookEndpoint), ErrorResponses))]
async fn create_webhook(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Json(input): Json<WebhookInput>,
) -> Result<Response> {
    super::once(
        &s,
        key.ws(),
        idem,
        "webhooks",
        &input,
        s.db.create_webhook(key.ws(), &input),
    )
    .await
}

#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookEndpoint>), ErrorResponses))]
async fn list_webhooks(
    State(s): State<AppState>,
    key: AdminKey,
) -> Result<Json<Vec<WebhookEndpoint>>> {
    Ok(Json(s.db.list_webhooks(key.ws()).await?))
}

#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookEndpoint), ErrorResponses))]
async fn get_webhook(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
) -> Result<Json<WebhookEndpoint>> {
    Ok(Json(s.db.webhook(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    request_body = WebhookInput, responses((status = 200, body = WebhookEndpoint), ErrorResponses))]
async fn update_webhook(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<WebhookInput>,
) -> Result<Json<WebhookEndpoint>> {
    Ok(Json(s.db.update_webhook(key.ws(), &id, &input).await?))
}

#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Delivery>), ErrorResponses))]
async fn list_deliveries(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<Delivery>>> {
    Ok(Json(s.db.list_deliveries(key.ws(), &id).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReportFormat {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

fn report_response(report: Report, format: &ReportFormat) -> Result<Response> {
    match format.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(report).into_response()),
        "csv" => Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report.to_csv(),
        )
            .into_response()),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("format must be json or csv, got {other:?}"),
        )),
    }
}

#[utoipa::path(get, path = "/programs/{id}/report", tag = "reports", params(("id" = String, Path), ReportFormat),
    responses((status = 200, body = Report), ErrorResponses))]
async fn program_report(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
    Query(format): Query<ReportFormat>,
) -> Result<Response> {
    let window = i64::from(s.config.tracking.unique_click_window_hours);
    report_response(s.db.program_report(key.ws(), &id, window).await?, &format)
}

#[utoipa::path(get, path = "/campaigns/{id}/report", tag = "reports", params(("id" = String, Path), ReportFormat),
    responses((status = 200, body = Report), ErrorResponses))]
async fn campaign_report(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
    Query(format): Query<ReportFormat>,
) -> Result<Response> {
    let window = i64::from(s.config.tracking.unique_click_window_hours);
    report_response(s.db.campaign_report(key.ws(), &id, window).await?, &format)
}
