//! Extractor failures (bad JSON, missing fields, wrong types, oversized bodies, wrong content
//! type, bad path or query) as `invalid_request` or 413 in the one error shape, never actix's
//! default text.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::HttpRequest;

use crate::http::error::ApiError;

/// Largest request body accepted (SPEC §1).
pub const MAX_BODY: usize = 64 * 1024;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        "payload_too_large",
        "The request body is larger than 64 KiB.",
    )
}

fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            too_large()
        }
        JsonPayloadError::ContentType => {
            ApiError::invalid("The body must be JSON (Content-Type: application/json).")
        }
        JsonPayloadError::Deserialize(e) => ApiError::invalid(format!("Invalid JSON body: {e}")),
        other => ApiError::invalid(format!("Invalid JSON body: {other}")),
    };
    api.into()
}

fn path_error(error: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::invalid(format!("Invalid path: {error}")).into()
}

fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::invalid(format!("Invalid query: {error}")).into()
}

/// The JSON, path, query and payload settings every app registers.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(
            web::JsonConfig::default()
                .limit(MAX_BODY)
                .error_handler(json_error),
        )
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PayloadConfig::new(MAX_BODY));
}

/// The JSON 404 for any unknown route.
pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("resource_not_found", "No such route."))
}

/// Turns an oversized or unreadable raw body into the one error shape.
pub fn payload_error(error: &actix_web::Error) -> ApiError {
    if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::invalid("The request body could not be read.")
    }
}
