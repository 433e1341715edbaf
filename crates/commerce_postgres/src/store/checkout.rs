//! Checkout in one transaction.

use commerce_domain::ports::CheckoutPlan;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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
/// Two pipelines, their results checked in the order sent so the error reported is the first
/// statement's that failed: first the cart's version-checked close and a check that every line
/// has a stock row (neither failure is an SQL error, so both are checked before anything is
/// committed); then the inserts, the reservations and the `COMMIT` (see `tx`). The
/// reservations come last because the inventory rows of a popular variant are the most
/// contended rows of the store: with the commit right behind them, their locks are held for
/// the shortest time.
pub(crate) async fn place_order(
    conn: &mut AsyncPgConnection,
    plan: &CheckoutPlan,
) -> Result<(), PgError> {
    let order = OrderRow::from_order(&plan.order)?;
    let lines = OrderLineRow::from_order(&plan.order);
    let payment = PaymentRow::from_payment(&plan.payment)?;
    let stock_lines = stock::lines_in_lock_order(&plan.order);
    let variant_ids: Vec<String> = stock_lines.iter().map(|(id, _)| id.clone()).collect();
    tx::run(conn, async |tx: &tx::Tx<'_>| {
        let shared = tx.conn();
        let close = Prepared(
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
            )),
        )
        .execute(&mut { shared });
        let (closed, present) = tokio::join!(close, stock::rows_present(shared, &variant_ids));
        if closed? == 0 {
            return Err(PgError::Conflict);
        }
        if usize::try_from(present?).ok() != Some(variant_ids.len()) {
            return Err(PgError::corrupt("a checkout line's variant has no stock row"));
        }
        let (order_written, lines_written, payment_written, queued, reserved, committed) = tokio::join!(
            Prepared(diesel::insert_into(orders::table).values(&order)).execute(&mut { shared }),
            Prepared(diesel::insert_into(order_lines::table).values(&lines))
                .execute(&mut { shared }),
            Prepared(diesel::insert_into(payments::table).values(&payment))
                .execute(&mut { shared }),
            events::queue(shared, &plan.events),
            stock::reserve(shared, &stock_lines, plan.order.created_at),
            tx.commit(),
        );
        order_written?;
        lines_written?;
        payment_written?;
        queued?;
        stock::shortage(shared, &stock_lines, reserved).await?;
        committed
    })
    .await
}
