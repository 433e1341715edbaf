//! Confirming a payment with TossPayments exactly once (SPEC §4 checks, §7 steps), and
//! recording the storefront's fail redirect.

use crate::error::ErrorCode;
use crate::events::stamp;
use crate::ids::{IdempotencyKey, OrderId, PaymentKey, TossOrderId};
use crate::money::Krw;
use crate::order::OrderStatus;
use crate::payment::{PaymentFailure, PaymentStatus};
use crate::ports::{ConfirmCall, GatewayError, StoreError, NOT_FOUND_PAYMENT_SESSION};
use crate::record::{OrderChange, OrderRecord};
use crate::settle::SettleError;

use super::sync::{SyncError, SyncOutcome};
use super::{Ports, MAX_ATTEMPTS};

/// A confirm, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRequest {
    /// From the widget's success redirect.
    pub payment_key: PaymentKey,
    /// `"HC-" + order.id`.
    pub order_id: TossOrderId,
    /// From the success redirect; must equal the order's total.
    pub amount: Krw,
}

/// How a confirm ended, as the response's `status` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmStatus {
    /// Paid.
    Confirmed,
    /// A virtual account was issued; the order is paid when the deposit arrives.
    WaitingForDeposit,
}

impl ConfirmStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmStatus::Confirmed => "confirmed",
            ConfirmStatus::WaitingForDeposit => "waiting_for_deposit",
        }
    }
}

/// A successful confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmOutcome {
    /// Paid, or waiting for a deposit.
    pub status: ConfirmStatus,
    /// The order as now stored.
    pub record: OrderRecord,
}

/// Why a confirm failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// No such order.
    #[error("order not found")]
    OrderNotFound,
    /// The amount differs from the order's total; Toss was not called.
    #[error("amount {received} does not match the order total {expected}")]
    AmountMismatch {
        /// The order's total.
        expected: Krw,
        /// The amount sent.
        received: Krw,
    },
    /// Already paid, or a virtual account already issued.
    #[error("the payment is already confirmed")]
    AlreadyConfirmed,
    /// Another confirm of this payment is running.
    #[error("a confirm of this payment is in progress")]
    InProgress,
    /// Past the deadline, the order no longer pending, or Toss's confirm window closed.
    #[error("the payment has expired")]
    Expired,
    /// Toss refused the payment; the customer may try again.
    #[error("the payment was declined: {}", .0.code)]
    Declined(PaymentFailure),
    /// Toss could not be reached or gave no definite answer; the payment stays `confirming`
    /// until reconciliation settles it.
    #[error("the payment provider did not answer")]
    ProviderUnavailable(#[source] GatewayError),
    /// Toss's answer does not fit the order (another amount or order): not applied, left for
    /// reconciliation and a human.
    #[error(transparent)]
    ProviderMismatch(SettleError),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for ConfirmError {
    fn code(&self) -> &'static str {
        match self {
            ConfirmError::OrderNotFound => "order_not_found",
            ConfirmError::AmountMismatch { .. } => "payment_amount_mismatch",
            ConfirmError::AlreadyConfirmed => "payment_already_confirmed",
            ConfirmError::InProgress => "payment_in_progress",
            ConfirmError::Expired => "payment_expired",
            ConfirmError::Declined(_) => "payment_confirm_failed",
            ConfirmError::ProviderUnavailable(_) | ConfirmError::ProviderMismatch(_) => {
                "payment_provider_error"
            }
            ConfirmError::Store(e) => e.code(),
        }
    }
}

/// The payment use cases: confirm, fail redirect, and syncing from provider reports.
#[derive(Clone)]
pub struct PaymentService {
    pub(crate) ports: Ports,
}

impl PaymentService {
    /// Builds the service over the ports.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Confirms a payment: claims it as `confirming` (one short write), calls Toss with no
    /// transaction open, then records the answer (another short write).
    ///
    /// # Errors
    /// [`ConfirmError`], in SPEC §4's order: not found, amount mismatch, already confirmed, in
    /// progress, expired; then Toss's answer.
    pub async fn confirm(&self, request: &ConfirmRequest) -> Result<ConfirmOutcome, ConfirmError> {
        let order_id = request
            .order_id
            .order_id()
            .ok_or(ConfirmError::OrderNotFound)?;
        let (call, claimed) = self.claim(&order_id, request).await?;
        let answer = self.ports.gateway.confirm(&call).await;
        self.record_answer(&order_id, &call, answer, Some(claimed))
            .await
    }

    /// Step 1: check and move the payment to `confirming` with a fresh idempotency key.
    /// Returns the call to make and the record as committed.
    async fn claim(
        &self,
        order_id: &OrderId,
        request: &ConfirmRequest,
    ) -> Result<(ConfirmCall, OrderRecord), ConfirmError> {
        for _ in 0..MAX_ATTEMPTS {
            let record = self
                .ports
                .orders
                .get_order(order_id)
                .await?
                .ok_or(ConfirmError::OrderNotFound)?;
            let now = self.ports.clock.now();
            check_confirmable(&record, request, now)?;
            let key = new_idempotency_key(&self.ports, &record);
            let mut change = unchanged(&record);
            change
                .payment
                .begin_confirm(request.payment_key.clone(), key.clone(), now)
                .map_err(|_| ConfirmError::InProgress)?;
            match self.ports.orders.save_change(&change).await {
                Ok(()) => {
                    let call = ConfirmCall {
                        payment_key: request.payment_key.clone(),
                        order_id: request.order_id.clone(),
                        amount: request.amount,
                        idempotency_key: key,
                    };
                    return Ok((call, change.committed(record.refunds)));
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Step 3: record what Toss answered to `call`, starting from `claimed` (the record as
    /// step 1 committed it) when there is one. Also used by reconciliation when it repeats a
    /// confirm that got no answer.
    pub(crate) async fn record_answer(
        &self,
        order_id: &OrderId,
        call: &ConfirmCall,
        answer: Result<crate::provider::ProviderPayment, GatewayError>,
        claimed: Option<OrderRecord>,
    ) -> Result<ConfirmOutcome, ConfirmError> {
        let provider = match answer {
            Ok(provider) => provider,
            Err(GatewayError::AlreadyProcessed(_)) => self
                .ports
                .gateway
                .get_by_payment_key(&call.payment_key)
                .await
                .map_err(ConfirmError::ProviderUnavailable)?
                .ok_or_else(|| {
                    ConfirmError::ProviderUnavailable(GatewayError::Unknown {
                        reason: "already processed, but the payment cannot be read".to_owned(),
                    })
                })?,
            Err(GatewayError::Rejected(failure)) => {
                return Err(self.record_rejection(order_id, call, failure).await)
            }
            Err(unknown @ GatewayError::Unknown { .. }) => {
                return Err(ConfirmError::ProviderUnavailable(unknown))
            }
        };
        let record = match self.apply_from(order_id, &provider, claimed).await {
            Ok(SyncOutcome::Applied { record, .. } | SyncOutcome::Unchanged(record)) => record,
            Ok(SyncOutcome::UnknownOrder) => return Err(ConfirmError::OrderNotFound),
            Err(SyncError::Mismatch(e)) => return Err(ConfirmError::ProviderMismatch(e)),
            Err(SyncError::Store(e)) => return Err(e.into()),
            Err(SyncError::Provider(e)) => return Err(ConfirmError::ProviderUnavailable(e)),
            Err(SyncError::PaymentNotFound | SyncError::InvalidSecret) => {
                return Err(ConfirmError::OrderNotFound)
            }
        };
        outcome_of(record, &call.payment_key)
    }

    /// Toss definitely refused: back to `pending` with the failure (unless something else
    /// settled the payment meanwhile), and the error for the client.
    async fn record_rejection(
        &self,
        order_id: &OrderId,
        call: &ConfirmCall,
        failure: PaymentFailure,
    ) -> ConfirmError {
        let error = if failure.code == NOT_FOUND_PAYMENT_SESSION {
            ConfirmError::Expired
        } else {
            ConfirmError::Declined(failure.clone())
        };
        for _ in 0..MAX_ATTEMPTS {
            let record = match self.ports.orders.get_order(order_id).await {
                Ok(Some(record)) => record,
                Ok(None) => return ConfirmError::OrderNotFound,
                Err(e) => return e.into(),
            };
            let ours = record.payment.status == PaymentStatus::Confirming
                && record.payment.confirm_idempotency_key.as_ref() == Some(&call.idempotency_key);
            if !ours {
                return error;
            }
            let now = self.ports.clock.now();
            let mut change = unchanged(&record);
            let kinds = match change.payment.reject(failure.clone(), now) {
                Ok(kinds) => kinds,
                Err(_) => return error,
            };
            change.events = stamp(
                kinds,
                &record.order.id,
                &record.payment.id,
                self.ports.ids.as_ref(),
                now,
            );
            match self.ports.orders.save_change(&change).await {
                Ok(()) => return error,
                Err(StoreError::Conflict) => continue,
                Err(e) => return e.into(),
            }
        }
        StoreError::Conflict.into()
    }

    /// The storefront's fail redirect: records the failed attempt on a pending payment and
    /// emits `payment.failed`. The order stays pending so the customer can try again. A
    /// redirect for a payment that moved on (paid, confirming) changes nothing.
    ///
    /// # Errors
    /// [`ConfirmError::OrderNotFound`], [`ConfirmError::Store`].
    pub async fn record_failure(
        &self,
        order_id: &OrderId,
        failure: PaymentFailure,
    ) -> Result<OrderRecord, ConfirmError> {
        for _ in 0..MAX_ATTEMPTS {
            let record = self
                .ports
                .orders
                .get_order(order_id)
                .await?
                .ok_or(ConfirmError::OrderNotFound)?;
            let now = self.ports.clock.now();
            let mut change = unchanged(&record);
            let Ok(kinds) = change.payment.record_failure(failure.clone(), now) else {
                return Ok(record);
            };
            if record.order.status != OrderStatus::Pending {
                return Ok(record);
            }
            change.events = stamp(
                kinds,
                &record.order.id,
                &record.payment.id,
                self.ports.ids.as_ref(),
                now,
            );
            match self.ports.orders.save_change(&change).await {
                Ok(()) => return Ok(change.committed(record.refunds)),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}

/// SPEC §4's checks, in its order (the order's existence was checked by the caller).
fn check_confirmable(
    record: &OrderRecord,
    request: &ConfirmRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ConfirmError> {
    if request.amount != record.order.total {
        return Err(ConfirmError::AmountMismatch {
            expected: record.order.total,
            received: request.amount,
        });
    }
    match record.payment.status {
        PaymentStatus::AwaitingDeposit
        | PaymentStatus::Completed
        | PaymentStatus::PartiallyRefunded
        | PaymentStatus::Refunded => return Err(ConfirmError::AlreadyConfirmed),
        PaymentStatus::Confirming => return Err(ConfirmError::InProgress),
        PaymentStatus::Expired | PaymentStatus::Cancelled => return Err(ConfirmError::Expired),
        PaymentStatus::Pending => {}
    }
    if record.order.status != OrderStatus::Pending || record.order.is_overdue(now) {
        return Err(ConfirmError::Expired);
    }
    Ok(())
}

/// A change that starts as the record itself.
fn unchanged(record: &OrderRecord) -> OrderChange {
    OrderChange {
        order: record.order.clone(),
        payment: record.payment.clone(),
        new_refunds: Vec::new(),
        stock: Vec::new(),
        events: Vec::new(),
    }
}

/// A new idempotency key for a confirm attempt: the payment id, the attempt number and
/// random bits, so no two attempts ever share one.
fn new_idempotency_key(ports: &Ports, record: &OrderRecord) -> IdempotencyKey {
    let raw = format!(
        "confirm-{}-{}-{:032x}",
        record.payment.id,
        record.payment.attempts.saturating_add(1),
        ports.ids.random_u128()
    );
    IdempotencyKey::parse(&raw).unwrap_or_else(|_| unreachable!("ids are visible ASCII"))
}

/// The confirm's answer from the recorded state.
fn outcome_of(record: OrderRecord, key: &PaymentKey) -> Result<ConfirmOutcome, ConfirmError> {
    let status = match record.payment.status {
        PaymentStatus::AwaitingDeposit => ConfirmStatus::WaitingForDeposit,
        status if status.is_paid() => {
            if record.payment.payment_key.as_ref() != Some(key) {
                return Err(ConfirmError::AlreadyConfirmed);
            }
            ConfirmStatus::Confirmed
        }
        PaymentStatus::Pending => {
            let failure = record.payment.failure.clone().unwrap_or(PaymentFailure {
                code: "UNKNOWN".to_owned(),
                message: "the payment was not completed".to_owned(),
            });
            return Err(ConfirmError::Declined(failure));
        }
        _ => {
            return Err(ConfirmError::ProviderUnavailable(GatewayError::Unknown {
                reason: format!("the provider left the payment {}", record.payment.status),
            }))
        }
    };
    Ok(ConfirmOutcome { status, record })
}

#[cfg(test)]
mod tests;
