//! `Idempotency-Key` on every POST: the same key and the same request replay the stored
//! answer; the same key with another request is 409 `idempotency_key_reused`; a key whose
//! first request is still running is 409 `idempotency_key_in_use`. Records live in PostgreSQL,
//! so this holds across server processes. Keys are scoped per API key. 5xx answers are not
//! stored (the request may be retried with the same key), nor are authentication failures.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use commerce_domain::ports::{IdempotencyBegin, StoredResponse};
use sha2::{Digest, Sha256};

use crate::http::error::ApiError;
use crate::http::extract::payload_error;
use crate::state::AppState;

/// How long a claimed key is held before another process may take it over.
const LOCK_SECONDS: i64 = 60;

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refuse(request: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    request.error_response(error)
}

/// The middleware.
pub async fn idempotency(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = request
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_owned));
    let (Method::POST, Some(key)) = (request.method().clone(), key) else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(key)
            if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            key
        }
        _ => {
            let error = ApiError::invalid_field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            );
            return Ok(refuse(request, error));
        }
    };
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(refuse(
            request,
            ApiError::internal(&"application state is not registered"),
        ));
    };
    let body = match request.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(e) => return Ok(refuse(request, payload_error(&e))),
    };
    request.set_payload(Payload::from(body.clone()));
    let authorization = request
        .headers()
        .get("authorization")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let scope = sha256_hex(&[&authorization]);
    let fingerprint = sha256_hex(&[
        request.method().as_str().as_bytes(),
        request.path().as_bytes(),
        request.query_string().as_bytes(),
        &body,
    ]);
    let store = state.ports.idempotency.clone();
    let now = state.ports.clock.now();
    let begun = store
        .begin(
            &scope,
            &key,
            &fingerprint,
            now,
            chrono::Duration::seconds(LOCK_SECONDS),
        )
        .await;
    match begun {
        Err(e) => return Ok(refuse(request, e.into())),
        Ok(IdempotencyBegin::Replay(stored)) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let response = HttpResponse::build(status)
                .content_type("application/json")
                .insert_header(("idempotent-replayed", "true"))
                .body(stored.body);
            return Ok(request.into_response(response));
        }
        Ok(IdempotencyBegin::Mismatch) => {
            let error = ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request.",
            );
            return Ok(refuse(request, error));
        }
        Ok(IdempotencyBegin::InFlight) => {
            let error = ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed.",
            );
            return Ok(refuse(request, error));
        }
        Ok(IdempotencyBegin::Started) => {}
    }
    let response = match next.call(request).await {
        Ok(response) => response,
        Err(e) => {
            let _ = store.abandon(&scope, &key).await;
            return Err(e);
        }
    };
    let status = response.status();
    let (http_request, http_response) = response.into_parts();
    let (head, body) = http_response.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let _ = store.abandon(&scope, &key).await;
            let error = ApiError::internal(&"the response body could not be read");
            return Ok(ServiceResponse::new(
                http_request,
                actix_web::ResponseError::error_response(&error),
            ));
        }
    };
    let keep = !status.is_server_error()
        && status != StatusCode::UNAUTHORIZED
        && status != StatusCode::FORBIDDEN
        && status != StatusCode::TOO_MANY_REQUESTS;
    let recorded = if keep {
        store
            .complete(
                &scope,
                &key,
                &StoredResponse {
                    status: status.as_u16(),
                    body: bytes.to_vec(),
                },
            )
            .await
    } else {
        store.abandon(&scope, &key).await
    };
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "could not record an idempotent response");
    }
    Ok(ServiceResponse::new(
        http_request,
        head.set_body(BoxBody::new(bytes)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(sha256_hex(&[b"ab", b"c"]), sha256_hex(&[b"a", b"bc"]));
        assert_eq!(sha256_hex(&[b"x"]).len(), 64);
    }
}
