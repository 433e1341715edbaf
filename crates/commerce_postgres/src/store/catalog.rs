//! Variants as carts see them: name, price and the units available now.

use commerce_domain::catalog::VariantSnapshot;
use commerce_domain::ids::VariantId;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::PgError;
use crate::rows::catalog::{snapshot, ProductCols, StockCols, VariantCols};
use crate::schema::{inventory_items, products, variants};

/// A live variant with its product's name and its stock, on a connection other statements may
/// share (pipelined); an unknown or deleted variant is `None`.
pub(super) async fn read_variant(
    shared: &AsyncPgConnection,
    id: &VariantId,
) -> Result<Option<VariantSnapshot>, PgError> {
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
        .first(&mut { shared })
        .await
        .optional()?;
    row.map(snapshot).transpose()
}
