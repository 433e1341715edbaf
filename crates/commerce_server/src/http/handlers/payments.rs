//! Storefront payment routes: confirm with TossPayments, and the fail redirect.

use actix_web::{web, HttpResponse};
use commerce_domain::ids::{OrderId, PaymentKey, TossOrderId};
use commerce_domain::money::Krw;
use commerce_domain::payment::PaymentFailure;
use commerce_domain::usecases::ConfirmRequest;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::auth::Storefront;
use crate::http::error::ApiError;
use crate::http::views;
use crate::state::AppState;

/// `POST /payments/confirm` body.
#[derive(Debug, Deserialize)]
pub struct ConfirmBody {
    payment_key: String,
    order_id: String,
    amount: Value,
    provider: Option<String>,
}

/// The amount as a JSON integer or, as Toss's own samples send it, a numeric string.
fn amount(value: &Value) -> Result<Krw, ApiError> {
    let won = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    won.and_then(|w| Krw::new(w).ok()).ok_or_else(|| {
        ApiError::invalid_field("amount", "must be a whole, non-negative number of won")
    })
}

/// Confirms the payment the customer authorised in the widget.
pub async fn confirm(
    _: Storefront,
    state: web::Data<AppState>,
    body: web::Json<ConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body
        .provider
        .as_deref()
        .is_some_and(|p| p != "tosspayments")
    {
        return Err(ApiError::invalid_field(
            "provider",
            "must be \"tosspayments\"",
        ));
    }
    let request = ConfirmRequest {
        payment_key: PaymentKey::parse(&body.payment_key).map_err(|_| {
            ApiError::invalid_field("payment_key", "must be 1 to 200 visible characters")
        })?,
        order_id: TossOrderId::parse(&body.order_id).map_err(|_| {
            ApiError::invalid_field(
                "order_id",
                "must be the order's Toss id (\"HC-\" + order id)",
            )
        })?,
        amount: amount(&body.amount)?,
    };
    let outcome = state.payments.confirm(&request).await?;
    let client_key = state.toss_client_key.as_deref();
    Ok(HttpResponse::Ok().json(json!({
        "status": outcome.status.as_str(),
        "success": true,
        "order_id": outcome.record.order.id.as_str(),
        "order": views::order(&outcome.record, client_key),
        "payment": views::payment(&outcome.record.payment),
    })))
}

/// `POST /payments/fail` body.
#[derive(Debug, Deserialize)]
pub struct FailBody {
    order_id: String,
    code: String,
    message: Option<String>,
}

/// Records the failed attempt a fail redirect reports; the order stays payable.
pub async fn fail(
    _: Storefront,
    state: web::Data<AppState>,
    body: web::Json<FailBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let order_id = match body.order_id.strip_prefix(TossOrderId::PREFIX) {
        Some(_) => TossOrderId::parse(&body.order_id)
            .ok()
            .and_then(|t| t.order_id()),
        None => OrderId::parse(&body.order_id).ok(),
    }
    .ok_or_else(|| ApiError::not_found("order_not_found", "Order not found."))?;
    let code = body.code.trim();
    if code.is_empty() || code.len() > 100 {
        return Err(ApiError::invalid_field(
            "code",
            "must be 1 to 100 characters",
        ));
    }
    let failure = PaymentFailure {
        code: code.to_owned(),
        message: body.message.unwrap_or_default().chars().take(510).collect(),
    };
    let record = state.payments.record_failure(&order_id, failure).await?;
    Ok(HttpResponse::Ok().json(views::order(&record, state.toss_client_key.as_deref())))
}
