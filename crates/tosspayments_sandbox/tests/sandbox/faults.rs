//! Injected outages, through the control route.

use std::time::Duration;

use serde_json::json;

use crate::support::{basic, Sandbox, SECRET_KEY};

async fn inject(sandbox: &Sandbox, mode: &str, count: u32) {
    let response = sandbox
        .http
        .post(sandbox.url("/sandbox/v1/faults"))
        .json(&json!({"mode": mode, "count": count}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn http_500_fails_before_processing_for_the_next_n_calls() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_fault500", 1_000, "CARD").await;
    inject(&sandbox, "http_500", 2).await;
    for _ in 0..2 {
        let (status, error) = sandbox
            .confirm(&key, "HC-order_fault500", json!(1_000))
            .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (500, Some("FAILED_INTERNAL_SYSTEM_PROCESSING"))
        );
    }
    assert_eq!(
        sandbox.status_of(&key).await,
        "IN_PROGRESS",
        "nothing was processed"
    );
    let (status, _) = sandbox
        .confirm(&key, "HC-order_fault500", json!(1_000))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reset_processes_the_call_then_drops_the_answer() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_faultrst", 1_000, "CARD").await;
    inject(&sandbox, "reset", 1).await;
    let outcome = async {
        let response = sandbox
            .http
            .post(sandbox.url("/v1/payments/confirm"))
            .header("authorization", basic(SECRET_KEY))
            .json(&json!({"paymentKey": key, "orderId": "HC-order_faultrst", "amount": 1_000}))
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "no complete answer");
    assert_eq!(
        sandbox.status_of(&key).await,
        "DONE",
        "but the confirm happened"
    );
}

#[tokio::test]
async fn timeout_holds_the_answer_past_the_client_s_patience() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_faulttmo", 1_000, "CARD").await;
    inject(&sandbox, "timeout", 1).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let outcome = impatient
        .post(sandbox.url("/v1/payments/confirm"))
        .header("authorization", basic(SECRET_KEY))
        .json(&json!({"paymentKey": key, "orderId": "HC-order_faulttmo", "amount": 1_000}))
        .send()
        .await;
    assert!(outcome.unwrap_err().is_timeout());
    assert_eq!(sandbox.status_of(&key).await, "DONE");
}

#[tokio::test]
async fn a_malformed_fault_request_is_refused() {
    let sandbox = Sandbox::start().await;
    let response = sandbox
        .http
        .post(sandbox.url("/sandbox/v1/faults"))
        .json(&json!({"mode": "explode", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_replayed_answer_goes_through_a_pending_fault_too() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_faultrpl", 1_000, "CARD").await;
    let body = json!({"paymentKey": key, "orderId": "HC-order_faultrpl", "amount": 1_000});
    let (status, _) = sandbox
        .post(
            "/v1/payments/confirm",
            body.clone(),
            &[("Idempotency-Key", "idem-rpl")],
        )
        .await;
    assert_eq!(status, 200);
    inject(&sandbox, "reset", 1).await;
    let replay = async {
        sandbox
            .http
            .post(sandbox.url("/v1/payments/confirm"))
            .header("authorization", basic(SECRET_KEY))
            .header("Idempotency-Key", "idem-rpl")
            .json(&body)
            .send()
            .await?
            .bytes()
            .await
    }
    .await;
    assert!(replay.is_err(), "the fault dropped the replay as well");
    let (status, payment) = sandbox
        .post(
            "/v1/payments/confirm",
            body,
            &[("Idempotency-Key", "idem-rpl")],
        )
        .await;
    assert_eq!((status, payment["status"].as_str()), (200, Some("DONE")));
}
