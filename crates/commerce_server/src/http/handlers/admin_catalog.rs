//! Admin catalog routes: products, variants, inventory.

use actix_web::{web, HttpResponse};
use commerce_domain::catalog::{
    InventoryAdjustment, InventoryPatch, NewProduct, NewVariant, ProductPatch, ProductStatus,
    VariantPatch,
};
use commerce_domain::ids::{InventoryItemId, ProductId, VariantId};
use commerce_domain::ports::{ProductQuery, ProductSort};
use commerce_domain::Metadata;
use serde::Deserialize;
use serde_json::json;

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::{flag, id, metadata, ListQuery};
use crate::http::views;
use crate::state::AppState;

fn product_id(raw: &str) -> Result<ProductId, ApiError> {
    id(raw, ProductId::parse, "product_not_found", "Product")
}

fn variant_id(raw: &str) -> Result<VariantId, ApiError> {
    id(raw, VariantId::parse, "variant_not_found", "Variant")
}

fn inventory_id(raw: &str) -> Result<InventoryItemId, ApiError> {
    id(
        raw,
        InventoryItemId::parse,
        "resource_not_found",
        "Inventory item",
    )
}

/// `POST /admin/products` body.
#[derive(Debug, Deserialize)]
pub struct CreateProduct {
    name: String,
    slug: String,
    description: Option<String>,
    #[serde(rename = "type")]
    product_type: Option<String>,
    status: Option<String>,
    tags: Option<Vec<String>>,
    attributes: Option<Metadata>,
    metadata: Option<Metadata>,
}

/// Creates a product.
pub async fn create_product(
    _: Admin,
    state: web::Data<AppState>,
    body: web::Json<CreateProduct>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewProduct {
        name: b.name,
        slug: b.slug,
        description: b.description,
        product_type: b.product_type,
        status: b.status,
        tags: b.tags.unwrap_or_default(),
        attributes: b.attributes.unwrap_or_default(),
        metadata: metadata(b.metadata, "metadata")?.unwrap_or_default(),
    };
    let details = state.catalog.create_product(input).await?;
    Ok(HttpResponse::Created().json(views::product(&details, true)))
}

/// `GET /admin/products` query.
#[derive(Debug, Deserialize)]
pub struct AdminProductQuery {
    #[serde(flatten)]
    list: ListQuery,
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

/// Lists products with a total count.
pub async fn list_products(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<AdminProductQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            ProductStatus::parse(s).ok_or_else(|| {
                ApiError::invalid_field("status", "must be draft, active or archived")
            })
        })
        .transpose()?;
    let sort = match query.sort.as_deref() {
        None | Some("created_at") => ProductSort::CreatedAt,
        Some("name") => ProductSort::Name,
        Some("updated_at") => ProductSort::UpdatedAt,
        Some(_) => {
            return Err(ApiError::invalid_field(
                "sort",
                "must be created_at, name or updated_at",
            ))
        }
    };
    let descending = match query.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(ApiError::invalid_field("order", "must be asc or desc")),
    };
    let page = state
        .catalog
        .list_products(ProductQuery {
            q: query.q.clone(),
            status,
            sort,
            descending,
            with_total: true,
            page: query.list.page()?,
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::page(
        &page,
        |d| d.product.id.to_string(),
        |d| views::product(d, true),
    )))
}

/// One product in any status.
pub async fn get_product(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let details = state.catalog.product(&product_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(views::product(&details, true)))
}

/// `PATCH /admin/products/{id}` body.
#[derive(Debug, Deserialize)]
pub struct UpdateProduct {
    name: Option<String>,
    slug: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    product_type: Option<String>,
    status: Option<String>,
    tags: Option<Vec<String>>,
    attributes: Option<Metadata>,
    metadata: Option<Metadata>,
}

/// Changes a product.
pub async fn update_product(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<UpdateProduct>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let patch = ProductPatch {
        name: b.name,
        slug: b.slug,
        description: b.description,
        product_type: b.product_type,
        status: b.status,
        tags: b.tags,
        attributes: b.attributes,
        metadata: metadata(b.metadata, "metadata")?,
    };
    let details = state
        .catalog
        .update_product(&product_id(&path)?, patch)
        .await?;
    Ok(HttpResponse::Ok().json(views::product(&details, true)))
}

/// Deletes a product and its variants.
pub async fn delete_product(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let product_id = product_id(&path)?;
    state.catalog.delete_product(&product_id).await?;
    Ok(HttpResponse::Ok().json(json!({"deleted": true, "id": product_id.as_str()})))
}

/// `POST /admin/products/{id}/variants` body.
#[derive(Debug, Deserialize)]
pub struct CreateVariant {
    name: Option<String>,
    sku: Option<String>,
    barcode: Option<String>,
    price: i64,
    compare_at_price: Option<i64>,
    cost_price: Option<i64>,
    weight: Option<i64>,
    is_active: Option<bool>,
    position: Option<i32>,
    option_values: Option<Metadata>,
    metadata: Option<Metadata>,
}

/// Adds a variant (with an inventory item at 0 on hand).
pub async fn create_variant(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CreateVariant>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewVariant {
        name: b.name,
        sku: b.sku,
        barcode: b.barcode,
        price: b.price,
        compare_at_price: b.compare_at_price,
        cost_price: b.cost_price,
        weight: b.weight,
        is_active: b.is_active,
        option_values: b.option_values.unwrap_or_default(),
        position: b.position,
        metadata: metadata(b.metadata, "metadata")?.unwrap_or_default(),
    };
    let variant = state
        .catalog
        .create_variant(&product_id(&path)?, input)
        .await?;
    Ok(HttpResponse::Created().json(views::variant(&variant, true)))
}

/// A product's variants.
pub async fn list_variants(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let variants = state.catalog.variants(&product_id(&path)?).await?;
    let data: Vec<_> = variants.iter().map(|v| views::variant(v, true)).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": false, "next_cursor": null})))
}

/// `PATCH /admin/variants/{id}` body.
#[derive(Debug, Deserialize)]
pub struct UpdateVariant {
    name: Option<String>,
    sku: Option<String>,
    barcode: Option<String>,
    price: Option<i64>,
    compare_at_price: Option<i64>,
    cost_price: Option<i64>,
    weight: Option<i64>,
    is_active: Option<bool>,
    position: Option<i32>,
    metadata: Option<Metadata>,
}

/// Changes a variant.
pub async fn update_variant(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<UpdateVariant>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let patch = VariantPatch {
        name: b.name,
        sku: b.sku,
        barcode: b.barcode,
        price: b.price,
        compare_at_price: b.compare_at_price,
        cost_price: b.cost_price,
        weight: b.weight,
        is_active: b.is_active,
        position: b.position,
        metadata: metadata(b.metadata, "metadata")?,
    };
    let variant = state
        .catalog
        .update_variant(&variant_id(&path)?, patch)
        .await?;
    Ok(HttpResponse::Ok().json(views::variant(&variant, true)))
}

/// Deletes a variant.
pub async fn delete_variant(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let variant_id = variant_id(&path)?;
    state.catalog.delete_variant(&variant_id).await?;
    Ok(HttpResponse::Ok().json(json!({"deleted": true, "id": variant_id.as_str()})))
}

/// `GET /admin/inventory` query.
#[derive(Debug, Deserialize)]
pub struct InventoryQuery {
    #[serde(flatten)]
    list: ListQuery,
    low_stock: Option<String>,
}

/// Lists inventory items.
pub async fn list_inventory(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<InventoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .catalog
        .inventory(
            flag(query.low_stock.as_deref(), "low_stock")?,
            query.list.page()?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(views::page(&page, |i| i.id.to_string(), views::inventory)))
}

/// One inventory item.
pub async fn get_inventory(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let item = state.catalog.inventory_item(&inventory_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(views::inventory(&item)))
}

/// `PATCH /admin/inventory/{id}` body.
#[derive(Debug, Deserialize)]
pub struct UpdateInventory {
    track_inventory: Option<bool>,
    allow_backorder: Option<bool>,
    safety_stock: Option<i64>,
}

/// Changes stock settings.
pub async fn update_inventory(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<UpdateInventory>,
) -> Result<HttpResponse, ApiError> {
    let patch = InventoryPatch {
        track_inventory: body.track_inventory,
        allow_backorder: body.allow_backorder,
        safety_stock: body.safety_stock,
    };
    let item = state
        .catalog
        .update_inventory(&inventory_id(&path)?, patch)
        .await?;
    Ok(HttpResponse::Ok().json(views::inventory(&item)))
}

/// `POST /admin/inventory/{id}/adjust` body.
#[derive(Debug, Deserialize)]
pub struct Adjust {
    quantity: i64,
    reason: Option<String>,
}

/// Adds or removes units on hand.
pub async fn adjust_inventory(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Adjust>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let adjustment = InventoryAdjustment::new(body.quantity, body.reason)?;
    let item = state
        .catalog
        .adjust_inventory(&inventory_id(&path)?, adjustment)
        .await?;
    Ok(HttpResponse::Ok().json(views::inventory(&item)))
}
