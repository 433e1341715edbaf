//! A variant's stock: on hand, reserved by live orders, and what can be sold.

use crate::ids::{InventoryItemId, VariantId};
use crate::validation::{optional_text, FieldError, ValidationErrors};

/// The stock of one variant at the default location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryItem {
    /// Its id.
    pub id: InventoryItemId,
    /// Its variant.
    pub variant_id: VariantId,
    /// The variant's SKU.
    pub sku: Option<String>,
    /// When false, stock is not counted and never blocks a sale.
    pub track_inventory: bool,
    /// When true, sales may go below zero.
    pub allow_backorder: bool,
    /// Alert threshold for `low_stock` (not withheld from sale).
    pub safety_stock: i64,
    /// Units physically there.
    pub on_hand: i64,
    /// Units held by pending orders.
    pub reserved: i64,
    /// Optimistic-lock version.
    pub version: i64,
}

impl InventoryItem {
    /// Units that can be sold now: on hand minus reserved, never below zero.
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved).max(0)
    }

    /// True when tracked stock is at or under its safety stock.
    pub fn is_low(&self) -> bool {
        self.track_inventory && self.available() <= self.safety_stock
    }
}

/// Changes to the stock settings; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryPatch {
    /// Count stock or not.
    pub track_inventory: Option<bool>,
    /// Allow selling below zero.
    pub allow_backorder: Option<bool>,
    /// The low-stock threshold.
    pub safety_stock: Option<i64>,
}

/// A change to the units on hand: a delivery (+) or a loss (−).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryAdjustment {
    /// Units added (positive) or removed (negative); never zero.
    pub quantity: i64,
    /// Why, for the record.
    pub reason: Option<String>,
}

/// Why an adjustment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("on hand would fall to {would_be}, below the {reserved} units reserved")]
pub struct BelowReserved {
    /// What on hand would become.
    pub would_be: i64,
    /// Units reserved by pending orders.
    pub reserved: i64,
}

impl InventoryPatch {
    /// Validates the patch.
    ///
    /// # Errors
    /// [`ValidationErrors`] for a negative safety stock.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        match self.safety_stock {
            Some(n) if n < 0 => Err(ValidationErrors::one(
                "safety_stock",
                "out_of_range",
                "must not be negative",
            )),
            _ => Ok(()),
        }
    }

    /// Applies the patch.
    pub fn apply_to(&self, item: &mut InventoryItem) {
        if let Some(track) = self.track_inventory {
            item.track_inventory = track;
        }
        if let Some(backorder) = self.allow_backorder {
            item.allow_backorder = backorder;
        }
        if let Some(safety) = self.safety_stock {
            item.safety_stock = safety;
        }
    }
}

impl InventoryAdjustment {
    /// Validates an adjustment from a client.
    ///
    /// # Errors
    /// [`ValidationErrors`] for a zero or absurd quantity or a long reason.
    pub fn new(quantity: i64, reason: Option<String>) -> Result<Self, ValidationErrors> {
        let mut errors: Vec<FieldError> = Vec::new();
        if quantity == 0 || quantity.abs() > 1_000_000_000 {
            errors.push(FieldError::new(
                "quantity",
                "out_of_range",
                "must be a non-zero number of units",
            ));
        }
        let reason = optional_text("reason", reason.as_deref(), 500, &mut errors);
        if errors.is_empty() {
            Ok(InventoryAdjustment { quantity, reason })
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// The on-hand count after the adjustment, refusing to go below what is reserved (a
    /// reserved unit was promised to a pending order).
    ///
    /// # Errors
    /// [`BelowReserved`].
    pub fn applied_to(&self, item: &InventoryItem) -> Result<i64, BelowReserved> {
        let would_be = item.on_hand.saturating_add(self.quantity);
        if would_be < item.reserved || (would_be < 0 && !item.allow_backorder) {
            Err(BelowReserved {
                would_be,
                reserved: item.reserved,
            })
        } else {
            Ok(would_be)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SequenceIds;

    fn item(on_hand: i64, reserved: i64) -> InventoryItem {
        let ids = SequenceIds::default();
        InventoryItem {
            id: InventoryItemId::generate(&ids),
            variant_id: VariantId::generate(&ids),
            sku: None,
            track_inventory: true,
            allow_backorder: false,
            safety_stock: 2,
            on_hand,
            reserved,
            version: 0,
        }
    }

    #[test]
    fn available_is_on_hand_minus_reserved() {
        assert_eq!(item(10, 3).available(), 7);
        assert_eq!(item(1, 3).available(), 0);
        assert!(item(5, 3).is_low());
        assert!(!item(6, 3).is_low());
    }

    #[test]
    fn adjustments_never_go_below_what_is_reserved() {
        let stock = item(10, 4);
        let take = InventoryAdjustment::new(-6, None).unwrap();
        assert_eq!(take.applied_to(&stock), Ok(4));
        let too_many = InventoryAdjustment::new(-7, None).unwrap();
        assert_eq!(
            too_many.applied_to(&stock),
            Err(BelowReserved {
                would_be: 3,
                reserved: 4
            })
        );
        assert!(InventoryAdjustment::new(0, None).is_err());
        assert_eq!(
            InventoryAdjustment::new(5, None)
                .unwrap()
                .applied_to(&stock),
            Ok(15)
        );
    }

    #[test]
    fn a_negative_safety_stock_is_refused() {
        let patch = InventoryPatch {
            safety_stock: Some(-1),
            ..InventoryPatch::default()
        };
        assert!(patch.validate().is_err());
    }
}
