//! Confirm and the reads: shapes, statuses and errors as `toss-api.md` §4–§6 describe them.

use chrono::Duration;
use serde_json::json;

use crate::support::Sandbox;

/// Every field of the Payment object (§5); all are present, unused ones null.
const PAYMENT_FIELDS: &[&str] = &[
    "mId",
    "version",
    "paymentKey",
    "lastTransactionKey",
    "type",
    "orderId",
    "orderName",
    "status",
    "requestedAt",
    "approvedAt",
    "useEscrow",
    "cultureExpense",
    "method",
    "currency",
    "totalAmount",
    "balanceAmount",
    "suppliedAmount",
    "vat",
    "taxFreeAmount",
    "taxExemptionAmount",
    "isPartialCancelable",
    "cancels",
    "card",
    "virtualAccount",
    "transfer",
    "mobilePhone",
    "giftCertificate",
    "easyPay",
    "cashReceipt",
    "cashReceipts",
    "discount",
    "secret",
    "receipt",
    "checkout",
    "country",
    "failure",
    "metadata",
];

#[tokio::test]
async fn a_card_confirm_answers_a_complete_done_payment() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_card0001", 58_000, "CARD").await;
    let (status, payment) = sandbox
        .confirm(&key, "HC-order_card0001", json!(58_000))
        .await;
    assert_eq!(status, 200);
    for field in PAYMENT_FIELDS {
        assert!(payment.get(field).is_some(), "{field} missing");
    }
    assert_eq!(payment["status"], "DONE");
    assert_eq!(payment["method"], "카드");
    assert_eq!(payment["version"], "2022-11-16");
    assert_eq!(payment["type"], "NORMAL");
    assert_eq!(payment["paymentKey"], key.as_str());
    assert_eq!(payment["totalAmount"], 58_000);
    assert_eq!(payment["balanceAmount"], 58_000);
    assert_eq!(payment["card"]["approveNo"], "00000000");
    assert_eq!(payment["card"]["acquireStatus"], "READY");
    assert!(payment["approvedAt"].as_str().unwrap().ends_with("+09:00"));
    assert!(payment["lastTransactionKey"].is_string());
    assert!(payment["virtualAccount"].is_null());
    assert!(payment["failure"].is_null());
}

#[tokio::test]
async fn the_amount_may_be_a_numeric_string_as_toss_samples_send_it() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_string01", 50_000, "CARD").await;
    let (status, payment) = sandbox
        .confirm(&key, "HC-order_string01", json!("50000"))
        .await;
    assert_eq!((status, payment["status"].as_str()), (200, Some("DONE")));
}

#[tokio::test]
async fn a_second_confirm_a_wrong_amount_and_an_unknown_key_are_refused() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_second01", 1_000, "CARD").await;
    let (status, error) = sandbox.confirm(&key, "HC-order_second01", json!(999)).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert_eq!(sandbox.status_of(&key).await, "IN_PROGRESS");
    sandbox
        .confirm(&key, "HC-order_second01", json!(1_000))
        .await;
    let (status, error) = sandbox
        .confirm(&key, "HC-order_second01", json!(1_000))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("ALREADY_PROCESSED_PAYMENT"))
    );
    let (status, error) = sandbox
        .confirm("no_such_key", "HC-order_second01", json!(1))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (404, Some("NOT_FOUND_PAYMENT"))
    );
    let (status, error) = sandbox
        .post("/v1/payments/confirm", json!({"paymentKey": key}), &[])
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert!(error["message"].is_string());
}

#[tokio::test]
async fn after_ten_minutes_the_confirm_window_is_closed_for_good() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_window01", 1_000, "CARD").await;
    sandbox
        .clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let (status, error) = sandbox
        .confirm(&key, "HC-order_window01", json!(1_000))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (404, Some("NOT_FOUND_PAYMENT_SESSION"))
    );
    let (_, payment) = sandbox.get(&format!("/v1/payments/{key}")).await;
    assert_eq!(payment["status"], "EXPIRED");
    assert!(payment["method"].is_null());
    assert_eq!(payment["failure"]["code"], "EXPIRED_PAYMENT");
}

#[tokio::test]
async fn within_ten_minutes_the_confirm_is_accepted() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_window02", 1_000, "CARD").await;
    sandbox.clock.advance(Duration::minutes(9));
    let (status, _) = sandbox
        .confirm(&key, "HC-order_window02", json!(1_000))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_virtual_account_waits_then_a_deposit_completes_it() {
    let sandbox = Sandbox::start().await;
    let key = sandbox
        .authorize("HC-order_vacct001", 58_000, "VIRTUAL_ACCOUNT")
        .await;
    let (status, payment) = sandbox
        .confirm(&key, "HC-order_vacct001", json!(58_000))
        .await;
    assert_eq!(status, 200);
    assert_eq!(payment["status"], "WAITING_FOR_DEPOSIT");
    assert_eq!(payment["method"], "가상계좌");
    assert!(payment["approvedAt"].is_null());
    let account = &payment["virtualAccount"];
    assert!(account["accountNumber"].as_str().unwrap().starts_with('X'));
    assert_eq!(account["bankCode"], "88");
    assert!(account["dueDate"].as_str().unwrap().ends_with("+09:00"));
    let secret = payment["secret"].as_str().unwrap();
    assert!(secret.starts_with("ps_") && secret.len() == 31);

    let deposit = sandbox
        .http
        .post(sandbox.url(&format!("/sandbox/v1/payments/{key}/deposit")))
        .send()
        .await
        .unwrap();
    assert_eq!(deposit.status(), 200);
    let (_, payment) = sandbox.get("/v1/payments/orders/HC-order_vacct001").await;
    assert_eq!(payment["status"], "DONE");
    assert!(payment["approvedAt"].is_string());
    assert_eq!(payment["virtualAccount"]["settlementStatus"], "COMPLETED");
}

#[tokio::test]
async fn each_method_carries_its_korean_name_and_sub_object() {
    let sandbox = Sandbox::start().await;
    for (n, (method, korean, object)) in [
        ("TRANSFER", "계좌이체", "transfer"),
        ("MOBILE_PHONE", "휴대폰", "mobilePhone"),
        ("EASY_PAY", "간편결제", "easyPay"),
    ]
    .into_iter()
    .enumerate()
    {
        let order = format!("HC-order_method{n:03}");
        let key = sandbox.authorize(&order, 10_000, method).await;
        let (_, payment) = sandbox.confirm(&key, &order, json!(10_000)).await;
        assert_eq!(payment["method"], korean);
        assert!(payment[object].is_object(), "{object}");
    }
}

#[tokio::test]
async fn reads_by_key_and_by_order_agree_and_unknown_ones_are_not_found() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_reads001", 1_000, "CARD").await;
    let (_, by_key) = sandbox.get(&format!("/v1/payments/{key}")).await;
    let (_, by_order) = sandbox.get("/v1/payments/orders/HC-order_reads001").await;
    assert_eq!(by_key, by_order);
    assert_eq!(by_key["status"], "IN_PROGRESS");
    let (status, error) = sandbox.get("/v1/payments/unknown_key").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (404, Some("NOT_FOUND_PAYMENT"))
    );
    let (status, _) = sandbox.get("/v1/payments/orders/HC-unknown-order").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_test_code_forces_an_error_and_a_rejection_aborts_the_payment() {
    let sandbox = Sandbox::start().await;
    let key = sandbox.authorize("HC-order_testcode", 1_000, "CARD").await;
    let (status, error) = sandbox
        .post(
            "/v1/payments/confirm",
            json!({"paymentKey": key, "orderId": "HC-order_testcode", "amount": 1_000}),
            &[("TossPayments-Test-Code", "REJECT_CARD_COMPANY")],
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("REJECT_CARD_COMPANY"))
    );
    let (_, payment) = sandbox.get(&format!("/v1/payments/{key}")).await;
    assert_eq!(payment["status"], "ABORTED");
    assert_eq!(payment["failure"]["code"], "REJECT_CARD_COMPANY");

    let key = sandbox.authorize("HC-order_testcod2", 1_000, "CARD").await;
    let (status, error) = sandbox
        .post(
            "/v1/payments/confirm",
            json!({"paymentKey": key, "orderId": "HC-order_testcod2", "amount": 1_000}),
            &[("TossPayments-Test-Code", "PROVIDER_ERROR")],
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("PROVIDER_ERROR"))
    );
    assert_eq!(
        sandbox.status_of(&key).await,
        "IN_PROGRESS",
        "transient: still confirmable"
    );
}

#[tokio::test]
async fn the_authorize_route_can_plant_a_confirm_error() {
    let sandbox = Sandbox::start().await;
    let key = sandbox
        .authorize_with(
            json!({"orderId": "HC-order_planted1", "orderName": "x", "amount": 1_000,
                               "method": "CARD", "confirmError": "REJECT_CARD_PAYMENT"}),
        )
        .await;
    let (status, error) = sandbox
        .confirm(&key, "HC-order_planted1", json!(1_000))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("REJECT_CARD_PAYMENT"))
    );
    assert_eq!(
        error["message"].as_str(),
        Some("한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
    );
}
