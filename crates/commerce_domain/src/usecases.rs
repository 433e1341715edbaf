//! The use cases: what the API and the background jobs ask of the domain. Each drives the
//! aggregates through the ports; none holds a store transaction across a provider call.

mod apikeys;
mod carts;
mod catalog;
mod checkout;
mod confirm;
mod jobs;
mod orders;
mod sync;
mod webhooks;

use std::sync::Arc;

use crate::ports::{
    ApiKeyStore, CartStore, CatalogAdminStore, Clock, IdGenerator, IdempotencyStore, OrderStore,
    PaymentGateway, WebhookStore,
};

pub use apikeys::{
    ApiKeyService, ApiKeyServiceError, AuthError, KeyCache, NewKeyRequest, Principal,
};
pub use carts::{CartService, CartServiceError};
pub use catalog::{CatalogError, CatalogService, IdOrSlug};
pub use checkout::{
    CheckoutError, CheckoutRequest, CheckoutResult, CheckoutService, TossCheckout,
    ANONYMOUS_CUSTOMER_KEY, TOSSPAYMENTS,
};
pub use confirm::{ConfirmError, ConfirmOutcome, ConfirmRequest, ConfirmStatus, PaymentService};
pub use jobs::{JobReport, JobService};
pub use orders::{OrderService, OrderServiceError};
pub use sync::{SyncError, SyncOutcome};
pub use webhooks::{WebhookService, WebhookServiceError};

/// How often a use case re-reads and retries after a version conflict before giving up.
const MAX_ATTEMPTS: usize = 5;

/// The adapters every use case may need, shared behind `Arc`s.
#[derive(Clone)]
pub struct Ports {
    /// Cart storage.
    pub carts: Arc<dyn CartStore>,
    /// The catalog as the admin API manages it.
    pub catalog_admin: Arc<dyn CatalogAdminStore>,
    /// API keys.
    pub api_keys: Arc<dyn ApiKeyStore>,
    /// Stored responses per `Idempotency-Key`.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Merchant webhooks and inbound receipts.
    pub webhooks: Arc<dyn WebhookStore>,
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
