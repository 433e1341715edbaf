//! Job claims: overdue orders and stale confirms, with leases.

use chrono::Duration;
use commerce_domain::ids::IdempotencyKey;
use commerce_domain::ports::OrderStore;
use commerce_domain::record::OrderChange;
use commerce_domain::testing::{at, payment_key};

use crate::support::{checkout_request, World};

#[tokio::test]
async fn overdue_claims_return_only_pending_orders_past_their_deadline_and_lease_them() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    let order = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap();
    let deadline = order.record.order.expires_at;
    let lease = Duration::minutes(1);

    let early = world
        .store
        .claim_overdue_orders(deadline - Duration::seconds(1), 10, lease)
        .await
        .unwrap();
    assert!(early.is_empty());
    let due = world
        .store
        .claim_overdue_orders(deadline, 10, lease)
        .await
        .unwrap();
    assert_eq!(due, vec![order.record.order.id.clone()]);
    let again = world
        .store
        .claim_overdue_orders(deadline, 10, lease)
        .await
        .unwrap();
    assert!(again.is_empty(), "leased to the first claimer");
    let after_lease = world
        .store
        .claim_overdue_orders(deadline + lease, 10, lease)
        .await
        .unwrap();
    assert_eq!(
        after_lease.len(),
        1,
        "claimable again once the lease ran out"
    );
}

#[tokio::test]
async fn stale_confirm_claims_find_payments_left_confirming() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    let record = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap()
        .record;
    let mut payment = record.payment.clone();
    payment
        .begin_confirm(
            payment_key(),
            IdempotencyKey::parse("confirm-1").unwrap(),
            at(10),
        )
        .unwrap();
    world
        .store
        .save_change(&OrderChange {
            order: record.order.clone(),
            payment,
            new_refunds: Vec::new(),
            stock: Vec::new(),
            events: Vec::new(),
        })
        .await
        .unwrap();
    let lease = Duration::minutes(1);
    let fresh = world
        .store
        .claim_stale_confirming(at(10), at(20), 10, lease)
        .await
        .unwrap();
    assert!(
        fresh.is_empty(),
        "started exactly at the cut-off is not stale yet"
    );
    let stale = world
        .store
        .claim_stale_confirming(at(11), at(20), 10, lease)
        .await
        .unwrap();
    assert_eq!(stale, vec![record.order.id.clone()]);
    let leased = world
        .store
        .claim_stale_confirming(at(11), at(21), 10, lease)
        .await
        .unwrap();
    assert!(leased.is_empty());
}

#[tokio::test]
async fn claims_respect_the_limit() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let mut deadline = at(0);
    for _ in 0..3 {
        let cart = world.cart_with(&[(&variant, 1)]).await;
        deadline = world
            .checkout()
            .checkout(checkout_request(&cart))
            .await
            .unwrap()
            .record
            .order
            .expires_at;
    }
    let claimed = world
        .store
        .claim_overdue_orders(deadline, 2, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
}
