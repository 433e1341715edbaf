//! Outbound events (SPEC §8). Transitions return the [`EventKind`]s they cause; use cases stamp
//! them into [`DomainEvent`]s that the store writes to the outbox in the same transaction as
//! the change itself (transactional outbox).

use chrono::{DateTime, Utc};

use crate::ids::{EventId, OrderId, PaymentId, RefundId};
use crate::ports::IdGenerator;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// An order was placed at checkout.
    OrderCreated,
    /// An order was paid.
    OrderConfirmed,
    /// An order was cancelled (expiry, merchant, full refund).
    OrderCancelled,
    /// A payment was opened at checkout.
    PaymentCreated,
    /// A payment was approved (or a virtual account deposit arrived).
    PaymentCompleted,
    /// A payment attempt failed (rejected by Toss, or the customer's fail redirect).
    PaymentFailed,
    /// Money was returned; carries the refund.
    PaymentRefunded(RefundId),
}

impl EventKind {
    /// The event's `type` on the wire, e.g. `payment.refunded`.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::OrderCreated => "order.created",
            EventKind::OrderConfirmed => "order.confirmed",
            EventKind::OrderCancelled => "order.cancelled",
            EventKind::PaymentCreated => "payment.created",
            EventKind::PaymentCompleted => "payment.completed",
            EventKind::PaymentFailed => "payment.failed",
            EventKind::PaymentRefunded(_) => "payment.refunded",
        }
    }
}

/// An event ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEvent {
    /// Its id (`evt_...`), the receivers' dedupe key.
    pub id: EventId,
    /// What happened.
    pub kind: EventKind,
    /// The order it concerns.
    pub order_id: OrderId,
    /// The payment it concerns.
    pub payment_id: PaymentId,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// Gives event kinds their ids and context, in the order they happened.
pub fn stamp(
    kinds: Vec<EventKind>,
    order_id: &OrderId,
    payment_id: &PaymentId,
    ids: &dyn IdGenerator,
    now: DateTime<Utc>,
) -> Vec<DomainEvent> {
    kinds
        .into_iter()
        .map(|kind| DomainEvent {
            id: EventId::generate(ids),
            kind,
            order_id: order_id.clone(),
            payment_id: payment_id.clone(),
            occurred_at: now,
        })
        .collect()
}
