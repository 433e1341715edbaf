//! `Idempotency-Key` on POSTs.

use reqwest::Method;
use serde_json::json;
use tosspayments_sandbox::FaultMode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_same_key_and_request_replay_the_first_answer() {
    let app = TestApp::spawn().await;
    let key = [("Idempotency-Key", "create-cart-1")];
    let body = json!({"session_id": "sess_idem"});
    let first = app
        .send(
            Method::POST,
            "/v1/storefront/carts",
            Some(&app.publishable),
            Some(body.clone()),
            &key,
        )
        .await;
    let second = app
        .send(
            Method::POST,
            "/v1/storefront/carts",
            Some(&app.publishable),
            Some(body),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(first.body, second.body, "one cart, not two");
    assert_eq!(second.headers["idempotent-replayed"], "true");
}

#[tokio::test]
async fn the_same_key_with_another_request_is_idempotency_key_reused() {
    let app = TestApp::spawn().await;
    let key = [("Idempotency-Key", "create-cart-2")];
    app.send(
        Method::POST,
        "/v1/storefront/carts",
        Some(&app.publishable),
        Some(json!({"session_id": "a"})),
        &key,
    )
    .await;
    let reused = app
        .send(
            Method::POST,
            "/v1/storefront/carts",
            Some(&app.publishable),
            Some(json!({"session_id": "b"})),
            &key,
        )
        .await;
    assert_eq!(
        (reused.status.as_u16(), reused.code()),
        (409, "idempotency_key_reused")
    );
    let other_key_scope = app
        .send(
            Method::POST,
            "/v1/storefront/carts",
            Some(&app.secret),
            Some(json!({"session_id": "b"})),
            &key,
        )
        .await;
    assert_eq!(other_key_scope.status, 201, "keys are scoped per API key");
}

#[tokio::test]
async fn a_key_whose_request_is_still_running_is_idempotency_key_in_use() {
    let app = TestApp::with(&[("NO_SANDBOX_WEBHOOKS", "1")]).await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    app.sandbox.inject_faults(FaultMode::Timeout, 1);
    let body = json!({"payment_key": payment_key, "order_id": order["toss_payment"]["order_id"], "amount": 29000});
    let key = [("Idempotency-Key", "confirm-1")];
    let (first, second) = tokio::join!(
        app.send(
            Method::POST,
            "/v1/storefront/payments/confirm",
            Some(&app.publishable),
            Some(body.clone()),
            &key
        ),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            app.send(
                Method::POST,
                "/v1/storefront/payments/confirm",
                Some(&app.publishable),
                Some(body.clone()),
                &key,
            )
            .await
        }
    );
    assert_eq!(
        (second.status.as_u16(), second.code()),
        (409, "idempotency_key_in_use")
    );
    assert_eq!(first.code(), "payment_provider_error");
    // A 5xx is not stored: the same key may retry, and now runs the confirm again.
    let third = app
        .send(
            Method::POST,
            "/v1/storefront/payments/confirm",
            Some(&app.publishable),
            Some(body),
            &key,
        )
        .await;
    assert_eq!(third.code(), "payment_in_progress", "{}", third.body);
}
