//! Stock writes. Rows are always locked in variant-id order, so two transactions touching the
//! same variants can never wait on each other in a cycle (no deadlocks). The updates go out
//! pipelined, in that order: PostgreSQL runs a connection's statements one after another in the
//! order sent, and diesel-async sends them in the order the futures are first polled, which
//! `join_all` does in sequence. Callers send the transaction's `COMMIT` right behind them
//! (`tx::Tx::commit`), so these rows, the most contended of the store, stay locked for
//! the time PostgreSQL takes to commit, not for a round trip to the server.

use chrono::{DateTime, Utc};
use commerce_domain::ids::VariantId;
use commerce_domain::order::Order;
use commerce_domain::record::StockMovement;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::join_all;

use super::guard::{self, Expect};
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::schema::inventory_items;

/// The CHECK that keeps `reserved <= on_hand` for tracked stock without backorder.
const NO_OVERSELL: &str = "inventory_items_no_oversell";

/// An order's (variant, units) pairs in lock order.
pub(crate) fn lines_in_lock_order(order: &Order) -> Vec<(String, i64)> {
    let mut lines: Vec<(String, i64)> = order
        .lines
        .iter()
        .map(|line| (line.variant_id.to_string(), i64::from(line.quantity.get())))
        .collect();
    lines.sort();
    lines
}

/// Checks that each of `variant_ids` (`expected` of them) has a stock row, failing the
/// statement otherwise (see `guard`). Stock rows are never deleted, so a count taken inside the
/// transaction before the reservations stays true until its commit.
pub(crate) async fn rows_present(
    conn: &AsyncPgConnection,
    variant_ids: &[String],
    expected: i64,
) -> Result<usize, DieselError> {
    use inventory_items::dsl as inv;
    Prepared(Expect {
        query: inv::inventory_items
            .filter(inv::variant_id.eq_any(variant_ids))
            .select(inv::id),
        rows: expected,
        what: guard::STOCK_ROW_MISSING,
    })
    .execute(&mut { conn })
    .await
}

/// Reserves stock for every line of `order`. Each reservation is an unconditional increment;
/// the `inventory_items_no_oversell` CHECK, evaluated by PostgreSQL against the newest
/// committed row after any wait for its lock, fails the statement (and so the transaction,
/// whose pipelined `COMMIT` then rolls back) when a line asks for more than is available. So
/// concurrent checkouts in any number of processes can never oversell. Every row must exist
/// (see [`rows_present`]).
///
/// Returns, per line in lock order, the statement's result; [`shortage`] reads the first
/// failure once the transaction is over.
pub(crate) async fn reserve(
    conn: &AsyncPgConnection,
    lines: &[(String, i64)],
    now: DateTime<Utc>,
) -> Vec<Result<usize, DieselError>> {
    use inventory_items::dsl as inv;
    let updates = lines.iter().map(|(variant_id, units)| {
        Prepared(
            diesel::update(inv::inventory_items.filter(inv::variant_id.eq(variant_id))).set((
                inv::reserved.eq(inv::reserved + *units),
                inv::version.eq(inv::version + 1),
                inv::updated_at.eq(now),
            )),
        )
        .execute(&mut { conn })
    });
    join_all(updates).await
}

/// The outcome of [`reserve`]: the first failed line becomes `InsufficientStock` (with what is
/// available now, read after the transaction ended) or the error itself.
pub(crate) async fn shortage(
    conn: &AsyncPgConnection,
    lines: &[(String, i64)],
    results: Vec<Result<usize, DieselError>>,
) -> Result<(), PgError> {
    use inventory_items::dsl as inv;
    for ((variant_id, units), result) in lines.iter().zip(results) {
        match result {
            Ok(_) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info))
                if info.constraint_name() == Some(NO_OVERSELL) =>
            {
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
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Applies `movements`, in order, to every line of `order`; all the updates are sent at once.
pub(crate) async fn apply(
    conn: &AsyncPgConnection,
    order: &Order,
    movements: &[StockMovement],
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    use inventory_items::dsl as inv;
    let lines = lines_in_lock_order(order);
    let updates = movements.iter().flat_map(|movement| {
        lines.iter().map(move |(variant_id, units)| {
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
                StockMovement::Restock => Prepared(
                    diesel::update(target).set((inv::on_hand.eq(inv::on_hand + units), stamp)),
                )
                .execute(&mut { conn }),
            }
        })
    });
    for result in join_all(updates).await {
        result?;
    }
    Ok(())
}
