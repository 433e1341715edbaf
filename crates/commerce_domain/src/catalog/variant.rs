//! Variants: what is actually bought, each with a price and its own stock.

use chrono::{DateTime, Utc};

use super::inventory::InventoryItem;
use crate::ids::{InventoryItemId, ProductId, VariantId};
use crate::money::Krw;
use crate::validation::{optional_text, FieldError, ValidationErrors};
use crate::Metadata;

/// A variant with its stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Its id.
    pub id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// Its own name, e.g. "M / Black".
    pub name: Option<String>,
    /// Stock keeping unit, unique among live variants.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Price of one unit.
    pub price: Krw,
    /// A former price to show struck through.
    pub compare_at_price: Option<Krw>,
    /// What it costs the merchant.
    pub cost_price: Option<Krw>,
    /// Weight in grams.
    pub weight: Option<i64>,
    /// Whether it is for sale.
    pub is_active: bool,
    /// Option values, e.g. `{"size": "M"}`.
    pub option_values: Metadata,
    /// Position among the product's variants.
    pub position: i32,
    /// Client data.
    pub metadata: Metadata,
    /// Its stock.
    pub inventory: InventoryItem,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A variant as the admin API creates it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewVariant {
    /// Its name.
    pub name: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Required, whole won, not negative.
    pub price: i64,
    /// Optional.
    pub compare_at_price: Option<i64>,
    /// Optional.
    pub cost_price: Option<i64>,
    /// Grams.
    pub weight: Option<i64>,
    /// `true` unless given.
    pub is_active: Option<bool>,
    /// Option values.
    pub option_values: Metadata,
    /// Position.
    pub position: Option<i32>,
    /// Client data.
    pub metadata: Metadata,
}

/// Changes to a variant; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VariantPatch {
    /// New name.
    pub name: Option<String>,
    /// New SKU.
    pub sku: Option<String>,
    /// New barcode.
    pub barcode: Option<String>,
    /// New price.
    pub price: Option<i64>,
    /// New compare-at price.
    pub compare_at_price: Option<i64>,
    /// New cost price.
    pub cost_price: Option<i64>,
    /// New weight.
    pub weight: Option<i64>,
    /// New state.
    pub is_active: Option<bool>,
    /// New position.
    pub position: Option<i32>,
    /// New metadata.
    pub metadata: Option<Metadata>,
}

fn money(field: &str, won: i64, errors: &mut Vec<FieldError>) -> Krw {
    Krw::new(won).unwrap_or_else(|_| {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            "must be a whole number of won, not negative",
        ));
        Krw::ZERO
    })
}

fn weight(value: Option<i64>, errors: &mut Vec<FieldError>) -> Option<i64> {
    if value.is_some_and(|w| w < 0) {
        errors.push(FieldError::new(
            "weight",
            "out_of_range",
            "must not be negative",
        ));
    }
    value
}

impl Variant {
    /// Creates a variant of `product_id` with an inventory item that starts at 0 on hand and
    /// tracked.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each bad field.
    pub fn create(
        id: VariantId,
        inventory_id: InventoryItemId,
        product_id: ProductId,
        input: NewVariant,
        now: DateTime<Utc>,
    ) -> Result<Variant, ValidationErrors> {
        let mut errors = Vec::new();
        let price = money("price", input.price, &mut errors);
        let compare_at_price = input
            .compare_at_price
            .map(|won| money("compare_at_price", won, &mut errors));
        let cost_price = input
            .cost_price
            .map(|won| money("cost_price", won, &mut errors));
        let name = optional_text("name", input.name.as_deref(), 200, &mut errors);
        let sku = optional_text("sku", input.sku.as_deref(), 100, &mut errors);
        let barcode = optional_text("barcode", input.barcode.as_deref(), 100, &mut errors);
        let weight = weight(input.weight, &mut errors);
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        Ok(Variant {
            inventory: InventoryItem {
                id: inventory_id,
                variant_id: id.clone(),
                sku: sku.clone(),
                track_inventory: true,
                allow_backorder: false,
                safety_stock: 0,
                on_hand: 0,
                reserved: 0,
                version: 0,
            },
            id,
            product_id,
            name,
            sku,
            barcode,
            price,
            compare_at_price,
            cost_price,
            weight,
            is_active: input.is_active.unwrap_or(true),
            option_values: input.option_values,
            position: input.position.unwrap_or(0),
            metadata: input.metadata,
            created_at: now,
            updated_at: now,
        })
    }

    /// Applies admin changes.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each bad field; the variant is unchanged then.
    pub fn apply(
        &mut self,
        patch: VariantPatch,
        now: DateTime<Utc>,
    ) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        let mut next = self.clone();
        if let Some(price) = patch.price {
            next.price = money("price", price, &mut errors);
        }
        if let Some(won) = patch.compare_at_price {
            next.compare_at_price = Some(money("compare_at_price", won, &mut errors));
        }
        if let Some(won) = patch.cost_price {
            next.cost_price = Some(money("cost_price", won, &mut errors));
        }
        if let Some(name) = patch.name {
            next.name = optional_text("name", Some(&name), 200, &mut errors);
        }
        if let Some(sku) = patch.sku {
            next.sku = optional_text("sku", Some(&sku), 100, &mut errors);
            next.inventory.sku = next.sku.clone();
        }
        if let Some(barcode) = patch.barcode {
            next.barcode = optional_text("barcode", Some(&barcode), 100, &mut errors);
        }
        if patch.weight.is_some() {
            next.weight = weight(patch.weight, &mut errors);
        }
        if let Some(active) = patch.is_active {
            next.is_active = active;
        }
        if let Some(position) = patch.position {
            next.position = position;
        }
        if let Some(metadata) = patch.metadata {
            next.metadata = metadata;
        }
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        next.updated_at = now;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, SequenceIds};

    fn create(input: NewVariant) -> Result<Variant, ValidationErrors> {
        let ids = SequenceIds::default();
        Variant::create(
            VariantId::generate(&ids),
            InventoryItemId::generate(&ids),
            ProductId::generate(&ids),
            input,
            at(0),
        )
    }

    #[test]
    fn a_new_variant_is_active_with_zero_tracked_stock() {
        let variant = create(NewVariant {
            price: 29_000,
            sku: Some("TS-M".into()),
            ..NewVariant::default()
        })
        .unwrap();
        assert!(variant.is_active);
        assert_eq!(variant.price.won(), 29_000);
        assert_eq!(
            (variant.inventory.on_hand, variant.inventory.reserved),
            (0, 0)
        );
        assert!(variant.inventory.track_inventory);
        assert_eq!(variant.inventory.sku.as_deref(), Some("TS-M"));
    }

    #[test]
    fn negative_money_and_weight_are_refused() {
        let errors = create(NewVariant {
            price: -1,
            cost_price: Some(-5),
            weight: Some(-1),
            ..NewVariant::default()
        })
        .unwrap_err()
        .0;
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["price", "cost_price", "weight"]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let mut variant = create(NewVariant {
            price: 1_000,
            ..NewVariant::default()
        })
        .unwrap();
        variant
            .apply(
                VariantPatch {
                    price: Some(2_000),
                    ..VariantPatch::default()
                },
                at(3),
            )
            .unwrap();
        assert_eq!(variant.price.won(), 2_000);
        assert!(variant.is_active);
        let before = variant.clone();
        assert!(variant
            .apply(
                VariantPatch {
                    price: Some(-3),
                    ..VariantPatch::default()
                },
                at(4)
            )
            .is_err());
        assert_eq!(variant, before);
    }
}
