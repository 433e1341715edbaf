//! Applying what TossPayments says about a payment to our order: the one rule set behind the
//! confirm answer, inbound webhooks (after the read-back) and reconciliation. Idempotent, and
//! never moves a state backwards: applying the same report twice changes nothing the second
//! time, and an older report cannot undo a newer state.

use chrono::{DateTime, Utc};

use crate::events::{stamp, EventKind};
use crate::ids::{RefundId, TossOrderId};
use crate::money::Krw;
use crate::order::{OrderStatus, OrderTransitionError};
use crate::payment::{Approval, PaymentFailure, PaymentStatus, PaymentTransitionError};
use crate::ports::IdGenerator;
use crate::provider::{ProviderPayment, ProviderStatus};
use crate::record::{OrderChange, OrderRecord, StockMovement};
use crate::refund::Refund;

/// Why a provider report was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettleError {
    /// The report is about another order.
    #[error("the provider payment belongs to order {reported}, not {expected}")]
    OrderMismatch {
        /// Our order's Toss id.
        expected: TossOrderId,
        /// The one reported.
        reported: TossOrderId,
    },
    /// The provider's amount differs from the order's total: never applied, to be looked at.
    #[error("the provider reports {reported}, the order totals {expected}")]
    AmountMismatch {
        /// Our order's total.
        expected: Krw,
        /// The provider's `totalAmount`.
        reported: Krw,
    },
    /// The provider reports refunds beyond what was paid.
    #[error("the provider's cancels exceed the amount paid")]
    RefundsExceedPayment,
    /// A state transition was refused (a bug: the rules below guard every transition).
    #[error(transparent)]
    Order(#[from] OrderTransitionError),
    /// A state transition was refused (a bug: the rules below guard every transition).
    #[error(transparent)]
    Payment(#[from] PaymentTransitionError),
}

/// The change that brings `record` in line with `provider`, or `None` when it already is.
///
/// # Errors
/// [`SettleError`] when the report does not belong to this order or its amount differs.
pub fn apply_provider_payment(
    record: &OrderRecord,
    provider: &ProviderPayment,
    ids: &dyn IdGenerator,
    now: DateTime<Utc>,
) -> Result<Option<OrderChange>, SettleError> {
    let expected = TossOrderId::for_order(&record.order.id);
    if provider.order_id != expected {
        return Err(SettleError::OrderMismatch {
            expected,
            reported: provider.order_id.clone(),
        });
    }
    if provider.total_amount != record.order.total {
        return Err(SettleError::AmountMismatch {
            expected: record.order.total,
            reported: provider.total_amount,
        });
    }
    let mut work = Work::new(record);
    match &provider.status {
        ProviderStatus::Done => work.ensure_paid(provider, now)?,
        ProviderStatus::WaitingForDeposit => work.await_deposit(provider, now)?,
        ProviderStatus::Canceled | ProviderStatus::PartialCanceled => {
            work.apply_cancels(record, provider, ids, now)?
        }
        ProviderStatus::Aborted | ProviderStatus::Expired => work.record_abort(provider, now)?,
        ProviderStatus::Ready | ProviderStatus::InProgress | ProviderStatus::Unknown(_) => {}
    }
    Ok(work.finish(record, provider, ids, now))
}

/// The change being built.
struct Work {
    change: OrderChange,
    kinds: Vec<EventKind>,
}

impl Work {
    fn new(record: &OrderRecord) -> Self {
        Work {
            change: OrderChange {
                order: record.order.clone(),
                payment: record.payment.clone(),
                new_refunds: Vec::new(),
                stock: Vec::new(),
                events: Vec::new(),
            },
            kinds: Vec::new(),
        }
    }

    fn same_key(&self, provider: &ProviderPayment) -> bool {
        self.change
            .payment
            .payment_key
            .as_ref()
            .is_none_or(|key| *key == provider.payment_key)
    }

    /// Records the approval unless already recorded. A late approval of an order that was
    /// cancelled meanwhile is still recorded on the payment (the money was taken) but does not
    /// revive the order: the merchant refunds it.
    fn ensure_paid(
        &mut self,
        provider: &ProviderPayment,
        now: DateTime<Utc>,
    ) -> Result<(), SettleError> {
        if self.change.payment.status.is_paid() {
            return Ok(());
        }
        let approval = Approval {
            payment_key: provider.payment_key.clone(),
            method: provider.method,
            approved_at: provider.approved_at,
        };
        self.kinds
            .extend(self.change.payment.approve(approval, now)?);
        if self.change.order.status == OrderStatus::Pending {
            self.kinds.extend(self.change.order.confirm(now)?);
            self.change.stock.push(StockMovement::Commit);
        }
        Ok(())
    }

    fn await_deposit(
        &mut self,
        provider: &ProviderPayment,
        now: DateTime<Utc>,
    ) -> Result<(), SettleError> {
        let status = self.change.payment.status;
        if !matches!(status, PaymentStatus::Pending | PaymentStatus::Confirming) {
            return Ok(());
        }
        self.change.payment.await_deposit(
            provider.payment_key.clone(),
            provider.virtual_account.clone(),
            provider.secret.clone(),
            now,
        )?;
        let due = provider
            .virtual_account
            .as_ref()
            .and_then(|account| account.due_date);
        if let (Some(due), OrderStatus::Pending) = (due, self.change.order.status) {
            self.change.order.extend_expiry(due, now)?;
        }
        Ok(())
    }

    fn apply_cancels(
        &mut self,
        record: &OrderRecord,
        provider: &ProviderPayment,
        ids: &dyn IdGenerator,
        now: DateTime<Utc>,
    ) -> Result<(), SettleError> {
        // Toss never approved it (a virtual account cancelled before the deposit): no money
        // moved, whatever its cancel entries say.
        let never_paid = provider.approved_at.is_none() && !self.change.payment.status.is_paid();
        if never_paid {
            return self.cancel_unpaid(now);
        }
        self.ensure_paid(provider, now)?;
        let fresh = provider.cancels.iter().filter(|cancel| {
            !cancel.amount.is_zero()
                && !record
                    .refunds
                    .iter()
                    .any(|refund| refund.provider_transaction_key == cancel.transaction_key)
        });
        for cancel in fresh {
            if cancel.amount > self.change.payment.refundable() {
                return Err(SettleError::RefundsExceedPayment);
            }
            let refund_id = RefundId::generate(ids);
            self.kinds.extend(
                self.change
                    .payment
                    .refund(refund_id.clone(), cancel.amount, now)?,
            );
            let full = self.change.payment.status == PaymentStatus::Refunded;
            if self.change.order.status == OrderStatus::Confirmed {
                self.change.order.record_refund(cancel.amount, now)?;
            }
            let restock = full && self.change.order.status == OrderStatus::Confirmed;
            if restock {
                self.kinds.extend(self.change.order.cancel_refunded(now)?);
                self.change.stock.push(StockMovement::Restock);
            }
            self.change.new_refunds.push(Refund {
                id: refund_id,
                order_id: record.order.id.clone(),
                payment_id: record.payment.id.clone(),
                amount: cancel.amount,
                reason: cancel.reason.clone(),
                restock,
                provider_transaction_key: cancel.transaction_key.clone(),
                created_at: now,
            });
        }
        Ok(())
    }

    /// A virtual account cancelled before any deposit: no money moved.
    fn cancel_unpaid(&mut self, now: DateTime<Utc>) -> Result<(), SettleError> {
        if matches!(
            self.change.payment.status,
            PaymentStatus::Pending | PaymentStatus::AwaitingDeposit
        ) {
            self.change.payment.cancel(now)?;
        }
        if self.change.order.status == OrderStatus::Pending
            && self.change.payment.status == PaymentStatus::Cancelled
        {
            self.kinds.extend(self.change.order.cancel_refunded(now)?);
            self.change.stock.push(StockMovement::Release);
        }
        Ok(())
    }

    /// An attempt that Toss aborted or let expire. A confirm left running on that very payment
    /// is settled as rejected; the order stays pending so the customer can pay again until its
    /// own deadline (SPEC §5: a rejection allows a retry). Never touches a paid payment.
    fn record_abort(
        &mut self,
        provider: &ProviderPayment,
        now: DateTime<Utc>,
    ) -> Result<(), SettleError> {
        if !self.same_key(provider) {
            return Ok(());
        }
        let failure = provider.failure.clone().unwrap_or_else(|| PaymentFailure {
            code: provider.status.as_str().to_owned(),
            message: "the payment was not completed".to_owned(),
        });
        match self.change.payment.status {
            PaymentStatus::Confirming => {
                self.kinds.extend(self.change.payment.reject(failure, now)?);
            }
            PaymentStatus::Pending if self.change.payment.failure.as_ref() != Some(&failure) => {
                self.kinds
                    .extend(self.change.payment.record_failure(failure, now)?);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(
        mut self,
        record: &OrderRecord,
        provider: &ProviderPayment,
        ids: &dyn IdGenerator,
        now: DateTime<Utc>,
    ) -> Option<OrderChange> {
        let changed = self.change.order != record.order
            || self.change.payment != record.payment
            || !self.change.new_refunds.is_empty();
        if !changed {
            return None;
        }
        self.change
            .payment
            .note_provider_state(provider.status.as_str(), provider.raw.clone());
        self.change.events = stamp(
            self.kinds,
            &self.change.order.id,
            &self.change.payment.id,
            ids,
            now,
        );
        Some(self.change)
    }
}

#[cfg(test)]
mod tests;
