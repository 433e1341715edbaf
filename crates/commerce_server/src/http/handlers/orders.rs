//! Storefront order reads.

use actix_web::{web, HttpResponse};
use commerce_domain::email::Email;
use commerce_domain::ids::{OrderId, OrderNumber};
use serde::Deserialize;

use crate::http::auth::Storefront;
use crate::http::error::ApiError;
use crate::http::input::id;
use crate::http::views;
use crate::state::AppState;

/// An order by its (unguessable) id.
pub async fn get(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let order_id = id(&path, OrderId::parse, "order_not_found", "Order")?;
    let record = state.orders.get(&order_id).await?;
    Ok(HttpResponse::Ok().json(views::order(&record, state.toss_client_key.as_deref())))
}

/// `GET /orders/lookup` query.
#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    number: String,
    email: String,
}

/// An order by its number and the customer's e-mail; a mismatch is a plain 404.
pub async fn lookup(
    _: Storefront,
    state: web::Data<AppState>,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = OrderNumber::parse(&query.number)
        .map_err(|_| ApiError::invalid_field("number", "must be an order number"))?;
    let email = Email::parse(&query.email)
        .map_err(|_| ApiError::invalid_field("email", "must be an e-mail address"))?;
    let record = state.orders.lookup(number, &email).await?;
    Ok(HttpResponse::Ok().json(views::order(&record, state.toss_client_key.as_deref())))
}
