//! Checkout in one transaction.

use commerce_domain::ports::CheckoutPlan;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::{events, stock};
use crate::error::PgError;
use crate::rows::order::{OrderLineRow, OrderRow};
use crate::rows::payment::PaymentRow;
use crate::schema::{carts, order_lines, orders, payments};

/// Closes the cart over its version (locking it first, so two checkouts of one cart
/// serialise), reserves every line's stock in variant order, then writes the order, its lines,
/// its payment and its events. All or nothing.
pub(crate) async fn place_order(
    conn: &mut AsyncPgConnection,
    plan: &CheckoutPlan,
) -> Result<(), PgError> {
    let order = OrderRow::from_order(&plan.order)?;
    let lines = OrderLineRow::from_order(&plan.order);
    let payment = PaymentRow::from_payment(&plan.payment)?;
    conn.transaction(async |conn| -> Result<(), PgError> {
        let closed = diesel::update(
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
        .execute(conn)
        .await?;
        if closed == 0 {
            return Err(PgError::Conflict);
        }
        stock::reserve(conn, &plan.order, plan.order.created_at).await?;
        diesel::insert_into(orders::table)
            .values(&order)
            .execute(conn)
            .await?;
        diesel::insert_into(order_lines::table)
            .values(&lines)
            .execute(conn)
            .await?;
        diesel::insert_into(payments::table)
            .values(&payment)
            .execute(conn)
            .await?;
        events::queue(conn, &plan.events).await
    })
    .await
}
