//! An order as stored with what belongs to it, and one atomic change to it.

use crate::events::DomainEvent;
use crate::order::Order;
use crate::payment::Payment;
use crate::refund::Refund;

/// An order with its payment and refunds: what every order read returns.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    /// The order.
    pub order: Order,
    /// Its payment (one per order; retries reuse it).
    pub payment: Payment,
    /// Its refunds, oldest first.
    pub refunds: Vec<Refund>,
}

/// What happens to an order's stock in a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockMovement {
    /// An unpaid order ended: its reservation is released.
    Release,
    /// The order was paid: reserved units become sold (leave on-hand stock).
    Commit,
    /// A paid order was fully refunded: sold units go back on hand.
    Restock,
}

/// One atomic change to an order: the store writes all of it or none of it, over the
/// versions the order and payment were read at.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderChange {
    /// The order's new state (its version is still the one it was read at).
    pub order: Order,
    /// The payment's new state (likewise).
    pub payment: Payment,
    /// Refunds to add.
    pub new_refunds: Vec<Refund>,
    /// Stock movements, applied in order.
    pub stock: Vec<StockMovement>,
    /// Events for the outbox.
    pub events: Vec<DomainEvent>,
}

impl OrderChange {
    /// The record as stored once this change is saved: the store bumps each version by one.
    pub fn committed(self, mut refunds: Vec<Refund>) -> OrderRecord {
        refunds.extend(self.new_refunds);
        OrderRecord {
            order: self.order.bumped(),
            payment: self.payment.bumped(),
            refunds,
        }
    }
}

impl Order {
    pub(crate) fn bumped(self) -> Order {
        let mut data = (*self).clone();
        data.version += 1;
        Order::restore(data)
    }
}

impl Payment {
    pub(crate) fn bumped(self) -> Payment {
        let mut data = (*self).clone();
        data.version += 1;
        Payment::restore(data)
    }
}
