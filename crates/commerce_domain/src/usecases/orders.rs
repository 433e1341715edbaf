//! Reading orders, and the merchant's cancel of an unpaid order.

use crate::email::Email;
use crate::error::ErrorCode;
use crate::events::stamp;
use crate::ids::{OrderId, OrderNumber};
use crate::order::CancelReason;
use crate::payment::PaymentStatus;
use crate::ports::StoreError;
use crate::record::{OrderChange, OrderRecord, StockMovement};

use super::{Ports, MAX_ATTEMPTS};

/// Why an order use case failed.
#[derive(Debug, thiserror::Error)]
pub enum OrderServiceError {
    /// No such order (or number and e-mail do not match).
    #[error("order not found")]
    OrderNotFound,
    /// Only an unpaid order whose payment is not being confirmed can be cancelled here;
    /// a paid one is refunded through TossPayments.
    #[error("the order cannot be cancelled in its state")]
    NotCancellable,
    /// A bad filter.
    #[error(transparent)]
    Invalid(#[from] crate::validation::ValidationErrors),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for OrderServiceError {
    fn code(&self) -> &'static str {
        match self {
            OrderServiceError::OrderNotFound => "order_not_found",
            OrderServiceError::NotCancellable => "order_not_cancellable",
            OrderServiceError::Invalid(_) => "invalid_request",
            OrderServiceError::Store(e) => e.code(),
        }
    }
}

/// The order use cases.
#[derive(Clone)]
pub struct OrderService {
    ports: Ports,
}

impl OrderService {
    /// Builds the service over the ports.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// An order by id.
    ///
    /// # Errors
    /// [`OrderServiceError::OrderNotFound`], [`OrderServiceError::Store`].
    pub async fn get(&self, id: &OrderId) -> Result<OrderRecord, OrderServiceError> {
        self.ports
            .orders
            .get_order(id)
            .await?
            .ok_or(OrderServiceError::OrderNotFound)
    }

    /// An order by its number and the customer's e-mail.
    ///
    /// # Errors
    /// [`OrderServiceError::OrderNotFound`], [`OrderServiceError::Store`].
    pub async fn lookup(
        &self,
        number: OrderNumber,
        email: &Email,
    ) -> Result<OrderRecord, OrderServiceError> {
        self.ports
            .orders
            .find_order_by_number(number, email)
            .await?
            .ok_or(OrderServiceError::OrderNotFound)
    }

    /// Admin: a page of orders, newest first, filtered by the API's `status` and
    /// `payment_status` values.
    ///
    /// # Errors
    /// [`OrderServiceError::Invalid`] for an unknown filter value.
    pub async fn list(
        &self,
        status: Option<&str>,
        payment_status: Option<&str>,
        page: crate::catalog::PageRequest,
    ) -> Result<crate::catalog::Page<OrderRecord>, OrderServiceError> {
        use crate::validation::ValidationErrors;
        let status = status
            .map(|raw| {
                crate::order::OrderStatus::parse(raw).ok_or_else(|| {
                    ValidationErrors::one(
                        "status",
                        "invalid",
                        "must be pending, confirmed or cancelled",
                    )
                })
            })
            .transpose()?;
        let payment_statuses = payment_status
            .map(|raw| {
                PaymentStatus::for_order_payment_status(raw).ok_or_else(|| {
                    ValidationErrors::one(
                        "payment_status",
                        "invalid",
                        "must be unpaid, awaiting_payment, paid, partially_refunded or refunded",
                    )
                })
            })
            .transpose()?;
        let query = crate::ports::OrderQuery {
            status,
            payment_statuses,
            page,
        };
        Ok(self.ports.orders.list_orders(&query).await?)
    }

    /// Admin: an order's event timeline.
    ///
    /// # Errors
    /// [`OrderServiceError::Store`].
    pub async fn events(
        &self,
        id: &OrderId,
    ) -> Result<Vec<crate::ports::OrderEvent>, OrderServiceError> {
        Ok(self.ports.orders.order_events(id).await?)
    }

    /// The merchant cancels an unpaid order: its stock is released and `order.cancelled`
    /// goes out. A payment in `confirming` or awaiting a deposit is refused, since money may
    /// still arrive for it.
    ///
    /// # Errors
    /// [`OrderServiceError`].
    pub async fn cancel_unpaid(
        &self,
        id: &OrderId,
        reason: Option<String>,
    ) -> Result<OrderRecord, OrderServiceError> {
        for _ in 0..MAX_ATTEMPTS {
            let record = self.get(id).await?;
            if record.payment.status != PaymentStatus::Pending {
                return Err(OrderServiceError::NotCancellable);
            }
            let now = self.ports.clock.now();
            let mut change = OrderChange {
                order: record.order.clone(),
                payment: record.payment.clone(),
                new_refunds: Vec::new(),
                stock: vec![StockMovement::Release],
                events: Vec::new(),
            };
            let kinds = change
                .order
                .cancel_unpaid(CancelReason::Merchant(reason.clone()), now)
                .map_err(|_| OrderServiceError::NotCancellable)?;
            change
                .payment
                .cancel(now)
                .map_err(|_| OrderServiceError::NotCancellable)?;
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

#[cfg(test)]
mod tests;
