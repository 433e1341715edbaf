//! Storage of carts.

use async_trait::async_trait;

use super::StoreError;
use crate::cart::Cart;
use crate::ids::{CartId, SessionId};

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
