//! Shared set-up: ports over a `PgStore`, and a cart ready to check out.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use commerce_domain::catalog::VariantSnapshot;
use commerce_domain::email::Email;
use commerce_domain::ids::{CartId, PaymentKey, TossOrderId, VariantId};
use commerce_domain::ports::{
    CancelCall, CartStore, ConfirmCall, GatewayError, PaymentGateway, StoreError,
};
use commerce_domain::provider::ProviderPayment;
use commerce_domain::quantity::Quantity;
use commerce_domain::testing::{at, seed_address, FixedClock, SequenceIds};
use commerce_domain::usecases::{CartService, CheckoutRequest, CheckoutService, Ports};
use commerce_domain::Metadata;
use commerce_postgres::testing::TestDb;
use commerce_postgres::PgStore;

/// Storage tests never reach a payment provider; this one says so if asked.
pub struct NoGateway;

fn unused() -> GatewayError {
    GatewayError::Unknown {
        reason: "storage tests have no payment provider".into(),
    }
}

#[async_trait]
impl PaymentGateway for NoGateway {
    async fn confirm(&self, _: &ConfirmCall) -> Result<ProviderPayment, GatewayError> {
        Err(unused())
    }
    async fn get_by_payment_key(
        &self,
        _: &PaymentKey,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        Err(unused())
    }
    async fn get_by_order_id(
        &self,
        _: &TossOrderId,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        Err(unused())
    }
    async fn cancel(&self, _: &CancelCall) -> Result<ProviderPayment, GatewayError> {
        Err(unused())
    }
}

/// Ports whose stores are `store`, at `at(now)`, with ids from `ids`.
pub fn ports(store: &PgStore, ids: Arc<SequenceIds>, now: i64) -> Ports {
    Ports {
        carts: Arc::new(store.clone()),
        catalog_admin: Arc::new(store.clone()),
        api_keys: Arc::new(store.clone()),
        idempotency: Arc::new(store.clone()),
        webhooks: Arc::new(store.clone()),
        orders: Arc::new(store.clone()),
        gateway: Arc::new(NoGateway),
        clock: Arc::new(FixedClock::new(at(now))),
        ids,
    }
}

/// A test's world: its database, a store, ids.
pub struct World {
    pub db: TestDb,
    pub store: PgStore,
    pub ids: Arc<SequenceIds>,
}

impl World {
    pub async fn new() -> World {
        let db = TestDb::new().await;
        let store = db.store();
        World {
            db,
            store,
            ids: Arc::new(SequenceIds::default()),
        }
    }

    pub fn ports(&self) -> Ports {
        ports(&self.store, self.ids.clone(), 0)
    }

    pub fn carts(&self) -> CartService {
        CartService::new(self.ports())
    }

    pub fn checkout(&self) -> CheckoutService {
        CheckoutService::new(self.ports(), Duration::minutes(30))
    }

    /// A variant as the add-item path reads it (beside a cart that does not exist).
    pub async fn snapshot(
        &self,
        variant: &VariantId,
    ) -> Result<Option<VariantSnapshot>, StoreError> {
        let nowhere = CartId::generate(self.ids.as_ref());
        let (cart, snapshot) = self.store.get_cart_and_variant(&nowhere, variant).await?;
        assert!(cart.is_none());
        Ok(snapshot)
    }

    pub async fn variant(&self, price: i64, on_hand: i64) -> VariantId {
        self.db
            .seed_variant(self.ids.as_ref(), "Classic T-Shirt", price, on_hand)
            .await
    }

    /// A cart holding `lines` of (variant, units).
    pub async fn cart_with(&self, lines: &[(&VariantId, i64)]) -> CartId {
        let carts = self.carts();
        let cart = carts.create(None, Metadata::new()).await.unwrap();
        for (variant, units) in lines {
            carts
                .add_item(&cart.id, variant, Quantity::new(*units).unwrap(), None)
                .await
                .unwrap();
        }
        cart.id.clone()
    }
}

/// The seed's checkout of `cart`.
pub fn checkout_request(cart: &CartId) -> CheckoutRequest {
    CheckoutRequest {
        cart_id: cart.clone(),
        email: Email::parse("Buyer@Example.com").unwrap(),
        shipping_address: seed_address(),
        billing_address: None,
        payment_method: "tosspayments".into(),
        note: None,
        metadata: Metadata::new(),
        customer_key: None,
    }
}

#[derive(diesel::QueryableByName)]
struct EventType {
    #[diesel(sql_type = diesel::sql_types::Text)]
    r#type: String,
}

/// The outbox events of an order, in the order they were queued.
pub async fn event_types(db: &TestDb, order: &commerce_domain::ids::OrderId) -> Vec<String> {
    use diesel_async::RunQueryDsl;
    let mut conn = db.conn().await;
    let rows: Vec<EventType> =
        diesel::sql_query("SELECT type FROM events WHERE order_id = $1 ORDER BY sequence")
            .bind::<diesel::sql_types::Text, _>(order.as_str())
            .load(&mut conn)
            .await
            .unwrap();
    rows.into_iter().map(|r| r.r#type).collect()
}

/// Rows of a table, for "nothing was written" checks.
pub async fn count(db: &TestDb, table: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.conn().await;
    let row: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result(&mut conn)
        .await
        .unwrap();
    row.n
}

/// Sessions of this test's database that sit inside a transaction.
pub async fn idle_in_transaction(world: &World) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Open {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = world.db.conn().await;
    let open: Open = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    open.n
}
