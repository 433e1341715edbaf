//! The Toss API routes, with Toss's cross-cutting behaviour around them: Basic auth,
//! `Idempotency-Key`, `TossPayments-Test-Code`, and injected faults.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use serde_json::Value;

use crate::engine::{CancelRequest, Outbound};
use crate::errors::TossError;
use crate::faults::FaultMode;
use crate::idempotency::{Claim, MAX_KEY_LEN};
use crate::server::Shared;

/// Registers the `/v1/payments` routes.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/v1/payments/confirm", web::post().to(confirm))
        .route(
            "/v1/payments/orders/{order_id}",
            web::get().to(get_by_order),
        )
        .route("/v1/payments/{payment_key}/cancel", web::post().to(cancel))
        .route("/v1/payments/{payment_key}", web::get().to(get_by_key));
}

/// The API key of a request, or Toss's auth error.
fn authenticate(request: &HttpRequest, shared: &Shared) -> Result<String, TossError> {
    let header = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| TossError::of("UNAUTHORIZED_KEY"))?;
    let encoded = header
        .strip_prefix("Basic ")
        .ok_or_else(|| TossError::of("UNAUTHORIZED_KEY"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| TossError::of("INCORRECT_BASIC_AUTH_FORMAT"))?;
    let (key, _password) = decoded
        .split_once(':')
        .ok_or_else(|| TossError::of("INCORRECT_BASIC_AUTH_FORMAT"))?;
    let accepted = match &shared.secret_key {
        Some(expected) => key == expected,
        None => key.starts_with("test_sk_") || key.starts_with("test_gsk_"),
    };
    if accepted {
        Ok(key.to_owned())
    } else {
        Err(TossError::of("UNAUTHORIZED_KEY"))
    }
}

/// What an operation answered.
struct Answer {
    status: u16,
    body: Value,
    webhooks: Vec<Outbound>,
}

impl Answer {
    fn ok(body: Value, webhooks: Vec<Outbound>) -> Self {
        Answer {
            status: 200,
            body,
            webhooks,
        }
    }

    fn error(error: &TossError, webhooks: Vec<Outbound>) -> Self {
        Answer {
            status: error.status,
            body: error.body(),
            webhooks,
        }
    }
}

/// A body stream that fails at once, so the connection drops mid-answer.
struct Broken;

impl futures_core::Stream for Broken {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "injected reset",
        ))))
    }
}

fn respond(status: u16, body: String, idempotency_key: Option<&str>) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    response.content_type("application/json");
    if let Some(key) = idempotency_key {
        response.insert_header(("idempotency-key", key));
    }
    response.body(body)
}

/// Runs one API call through auth, faults, test codes and idempotency.
async fn handle(
    request: HttpRequest,
    shared: web::Data<Shared>,
    operation: impl FnOnce(&Shared, Option<TossError>) -> Answer,
) -> HttpResponse {
    let api_key = match authenticate(&request, &shared) {
        Ok(key) => key,
        Err(error) => return error.response(),
    };
    let fault = shared.faults.take();
    if fault == Some(FaultMode::Http500) {
        return TossError::of("FAILED_INTERNAL_SYSTEM_PROCESSING").response();
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // Toss honours test codes only for test keys; every key the sandbox accepts is one.
    let forced = header("tosspayments-test-code").map(|code| TossError::of(&code));
    let idempotency_key = header("idempotency-key").filter(|_| request.method() == "POST");
    let scope = match &idempotency_key {
        Some(key) if key.len() > MAX_KEY_LEN || key.is_empty() => {
            return TossError::of("INVALID_IDEMPOTENCY_KEY").response()
        }
        Some(key) => {
            let scope = (
                key.clone(),
                api_key,
                request.path().to_owned(),
                request.method().to_string(),
            );
            match shared.idempotency.claim(&scope) {
                Claim::Process => Some(scope),
                Claim::Replay { status, body } => {
                    return deliver(fault, &shared, status, body, idempotency_key.as_deref()).await
                }
                Claim::InFlight => {
                    return TossError::of("IDEMPOTENT_REQUEST_PROCESSING").response()
                }
            }
        }
        None => None,
    };
    let answer = operation(&shared, forced);
    let body = answer.body.to_string();
    shared.webhooks.send(answer.webhooks);
    let store = shared.clone();
    let (status, stored) = (answer.status, body.clone());
    let hold = (fault == Some(FaultMode::Timeout)).then_some(shared.fault_delay);
    // Processed, but under a timeout fault the answer is held: meanwhile a retry with the same
    // key is told the first request is still running, as Toss does. A task of its own stores
    // the answer even when the client hangs up and this handler is dropped.
    let finished = tokio::spawn(async move {
        if let Some(delay) = hold {
            tokio::time::sleep(delay).await;
        }
        if let Some(scope) = scope {
            store.idempotency.finish(scope, status, stored);
        }
    });
    let _ = finished.await;
    let fault = fault.filter(|mode| *mode != FaultMode::Timeout);
    deliver(fault, &shared, status, body, idempotency_key.as_deref()).await
}

/// Sends an answer, through the pending fault if there is one: a held answer (timeout) or a
/// dropped connection (reset). Replays go through faults like fresh answers.
async fn deliver(
    fault: Option<FaultMode>,
    shared: &Shared,
    status: u16,
    body: String,
    idempotency_key: Option<&str>,
) -> HttpResponse {
    match fault {
        Some(FaultMode::Timeout) => {
            tokio::time::sleep(shared.fault_delay).await;
            respond(status, body, idempotency_key)
        }
        Some(FaultMode::Reset) => HttpResponse::Ok()
            .content_type("application/json")
            .streaming(Broken),
        Some(FaultMode::Http500) | None => respond(status, body, idempotency_key),
    }
}

fn invalid(why: &str) -> TossError {
    TossError::of("INVALID_REQUEST").with_message(why.to_owned())
}

fn parse_body(body: &[u8]) -> Result<Value, TossError> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| invalid("the body must be a JSON object"))
}

/// An amount sent as a JSON integer or, as Toss's own samples send it, a numeric string.
fn amount(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

async fn confirm(request: HttpRequest, body: Bytes, shared: web::Data<Shared>) -> HttpResponse {
    handle(request, shared, |shared, forced| {
        let body = match parse_body(&body) {
            Ok(body) => body,
            Err(error) => return Answer::error(&error, Vec::new()),
        };
        let (Some(key), Some(order_id), Some(amount)) = (
            text(&body, "paymentKey"),
            text(&body, "orderId"),
            amount(body.get("amount")),
        ) else {
            return Answer::error(
                &invalid("paymentKey, orderId and amount are required"),
                Vec::new(),
            );
        };
        if let Some(error) = forced {
            let webhooks = shared.engine.force_confirm_error(key, &error);
            return Answer::error(&error, webhooks);
        }
        match shared.engine.confirm(key, order_id, amount) {
            Ok((payment, webhooks)) => Answer::ok(payment, webhooks),
            Err((error, webhooks)) => Answer::error(&error, webhooks),
        }
    })
    .await
}

/// A read: a forced test code, or the payment `read` finds.
async fn read(
    request: HttpRequest,
    shared: web::Data<Shared>,
    read: impl FnOnce(&Shared) -> Result<crate::engine::Outcome, TossError>,
) -> HttpResponse {
    handle(request, shared, |shared, forced| {
        if let Some(error) = forced {
            return Answer::error(&error, Vec::new());
        }
        match read(shared) {
            Ok((payment, webhooks)) => Answer::ok(payment, webhooks),
            Err(error) => Answer::error(&error, Vec::new()),
        }
    })
    .await
}

async fn get_by_key(
    request: HttpRequest,
    path: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    read(request, shared, |shared| shared.engine.get(&path)).await
}

async fn get_by_order(
    request: HttpRequest,
    path: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    read(request, shared, |shared| shared.engine.get_by_order(&path)).await
}

/// Parses a cancel body (shared with the dashboard control route).
pub(crate) fn cancel_request(body: &[u8]) -> Result<CancelRequest, TossError> {
    let body = parse_body(body)?;
    let optional_amount = |field: &str| match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        value => amount(value)
            .map(Some)
            .ok_or_else(|| invalid("amounts must be integers")),
    };
    Ok(CancelRequest {
        reason: text(&body, "cancelReason").unwrap_or_default().to_owned(),
        amount: optional_amount("cancelAmount")?,
        refundable_amount: optional_amount("refundableAmount")?,
    })
}

async fn cancel(
    request: HttpRequest,
    path: web::Path<String>,
    body: Bytes,
    shared: web::Data<Shared>,
) -> HttpResponse {
    handle(request, shared, |shared, forced| {
        if let Some(error) = forced {
            return Answer::error(&error, Vec::new());
        }
        let result = cancel_request(&body).and_then(|cancel| shared.engine.cancel(&path, &cancel));
        match result {
            Ok((payment, webhooks)) => Answer::ok(payment, webhooks),
            Err(error) => Answer::error(&error, Vec::new()),
        }
    })
    .await
}
