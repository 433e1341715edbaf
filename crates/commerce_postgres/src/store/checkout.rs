//! Checkout in one transaction.

use commerce_domain::ports::CheckoutPlan;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::{events, stock};
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::order::{OrderLineRow, OrderRow};
use crate::rows::payment::PaymentRow;
use crate::schema::{carts, order_lines, orders, payments};

/// Closes the cart over its version (locking it, so two checkouts of one cart serialise),
/// writes the order, its lines, its payment and its events, then reserves every line's stock
/// in variant order. All or nothing.
///
/// The statements go out pipelined, in that order (see `stock` for why the order holds), and
/// their results are checked in the same order, so the error reported is the first statement's
/// that failed. The reservations come last because the inventory rows of a popular variant
/// are the most contended rows of the store: taken just before the commit, their locks are
/// held for the shortest time.
pub(crate) async fn place_order(
    conn: &mut AsyncPgConnection,
    plan: &CheckoutPlan,
) -> Result<(), PgError> {
    let order = OrderRow::from_order(&plan.order)?;
    let lines = OrderLineRow::from_order(&plan.order);
    let payment = PaymentRow::from_payment(&plan.payment)?;
    conn.transaction(async |conn| -> Result<(), PgError> {
        let shared: &AsyncPgConnection = conn;
        let (closed, order_written, lines_written, payment_written, queued, reserved) = tokio::join!(
            Prepared(
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
            .execute(&mut { shared }),
            Prepared(diesel::insert_into(orders::table).values(&order)).execute(&mut { shared }),
            Prepared(diesel::insert_into(order_lines::table).values(&lines))
                .execute(&mut { shared }),
            Prepared(diesel::insert_into(payments::table).values(&payment))
                .execute(&mut { shared }),
            events::queue(shared, &plan.events),
            stock::reserve(shared, &plan.order, plan.order.created_at),
        );
        if closed? == 0 {
            return Err(PgError::Conflict);
        }
        order_written?;
        lines_written?;
        payment_written?;
        queued?;
        reserved
    })
    .await
}
