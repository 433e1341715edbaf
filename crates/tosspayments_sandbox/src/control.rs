//! The sandbox's control routes, standing in for the customer in the widget and for the Toss
//! dashboard (SPEC §11). They need no key: the sandbox only ever listens where tests run.

use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use serde_json::{json, Value};

use crate::api::cancel_request;
use crate::engine::Authorization;
use crate::errors::TossError;
use crate::faults::FaultMode;
use crate::model::Method;
use crate::server::Shared;

/// Registers the `/sandbox/v1` routes.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/sandbox/v1/authorize", web::post().to(authorize))
        .route(
            "/sandbox/v1/payments/{payment_key}/deposit",
            web::post().to(deposit),
        )
        .route(
            "/sandbox/v1/payments/{payment_key}/cancel",
            web::post().to(dashboard_cancel),
        )
        .route("/sandbox/v1/faults", web::post().to(faults))
        .route("/sandbox/v1/webhooks", web::get().to(webhook_log))
        .route("/sandbox/v1/payments", web::get().to(payments));
}

fn invalid(why: &str) -> HttpResponse {
    TossError::of("INVALID_REQUEST")
        .with_message(why.to_owned())
        .response()
}

fn object(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

/// The customer finished the widget: `{orderId, orderName, amount, method, confirmError?}`.
async fn authorize(body: Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let Some(body) = object(&body) else {
        return invalid("the body must be a JSON object");
    };
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    let amount = match body.get("amount") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    let method = text("method")
        .as_deref()
        .map_or(Some(Method::Card), Method::parse);
    let (Some(order_id), Some(order_name), Some(amount), Some(method)) =
        (text("orderId"), text("orderName"), amount, method)
    else {
        return invalid("orderId, orderName, amount and a method of CARD, VIRTUAL_ACCOUNT, TRANSFER, MOBILE_PHONE or EASY_PAY are required");
    };
    match shared.engine.authorize(Authorization {
        order_id,
        order_name,
        amount,
        method,
        confirm_error: text("confirmError"),
    }) {
        Ok(payment) => HttpResponse::Ok().json(json!({
            "paymentKey": payment.key, "orderId": payment.order_id,
            "amount": payment.total, "paymentType": "NORMAL",
        })),
        Err(error) => error.response(),
    }
}

/// The customer paid into the virtual account.
async fn deposit(path: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    match shared.engine.deposit(&path) {
        Ok((payment, webhooks)) => {
            shared.webhooks.send(webhooks);
            HttpResponse::Ok().json(payment)
        }
        Err(error) => error.response(),
    }
}

/// A cancellation made in the Toss dashboard: `{cancelReason, cancelAmount?}`.
async fn dashboard_cancel(
    path: web::Path<String>,
    body: Bytes,
    shared: web::Data<Shared>,
) -> HttpResponse {
    match cancel_request(&body).and_then(|cancel| shared.engine.cancel(&path, &cancel)) {
        Ok((payment, webhooks)) => {
            shared.webhooks.send(webhooks);
            HttpResponse::Ok().json(payment)
        }
        Err(error) => error.response(),
    }
}

/// `{mode: timeout|http_500|reset, count}`: the next `count` API calls fail that way.
async fn faults(body: Bytes, shared: web::Data<Shared>) -> HttpResponse {
    if let Some(percent) = object(&body).and_then(|b| b.get("percent")?.as_u64()) {
        let percent = u32::try_from(percent.min(100)).unwrap_or(100);
        shared.faults.set_percent(percent);
        return HttpResponse::Ok().json(json!({ "percent": percent }));
    }
    let parsed = object(&body).and_then(|body| {
        let mode = FaultMode::parse(body.get("mode")?.as_str()?)?;
        let count = u32::try_from(body.get("count")?.as_u64()?).ok()?;
        Some((mode, count))
    });
    match parsed {
        Some((mode, count)) => {
            shared.faults.set(mode, count);
            HttpResponse::Ok().json(json!({"mode": body_mode(mode), "count": count}))
        }
        None => invalid("send {mode: timeout|http_500|reset, count} or {percent: 0..100}"),
    }
}

fn body_mode(mode: FaultMode) -> &'static str {
    match mode {
        FaultMode::Timeout => "timeout",
        FaultMode::Http500 => "http_500",
        FaultMode::Reset => "reset",
    }
}

/// Every webhook attempt so far.
async fn webhook_log(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"data": shared.webhooks.attempts()}))
}

/// Every payment the sandbox holds, with whether Toss approved it.
async fn payments(shared: web::Data<Shared>) -> HttpResponse {
    let data: Vec<Value> = shared
        .engine
        .all()
        .into_iter()
        .map(|p| {
            json!({
                "paymentKey": p["paymentKey"], "orderId": p["orderId"], "status": p["status"],
                "totalAmount": p["totalAmount"], "approved": !p["approvedAt"].is_null(),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "data": data }))
}
