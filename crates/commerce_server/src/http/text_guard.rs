//! Refuses NUL characters anywhere in a request (path, query, JSON strings) with a 400 before
//! a handler runs: PostgreSQL text cannot hold them, so they would otherwise surface as a
//! storage error deep inside a use case.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::http::error::ApiError;
use crate::http::extract::payload_error;

fn refused() -> ApiError {
    ApiError::invalid("Text in the request may not contain NUL (U+0000) characters.")
}

/// Whether a body holds a NUL byte, or, as JSON, the escape of one in a string (`\u0000`); an
/// escaped backslash followed by the same letters is text, not a NUL.
pub fn json_has_nul(body: &[u8]) -> bool {
    if body.contains(&0) {
        return true;
    }
    let mut backslashes = 0_usize;
    for (i, byte) in body.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && *byte == b'u' && body.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// The middleware.
pub async fn text_guard(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri = request.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        return Ok(request.error_response(refused()));
    }
    if matches!(
        *request.method(),
        Method::POST | Method::PATCH | Method::PUT
    ) {
        let body = match request.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(e) => return Ok(request.error_response(payload_error(&e))),
        };
        if json_has_nul(&body) {
            return Ok(request.error_response(refused()));
        }
        request.set_payload(Payload::from(body));
    }
    next.call(request)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::json_has_nul;

    #[test]
    fn only_an_escaped_nul_counts() {
        assert!(json_has_nul(br#"{"name": "a\u0000b"}"#));
        assert!(!json_has_nul(br#"{"name": "a\\u0000b"}"#));
        assert!(json_has_nul(br#"{"name": "a\\\u0000b"}"#));
        assert!(!json_has_nul(br#"{"name": "a\u00e9b"}"#));
        assert!(json_has_nul(b"\xff\xfe\x00"));
    }
}
