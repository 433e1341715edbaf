//! What a cart or checkout needs to know of a variant.

use crate::ids::{ProductId, VariantId};
use crate::money::Krw;
use crate::Metadata;

/// A variant as the catalog describes it right now: the name and price a cart shows and an
/// order snapshots, and how many units can be sold.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantSnapshot {
    /// The variant.
    pub variant_id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// The product's name, e.g. "Classic T-Shirt".
    pub product_name: String,
    /// The variant's own name, e.g. "M / Black".
    pub variant_name: Option<String>,
    /// Stock keeping unit.
    pub sku: Option<String>,
    /// The product's first image.
    pub image_url: Option<String>,
    /// Price of one unit.
    pub unit_price: Krw,
    /// Option values such as `{"size": "M"}`.
    pub option_values: Metadata,
    /// False when the variant or its product is not for sale.
    pub is_active: bool,
    /// Units that can be sold now (on hand minus reserved); `None` when stock is not tracked
    /// or backorders are allowed.
    pub available: Option<i64>,
}

impl VariantSnapshot {
    /// True when `quantity` units can be sold now.
    pub fn can_sell(&self, quantity: i64) -> bool {
        self.available.is_none_or(|available| quantity <= available)
    }
}
