//! `CartStore` over PostgreSQL.

use async_trait::async_trait;
use commerce_domain::cart::Cart;
use commerce_domain::catalog::VariantSnapshot;
use commerce_domain::ids::{CartId, SessionId, VariantId};
use commerce_domain::ports::{CartStore, StoreError};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::catalog::read_variant;
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

/// A cart with its lines. Both are asked for together (pipelined on the connection, which
/// other statements may share): one round trip instead of two.
pub(super) async fn read_cart(
    shared: &AsyncPgConnection,
    id: &CartId,
) -> Result<Option<Cart>, PgError> {
    let row = carts::table
        .find(id.as_str())
        .select(CartRow::as_select())
        .first::<CartRow>(&mut { shared });
    let items = load_items(shared, id.as_str());
    let (row, items) = tokio::join!(row, items);
    match row.optional()? {
        Some(row) => Ok(Some(row.into_cart(items?)?)),
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
        Ok(read_cart(&conn, id).await?)
    }

    async fn get_cart_and_variant(
        &self,
        cart: &CartId,
        variant: &VariantId,
    ) -> Result<(Option<Cart>, Option<VariantSnapshot>), StoreError> {
        let conn = self.conn().await?;
        // The variant goes out in the same round trip as the cart's two reads.
        let shared: &AsyncPgConnection = &conn;
        let (cart, variant) = tokio::join!(read_cart(shared, cart), read_variant(shared, variant));
        Ok((cart?, variant?))
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
        let row = CartRow::from_cart(cart);
        let items = item_rows(cart);
        let mut conn = self.conn().await?;
        let saved: SavedCart = Prepared(
            diesel::sql_query(SAVE_CART)
                .bind::<Text, _>(&row.id)
                .bind::<BigInt, _>(row.version)
                .bind::<Nullable<Jsonb>, _>(&row.shipping_address)
                .bind::<Nullable<Jsonb>, _>(&row.billing_address)
                .bind::<Jsonb, _>(&row.metadata)
                .bind::<Timestamptz, _>(row.updated_at)
                .bind::<Array<Text>, _>(items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(
                    items
                        .iter()
                        .map(|i| i.variant_id.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind::<Array<Integer>, _>(items.iter().map(|i| i.quantity).collect::<Vec<_>>())
                .bind::<Array<Integer>, _>(items.iter().map(|i| i.position).collect::<Vec<_>>())
                .bind::<Array<Jsonb>, _>(items.iter().map(|i| &i.metadata).collect::<Vec<_>>()),
        )
        .get_result(&mut conn)
        .await
        .map_err(PgError::from)?;
        if saved.updated == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }
}

/// How many cart rows [`SAVE_CART`] updated: 0 when the version or status no longer matched.
#[derive(QueryableByName)]
struct SavedCart {
    #[diesel(sql_type = BigInt)]
    updated: i64,
}

/// A whole cart save in one statement, so it needs no transaction and one round trip: the
/// version-checked update of the cart row, then (only if it matched) removing the lines no
/// longer there and upserting the rest; rows whose values did not change are not rewritten.
/// One statement is atomic: a failure anywhere keeps nothing. The domain keeps one line per
/// variant, so an upsert never meets a removed line's `(cart_id, variant_id)`.
const SAVE_CART: &str = "WITH cart AS (
        UPDATE carts
        SET shipping_address = $3, billing_address = $4, metadata = $5, updated_at = $6,
            version = version + 1
        WHERE id = $1 AND version = $2 AND status = 'active'
        RETURNING id
    ), removed AS (
        DELETE FROM cart_items
        WHERE cart_id IN (SELECT id FROM cart) AND NOT (id = ANY ($7::text[]))
    ), kept AS (
        INSERT INTO cart_items (id, cart_id, variant_id, quantity, position, metadata)
        SELECT line.id, cart.id, line.variant_id, line.quantity, line.position, line.metadata
        FROM cart, unnest($7::text[], $8::text[], $9::int4[], $10::int4[], $11::jsonb[])
            AS line (id, variant_id, quantity, position, metadata)
        ON CONFLICT (id) DO UPDATE
        SET quantity = excluded.quantity, position = excluded.position, metadata = excluded.metadata
        WHERE cart_items.cart_id = excluded.cart_id
          AND (cart_items.quantity, cart_items.position, cart_items.metadata)
              IS DISTINCT FROM (excluded.quantity, excluded.position, excluded.metadata)
    )
    SELECT count(*) AS updated FROM cart";
