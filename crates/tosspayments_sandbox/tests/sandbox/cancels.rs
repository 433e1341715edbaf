//! Toss's cancel rules over HTTP.

use serde_json::{json, Value};

use crate::support::Sandbox;

async fn paid(sandbox: &Sandbox, order: &str, amount: i64, method: &str) -> String {
    let key = sandbox.authorize(order, amount, method).await;
    sandbox.confirm(&key, order, json!(amount)).await;
    key
}

async fn cancel(sandbox: &Sandbox, key: &str, body: Value, idem: &str) -> (u16, Value) {
    sandbox
        .post(
            &format!("/v1/payments/{key}/cancel"),
            body,
            &[("Idempotency-Key", idem)],
        )
        .await
}

#[tokio::test]
async fn partial_then_rest_leaves_partial_canceled_with_zero_balance_then_403() {
    let sandbox = Sandbox::start().await;
    let key = paid(&sandbox, "HC-order_cancel001", 58_000, "CARD").await;
    let (status, payment) = cancel(
        &sandbox,
        &key,
        json!({"cancelReason": "고객 변심", "cancelAmount": 8_000}),
        "c1",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(payment["status"], "PARTIAL_CANCELED");
    assert_eq!(payment["balanceAmount"], 50_000);
    let first = &payment["cancels"][0];
    assert_eq!(first["cancelAmount"], 8_000);
    assert_eq!(first["refundableAmount"], 50_000);
    assert_eq!(first["cancelStatus"], "DONE");
    assert_eq!(payment["lastTransactionKey"], first["transactionKey"]);

    let (status, error) = cancel(
        &sandbox,
        &key,
        json!({"cancelReason": "x", "cancelAmount": 50_001}),
        "c2",
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("NOT_CANCELABLE_AMOUNT"))
    );

    let (_, payment) = cancel(&sandbox, &key, json!({"cancelReason": "나머지"}), "c3").await;
    assert_eq!(payment["status"], "PARTIAL_CANCELED");
    assert_eq!(payment["balanceAmount"], 0);
    assert_eq!(payment["cancels"].as_array().unwrap().len(), 2);

    let (status, error) = cancel(&sandbox, &key, json!({"cancelReason": "again"}), "c4").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("NOT_CANCELABLE_AMOUNT"))
    );
}

#[tokio::test]
async fn a_single_full_cancel_is_canceled_then_400_already_canceled() {
    let sandbox = Sandbox::start().await;
    let key = paid(&sandbox, "HC-order_cancel002", 10_000, "CARD").await;
    let (status, payment) = cancel(&sandbox, &key, json!({"cancelReason": "전체"}), "d1").await;
    assert_eq!(
        (status, payment["status"].as_str()),
        (200, Some("CANCELED"))
    );
    assert_eq!(payment["balanceAmount"], 0);
    let (status, error) = cancel(&sandbox, &key, json!({"cancelReason": "again"}), "d2").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("ALREADY_CANCELED_PAYMENT"))
    );
}

#[tokio::test]
async fn a_cancel_replayed_with_its_key_cancels_once() {
    let sandbox = Sandbox::start().await;
    let key = paid(&sandbox, "HC-order_cancel003", 10_000, "CARD").await;
    let body = json!({"cancelReason": "부분", "cancelAmount": 1_000});
    let (_, first) = cancel(&sandbox, &key, body.clone(), "same").await;
    let (_, second) = cancel(&sandbox, &key, body, "same").await;
    assert_eq!(first, second);
    let (_, payment) = sandbox.get(&format!("/v1/payments/{key}")).await;
    assert_eq!(payment["balanceAmount"], 9_000);
}

#[tokio::test]
async fn a_waiting_virtual_account_cancels_only_in_full() {
    let sandbox = Sandbox::start().await;
    let key = paid(&sandbox, "HC-order_cancel004", 10_000, "VIRTUAL_ACCOUNT").await;
    let (status, error) = cancel(
        &sandbox,
        &key,
        json!({"cancelReason": "x", "cancelAmount": 1_000}),
        "e1",
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"))
    );
    let (status, payment) = cancel(
        &sandbox,
        &key,
        json!({"cancelReason": "입금 전 취소"}),
        "e2",
    )
    .await;
    assert_eq!(
        (status, payment["status"].as_str()),
        (200, Some("CANCELED"))
    );
}

#[tokio::test]
async fn cancels_need_a_reason_a_cancellable_state_and_a_matching_refundable_amount() {
    let sandbox = Sandbox::start().await;
    let unpaid = sandbox
        .authorize("HC-order_cancel005", 10_000, "CARD")
        .await;
    let (status, error) = cancel(&sandbox, &unpaid, json!({"cancelReason": "x"}), "f1").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("NOT_CANCELABLE_PAYMENT"))
    );
    let key = paid(&sandbox, "HC-order_cancel006", 10_000, "CARD").await;
    let (status, error) = cancel(&sandbox, &key, json!({}), "f2").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    let (status, error) = cancel(
        &sandbox,
        &key,
        json!({"cancelReason": "x", "cancelAmount": 1_000, "refundableAmount": 5_000}),
        "f3",
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("NOT_MATCHES_REFUNDABLE_AMOUNT"))
    );
    let (status, error) = cancel(&sandbox, "no_such_key", json!({"cancelReason": "x"}), "f4").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (404, Some("NOT_FOUND_PAYMENT"))
    );
}

#[tokio::test]
async fn the_dashboard_route_cancels_like_the_api() {
    let sandbox = Sandbox::start().await;
    let key = paid(&sandbox, "HC-order_cancel007", 10_000, "CARD").await;
    let response = sandbox
        .http
        .post(sandbox.url(&format!("/sandbox/v1/payments/{key}/cancel")))
        .json(&json!({"cancelReason": "대시보드", "cancelAmount": 4_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let payment: Value = response.json().await.unwrap();
    assert_eq!(payment["status"], "PARTIAL_CANCELED");
    assert_eq!(payment["balanceAmount"], 6_000);
}
