//! `CartStore` over PostgreSQL.

use async_trait::async_trait;
use commerce_domain::cart::Cart;
use commerce_domain::ids::{CartId, SessionId};
use commerce_domain::ports::{CartStore, StoreError};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::PgStore;
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::cart::{item_rows, CartItemRow, CartRow};
use crate::rows::catalog::{ProductCols, StockCols, VariantCols, VariantView};
use crate::schema::{cart_items, carts, inventory_items, products, variants};

/// Reads a cart's lines joined with their variants' current state.
async fn load_items(
    conn: &AsyncPgConnection,
    cart_id: &str,
) -> Result<Vec<(CartItemRow, VariantView)>, PgError> {
    let rows: Vec<(CartItemRow, VariantCols, ProductCols, StockCols)> = cart_items::table
        .inner_join(
            variants::table
                .inner_join(products::table)
                .inner_join(inventory_items::table),
        )
        .filter(cart_items::cart_id.eq(cart_id))
        .order(cart_items::position.asc())
        .select((
            CartItemRow::as_select(),
            VariantCols::as_select(),
            ProductCols::as_select(),
            StockCols::as_select(),
        ))
        .load(&mut { conn })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(item, variant, product, stock)| (item, (variant, product, stock)))
        .collect())
}

/// A cart row and its lines, as one cart.
async fn load_cart(
    conn: &mut AsyncPgConnection,
    row: Option<CartRow>,
) -> Result<Option<Cart>, PgError> {
    match row {
        Some(row) => {
            let items = load_items(conn, &row.id).await?;
            Ok(Some(row.into_cart(items)?))
        }
        None => Ok(None),
    }
}

#[async_trait]
impl CartStore for PgStore {
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let row = CartRow::from_cart(cart);
        let items = item_rows(cart);
        if items.is_empty() {
            // One statement needs no transaction around it.
            Prepared(diesel::insert_into(carts::table).values(row))
                .execute(&mut conn)
                .await
                .map_err(PgError::from)?;
            return Ok(());
        }
        conn.transaction(async |conn| -> Result<(), PgError> {
            Prepared(diesel::insert_into(carts::table).values(row))
                .execute(conn)
                .await?;
            Prepared(diesel::insert_into(cart_items::table).values(&items))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn get_cart(&self, id: &CartId) -> Result<Option<Cart>, StoreError> {
        let conn = self.conn().await?;
        // The cart and its lines are asked for together (pipelined on one connection): one
        // round trip instead of two.
        let shared: &AsyncPgConnection = &conn;
        let row = carts::table
            .find(id.as_str())
            .select(CartRow::as_select())
            .first::<CartRow>(&mut { shared });
        let items = load_items(shared, id.as_str());
        let (row, items) = tokio::join!(row, items);
        match row.optional().map_err(PgError::from)? {
            Some(row) => Ok(Some(row.into_cart(items?)?)),
            None => Ok(None),
        }
    }

    async fn find_active_cart_by_session(
        &self,
        session: &SessionId,
    ) -> Result<Option<Cart>, StoreError> {
        let mut conn = self.conn().await?;
        let row = carts::table
            .filter(carts::session_id.eq(session.as_str()))
            .filter(carts::status.eq("active"))
            .order((carts::created_at.desc(), carts::id.desc()))
            .select(CartRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(load_cart(&mut conn, row).await?)
    }

    async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let row = CartRow::from_cart(cart);
        let items = item_rows(cart);
        conn.transaction(async |conn| -> Result<(), PgError> {
            // Pipelined in this order, results checked in this order (see `checkout`).
            let shared: &AsyncPgConnection = conn;
            let update = Prepared(
                diesel::update(
                    carts::table
                        .filter(carts::id.eq(&row.id))
                        .filter(carts::version.eq(row.version))
                        .filter(carts::status.eq("active")),
                )
                .set((
                    carts::shipping_address.eq(&row.shipping_address),
                    carts::billing_address.eq(&row.billing_address),
                    carts::metadata.eq(&row.metadata),
                    carts::updated_at.eq(row.updated_at),
                    carts::version.eq(carts::version + 1),
                )),
            )
            .execute(&mut { shared });
            let clear = Prepared(diesel::delete(
                cart_items::table.filter(cart_items::cart_id.eq(&row.id)),
            ))
            .execute(&mut { shared });
            let insert = async {
                if items.is_empty() {
                    return Ok(0);
                }
                Prepared(diesel::insert_into(cart_items::table).values(&items))
                    .execute(&mut { shared })
                    .await
            };
            let (updated, cleared, inserted) = tokio::join!(update, clear, insert);
            if updated? == 0 {
                return Err(PgError::Conflict);
            }
            cleared?;
            inserted?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}
