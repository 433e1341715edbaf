//! Storage of merchant webhook endpoints, their deliveries, and inbound Toss receipts.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::StoreError;
use crate::catalog::{Page, PageRequest};
use crate::ids::{DeliveryId, EventId, OrderId, RefundId, WebhookId};
use crate::webhook::{DeliveryNext, WebhookEndpoint};

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// When it was sent.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// How long it took.
    pub duration_ms: i64,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

/// A delivery of one event to one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id.
    pub id: DeliveryId,
    /// The endpoint.
    pub webhook_id: WebhookId,
    /// The event.
    pub event_id: EventId,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: DateTime<Utc>,
    /// When it succeeded.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// An event waiting to be fanned out to endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    /// Its id.
    pub id: EventId,
    /// Its type.
    pub event_type: String,
    /// The order it concerns.
    pub order_id: Option<OrderId>,
    /// The refund it concerns.
    pub refund_id: Option<RefundId>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// One claimed event ready to be marked fanned out: its rendered body and a pending delivery
/// per listening endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Fanout {
    /// The event.
    pub event: EventId,
    /// Its JSON envelope as sent to endpoints.
    pub body: String,
    /// One (delivery id, endpoint) pair per endpoint that wants it; often none.
    pub deliveries: Vec<(DeliveryId, WebhookId)>,
}

/// What storing an inbound receipt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptClaim {
    /// Its transmission id was seen before: not stored, nothing to do.
    Redelivery,
    /// Stored under this id, but a receipt with the same body was already handled.
    BodyHandled(i64),
    /// Stored under this id; to be handled.
    New(i64),
}

/// A delivery due now, with what is needed to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    /// The delivery.
    pub id: DeliveryId,
    /// Attempts made so far.
    pub attempts: u32,
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The event.
    pub event_id: EventId,
    /// The event's type.
    pub event_type: String,
    /// The body to send, fixed when the event was fanned out.
    pub body: String,
}

/// An inbound webhook as received, for dedupe and audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundReceipt {
    /// `tosspayments-webhook-transmission-id`, when sent.
    pub transmission_id: Option<String>,
    /// SHA-256 of the raw body.
    pub body_sha256: String,
    /// The event type, when the body could be read.
    pub event_type: Option<String>,
    /// The headers that matter (transmission headers, signature presence).
    pub headers: serde_json::Value,
    /// The raw body.
    pub raw_body: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Keeps webhook endpoints and deliveries.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new endpoint.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn insert_webhook(&self, webhook: &WebhookEndpoint) -> Result<(), StoreError>;

    /// A live endpoint.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn get_webhook(&self, id: &WebhookId) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Every live endpoint, oldest first.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// Rewrites an endpoint; false when it is gone.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn update_webhook(&self, webhook: &WebhookEndpoint) -> Result<bool, StoreError>;

    /// Deletes an endpoint (softly; its deliveries stay for audit); false when there was none.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn delete_webhook(&self, id: &WebhookId, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// An endpoint's deliveries, newest first, with their attempts.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_deliveries(
        &self,
        webhook: &WebhookId,
        page: &PageRequest,
    ) -> Result<Page<Delivery>, StoreError>;

    /// Makes a delivery due again now; `None` when there is no such delivery.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn retry_delivery(
        &self,
        webhook: &WebhookId,
        delivery: &DeliveryId,
        now: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError>;

    /// Claims events not yet fanned out, oldest first, skipping those other workers hold.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn claim_undispatched_events(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<PendingEvent>, StoreError>;

    /// Fans a batch of claimed events out: stores each body and its pending deliveries, and
    /// marks them dispatched, all in one transaction (one commit per batch, not per event).
    ///
    /// # Errors
    /// [`StoreError`]; nothing of the batch is kept then.
    async fn dispatch_events(&self, batch: &[Fanout], now: DateTime<Utc>)
        -> Result<(), StoreError>;

    /// Claims deliveries that are due, oldest event first, skipping those other workers hold
    /// and those waiting behind an earlier pending delivery of the same order to the same
    /// endpoint (in order per order id).
    ///
    /// # Errors
    /// [`StoreError`].
    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Records an attempt and what follows; giving up also switches the endpoint off.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn record_attempt(
        &self,
        delivery: &DeliveryId,
        attempt: &DeliveryAttempt,
        next: &DeliveryNext,
    ) -> Result<(), StoreError>;

    /// Stores an inbound receipt, and tells in the same step whether it repeats one already
    /// seen (same transmission id) or one whose body was already handled.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn record_receipt(&self, receipt: &InboundReceipt) -> Result<ReceiptClaim, StoreError>;

    /// Stores an inbound receipt already handled, with its `outcome`, in one write: for a
    /// body whose effect the order already shows. Finds what [`WebhookStore::record_receipt`]
    /// finds; a redelivery is not stored, and a body already handled is stored as `duplicate`.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn record_handled_receipt(
        &self,
        receipt: &InboundReceipt,
        outcome: &str,
    ) -> Result<ReceiptClaim, StoreError>;

    /// Records how an inbound receipt was handled. A `retryable` outcome forgets the
    /// transmission id, so Toss's redelivery of it is handled afresh.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn finish_receipt(
        &self,
        id: i64,
        outcome: &str,
        retryable: bool,
    ) -> Result<(), StoreError>;
}
