//! Webhooks in and out, and the jobs that keep money and stock right (the webhooks issue).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use tosspayments_sandbox::FaultMode;

use crate::helpers::{eventually, Receiver, TestApp, TOSS_KEY};

const INBOUND_SECRET: &str = "toss_inbound_secret";

/// base64(HMAC-SHA256(secret, raw body)), made as the seed's `verifyTossWebhook` expects.
fn seed_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn hex_hmac(secret: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn post_webhook(app: &TestApp, body: &str, headers: &[(&str, String)]) -> (u16, Value) {
    let mut request = app
        .http
        .post(format!("{}/v1/webhooks/tosspayments", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Posts `body` as Toss's transmission `transmission`.
async fn post_transmission(app: &TestApp, body: &str, transmission: &str) -> (u16, Value) {
    post_webhook(
        app,
        body,
        &[(
            "tosspayments-webhook-transmission-id",
            transmission.to_owned(),
        )],
    )
    .await
}

async fn order_state(app: &TestApp, order: &Value) -> (String, String) {
    let read = app
        .get(&format!(
            "/v1/storefront/orders/{}",
            order["id"].as_str().unwrap()
        ))
        .await;
    (
        read.body["status"].as_str().unwrap().to_owned(),
        read.body["payment_status"].as_str().unwrap().to_owned(),
    )
}

async fn shirt_stock(app: &TestApp) -> i64 {
    app.get("/v1/storefront/products/by-slug/classic-t-shirt")
        .await
        .body["variants"][0]["stock"]
        .as_i64()
        .unwrap()
}

/// A paid order of `quantity` shirts; returns (order, payment key).
async fn paid(app: &TestApp, quantity: i64) -> (Value, String) {
    let cart = app.cart_with_shirts(quantity).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "CARD", None).await;
    let confirmed = app.confirm(&key, &order, json!(29_000 * quantity)).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    (order, key)
}

async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let created = app
        .admin(
            Method::POST,
            "/v1/admin/webhooks",
            Some(json!({"url": url, "events": events})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    (
        created.body["id"].as_str().unwrap().to_owned(),
        created.body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn dashboard_cancel(app: &TestApp, key: &str, amount: Option<i64>) {
    let mut body = json!({"cancelReason": "고객 요청"});
    if let Some(amount) = amount {
        body["cancelAmount"] = json!(amount);
    }
    let response = app
        .http
        .post(format!(
            "{}/sandbox/v1/payments/{key}/cancel",
            app.sandbox.base_url()
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn dashboard_cancels_refund_twice_with_verifiable_deliveries_and_restock() {
    let app = TestApp::with(&[
        ("TOSS_WEBHOOK_SECRET", INBOUND_SECRET),
        ("HC_WEBHOOK_INTERVAL_MS", "50"),
        ("HC_WEBHOOK_RETRY_SCALE", "0.001"),
    ])
    .await;
    let receiver = Receiver::start(Vec::new()).await;
    let (_, secret) = subscribe(
        &app,
        &receiver.url,
        &["payment.refunded", "order.cancelled"],
    )
    .await;
    let before = shirt_stock(&app).await;
    let (order, key) = paid(&app, 2).await;
    assert_eq!(shirt_stock(&app).await, before - 2);

    dashboard_cancel(&app, &key, Some(8_000)).await;
    eventually("a partial refund", || async {
        order_state(&app, &order).await.1 == "partially_refunded"
    })
    .await;
    assert_eq!(order_state(&app, &order).await.0, "confirmed");

    dashboard_cancel(&app, &key, None).await;
    eventually("the full refund", || async {
        order_state(&app, &order).await == ("cancelled".into(), "refunded".into())
    })
    .await;
    let read = app
        .get(&format!(
            "/v1/storefront/orders/{}",
            order["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        read.body["refunded_total"],
        json!({"amount": 58000, "currency": "KRW"})
    );
    assert_eq!(read.body["refunds"].as_array().unwrap().len(), 2);
    assert_eq!(read.body["cancel_reason"], "refunded");
    assert_eq!(
        shirt_stock(&app).await,
        before,
        "stock back after the full cancel"
    );

    eventually("two payment.refunded deliveries", || async {
        receiver.of_type("payment.refunded").len() == 2
    })
    .await;
    eventually("order.cancelled delivered", || async {
        receiver.of_type("order.cancelled").len() == 1
    })
    .await;
    let refunds = receiver.of_type("payment.refunded");
    let amounts: Vec<i64> = refunds
        .iter()
        .map(|r| r.json()["data"]["amount"]["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![8_000, 50_000]);
    tokio::task::spawn_blocking(crate::sdk::install_sdk)
        .await
        .unwrap();
    for delivery in &refunds {
        // The plain signature, checked by the published SDK itself.
        let checked = tokio::process::Command::new("node")
            .arg("verify.mjs")
            .current_dir(crate::sdk::sdk_dir())
            .env("PAYLOAD", &delivery.body)
            .env("SIGNATURE", delivery.header("x-webhook-signature").unwrap())
            .env("SECRET", &secret)
            .output()
            .await
            .unwrap();
        assert!(
            checked.status.success(),
            "{}",
            String::from_utf8_lossy(&checked.stdout)
        );
        // The timestamped one, checked here.
        let stamped = delivery.header("x-webhook-signature-256").unwrap();
        let timestamp = delivery.header("x-webhook-timestamp").unwrap();
        let expected = format!(
            "t={timestamp},v1={}",
            hex_hmac(&secret, &format!("{timestamp}.{}", delivery.body))
        );
        assert_eq!(stamped, expected);
        assert_eq!(
            delivery.header("x-webhook-id"),
            delivery.json()["id"].as_str()
        );
        assert_eq!(delivery.json()["livemode"], false);
    }
}

#[tokio::test]
async fn the_seed_signature_is_accepted_and_a_wrong_or_missing_one_is_refused() {
    let app = TestApp::with(&[
        ("TOSS_WEBHOOK_SECRET", INBOUND_SECRET),
        ("NO_SANDBOX_WEBHOOKS", "1"),
    ])
    .await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "CARD", None).await;
    // Toss approved it, but only the webhook tells us.
    let confirmed = app
        .http
        .post(format!("{}/v1/payments/confirm", app.sandbox.base_url()))
        .basic_auth(TOSS_KEY, Some(""))
        .json(&json!({"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "amount": 29000}))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    let body = json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-26T21:00:00.000000",
                      "data": {"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "status": "DONE"}})
    .to_string();

    let (status, answer) = post_webhook(&app, &body, &[]).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    let (status, _) = post_webhook(
        &app,
        &body,
        &[("x-tosspayments-signature", seed_signature("wrong", &body))],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        order_state(&app, &order).await.0,
        "pending",
        "nothing changed"
    );

    let (status, answer) = post_webhook(
        &app,
        &body,
        &[(
            "x-tosspayments-signature",
            seed_signature(INBOUND_SECRET, &body),
        )],
    )
    .await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
    assert_eq!(
        order_state(&app, &order).await,
        ("confirmed".into(), "paid".into())
    );
    let signed = |body: &str| {
        vec![(
            "x-tosspayments-signature",
            seed_signature(INBOUND_SECRET, body),
        )]
    };
    let junk = "{not json";
    let (status, answer) = post_webhook(&app, junk, &signed(junk)).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let unknown_payment =
        json!({"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "tgen_nobody"}})
            .to_string();
    let (status, answer) = post_webhook(&app, &unknown_payment, &signed(&unknown_payment)).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("payment_not_found"))
    );
    let unknown_order =
        json!({"secret": "ps_x", "status": "DONE", "orderId": "HC-order_0000000000000000000000"})
            .to_string();
    let (status, answer) = post_webhook(&app, &unknown_order, &signed(&unknown_order)).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("unknown_order"))
    );
}

#[tokio::test]
async fn redeliveries_and_reversed_events_are_applied_once_and_never_backwards() {
    let app = TestApp::with(&[("NO_SANDBOX_WEBHOOKS", "1")]).await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "CARD", None).await;
    app.http
        .post(format!("{}/v1/payments/confirm", app.sandbox.base_url()))
        .basic_auth(TOSS_KEY, Some(""))
        .json(&json!({"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "amount": 29000}))
        .send()
        .await
        .unwrap();
    let claim = |status: &str| {
        json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-26T21:00:00.000000",
               "data": {"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "status": status}})
        .to_string()
    };
    // ABORTED arrives after DONE was sent, in reverse order, each five times.
    for (status, transmission) in [("ABORTED", "tx-aborted"), ("DONE", "tx-done")] {
        for _ in 0..5 {
            let (code, _) = post_transmission(&app, &claim(status), transmission).await;
            assert_eq!(code, 200);
        }
    }
    for _ in 0..3 {
        post_webhook(&app, &claim("ABORTED"), &[]).await;
    }
    assert_eq!(
        order_state(&app, &order).await,
        ("confirmed".into(), "paid".into())
    );
    let detail = app
        .admin(
            Method::GET,
            &format!("/v1/admin/orders/{}", order["id"].as_str().unwrap()),
            None,
        )
        .await;
    let completed = detail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "payment.completed")
        .count();
    assert_eq!(completed, 1, "applied once");
}

#[tokio::test]
async fn a_done_webhook_for_an_order_already_paid_is_not_read_back_and_any_other_claim_is() {
    let app = TestApp::with(&[("NO_SANDBOX_WEBHOOKS", "1")]).await;
    let (order, key) = paid(&app, 1).await;
    let claim = |status: &str| {
        json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-26T21:00:00.000000",
               "data": {"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "status": status}})
        .to_string()
    };
    // The next call to Toss fails with a 500: a webhook that reads back is answered 503.
    app.sandbox.inject_faults(FaultMode::Http500, 1);
    let done = claim("DONE");
    let (status, answer) = post_transmission(&app, &done, "tx-done-shown").await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("unchanged")),
        "the order already shows DONE for this key: Toss is not asked"
    );
    // Stored with its outcome: a redelivery, or the same body sent again, is a duplicate.
    for transmission in ["tx-done-shown", "tx-done-again"] {
        let (status, answer) = post_transmission(&app, &done, transmission).await;
        assert_eq!(
            (status, answer["result"].as_str()),
            (200, Some("duplicate"))
        );
    }
    // A claim the order does not show is read back: it meets the pending fault.
    let canceled = claim("CANCELED");
    let (status, answer) = post_transmission(&app, &canceled, "tx-canceled-claimed").await;
    assert_eq!(status, 503, "{answer}");
    // Redelivered once Toss answers again, the claim is checked against Toss, which says
    // DONE: nothing changes.
    let (status, answer) = post_transmission(&app, &canceled, "tx-canceled-claimed").await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("unchanged"))
    );
    assert_eq!(
        order_state(&app, &order).await,
        ("confirmed".into(), "paid".into())
    );
}

#[tokio::test]
async fn a_forged_done_for_an_unpaid_order_changes_nothing() {
    let app = TestApp::with(&[
        ("TOSS_WEBHOOK_SECRET", INBOUND_SECRET),
        ("NO_SANDBOX_WEBHOOKS", "1"),
    ])
    .await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "CARD", None).await;
    let body = json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-26T21:00:00.000000",
                      "data": {"paymentKey": key, "orderId": order["toss_payment"]["order_id"], "status": "DONE",
                               "totalAmount": 29000, "approvedAt": "2026-11-26T21:00:00+09:00"}})
    .to_string();
    let (status, answer) = post_webhook(
        &app,
        &body,
        &[(
            "x-tosspayments-signature",
            seed_signature(INBOUND_SECRET, &body),
        )],
    )
    .await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("unchanged"))
    );
    assert_eq!(
        order_state(&app, &order).await,
        ("pending".into(), "unpaid".into()),
        "Toss says IN_PROGRESS"
    );
}

#[tokio::test]
async fn a_deposit_callback_with_the_right_secret_confirms_and_a_wrong_one_is_refused() {
    let app = TestApp::with(&[("NO_SANDBOX_WEBHOOKS", "1")]).await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "VIRTUAL_ACCOUNT", None).await;
    assert_eq!(
        app.confirm(&key, &order, json!(29000)).await.body["status"],
        "waiting_for_deposit"
    );
    let secret = app.sandbox.payment(&key).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.http
        .post(format!(
            "{}/sandbox/v1/payments/{key}/deposit",
            app.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    let callback = |secret: &str| {
        json!({"createdAt": "2026-11-26T21:00:00+09:00", "secret": secret, "status": "DONE",
               "transactionKey": "B7103F204998813B889C77C043D09502", "orderId": order["toss_payment"]["order_id"]})
        .to_string()
    };
    let (status, answer) =
        post_webhook(&app, &callback("ps_wrongwrongwrongwrongwrongwrong"), &[]).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    assert_eq!(order_state(&app, &order).await.1, "awaiting_payment");
    let (status, _) = post_webhook(&app, &callback(&secret), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        order_state(&app, &order).await,
        ("confirmed".into(), "paid".into())
    );
}

#[tokio::test]
async fn a_confirm_cut_off_is_settled_by_reconciliation_without_a_second_charge() {
    let app = TestApp::with(&[
        ("NO_SANDBOX_WEBHOOKS", "1"),
        ("HC_RECONCILE_INTERVAL_SECS", "3600"),
    ])
    .await;
    let cart = app.cart_with_shirts(1).await;
    let order = app.checkout(&cart).await;
    let key = app.authorize(&order, "CARD", None).await;
    app.sandbox.inject_faults(FaultMode::Timeout, 1);
    let cut = app.confirm(&key, &order, json!(29000)).await;
    assert_eq!(cut.code(), "payment_provider_error");
    assert_eq!(order_state(&app, &order).await.0, "pending");
    assert_eq!(app.toss_status(&key), "DONE", "Toss did approve it");
    tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;
    let report = app
        .state
        .jobs
        .reconcile_confirming(chrono::Duration::zero(), 10)
        .await
        .unwrap();
    assert_eq!(report.changed, 1, "{report:?}");
    assert_eq!(
        order_state(&app, &order).await,
        ("confirmed".into(), "paid".into())
    );
    assert_eq!(app.sandbox.approved_count(), 1, "never charged twice");
}

#[tokio::test]
async fn an_unpaid_order_past_its_timeout_is_cancelled_announced_and_no_longer_payable() {
    let app = TestApp::with(&[
        ("HC_PAYMENT_TIMEOUT_SECS", "1"),
        ("HC_EXPIRY_INTERVAL_SECS", "3600"),
        ("HC_WEBHOOK_INTERVAL_MS", "50"),
    ])
    .await;
    let receiver = Receiver::start(Vec::new()).await;
    subscribe(&app, &receiver.url, &["order.cancelled"]).await;
    let before = shirt_stock(&app).await;
    let cart = app.cart_with_shirts(2).await;
    let order = app.checkout(&cart).await;
    assert_eq!(shirt_stock(&app).await, before - 2);
    let key = app.authorize(&order, "CARD", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let report = app.state.jobs.expire_overdue(10).await.unwrap();
    assert_eq!(report.changed, 1);
    let read = app
        .get(&format!(
            "/v1/storefront/orders/{}",
            order["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(read.body["status"], "cancelled");
    assert_eq!(read.body["cancel_reason"], "payment_expired");
    assert_eq!(read.body["payments"][0]["status"], "cancelled");
    assert_eq!(shirt_stock(&app).await, before, "stock back");
    eventually("order.cancelled delivered", || async {
        receiver.of_type("order.cancelled").len() == 1
    })
    .await;
    let delivered = &receiver.of_type("order.cancelled")[0];
    assert_eq!(delivered.json()["data"]["id"], order["id"]);
    assert_eq!(
        app.confirm(&key, &order, json!(58000)).await.code(),
        "payment_expired"
    );
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_succeeds_and_each_attempt_is_listed() {
    let app = TestApp::with(&[
        ("HC_WEBHOOK_INTERVAL_MS", "50"),
        ("HC_WEBHOOK_RETRY_SCALE", "0.001"),
    ])
    .await;
    let receiver = Receiver::start(vec![500, 500, 503]).await;
    let (webhook, _) = subscribe(&app, &receiver.url, &["order.created"]).await;
    let cart = app.cart_with_shirts(1).await;
    app.checkout(&cart).await;
    eventually("a successful delivery", || async {
        receiver.of_type("order.created").len() == 4
    })
    .await;
    eventually("the delivery recorded as succeeded", || async {
        let answer = app
            .admin(
                Method::GET,
                &format!("/v1/admin/webhooks/{webhook}/deliveries"),
                None,
            )
            .await;
        answer.body["data"][0]["status"] == "succeeded"
    })
    .await;
    let answer = app
        .admin(
            Method::GET,
            &format!("/v1/admin/webhooks/{webhook}/deliveries"),
            None,
        )
        .await;
    let listed = answer.body["data"][0].clone();
    let statuses: Vec<_> = listed["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![500, 500, 503, 200]);
    let ids: Vec<_> = receiver
        .of_type("order.created")
        .iter()
        .map(|r| r.header("x-webhook-id").unwrap().to_owned())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "the same event each time"
    );

    let retried = app
        .admin(
            Method::POST,
            &format!(
                "/v1/admin/webhooks/{webhook}/deliveries/{}/retry",
                listed["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(retried.body["status"], "pending");
    eventually("a manual retry delivered", || async {
        receiver.of_type("order.created").len() == 5
    })
    .await;
}

#[tokio::test]
async fn a_410_switches_the_endpoint_off_and_a_test_ping_reports_the_status() {
    let app = TestApp::with(&[("HC_WEBHOOK_INTERVAL_MS", "50")]).await;
    let receiver = Receiver::start(vec![410]).await;
    let (webhook, secret) = subscribe(&app, &receiver.url, &["*"]).await;
    assert!(secret.starts_with("whsec_"));
    let shown = app
        .admin(Method::GET, &format!("/v1/admin/webhooks/{webhook}"), None)
        .await;
    assert_ne!(
        shown.body["secret"],
        secret.as_str(),
        "the secret is shown whole only once"
    );
    let cart = app.cart_with_shirts(1).await;
    app.checkout(&cart).await;
    eventually("the endpoint switched off", || async {
        let answer = app
            .admin(Method::GET, &format!("/v1/admin/webhooks/{webhook}"), None)
            .await;
        answer.body["is_active"] == false
    })
    .await;
    let answer = app
        .admin(Method::GET, &format!("/v1/admin/webhooks/{webhook}"), None)
        .await;
    assert!(answer.body["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("410"));
    let ping = app
        .admin(
            Method::POST,
            &format!("/v1/admin/webhooks/{webhook}/test"),
            None,
        )
        .await;
    assert_eq!(ping.body["success"], true);
    assert_eq!(ping.body["status_code"], 200);
    let removed = app
        .admin(
            Method::DELETE,
            &format!("/v1/admin/webhooks/{webhook}"),
            None,
        )
        .await;
    assert_eq!(removed.body["deleted"], true);
}
