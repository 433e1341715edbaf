//! Every SPEC §2 error these routes can produce, with its status and JSON shape.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tosspayments_sandbox::FaultMode;

use crate::helpers::{seed_checkout, Answer, TestApp};

fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    assert_eq!(answer.code(), code, "{}", answer.body);
    assert!(answer.body["error"]["type"].is_string());
    assert!(answer.body["error"]["message"].is_string());
    assert!(answer.headers.contains_key("x-request-id"));
}

async fn placed(app: &TestApp, quantity: i64) -> Value {
    let cart = app.cart_with_shirts(quantity).await;
    app.checkout(&cart).await
}

#[tokio::test]
async fn checkout_of_an_empty_cart_is_cart_empty() {
    let app = TestApp::spawn().await;
    let cart = app.post("/v1/storefront/carts", json!({})).await;
    let id = cart.body["id"].as_str().unwrap();
    let answer = app
        .post(
            &format!("/v1/storefront/carts/{id}/checkout"),
            seed_checkout(),
        )
        .await;
    assert_error(&answer, 422, "cart_empty");
}

#[tokio::test]
async fn more_than_the_stock_is_insufficient_stock_at_add_and_at_checkout() {
    let app = TestApp::spawn().await;
    let cart = app.post("/v1/storefront/carts", json!({})).await;
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let mug = app.variant_of("ceramic-mug").await;
    let answer = app
        .post(
            &format!("/v1/storefront/carts/{id}/items"),
            json!({"variant_id": mug, "quantity": 31}),
        )
        .await;
    assert_error(&answer, 409, "insufficient_stock");
    assert_eq!(
        answer.body["error"]["details"],
        json!({"variant_id": mug, "requested": 31, "available": 30})
    );

    let ok = app
        .post(
            &format!("/v1/storefront/carts/{id}/items"),
            json!({"variant_id": mug, "quantity": 20}),
        )
        .await;
    assert_eq!(ok.status, 200);
    // The merchant sells 15 elsewhere meanwhile.
    let product = app
        .admin(Method::GET, "/v1/admin/products?q=Mug", None)
        .await;
    let inventory = product.body["data"][0]["variants"][0]["inventory_item_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let adjusted = app
        .admin(
            Method::POST,
            &format!("/v1/admin/inventory/{inventory}/adjust"),
            Some(json!({"quantity": -15})),
        )
        .await;
    assert_eq!(adjusted.status, 200, "{}", adjusted.body);
    let answer = app
        .post(
            &format!("/v1/storefront/carts/{id}/checkout"),
            seed_checkout(),
        )
        .await;
    assert_error(&answer, 409, "insufficient_stock");
    assert_eq!(answer.body["error"]["details"]["available"], 15);
}

#[tokio::test]
async fn a_wrong_amount_is_payment_amount_mismatch_and_toss_is_never_asked() {
    let app = TestApp::spawn().await;
    let order = placed(&app, 2).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    let answer = app.confirm(&payment_key, &order, json!(5800)).await;
    assert_error(&answer, 422, "payment_amount_mismatch");
    assert_eq!(
        app.toss_status(&payment_key),
        "IN_PROGRESS",
        "never confirmed"
    );
}

#[tokio::test]
async fn a_second_confirm_is_payment_already_confirmed() {
    let app = TestApp::spawn().await;
    let order = placed(&app, 1).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    assert_eq!(
        app.confirm(&payment_key, &order, json!(29000)).await.status,
        200
    );
    let answer = app.confirm(&payment_key, &order, json!(29000)).await;
    assert_error(&answer, 409, "payment_already_confirmed");
}

#[tokio::test]
async fn two_confirms_at_once_are_one_call_and_one_payment_in_progress() {
    let app = TestApp::with(&[("NO_SANDBOX_WEBHOOKS", "1")]).await;
    let order = placed(&app, 1).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    // Toss holds its answer: the first confirm is still running when the second arrives.
    app.sandbox.inject_faults(FaultMode::Timeout, 1);
    let (first, second) = tokio::join!(app.confirm(&payment_key, &order, json!(29000)), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.confirm(&payment_key, &order, json!(29000)).await
    });
    assert_error(&second, 409, "payment_in_progress");
    assert_error(&first, 502, "payment_provider_error");
    assert_eq!(app.sandbox.approved_count(), 1, "approved once");
}

#[tokio::test]
async fn a_confirm_past_the_deadline_is_payment_expired() {
    let app = TestApp::with(&[("HC_PAYMENT_TIMEOUT_SECS", "1")]).await;
    let order = placed(&app, 1).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let answer = app.confirm(&payment_key, &order, json!(29000)).await;
    assert_error(&answer, 410, "payment_expired");
    assert_eq!(app.toss_status(&payment_key), "IN_PROGRESS");
}

#[tokio::test]
async fn a_declined_card_is_payment_confirm_failed_with_toss_s_code() {
    let app = TestApp::spawn().await;
    let order = placed(&app, 1).await;
    let payment_key = app
        .authorize(&order, "CARD", Some("REJECT_CARD_PAYMENT"))
        .await;
    let answer = app.confirm(&payment_key, &order, json!(29000)).await;
    assert_error(&answer, 402, "payment_confirm_failed");
    assert_eq!(
        answer.body["error"]["details"]["provider_code"],
        "REJECT_CARD_PAYMENT"
    );
    assert_eq!(
        answer.body["error"]["details"]["provider_message"],
        "한도초과 혹은 잔액부족으로 결제에 실패했습니다."
    );
    let read = app
        .get(&format!(
            "/v1/storefront/orders/{}",
            order["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(read.body["status"], "pending", "a retry is allowed");
}

#[tokio::test]
async fn an_outage_at_toss_is_payment_provider_error() {
    let app = TestApp::spawn().await;
    let order = placed(&app, 1).await;
    let payment_key = app.authorize(&order, "CARD", None).await;
    app.sandbox.inject_faults(FaultMode::Http500, 1);
    let answer = app.confirm(&payment_key, &order, json!(29000)).await;
    assert_error(&answer, 502, "payment_provider_error");
    assert!(!answer.body.to_string().contains(crate::helpers::TOSS_KEY));
}

#[tokio::test]
async fn another_payment_method_is_unsupported() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(1).await;
    let mut body = seed_checkout();
    body["payment_method"] = json!("stripe");
    let answer = app
        .post(&format!("/v1/storefront/carts/{cart}/checkout"), body)
        .await;
    assert_error(&answer, 422, "unsupported_payment_method");
}

#[tokio::test]
async fn changing_a_checked_out_cart_is_cart_not_active() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let variant = app.variant_of("classic-t-shirt").await;
    let answer = app
        .post(
            &format!("/v1/storefront/carts/{cart}/items"),
            json!({"variant_id": variant}),
        )
        .await;
    assert_error(&answer, 409, "cart_not_active");
    assert_eq!(answer.body["error"]["details"]["order_id"], order["id"]);
    let again = app
        .post(
            &format!("/v1/storefront/carts/{cart}/checkout"),
            seed_checkout(),
        )
        .await;
    assert_error(&again, 409, "cart_not_active");
}

#[tokio::test]
async fn unknown_things_are_their_own_not_found() {
    let app = TestApp::spawn().await;
    assert_error(
        &app.get("/v1/storefront/carts/cart_0000000000000000000000")
            .await,
        404,
        "cart_not_found",
    );
    assert_error(
        &app.get("/v1/storefront/carts/not-an-id").await,
        404,
        "cart_not_found",
    );
    assert_error(
        &app.get("/v1/storefront/orders/order_0000000000000000000000")
            .await,
        404,
        "order_not_found",
    );
    assert_error(
        &app.get("/v1/storefront/products/prod_0000000000000000000000")
            .await,
        404,
        "product_not_found",
    );
    assert_error(
        &app.get("/v1/storefront/products/by-slug/no-such-thing")
            .await,
        404,
        "product_not_found",
    );
    assert_error(
        &app.get("/v1/storefront/nothing/here").await,
        404,
        "resource_not_found",
    );
    let cart = app.post("/v1/storefront/carts", json!({})).await;
    let id = cart.body["id"].as_str().unwrap();
    let answer = app
        .post(
            &format!("/v1/storefront/carts/{id}/items"),
            json!({"variant_id": "var_0000000000000000000000"}),
        )
        .await;
    assert_error(&answer, 404, "variant_not_found");
    let answer = app
        .send(
            Method::DELETE,
            &format!("/v1/storefront/carts/{id}/items/item_0000000000000000000000"),
            Some(&app.publishable),
            None,
            &[],
        )
        .await;
    assert_error(&answer, 404, "resource_not_found");
    let answer = app
        .post(
            "/v1/storefront/payments/confirm",
            json!({"payment_key": "k", "order_id": "HC-order_0000000000000000000000", "amount": 1}),
        )
        .await;
    assert_error(&answer, 404, "order_not_found");
}

#[tokio::test]
async fn malformed_requests_are_invalid_request_in_the_one_shape() {
    let app = TestApp::spawn().await;
    let cart = app.post("/v1/storefront/carts", json!({})).await;
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let items = format!("{}/v1/storefront/carts/{id}/items", app.base);
    let send = |body: &'static str, content_type: &'static str| {
        app.http
            .post(&items)
            .header("authorization", format!("Bearer {}", app.publishable))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (body, content_type) in [
        ("{not json", "application/json"),
        ("{}", "application/json"),
        (r#"{"variant_id": 42}"#, "application/json"),
        (r#"{"variant_id": "var_x"}"#, "text/plain"),
    ] {
        let response = send(body, content_type).await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let json: Value = response.json().await.unwrap();
        assert_eq!(json["error"]["code"], "invalid_request", "{body}");
    }
    let variant = app.variant_of("classic-t-shirt").await;
    for quantity in [0, 1000, -1] {
        let answer = app
            .post(
                &format!("/v1/storefront/carts/{id}/items"),
                json!({"variant_id": variant, "quantity": quantity}),
            )
            .await;
        assert_error(&answer, 400, "invalid_request");
        assert_eq!(
            answer.body["error"]["details"]["errors"][0]["field"],
            "quantity"
        );
    }
    let huge = json!({"session_id": "s", "metadata": {"blob": "x".repeat(70 * 1024)}});
    let answer = app.post("/v1/storefront/carts", huge).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_eq!(answer.code(), "payload_too_large");

    let mut body = seed_checkout();
    body["shipping_address"]["country"] = json!("XX");
    body["email"] = json!("nobody");
    let answer = app
        .post(&format!("/v1/storefront/carts/{id}/checkout"), body)
        .await;
    assert_error(&answer, 400, "invalid_request");
    let answer = app.get("/v1/storefront/products?limit=500").await;
    assert_error(&answer, 400, "invalid_request");
    let answer = app
        .post("/v1/storefront/payments/confirm", json!({"payment_key": "k", "order_id": "HC-order_x0000000000000000000000", "amount": "lots"}))
        .await;
    assert_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn nul_characters_are_refused_before_they_reach_the_database() {
    let app = TestApp::spawn().await;
    let answer = app
        .post("/v1/storefront/carts", json!({"session_id": "a\u{0}b"}))
        .await;
    assert_error(&answer, 400, "invalid_request");
    let answer = app.get("/v1/storefront/products?starting_after=%00").await;
    assert_error(&answer, 400, "invalid_request");
    let raw = app
        .http
        .post(format!("{}/v1/webhooks/tosspayments", app.base))
        .header("content-type", "application/json")
        .body(vec![0xff_u8, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request");
    let fine = app
        .post("/v1/storefront/carts", json!({"session_id": "a\\u0000b"}))
        .await;
    assert_eq!(fine.status, 201, "{}", fine.body);
}
