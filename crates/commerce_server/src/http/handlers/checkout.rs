//! Storefront checkout.

use actix_web::{web, HttpResponse};
use commerce_domain::email::Email;
use commerce_domain::ids::CartId;
use commerce_domain::usecases::CheckoutRequest;
use commerce_domain::Metadata;
use serde::Deserialize;

use crate::http::auth::Storefront;
use crate::http::error::ApiError;
use crate::http::input::{id, metadata, optional_address, AddressBody};
use crate::http::views;
use crate::state::AppState;

/// `POST /carts/{id}/checkout` body.
#[derive(Debug, Deserialize)]
pub struct CheckoutBody {
    email: String,
    shipping_address: AddressBody,
    billing_address: Option<AddressBody>,
    payment_method: Option<String>,
    note: Option<String>,
    metadata: Option<Metadata>,
    customer_key: Option<String>,
}

/// Checks a cart out into a pending order and answers with the Toss widget's data.
pub async fn checkout(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CheckoutBody>,
) -> Result<HttpResponse, ApiError> {
    let cart_id = id(&path, CartId::parse, "cart_not_found", "Cart")?;
    let body = body.into_inner();
    let email = Email::parse(&body.email)
        .map_err(|_| ApiError::invalid_field("email", "must be an e-mail address"))?;
    let shipping_address = body.shipping_address.parse("shipping_address")?;
    let billing_address = optional_address(body.billing_address, "billing_address")?;
    let request = CheckoutRequest {
        cart_id,
        email,
        shipping_address,
        billing_address,
        payment_method: body
            .payment_method
            .unwrap_or_else(|| "tosspayments".to_owned()),
        note: body.note.filter(|n| !n.trim().is_empty()),
        metadata: metadata(body.metadata, "metadata")?.unwrap_or_default(),
        customer_key: body.customer_key,
    };
    let result = state.checkout.checkout(request).await?;
    let mut order = views::order(&result.record, state.toss_client_key.as_deref());
    order["toss_payment"] = views::toss_payment(&result.toss, state.toss_client_key.as_deref());
    Ok(HttpResponse::Created().json(order))
}
