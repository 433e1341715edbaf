//! Outages: what the adapter reports, and that a retry never charges twice.

use std::time::Duration;

use commerce_domain::ports::{GatewayError, PaymentGateway};
use commerce_domain::provider::ProviderStatus;
use tosspayments_sandbox::FaultMode;

use crate::support::{confirm_call, World};

#[tokio::test]
async fn a_timeout_is_unknown_and_a_retry_with_the_same_key_gets_the_first_answer() {
    let world = World::with(Duration::from_millis(500)).await;
    let key = world
        .authorize("HC-order_faults001", 1_000, "CARD", None)
        .await;
    world.sandbox.inject_faults(FaultMode::Timeout, 1);
    let call = confirm_call(&key, "HC-order_faults001", 1_000, "idem-timeout");
    let error = world.client.confirm(&call).await.unwrap_err();
    assert!(
        matches!(error, GatewayError::Unknown { ref reason } if reason.contains("in time")),
        "{error:?}"
    );
    assert_eq!(world.status_of(&key), "DONE", "Toss did approve it");

    // Once the held answer is stored, the same key replays it: approved once, never twice.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let replay = world.client.confirm(&call).await.unwrap();
    assert_eq!(replay.status, ProviderStatus::Done);
    assert_eq!(world.sandbox.approved_count(), 1);
}

#[tokio::test]
async fn a_dropped_answer_is_retried_with_the_same_key_and_replayed() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_faults002", 1_000, "CARD", None)
        .await;
    world.sandbox.inject_faults(FaultMode::Reset, 1);
    let payment = world
        .client
        .confirm(&confirm_call(
            &key,
            "HC-order_faults002",
            1_000,
            "idem-reset",
        ))
        .await
        .unwrap();
    assert_eq!(payment.status, ProviderStatus::Done);
    assert_eq!(
        world.sandbox.approved_count(),
        1,
        "one approval despite two sends"
    );
}

#[tokio::test]
async fn repeated_drops_are_unknown() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_faults003", 1_000, "CARD", None)
        .await;
    world.sandbox.inject_faults(FaultMode::Reset, 2);
    let error = world
        .client
        .confirm(&confirm_call(
            &key,
            "HC-order_faults003",
            1_000,
            "idem-reset2",
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Unknown { .. }), "{error:?}");
}

#[tokio::test]
async fn a_500_is_unknown_and_nothing_was_approved() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_faults004", 1_000, "CARD", None)
        .await;
    world.sandbox.inject_faults(FaultMode::Http500, 1);
    let error = world
        .client
        .confirm(&confirm_call(&key, "HC-order_faults004", 1_000, "idem-500"))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Unknown { .. }));
    assert_eq!(world.status_of(&key), "IN_PROGRESS");
}

#[tokio::test]
async fn an_unreachable_toss_is_unknown() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = commerce_tosspayments::TossClient::new(&commerce_tosspayments::TossConfig::new(
        format!("http://127.0.0.1:{port}"),
        commerce_tosspayments::SecretKey::new("test_sk_x"),
    ))
    .unwrap();
    let key = commerce_domain::ids::PaymentKey::parse("tgen_x").unwrap();
    let error = client
        .confirm(&confirm_call(&key, "HC-order_faults005", 1, "idem-down"))
        .await
        .unwrap_err();
    let GatewayError::Unknown { reason } = error else {
        panic!("expected unknown");
    };
    assert!(reason.contains("could not be reached"), "{reason}");
    assert!(!reason.contains("test_sk_x"), "no secret in errors");
}
