//! The payment provider (TossPayments), in domain terms.

use async_trait::async_trait;

use crate::ids::{IdempotencyKey, PaymentKey, TossOrderId};
use crate::money::Krw;
use crate::payment::PaymentFailure;
use crate::provider::ProviderPayment;

/// Toss's code for a confirm after its 10-minute window closed.
pub const NOT_FOUND_PAYMENT_SESSION: &str = "NOT_FOUND_PAYMENT_SESSION";

/// A confirm request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmCall {
    /// The payment the customer authorised.
    pub payment_key: PaymentKey,
    /// Our order's Toss id.
    pub order_id: TossOrderId,
    /// The amount to approve.
    pub amount: Krw,
    /// The same on a retry after no answer, new after any answer.
    pub idempotency_key: IdempotencyKey,
}

/// A cancel (refund) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelCall {
    /// The payment to cancel.
    pub payment_key: PaymentKey,
    /// Why (required by Toss, at most 200 characters).
    pub reason: String,
    /// How much; `None` cancels the whole remaining balance.
    pub amount: Option<Krw>,
    /// The same on a retry after no answer, new after any answer.
    pub idempotency_key: IdempotencyKey,
}

/// How a call to the provider failed. The split is what decides money: only a definite
/// answer may move a payment; an unknown outcome leaves it for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The provider definitely refused (e.g. `REJECT_CARD_PAYMENT`, `INVALID_*`,
    /// `NOT_FOUND_PAYMENT_SESSION`); nothing was approved.
    #[error("the provider refused: {}", .0.code)]
    Rejected(PaymentFailure),
    /// The provider already processed this payment (`ALREADY_PROCESSED_PAYMENT`): read it
    /// back to learn its real state.
    #[error("the provider already processed this payment")]
    AlreadyProcessed(PaymentFailure),
    /// No definite answer: timeout, connection error, 5xx, a transient code
    /// (`PROVIDER_ERROR`, `FAILED_*`), or a body that could not be read. The call may or may
    /// not have taken effect.
    #[error("the provider's answer is unknown: {reason}")]
    Unknown {
        /// What happened, for logs (never secrets).
        reason: String,
    },
}

/// Talks to the payment provider. No store transaction is ever open during these calls.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Confirms (approves) an authorised payment.
    ///
    /// # Errors
    /// [`GatewayError`] as classified above.
    async fn confirm(&self, call: &ConfirmCall) -> Result<ProviderPayment, GatewayError>;

    /// Reads a payment by its key; `Ok(None)` when the provider knows no such payment.
    ///
    /// # Errors
    /// [`GatewayError::Unknown`] when no definite answer came back.
    async fn get_by_payment_key(
        &self,
        key: &PaymentKey,
    ) -> Result<Option<ProviderPayment>, GatewayError>;

    /// Reads the payment of an order; `Ok(None)` when the provider knows none.
    ///
    /// # Errors
    /// [`GatewayError::Unknown`] when no definite answer came back.
    async fn get_by_order_id(
        &self,
        order_id: &TossOrderId,
    ) -> Result<Option<ProviderPayment>, GatewayError>;

    /// Cancels all or part of a payment.
    ///
    /// # Errors
    /// [`GatewayError`] as classified above.
    async fn cancel(&self, call: &CancelCall) -> Result<ProviderPayment, GatewayError>;
}
