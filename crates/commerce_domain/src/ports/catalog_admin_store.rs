//! Storage of the catalog as the admin API manages it, and the storefront's product reads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::catalog::{
    InventoryItem, Page, PageRequest, Product, ProductDetails, ProductStatus, Variant,
};
use crate::ids::{InventoryItemId, ProductId, VariantId};

/// Why a catalog write was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogWriteError {
    /// Another live product has this slug.
    #[error("the slug is taken")]
    SlugTaken,
    /// Another live variant has this SKU.
    #[error("the SKU is taken")]
    SkuTaken,
    /// The product or variant does not exist (or was deleted).
    #[error("not found")]
    NotFound,
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How to order a product list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    /// By creation time.
    CreatedAt,
    /// By name.
    Name,
    /// By last change.
    UpdatedAt,
}

/// Which products to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    /// Words to find in the name, slug or description.
    pub q: Option<String>,
    /// Only this status (storefronts always see active products only).
    pub status: Option<ProductStatus>,
    /// The order.
    pub sort: ProductSort,
    /// Newest/last first.
    pub descending: bool,
    /// Count all matches too (admin lists).
    pub with_total: bool,
    /// The page.
    pub page: PageRequest,
}

/// Keeps products, variants and stock settings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogAdminStore: Send + Sync {
    /// Stores a new product.
    ///
    /// # Errors
    /// [`CatalogWriteError::SlugTaken`], [`CatalogWriteError::Store`].
    async fn insert_product(&self, product: &Product) -> Result<(), CatalogWriteError>;

    /// Rewrites a product.
    ///
    /// # Errors
    /// [`CatalogWriteError::SlugTaken`], [`CatalogWriteError::NotFound`],
    /// [`CatalogWriteError::Store`].
    async fn update_product(&self, product: &Product) -> Result<(), CatalogWriteError>;

    /// Deletes a product and its variants (softly: orders keep their snapshots); false when
    /// there was none.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn delete_product(&self, id: &ProductId, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// A live product with its live variants.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn get_product(&self, id: &ProductId) -> Result<Option<ProductDetails>, StoreError>;

    /// A live product by slug.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn get_product_by_slug(&self, slug: &str) -> Result<Option<ProductDetails>, StoreError>;

    /// A page of live products.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_products(&self, query: &ProductQuery)
        -> Result<Page<ProductDetails>, StoreError>;

    /// Stores a new variant and its inventory item.
    ///
    /// # Errors
    /// [`CatalogWriteError::SkuTaken`], [`CatalogWriteError::NotFound`] (no such product),
    /// [`CatalogWriteError::Store`].
    async fn insert_variant(&self, variant: &Variant) -> Result<(), CatalogWriteError>;

    /// A live variant with its stock.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn get_variant_details(&self, id: &VariantId) -> Result<Option<Variant>, StoreError>;

    /// Rewrites a variant (not its stock).
    ///
    /// # Errors
    /// [`CatalogWriteError::SkuTaken`], [`CatalogWriteError::NotFound`],
    /// [`CatalogWriteError::Store`].
    async fn update_variant(&self, variant: &Variant) -> Result<(), CatalogWriteError>;

    /// Deletes a variant softly; false when there was none.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn delete_variant(&self, id: &VariantId, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// A page of inventory items, only those at or under their safety stock if `low_stock`.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_inventory(
        &self,
        low_stock: bool,
        page: &PageRequest,
    ) -> Result<Page<InventoryItem>, StoreError>;

    /// One inventory item.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn get_inventory(
        &self,
        id: &InventoryItemId,
    ) -> Result<Option<InventoryItem>, StoreError>;

    /// Writes an item's settings and on-hand count over the version it was read at (bumping
    /// it); the database still refuses on hand below reserved for tracked stock.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the version moved (a checkout reserved meanwhile).
    async fn save_inventory(&self, item: &InventoryItem) -> Result<(), StoreError>;
}
