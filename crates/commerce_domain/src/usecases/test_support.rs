//! Builds [`Ports`] from mocks for the use-case tests.

use std::sync::Arc;

use crate::ports::{MockCartStore, MockCatalogStore, MockOrderStore, MockPaymentGateway};
use crate::testing::{at, FixedClock, SequenceIds};

use super::Ports;

/// Mocks to set expectations on before they are frozen into [`Ports`].
#[derive(Default)]
pub struct Mocks {
    pub carts: MockCartStore,
    pub catalog: MockCatalogStore,
    pub orders: MockOrderStore,
    pub gateway: MockPaymentGateway,
}

impl Mocks {
    /// Ports over the mocks, a clock at `at(now)` and sequential ids.
    pub fn ports_at(self, now: i64) -> Ports {
        Ports {
            carts: Arc::new(self.carts),
            catalog: Arc::new(self.catalog),
            orders: Arc::new(self.orders),
            gateway: Arc::new(self.gateway),
            clock: Arc::new(FixedClock::new(at(now))),
            ids: Arc::new(SequenceIds::starting_at(50_000)),
        }
    }
}
