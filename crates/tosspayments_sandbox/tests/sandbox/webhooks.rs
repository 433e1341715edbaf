//! Webhook delivery to a local receiver: envelopes, headers, signature and retries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use tosspayments_sandbox::sign;

use crate::support::Sandbox;

#[derive(Clone, Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A receiver that answers the statuses given, then 200 forever.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(answers: Vec<u16>) -> Receiver {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let answers = Arc::new(Mutex::new(answers));
    let (log, plan) = (received.clone(), answers.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let (log, plan) = (log.clone(), plan.clone());
        App::new().route(
            "/hook",
            web::post().to(move |request: HttpRequest, body: web::Bytes| {
                let (log, plan) = (log.clone(), plan.clone());
                async move {
                    log.lock().unwrap().push(Received {
                        headers: request
                            .headers()
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let mut plan = plan.lock().unwrap();
                    let status = if plan.is_empty() { 200 } else { plan.remove(0) };
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                        .finish()
                }
            }),
        )
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .disable_signals()
    .run();
    tokio::spawn(server);
    Receiver { url, received }
}

async fn wait_for(received: &Arc<Mutex<Vec<Received>>>, count: usize) -> Vec<Received> {
    for _ in 0..200 {
        let now = received.lock().unwrap().clone();
        if now.len() >= count {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "expected {count} webhooks, got {}",
        received.lock().unwrap().len()
    );
}

#[tokio::test]
async fn a_confirm_sends_payment_status_changed_in_the_legacy_envelope() {
    let hook = receiver(vec![]).await;
    let sandbox = Sandbox::with(|c| c.webhook_url = Some(hook.url.clone())).await;
    let key = sandbox.authorize("HC-order_hook0001", 1_000, "CARD").await;
    sandbox
        .confirm(&key, "HC-order_hook0001", json!(1_000))
        .await;
    let got = wait_for(&hook.received, 1).await;
    let body = got[0].json();
    assert_eq!(body["eventType"], "PAYMENT_STATUS_CHANGED");
    assert_eq!(body["data"]["paymentKey"], key.as_str());
    assert_eq!(body["data"]["status"], "DONE");
    let created = body["createdAt"].as_str().unwrap();
    assert!(
        !created.contains('+') && !created.ends_with('Z'),
        "KST without offset: {created}"
    );
    assert!(got[0]
        .header("tosspayments-webhook-transmission-id")
        .is_some());
    assert!(got[0]
        .header("tosspayments-webhook-transmission-time")
        .unwrap()
        .ends_with("+09:00"));
    assert_eq!(
        got[0].header("tosspayments-webhook-retried-count"),
        Some("0")
    );
    assert_eq!(
        got[0].header("x-tosspayments-signature"),
        None,
        "unsigned without a secret"
    );
}

#[tokio::test]
async fn a_deposit_sends_the_flat_deposit_callback_with_the_secret() {
    let hook = receiver(vec![]).await;
    let sandbox = Sandbox::with(|c| c.webhook_url = Some(hook.url.clone())).await;
    let key = sandbox
        .authorize("HC-order_hook0002", 1_000, "VIRTUAL_ACCOUNT")
        .await;
    let (_, waiting) = sandbox
        .confirm(&key, "HC-order_hook0002", json!(1_000))
        .await;
    wait_for(&hook.received, 1).await;
    sandbox
        .http
        .post(sandbox.url(&format!("/sandbox/v1/payments/{key}/deposit")))
        .send()
        .await
        .unwrap();
    let got = wait_for(&hook.received, 3).await;
    let callbacks: Vec<Value> = got
        .iter()
        .map(Received::json)
        .filter(|b| b.get("eventType").is_none())
        .collect();
    assert_eq!(callbacks.len(), 2, "issued, then deposited");
    let done = callbacks.iter().find(|b| b["status"] == "DONE").unwrap();
    assert_eq!(done["secret"], waiting["secret"]);
    assert_eq!(done["orderId"], "HC-order_hook0002");
    assert!(done["transactionKey"].is_string());
    assert!(
        done.get("paymentKey").is_none(),
        "the flat body has no paymentKey"
    );
    assert!(got
        .iter()
        .any(|r| r.json()["eventType"] == "PAYMENT_STATUS_CHANGED"
            && r.json()["data"]["status"] == "DONE"));
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_the_same_transmission_id_until_200() {
    let hook = receiver(vec![500, 503]).await;
    let sandbox = Sandbox::with(|c| c.webhook_url = Some(hook.url.clone())).await;
    let key = sandbox.authorize("HC-order_hook0003", 1_000, "CARD").await;
    sandbox
        .confirm(&key, "HC-order_hook0003", json!(1_000))
        .await;
    let got = wait_for(&hook.received, 3).await;
    let ids: Vec<_> = got
        .iter()
        .map(|r| {
            r.header("tosspayments-webhook-transmission-id")
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]));
    let counts: Vec<_> = got
        .iter()
        .map(|r| {
            r.header("tosspayments-webhook-retried-count")
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(counts, vec!["0", "1", "2"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        hook.received.lock().unwrap().len(),
        3,
        "no retry after the 200"
    );
    let attempts = sandbox.handle.webhook_attempts();
    let statuses: Vec<_> = attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(503), Some(200)]);
}

#[tokio::test]
async fn with_a_secret_each_delivery_is_signed_over_its_raw_body() {
    let hook = receiver(vec![]).await;
    let sandbox = Sandbox::with(|c| {
        c.webhook_url = Some(hook.url.clone());
        c.webhook_secret = Some("whsec_toss_test".into());
    })
    .await;
    let key = sandbox.authorize("HC-order_hook0004", 1_000, "CARD").await;
    sandbox
        .confirm(&key, "HC-order_hook0004", json!(1_000))
        .await;
    let got = wait_for(&hook.received, 1).await;
    let signature = got[0].header("x-tosspayments-signature").unwrap();
    assert_eq!(signature, sign("whsec_toss_test", got[0].body.as_bytes()));
}

#[tokio::test]
async fn a_dashboard_cancel_sends_the_new_status() {
    let hook = receiver(vec![]).await;
    let sandbox = Sandbox::with(|c| c.webhook_url = Some(hook.url.clone())).await;
    let key = sandbox.authorize("HC-order_hook0005", 10_000, "CARD").await;
    sandbox
        .confirm(&key, "HC-order_hook0005", json!(10_000))
        .await;
    wait_for(&hook.received, 1).await;
    sandbox
        .http
        .post(sandbox.url(&format!("/sandbox/v1/payments/{key}/cancel")))
        .json(&json!({"cancelReason": "x", "cancelAmount": 3_000}))
        .send()
        .await
        .unwrap();
    let got = wait_for(&hook.received, 2).await;
    assert_eq!(got[1].json()["data"]["status"], "PARTIAL_CANCELED");
    assert_eq!(got[1].json()["data"]["balanceAmount"], 7_000);
}
