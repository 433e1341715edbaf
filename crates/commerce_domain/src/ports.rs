//! The ports: what the domain needs from the outside world, as traits that adapters implement.
//!
//! Every trait is `Send + Sync` so one instance serves all requests behind an `Arc`. Store
//! methods are shaped after use cases and each one is atomic (one transaction in a database
//! adapter); no method spans a network call to the payment provider. With the `mocks` feature
//! each trait has a `mockall` mock (`MockCartStore`, ...) for other crates' tests.

mod cart_store;
mod catalog_store;
mod clock;
mod gateway;
mod id_generator;
mod order_store;
mod store_error;

pub use cart_store::CartStore;
pub use catalog_store::CatalogStore;
pub use clock::Clock;
pub use gateway::{
    CancelCall, ConfirmCall, GatewayError, PaymentGateway, NOT_FOUND_PAYMENT_SESSION,
};
pub use id_generator::IdGenerator;
pub use order_store::{CheckoutPlan, CheckoutStoreError, OrderStore};
pub use store_error::{BoxError, StoreError};

#[cfg(any(test, feature = "mocks"))]
pub use {
    cart_store::MockCartStore, catalog_store::MockCatalogStore, clock::MockClock,
    gateway::MockPaymentGateway, id_generator::MockIdGenerator, order_store::MockOrderStore,
};
