//! Product, variant and inventory rows of the admin catalog.

use chrono::{DateTime, Utc};
use commerce_domain::catalog::{InventoryItem, Product, ProductStatus, ProductType, Variant};
use commerce_domain::ids::{InventoryItemId, ProductId, VariantId};
use commerce_domain::money::Krw;
use diesel::prelude::*;
use serde_json::Value;

use crate::error::PgError;
use crate::rows::json::{metadata_from_json, metadata_to_json};
use crate::schema::{inventory_items, products, variants};

/// A `products` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ProductRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub product_type: String,
    pub status: String,
    pub tags: Value,
    pub attributes: Value,
    pub images: Value,
    pub options: Value,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A `variants` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = variants, check_for_backend(diesel::pg::Pg))]
pub(crate) struct VariantRow {
    pub id: String,
    pub product_id: String,
    pub name: Option<String>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub price: i64,
    pub compare_at_price: Option<i64>,
    pub cost_price: Option<i64>,
    pub weight: Option<i64>,
    pub is_active: bool,
    pub option_values: Value,
    pub position: i32,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An `inventory_items` row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = inventory_items, check_for_backend(diesel::pg::Pg))]
pub(crate) struct InventoryRow {
    pub id: String,
    pub variant_id: String,
    pub track_inventory: bool,
    pub allow_backorder: bool,
    pub safety_stock: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub version: i64,
}

fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn krw(won: i64) -> Result<Krw, PgError> {
    Krw::new(won).map_err(PgError::corrupt)
}

impl ProductRow {
    /// The row of a product.
    pub(crate) fn from_product(p: &Product) -> Self {
        ProductRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            slug: p.slug.clone(),
            description: p.description.clone(),
            product_type: p.product_type.as_str().to_owned(),
            status: p.status.as_str().to_owned(),
            tags: Value::from(p.tags.clone()),
            attributes: metadata_to_json(&p.attributes),
            images: Value::Array(p.images.clone()),
            options: Value::Array(p.options.clone()),
            metadata: metadata_to_json(&p.metadata),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }

    /// The product.
    pub(crate) fn into_product(self) -> Result<Product, PgError> {
        Ok(Product {
            id: ProductId::parse(&self.id).map_err(PgError::corrupt)?,
            product_type: ProductType::parse(&self.product_type)
                .ok_or_else(|| PgError::corrupt(&self.product_type))?,
            status: ProductStatus::parse(&self.status)
                .ok_or_else(|| PgError::corrupt(&self.status))?,
            name: self.name,
            slug: self.slug,
            description: self.description,
            tags: array(self.tags)
                .into_iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            attributes: metadata_from_json(self.attributes),
            images: array(self.images),
            options: array(self.options),
            metadata: metadata_from_json(self.metadata),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl VariantRow {
    /// The row of a variant.
    pub(crate) fn from_variant(v: &Variant) -> Self {
        VariantRow {
            id: v.id.to_string(),
            product_id: v.product_id.to_string(),
            name: v.name.clone(),
            sku: v.sku.clone(),
            barcode: v.barcode.clone(),
            price: v.price.won(),
            compare_at_price: v.compare_at_price.map(Krw::won),
            cost_price: v.cost_price.map(Krw::won),
            weight: v.weight,
            is_active: v.is_active,
            option_values: metadata_to_json(&v.option_values),
            position: v.position,
            metadata: metadata_to_json(&v.metadata),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }

    /// The variant with its stock.
    pub(crate) fn into_variant(self, stock: InventoryRow) -> Result<Variant, PgError> {
        let inventory = stock.into_item(self.sku.clone())?;
        Ok(Variant {
            id: VariantId::parse(&self.id).map_err(PgError::corrupt)?,
            product_id: ProductId::parse(&self.product_id).map_err(PgError::corrupt)?,
            name: self.name,
            sku: self.sku,
            barcode: self.barcode,
            price: krw(self.price)?,
            compare_at_price: self.compare_at_price.map(krw).transpose()?,
            cost_price: self.cost_price.map(krw).transpose()?,
            weight: self.weight,
            is_active: self.is_active,
            option_values: metadata_from_json(self.option_values),
            position: self.position,
            metadata: metadata_from_json(self.metadata),
            inventory,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl InventoryRow {
    /// The inventory item; its SKU is the variant's.
    pub(crate) fn into_item(self, sku: Option<String>) -> Result<InventoryItem, PgError> {
        Ok(InventoryItem {
            id: InventoryItemId::parse(&self.id).map_err(PgError::corrupt)?,
            variant_id: VariantId::parse(&self.variant_id).map_err(PgError::corrupt)?,
            sku,
            track_inventory: self.track_inventory,
            allow_backorder: self.allow_backorder,
            safety_stock: self.safety_stock,
            on_hand: self.on_hand,
            reserved: self.reserved,
            version: self.version,
        })
    }
}
