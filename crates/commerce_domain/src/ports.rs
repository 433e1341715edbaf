//! The ports: what the domain needs from the outside world, as traits that adapters implement.
//!
//! Every trait is `Send + Sync` so one instance serves all requests behind an `Arc`. Store
//! methods are shaped after use cases and each one is atomic (one transaction in a database
//! adapter); no method spans a network call to the payment provider. With the `mocks` feature
//! each trait has a `mockall` mock (`MockCartStore`, ...) for other crates' tests.

mod api_key_store;
mod cart_store;
mod catalog_admin_store;
mod clock;
mod gateway;
mod id_generator;
mod idempotency_store;
mod order_store;
mod store_error;
mod webhook_store;

pub use api_key_store::ApiKeyStore;
pub use cart_store::CartStore;
pub use catalog_admin_store::{CatalogAdminStore, CatalogWriteError, ProductQuery, ProductSort};
pub use clock::Clock;
pub use gateway::{
    CancelCall, ConfirmCall, GatewayError, PaymentGateway, NOT_FOUND_PAYMENT_SESSION,
};
pub use id_generator::IdGenerator;
pub use idempotency_store::{IdempotencyBegin, IdempotencyStore, StoredResponse};
pub use order_store::{CheckoutPlan, CheckoutStoreError, OrderEvent, OrderQuery, OrderStore};
pub use store_error::{BoxError, StoreError};
pub use webhook_store::{
    Delivery, DeliveryAttempt, DueDelivery, Fanout, InboundReceipt, PendingEvent, ReceiptClaim,
    WebhookStore,
};

#[cfg(any(test, feature = "mocks"))]
pub use {
    api_key_store::MockApiKeyStore, cart_store::MockCartStore,
    catalog_admin_store::MockCatalogAdminStore, clock::MockClock, gateway::MockPaymentGateway,
    id_generator::MockIdGenerator, idempotency_store::MockIdempotencyStore,
    order_store::MockOrderStore, webhook_store::MockWebhookStore,
};
