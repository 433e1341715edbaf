//! Storefront cart routes.

use actix_web::{web, HttpResponse};
use commerce_domain::ids::{CartId, CartItemId, SessionId, VariantId};
use commerce_domain::quantity::Quantity;
use commerce_domain::validation::ValidationErrors;
use commerce_domain::Metadata;
use serde::Deserialize;

use crate::http::auth::Storefront;
use crate::http::error::ApiError;
use crate::http::input::{id, metadata, optional_address, AddressBody};
use crate::http::views;
use crate::state::AppState;

fn cart_id(raw: &str) -> Result<CartId, ApiError> {
    id(raw, CartId::parse, "cart_not_found", "Cart")
}

fn quantity(raw: Option<i64>) -> Result<Quantity, ApiError> {
    Quantity::new(raw.unwrap_or(1)).map_err(|_| {
        ValidationErrors::one("quantity", "out_of_range", "must be between 1 and 999").into()
    })
}

/// `POST /carts` body.
#[derive(Debug, Deserialize)]
pub struct CreateCart {
    session_id: Option<String>,
    metadata: Option<Metadata>,
}

/// Creates a cart.
pub async fn create(
    _: Storefront,
    state: web::Data<AppState>,
    body: web::Json<CreateCart>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let session = body
        .session_id
        .as_deref()
        .map(SessionId::parse)
        .transpose()
        .map_err(|_| {
            ApiError::invalid_field("session_id", "must be 1 to 128 characters without spaces")
        })?;
    let metadata = metadata(body.metadata, "metadata")?.unwrap_or_default();
    let cart = state.carts.create(session, metadata).await?;
    Ok(HttpResponse::Created().json(views::cart(&cart)))
}

/// Reads a cart.
pub async fn get(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let cart = state.carts.get(&cart_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}

/// The newest active cart of a session.
pub async fn by_session(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = SessionId::parse(&path)
        .map_err(|_| ApiError::not_found("cart_not_found", "Cart not found."))?;
    let cart = state.carts.get_by_session(&session).await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}

/// `PATCH /carts/{id}` body.
#[derive(Debug, Deserialize)]
pub struct UpdateCart {
    shipping_address: Option<AddressBody>,
    billing_address: Option<AddressBody>,
    metadata: Option<Metadata>,
}

/// Sets addresses or metadata.
pub async fn update(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<UpdateCart>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let shipping = optional_address(body.shipping_address, "shipping_address")?;
    let billing = optional_address(body.billing_address, "billing_address")?;
    let metadata = metadata(body.metadata, "metadata")?;
    let cart = state
        .carts
        .update(&cart_id(&path)?, shipping, billing, metadata)
        .await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}

/// `POST /carts/{id}/items` body.
#[derive(Debug, Deserialize)]
pub struct AddItem {
    variant_id: String,
    quantity: Option<i64>,
    metadata: Option<Metadata>,
}

/// Adds units of a variant.
pub async fn add_item(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<AddItem>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let variant = id(
        &body.variant_id,
        VariantId::parse,
        "variant_not_found",
        "Variant",
    )?;
    let quantity = quantity(body.quantity)?;
    let metadata = metadata(body.metadata, "metadata")?;
    let cart = state
        .carts
        .add_item(&cart_id(&path)?, &variant, quantity, metadata)
        .await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}

/// `PATCH /carts/{id}/items/{item_id}` body.
#[derive(Debug, Deserialize)]
pub struct UpdateItem {
    quantity: i64,
}

/// Sets a line's quantity.
pub async fn update_item(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<UpdateItem>,
) -> Result<HttpResponse, ApiError> {
    let (cart, item) = path.into_inner();
    let item = id(&item, CartItemId::parse, "resource_not_found", "Cart item")?;
    let cart = state
        .carts
        .update_item(&cart_id(&cart)?, &item, quantity(Some(body.quantity))?)
        .await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}

/// Removes a line.
pub async fn remove_item(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (cart, item) = path.into_inner();
    let item = id(&item, CartItemId::parse, "resource_not_found", "Cart item")?;
    let cart = state.carts.remove_item(&cart_id(&cart)?, &item).await?;
    Ok(HttpResponse::Ok().json(views::cart(&cart)))
}
