//! Bringing an order in line with what TossPayments reports: after a confirm answer, for an
//! inbound webhook (always from a read-back, never from the webhook body), and in
//! reconciliation.

use crate::error::ErrorCode;
use crate::ids::{OrderId, PaymentKey, TossOrderId};
use crate::ports::{GatewayError, StoreError};
use crate::provider::ProviderPayment;
use crate::record::{OrderChange, OrderRecord};
use crate::settle::{apply_provider_payment, SettleError};

use super::confirm::PaymentService;
use super::MAX_ATTEMPTS;

/// What a sync did.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncOutcome {
    /// The report changed the order; `late_payment` flags money taken for an order that had
    /// been cancelled meanwhile (the merchant must refund it).
    Applied {
        /// The order as now stored.
        record: OrderRecord,
        /// Toss approved a payment whose order was already cancelled.
        late_payment: bool,
    },
    /// The order already reflected the report.
    Unchanged(OrderRecord),
    /// The report is about an order we do not have (answered 200 so Toss stops retrying).
    UnknownOrder,
}

/// Why a sync failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Toss knows no such payment.
    #[error("payment not found at the provider")]
    PaymentNotFound,
    /// A `DEPOSIT_CALLBACK` carried the wrong secret.
    #[error("the deposit callback's secret does not match")]
    InvalidSecret,
    /// The provider's report does not fit the order (wrong order or amount): not applied.
    #[error(transparent)]
    Mismatch(#[from] SettleError),
    /// The provider could not be asked.
    #[error(transparent)]
    Provider(GatewayError),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::PaymentNotFound => "payment_not_found",
            SyncError::InvalidSecret => "invalid_signature",
            SyncError::Mismatch(_) => "internal_error",
            SyncError::Provider(_) => "payment_provider_error",
            SyncError::Store(e) => e.code(),
        }
    }
}

impl PaymentService {
    /// Reads a payment back from Toss by its key and applies it (webhook
    /// `PAYMENT_STATUS_CHANGED`).
    ///
    /// # Errors
    /// [`SyncError`]; nothing changes on error.
    pub async fn sync_by_payment_key(&self, key: &PaymentKey) -> Result<SyncOutcome, SyncError> {
        let provider = self
            .ports
            .gateway
            .get_by_payment_key(key)
            .await
            .map_err(SyncError::Provider)?
            .ok_or(SyncError::PaymentNotFound)?;
        self.apply_report(&provider).await
    }

    /// Whether the payment of the order a `PAYMENT_STATUS_CHANGED` webhook names already shows
    /// the status the body claims for payment `key` ([`crate::payment::Payment::reflects_claim`]).
    /// The body is unsigned, so it is trusted for this one thing: when it holds, nothing could
    /// change and the payment need not be read back from Toss (the usual case: the confirm
    /// recorded the approval first); otherwise the webhook is
    /// [`PaymentService::sync_by_payment_key`]. Reads our payment row only (nothing when the
    /// body names no order or claims no status), never Toss.
    ///
    /// # Errors
    /// [`SyncError::Store`].
    pub async fn payment_shows_claim(
        &self,
        key: &PaymentKey,
        order_id: Option<&TossOrderId>,
        claimed: Option<&str>,
    ) -> Result<bool, SyncError> {
        let (Some(order_id), Some(claimed)) = (order_id.and_then(TossOrderId::order_id), claimed)
        else {
            return Ok(false);
        };
        let payment = self.ports.orders.get_payment_of_order(&order_id).await?;
        Ok(payment.is_some_and(|payment| payment.reflects_claim(key, claimed)))
    }

    /// Reads an order's payment back from Toss and applies it (webhook `DEPOSIT_CALLBACK`,
    /// reconciliation).
    ///
    /// # Errors
    /// [`SyncError`]; nothing changes on error.
    pub async fn sync_by_order_id(&self, order_id: &TossOrderId) -> Result<SyncOutcome, SyncError> {
        let Some(ours) = order_id.order_id() else {
            return Ok(SyncOutcome::UnknownOrder);
        };
        if self.ports.orders.get_order(&ours).await?.is_none() {
            return Ok(SyncOutcome::UnknownOrder);
        }
        let provider = self
            .ports
            .gateway
            .get_by_order_id(order_id)
            .await
            .map_err(SyncError::Provider)?
            .ok_or(SyncError::PaymentNotFound)?;
        self.apply_report(&provider).await
    }

    /// A `DEPOSIT_CALLBACK`: its `secret` must equal the one Toss gave at confirm; then the
    /// payment is read back from Toss and applied.
    ///
    /// # Errors
    /// [`SyncError::InvalidSecret`] for a wrong or missing secret; otherwise as
    /// [`PaymentService::sync_by_order_id`].
    pub async fn deposit_callback(
        &self,
        order_id: &TossOrderId,
        secret: &str,
    ) -> Result<SyncOutcome, SyncError> {
        let Some(ours) = order_id.order_id() else {
            return Ok(SyncOutcome::UnknownOrder);
        };
        let Some(record) = self.ports.orders.get_order(&ours).await? else {
            return Ok(SyncOutcome::UnknownOrder);
        };
        if !record.payment.deposit_secret_matches(secret) {
            return Err(SyncError::InvalidSecret);
        }
        self.sync_by_order_id(order_id).await
    }

    /// Applies a provider report to the order it names, retrying on concurrent changes.
    pub(crate) async fn apply_report(
        &self,
        provider: &ProviderPayment,
    ) -> Result<SyncOutcome, SyncError> {
        let Some(order_id) = provider.order_id.order_id() else {
            return Ok(SyncOutcome::UnknownOrder);
        };
        self.apply_to(&order_id, provider).await
    }

    /// Applies `provider` to the order, reading it fresh and retrying on concurrent changes.
    pub(crate) async fn apply_to(
        &self,
        order_id: &OrderId,
        provider: &ProviderPayment,
    ) -> Result<SyncOutcome, SyncError> {
        self.apply_from(order_id, provider, None).await
    }

    /// As [`PaymentService::apply_to`], but first tries `known`, the record as this process
    /// last committed it, which saves a read. The save is version-checked, so it only
    /// succeeds if `known` was still current; when it was not, or when `known` would leave
    /// the order unchanged or not fit the report, the record is read fresh as usual.
    pub(crate) async fn apply_from(
        &self,
        order_id: &OrderId,
        provider: &ProviderPayment,
        known: Option<OrderRecord>,
    ) -> Result<SyncOutcome, SyncError> {
        if let Some(record) = known {
            let now = self.ports.clock.now();
            if let Ok(Some(change)) =
                apply_provider_payment(&record, provider, self.ports.ids.as_ref(), now)
            {
                match self.ports.orders.save_change(&change).await {
                    Ok(()) => return Ok(applied(record, change)),
                    Err(StoreError::Conflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = self.ports.orders.get_order(order_id).await? else {
                return Ok(SyncOutcome::UnknownOrder);
            };
            let now = self.ports.clock.now();
            let change =
                match apply_provider_payment(&record, provider, self.ports.ids.as_ref(), now)? {
                    Some(change) => change,
                    None => return Ok(SyncOutcome::Unchanged(record)),
                };
            match self.ports.orders.save_change(&change).await {
                Ok(()) => return Ok(applied(record, change)),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}

/// The outcome of a saved change; flags an approval that arrived for a cancelled order.
fn applied(record: OrderRecord, change: OrderChange) -> SyncOutcome {
    let late_payment = !record.payment.status.is_paid()
        && change.payment.status.is_paid()
        && record.order.status == crate::order::OrderStatus::Cancelled;
    SyncOutcome::Applied {
        record: change.committed(record.refunds),
        late_payment,
    }
}

#[cfg(test)]
mod tests;
