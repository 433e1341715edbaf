//! Stock writes. Rows are always locked in variant-id order, so two transactions touching the
//! same variants can never wait on each other in a cycle (no deadlocks).

use chrono::{DateTime, Utc};
use commerce_domain::ids::VariantId;
use commerce_domain::order::Order;
use commerce_domain::record::StockMovement;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::PgError;
use crate::schema::inventory_items;

/// An order's (variant, units) pairs in lock order.
fn lines_in_lock_order(order: &Order) -> Vec<(String, i64)> {
    let mut lines: Vec<(String, i64)> = order
        .lines
        .iter()
        .map(|line| (line.variant_id.to_string(), i64::from(line.quantity.get())))
        .collect();
    lines.sort();
    lines
}

/// Reserves stock for every line of `order`, all or nothing (the caller's transaction rolls
/// back on error). Each reservation is one conditional update, re-checked by PostgreSQL
/// against the latest committed row after any wait for its lock, so concurrent checkouts in
/// any number of processes can never oversell.
pub(crate) async fn reserve(
    conn: &mut AsyncPgConnection,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    for (variant_id, units) in lines_in_lock_order(order) {
        use inventory_items::dsl as inv;
        let reserved = diesel::update(
            inv::inventory_items
                .filter(inv::variant_id.eq(&variant_id))
                .filter(
                    inv::track_inventory
                        .eq(false)
                        .or(inv::allow_backorder.eq(true))
                        .or((inv::on_hand - inv::reserved).ge(units)),
                ),
        )
        .set((
            inv::reserved.eq(inv::reserved + units),
            inv::version.eq(inv::version + 1),
            inv::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
        if reserved == 0 {
            let available: Option<i64> = inv::inventory_items
                .filter(inv::variant_id.eq(&variant_id))
                .select(inv::on_hand - inv::reserved)
                .first(conn)
                .await
                .optional()?;
            return Err(PgError::InsufficientStock {
                variant_id: VariantId::parse(&variant_id).map_err(PgError::corrupt)?,
                requested: units,
                available: available.unwrap_or(0).max(0),
            });
        }
    }
    Ok(())
}

/// Applies one stock movement to every line of `order`.
pub(crate) async fn apply(
    conn: &mut AsyncPgConnection,
    order: &Order,
    movement: StockMovement,
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    use inventory_items::dsl as inv;
    for (variant_id, units) in lines_in_lock_order(order) {
        let target = inv::inventory_items.filter(inv::variant_id.eq(&variant_id));
        let stamp = (inv::version.eq(inv::version + 1), inv::updated_at.eq(now));
        let query = match movement {
            StockMovement::Release => diesel::update(target)
                .set((inv::reserved.eq(inv::reserved - units), stamp))
                .execute(conn),
            StockMovement::Commit => diesel::update(target)
                .set((
                    inv::on_hand.eq(inv::on_hand - units),
                    inv::reserved.eq(inv::reserved - units),
                    stamp,
                ))
                .execute(conn),
            StockMovement::Restock => diesel::update(target)
                .set((inv::on_hand.eq(inv::on_hand + units), stamp))
                .execute(conn),
        };
        query.await?;
    }
    Ok(())
}
