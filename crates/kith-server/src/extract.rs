//! Typed extractors whose rejections are JSON errors, and the API-key
//! extractors that check a key's scope.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRef, FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use kith_track::keys::{Caller, Scope};

/// `axum::Json` with JSON error bodies.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` with JSON error bodies.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` with JSON error bodies.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

async fn caller(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "send Authorization: Bearer KEY"))?;
    let key = header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "send Authorization: Bearer KEY"))?;
    state
        .keys
        .authenticate(&state.db, key)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unknown or revoked API key"))
}

fn require(caller: Caller, needed: Scope) -> Result<Caller, ApiError> {
    if caller.scope.allows(needed) {
        Ok(caller)
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this key has scope {}; {} is needed",
                caller.scope.as_str(),
                needed.as_str()
            ),
        ))
    }
}

macro_rules! scoped_key {
    ($name:ident, $scope:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Caller);

        impl<S> FromRequestParts<S> for $name
        where
            AppState: FromRef<S>,
            S: Send + Sync,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                let state = AppState::from_ref(state);
                Ok($name(require(caller(parts, &state).await?, $scope)?))
            }
        }

        impl $name {
            /// The caller's workspace id: every query is scoped to it.
            pub fn ws(&self) -> &str {
                &self.0.workspace_id
            }
        }
    };
}

scoped_key!(
    AdminKey,
    Scope::Admin,
    "A request made with an `admin` key."
);
scoped_key!(
    ReadKey,
    Scope::Read,
    "A request made with a `read` (or `admin`) key."
);
scoped_key!(
    TrackKey,
    Scope::Track,
    "A request made with a `track` (or `admin`) key."
);

/// The optional `Idempotency-Key` header.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(v) => {
                let key = v
                    .to_str()
                    .ok()
                    .map(str::trim)
                    .filter(|k| !k.is_empty() && k.len() <= 255)
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "Idempotency-Key must be 1-255 visible characters",
                        )
                    })?;
                Ok(IdempotencyKey(Some(key.to_string())))
            }
        }
    }
}
