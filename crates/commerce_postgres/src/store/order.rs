//! `OrderStore` over PostgreSQL.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use commerce_domain::cart::Cart;
use commerce_domain::catalog::Page;
use commerce_domain::email::Email;
use commerce_domain::ids::EventId;
use commerce_domain::ids::{CartId, OrderId, OrderNumber};
use commerce_domain::payment::Payment;
use commerce_domain::ports::{
    CheckoutPlan, CheckoutStoreError, OrderEvent, OrderQuery, OrderStore, StoreError,
};
use commerce_domain::record::{OrderChange, OrderRecord};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::cart::read_cart;
use super::guard;
use super::{checkout, claims, events, stock, tx, PgStore};
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::order::{OrderChanges, OrderLineRow, OrderRow};
use crate::rows::payment::PaymentRow;
use crate::rows::refund::RefundRow;
use crate::schema::{events as outbox, order_lines, orders, payments, refunds};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The lines and refunds of the orders `ids`, asked for together (pipelined on one
/// connection).
async fn load_children(
    conn: &AsyncPgConnection,
    ids: &[String],
) -> Result<(Vec<OrderLineRow>, Vec<RefundRow>), PgError> {
    let lines = order_lines::table
        .filter(order_lines::order_id.eq_any(ids))
        .order((order_lines::order_id.asc(), order_lines::position.asc()))
        .select(OrderLineRow::as_select())
        .load::<OrderLineRow>(&mut { conn });
    let refunds = refunds::table
        .filter(refunds::order_id.eq_any(ids))
        .order((refunds::created_at.asc(), refunds::id.asc()))
        .select(RefundRow::as_select())
        .load::<RefundRow>(&mut { conn });
    Ok(tokio::try_join!(lines, refunds)?)
}

/// Orders with their payments, lines and refunds, in the order given.
async fn load_records(
    conn: &AsyncPgConnection,
    found: Vec<(OrderRow, PaymentRow)>,
) -> Result<Vec<OrderRecord>, PgError> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = found.iter().map(|(order, _)| order.id.clone()).collect();
    let children = load_children(conn, &ids).await?;
    assemble(found, children)
}

/// Puts each order together with its lines and refunds.
fn assemble(
    found: Vec<(OrderRow, PaymentRow)>,
    (lines, refund_rows): (Vec<OrderLineRow>, Vec<RefundRow>),
) -> Result<Vec<OrderRecord>, PgError> {
    let mut lines_of: HashMap<String, Vec<OrderLineRow>> = HashMap::new();
    for line in lines {
        lines_of
            .entry(line.order_id.clone())
            .or_default()
            .push(line);
    }
    let mut refunds_of: HashMap<String, Vec<RefundRow>> = HashMap::new();
    for refund in refund_rows {
        refunds_of
            .entry(refund.order_id.clone())
            .or_default()
            .push(refund);
    }
    found
        .into_iter()
        .map(|(order, payment)| {
            let lines = lines_of.remove(&order.id).unwrap_or_default();
            let refunds = refunds_of.remove(&order.id).unwrap_or_default();
            Ok(OrderRecord {
                order: order.into_order(lines)?,
                payment: payment.into_payment()?,
                refunds: refunds
                    .into_iter()
                    .map(RefundRow::into_refund)
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// One order, if found.
async fn load_record(
    conn: &AsyncPgConnection,
    found: Option<(OrderRow, PaymentRow)>,
) -> Result<Option<OrderRecord>, PgError> {
    Ok(load_records(conn, found.into_iter().collect())
        .await?
        .into_iter()
        .next())
}

/// Writes one change in one pipeline: `BEGIN`, both rows over their versions (a stale one
/// fails the statement, see `guard`), refunds, events, the stock movements (last, so the
/// contended inventory rows are locked for the shortest time) and `COMMIT` (see `tx`). The
/// results are checked in the order sent, so a stale version is reported as a conflict; a
/// failed statement aborts the transaction, whose `COMMIT` then rolls everything back, and a
/// writer that lost the version race never waits for an inventory row.
async fn save(conn: &mut AsyncPgConnection, change: &OrderChange) -> Result<(), PgError> {
    let payment = PaymentRow::from_payment(&change.payment)?;
    let order_changes = OrderChanges::of(&change.order);
    let new_refunds: Vec<RefundRow> = change
        .new_refunds
        .iter()
        .map(RefundRow::from_refund)
        .collect();
    let now = change.order.updated_at.max(change.payment.updated_at);
    tx::run(conn, async |tx: &tx::Tx<'_>| {
        let shared = tx.conn();
        let order_update = guard::one_row_or_conflict(
            diesel::update(
                orders::table
                    .filter(orders::id.eq(change.order.id.as_str()))
                    .filter(orders::version.eq(change.order.version)),
            )
            .set((&order_changes, orders::version.eq(orders::version + 1)))
            .returning(orders::id),
        )
        .execute(&mut { shared });
        let payment_update = guard::one_row_or_conflict(
            diesel::update(
                payments::table
                    .filter(payments::id.eq(&payment.id))
                    .filter(payments::version.eq(payment.version)),
            )
            .set((
                payments::status.eq(&payment.status),
                payments::payment_key.eq(&payment.payment_key),
                payments::method.eq(&payment.method),
                payments::provider_status.eq(&payment.provider_status),
                payments::approved_at.eq(payment.approved_at),
                payments::failure_code.eq(&payment.failure_code),
                payments::failure_message.eq(&payment.failure_message),
                payments::virtual_account.eq(&payment.virtual_account),
                payments::deposit_secret.eq(&payment.deposit_secret),
                payments::refunded_amount.eq(payment.refunded_amount),
                payments::attempts.eq(payment.attempts),
                payments::confirm_idempotency_key.eq(&payment.confirm_idempotency_key),
                payments::confirm_started_at.eq(payment.confirm_started_at),
                payments::provider_raw.eq(&payment.provider_raw),
                payments::updated_at.eq(payment.updated_at),
                payments::version.eq(payments::version + 1),
            ))
            .returning(payments::id),
        )
        .execute(&mut { shared });
        let refunds_insert = async {
            if new_refunds.is_empty() {
                return Ok(0);
            }
            Prepared(diesel::insert_into(refunds::table).values(&new_refunds))
                .execute(&mut { shared })
                .await
        };
        let (order_rows, payment_rows, refunded, queued, moved, committed) = tokio::join!(
            order_update,
            payment_update,
            refunds_insert,
            events::queue(shared, &change.events),
            stock::apply(shared, &change.order, &change.stock, now),
            tx.commit(),
        );
        guard::held(order_rows)?;
        guard::held(payment_rows)?;
        refunded?;
        queued?;
        moved?;
        committed
    })
    .await
}

fn order_ids(raw: Vec<String>) -> Result<Vec<OrderId>, PgError> {
    raw.iter()
        .map(|id| OrderId::parse(id).map_err(PgError::corrupt))
        .collect()
}

#[async_trait]
impl OrderStore for PgStore {
    async fn get_cart_with_number(
        &self,
        id: &CartId,
    ) -> Result<Option<(Cart, OrderNumber)>, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Next {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            number: i64,
        }
        let conn = self.conn().await?;
        // The number goes out in the same round trip as the cart's two reads.
        let shared: &AsyncPgConnection = &conn;
        let next = Prepared(diesel::sql_query(
            "SELECT nextval('order_number_seq') AS number",
        ))
        .get_result::<Next>(&mut { shared });
        let (cart, next) = tokio::join!(read_cart(shared, id), next);
        let Some(cart) = cart? else {
            return Ok(None);
        };
        let number =
            u64::try_from(next.map_err(PgError::from)?.number).map_err(PgError::corrupt)?;
        Ok(Some((cart, OrderNumber::new(number))))
    }

    async fn place_order(&self, plan: &CheckoutPlan) -> Result<(), CheckoutStoreError> {
        let mut conn = self.conn().await.map_err(StoreError::from)?;
        Ok(checkout::place_order(&mut conn, plan).await?)
    }

    async fn get_order(&self, id: &OrderId) -> Result<Option<OrderRecord>, StoreError> {
        let conn = self.conn().await?;
        // The id is known, so the order, its lines and its refunds go out together: one
        // round trip instead of three.
        let shared: &AsyncPgConnection = &conn;
        let ids = [id.to_string()];
        let found = orders::table
            .inner_join(payments::table)
            .filter(orders::id.eq(id.as_str()))
            .select((OrderRow::as_select(), PaymentRow::as_select()))
            .first::<(OrderRow, PaymentRow)>(&mut { shared });
        let (found, children) = tokio::join!(found, load_children(shared, &ids));
        let Some(found) = found.optional().map_err(PgError::from)? else {
            return Ok(None);
        };
        Ok(assemble(vec![found], children?)?.into_iter().next())
    }

    async fn get_payment_of_order(&self, id: &OrderId) -> Result<Option<Payment>, StoreError> {
        let mut conn = self.conn().await?;
        let found = payments::table
            .filter(payments::order_id.eq(id.as_str()))
            .select(PaymentRow::as_select())
            .first::<PaymentRow>(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(found.map(PaymentRow::into_payment).transpose()?)
    }

    async fn find_order_by_number(
        &self,
        number: OrderNumber,
        email: &Email,
    ) -> Result<Option<OrderRecord>, StoreError> {
        let number = i64::try_from(number.get()).map_err(PgError::corrupt)?;
        let mut conn = self.conn().await?;
        let found = orders::table
            .inner_join(payments::table)
            .filter(orders::number.eq(number))
            .filter(lower(orders::email).eq(email.as_str().to_lowercase()))
            .select((OrderRow::as_select(), PaymentRow::as_select()))
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(load_record(&conn, found).await?)
    }

    async fn save_change(&self, change: &OrderChange) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        Ok(save(&mut conn, change).await?)
    }

    async fn list_orders(&self, query: &OrderQuery) -> Result<Page<OrderRecord>, StoreError> {
        use diesel::sql_types::{Bool, Text};
        let filtered = || {
            let mut q = orders::table.inner_join(payments::table).into_boxed();
            if let Some(status) = query.status {
                q = q.filter(orders::status.eq(status.as_str()));
            }
            if let Some(statuses) = &query.payment_statuses {
                let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
                q = q.filter(payments::status.eq_any(names));
            }
            q
        };
        let mut page = filtered()
            .order((orders::created_at.desc(), orders::id.desc()))
            .limit(i64::from(query.page.limit) + 1)
            .select((OrderRow::as_select(), PaymentRow::as_select()));
        if let Some(cursor) = &query.page.starting_after {
            page = page.filter(
                diesel::dsl::sql::<Bool>(
                    "(orders.created_at, orders.id) < (SELECT c.created_at, c.id FROM orders c WHERE c.id = ",
                )
                .bind::<Text, _>(cursor.clone())
                .sql(")"),
            );
        }
        let mut conn = self.conn().await?;
        let found: Vec<(OrderRow, PaymentRow)> =
            page.load(&mut conn).await.map_err(PgError::from)?;
        let total: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(PgError::from)?;
        let records = load_records(&conn, found).await?;
        Ok(Page::from_rows(records, query.page.limit, Some(total)))
    }

    async fn order_events(&self, id: &OrderId) -> Result<Vec<OrderEvent>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, DateTime<Utc>)> = outbox::table
            .filter(outbox::order_id.eq(id.as_str()))
            .order(outbox::sequence.asc())
            .select((outbox::id, outbox::event_type, outbox::occurred_at))
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(|(id, event_type, occurred_at)| {
                Ok(OrderEvent {
                    id: EventId::parse(&id).map_err(PgError::corrupt)?,
                    event_type,
                    occurred_at,
                })
            })
            .collect::<Result<_, PgError>>()?)
    }

    async fn claim_overdue_orders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OrderId>, StoreError> {
        let mut conn = self.conn().await?;
        let ids = claims::overdue_orders(&mut conn, now, limit, lease).await?;
        Ok(order_ids(ids)?)
    }

    async fn claim_stale_confirming(
        &self,
        started_before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OrderId>, StoreError> {
        let mut conn = self.conn().await?;
        let ids = claims::stale_confirming(&mut conn, started_before, now, limit, lease).await?;
        Ok(order_ids(ids)?)
    }
}
