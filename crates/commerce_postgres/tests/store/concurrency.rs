//! Races, with two pools standing in for two server processes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use commerce_domain::error::ErrorCode;
use commerce_domain::ids::{IdempotencyKey, PaymentKey, TossOrderId};
use commerce_domain::order::OrderStatus;
use commerce_domain::payment::PaymentStatus;
use commerce_domain::ports::{
    CancelCall, ConfirmCall, GatewayError, OrderStore, PaymentGateway, StoreError,
};
use commerce_domain::provider::ProviderPayment;
use commerce_domain::record::OrderChange;
use commerce_domain::testing::{at, payment_key};
use commerce_domain::usecases::{
    CheckoutError, CheckoutService, ConfirmRequest, JobService, PaymentService,
};

use crate::support::{checkout_request, count, ports, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_checkouts_from_two_processes_never_oversell_fifty_units() {
    let world = World::new().await;
    let variant = world.variant(29_000, 50).await;
    let mut carts = Vec::new();
    for _ in 0..200 {
        carts.push(world.cart_with(&[(&variant, 1)]).await);
    }
    let pools = [world.db.store_with(10), world.db.store_with(10)];
    let services: Vec<CheckoutService> = pools
        .iter()
        .map(|store| {
            CheckoutService::new(ports(store, world.ids.clone(), 0), Duration::minutes(30))
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, cart) in carts.into_iter().enumerate() {
        let service = services[n % 2].clone();
        tasks.spawn(async move { service.checkout(checkout_request(&cart)).await });
    }
    let (mut won, mut short) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(_) => won += 1,
            Err(CheckoutError::InsufficientStock {
                requested: 1,
                available: 0,
                ..
            }) => short += 1,
            Err(other) => panic!("a loser got {} instead of insufficient_stock", other.code()),
        }
    }
    assert_eq!((won, short), (50, 150));
    assert_eq!(count(&world.db, "orders").await, 50);
    let (on_hand, reserved) = world.db.stock(&variant).await;
    assert_eq!((on_hand, reserved), (50, 50), "available is exactly 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn carts_sharing_variants_in_opposite_order_never_deadlock() {
    let world = World::new().await;
    let first = world.variant(1_000, 1_000).await;
    let second = world.variant(2_000, 1_000).await;
    let mut carts = Vec::new();
    for n in 0..40 {
        let lines = if n % 2 == 0 {
            [(&first, 1), (&second, 1)]
        } else {
            [(&second, 1), (&first, 1)]
        };
        carts.push(world.cart_with(&lines).await);
    }
    let pools = [world.db.store_with(8), world.db.store_with(8)];
    let mut tasks = tokio::task::JoinSet::new();
    for (n, cart) in carts.into_iter().enumerate() {
        let service = CheckoutService::new(
            ports(&pools[n % 2], world.ids.clone(), 0),
            Duration::minutes(30),
        );
        tasks.spawn(async move { service.checkout(checkout_request(&cart)).await });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined.unwrap() {
            panic!("a checkout failed with {}: {e:?}", e.code());
        }
    }
    assert_eq!(world.db.stock(&first).await, (1_000, 40));
    assert_eq!(world.db.stock(&second).await, (1_000, 40));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_confirm_claims_exactly_one_wins() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    let record = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap()
        .record;
    let claim = |key: &str| {
        let mut payment = record.payment.clone();
        payment
            .begin_confirm(payment_key(), IdempotencyKey::parse(key).unwrap(), at(5))
            .unwrap();
        OrderChange {
            order: record.order.clone(),
            payment,
            new_refunds: Vec::new(),
            stock: Vec::new(),
            events: Vec::new(),
        }
    };
    let (a, b) = (claim("confirm-a"), claim("confirm-b"));
    let (store_a, store_b) = (world.db.store_with(2), world.db.store_with(2));
    let (first, second) = tokio::join!(async move { store_a.save_change(&a).await }, async move {
        store_b.save_change(&b).await
    });
    let outcomes = [first, second];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        outcomes
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict)))
            .count(),
        1
    );
    let stored = world
        .store
        .get_order(&record.order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.payment.status, PaymentStatus::Confirming);
    assert_eq!(stored.payment.attempts, 1);
}

/// Counts confirm calls and answers each with "no answer".
#[derive(Default)]
struct CountingGateway(AtomicUsize);

#[async_trait]
impl PaymentGateway for CountingGateway {
    async fn confirm(&self, _: &ConfirmCall) -> Result<ProviderPayment, GatewayError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err(GatewayError::Unknown {
            reason: "timed out".into(),
        })
    }
    async fn get_by_payment_key(
        &self,
        _: &PaymentKey,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        Ok(None)
    }
    async fn get_by_order_id(
        &self,
        _: &TossOrderId,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        Ok(None)
    }
    async fn cancel(&self, _: &CancelCall) -> Result<ProviderPayment, GatewayError> {
        Err(GatewayError::Unknown {
            reason: "unused".into(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_confirms_only_one_reaches_the_provider() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    let record = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap()
        .record;
    let gateway = Arc::new(CountingGateway::default());
    let service = |store| {
        let mut p = ports(&store, world.ids.clone(), 5);
        p.gateway = gateway.clone();
        PaymentService::new(p)
    };
    let (a, b) = (
        service(world.db.store_with(2)),
        service(world.db.store_with(2)),
    );
    let request = ConfirmRequest {
        payment_key: payment_key(),
        order_id: TossOrderId::for_order(&record.order.id),
        amount: record.order.total,
    };
    let (ra, rb) = tokio::join!(a.confirm(&request), b.confirm(&request));
    let mut codes = vec![ra.unwrap_err().code(), rb.unwrap_err().code()];
    codes.sort_unstable();
    assert_eq!(codes, vec!["payment_in_progress", "payment_provider_error"]);
    assert_eq!(gateway.0.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_expiry_workers_expire_each_order_once_and_release_its_stock_once() {
    let world = World::new().await;
    let variant = world.variant(1_000, 100).await;
    let mut deadline = at(0);
    for _ in 0..20 {
        let cart = world.cart_with(&[(&variant, 2)]).await;
        deadline = world
            .checkout()
            .checkout(checkout_request(&cart))
            .await
            .unwrap()
            .record
            .order
            .expires_at;
    }
    assert_eq!(world.db.stock(&variant).await, (100, 40));
    let after = (deadline - at(0)).num_seconds() + 1;
    let worker = |store| {
        JobService::new(
            ports(&store, world.ids.clone(), after),
            Duration::minutes(1),
        )
    };
    let (a, b) = (
        worker(world.db.store_with(4)),
        worker(world.db.store_with(4)),
    );
    let (ra, rb) = tokio::join!(
        async {
            (
                a.expire_overdue(7).await.unwrap(),
                a.expire_overdue(50).await.unwrap(),
            )
        },
        async {
            (
                b.expire_overdue(7).await.unwrap(),
                b.expire_overdue(50).await.unwrap(),
            )
        }
    );
    let changed = ra.0.changed + ra.1.changed + rb.0.changed + rb.1.changed;
    assert_eq!(changed, 20, "each order expired exactly once");
    assert_eq!(
        world.db.stock(&variant).await,
        (100, 0),
        "released once each"
    );
    let mut conn = world.db.conn().await;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let cancelled: N =
        diesel::sql_query("SELECT count(*) AS n FROM events WHERE type = 'order.cancelled'")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(cancelled.n, 20);
    let pending: N = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM orders WHERE status <> '{}'",
        OrderStatus::Cancelled.as_str()
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(pending.n, 0);
}
