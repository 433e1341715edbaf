//! The background jobs: expiry of overdue orders (SPEC §5) and reconciliation of payments
//! left `confirming` (SPEC §7.4). Safe to run in many processes at once: claims skip rows
//! others hold, and every write is version-checked, so no order is expired twice and no
//! stock is released twice.

use chrono::Duration;

use crate::events::stamp;
use crate::ids::{OrderId, TossOrderId};
use crate::order::{CancelReason, OrderStatus};
use crate::payment::{PaymentFailure, PaymentStatus};
use crate::ports::{ConfirmCall, GatewayError, StoreError};
use crate::provider::ProviderStatus;
use crate::record::{OrderChange, OrderRecord, StockMovement};

use super::confirm::PaymentService;
use super::sync::SyncError;
use super::{Ports, MAX_ATTEMPTS};

/// What one run of a job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Items claimed.
    pub claimed: usize,
    /// Items changed.
    pub changed: usize,
    /// Items left for a later run (provider unreachable, storage trouble); with reasons.
    pub failed: Vec<(OrderId, String)>,
}

/// The background jobs.
#[derive(Clone)]
pub struct JobService {
    ports: Ports,
    payments: PaymentService,
    lease: Duration,
}

/// What happened to one claimed order.
enum Step {
    Changed,
    Skipped,
}

impl JobService {
    /// Builds the jobs; a claimed item is hidden from other workers for `lease`.
    pub fn new(ports: Ports, lease: Duration) -> Self {
        Self {
            payments: PaymentService::new(ports.clone()),
            ports,
            lease,
        }
    }

    /// Cancels up to `limit` overdue unpaid orders and releases their stock. A virtual
    /// account is read back from Toss first (the deposit may have arrived unseen); a payment
    /// in `confirming` is left to reconciliation.
    ///
    /// # Errors
    /// [`StoreError`] when the claim itself fails; per-order trouble goes in the report.
    pub async fn expire_overdue(&self, limit: u32) -> Result<JobReport, StoreError> {
        let now = self.ports.clock.now();
        let claimed = self
            .ports
            .orders
            .claim_overdue_orders(now, limit, self.lease)
            .await?;
        let mut report = JobReport {
            claimed: claimed.len(),
            ..JobReport::default()
        };
        for order_id in claimed {
            match self.expire_one(&order_id).await {
                Ok(Step::Changed) => report.changed += 1,
                Ok(Step::Skipped) => {}
                Err(reason) => report.failed.push((order_id, reason)),
            }
        }
        Ok(report)
    }

    async fn expire_one(&self, order_id: &OrderId) -> Result<Step, String> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = self.load(order_id).await? else {
                return Ok(Step::Skipped);
            };
            let now = self.ports.clock.now();
            if record.order.status != OrderStatus::Pending || !record.order.is_overdue(now) {
                return Ok(Step::Skipped);
            }
            let reason = match record.payment.status {
                PaymentStatus::Pending => CancelReason::PaymentExpired,
                PaymentStatus::AwaitingDeposit => {
                    if self.deposit_arrived(&record).await? {
                        return Ok(Step::Changed);
                    }
                    CancelReason::DepositExpired
                }
                _ => return Ok(Step::Skipped),
            };
            let change = expiry(&record, reason, &self.ports, now)?;
            match self.ports.orders.save_change(&change).await {
                Ok(()) => return Ok(Step::Changed),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Err(StoreError::Conflict.to_string())
    }

    /// Reads a virtual account's payment back; applies it when the money arrived.
    async fn deposit_arrived(&self, record: &OrderRecord) -> Result<bool, String> {
        let toss_id = TossOrderId::for_order(&record.order.id);
        let provider = self
            .ports
            .gateway
            .get_by_order_id(&toss_id)
            .await
            .map_err(|e| e.to_string())?;
        match provider {
            Some(provider) if provider.status != ProviderStatus::WaitingForDeposit => {
                self.payments
                    .apply_to(&record.order.id, &provider)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Settles up to `limit` payments that have been `confirming` for longer than
    /// `stale_after`: reads the order's payment from Toss and records its real state. A
    /// payment Toss still holds as authorised is confirmed again with the same idempotency
    /// key, so Toss either replays its first answer or approves it now, never twice.
    ///
    /// # Errors
    /// [`StoreError`] when the claim itself fails; per-order trouble goes in the report.
    pub async fn reconcile_confirming(
        &self,
        stale_after: Duration,
        limit: u32,
    ) -> Result<JobReport, StoreError> {
        let now = self.ports.clock.now();
        let claimed = self
            .ports
            .orders
            .claim_stale_confirming(now - stale_after, now, limit, self.lease)
            .await?;
        let mut report = JobReport {
            claimed: claimed.len(),
            ..JobReport::default()
        };
        for order_id in claimed {
            match self.reconcile_one(&order_id).await {
                Ok(Step::Changed) => report.changed += 1,
                Ok(Step::Skipped) => {}
                Err(reason) => report.failed.push((order_id, reason)),
            }
        }
        Ok(report)
    }

    async fn reconcile_one(&self, order_id: &OrderId) -> Result<Step, String> {
        let Some(record) = self.load(order_id).await? else {
            return Ok(Step::Skipped);
        };
        let (Some(payment_key), Some(idempotency_key), PaymentStatus::Confirming) = (
            record.payment.payment_key.clone(),
            record.payment.confirm_idempotency_key.clone(),
            record.payment.status,
        ) else {
            return Ok(Step::Skipped);
        };
        let call = ConfirmCall {
            payment_key,
            order_id: TossOrderId::for_order(&record.order.id),
            amount: record.order.total,
            idempotency_key,
        };
        let provider = self
            .ports
            .gateway
            .get_by_order_id(&call.order_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(provider) = provider else {
            let failure = PaymentFailure {
                code: "NOT_FOUND_PAYMENT".to_owned(),
                message: "TossPayments has no payment for this order".to_owned(),
            };
            return self
                .settle_answer(order_id, &call, Err(GatewayError::Rejected(failure)))
                .await;
        };
        match provider.status {
            ProviderStatus::Ready | ProviderStatus::InProgress => {
                let answer = self.ports.gateway.confirm(&call).await;
                self.settle_answer(order_id, &call, answer).await
            }
            ProviderStatus::Unknown(status) => Err(format!("unknown provider status {status}")),
            _ => match self.payments.apply_to(order_id, &provider).await {
                Ok(_) => Ok(Step::Changed),
                Err(SyncError::Provider(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            },
        }
    }

    async fn settle_answer(
        &self,
        order_id: &OrderId,
        call: &ConfirmCall,
        answer: Result<crate::provider::ProviderPayment, GatewayError>,
    ) -> Result<Step, String> {
        use super::confirm::ConfirmError;
        match self
            .payments
            .record_answer(order_id, call, answer, None)
            .await
        {
            Ok(_) | Err(ConfirmError::Declined(_) | ConfirmError::Expired) => Ok(Step::Changed),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn load(&self, order_id: &OrderId) -> Result<Option<OrderRecord>, String> {
        self.ports
            .orders
            .get_order(order_id)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The expiry of an unpaid order: cancelled, payment expired, stock released.
fn expiry(
    record: &OrderRecord,
    reason: CancelReason,
    ports: &Ports,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<OrderChange, String> {
    let mut change = OrderChange {
        order: record.order.clone(),
        payment: record.payment.clone(),
        new_refunds: Vec::new(),
        stock: vec![StockMovement::Release],
        events: Vec::new(),
    };
    let kinds = change
        .order
        .cancel_unpaid(reason, now)
        .map_err(|e| e.to_string())?;
    change.payment.expire(now).map_err(|e| e.to_string())?;
    change.events = stamp(
        kinds,
        &record.order.id,
        &record.payment.id,
        ports.ids.as_ref(),
        now,
    );
    Ok(change)
}

#[cfg(test)]
mod tests;
