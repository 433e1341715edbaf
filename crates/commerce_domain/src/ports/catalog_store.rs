//! Read access to the catalog for carts and checkout.

use async_trait::async_trait;

use super::StoreError;
use crate::catalog::VariantSnapshot;
use crate::ids::VariantId;

/// Describes variants as they are now.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// A variant with its product's name, its price and the units available now (on hand
    /// minus reserved).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`]; an unknown or deleted
    /// variant is `Ok(None)`.
    async fn get_variant(&self, id: &VariantId) -> Result<Option<VariantSnapshot>, StoreError>;
}
