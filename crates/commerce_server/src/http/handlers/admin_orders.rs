//! Admin order routes.

use actix_web::{web, HttpResponse};
use commerce_domain::ids::OrderId;
use serde::Deserialize;
use serde_json::json;

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::{id, ListQuery};
use crate::http::views;
use crate::state::AppState;

/// `GET /admin/orders` query.
#[derive(Debug, Deserialize)]
pub struct OrderListQuery {
    #[serde(flatten)]
    list: ListQuery,
    status: Option<String>,
    payment_status: Option<String>,
}

/// Lists orders, newest first.
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<OrderListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .orders
        .list(
            query.status.as_deref(),
            query.payment_status.as_deref(),
            query.list.page()?,
        )
        .await?;
    let client_key = state.toss_client_key.as_deref();
    Ok(HttpResponse::Ok().json(views::page(
        &page,
        |r| r.order.id.to_string(),
        |r| views::order(r, client_key),
    )))
}

/// One order with its payments, refunds and event timeline.
pub async fn get(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let order_id = id(&path, OrderId::parse, "order_not_found", "Order")?;
    let record = state.orders.get(&order_id).await?;
    let events = state.orders.events(&order_id).await?;
    let mut body = views::order(&record, state.toss_client_key.as_deref());
    body["events"] = events
        .iter()
        .map(|e| json!({"id": e.id.as_str(), "type": e.event_type, "created_at": views::time(e.occurred_at)}))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `POST /admin/orders/{id}/cancel` body.
#[derive(Debug, Default, Deserialize)]
pub struct CancelBody {
    reason: Option<String>,
}

/// Cancels an unpaid order and releases its stock.
pub async fn cancel(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Option<web::Json<CancelBody>>,
) -> Result<HttpResponse, ApiError> {
    let order_id = id(&path, OrderId::parse, "order_not_found", "Order")?;
    let reason = body
        .and_then(|b| b.into_inner().reason)
        .map(|r| r.trim().chars().take(500).collect::<String>())
        .filter(|r| !r.is_empty());
    let record = state.orders.cancel_unpaid(&order_id, reason).await?;
    Ok(HttpResponse::Ok().json(views::order(&record, state.toss_client_key.as_deref())))
}
