//! Builds [`Ports`] from mocks for the use-case tests.

use std::sync::Arc;

use crate::ports::{
    MockApiKeyStore, MockCartStore, MockCatalogAdminStore, MockIdempotencyStore, MockOrderStore,
    MockPaymentGateway, MockWebhookStore,
};
use crate::testing::{at, FixedClock, SequenceIds};

use super::Ports;

/// Mocks to set expectations on before they are frozen into [`Ports`].
#[derive(Default)]
pub struct Mocks {
    pub carts: MockCartStore,
    pub catalog_admin: MockCatalogAdminStore,
    pub api_keys: MockApiKeyStore,
    pub idempotency: MockIdempotencyStore,
    pub webhooks: MockWebhookStore,
    pub orders: MockOrderStore,
    pub gateway: MockPaymentGateway,
}

impl Mocks {
    /// Ports over the mocks, a clock at `at(now)` and sequential ids.
    pub fn ports_at(self, now: i64) -> Ports {
        Ports {
            carts: Arc::new(self.carts),
            catalog_admin: Arc::new(self.catalog_admin),
            api_keys: Arc::new(self.api_keys),
            idempotency: Arc::new(self.idempotency),
            webhooks: Arc::new(self.webhooks),
            orders: Arc::new(self.orders),
            gateway: Arc::new(self.gateway),
            clock: Arc::new(FixedClock::new(at(now))),
            ids: Arc::new(SequenceIds::starting_at(50_000)),
        }
    }
}

/// What a mocked order store holds and has been asked to write.
#[derive(Clone, Default)]
pub struct StoredOrder {
    pub record: Arc<std::sync::Mutex<Option<crate::record::OrderRecord>>>,
    pub saves: Arc<std::sync::Mutex<Vec<crate::record::OrderChange>>>,
    pub reads: Arc<std::sync::atomic::AtomicUsize>,
}

impl StoredOrder {
    /// The record as now stored.
    pub fn current(&self) -> crate::record::OrderRecord {
        self.record
            .lock()
            .unwrap()
            .clone()
            .expect("an order is stored")
    }

    /// How many times the order was read.
    pub fn read_count(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every change written, in order.
    pub fn saved(&self) -> Vec<crate::record::OrderChange> {
        self.saves.lock().unwrap().clone()
    }
}

/// Makes `orders` serve `record` from `get_order` and apply `save_change` as the port's
/// contract says: over matching versions only (else `Conflict`), bumping each by one.
pub fn store_order(orders: &mut MockOrderStore, record: crate::record::OrderRecord) -> StoredOrder {
    let stored = StoredOrder {
        record: Arc::new(std::sync::Mutex::new(Some(record))),
        saves: Arc::default(),
        reads: Arc::default(),
    };
    let reader = stored.clone();
    orders.expect_get_order().returning(move |_| {
        reader
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(reader.record.lock().unwrap().clone())
    });
    let writer = stored.clone();
    orders.expect_save_change().returning(move |change| {
        let mut slot = writer.record.lock().unwrap();
        let current = slot.clone().expect("an order is stored");
        if current.order.version != change.order.version
            || current.payment.version != change.payment.version
        {
            return Err(crate::ports::StoreError::Conflict);
        }
        writer.saves.lock().unwrap().push(change.clone());
        *slot = Some(change.clone().committed(current.refunds));
        Ok(())
    });
    stored
}
