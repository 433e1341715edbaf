//! `Idempotency-Key`: replay of the first answer, errors included; 409 while in flight.

use serde_json::json;
use tosspayments_sandbox::FaultMode;

use crate::support::Sandbox;

#[tokio::test]
async fn a_replayed_key_gets_the_first_answer_whatever_the_body() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_replay001", 1_000, "CARD").await;
    let body = json!({"paymentKey": key, "orderId": "HC-order_replay001", "amount": 1_000});
    let (first_status, first) = sandbox
        .post(
            "/v1/payments/confirm",
            body,
            &[("Idempotency-Key", "idem-1")],
        )
        .await;
    assert_eq!(first_status, 200);
    let response = sandbox
        .http
        .post(sandbox.url("/v1/payments/confirm"))
        .header(
            "authorization",
            crate::support::basic(crate::support::SECRET_KEY),
        )
        .header("Idempotency-Key", "idem-1")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["idempotency-key"], "idem-1");
    let replayed: serde_json::Value = response.json().await.unwrap();
    assert_eq!(replayed, first, "the stored answer, byte for byte");
}

#[tokio::test]
async fn a_stored_error_is_replayed_even_for_a_corrected_request() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_replay002", 1_000, "CARD").await;
    let wrong = json!({"paymentKey": key, "orderId": "HC-order_replay002", "amount": 5});
    let right = json!({"paymentKey": key, "orderId": "HC-order_replay002", "amount": 1_000});
    let (status, _) = sandbox
        .post(
            "/v1/payments/confirm",
            wrong,
            &[("Idempotency-Key", "idem-2")],
        )
        .await;
    assert_eq!(status, 400);
    let (status, error) = sandbox
        .post(
            "/v1/payments/confirm",
            right.clone(),
            &[("Idempotency-Key", "idem-2")],
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert_eq!(sandbox.status_of(&key).await, "IN_PROGRESS");
    let (status, _) = sandbox
        .post(
            "/v1/payments/confirm",
            right,
            &[("Idempotency-Key", "idem-3")],
        )
        .await;
    assert_eq!(status, 200, "a new key is a new request");
}

#[tokio::test]
async fn a_key_over_300_characters_is_invalid() {
    let sandbox = Sandbox::start().await;
    let long = "k".repeat(301);
    let (status, error) = sandbox
        .post(
            "/v1/payments/confirm",
            json!({}),
            &[("Idempotency-Key", long.as_str())],
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("INVALID_IDEMPOTENCY_KEY"))
    );
}

#[tokio::test]
async fn a_request_still_in_flight_answers_409_then_the_stored_answer() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_inflight", 1_000, "CARD").await;
    let body = json!({"paymentKey": key, "orderId": "HC-order_inflight", "amount": 1_000});
    sandbox.handle.inject_faults(FaultMode::Timeout, 1);
    let slow = {
        let http = sandbox.http.clone();
        let url = sandbox.url("/v1/payments/confirm");
        let body = body.clone();
        tokio::spawn(async move {
            http.post(url)
                .header(
                    "authorization",
                    crate::support::basic(crate::support::SECRET_KEY),
                )
                .header("Idempotency-Key", "idem-slow")
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, error) = sandbox
        .post(
            "/v1/payments/confirm",
            body.clone(),
            &[("Idempotency-Key", "idem-slow")],
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("IDEMPOTENT_REQUEST_PROCESSING"))
    );
    assert_eq!(slow.await.unwrap().unwrap(), 200);
    let (status, payment) = sandbox
        .post(
            "/v1/payments/confirm",
            body,
            &[("Idempotency-Key", "idem-slow")],
        )
        .await;
    assert_eq!((status, payment["status"].as_str()), (200, Some("DONE")));
}
