//! Reads by payment key and by order id.

use commerce_domain::ids::{PaymentKey, TossOrderId};
use commerce_domain::ports::{GatewayError, PaymentGateway};
use commerce_domain::provider::ProviderStatus;
use serde_json::json;
use tosspayments_sandbox::FaultMode;

use crate::support::{confirm_call, World};

#[tokio::test]
async fn a_payment_reads_back_by_key_and_by_order_in_any_state() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_reads0001", 1_000, "CARD", None)
        .await;
    let by_key = world
        .client
        .get_by_payment_key(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_key.status, ProviderStatus::InProgress);
    world
        .client
        .confirm(&confirm_call(&key, "HC-order_reads0001", 1_000, "idem-r1"))
        .await
        .unwrap();
    let order = TossOrderId::parse("HC-order_reads0001").unwrap();
    let by_order = world.client.get_by_order_id(&order).await.unwrap().unwrap();
    assert_eq!(by_order.status, ProviderStatus::Done);
    assert_eq!(by_order.payment_key, key);
}

#[tokio::test]
async fn an_unknown_payment_or_order_is_none() {
    let world = World::new().await;
    let key = PaymentKey::parse("tgen_no_such_payment").unwrap();
    assert!(world
        .client
        .get_by_payment_key(&key)
        .await
        .unwrap()
        .is_none());
    let order = TossOrderId::parse("HC-order_nobody0000").unwrap();
    assert!(world
        .client
        .get_by_order_id(&order)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_failed_read_is_unknown_not_absent() {
    let world = World::new().await;
    world.sandbox.inject_faults(FaultMode::Http500, 1);
    let key = PaymentKey::parse("tgen_whatever").unwrap();
    let error = world.client.get_by_payment_key(&key).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unknown { .. }));
}

#[tokio::test]
async fn a_dashboard_cancel_shows_in_the_read() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_reads0002", 10_000, "CARD", None)
        .await;
    world
        .client
        .confirm(&confirm_call(&key, "HC-order_reads0002", 10_000, "idem-r2"))
        .await
        .unwrap();
    world
        .control(
            &format!("/sandbox/v1/payments/{key}/cancel"),
            json!({"cancelReason": "대시보드 취소", "cancelAmount": 4_000}),
        )
        .await;
    let payment = world
        .client
        .get_by_payment_key(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.status, ProviderStatus::PartialCanceled);
    assert_eq!(payment.balance_amount.won(), 6_000);
    assert_eq!(payment.cancels.len(), 1);
    assert_eq!(payment.cancels[0].amount.won(), 4_000);
    assert_eq!(payment.cancels[0].reason.as_deref(), Some("대시보드 취소"));
}
