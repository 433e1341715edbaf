//! A payment as TossPayments reports it, in domain terms. The gateway adapter builds it from
//! the Toss Payment object; webhooks, confirm and reconciliation all apply it the same way.

use chrono::{DateTime, Utc};

use crate::ids::{PaymentKey, TossOrderId};
use crate::money::Krw;
use crate::payment::{PaymentFailure, PaymentMethod, VirtualAccount};

/// Toss's payment `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderStatus {
    /// Created, customer not authenticated yet.
    Ready,
    /// Customer authenticated, waiting for our confirm.
    InProgress,
    /// Virtual account issued, no deposit yet.
    WaitingForDeposit,
    /// Approved.
    Done,
    /// Fully cancelled (or a virtual account cancelled before the deposit).
    Canceled,
    /// Partly cancelled; with `balanceAmount` 0 it is in fact fully cancelled.
    PartialCanceled,
    /// Approval failed.
    Aborted,
    /// A time limit passed.
    Expired,
    /// A status this code does not know; kept as sent, never acted on.
    Unknown(String),
}

impl ProviderStatus {
    /// Toss's name for the status.
    pub fn as_str(&self) -> &str {
        match self {
            ProviderStatus::Ready => "READY",
            ProviderStatus::InProgress => "IN_PROGRESS",
            ProviderStatus::WaitingForDeposit => "WAITING_FOR_DEPOSIT",
            ProviderStatus::Done => "DONE",
            ProviderStatus::Canceled => "CANCELED",
            ProviderStatus::PartialCanceled => "PARTIAL_CANCELED",
            ProviderStatus::Aborted => "ABORTED",
            ProviderStatus::Expired => "EXPIRED",
            ProviderStatus::Unknown(raw) => raw,
        }
    }

    /// Parses Toss's name; anything unknown is kept as [`ProviderStatus::Unknown`].
    pub fn parse(raw: &str) -> Self {
        match raw {
            "READY" => ProviderStatus::Ready,
            "IN_PROGRESS" => ProviderStatus::InProgress,
            "WAITING_FOR_DEPOSIT" => ProviderStatus::WaitingForDeposit,
            "DONE" => ProviderStatus::Done,
            "CANCELED" => ProviderStatus::Canceled,
            "PARTIAL_CANCELED" => ProviderStatus::PartialCanceled,
            "ABORTED" => ProviderStatus::Aborted,
            "EXPIRED" => ProviderStatus::Expired,
            other => ProviderStatus::Unknown(other.to_owned()),
        }
    }
}

/// One element of Toss's `cancels[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCancel {
    /// Unique per cancel: our refund's dedupe key.
    pub transaction_key: String,
    /// Amount returned by this cancel.
    pub amount: Krw,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub canceled_at: Option<DateTime<Utc>>,
}

/// A payment read from (or returned by) TossPayments.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPayment {
    /// Toss's payment id.
    pub payment_key: PaymentKey,
    /// The order id we gave Toss.
    pub order_id: TossOrderId,
    /// Toss's status.
    pub status: ProviderStatus,
    /// The amount approved; never changes.
    pub total_amount: Krw,
    /// The amount still cancellable.
    pub balance_amount: Krw,
    /// How the customer paid.
    pub method: Option<PaymentMethod>,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Virtual account details, for that method.
    pub virtual_account: Option<VirtualAccount>,
    /// The `secret` that a `DEPOSIT_CALLBACK` must carry.
    pub secret: Option<String>,
    /// Cancels, oldest first.
    pub cancels: Vec<ProviderCancel>,
    /// Why it failed, when it did.
    pub failure: Option<PaymentFailure>,
    /// The raw Toss JSON, kept on the payment for audit.
    pub raw: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_kept() {
        for raw in [
            "READY",
            "IN_PROGRESS",
            "WAITING_FOR_DEPOSIT",
            "DONE",
            "CANCELED",
            "PARTIAL_CANCELED",
            "ABORTED",
            "EXPIRED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(ProviderStatus::parse(raw).as_str(), raw);
        }
        assert_eq!(
            ProviderStatus::parse("SOMETHING_NEW"),
            ProviderStatus::Unknown("SOMETHING_NEW".into())
        );
    }
}
