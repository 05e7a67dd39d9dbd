//! Partners, their tracked links and codes, stats-page links and payout
//! statements.

use super::once;
use crate::AppState;
use crate::error::{ApiError, ErrorResponses};
use crate::extract::{AdminKey, IdempotencyKey, Json, Path, Query, ReadKey};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kith_track::links::{Code, CodeInput, CodePatch, Link, LinkInput};
use kith_track::partners::{Partner, PartnerInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_partner, list_partners))
        .routes(routes!(get_partner, update_partner))
        .routes(routes!(stats_link))
        .routes(routes!(statement))
        .routes(routes!(create_link, list_links))
        .routes(routes!(get_link, update_link))
        .routes(routes!(create_codes, list_codes))
        .routes(routes!(get_code, update_code))
        .routes(routes!(rotate_code))
}

type Result<T> = std::result::Result<T, ApiError>;

#[utoipa::path(post, path = "/programs/{id}/partners", tag = "partners", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header)),
    request_body = PartnerInput, responses((status = 201, body = Partner), ErrorResponses))]
async fn create_partner(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Path(id): Path<String>,
    Json(input): Json<PartnerInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "partners",
        &(&id, &input),
        s.db.create_partner(key.ws(), &id, &input),
    )
    .await
}

#[utoipa::path(get, path = "/programs/{id}/partners", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Partner>), ErrorResponses))]
async fn list_partners(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<Partner>>> {
    Ok(Json(s.db.list_partners(key.ws(), &id).await?))
}

#[utoipa::path(get, path = "/partners/{id}", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, body = Partner), ErrorResponses))]
async fn get_partner(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Partner>> {
    Ok(Json(s.db.partner(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/partners/{id}", tag = "partners", params(("id" = String, Path)),
    request_body = PartnerInput, responses((status = 200, body = Partner), ErrorResponses))]
async fn update_partner(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<PartnerInput>,
) -> Result<Json<Partner>> {
    Ok(Json(s.db.update_partner(key.ws(), &id, &input).await?))
}

#[derive(Serialize, ToSchema)]
struct StatsLink {
    /// Path of the partner's read-only stats page; prefix your host.
    path: String,
}

/// The signed path of a partner's read-only stats page, to send them.
#[utoipa::path(get, path = "/partners/{id}/stats-link", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, body = StatsLink), ErrorResponses))]
async fn stats_link(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
) -> Result<Json<StatsLink>> {
    let partner = s.db.partner(key.ws(), &id).await?;
    let ws = s.db.workspace_by_id(key.ws()).await?;
    let signature = kith_track::keys::stats_signature(&ws.stats_secret, &partner.id);
    Ok(Json(StatsLink {
        path: format!("/p/{}/{signature}", partner.id),
    }))
}

/// The partner's payout statement: every commission with its state, and the
/// approved balance not yet paid.
#[utoipa::path(get, path = "/partners/{id}/statement.csv", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), ErrorResponses))]
async fn statement(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Response> {
    let csv = s.db.partner_statement_csv(key.ws(), &id).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListFilter {
    program_id: String,
    partner_id: Option<String>,
}

#[utoipa::path(post, path = "/links", tag = "links", request_body = LinkInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Link), ErrorResponses))]
async fn create_link(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Json(input): Json<LinkInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "links",
        &input,
        s.db.create_link(key.ws(), &input),
    )
    .await
}

#[utoipa::path(get, path = "/links", tag = "links", params(ListFilter),
    responses((status = 200, body = Vec<Link>), ErrorResponses))]
async fn list_links(
    State(s): State<AppState>,
    key: ReadKey,
    Query(f): Query<ListFilter>,
) -> Result<Json<Vec<Link>>> {
    Ok(Json(
        s.db.list_links(key.ws(), &f.program_id, f.partner_id.as_deref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/links/{id}", tag = "links", params(("id" = String, Path)),
    responses((status = 200, body = Link), ErrorResponses))]
async fn get_link(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Link>> {
    Ok(Json(s.db.link(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/links/{id}", tag = "links", params(("id" = String, Path)),
    request_body = LinkInput, responses((status = 200, body = Link), ErrorResponses))]
async fn update_link(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<LinkInput>,
) -> Result<Json<Link>> {
    let before = s.db.link(key.ws(), &id).await?;
    let link = s.db.update_link(key.ws(), &id, &input).await?;
    s.links.forget(&before.slug);
    s.links.forget(&link.slug);
    Ok(Json(link))
}

#[utoipa::path(post, path = "/codes", tag = "codes", request_body = CodeInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Vec<Code>), ErrorResponses))]
async fn create_codes(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Json(input): Json<CodeInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "codes",
        &input,
        s.db.create_codes(key.ws(), &input),
    )
    .await
}

#[utoipa::path(get, path = "/codes", tag = "codes", params(ListFilter),
    responses((status = 200, body = Vec<Code>), ErrorResponses))]
async fn list_codes(
    State(s): State<AppState>,
    key: ReadKey,
    Query(f): Query<ListFilter>,
) -> Result<Json<Vec<Code>>> {
    Ok(Json(
        s.db.list_codes(key.ws(), &f.program_id, f.partner_id.as_deref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/codes/{id}", tag = "codes", params(("id" = String, Path)),
    responses((status = 200, body = Code), ErrorResponses))]
async fn get_code(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Code>> {
    Ok(Json(s.db.code(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/codes/{id}", tag = "codes", params(("id" = String, Path)),
    request_body = CodePatch, responses((status = 200, body = Code), ErrorResponses))]
async fn update_code(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(patch): Json<CodePatch>,
) -> Result<Json<Code>> {
    Ok(Json(s.db.update_code(key.ws(), &id, &patch).await?))
}

/// Retires a code (leaked to a coupon site, say) and returns its successor.
#[utoipa::path(post, path = "/codes/{id}/rotate", tag = "codes", params(("id" = String, Path)),
    responses((status = 201, body = Code), ErrorResponses))]
async fn rotate_code(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
) -> Result<Response> {
    let code = s.db.rotate_code(key.ws(), &id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(code)).into_response())
}
