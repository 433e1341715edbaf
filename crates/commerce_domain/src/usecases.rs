//! The use cases: what the API and the background jobs ask of the domain. Each drives the
//! aggregates through the ports; none holds a store transaction across a provider call.

mod carts;
mod checkout;
mod confirm;
mod jobs;
mod orders;
mod sync;

use std::sync::Arc;

use crate::ports::{CartStore, CatalogStore, Clock, IdGenerator, OrderStore, PaymentGateway};

pub use carts::{CartService, CartServiceError};
pub use checkout::{CheckoutError, CheckoutRequest, CheckoutResult, CheckoutService, TossCheckout};
pub use confirm::{ConfirmError, ConfirmOutcome, ConfirmRequest, ConfirmStatus, PaymentService};
pub use jobs::{JobReport, JobService};
pub use orders::{OrderService, OrderServiceError};
pub use sync::{SyncError, SyncOutcome};

/// How often a use case re-reads and retries after a version conflict before giving up.
const MAX_ATTEMPTS: usize = 5;

/// The adapters every use case may need, shared behind `Arc`s.
#[derive(Clone)]
pub struct Ports {
    /// Cart storage.
    pub carts: Arc<dyn CartStore>,
    /// Catalog reads.
    pub catalog: Arc<dyn CatalogStore>,
    /// Order, payment, refund and outbox storage.
    pub orders: Arc<dyn OrderStore>,
    /// The payment provider.
    pub gateway: Arc<dyn PaymentGateway>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Randomness for ids.
    pub ids: Arc<dyn IdGenerator>,
}

#[cfg(test)]
mod test_support;
