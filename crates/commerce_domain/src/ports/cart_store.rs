//! Storage of carts.

use async_trait::async_trait;

use super::StoreError;
use crate::cart::Cart;
use crate::catalog::VariantSnapshot;
use crate::ids::{CartId, SessionId, VariantId};

/// Keeps carts, with each line's variant as the catalog describes it at read time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CartStore: Send + Sync {
    /// Stores a new cart.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError>;

    /// Reads a cart, joining each line with its variant's current snapshot.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`]; a missing cart is `Ok(None)`.
    async fn get_cart(&self, id: &CartId) -> Result<Option<Cart>, StoreError>;

    /// Reads a cart (as [`get_cart`](Self::get_cart)) and a variant as it is now: its
    /// product's name, its price and the units available (on hand minus reserved). Adding a
    /// line needs both before it can decide, so a store that can answers them in one round
    /// trip.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`]; a missing cart, or an
    /// unknown or deleted variant, is `None` in its place.
    async fn get_cart_and_variant(
        &self,
        cart: &CartId,
        variant: &VariantId,
    ) -> Result<(Option<Cart>, Option<VariantSnapshot>), StoreError>;

    /// The newest active cart of a storefront session.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn find_active_cart_by_session(
        &self,
        session: &SessionId,
    ) -> Result<Option<Cart>, StoreError>;

    /// Writes a changed cart (details and lines) over the version it was read at, and bumps
    /// the stored version by one.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the stored version differs (a concurrent change, or the
    /// cart was checked out); [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError>;
}
