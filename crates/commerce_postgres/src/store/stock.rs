//! Stock writes. Rows are always locked in variant-id order, so two transactions touching the
//! same variants can never wait on each other in a cycle (no deadlocks). The updates of one
//! order go out pipelined, in that order: PostgreSQL runs a connection's statements one after
//! another in the order sent, and diesel-async sends them in the order the futures are first
//! polled, which `join_all` does in sequence.

use chrono::{DateTime, Utc};
use commerce_domain::ids::VariantId;
use commerce_domain::order::Order;
use commerce_domain::record::StockMovement;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::join_all;

use crate::error::PgError;
use crate::prepared::Prepared;
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
    conn: &AsyncPgConnection,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    use inventory_items::dsl as inv;
    let lines = lines_in_lock_order(order);
    let updates = lines.iter().map(|(variant_id, units)| {
        Prepared(
            diesel::update(
                inv::inventory_items
                    .filter(inv::variant_id.eq(variant_id))
                    .filter(
                        inv::track_inventory
                            .eq(false)
                            .or(inv::allow_backorder.eq(true))
                            .or((inv::on_hand - inv::reserved).ge(*units)),
                    ),
            )
            .set((
                inv::reserved.eq(inv::reserved + *units),
                inv::version.eq(inv::version + 1),
                inv::updated_at.eq(now),
            )),
        )
        .execute(&mut { conn })
    });
    let results = join_all(updates).await;
    for ((variant_id, units), reserved) in lines.iter().zip(results) {
        if reserved? == 0 {
            let available: Option<i64> = inv::inventory_items
                .filter(inv::variant_id.eq(variant_id))
                .select(inv::on_hand - inv::reserved)
                .first(&mut { conn })
                .await
                .optional()?;
            return Err(PgError::InsufficientStock {
                variant_id: VariantId::parse(variant_id).map_err(PgError::corrupt)?,
                requested: *units,
                available: available.unwrap_or(0).max(0),
            });
        }
    }
    Ok(())
}

/// Applies one stock movement to every line of `order`.
pub(crate) async fn apply(
    conn: &AsyncPgConnection,
    order: &Order,
    movement: StockMovement,
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    use inventory_items::dsl as inv;
    let lines = lines_in_lock_order(order);
    let updates = lines.iter().map(|(variant_id, units)| {
        let units = *units;
        let target = inv::inventory_items.filter(inv::variant_id.eq(variant_id));
        let stamp = (inv::version.eq(inv::version + 1), inv::updated_at.eq(now));
        match movement {
            StockMovement::Release => Prepared(
                diesel::update(target).set((inv::reserved.eq(inv::reserved - units), stamp)),
            )
            .execute(&mut { conn }),
            StockMovement::Commit => Prepared(diesel::update(target).set((
                inv::on_hand.eq(inv::on_hand - units),
                inv::reserved.eq(inv::reserved - units),
                stamp,
            )))
            .execute(&mut { conn }),
            StockMovement::Restock => {
                Prepared(diesel::update(target).set((inv::on_hand.eq(inv::on_hand + units), stamp)))
                    .execute(&mut { conn })
            }
        }
    });
    for result in join_all(updates).await {
        result?;
    }
    Ok(())
}
