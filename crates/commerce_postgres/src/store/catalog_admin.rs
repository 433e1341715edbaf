//! `CatalogAdminStore` over PostgreSQL. Deletes are soft: orders keep their line snapshots and
//! carts their references.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_domain::catalog::{
    InventoryItem, Page, PageRequest, Product, ProductDetails, Variant,
};
use commerce_domain::ids::{InventoryItemId, ProductId, VariantId};
use commerce_domain::ports::{
    CatalogAdminStore, CatalogWriteError, ProductQuery, ProductSort, StoreError,
};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::PgStore;
use crate::error::PgError;
use crate::rows::product::{InventoryRow, ProductRow, VariantRow};
use crate::schema::{inventory_items, products, variants};

/// Maps a write's failure: a taken slug or SKU by its constraint, the rest as storage errors.
fn write_error(e: PgError) -> CatalogWriteError {
    if let PgError::Diesel(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) =
        &e
    {
        match info.constraint_name() {
            Some("products_slug_key") => return CatalogWriteError::SlugTaken,
            Some("variants_sku_key") => return CatalogWriteError::SkuTaken,
            _ => {}
        }
    }
    if matches!(e, PgError::Diesel(DieselError::NotFound)) {
        return CatalogWriteError::NotFound;
    }
    CatalogWriteError::Store(e.into())
}

/// Products with their live variants, in the order of `ids`.
async fn details(
    conn: &mut AsyncPgConnection,
    ids: &[String],
) -> Result<Vec<ProductDetails>, PgError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ProductRow> = products::table
        .filter(products::id.eq_any(ids))
        .select(ProductRow::as_select())
        .load(conn)
        .await?;
    let variant_rows: Vec<(VariantRow, InventoryRow)> = variants::table
        .inner_join(inventory_items::table)
        .filter(variants::product_id.eq_any(ids))
        .filter(variants::deleted_at.is_null())
        .order((
            variants::position.asc(),
            variants::created_at.asc(),
            variants::id.asc(),
        ))
        .select((VariantRow::as_select(), InventoryRow::as_select()))
        .load(conn)
        .await?;
    let mut variants_of: HashMap<String, Vec<Variant>> = HashMap::new();
    for (variant, stock) in variant_rows {
        let product_id = variant.product_id.clone();
        variants_of
            .entry(product_id)
            .or_default()
            .push(variant.into_variant(stock)?);
    }
    let mut products_by_id: HashMap<String, ProductRow> =
        rows.into_iter().map(|row| (row.id.clone(), row)).collect();
    ids.iter()
        .filter_map(|id| products_by_id.remove(id))
        .map(|row| {
            let variants = variants_of.remove(&row.id).unwrap_or_default();
            Ok(ProductDetails {
                product: row.into_product()?,
                variants,
            })
        })
        .collect()
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The filter part of a product list, shared by the page and the count.
fn product_filter(query: &ProductQuery) -> (String, Vec<String>) {
    let mut sql = String::from(" FROM products p WHERE p.deleted_at IS NULL");
    let mut binds = Vec::new();
    if let Some(status) = query.status {
        binds.push(status.as_str().to_owned());
        sql.push_str(&format!(" AND p.status = ${}", binds.len()));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(format!("%{escaped}%"));
        let n = binds.len();
        sql.push_str(&format!(
            " AND (p.name ILIKE ${n} OR p.slug ILIKE ${n} OR coalesce(p.description, '') ILIKE ${n})"
        ));
    }
    (sql, binds)
}

#[async_trait]
impl CatalogAdminStore for PgStore {
    async fn insert_product(&self, product: &Product) -> Result<(), CatalogWriteError> {
        let mut conn = self.conn().await.map_err(write_error)?;
        diesel::insert_into(products::table)
            .values(ProductRow::from_product(product))
            .execute(&mut conn)
            .await
            .map_err(|e| write_error(e.into()))?;
        Ok(())
    }

    async fn update_product(&self, product: &Product) -> Result<(), CatalogWriteError> {
        let mut conn = self.conn().await.map_err(write_error)?;
        let row = ProductRow::from_product(product);
        let updated = diesel::update(
            products::table
                .filter(products::id.eq(&row.id))
                .filter(products::deleted_at.is_null()),
        )
        .set((
            products::name.eq(&row.name),
            products::slug.eq(&row.slug),
            products::description.eq(&row.description),
            products::product_type.eq(&row.product_type),
            products::status.eq(&row.status),
            products::tags.eq(&row.tags),
            products::attributes.eq(&row.attributes),
            products::metadata.eq(&row.metadata),
            products::updated_at.eq(row.updated_at),
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| write_error(e.into()))?;
        if updated == 0 {
            return Err(CatalogWriteError::NotFound);
        }
        Ok(())
    }

    async fn delete_product(&self, id: &ProductId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let deleted = conn
            .transaction(async |conn| -> Result<bool, PgError> {
                let n = diesel::update(
                    products::table
                        .filter(products::id.eq(id.as_str()))
                        .filter(products::deleted_at.is_null()),
                )
                .set(products::deleted_at.eq(now))
                .execute(conn)
                .await?;
                diesel::update(
                    variants::table
                        .filter(variants::product_id.eq(id.as_str()))
                        .filter(variants::deleted_at.is_null()),
                )
                .set(variants::deleted_at.eq(now))
                .execute(conn)
                .await?;
                Ok(n == 1)
            })
            .await?;
        Ok(deleted)
    }

    async fn get_product(&self, id: &ProductId) -> Result<Option<ProductDetails>, StoreError> {
        let mut conn = self.conn().await?;
        let found: Option<String> = products::table
            .filter(products::id.eq(id.as_str()))
            .filter(products::deleted_at.is_null())
            .select(products::id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        let ids: Vec<String> = found.into_iter().collect();
        Ok(details(&mut conn, &ids).await?.into_iter().next())
    }

    async fn get_product_by_slug(&self, slug: &str) -> Result<Option<ProductDetails>, StoreError> {
        let mut conn = self.conn().await?;
        let found: Option<String> = products::table
            .filter(products::slug.eq(slug))
            .filter(products::deleted_at.is_null())
            .select(products::id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        let ids: Vec<String> = found.into_iter().collect();
        Ok(details(&mut conn, &ids).await?.into_iter().next())
    }

    async fn list_products(
        &self,
        query: &ProductQuery,
    ) -> Result<Page<ProductDetails>, StoreError> {
        let column = match query.sort {
            ProductSort::CreatedAt => "created_at",
            ProductSort::Name => "name",
            ProductSort::UpdatedAt => "updated_at",
        };
        let (direction, compare) = if query.descending {
            ("DESC", "<")
        } else {
            ("ASC", ">")
        };
        let (filter, mut binds) = product_filter(query);
        let mut sql = format!("SELECT p.id{filter}");
        if let Some(cursor) = &query.page.starting_after {
            binds.push(cursor.clone());
            let n = binds.len();
            sql.push_str(&format!(
                " AND (p.{column}, p.id) {compare} (SELECT c.{column}, c.id FROM products c WHERE c.id = ${n})"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY p.{column} {direction}, p.id {direction} LIMIT {}",
            i64::from(query.page.limit) + 1
        ));
        let mut conn = self.conn().await?;
        let mut page_query = diesel::sql_query(sql).into_boxed();
        for bind in &binds {
            page_query = page_query.bind::<diesel::sql_types::Text, _>(bind.clone());
        }
        let ids: Vec<IdRow> = page_query.load(&mut conn).await.map_err(PgError::from)?;
        let total = if query.with_total {
            let (filter, binds) = product_filter(query);
            let mut count_query =
                diesel::sql_query(format!("SELECT count(*) AS n{filter}")).into_boxed();
            for bind in binds {
                count_query = count_query.bind::<diesel::sql_types::Text, _>(bind);
            }
            let row: CountRow = count_query
                .get_result(&mut conn)
                .await
                .map_err(PgError::from)?;
            Some(row.n)
        } else {
            None
        };
        let ids: Vec<String> = ids.into_iter().map(|r| r.id).collect();
        let rows = details(&mut conn, &ids).await?;
        Ok(Page::from_rows(rows, query.page.limit, total))
    }

    async fn insert_variant(&self, variant: &Variant) -> Result<(), CatalogWriteError> {
        let mut conn = self.conn().await.map_err(write_error)?;
        let row = VariantRow::from_variant(variant);
        let stock = &variant.inventory;
        conn.transaction(async |conn| -> Result<(), PgError> {
            let product: Option<String> = products::table
                .filter(products::id.eq(&row.product_id))
                .filter(products::deleted_at.is_null())
                .select(products::id)
                .for_share()
                .first(conn)
                .await
                .optional()?;
            if product.is_none() {
                return Err(PgError::Diesel(DieselError::NotFound));
            }
            diesel::insert_into(variants::table)
                .values(&row)
                .execute(conn)
                .await?;
            diesel::insert_into(inventory_items::table)
                .values((
                    inventory_items::id.eq(stock.id.as_str()),
                    inventory_items::variant_id.eq(&row.id),
                    inventory_items::track_inventory.eq(stock.track_inventory),
                    inventory_items::allow_backorder.eq(stock.allow_backorder),
                    inventory_items::safety_stock.eq(stock.safety_stock),
                    inventory_items::on_hand.eq(stock.on_hand),
                    inventory_items::reserved.eq(stock.reserved),
                    inventory_items::created_at.eq(variant.created_at),
                    inventory_items::updated_at.eq(variant.created_at),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
        .map_err(write_error)
    }

    async fn get_variant_details(&self, id: &VariantId) -> Result<Option<Variant>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(VariantRow, InventoryRow)> = variants::table
            .inner_join(inventory_items::table)
            .filter(variants::id.eq(id.as_str()))
            .filter(variants::deleted_at.is_null())
            .select((VariantRow::as_select(), InventoryRow::as_select()))
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(|(v, s)| v.into_variant(s)).transpose()?)
    }

    async fn update_variant(&self, variant: &Variant) -> Result<(), CatalogWriteError> {
        let mut conn = self.conn().await.map_err(write_error)?;
        let row = VariantRow::from_variant(variant);
        let updated = diesel::update(
            variants::table
                .filter(variants::id.eq(&row.id))
                .filter(variants::deleted_at.is_null()),
        )
        .set((
            variants::name.eq(&row.name),
            variants::sku.eq(&row.sku),
            variants::barcode.eq(&row.barcode),
            variants::price.eq(row.price),
            variants::compare_at_price.eq(row.compare_at_price),
            variants::cost_price.eq(row.cost_price),
            variants::weight.eq(row.weight),
            variants::is_active.eq(row.is_active),
            variants::position.eq(row.position),
            variants::metadata.eq(&row.metadata),
            variants::updated_at.eq(row.updated_at),
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| write_error(e.into()))?;
        if updated == 0 {
            return Err(CatalogWriteError::NotFound);
        }
        Ok(())
    }

    async fn delete_variant(&self, id: &VariantId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            variants::table
                .filter(variants::id.eq(id.as_str()))
                .filter(variants::deleted_at.is_null()),
        )
        .set(variants::deleted_at.eq(now))
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(n == 1)
    }

    async fn list_inventory(
        &self,
        low_stock: bool,
        page: &PageRequest,
    ) -> Result<Page<InventoryItem>, StoreError> {
        let mut conn = self.conn().await?;
        let mut query = inventory_items::table
            .inner_join(variants::table)
            .filter(variants::deleted_at.is_null())
            .select((InventoryRow::as_select(), variants::sku))
            .order(inventory_items::id.asc())
            .limit(i64::from(page.limit) + 1)
            .into_boxed();
        if low_stock {
            query = query.filter(
                inventory_items::track_inventory.eq(true).and(
                    (inventory_items::on_hand - inventory_items::reserved)
                        .le(inventory_items::safety_stock),
                ),
            );
        }
        if let Some(cursor) = &page.starting_after {
            query = query.filter(inventory_items::id.gt(cursor.clone()));
        }
        let rows: Vec<(InventoryRow, Option<String>)> =
            query.load(&mut conn).await.map_err(PgError::from)?;
        let items = rows
            .into_iter()
            .map(|(row, sku)| row.into_item(sku))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page.limit, None))
    }

    async fn get_inventory(
        &self,
        id: &InventoryItemId,
    ) -> Result<Option<InventoryItem>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(InventoryRow, Option<String>)> = inventory_items::table
            .inner_join(variants::table)
            .filter(inventory_items::id.eq(id.as_str()))
            .filter(variants::deleted_at.is_null())
            .select((InventoryRow::as_select(), variants::sku))
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(|(row, sku)| row.into_item(sku)).transpose()?)
    }

    async fn save_inventory(&self, item: &InventoryItem) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let updated = diesel::update(
            inventory_items::table
                .filter(inventory_items::id.eq(item.id.as_str()))
                .filter(inventory_items::version.eq(item.version)),
        )
        .set((
            inventory_items::track_inventory.eq(item.track_inventory),
            inventory_items::allow_backorder.eq(item.allow_backorder),
            inventory_items::safety_stock.eq(item.safety_stock),
            inventory_items::on_hand.eq(item.on_hand),
            inventory_items::version.eq(inventory_items::version + 1),
            inventory_items::updated_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await;
        match updated {
            Ok(0) => Err(StoreError::Conflict),
            Ok(_) => Ok(()),
            // The no-oversell check: a reservation landed between read and write.
            Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _)) => {
                Err(StoreError::Conflict)
            }
            Err(e) => Err(PgError::from(e).into()),
        }
    }
}
