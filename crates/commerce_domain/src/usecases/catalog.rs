//! The catalog as the admin API manages it, and as storefronts read it.

use crate::catalog::{
    BelowReserved, InventoryAdjustment, InventoryItem, InventoryPatch, NewProduct, NewVariant,
    Page, PageRequest, Product, ProductDetails, ProductPatch, ProductStatus, Variant, VariantPatch,
};
use crate::error::ErrorCode;
use crate::ids::{InventoryItemId, ProductId, VariantId};
use crate::ports::{CatalogWriteError, ProductQuery, StoreError};
use crate::validation::ValidationErrors;

use super::{Ports, MAX_ATTEMPTS};

/// Why a catalog use case failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No such product.
    #[error("product not found")]
    ProductNotFound,
    /// No such variant.
    #[error("variant not found")]
    VariantNotFound,
    /// No such inventory item.
    #[error("inventory item not found")]
    InventoryNotFound,
    /// Another product has this slug.
    #[error("the slug is already used by another product")]
    SlugTaken,
    /// Another variant has this SKU.
    #[error("the SKU is already used by another variant")]
    SkuTaken,
    /// On hand would fall below what pending orders reserved.
    #[error(transparent)]
    BelowReserved(#[from] BelowReserved),
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for CatalogError {
    fn code(&self) -> &'static str {
        match self {
            CatalogError::ProductNotFound => "product_not_found",
            CatalogError::VariantNotFound => "variant_not_found",
            CatalogError::InventoryNotFound => "resource_not_found",
            CatalogError::SlugTaken => "slug_taken",
            CatalogError::SkuTaken => "sku_taken",
            CatalogError::BelowReserved(_) => "inventory_below_reserved",
            CatalogError::Invalid(_) => "invalid_request",
            CatalogError::Store(e) => e.code(),
        }
    }
}

fn write_error(e: CatalogWriteError, not_found: CatalogError) -> CatalogError {
    match e {
        CatalogWriteError::SlugTaken => CatalogError::SlugTaken,
        CatalogWriteError::SkuTaken => CatalogError::SkuTaken,
        CatalogWriteError::NotFound => not_found,
        CatalogWriteError::Store(e) => CatalogError::Store(e),
    }
}

/// The catalog use cases.
#[derive(Clone)]
pub struct CatalogService {
    ports: Ports,
}

impl CatalogService {
    /// Builds the service over the ports.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Storefront: a page of active products.
    ///
    /// # Errors
    /// [`CatalogError::Store`].
    pub async fn storefront_products(
        &self,
        q: Option<String>,
        page: PageRequest,
    ) -> Result<Page<ProductDetails>, CatalogError> {
        let query = ProductQuery {
            q,
            status: Some(ProductStatus::Active),
            sort: crate::ports::ProductSort::CreatedAt,
            descending: false,
            with_total: false,
            page,
        };
        Ok(self.ports.catalog_admin.list_products(&query).await?)
    }

    /// Storefront: an active product by id or slug.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`] for a missing or hidden product.
    pub async fn storefront_product(
        &self,
        id_or_slug: IdOrSlug,
    ) -> Result<ProductDetails, CatalogError> {
        let found = match id_or_slug {
            IdOrSlug::Id(id) => self.ports.catalog_admin.get_product(&id).await?,
            IdOrSlug::Slug(slug) => self.ports.catalog_admin.get_product_by_slug(&slug).await?,
        };
        found
            .filter(|details| details.product.status == ProductStatus::Active)
            .ok_or(CatalogError::ProductNotFound)
    }

    /// Admin: a page of products.
    ///
    /// # Errors
    /// [`CatalogError::Store`].
    pub async fn list_products(
        &self,
        query: ProductQuery,
    ) -> Result<Page<ProductDetails>, CatalogError> {
        Ok(self.ports.catalog_admin.list_products(&query).await?)
    }

    /// Admin: a product in any status.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    pub async fn product(&self, id: &ProductId) -> Result<ProductDetails, CatalogError> {
        self.ports
            .catalog_admin
            .get_product(id)
            .await?
            .ok_or(CatalogError::ProductNotFound)
    }

    /// Admin: creates a product.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`], [`CatalogError::SlugTaken`].
    pub async fn create_product(&self, input: NewProduct) -> Result<ProductDetails, CatalogError> {
        let product = Product::create(
            ProductId::generate(self.ports.ids.as_ref()),
            input,
            self.ports.clock.now(),
        )?;
        self.ports
            .catalog_admin
            .insert_product(&product)
            .await
            .map_err(|e| write_error(e, CatalogError::ProductNotFound))?;
        Ok(ProductDetails {
            product,
            variants: Vec::new(),
        })
    }

    /// Admin: changes a product.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::Invalid`], [`CatalogError::SlugTaken`].
    pub async fn update_product(
        &self,
        id: &ProductId,
        patch: ProductPatch,
    ) -> Result<ProductDetails, CatalogError> {
        let mut details = self.product(id).await?;
        details.product.apply(patch, self.ports.clock.now())?;
        self.ports
            .catalog_admin
            .update_product(&details.product)
            .await
            .map_err(|e| write_error(e, CatalogError::ProductNotFound))?;
        Ok(details)
    }

    /// Admin: deletes a product and its variants.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    pub async fn delete_product(&self, id: &ProductId) -> Result<(), CatalogError> {
        if self
            .ports
            .catalog_admin
            .delete_product(id, self.ports.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(CatalogError::ProductNotFound)
        }
    }

    /// Admin: adds a variant, with an inventory item starting at 0 on hand.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::Invalid`], [`CatalogError::SkuTaken`].
    pub async fn create_variant(
        &self,
        product_id: &ProductId,
        input: NewVariant,
    ) -> Result<Variant, CatalogError> {
        let ids = self.ports.ids.as_ref();
        let variant = Variant::create(
            VariantId::generate(ids),
            InventoryItemId::generate(ids),
            product_id.clone(),
            input,
            self.ports.clock.now(),
        )?;
        self.ports
            .catalog_admin
            .insert_variant(&variant)
            .await
            .map_err(|e| write_error(e, CatalogError::ProductNotFound))?;
        Ok(variant)
    }

    /// Admin: a product's variants.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    pub async fn variants(&self, product_id: &ProductId) -> Result<Vec<Variant>, CatalogError> {
        Ok(self.product(product_id).await?.variants)
    }

    /// Admin: changes a variant.
    ///
    /// # Errors
    /// [`CatalogError::VariantNotFound`], [`CatalogError::Invalid`], [`CatalogError::SkuTaken`].
    pub async fn update_variant(
        &self,
        id: &VariantId,
        patch: VariantPatch,
    ) -> Result<Variant, CatalogError> {
        let mut variant = self
            .ports
            .catalog_admin
            .get_variant_details(id)
            .await?
            .ok_or(CatalogError::VariantNotFound)?;
        variant.apply(patch, self.ports.clock.now())?;
        self.ports
            .catalog_admin
            .update_variant(&variant)
            .await
            .map_err(|e| write_error(e, CatalogError::VariantNotFound))?;
        Ok(variant)
    }

    /// Admin: deletes a variant.
    ///
    /// # Errors
    /// [`CatalogError::VariantNotFound`].
    pub async fn delete_variant(&self, id: &VariantId) -> Result<(), CatalogError> {
        if self
            .ports
            .catalog_admin
            .delete_variant(id, self.ports.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(CatalogError::VariantNotFound)
        }
    }

    /// Admin: a page of inventory items.
    ///
    /// # Errors
    /// [`CatalogError::Store`].
    pub async fn inventory(
        &self,
        low_stock: bool,
        page: PageRequest,
    ) -> Result<Page<InventoryItem>, CatalogError> {
        Ok(self
            .ports
            .catalog_admin
            .list_inventory(low_stock, &page)
            .await?)
    }

    /// Admin: one inventory item.
    ///
    /// # Errors
    /// [`CatalogError::InventoryNotFound`].
    pub async fn inventory_item(
        &self,
        id: &InventoryItemId,
    ) -> Result<InventoryItem, CatalogError> {
        self.ports
            .catalog_admin
            .get_inventory(id)
            .await?
            .ok_or(CatalogError::InventoryNotFound)
    }

    /// Admin: changes stock settings.
    ///
    /// # Errors
    /// [`CatalogError::InventoryNotFound`], [`CatalogError::Invalid`].
    pub async fn update_inventory(
        &self,
        id: &InventoryItemId,
        patch: InventoryPatch,
    ) -> Result<InventoryItem, CatalogError> {
        patch.validate()?;
        self.with_inventory(id, |item| {
            patch.apply_to(item);
            Ok(())
        })
        .await
    }

    /// Admin: adds or removes units on hand, never below what is reserved.
    ///
    /// # Errors
    /// [`CatalogError::InventoryNotFound`], [`CatalogError::BelowReserved`].
    pub async fn adjust_inventory(
        &self,
        id: &InventoryItemId,
        adjustment: InventoryAdjustment,
    ) -> Result<InventoryItem, CatalogError> {
        self.with_inventory(id, |item| {
            item.on_hand = adjustment.applied_to(item)?;
            Ok(())
        })
        .await
    }

    /// Reads an item, changes it, and writes it over its version, retrying when a checkout
    /// or another adjustment moved it meanwhile.
    async fn with_inventory<F>(
        &self,
        id: &InventoryItemId,
        change: F,
    ) -> Result<InventoryItem, CatalogError>
    where
        F: Fn(&mut InventoryItem) -> Result<(), CatalogError> + Send + Sync,
    {
        for _ in 0..MAX_ATTEMPTS {
            let mut item = self.inventory_item(id).await?;
            change(&mut item)?;
            match self.ports.catalog_admin.save_inventory(&item).await {
                Ok(()) => {
                    item.version += 1;
                    return Ok(item);
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}

/// How a storefront names a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    /// By id.
    Id(ProductId),
    /// By slug.
    Slug(String),
}

#[cfg(test)]
mod tests;
