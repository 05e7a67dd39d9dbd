//! Programs, partner groups, reward rules, campaigns and the campaign
//! pipeline.

use super::once;
use crate::AppState;
use crate::error::{ApiError, ErrorResponses};
use crate::extract::{AdminKey, IdempotencyKey, Json, Path, ReadKey};
use axum::extract::State;
use axum::response::Response;
use kith_track::partners::{Campaign, CampaignInput, CampaignPartner, CampaignPartnerInput};
use kith_track::programs::{GroupInput, PartnerGroup, Program, ProgramInput};
use kith_track::rules::{RewardRule, RuleInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_program, list_programs))
        .routes(routes!(get_program, update_program))
        .routes(routes!(create_group, list_groups))
        .routes(routes!(get_group, update_group))
        .routes(routes!(create_rule, list_rules))
        .routes(routes!(get_rule, update_rule))
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(list_pipeline))
        .routes(routes!(put_pipeline_entry))
}

type Result<T> = std::result::Result<T, ApiError>;

#[utoipa::path(post, path = "/programs", tag = "programs", request_body = ProgramInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retried create safe")),
    responses((status = 201, body = Program), ErrorResponses))]
async fn create_program(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Json(input): Json<ProgramInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "programs",
        &input,
        s.db.create_program(key.ws(), &input, &s.config.tracking),
    )
    .await
}

#[utoipa::path(get, path = "/programs", tag = "programs",
    responses((status = 200, body = Vec<Program>), ErrorResponses))]
async fn list_programs(State(s): State<AppState>, key: ReadKey) -> Result<Json<Vec<Program>>> {
    Ok(Json(s.db.list_programs(key.ws()).await?))
}

#[utoipa::path(get, path = "/programs/{id}", tag = "programs", params(("id" = String, Path)),
    responses((status = 200, body = Program), ErrorResponses))]
async fn get_program(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Program>> {
    Ok(Json(s.db.program(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/programs/{id}", tag = "programs", params(("id" = String, Path)),
    request_body = ProgramInput, responses((status = 200, body = Program), ErrorResponses))]
async fn update_program(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<ProgramInput>,
) -> Result<Json<Program>> {
    Ok(Json(s.db.update_program(key.ws(), &id, &input).await?))
}

#[utoipa::path(post, path = "/programs/{id}/groups", tag = "groups", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header)),
    request_body = GroupInput, responses((status = 201, body = PartnerGroup), ErrorResponses))]
async fn create_group(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Path(id): Path<String>,
    Json(input): Json<GroupInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "groups",
        &(&id, &input),
        s.db.create_group(key.ws(), &id, &input),
    )
    .await
}

#[utoipa::path(get, path = "/programs/{id}/groups", tag = "groups", params(("id" = String, Path)),
    responses((status = 200, body = Vec<PartnerGroup>), ErrorResponses))]
async fn list_groups(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<PartnerGroup>>> {
    Ok(Json(s.db.list_groups(key.ws(), &id).await?))
}

#[utoipa::path(get, path = "/groups/{id}", tag = "groups", params(("id" = String, Path)),
    responses((status = 200, body = PartnerGroup), ErrorResponses))]
async fn get_group(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<PartnerGroup>> {
    Ok(Json(s.db.group(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", params(("id" = String, Path)),
    request_body = GroupInput, responses((status = 200, body = PartnerGroup), ErrorResponses))]
async fn update_group(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<GroupInput>,
) -> Result<Json<PartnerGroup>> {
    Ok(Json(s.db.update_group(key.ws(), &id, &input).await?))
}

#[utoipa::path(post, path = "/programs/{id}/rules", tag = "rules", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header)),
    request_body = RuleInput, responses((status = 201, body = RewardRule), ErrorResponses))]
async fn create_rule(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Path(id): Path<String>,
    Json(input): Json<RuleInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "rules",
        &(&id, &input),
        s.db.create_rule(key.ws(), &id, &input),
    )
    .await
}

#[utoipa::path(get, path = "/programs/{id}/rules", tag = "rules", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RewardRule>), ErrorResponses))]
async fn list_rules(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<RewardRule>>> {
    Ok(Json(s.db.list_rules(key.ws(), &id).await?))
}

#[utoipa::path(get, path = "/rules/{id}", tag = "rules", params(("id" = String, Path)),
    responses((status = 200, body = RewardRule), ErrorResponses))]
async fn get_rule(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<RewardRule>> {
    Ok(Json(s.db.rule(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/rules/{id}", tag = "rules", params(("id" = String, Path)),
    request_body = RuleInput, responses((status = 200, body = RewardRule), ErrorResponses))]
async fn update_rule(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<RuleInput>,
) -> Result<Json<RewardRule>> {
    Ok(Json(s.db.update_rule(key.ws(), &id, &input).await?))
}

#[utoipa::path(post, path = "/programs/{id}/campaigns", tag = "campaigns", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header)),
    request_body = CampaignInput, responses((status = 201, body = Campaign), ErrorResponses))]
async fn create_campaign(
    State(s): State<AppState>,
    key: AdminKey,
    idem: IdempotencyKey,
    Path(id): Path<String>,
    Json(input): Json<CampaignInput>,
) -> Result<Response> {
    once(
        &s,
        key.ws(),
        idem,
        "campaigns",
        &(&id, &input),
        s.db.create_campaign(key.ws(), &id, &input),
    )
    .await
}

#[utoipa::path(get, path = "/programs/{id}/campaigns", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Campaign>), ErrorResponses))]
async fn list_campaigns(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<Campaign>>> {
    Ok(Json(s.db.list_campaigns(key.ws(), &id).await?))
}

#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = Campaign), ErrorResponses))]
async fn get_campaign(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Campaign>> {
    Ok(Json(s.db.campaign(key.ws(), &id).await?))
}

#[utoipa::path(patch, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    request_body = CampaignInput, responses((status = 200, body = Campaign), ErrorResponses))]
async fn update_campaign(
    State(s): State<AppState>,
    key: AdminKey,
    Path(id): Path<String>,
    Json(input): Json<CampaignInput>,
) -> Result<Json<Campaign>> {
    Ok(Json(s.db.update_campaign(key.ws(), &id, &input).await?))
}

#[utoipa::path(get, path = "/campaigns/{id}/partners", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = Vec<CampaignPartner>), ErrorResponses))]
async fn list_pipeline(
    State(s): State<AppState>,
    key: ReadKey,
    Path(id): Path<String>,
) -> Result<Json<Vec<CampaignPartner>>> {
    Ok(Json(s.db.list_campaign_partners(key.ws(), &id).await?))
}

/// Adds a partner to the campaign's pipeline or changes its stage, fee,
/// deliverables or notes.
#[utoipa::path(put, path = "/campaigns/{id}/partners/{partner_id}", tag = "campaigns",
    params(("id" = String, Path), ("partner_id" = String, Path)),
    request_body = CampaignPartnerInput, responses((status = 200, body = CampaignPartner), ErrorResponses))]
async fn put_pipeline_entry(
    State(s): State<AppState>,
    key: AdminKey,
    Path((id, partner_id)): Path<(String, String)>,
    Json(input): Json<CampaignPartnerInput>,
) -> Result<Json<CampaignPartner>> {
    Ok(Json(
        s.db.put_campaign_partner(key.ws(), &id, &partner_id, &input)
            .await?,
    ))
}
