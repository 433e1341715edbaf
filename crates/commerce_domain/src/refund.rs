//! Refunds: money returned on a paid order, one per Toss cancel transaction.

use chrono::{DateTime, Utc};

use crate::ids::{OrderId, PaymentId, RefundId};
use crate::money::Krw;

/// Money returned to the customer. Toss's `transactionKey` makes it unique, so a cancel seen
/// both by webhook and by reconciliation is recorded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The refund.
    pub id: RefundId,
    /// The order refunded.
    pub order_id: OrderId,
    /// The payment refunded.
    pub payment_id: PaymentId,
    /// How much.
    pub amount: Krw,
    /// Why, as Toss recorded it.
    pub reason: Option<String>,
    /// Whether the stock came back (true only for a full refund).
    pub restock: bool,
    /// Toss's `transactionKey` of the cancel.
    pub provider_transaction_key: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}
