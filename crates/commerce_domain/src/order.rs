//! The order aggregate: what was bought at what price, and whether it is waiting for payment,
//! paid, or cancelled (SPEC §5).

use std::fmt;
use std::ops::Deref;

use chrono::{DateTime, Utc};

use crate::address::Address;
use crate::email::Email;
use crate::events::EventKind;
use crate::ids::{CartId, OrderId, OrderLineId, OrderNumber, ProductId, VariantId};
use crate::money::Krw;
use crate::quantity::Quantity;
use crate::Metadata;

mod name;

pub use name::{order_name, MAX_ORDER_NAME_CHARS};

/// The order's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Checked out, not paid; stock is reserved until `expires_at`.
    Pending,
    /// Paid.
    Confirmed,
    /// Ended without a sale standing: expired, cancelled unpaid, or fully refunded.
    Cancelled,
}

impl OrderStatus {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored status.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(OrderStatus::Pending),
            "confirmed" => Some(OrderStatus::Confirmed),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        }
    }
}

/// Why an order was cancelled (the API's `cancel_reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// Not paid before `expires_at`.
    PaymentExpired,
    /// A virtual account's deposit due date passed.
    DepositExpired,
    /// Toss cancelled the payment (fully refunded, or a virtual account cancelled).
    Refunded,
    /// The merchant cancelled it, with an optional note.
    Merchant(Option<String>),
}

impl CancelReason {
    /// The wire and storage text.
    pub fn as_str(&self) -> &str {
        match self {
            CancelReason::PaymentExpired => "payment_expired",
            CancelReason::DepositExpired => "deposit_expired",
            CancelReason::Refunded => "refunded",
            CancelReason::Merchant(Some(note)) => note,
            CancelReason::Merchant(None) => "merchant_cancelled",
        }
    }

    /// Parses stored text; anything unknown was a merchant's note.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "payment_expired" => CancelReason::PaymentExpired,
            "deposit_expired" => CancelReason::DepositExpired,
            "refunded" => CancelReason::Refunded,
            "merchant_cancelled" => CancelReason::Merchant(None),
            note => CancelReason::Merchant(Some(note.to_owned())),
        }
    }
}

/// A transition the order state machine was asked to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// Mark it paid.
    Confirm,
    /// Cancel it before payment.
    CancelUnpaid,
    /// Cancel it because its payment was fully refunded.
    CancelRefunded,
    /// Move its payment deadline.
    ExtendExpiry,
    /// Record money returned.
    RecordRefund,
}

/// An order transition that its current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("order cannot {action:?} while {from}")]
pub struct OrderTransitionError {
    /// The state it was in.
    pub from: OrderStatus,
    /// What was asked.
    pub action: OrderAction,
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of an order: a snapshot of the variant's names and price at checkout.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    /// The line.
    pub id: OrderLineId,
    /// The variant bought.
    pub variant_id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// Product name at checkout.
    pub product_name: String,
    /// Variant name at checkout.
    pub variant_name: Option<String>,
    /// SKU at checkout.
    pub sku: Option<String>,
    /// Image at checkout.
    pub image_url: Option<String>,
    /// Units bought.
    pub quantity: Quantity,
    /// Unit price at checkout.
    pub unit_price: Krw,
    /// `unit_price × quantity`.
    pub line_total: Krw,
    /// Option values at checkout.
    pub option_values: Metadata,
}

/// An order's stored state. Read it through [`Order`]; only the transitions change it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderData {
    /// The order.
    pub id: OrderId,
    /// The short human number.
    pub number: OrderNumber,
    /// The cart it came from.
    pub cart_id: CartId,
    /// Lifecycle state.
    pub status: OrderStatus,
    /// The customer's e-mail.
    pub email: Email,
    /// Where to ship.
    pub shipping_address: Address,
    /// Where to bill.
    pub billing_address: Option<Address>,
    /// Lines, in cart order.
    pub lines: Vec<OrderLine>,
    /// Sum of line totals.
    pub subtotal: Krw,
    /// Discounts.
    pub discount_total: Krw,
    /// Shipping.
    pub shipping_total: Krw,
    /// Tax included in prices.
    pub tax_total: Krw,
    /// What the customer pays: the Toss `amount`.
    pub total: Krw,
    /// Money returned so far.
    pub refunded_total: Krw,
    /// The Toss `orderName`.
    pub order_name: String,
    /// The Toss `customerKey` the storefront gave, if any.
    pub customer_key: Option<String>,
    /// The customer's note.
    pub note: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<CancelReason>,
    /// Client data.
    pub metadata: Metadata,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was paid.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Payment deadline while pending: after it the order is cancelled and its stock released.
    pub expires_at: DateTime<Utc>,
    /// Optimistic-lock version.
    pub version: i64,
}

/// An order. Its fields read through `Deref`; its state changes only through its methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Order(OrderData);

impl Deref for Order {
    type Target = OrderData;

    fn deref(&self) -> &OrderData {
        &self.0
    }
}

impl Order {
    /// Places a new pending order. Callers build `data` with `status: Pending`; see
    /// `usecases::checkout`, which is the one place orders are born.
    pub(crate) fn place(data: OrderData) -> Self {
        Order(OrderData {
            status: OrderStatus::Pending,
            ..data
        })
    }

    /// Rebuilds an order from storage.
    pub fn restore(data: OrderData) -> Self {
        Order(data)
    }

    fn refuse<T>(&self, action: OrderAction) -> Result<T, OrderTransitionError> {
        Err(OrderTransitionError {
            from: self.0.status,
            action,
        })
    }

    /// `pending` → `confirmed`: the payment is approved.
    ///
    /// # Errors
    /// [`OrderTransitionError`] unless pending.
    pub fn confirm(&mut self, now: DateTime<Utc>) -> Result<Vec<EventKind>, OrderTransitionError> {
        match self.0.status {
            OrderStatus::Pending => {
                self.0.status = OrderStatus::Confirmed;
                self.0.confirmed_at = Some(now);
                self.0.updated_at = now;
                Ok(vec![EventKind::OrderConfirmed])
            }
            OrderStatus::Confirmed | OrderStatus::Cancelled => self.refuse(OrderAction::Confirm),
        }
    }

    /// `pending` → `cancelled` without payment (expiry, deposit due date, merchant).
    ///
    /// # Errors
    /// [`OrderTransitionError`] unless pending.
    pub fn cancel_unpaid(
        &mut self,
        reason: CancelReason,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, OrderTransitionError> {
        match self.0.status {
            OrderStatus::Pending => {
                self.0.status = OrderStatus::Cancelled;
                self.0.cancel_reason = Some(reason);
                self.0.cancelled_at = Some(now);
                self.0.updated_at = now;
                Ok(vec![EventKind::OrderCancelled])
            }
            OrderStatus::Confirmed | OrderStatus::Cancelled => {
                self.refuse(OrderAction::CancelUnpaid)
            }
        }
    }

    /// `confirmed` → `cancelled` because the whole payment was refunded; also `pending` →
    /// `cancelled` when Toss cancels a virtual account before the deposit.
    ///
    /// # Errors
    /// [`OrderTransitionError`] when already cancelled.
    pub fn cancel_refunded(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, OrderTransitionError> {
        match self.0.status {
            OrderStatus::Pending | OrderStatus::Confirmed => {
                self.0.status = OrderStatus::Cancelled;
                self.0.cancel_reason = Some(CancelReason::Refunded);
                self.0.cancelled_at = Some(now);
                self.0.updated_at = now;
                Ok(vec![EventKind::OrderCancelled])
            }
            OrderStatus::Cancelled => self.refuse(OrderAction::CancelRefunded),
        }
    }

    /// Moves the payment deadline of a pending order, e.g. to a virtual account's due date.
    ///
    /// # Errors
    /// [`OrderTransitionError`] unless pending.
    pub fn extend_expiry(
        &mut self,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), OrderTransitionError> {
        match self.0.status {
            OrderStatus::Pending => {
                self.0.expires_at = self.0.expires_at.max(until);
                self.0.updated_at = now;
                Ok(())
            }
            OrderStatus::Confirmed | OrderStatus::Cancelled => {
                self.refuse(OrderAction::ExtendExpiry)
            }
        }
    }

    /// Adds `amount` to the money returned, never past the total.
    ///
    /// # Errors
    /// [`OrderTransitionError`] unless confirmed, or when the refunds would pass the total.
    pub fn record_refund(
        &mut self,
        amount: Krw,
        now: DateTime<Utc>,
    ) -> Result<(), OrderTransitionError> {
        let refunded = self.0.refunded_total.checked_add(amount).ok();
        match (self.0.status, refunded) {
            (OrderStatus::Confirmed, Some(refunded)) if refunded <= self.0.total => {
                self.0.refunded_total = refunded;
                self.0.updated_at = now;
                Ok(())
            }
            _ => self.refuse(OrderAction::RecordRefund),
        }
    }

    /// True when the payment deadline has passed.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        now >= self.0.expires_at
    }

    /// Units in all lines.
    pub fn total_units(&self) -> u32 {
        self.0
            .lines
            .iter()
            .map(|line| u32::from(line.quantity.get()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, pending_order};

    const ALL: [OrderStatus; 3] = [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Cancelled,
    ];

    fn in_state(status: OrderStatus) -> Order {
        let mut order = pending_order(58_000);
        order.0.status = status;
        order
    }

    #[test]
    fn confirm_is_allowed_only_from_pending() {
        for from in ALL {
            let mut order = in_state(from);
            let result = order.confirm(at(5));
            if from == OrderStatus::Pending {
                assert_eq!(result, Ok(vec![EventKind::OrderConfirmed]));
                assert_eq!(order.status, OrderStatus::Confirmed);
                assert_eq!(order.confirmed_at, Some(at(5)));
            } else {
                assert_eq!(
                    result,
                    Err(OrderTransitionError {
                        from,
                        action: OrderAction::Confirm
                    })
                );
                assert_eq!(
                    order,
                    in_state(from),
                    "a refused transition changes nothing"
                );
            }
        }
    }

    #[test]
    fn cancel_unpaid_is_allowed_only_from_pending() {
        for from in ALL {
            let mut order = in_state(from);
            let result = order.cancel_unpaid(CancelReason::PaymentExpired, at(5));
            if from == OrderStatus::Pending {
                assert_eq!(result, Ok(vec![EventKind::OrderCancelled]));
                assert_eq!(order.status, OrderStatus::Cancelled);
                assert_eq!(order.cancel_reason, Some(CancelReason::PaymentExpired));
                assert_eq!(order.cancelled_at, Some(at(5)));
            } else {
                assert!(result.is_err(), "{from}");
                assert_eq!(order, in_state(from));
            }
        }
    }

    #[test]
    fn cancel_refunded_is_refused_only_when_already_cancelled() {
        for from in ALL {
            let mut order = in_state(from);
            let result = order.cancel_refunded(at(5));
            if from == OrderStatus::Cancelled {
                assert!(result.is_err());
            } else {
                assert_eq!(result, Ok(vec![EventKind::OrderCancelled]));
                assert_eq!(order.cancel_reason, Some(CancelReason::Refunded));
            }
        }
    }

    #[test]
    fn extend_expiry_never_shortens_and_needs_pending() {
        let mut order = in_state(OrderStatus::Pending);
        let original = order.expires_at;
        order.extend_expiry(at(1), at(1)).unwrap();
        assert_eq!(
            order.expires_at, original,
            "an earlier date does not shorten it"
        );
        order.extend_expiry(at(100_000), at(2)).unwrap();
        assert_eq!(order.expires_at, at(100_000));
        for from in [OrderStatus::Confirmed, OrderStatus::Cancelled] {
            assert!(in_state(from).extend_expiry(at(1), at(1)).is_err());
        }
    }

    #[test]
    fn refunds_accumulate_up_to_the_total_only_on_confirmed_orders() {
        let mut order = in_state(OrderStatus::Confirmed);
        order
            .record_refund(Krw::new(8_000).unwrap(), at(1))
            .unwrap();
        order
            .record_refund(Krw::new(50_000).unwrap(), at(2))
            .unwrap();
        assert_eq!(order.refunded_total, Krw::new(58_000).unwrap());
        assert!(order.record_refund(Krw::new(1).unwrap(), at(3)).is_err());
        for from in [OrderStatus::Pending, OrderStatus::Cancelled] {
            assert!(in_state(from)
                .record_refund(Krw::new(1).unwrap(), at(1))
                .is_err());
        }
    }

    #[test]
    fn overdue_from_expires_at_on() {
        let order = in_state(OrderStatus::Pending);
        assert!(!order.is_overdue(order.expires_at - chrono::Duration::seconds(1)));
        assert!(order.is_overdue(order.expires_at));
    }

    #[test]
    fn names_round_trip() {
        for status in ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        for reason in [
            CancelReason::PaymentExpired,
            CancelReason::DepositExpired,
            CancelReason::Refunded,
            CancelReason::Merchant(None),
            CancelReason::Merchant(Some("out of stock".into())),
        ] {
            assert_eq!(CancelReason::parse(reason.as_str()), reason);
        }
    }
}
