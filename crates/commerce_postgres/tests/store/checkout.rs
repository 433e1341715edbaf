//! `OrderStore::place_order`: checkout in one transaction.

use commerce_domain::cart::CartStatus;
use commerce_domain::order::OrderStatus;
use commerce_domain::payment::PaymentStatus;
use commerce_domain::ports::{CartStore, OrderStore};
use commerce_domain::usecases::{CheckoutError, CheckoutService};

use crate::support::{checkout_request, count, event_types, World};

#[tokio::test]
async fn checkout_writes_the_order_reserves_stock_and_closes_the_cart() {
    let world = World::new().await;
    let variant = world.variant(29_000, 10).await;
    let cart = world.cart_with(&[(&variant, 2)]).await;
    let result = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap();
    let order = &result.record.order;
    assert_eq!(result.toss.amount.won(), 58_000);
    assert_eq!(result.toss.order_name, "Classic T-Shirt 외 1건");

    assert_eq!(
        world.db.stock(&variant).await,
        (10, 2),
        "2 reserved, none sold"
    );
    let stored = world.store.get_order(&order.id).await.unwrap().unwrap();
    assert_eq!(
        stored, result.record,
        "what checkout answered is what is stored"
    );
    assert_eq!(stored.order.status, OrderStatus::Pending);
    assert_eq!(stored.payment.status, PaymentStatus::Pending);
    assert_eq!(stored.order.lines[0].product_name, "Classic T-Shirt");
    assert_eq!(stored.order.number.get(), 1001);

    let closed = world.store.get_cart(&cart).await.unwrap().unwrap();
    assert_eq!(closed.status, CartStatus::Completed);
    assert_eq!(closed.order_id.as_ref(), Some(&order.id));
    assert_eq!(
        event_types(&world.db, &order.id).await,
        vec!["order.created", "payment.created"]
    );
}

#[tokio::test]
async fn short_stock_writes_nothing_at_all() {
    let world = World::new().await;
    let plenty = world.variant(1_000, 10).await;
    let scarce = world.variant(2_000, 1).await;
    let cart = world.cart_with(&[(&plenty, 3), (&scarce, 1)]).await;
    // Someone else takes the last unit after the cart was filled.
    let other = world.cart_with(&[(&scarce, 1)]).await;
    world
        .checkout()
        .checkout(checkout_request(&other))
        .await
        .unwrap();

    let err = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CheckoutError::InsufficientStock { ref variant_id, requested: 1, available: 0 } if *variant_id == scarce
    ));
    assert_eq!(
        world.db.stock(&plenty).await,
        (10, 0),
        "the other line was not reserved"
    );
    assert_eq!(count(&world.db, "orders").await, 1);
    let cart = world.store.get_cart(&cart).await.unwrap().unwrap();
    assert_eq!(cart.status, CartStatus::Active, "the cart stays open");
}

#[tokio::test]
async fn the_store_refuses_short_stock_even_when_the_snapshot_looked_fine() {
    let world = World::new().await;
    let variant = world.variant(1_000, 2).await;
    let cart = world.cart_with(&[(&variant, 2)]).await;
    let plan_cart = world.store.get_cart(&cart).await.unwrap().unwrap();
    assert_eq!(plan_cart.items[0].variant.available, Some(2));
    // Stock drops after the cart was read but before the write.
    let mut conn = world.db.conn().await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query("UPDATE inventory_items SET on_hand = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap_err();
    assert_eq!(
        commerce_domain::error::ErrorCode::code(&err),
        "insufficient_stock"
    );
    assert_eq!(world.db.stock(&variant).await, (1, 0));
}

#[tokio::test]
async fn a_cart_checks_out_once() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    let first = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap();
    let err = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CheckoutError::CartNotActive { order_id: Some(ref id) } if *id == first.record.order.id
    ));
    assert_eq!(world.db.stock(&variant).await, (10, 1));
}

#[tokio::test]
async fn a_cart_is_read_with_the_next_order_number() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 2)]).await;
    let (read, a) = world
        .store
        .get_cart_with_number(&cart)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.id, cart);
    assert_eq!(read.items.len(), 1);
    let (_, b) = world
        .store
        .get_cart_with_number(&cart)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.get(), a.get() + 1, "numbers are sequential");
    let missing = commerce_domain::ids::CartId::generate(
        &commerce_domain::testing::SequenceIds::starting_at(77),
    );
    assert!(world
        .store
        .get_cart_with_number(&missing)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn the_commit_sent_with_the_reservations_leaves_one_connection_clean_after_failure_and_success(
) {
    let world = World::new().await;
    let plenty = world.variant(1_000, 10).await;
    let scarce = world.variant(2_000, 2).await;
    let first = world.cart_with(&[(&plenty, 2), (&scarce, 1)]).await;
    let short = world.cart_with(&[(&plenty, 2), (&scarce, 2)]).await;
    let last = world.cart_with(&[(&plenty, 1)]).await;
    // One connection: every step below runs on the same session, one after the other.
    let single = world.db.store_with(1);
    let checkout = CheckoutService::new(
        crate::support::ports(&single, world.ids.clone(), 0),
        chrono::Duration::minutes(30),
    );

    let placed = checkout.checkout(checkout_request(&first)).await.unwrap();
    assert_eq!(world.db.stock(&scarce).await, (2, 1));
    assert_eq!(crate::support::idle_in_transaction(&world).await, 0);

    let err = checkout
        .checkout(checkout_request(&short))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CheckoutError::InsufficientStock { ref variant_id, requested: 2, available: 1 } if *variant_id == scarce
    ));
    assert_eq!(
        world.db.stock(&plenty).await,
        (10, 2),
        "the failed checkout's other line was rolled back with it"
    );
    assert_eq!(crate::support::idle_in_transaction(&world).await, 0);

    checkout.checkout(checkout_request(&last)).await.unwrap();
    assert_eq!(world.db.stock(&plenty).await, (10, 3));
    assert_eq!(
        single.get_order(&placed.record.order.id).await.unwrap(),
        Some(placed.record),
        "committed, and readable on the same connection"
    );
    assert_eq!(crate::support::idle_in_transaction(&world).await, 0);
    assert_eq!(count(&world.db, "orders").await, 2);
}
