//! The JSON API under `/api/v1`. Every handler is small: typed extractors
//! in (the API-key extractor names the scope it needs), one `kith-track`
//! call, JSON out. Every query is scoped to the caller's workspace.

mod events;
mod partners;
mod programs;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::IdempotencyKey;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::future::Future;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kith API",
        description = "Referral and affiliate tracking: programs, partners, campaigns, links, codes, \
                       reward rules, leads, sales, refunds, commissions, webhooks and reports. \
                       Amounts are integers in the currency's minor unit; times are RFC 3339.",
        version = "1"
    ),
    servers((url = "/api/v1")),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&BearerAuth),
    security(("api_key" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(programs::router())
        .merge(partners::router())
        .merge(events::router())
}

/// Runs a create once per `Idempotency-Key`: a retry with the same key and
/// body gets the first answer again; the same key with another body is a
/// conflict.
pub(crate) async fn once<T, F>(
    state: &AppState,
    ws: &str,
    key: IdempotencyKey,
    route: &str,
    request: &impl std::fmt::Debug,
    create: F,
) -> Result<Response, ApiError>
where
    T: serde::Serialize,
    F: Future<Output = Result<T, kith_track::Error>>,
{
    let Some(key) = key.0 else {
        return Ok((StatusCode::CREATED, axum::Json(create.await?)).into_response());
    };
    let hash = kith_track::util::sha256_hex(format!("{request:?}").as_bytes());
    if let Some((status, body)) = state.db.idempotent_replay(ws, &key, route, &hash).await? {
        return Ok(json_response(status, body));
    }
    let created = create.await?;
    let body = serde_json::to_string(&created)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    state
        .db
        .idempotent_remember(ws, &key, route, &hash, 201, &body)
        .await?;
    Ok(json_response(201, body))
}

pub(crate) fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    /// Every `$ref` in the served document names a schema it defines
    /// (schemathesis skipped the error responses when one did not).
    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(crate::openapi()).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        if k == "$ref"
                            && let Some(r) = v.as_str()
                        {
                            refs.push(r.to_string());
                        }
                        walk(v, refs);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        walk(&doc, &mut refs);
        assert!(refs.iter().any(|r| r.ends_with("/ErrorBody")));
        for r in &refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {r}"));
            assert!(schemas.contains_key(name), "{r} is not defined");
        }
    }
}
