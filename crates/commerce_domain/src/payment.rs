//! The payment aggregate: one order's payment through TossPayments, from checkout to approval
//! or expiry, and on through refunds (SPEC §5, §7).

use std::fmt;
use std::ops::Deref;

use chrono::{DateTime, Utc};

use crate::events::EventKind;
use crate::ids::{IdempotencyKey, OrderId, PaymentId, PaymentKey, RefundId};
use crate::money::Krw;

mod details;

pub use details::{PaymentFailure, PaymentMethod, VirtualAccount};

/// The payment's precise state, finer than what the API shows (see SPEC §5's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Not paid; a confirm may start.
    Pending,
    /// A confirm call to Toss is running, or ended with no answer: only Toss knows.
    Confirming,
    /// A virtual account was issued; waiting for the deposit.
    AwaitingDeposit,
    /// Approved.
    Completed,
    /// Approved, and part of it refunded.
    PartiallyRefunded,
    /// Approved, and all of it refunded.
    Refunded,
    /// Never paid before the deadline.
    Expired,
    /// Cancelled before any money moved (merchant cancel, virtual account cancelled).
    Cancelled,
}

impl PaymentStatus {
    /// Every state, for exhaustive tests and storage checks.
    pub const ALL: [PaymentStatus; 8] = [
        PaymentStatus::Pending,
        PaymentStatus::Confirming,
        PaymentStatus::AwaitingDeposit,
        PaymentStatus::Completed,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Expired,
        PaymentStatus::Cancelled,
    ];

    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Confirming => "confirming",
            PaymentStatus::AwaitingDeposit => "awaiting_deposit",
            PaymentStatus::Completed => "completed",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored status.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// The order's `payment_status` as the API shows it (SPEC §5).
    pub fn order_payment_status(self) -> &'static str {
        match self {
            PaymentStatus::Pending
            | PaymentStatus::Confirming
            | PaymentStatus::Expired
            | PaymentStatus::Cancelled => "unpaid",
            PaymentStatus::AwaitingDeposit => "awaiting_payment",
            PaymentStatus::Completed => "paid",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// The payment's `status` as the API shows it (SPEC §5).
    pub fn api_status(self) -> &'static str {
        match self {
            PaymentStatus::Pending | PaymentStatus::Confirming | PaymentStatus::AwaitingDeposit => {
                "pending"
            }
            PaymentStatus::Completed | PaymentStatus::PartiallyRefunded => "completed",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Expired | PaymentStatus::Cancelled => "cancelled",
        }
    }

    /// The states behind an order `payment_status` filter value.
    pub fn for_order_payment_status(raw: &str) -> Option<Vec<PaymentStatus>> {
        let matching: Vec<_> = Self::ALL
            .into_iter()
            .filter(|status| status.order_payment_status() == raw)
            .collect();
        (!matching.is_empty()).then_some(matching)
    }

    /// True once Toss approved the payment (whatever was refunded since).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Completed | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transition the payment state machine was asked to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentAction {
    /// Claim the payment for a confirm call.
    BeginConfirm,
    /// Record Toss's approval.
    Approve,
    /// Record an issued virtual account.
    AwaitDeposit,
    /// Record Toss's rejection of a running confirm.
    Reject,
    /// Record a failed attempt reported by the storefront.
    RecordFailure,
    /// Record money returned.
    Refund,
    /// Give up on an unpaid payment at its deadline.
    Expire,
    /// Cancel before any money moved.
    Cancel,
}

/// A payment transition that its current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("payment cannot {action:?} while {from}")]
pub struct PaymentTransitionError {
    /// The state it was in.
    pub from: PaymentStatus,
    /// What was asked.
    pub action: PaymentAction,
}

/// What Toss said when it approved a payment.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// Toss's payment id.
    pub payment_key: PaymentKey,
    /// How the customer paid.
    pub method: Option<PaymentMethod>,
    /// When Toss approved it.
    pub approved_at: Option<DateTime<Utc>>,
}

/// A payment's stored state. Read it through [`Payment`]; only the transitions change it.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentData {
    /// The payment.
    pub id: PaymentId,
    /// Its order.
    pub order_id: OrderId,
    /// The amount to collect: the order's total.
    pub amount: Krw,
    /// Lifecycle state.
    pub status: PaymentStatus,
    /// Toss's payment id, once a confirm or a webhook told us.
    pub payment_key: Option<PaymentKey>,
    /// How the customer paid.
    pub method: Option<PaymentMethod>,
    /// Toss's own status, as last seen.
    pub provider_status: Option<String>,
    /// When Toss approved it.
    pub approved_at: Option<DateTime<Utc>>,
    /// The last failed attempt.
    pub failure: Option<PaymentFailure>,
    /// The virtual account issued, for that method.
    pub virtual_account: Option<VirtualAccount>,
    /// The `secret` Toss returned at confirm: a `DEPOSIT_CALLBACK` must carry it.
    pub deposit_secret: Option<String>,
    /// Money returned so far.
    pub refunded_amount: Krw,
    /// Confirm calls started.
    pub attempts: u32,
    /// The `Idempotency-Key` of the confirm in flight: reused after no answer, dropped after
    /// any answer.
    pub confirm_idempotency_key: Option<IdempotencyKey>,
    /// When the confirm in flight started (reconciliation looks at old ones).
    pub confirm_started_at: Option<DateTime<Utc>>,
    /// The last Toss Payment JSON seen, for audit.
    pub provider_raw: Option<serde_json::Value>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock version.
    pub version: i64,
}

/// A payment. Its fields read through `Deref`; its state changes only through its methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment(PaymentData);

impl Deref for Payment {
    type Target = PaymentData;

    fn deref(&self) -> &PaymentData {
        &self.0
    }
}

impl Payment {
    /// A new pending payment of `amount` for an order.
    pub fn open(id: PaymentId, order_id: OrderId, amount: Krw, now: DateTime<Utc>) -> Self {
        Payment(PaymentData {
            id,
            order_id,
            amount,
            status: PaymentStatus::Pending,
            payment_key: None,
            method: None,
            provider_status: None,
            approved_at: None,
            failure: None,
            virtual_account: None,
            deposit_secret: None,
            refunded_amount: Krw::ZERO,
            attempts: 0,
            confirm_idempotency_key: None,
            confirm_started_at: None,
            provider_raw: None,
            created_at: now,
            updated_at: now,
            version: 0,
        })
    }

    /// Rebuilds a payment from storage.
    pub fn restore(data: PaymentData) -> Self {
        Payment(data)
    }

    fn refuse<T>(&self, action: PaymentAction) -> Result<T, PaymentTransitionError> {
        Err(PaymentTransitionError {
            from: self.0.status,
            action,
        })
    }

    /// `pending` → `confirming`: claims the payment for one confirm call with `key`.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] unless pending.
    pub fn begin_confirm(
        &mut self,
        payment_key: PaymentKey,
        key: IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Pending => {
                self.0.status = PaymentStatus::Confirming;
                self.0.payment_key = Some(payment_key);
                self.0.confirm_idempotency_key = Some(key);
                self.0.confirm_started_at = Some(now);
                self.0.attempts = self.0.attempts.saturating_add(1);
                self.0.updated_at = now;
                Ok(())
            }
            _ => self.refuse(PaymentAction::BeginConfirm),
        }
    }

    /// → `completed`: Toss approved it. Allowed from every unpaid state, `expired` and
    /// `cancelled` included, because money Toss took must always be recorded.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] when already paid.
    pub fn approve(
        &mut self,
        approval: Approval,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, PaymentTransitionError> {
        if self.0.status.is_paid() {
            return self.refuse(PaymentAction::Approve);
        }
        self.0.status = PaymentStatus::Completed;
        self.0.payment_key = Some(approval.payment_key);
        self.0.method = approval.method.or(self.0.method);
        self.0.approved_at = approval.approved_at.or(Some(now));
        self.0.confirm_idempotency_key = None;
        self.0.updated_at = now;
        Ok(vec![EventKind::PaymentCompleted])
    }

    /// `pending`/`confirming` → `awaiting_deposit`: Toss issued a virtual account.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] from any other state.
    pub fn await_deposit(
        &mut self,
        payment_key: PaymentKey,
        account: Option<VirtualAccount>,
        secret: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Pending | PaymentStatus::Confirming => {
                self.0.status = PaymentStatus::AwaitingDeposit;
                self.0.payment_key = Some(payment_key);
                self.0.method = Some(PaymentMethod::VirtualAccount);
                self.0.virtual_account = account;
                self.0.deposit_secret = secret;
                self.0.confirm_idempotency_key = None;
                self.0.updated_at = now;
                Ok(())
            }
            _ => self.refuse(PaymentAction::AwaitDeposit),
        }
    }

    /// `confirming` → `pending`: Toss definitely refused the confirm; the customer may retry.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] unless confirming.
    pub fn reject(
        &mut self,
        failure: PaymentFailure,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Confirming => {
                self.0.status = PaymentStatus::Pending;
                self.0.failure = Some(failure);
                self.0.confirm_idempotency_key = None;
                self.0.confirm_started_at = None;
                self.0.updated_at = now;
                Ok(vec![EventKind::PaymentFailed])
            }
            _ => self.refuse(PaymentAction::Reject),
        }
    }

    /// `pending` → `pending` with a failure: the storefront's fail redirect.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] unless pending.
    pub fn record_failure(
        &mut self,
        failure: PaymentFailure,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Pending => {
                self.0.failure = Some(failure);
                self.0.updated_at = now;
                Ok(vec![EventKind::PaymentFailed])
            }
            _ => self.refuse(PaymentAction::RecordFailure),
        }
    }

    /// `completed`/`partially_refunded` → `partially_refunded` or `refunded`: `amount` was
    /// returned by the refund `refund_id`.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] when not paid, already fully refunded, or when `amount` is
    /// zero or more than what is left.
    pub fn refund(
        &mut self,
        refund_id: RefundId,
        amount: Krw,
        now: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, PaymentTransitionError> {
        let refunded = self
            .0
            .refunded_amount
            .checked_add(amount)
            .ok()
            .filter(|total| !amount.is_zero() && *total <= self.0.amount);
        match (self.0.status, refunded) {
            (PaymentStatus::Completed | PaymentStatus::PartiallyRefunded, Some(refunded)) => {
                self.0.refunded_amount = refunded;
                self.0.status = if refunded == self.0.amount {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
                self.0.updated_at = now;
                Ok(vec![EventKind::PaymentRefunded(refund_id)])
            }
            _ => self.refuse(PaymentAction::Refund),
        }
    }

    /// `pending`/`awaiting_deposit` → `expired`. A `confirming` payment is never expired
    /// blindly: Toss may have approved it, so reconciliation settles it first.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] from any other state.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Result<(), PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Pending | PaymentStatus::AwaitingDeposit => {
                self.0.status = PaymentStatus::Expired;
                self.0.updated_at = now;
                Ok(())
            }
            _ => self.refuse(PaymentAction::Expire),
        }
    }

    /// `pending`/`awaiting_deposit` → `cancelled`, before any money moved. Like expiry, it
    /// refuses a `confirming` payment.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] from any other state.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), PaymentTransitionError> {
        match self.0.status {
            PaymentStatus::Pending | PaymentStatus::AwaitingDeposit => {
                self.0.status = PaymentStatus::Cancelled;
                self.0.updated_at = now;
                Ok(())
            }
            _ => self.refuse(PaymentAction::Cancel),
        }
    }

    /// Records what Toss last reported, whatever the state: its status name and raw JSON.
    pub fn note_provider_state(&mut self, status: &str, raw: serde_json::Value) {
        self.0.provider_status = Some(status.to_owned());
        self.0.provider_raw = Some(raw);
    }

    /// True when this payment already shows what an unverified report (a webhook body) claims:
    /// `key` is its payment, Toss's last known status is `claimed`, and ours agrees. Reading
    /// the payment back from Toss could then change nothing, so it is skipped. Only final,
    /// single-valued claims count (`DONE`, `CANCELED`); a `PARTIAL_CANCELED` may be a further
    /// partial cancel and is always read back.
    pub fn reflects_claim(&self, key: &PaymentKey, claimed: &str) -> bool {
        let agrees = match claimed {
            "DONE" => self.0.status == PaymentStatus::Completed,
            "CANCELED" => matches!(
                self.0.status,
                PaymentStatus::Refunded | PaymentStatus::Cancelled
            ),
            _ => false,
        };
        agrees
            && self.0.payment_key.as_ref() == Some(key)
            && self.0.provider_status.as_deref() == Some(claimed)
    }

    /// What is left to refund.
    pub fn refundable(&self) -> Krw {
        self.0
            .amount
            .checked_sub(self.0.refunded_amount)
            .unwrap_or(Krw::ZERO)
    }

    /// Compares a `DEPOSIT_CALLBACK`'s secret with the stored one in constant time.
    pub fn deposit_secret_matches(&self, candidate: &str) -> bool {
        let Some(stored) = self.0.deposit_secret.as_deref() else {
            return false;
        };
        let (a, b) = (stored.as_bytes(), candidate.as_bytes());
        let differences = a
            .iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y));
        a.len() == b.len() && differences == 0
    }
}

#[cfg(test)]
mod tests;
