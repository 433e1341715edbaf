//! `x-request-id` on every response (the client's, if it sent a sane one), and one log line
//! per request: method, path, status, duration, request id. Never bodies or headers.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use commerce_domain::ports::IdGenerator;
use tracing::Instrument;

use crate::system::RandomIds;

/// The request's id, kept in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn usable(raw: &str) -> bool {
    !raw.is_empty() && raw.len() <= 128 && raw.bytes().all(|b| b.is_ascii_graphic())
}

/// The middleware.
pub async fn request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| usable(v))
        .map_or_else(
            || format!("req_{:032x}", RandomIds.random_u128()),
            str::to_owned,
        );
    request.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (request.method().to_string(), request.path().to_owned());
    let started = Instant::now();
    let span = tracing::info_span!("request", request.id = %id);
    // The span follows the request's future only (entering it here would also tag whatever
    // else the worker's thread polls meanwhile), and the pool serves this request by its
    // arrival, before requests that came later.
    let mut response = commerce_postgres::as_request(started, next.call(request))
        .instrument(span)
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    tracing::info!(
        http.method = %method,
        http.path = %path,
        http.status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis(),
        request.id = %id,
        "request"
    );
    Ok(response)
}
