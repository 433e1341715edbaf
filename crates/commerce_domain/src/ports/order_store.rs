//! Storage of orders with their payment and refunds, and the outbox of their events.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::StoreError;
use crate::cart::Cart;
use crate::email::Email;
use crate::events::DomainEvent;
use crate::ids::{CartId, OrderId, OrderNumber, VariantId};
use crate::order::Order;
use crate::payment::Payment;
use crate::record::{OrderChange, OrderRecord};

/// Everything one checkout writes, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutPlan {
    /// The cart, already `completed`, carrying the version it was read at.
    pub cart: Cart,
    /// The new pending order; its lines say what stock to reserve.
    pub order: Order,
    /// The new pending payment.
    pub payment: Payment,
    /// `order.created` and `payment.created`, for the outbox.
    pub events: Vec<DomainEvent>,
}

/// Why a checkout could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutStoreError {
    /// A line asks for more units than are available; nothing was written.
    #[error("insufficient stock for {variant_id}")]
    InsufficientStock {
        /// The first variant short of stock.
        variant_id: VariantId,
        /// Units the line asks for.
        requested: i64,
        /// Units available.
        available: i64,
    },
    /// The cart changed or was checked out since it was read; nothing was written.
    #[error("the cart changed concurrently")]
    CartChanged,
    /// Storage trouble; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Which orders an admin list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only this order status.
    pub status: Option<crate::order::OrderStatus>,
    /// Only these payment states (the API's `payment_status` filter, mapped by the domain).
    pub payment_statuses: Option<Vec<crate::payment::PaymentStatus>>,
    /// The page (newest first).
    pub page: crate::catalog::PageRequest,
}

/// One entry of an order's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    /// Its id.
    pub id: crate::ids::EventId,
    /// Its type, e.g. `order.confirmed`.
    pub event_type: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// Keeps orders, payments, refunds and the event outbox.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// A cart as a checkout reads it, with the next human order number, in one step: the
    /// number is drawn whether or not the checkout then succeeds (numbers increase and are
    /// unique; gaps are allowed). `None` when there is no such cart.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_cart_with_number(
        &self,
        id: &CartId,
    ) -> Result<Option<(Cart, OrderNumber)>, StoreError>;

    /// Checkout, all or nothing: reserves stock for every line without ever overselling
    /// under any concurrency, writes the order, its lines and its payment, closes the cart
    /// over the version it was read at, and queues the events.
    ///
    /// # Errors
    /// [`CheckoutStoreError::InsufficientStock`], [`CheckoutStoreError::CartChanged`],
    /// [`CheckoutStoreError::Store`].
    async fn place_order(&self, plan: &CheckoutPlan) -> Result<(), CheckoutStoreError>;

    /// An order with its payment and refunds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`]; a missing order is
    /// `Ok(None)`.
    async fn get_order(&self, id: &OrderId) -> Result<Option<OrderRecord>, StoreError>;

    /// The payment of an order, without the order: for a check that needs nothing else (does
    /// the payment already show what a webhook claims?), at one statement instead of three.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`]; a missing order is
    /// `Ok(None)`.
    async fn get_payment_of_order(&self, id: &OrderId) -> Result<Option<Payment>, StoreError>;

    /// An order by its human number and the customer's e-mail (both must match).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn find_order_by_number(
        &self,
        number: OrderNumber,
        email: &Email,
    ) -> Result<Option<OrderRecord>, StoreError>;

    /// Writes one state change atomically: the order and the payment each over the version
    /// they were read at (each version then goes up by exactly one), new refunds (unique by
    /// Toss transaction key), the stock movements in order, and the events.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when either version differs or a refund's transaction key is
    /// already recorded; [`StoreError::Unavailable`] or [`StoreError::Unexpected`]. Nothing
    /// is written on error.
    async fn save_change(&self, change: &OrderChange) -> Result<(), StoreError>;

    /// A page of orders, newest first, with a total count.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_orders(
        &self,
        query: &OrderQuery,
    ) -> Result<crate::catalog::Page<OrderRecord>, StoreError>;

    /// An order's events, oldest first.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn order_events(&self, id: &OrderId) -> Result<Vec<OrderEvent>, StoreError>;

    /// Claims up to `limit` pending orders whose deadline is before `now` for the expiry job,
    /// skipping rows other workers hold, and hides them from other claims for `lease`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim_overdue_orders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OrderId>, StoreError>;

    /// Claims up to `limit` orders whose payment has been `confirming` since before
    /// `started_before`, for reconciliation, as [`OrderStore::claim_overdue_orders`] does.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim_stale_confirming(
        &self,
        started_before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OrderId>, StoreError>;
}
