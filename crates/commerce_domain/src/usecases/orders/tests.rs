//! Order reads and the merchant's cancel.

use super::*;
use crate::ids::IdempotencyKey;
use crate::order::OrderStatus;
use crate::testing::{at, payment_key, pending_record};
use crate::usecases::test_support::{store_order, Mocks};

#[tokio::test]
async fn get_and_lookup_report_missing_orders() {
    let mut mocks = Mocks::default();
    mocks.orders.expect_get_order().returning(|_| Ok(None));
    mocks
        .orders
        .expect_find_order_by_number()
        .returning(|_, _| Ok(None));
    let service = OrderService::new(mocks.ports_at(0));
    let record = pending_record(1_000);
    assert_eq!(
        service.get(&record.order.id).await.unwrap_err().code(),
        "order_not_found"
    );
    let err = service
        .lookup(OrderNumber::new(1001), &record.order.email)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "order_not_found");
}

#[tokio::test]
async fn lookup_passes_number_and_email_to_the_store() {
    let record = pending_record(1_000);
    let mut mocks = Mocks::default();
    let found = record.clone();
    let email = record.order.email.clone();
    mocks
        .orders
        .expect_find_order_by_number()
        .withf(move |number, e| number.get() == 1001 && *e == email)
        .returning(move |_, _| Ok(Some(found.clone())));
    let got = OrderService::new(mocks.ports_at(0))
        .lookup(OrderNumber::new(1001), &record.order.email)
        .await
        .unwrap();
    assert_eq!(got, record);
}

#[tokio::test]
async fn the_merchant_cancels_an_unpaid_order_and_its_stock_is_released() {
    let record = pending_record(1_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let after = OrderService::new(mocks.ports_at(10))
        .cancel_unpaid(&record.order.id, Some("out of stock".into()))
        .await
        .unwrap();
    assert_eq!(after.order.status, OrderStatus::Cancelled);
    assert_eq!(
        after.order.cancel_reason,
        Some(CancelReason::Merchant(Some("out of stock".into())))
    );
    assert_eq!(after.payment.status, PaymentStatus::Cancelled);
    let saved = stored.saved();
    assert_eq!(saved[0].stock, vec![StockMovement::Release]);
    assert_eq!(saved[0].events[0].kind.type_name(), "order.cancelled");
}

#[tokio::test]
async fn an_order_whose_money_may_still_arrive_cannot_be_cancelled_here() {
    let mut confirming = pending_record(1_000);
    let mut payment = confirming.payment.clone();
    payment
        .begin_confirm(payment_key(), IdempotencyKey::parse("k-1").unwrap(), at(1))
        .unwrap();
    confirming.payment = payment;
    let mut awaiting = pending_record(1_000);
    let mut payment = awaiting.payment.clone();
    payment
        .await_deposit(payment_key(), None, None, at(1))
        .unwrap();
    awaiting.payment = payment;
    for record in [confirming, awaiting] {
        let mut mocks = Mocks::default();
        let stored = store_order(&mut mocks.orders, record.clone());
        let err = OrderService::new(mocks.ports_at(10))
            .cancel_unpaid(&record.order.id, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "order_not_cancellable");
        assert!(stored.saved().is_empty());
    }
}
