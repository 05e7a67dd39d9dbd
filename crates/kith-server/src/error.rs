//! Errors as HTTP answers: a status and a JSON body
//! `{"error": {"code": "...", "message": "..."}}`, for every failure,
//! including malformed JSON, unknown routes and oversized bodies.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// What every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: bad_request, unauthorized, forbidden,
    /// not_found, gone, conflict, payload_too_large, invalid, internal.
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, what)
    }

    fn code(&self) -> &'static str {
        match self.status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::GONE => "gone",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            _ => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, message = %self.message, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.message.clone(),
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<kith_track::Error> for ApiError {
    fn from(e: kith_track::Error) -> Self {
        use kith_track::Error as E;
        match e {
            E::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            E::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, format!("{m} not found")),
            E::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            // Database details stay in the log, not in the answer.
            E::Database(m) => {
                tracing::error!(error = %m, "database error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database is unavailable; retry",
                )
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = match &r {
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => r.status(),
        };
        let status = if status.is_server_error() {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        ApiError::new(status, r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, r.body_text())
    }
}

/// The error answers every API operation may give, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ErrorResponses {
    #[response(status = 400, description = "malformed request")]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "missing or unknown API key")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "the key's scope does not allow this")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "not found in this workspace")]
    NotFound(ErrorBody),
    #[response(status = 409, description = "conflicts with what is stored")]
    Conflict(ErrorBody),
    #[response(status = 413, description = "body over the size limit")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "body is not JSON")]
    NotJson(ErrorBody),
    #[response(status = 422, description = "a value breaks a rule")]
    Invalid(ErrorBody),
    #[response(status = 503, description = "the database is unavailable; retry")]
    Unavailable(ErrorBody),
}
