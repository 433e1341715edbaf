//! Checkout in one transaction.

use commerce_domain::ports::CheckoutPlan;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::guard;
use super::{events, stock, tx};
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::order::{OrderLineRow, OrderRow};
use crate::rows::payment::PaymentRow;
use crate::schema::{carts, order_lines, orders, payments};

/// Closes the cart over its version (locking it, so two checkouts of one cart serialise),
/// writes the order, its lines, its payment and its events, then reserves every line's stock
/// in variant order. All or nothing.
///
/// One pipeline, its results checked in the order sent so the error reported is the first
/// statement's that failed: `BEGIN`, the cart's version-checked close and a check that every
/// line has a stock row (both fail as SQL errors, see `guard`), the inserts, the reservations
/// and the `COMMIT` (see `tx`). Any failure aborts the transaction, and its `COMMIT` rolls it
/// back. The reservations come last because the inventory rows of a popular variant are the
/// most contended rows of the store: with the commit right behind them, their locks are held
/// for the shortest time.
pub(crate) async fn place_order(
    conn: &mut AsyncPgConnection,
    plan: &CheckoutPlan,
) -> Result<(), PgError> {
    let order = OrderRow::from_order(&plan.order)?;
    let lines = OrderLineRow::from_order(&plan.order);
    let payment = PaymentRow::from_payment(&plan.payment)?;
    let stock_lines = stock::lines_in_lock_order(&plan.order);
    let variant_ids: Vec<String> = stock_lines.iter().map(|(id, _)| id.clone()).collect();
    let lines_with_stock = i64::try_from(variant_ids.len()).map_err(PgError::corrupt)?;
    tx::run(conn, async |tx: &tx::Tx<'_>| {
        let shared = tx.conn();
        let close = guard::one_row_or_conflict(
            diesel::update(
                carts::table
                    .filter(carts::id.eq(plan.cart.id.as_str()))
                    .filter(carts::version.eq(plan.cart.version))
                    .filter(carts::status.eq("active")),
            )
            .set((
                carts::status.eq(plan.cart.status.as_str()),
                carts::order_id.eq(plan.cart.order_id.as_ref().map(ToString::to_string)),
                carts::updated_at.eq(plan.cart.updated_at),
                carts::version.eq(carts::version + 1),
            ))
            .returning(carts::id),
        )
        .execute(&mut { shared });
        let (
            closed,
            present,
            order_written,
            lines_written,
            payment_written,
            queued,
            reserved,
            committed,
        ) = tokio::join!(
            close,
            stock::rows_present(shared, &variant_ids, lines_with_stock),
            Prepared(diesel::insert_into(orders::table).values(&order)).execute(&mut { shared }),
            Prepared(diesel::insert_into(order_lines::table).values(&lines))
                .execute(&mut { shared }),
            Prepared(diesel::insert_into(payments::table).values(&payment))
                .execute(&mut { shared }),
            events::queue(shared, &plan.events),
            stock::reserve(shared, &stock_lines, plan.order.created_at),
            tx.commit(),
        );
        guard::held(closed)?;
        guard::held(present)?;
        order_written?;
        lines_written?;
        payment_written?;
        queued?;
        stock::shortage(shared, &stock_lines, reserved).await?;
        committed
    })
    .await
}
