//! Writing events to the outbox, inside the caller's transaction.

use commerce_domain::events::{DomainEvent, EventKind};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::PgError;
use crate::prepared::Prepared;
use crate::schema::events;

/// Queues `events` in the outbox.
pub(crate) async fn queue(conn: &AsyncPgConnection, batch: &[DomainEvent]) -> Result<(), PgError> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = batch
        .iter()
        .map(|event| {
            let refund_id = match &event.kind {
                EventKind::PaymentRefunded(refund) => Some(refund.to_string()),
                _ => None,
            };
            (
                events::id.eq(event.id.to_string()),
                events::event_type.eq(event.kind.type_name()),
                events::order_id.eq(Some(event.order_id.to_string())),
                events::payment_id.eq(Some(event.payment_id.to_string())),
                events::refund_id.eq(refund_id),
                events::occurred_at.eq(event.occurred_at),
            )
        })
        .collect();
    Prepared(diesel::insert_into(events::table).values(&rows))
        .execute(&mut { conn })
        .await?;
    Ok(())
}
