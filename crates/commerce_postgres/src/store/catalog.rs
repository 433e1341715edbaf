//! `CatalogStore` over PostgreSQL.

use async_trait::async_trait;
use commerce_domain::catalog::VariantSnapshot;
use commerce_domain::ids::VariantId;
use commerce_domain::ports::{CatalogStore, StoreError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::PgStore;
use crate::error::PgError;
use crate::rows::catalog::{snapshot, ProductCols, StockCols, VariantCols};
use crate::schema::{inventory_items, products, variants};

#[async_trait]
impl CatalogStore for PgStore {
    async fn get_variant(&self, id: &VariantId) -> Result<Option<VariantSnapshot>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(VariantCols, ProductCols, StockCols)> = variants::table
            .inner_join(products::table)
            .inner_join(inventory_items::table)
            .filter(variants::id.eq(id.as_str()))
            .filter(variants::deleted_at.is_null())
            .select((
                VariantCols::as_select(),
                ProductCols::as_select(),
                StockCols::as_select(),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(snapshot).transpose()?)
    }
}
