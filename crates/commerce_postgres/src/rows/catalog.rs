//! Columns read to describe a variant as a cart or checkout sees it.

use commerce_domain::catalog::VariantSnapshot;
use commerce_domain::ids::{ProductId, VariantId};
use commerce_domain::money::Krw;
use diesel::prelude::*;
use serde_json::Value;

use crate::error::PgError;
use crate::rows::json::metadata_from_json;
use crate::schema::{inventory_items, products, variants};

/// The variant's own columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = variants, check_for_backend(diesel::pg::Pg))]
pub(crate) struct VariantCols {
    pub id: String,
    pub product_id: String,
    pub name: Option<String>,
    pub sku: Option<String>,
    pub price: i64,
    pub is_active: bool,
    pub option_values: Value,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The product columns a variant snapshot needs.
#[derive(Queryable, Selectable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ProductCols {
    pub name: String,
    pub status: String,
    pub images: Value,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The stock columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = inventory_items, check_for_backend(diesel::pg::Pg))]
pub(crate) struct StockCols {
    pub track_inventory: bool,
    pub allow_backorder: bool,
    pub on_hand: i64,
    pub reserved: i64,
}

/// The three together, as one join returns them.
pub(crate) type VariantView = (VariantCols, ProductCols, StockCols);

/// The first image's URL: images are stored as strings or as objects with a `url`.
fn first_image(images: &Value) -> Option<String> {
    let first = images.as_array()?.first()?;
    first
        .as_str()
        .or_else(|| first.get("url").and_then(Value::as_str))
        .map(str::to_owned)
}

/// The domain's snapshot of a variant.
pub(crate) fn snapshot((variant, product, stock): VariantView) -> Result<VariantSnapshot, PgError> {
    let available = (stock.track_inventory && !stock.allow_backorder)
        .then(|| (stock.on_hand - stock.reserved).max(0));
    Ok(VariantSnapshot {
        variant_id: VariantId::parse(&variant.id).map_err(PgError::corrupt)?,
        product_id: ProductId::parse(&variant.product_id).map_err(PgError::corrupt)?,
        image_url: first_image(&product.images),
        is_active: variant.is_active
            && variant.deleted_at.is_none()
            && product.status == "active"
            && product.deleted_at.is_none(),
        product_name: product.name,
        variant_name: variant.name,
        sku: variant.sku,
        unit_price: Krw::new(variant.price).map_err(PgError::corrupt)?,
        option_values: metadata_from_json(variant.option_values),
        available,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_image_may_be_a_string_or_an_object() {
        assert_eq!(
            first_image(&json!(["a.png", "b.png"])).as_deref(),
            Some("a.png")
        );
        assert_eq!(
            first_image(&json!([{"url": "c.png", "alt": "x"}])).as_deref(),
            Some("c.png")
        );
        assert_eq!(first_image(&json!([])), None);
    }
}
