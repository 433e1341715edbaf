//! The cart aggregate: lines of variants a customer means to buy, `active` until checked out,
//! then `completed` for good (SPEC §5).

use std::ops::Deref;

use chrono::{DateTime, Utc};

use crate::address::Address;
use crate::catalog::VariantSnapshot;
use crate::ids::{CartId, CartItemId, OrderId, SessionId, VariantId};
use crate::money::{Krw, MoneyError};
use crate::quantity::Quantity;
use crate::Metadata;

/// The cart's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CartStatus {
    /// Items can be added, changed and removed; it can be checked out.
    Active,
    /// It was checked out into an order; it never changes again.
    Completed,
}

impl CartStatus {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            CartStatus::Active => "active",
            CartStatus::Completed => "completed",
        }
    }

    /// Parses a stored status.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(CartStatus::Active),
            "completed" => Some(CartStatus::Completed),
            _ => None,
        }
    }
}

/// One line of a cart, with the catalog's current view of its variant.
#[derive(Debug, Clone, PartialEq)]
pub struct CartItem {
    /// The line.
    pub id: CartItemId,
    /// The variant as the catalog describes it now.
    pub variant: VariantSnapshot,
    /// Units on this line.
    pub quantity: Quantity,
    /// Client data.
    pub metadata: Metadata,
}

impl CartItem {
    /// Unit price times quantity.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] for absurd prices.
    pub fn line_total(&self) -> Result<Krw, MoneyError> {
        self.variant.unit_price.times(self.quantity)
    }
}

/// A cart's stored state. Read it through [`Cart`]; only the transitions change it.
#[derive(Debug, Clone, PartialEq)]
pub struct CartData {
    /// The cart.
    pub id: CartId,
    /// Lifecycle state.
    pub status: CartStatus,
    /// The storefront session it belongs to.
    pub session_id: Option<SessionId>,
    /// Lines, in the order they were added.
    pub items: Vec<CartItem>,
    /// Where to ship, once known.
    pub shipping_address: Option<Address>,
    /// Where to bill, once known.
    pub billing_address: Option<Address>,
    /// Client data.
    pub metadata: Metadata,
    /// The order it became, once checked out.
    pub order_id: Option<OrderId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock version: storage writes only over the version it was read at.
    pub version: i64,
}

/// A cart. Its fields read through `Deref`; its state changes only through its methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Cart(CartData);

/// Totals of a cart (SDK `CartSummary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartSummary {
    /// Sum of line totals.
    pub subtotal: Krw,
    /// Discounts (none exist yet).
    pub discount_total: Krw,
    /// Shipping (not charged yet).
    pub shipping_total: Krw,
    /// Tax included in the prices (Korean prices include VAT; not split out yet).
    pub tax_total: Krw,
    /// What the customer pays: subtotal − discounts + shipping.
    pub total: Krw,
    /// Number of lines.
    pub item_count: usize,
    /// Sum of quantities.
    pub total_quantity: u32,
}

/// Why a cart change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CartError {
    /// The cart was checked out already.
    #[error("the cart was already checked out")]
    NotActive {
        /// The order it became.
        order_id: Option<OrderId>,
    },
    /// The variant is not for sale.
    #[error("variant {0} is not available")]
    VariantUnavailable(VariantId),
    /// No such line in this cart.
    #[error("cart item {0} not found")]
    ItemNotFound(CartItemId),
    /// The line would hold more than 999 units.
    #[error("a line holds at most 999 units")]
    QuantityTooLarge,
    /// The line would hold more than can be sold now.
    #[error("only {available} of variant {variant_id} available, {requested} requested")]
    InsufficientStock {
        /// The variant.
        variant_id: VariantId,
        /// Units the line would hold.
        requested: i64,
        /// Units available now.
        available: i64,
    },
}

impl Deref for Cart {
    type Target = CartData;

    fn deref(&self) -> &CartData {
        &self.0
    }
}

impl Cart {
    /// A new, empty, active cart.
    pub fn new(
        id: CartId,
        session_id: Option<SessionId>,
        metadata: Metadata,
        now: DateTime<Utc>,
    ) -> Self {
        Cart(CartData {
            id,
            status: CartStatus::Active,
            session_id,
            items: Vec::new(),
            shipping_address: None,
            billing_address: None,
            metadata,
            order_id: None,
            created_at: now,
            updated_at: now,
            version: 0,
        })
    }

    /// Rebuilds a cart from storage.
    pub fn restore(data: CartData) -> Self {
        Cart(data)
    }

    fn ensure_active(&self) -> Result<(), CartError> {
        match self.0.status {
            CartStatus::Active => Ok(()),
            CartStatus::Completed => Err(CartError::NotActive {
                order_id: self.0.order_id.clone(),
            }),
        }
    }

    fn check_stock(variant: &VariantSnapshot, quantity: Quantity) -> Result<(), CartError> {
        let requested = i64::from(quantity.get());
        if variant.can_sell(requested) {
            Ok(())
        } else {
            Err(CartError::InsufficientStock {
                variant_id: variant.variant_id.clone(),
                requested,
                available: variant.available.unwrap_or(0).max(0),
            })
        }
    }

    /// Adds units of a variant; the same variant again adds to its existing line. The stock
    /// check is soft: the reservation happens at checkout.
    ///
    /// # Errors
    /// [`CartError::NotActive`], [`CartError::VariantUnavailable`],
    /// [`CartError::QuantityTooLarge`], [`CartError::InsufficientStock`].
    pub fn add_item(
        &mut self,
        new_item_id: CartItemId,
        variant: VariantSnapshot,
        quantity: Quantity,
        metadata: Option<Metadata>,
        now: DateTime<Utc>,
    ) -> Result<(), CartError> {
        self.ensure_active()?;
        if !variant.is_active {
            return Err(CartError::VariantUnavailable(variant.variant_id));
        }
        let existing = self
            .0
            .items
            .iter_mut()
            .find(|item| item.variant.variant_id == variant.variant_id);
        match existing {
            Some(item) => {
                let merged = item
                    .quantity
                    .checked_add(quantity)
                    .map_err(|_| CartError::QuantityTooLarge)?;
                Self::check_stock(&variant, merged)?;
                item.quantity = merged;
                item.variant = variant;
                if let Some(metadata) = metadata {
                    item.metadata = metadata;
                }
            }
            None => {
                Self::check_stock(&variant, quantity)?;
                self.0.items.push(CartItem {
                    id: new_item_id,
                    variant,
                    quantity,
                    metadata: metadata.unwrap_or_default(),
                });
            }
        }
        self.0.updated_at = now;
        Ok(())
    }

    /// Sets a line's quantity, checked against the stock its variant shows now.
    ///
    /// # Errors
    /// [`CartError::NotActive`], [`CartError::ItemNotFound`], [`CartError::InsufficientStock`].
    pub fn set_quantity(
        &mut self,
        item_id: &CartItemId,
        quantity: Quantity,
        now: DateTime<Utc>,
    ) -> Result<(), CartError> {
        self.ensure_active()?;
        let item = self
            .0
            .items
            .iter_mut()
            .find(|item| &item.id == item_id)
            .ok_or_else(|| CartError::ItemNotFound(item_id.clone()))?;
        if quantity > item.quantity {
            Self::check_stock(&item.variant, quantity)?;
        }
        item.quantity = quantity;
        self.0.updated_at = now;
        Ok(())
    }

    /// Removes a line.
    ///
    /// # Errors
    /// [`CartError::NotActive`], [`CartError::ItemNotFound`].
    pub fn remove_item(
        &mut self,
        item_id: &CartItemId,
        now: DateTime<Utc>,
    ) -> Result<(), CartError> {
        self.ensure_active()?;
        let before = self.0.items.len();
        self.0.items.retain(|item| &item.id != item_id);
        if self.0.items.len() == before {
            return Err(CartError::ItemNotFound(item_id.clone()));
        }
        self.0.updated_at = now;
        Ok(())
    }

    /// Changes the addresses or metadata; `None` leaves a field as it is.
    ///
    /// # Errors
    /// [`CartError::NotActive`].
    pub fn update_details(
        &mut self,
        shipping_address: Option<Address>,
        billing_address: Option<Address>,
        metadata: Option<Metadata>,
        now: DateTime<Utc>,
    ) -> Result<(), CartError> {
        self.ensure_active()?;
        if let Some(address) = shipping_address {
            self.0.shipping_address = Some(address);
        }
        if let Some(address) = billing_address {
            self.0.billing_address = Some(address);
        }
        if let Some(metadata) = metadata {
            self.0.metadata = metadata;
        }
        self.0.updated_at = now;
        Ok(())
    }

    /// Marks the cart checked out into `order_id`: `active` → `completed`.
    ///
    /// # Errors
    /// [`CartError::NotActive`] when it was checked out already.
    pub fn complete(&mut self, order_id: OrderId, now: DateTime<Utc>) -> Result<(), CartError> {
        self.ensure_active()?;
        self.0.status = CartStatus::Completed;
        self.0.order_id = Some(order_id);
        self.0.updated_at = now;
        Ok(())
    }

    /// The cart's totals.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] for absurd prices.
    pub fn summary(&self) -> Result<CartSummary, MoneyError> {
        let totals = self
            .0
            .items
            .iter()
            .map(CartItem::line_total)
            .collect::<Result<Vec<_>, _>>()?;
        let subtotal = Krw::sum(totals)?;
        let total_quantity = self
            .0
            .items
            .iter()
            .map(|item| u32::from(item.quantity.get()))
            .sum();
        Ok(CartSummary {
            subtotal,
            discount_total: Krw::ZERO,
            shipping_total: Krw::ZERO,
            tax_total: Krw::ZERO,
            total: subtotal,
            item_count: self.0.items.len(),
            total_quantity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, tshirt, SequenceIds};

    fn cart() -> Cart {
        Cart::new(
            CartId::generate(&SequenceIds::default()),
            None,
            Metadata::new(),
            at(0),
        )
    }

    fn item_id(n: u128) -> CartItemId {
        CartItemId::generate(&SequenceIds::starting_at(n))
    }

    fn q(n: i64) -> Quantity {
        Quantity::new(n).unwrap()
    }

    #[test]
    fn adding_the_same_variant_twice_adds_to_its_line() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(29_000, Some(10)), q(1), None, at(1))
            .unwrap();
        cart.add_item(item_id(2), tshirt(29_000, Some(10)), q(1), None, at(2))
            .unwrap();
        assert_eq!(cart.items.len(), 1);
        assert_eq!(cart.items[0].quantity, q(2));
        assert_eq!(cart.items[0].id, item_id(1));
        assert_eq!(cart.updated_at, at(2));
        let summary = cart.summary().unwrap();
        assert_eq!(summary.subtotal, Krw::new(58_000).unwrap());
        assert_eq!(summary.total, summary.subtotal);
        assert_eq!((summary.item_count, summary.total_quantity), (1, 2));
    }

    #[test]
    fn adding_more_than_available_is_refused_and_changes_nothing() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(29_000, Some(3)), q(2), None, at(1))
            .unwrap();
        let before = cart.clone();
        let err = cart
            .add_item(item_id(2), tshirt(29_000, Some(3)), q(2), None, at(2))
            .unwrap_err();
        assert!(matches!(
            err,
            CartError::InsufficientStock {
                requested: 4,
                available: 3,
                ..
            }
        ));
        assert_eq!(cart, before);
    }

    #[test]
    fn untracked_stock_never_blocks_adding() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(1_000, None), q(999), None, at(1))
            .unwrap();
        assert_eq!(cart.items[0].quantity, q(999));
    }

    #[test]
    fn a_line_cannot_pass_999_units() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(1_000, None), q(999), None, at(1))
            .unwrap();
        assert_eq!(
            cart.add_item(item_id(2), tshirt(1_000, None), q(1), None, at(2)),
            Err(CartError::QuantityTooLarge)
        );
    }

    #[test]
    fn inactive_variants_cannot_be_added() {
        let mut variant = tshirt(1_000, None);
        variant.is_active = false;
        assert!(matches!(
            cart().add_item(item_id(1), variant, q(1), None, at(1)),
            Err(CartError::VariantUnavailable(_))
        ));
    }

    #[test]
    fn set_quantity_checks_stock_only_when_growing() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(1_000, Some(5)), q(5), None, at(1))
            .unwrap();
        cart.0.items[0].variant.available = Some(2);
        cart.set_quantity(&item_id(1), q(3), at(2)).unwrap();
        assert_eq!(cart.items[0].quantity, q(3));
        assert!(matches!(
            cart.set_quantity(&item_id(1), q(4), at(3)),
            Err(CartError::InsufficientStock { .. })
        ));
        assert!(matches!(
            cart.set_quantity(&item_id(9), q(1), at(3)),
            Err(CartError::ItemNotFound(_))
        ));
    }

    #[test]
    fn remove_item_drops_the_line_or_reports_it_missing() {
        let mut cart = cart();
        cart.add_item(item_id(1), tshirt(1_000, None), q(1), None, at(1))
            .unwrap();
        cart.remove_item(&item_id(1), at(2)).unwrap();
        assert!(cart.items.is_empty());
        assert_eq!(
            cart.remove_item(&item_id(1), at(3)),
            Err(CartError::ItemNotFound(item_id(1)))
        );
    }

    #[test]
    fn a_completed_cart_refuses_every_change() {
        let mut cart = cart();
        let order = OrderId::generate(&SequenceIds::default());
        cart.complete(order.clone(), at(1)).unwrap();
        assert_eq!(cart.status, CartStatus::Completed);
        let not_active = CartError::NotActive {
            order_id: Some(order.clone()),
        };
        assert_eq!(
            cart.add_item(item_id(1), tshirt(1, None), q(1), None, at(2)),
            Err(not_active.clone())
        );
        assert_eq!(
            cart.set_quantity(&item_id(1), q(1), at(2)),
            Err(not_active.clone())
        );
        assert_eq!(
            cart.remove_item(&item_id(1), at(2)),
            Err(not_active.clone())
        );
        assert_eq!(
            cart.update_details(None, None, None, at(2)),
            Err(not_active.clone())
        );
        assert_eq!(cart.complete(order, at(2)), Err(not_active));
    }

    #[test]
    fn update_details_keeps_fields_that_are_not_given() {
        let mut cart = cart();
        let mut metadata = Metadata::new();
        metadata.insert("gift".into(), serde_json::Value::Bool(true));
        cart.update_details(None, None, Some(metadata.clone()), at(1))
            .unwrap();
        cart.update_details(None, None, None, at(2)).unwrap();
        assert_eq!(cart.metadata, metadata);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in [CartStatus::Active, CartStatus::Completed] {
            assert_eq!(CartStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CartStatus::parse("open"), None);
    }
}
