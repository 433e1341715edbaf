//! Cart use cases over mocked stores.

use mockall::predicate::eq;

use super::*;
use crate::catalog::VariantSnapshot;
use crate::testing::{at, tshirt, SequenceIds};
use crate::usecases::test_support::Mocks;

fn q(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

fn stored_cart() -> Cart {
    Cart::new(
        CartId::generate(&SequenceIds::starting_at(7)),
        None,
        Metadata::new(),
        at(0),
    )
}

/// Expects the add-item path's one combined read, answered with `cart` and `variant`.
fn expect_read(mocks: &mut Mocks, cart: Option<Cart>, variant: Option<VariantSnapshot>) {
    mocks
        .carts
        .expect_get_cart_and_variant()
        .times(1)
        .returning(move |_, _| Ok((cart.clone(), variant.clone())));
}

#[tokio::test]
async fn create_stores_an_empty_active_cart_for_the_session() {
    let mut mocks = Mocks::default();
    mocks
        .carts
        .expect_insert_cart()
        .withf(|cart| cart.items.is_empty() && cart.session_id.is_some())
        .times(1)
        .returning(|_| Ok(()));
    let service = CartService::new(mocks.ports_at(5));
    let session = SessionId::parse("sess_1").unwrap();
    let cart = service
        .create(Some(session.clone()), Metadata::new())
        .await
        .unwrap();
    assert!(cart.id.as_str().starts_with("cart_"));
    assert_eq!(cart.session_id, Some(session));
    assert_eq!(cart.created_at, at(5));
}

#[tokio::test]
async fn get_reports_a_missing_cart() {
    let mut mocks = Mocks::default();
    mocks.carts.expect_get_cart().returning(|_| Ok(None));
    let err = CartService::new(mocks.ports_at(0))
        .get(&stored_cart().id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_found");
}

#[tokio::test]
async fn get_by_session_reports_a_missing_cart() {
    let mut mocks = Mocks::default();
    mocks
        .carts
        .expect_find_active_cart_by_session()
        .returning(|_| Ok(None));
    let err = CartService::new(mocks.ports_at(0))
        .get_by_session(&SessionId::parse("nobody").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_found");
}

#[tokio::test]
async fn add_item_saves_the_line_and_returns_the_new_version() {
    let mut mocks = Mocks::default();
    let variant = tshirt(29_000, Some(10));
    let variant_id = variant.variant_id.clone();
    mocks
        .carts
        .expect_get_cart_and_variant()
        .with(eq(stored_cart().id.clone()), eq(variant_id.clone()))
        .times(1)
        .returning(move |_, _| Ok((Some(stored_cart()), Some(variant.clone()))));
    mocks.carts.expect_get_cart().never();
    mocks
        .carts
        .expect_save_cart()
        .withf(|cart| cart.items.len() == 1 && cart.items[0].quantity.get() == 2)
        .times(1)
        .returning(|_| Ok(()));
    let cart = CartService::new(mocks.ports_at(3))
        .add_item(&stored_cart().id, &variant_id, q(2), None)
        .await
        .unwrap();
    assert_eq!(cart.version, 1);
    assert_eq!(cart.summary().unwrap().subtotal.won(), 58_000);
}

#[tokio::test]
async fn add_item_retries_after_a_concurrent_change() {
    let mut mocks = Mocks::default();
    let variant = tshirt(29_000, None);
    let variant_id = variant.variant_id.clone();
    expect_read(&mut mocks, Some(stored_cart()), Some(variant));
    // The retry reads the cart again, alone.
    mocks
        .carts
        .expect_get_cart()
        .times(1)
        .returning(|_| Ok(Some(stored_cart())));
    let mut calls = 0;
    mocks.carts.expect_save_cart().times(2).returning(move |_| {
        calls += 1;
        if calls == 1 {
            Err(StoreError::Conflict)
        } else {
            Ok(())
        }
    });
    let cart = CartService::new(mocks.ports_at(3))
        .add_item(&stored_cart().id, &variant_id, q(1), None)
        .await
        .unwrap();
    assert_eq!(cart.items.len(), 1);
}

#[tokio::test]
async fn add_item_gives_up_after_repeated_conflicts() {
    let mut mocks = Mocks::default();
    let variant = tshirt(29_000, None);
    let variant_id = variant.variant_id.clone();
    expect_read(&mut mocks, Some(stored_cart()), Some(variant));
    mocks
        .carts
        .expect_get_cart()
        .times(MAX_ATTEMPTS - 1)
        .returning(|_| Ok(Some(stored_cart())));
    mocks
        .carts
        .expect_save_cart()
        .times(MAX_ATTEMPTS)
        .returning(|_| Err(StoreError::Conflict));
    let err = CartService::new(mocks.ports_at(3))
        .add_item(&stored_cart().id, &variant_id, q(1), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "service_unavailable");
}

#[tokio::test]
async fn add_item_refuses_an_unknown_variant_without_writing_the_cart() {
    let mut mocks = Mocks::default();
    expect_read(&mut mocks, Some(stored_cart()), None);
    mocks.carts.expect_get_cart().never();
    mocks.carts.expect_save_cart().never();
    let err = CartService::new(mocks.ports_at(0))
        .add_item(&stored_cart().id, &tshirt(1, None).variant_id, q(1), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "variant_not_found");
}

#[tokio::test]
async fn add_item_reports_a_missing_cart() {
    let mut mocks = Mocks::default();
    let variant = tshirt(29_000, None);
    let variant_id = variant.variant_id.clone();
    expect_read(&mut mocks, None, Some(variant));
    mocks.carts.expect_save_cart().never();
    let err = CartService::new(mocks.ports_at(0))
        .add_item(&stored_cart().id, &variant_id, q(1), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_found");
}

#[tokio::test]
async fn add_item_reports_unreachable_storage_and_writes_nothing() {
    let mut mocks = Mocks::default();
    mocks
        .carts
        .expect_get_cart_and_variant()
        .times(1)
        .returning(|_, _| Err(StoreError::Unavailable("pool timed out".into())));
    mocks.carts.expect_get_cart().never();
    mocks.carts.expect_save_cart().never();
    let err = CartService::new(mocks.ports_at(0))
        .add_item(&stored_cart().id, &tshirt(1, None).variant_id, q(1), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "service_unavailable");
}

#[tokio::test]
async fn add_item_refuses_more_than_the_stock_and_saves_nothing() {
    let mut mocks = Mocks::default();
    let variant = tshirt(29_000, Some(1));
    let variant_id = variant.variant_id.clone();
    expect_read(&mut mocks, Some(stored_cart()), Some(variant));
    mocks.carts.expect_save_cart().never();
    let err = CartService::new(mocks.ports_at(0))
        .add_item(&stored_cart().id, &variant_id, q(2), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "insufficient_stock");
    assert!(matches!(
        err,
        CartServiceError::InsufficientStock {
            requested: 2,
            available: 1,
            ..
        }
    ));
}

#[tokio::test]
async fn changes_to_a_checked_out_cart_name_its_order() {
    let mut mocks = Mocks::default();
    let order_id = OrderId::generate(&SequenceIds::default());
    let mut cart = stored_cart();
    cart.complete(order_id.clone(), at(1)).unwrap();
    mocks
        .carts
        .expect_get_cart()
        .returning(move |_| Ok(Some(cart.clone())));
    mocks.carts.expect_save_cart().never();
    let service = CartService::new(mocks.ports_at(0));
    let item = CartItemId::generate(&SequenceIds::default());
    let err = service
        .update_item(&stored_cart().id, &item, q(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_active");
    assert!(matches!(
        err,
        CartServiceError::CartNotActive { order_id: Some(ref id) } if *id == order_id
    ));
    let err = service
        .remove_item(&stored_cart().id, &item)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_active");
    let err = service
        .update(&stored_cart().id, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cart_not_active");
}

#[tokio::test]
async fn removing_a_missing_line_is_resource_not_found() {
    let mut mocks = Mocks::default();
    mocks
        .carts
        .expect_get_cart()
        .returning(|_| Ok(Some(stored_cart())));
    mocks.carts.expect_save_cart().never();
    let err = CartService::new(mocks.ports_at(0))
        .remove_item(
            &stored_cart().id,
            &CartItemId::generate(&SequenceIds::default()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "resource_not_found");
}

#[tokio::test]
async fn storage_outages_surface_as_unavailable() {
    let mut mocks = Mocks::default();
    mocks
        .carts
        .expect_insert_cart()
        .returning(|_| Err(StoreError::Unavailable("pool timed out".into())));
    let err = CartService::new(mocks.ports_at(0))
        .create(None, Metadata::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "service_unavailable");
}
