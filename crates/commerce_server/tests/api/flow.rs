//! The seed's flow to the letter, and the virtual-account variant of it.

use serde_json::json;

use crate::helpers::{seed_checkout, TestApp};

#[tokio::test]
async fn the_seed_flow_from_cart_to_confirmed_order() {
    let app = TestApp::spawn().await;
    let cart = app
        .post("/v1/storefront/carts", json!({"session_id": "sess_123"}))
        .await;
    assert_eq!(cart.status, 201);
    assert_eq!(cart.body["status"], "active");
    assert_eq!(cart.body["session_id"], "sess_123");
    let cart_id = cart.body["id"].as_str().unwrap().to_owned();
    assert!(cart_id.starts_with("cart_"));

    let variant = app.variant_of("classic-t-shirt").await;
    let added = app
        .post(
            &format!("/v1/storefront/carts/{cart_id}/items"),
            json!({"variant_id": variant, "quantity": 2}),
        )
        .await;
    assert_eq!(added.status, 200);
    assert_eq!(added.body["items"][0]["quantity"], 2);
    assert_eq!(
        added.body["items"][0]["unit_price"],
        json!({"amount": 29000, "currency": "KRW"})
    );
    assert_eq!(
        added.body["summary"]["total"],
        json!({"amount": 58000, "currency": "KRW"})
    );
    assert_eq!(added.body["summary"]["item_count"], 1);
    assert_eq!(added.body["summary"]["total_quantity"], 2);

    let by_session = app.get("/v1/storefront/carts/by-session/sess_123").await;
    assert_eq!(by_session.body["id"], cart_id.as_str());

    let order = app
        .post(
            &format!("/v1/storefront/carts/{cart_id}/checkout"),
            seed_checkout(),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    let order = order.body;
    let order_id = order["id"].as_str().unwrap();
    assert!(order_id.starts_with("order_"));
    assert_eq!(order["status"], "pending");
    assert_eq!(order["payment_status"], "unpaid");
    assert_eq!(order["total"], json!({"amount": 58000, "currency": "KRW"}));
    assert_eq!(order["shipping_address"]["receiver_name"], "김민수");
    assert_eq!(order["payment"], json!(null));
    let toss = &order["toss_payment"];
    assert_eq!(toss["order_id"], format!("HC-{order_id}"));
    assert_eq!(toss["order_name"], "Classic T-Shirt 외 1건");
    assert_eq!(toss["amount"], 58000);
    assert_eq!(toss["currency"], "KRW");
    assert_eq!(toss["customer_email"], "buyer@example.com");
    assert_eq!(toss["customer_key"], "@@ANONYMOUS");

    let cart_after = app.get(&format!("/v1/storefront/carts/{cart_id}")).await;
    assert_eq!(cart_after.body["status"], "completed");
    assert_eq!(cart_after.body["order_id"], order_id);

    let payment_key = app.authorize(&order, "CARD", None).await;
    let confirmed = app.confirm(&payment_key, &order, json!(58000)).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(confirmed.body["success"], true);
    assert_eq!(confirmed.body["order_id"], order_id);
    assert_eq!(confirmed.body["payment"]["status"], "completed");
    assert_eq!(confirmed.body["payment"]["method"], "card");
    assert_eq!(
        confirmed.body["payment"]["provider_id"],
        payment_key.as_str()
    );

    let read = app.get(&format!("/v1/storefront/orders/{order_id}")).await;
    assert_eq!(read.body["status"], "confirmed");
    assert_eq!(read.body["payment_status"], "paid");
    assert!(read.body["confirmed_at"].is_string());
    let number = read.body["number"].as_str().unwrap();
    let lookup = app
        .get(&format!(
            "/v1/storefront/orders/lookup?number={number}&email=BUYER@example.com"
        ))
        .await;
    assert_eq!(lookup.body["id"], order_id);
    assert_eq!(app.toss_status(&payment_key), "DONE");
}

#[tokio::test]
async fn a_virtual_account_confirm_waits_for_the_deposit() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let payment_key = app.authorize(&order, "VIRTUAL_ACCOUNT", None).await;
    let answer = app.confirm(&payment_key, &order, json!("29000")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["status"], "waiting_for_deposit");
    assert_eq!(answer.body["order"]["status"], "pending");
    assert_eq!(answer.body["order"]["payment_status"], "awaiting_payment");
    let payment = &answer.body["payment"];
    assert_eq!(payment["status"], "pending");
    assert_eq!(payment["method"], "virtual_account");
    assert!(payment["virtual_account"]["account_number"]
        .as_str()
        .unwrap()
        .starts_with('X'));
    assert!(
        payment.get("secret").is_none() && !answer.body.to_string().contains("ps_"),
        "never the deposit secret"
    );
}

#[tokio::test]
async fn the_fail_redirect_records_a_failure_and_the_order_stays_payable() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let failed = app
        .post(
            "/v1/storefront/payments/fail",
            json!({"order_id": order["toss_payment"]["order_id"], "code": "PAY_PROCESS_CANCELED", "message": "사용자에 의해 결제가 취소되었습니다."}),
        )
        .await;
    assert_eq!(failed.status, 200, "{}", failed.body);
    assert_eq!(failed.body["status"], "pending");
    assert_eq!(
        failed.body["payments"][0]["failure"]["code"],
        "PAY_PROCESS_CANCELED"
    );
    let payment_key = app.authorize(&order, "CARD", None).await;
    let confirmed = app.confirm(&payment_key, &order, json!(29000)).await;
    assert_eq!(confirmed.body["status"], "confirmed");
}
