//! Checkout over mocked stores.

use std::sync::{Arc, Mutex};

use super::*;
use crate::cart::Cart;
use crate::ids::{CartItemId, OrderNumber};
use crate::quantity::Quantity;
use crate::testing::{at, seed_address, tshirt, SequenceIds};
use crate::usecases::test_support::Mocks;

fn cart_with(lines: &[(i64, Option<i64>, i64)]) -> Cart {
    let ids = SequenceIds::starting_at(100);
    let mut cart = Cart::new(
        CartId::generate(&SequenceIds::starting_at(7)),
        None,
        Metadata::new(),
        at(0),
    );
    for (n, (price, available, quantity)) in lines.iter().enumerate() {
        let mut variant = tshirt(*price, *available);
        if n > 0 {
            variant.variant_id = VariantId::generate(&ids);
            variant.product_name = format!("Mug {n}");
        }
        cart.add_item(
            CartItemId::generate(&ids),
            variant,
            Quantity::new(*quantity).unwrap(),
            None,
            at(1),
        )
        .unwrap();
    }
    cart
}

fn request() -> CheckoutRequest {
    CheckoutRequest {
        cart_id: CartId::generate(&SequenceIds::starting_at(7)),
        email: Email::parse("buyer@example.com").unwrap(),
        shipping_address: seed_address(),
        billing_address: None,
        payment_method: "tosspayments".into(),
        note: None,
        metadata: Metadata::new(),
        customer_key: None,
    }
}

fn service(mocks: Mocks) -> CheckoutService {
    CheckoutService::new(mocks.ports_at(100), Duration::minutes(30))
}

/// The order number the store hands out with the cart.
fn number() -> OrderNumber {
    OrderNumber::new(1001)
}

#[tokio::test]
async fn the_seed_checkout_places_the_order_and_answers_with_the_widget_data() {
    let mut mocks = Mocks::default();
    let cart = cart_with(&[(29_000, Some(10), 2)]);
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    let placed: Arc<Mutex<Option<CheckoutPlan>>> = Arc::default();
    let seen = placed.clone();
    mocks
        .orders
        .expect_place_order()
        .times(1)
        .returning(move |plan| {
            *seen.lock().unwrap() = Some(plan.clone());
            Ok(())
        });
    let result = service(mocks).checkout(request()).await.unwrap();

    let toss = &result.toss;
    assert_eq!(
        toss.order_id.as_str(),
        format!("HC-{}", result.record.order.id)
    );
    assert_eq!(toss.order_name, "Classic T-Shirt 외 1건");
    assert_eq!(toss.amount.won(), 58_000);
    assert_eq!(toss.customer_key, "@@ANONYMOUS");
    assert_eq!(toss.customer_email.as_str(), "buyer@example.com");

    let plan = placed.lock().unwrap().clone().unwrap();
    assert_eq!(plan.order.status, OrderStatus::Pending);
    assert_eq!(plan.order.number, OrderNumber::new(1001));
    assert_eq!(plan.order.total.won(), 58_000);
    assert_eq!(plan.order.lines.len(), 1);
    assert_eq!(plan.order.lines[0].line_total.won(), 58_000);
    assert_eq!(plan.order.expires_at, at(100) + Duration::minutes(30));
    assert_eq!(plan.payment.amount, plan.order.total);
    assert_eq!(plan.payment.order_id, plan.order.id);
    assert_eq!(plan.cart.status, CartStatus::Completed);
    assert_eq!(plan.cart.order_id.as_ref(), Some(&plan.order.id));
    assert_eq!(plan.cart.version, 0, "written over the version read");
    let kinds: Vec<_> = plan.events.iter().map(|e| e.kind.type_name()).collect();
    assert_eq!(kinds, vec!["order.created", "payment.created"]);
    assert_eq!(result.record.order, plan.order);
}

#[tokio::test]
async fn several_lines_name_the_first_product_and_count_the_other_units() {
    let mut mocks = Mocks::default();
    let cart = cart_with(&[(29_000, None, 2), (12_000, None, 3)]);
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks.orders.expect_place_order().returning(|_| Ok(()));
    let result = service(mocks).checkout(request()).await.unwrap();
    assert_eq!(result.toss.order_name, "Classic T-Shirt 외 4건");
    assert_eq!(result.toss.amount.won(), 2 * 29_000 + 3 * 12_000);
}

#[tokio::test]
async fn a_given_customer_key_is_passed_on() {
    let mut mocks = Mocks::default();
    let cart = cart_with(&[(29_000, None, 1)]);
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks.orders.expect_place_order().returning(|_| Ok(()));
    let request = CheckoutRequest {
        customer_key: Some("customer-42".into()),
        ..request()
    };
    let result = service(mocks).checkout(request).await.unwrap();
    assert_eq!(result.toss.customer_key, "customer-42");
}

#[tokio::test]
async fn another_payment_method_is_refused_before_anything_is_read() {
    let mut mocks = Mocks::default();
    mocks.orders.expect_get_cart_with_number().never();
    let request = CheckoutRequest {
        payment_method: "stripe".into(),
        ..request()
    };
    let err = service(mocks).checkout(request).await.unwrap_err();
    assert_eq!(err.code(), "unsupported_payment_method");
}

#[tokio::test]
async fn a_malformed_customer_key_or_long_note_is_invalid() {
    for request in [
        CheckoutRequest {
            customer_key: Some("a".into()),
            ..request()
        },
        CheckoutRequest {
            customer_key: Some("has space".into()),
            ..request()
        },
        CheckoutRequest {
            note: Some("메".repeat(1_001)),
            ..request()
        },
    ] {
        let mut mocks = Mocks::default();
        mocks.orders.expect_get_cart_with_number().never();
        let err = service(mocks).checkout(request).await.unwrap_err();
        assert_eq!(err.code(), "invalid_request");
    }
}

#[tokio::test]
async fn a_missing_cart_is_not_found() {
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(|_| Ok(None));
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert_eq!(err.code(), "cart_not_found");
}

#[tokio::test]
async fn an_empty_cart_is_refused_without_writing() {
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(|_| Ok(Some((cart_with(&[]), number()))));
    mocks.orders.expect_place_order().never();
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert_eq!(err.code(), "cart_empty");
}

#[tokio::test]
async fn a_free_order_is_refused() {
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(|_| Ok(Some((cart_with(&[(0, None, 1)]), number()))));
    mocks.orders.expect_place_order().never();
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert!(matches!(err, CheckoutError::ZeroTotal));
    assert_eq!(err.code(), "invalid_request");
}

#[tokio::test]
async fn a_checked_out_cart_names_its_order() {
    let mut mocks = Mocks::default();
    let order_id = OrderId::generate(&SequenceIds::default());
    let mut cart = cart_with(&[(29_000, None, 1)]);
    cart.complete(order_id.clone(), at(2)).unwrap();
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks.orders.expect_place_order().never();
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert_eq!(err.code(), "cart_not_active");
    assert!(matches!(err, CheckoutError::CartNotActive { order_id: Some(id) } if id == order_id));
}

#[tokio::test]
async fn stock_that_ran_out_since_the_cart_was_filled_is_refused_before_writing() {
    let mut mocks = Mocks::default();
    let mut cart = cart_with(&[(29_000, Some(5), 2)]);
    let mut data = (*cart).clone();
    data.items[0].variant.available = Some(1);
    cart = Cart::restore(data);
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks.orders.expect_place_order().never();
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert!(matches!(
        err,
        CheckoutError::InsufficientStock {
            requested: 2,
            available: 1,
            ..
        }
    ));
}

#[tokio::test]
async fn the_store_s_atomic_stock_check_has_the_last_word() {
    let mut mocks = Mocks::default();
    let cart = cart_with(&[(29_000, Some(5), 2)]);
    let variant_id = cart.items[0].variant.variant_id.clone();
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks
        .orders
        .expect_place_order()
        .times(1)
        .returning(move |_| {
            Err(CheckoutStoreError::InsufficientStock {
                variant_id: variant_id.clone(),
                requested: 2,
                available: 0,
            })
        });
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert_eq!(err.code(), "insufficient_stock");
}

#[tokio::test]
async fn a_cart_changed_meanwhile_is_read_again_and_a_checkout_that_won_is_reported() {
    let mut mocks = Mocks::default();
    let fresh = cart_with(&[(29_000, None, 1)]);
    let mut completed = fresh.clone();
    let winner = OrderId::generate(&SequenceIds::starting_at(999));
    completed.complete(winner.clone(), at(2)).unwrap();
    let mut reads = 0;
    mocks
        .orders
        .expect_get_cart_with_number()
        .times(2)
        .returning(move |_| {
            reads += 1;
            let cart = if reads == 1 {
                fresh.clone()
            } else {
                completed.clone()
            };
            Ok(Some((cart, number())))
        });
    mocks
        .orders
        .expect_place_order()
        .times(1)
        .returning(|_| Err(CheckoutStoreError::CartChanged));
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert!(matches!(err, CheckoutError::CartNotActive { order_id: Some(id) } if id == winner));
}

#[tokio::test]
async fn storage_trouble_during_the_write_is_reported() {
    let mut mocks = Mocks::default();
    let cart = cart_with(&[(29_000, None, 1)]);
    mocks
        .orders
        .expect_get_cart_with_number()
        .returning(move |_| Ok(Some((cart.clone(), number()))));
    mocks
        .orders
        .expect_place_order()
        .returning(|_| Err(StoreError::Unavailable("connection reset".into()).into()));
    let err = service(mocks).checkout(request()).await.unwrap_err();
    assert_eq!(err.code(), "service_unavailable");
}
