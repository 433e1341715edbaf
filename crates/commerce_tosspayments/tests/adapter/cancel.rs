//! Cancels, full and partial, with idempotency.

use commerce_domain::ids::{IdempotencyKey, PaymentKey};
use commerce_domain::money::Krw;
use commerce_domain::ports::{CancelCall, GatewayError, PaymentGateway};
use commerce_domain::provider::ProviderStatus;

use crate::support::{confirm_call, World};

async fn paid(world: &World, order: &str, amount: i64) -> PaymentKey {
    let key = world.authorize(order, amount, "CARD", None).await;
    world
        .client
        .confirm(&confirm_call(&key, order, amount, &format!("idem-{order}")))
        .await
        .unwrap();
    key
}

fn call(key: &PaymentKey, amount: Option<i64>, idem: &str) -> CancelCall {
    CancelCall {
        payment_key: key.clone(),
        reason: "고객 변심".into(),
        amount: amount.map(|won| Krw::new(won).unwrap()),
        idempotency_key: IdempotencyKey::parse(idem).unwrap(),
    }
}

#[tokio::test]
async fn a_partial_then_a_full_cancel() {
    let world = World::new().await;
    let key = paid(&world, "HC-order_cancels01", 58_000).await;
    let partial = world
        .client
        .cancel(&call(&key, Some(8_000), "c-1"))
        .await
        .unwrap();
    assert_eq!(partial.status, ProviderStatus::PartialCanceled);
    assert_eq!(partial.balance_amount.won(), 50_000);
    let rest = world.client.cancel(&call(&key, None, "c-2")).await.unwrap();
    assert_eq!(rest.balance_amount, Krw::ZERO);
    assert_eq!(rest.cancels.len(), 2);
    let error = world
        .client
        .cancel(&call(&key, None, "c-3"))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Rejected(ref f) if f.code == "NOT_CANCELABLE_AMOUNT"));
}

#[tokio::test]
async fn a_cancel_retried_with_its_key_happens_once() {
    let world = World::new().await;
    let key = paid(&world, "HC-order_cancels02", 10_000).await;
    let first = world
        .client
        .cancel(&call(&key, Some(1_000), "same-key"))
        .await
        .unwrap();
    let again = world
        .client
        .cancel(&call(&key, Some(1_000), "same-key"))
        .await
        .unwrap();
    assert_eq!(first.raw, again.raw);
    let now = world
        .client
        .get_by_payment_key(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.balance_amount.won(), 9_000);
}

#[tokio::test]
async fn too_much_is_a_definite_rejection() {
    let world = World::new().await;
    let key = paid(&world, "HC-order_cancels03", 10_000).await;
    let error = world
        .client
        .cancel(&call(&key, Some(10_001), "c-x"))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Rejected(ref f) if f.code == "NOT_CANCELABLE_AMOUNT"));
    let full = world.client.cancel(&call(&key, None, "c-y")).await.unwrap();
    assert_eq!(full.status, ProviderStatus::Canceled);
}
