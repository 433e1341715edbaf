//! Storefront catalogue routes.

use actix_web::{web, HttpResponse};
use commerce_domain::ids::ProductId;
use commerce_domain::usecases::IdOrSlug;
use serde::Deserialize;

use crate::http::auth::Storefront;
use crate::http::error::ApiError;
use crate::http::input::{id, ListQuery};
use crate::http::views;
use crate::state::AppState;

/// `GET /v1/storefront/products` query.
#[derive(Debug, Deserialize)]
pub struct ProductListQuery {
    #[serde(flatten)]
    list: ListQuery,
    q: Option<String>,
}

/// Lists active products.
pub async fn list(
    _: Storefront,
    state: web::Data<AppState>,
    query: web::Query<ProductListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .catalog
        .storefront_products(query.q.clone(), query.list.page()?)
        .await?;
    Ok(HttpResponse::Ok().json(views::page(
        &page,
        |d| d.product.id.to_string(),
        |d| views::product(d, false),
    )))
}

/// One active product by id.
pub async fn get(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let product_id = id(&path, ProductId::parse, "product_not_found", "Product")?;
    let details = state
        .catalog
        .storefront_product(IdOrSlug::Id(product_id))
        .await?;
    Ok(HttpResponse::Ok().json(views::product(&details, false)))
}

/// One active product by slug.
pub async fn by_slug(
    _: Storefront,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let details = state
        .catalog
        .storefront_product(IdOrSlug::Slug(path.into_inner()))
        .await?;
    Ok(HttpResponse::Ok().json(views::product(&details, false)))
}
