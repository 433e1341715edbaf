//! A sandbox and a client for it.

use std::time::Duration;

use commerce_domain::ids::{IdempotencyKey, PaymentKey, TossOrderId};
use commerce_domain::money::Krw;
use commerce_domain::ports::ConfirmCall;
use commerce_tosspayments::{SecretKey, TossClient, TossConfig};
use serde_json::{json, Value};
use tosspayments_sandbox::{start, SandboxConfig, SandboxHandle};

pub const SECRET_KEY: &str = "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6";

pub struct World {
    pub sandbox: SandboxHandle,
    pub client: TossClient,
    http: reqwest::Client,
}

impl World {
    pub async fn new() -> World {
        World::with(Duration::from_secs(5)).await
    }

    /// A world whose client gives up after `timeout`.
    pub async fn with(timeout: Duration) -> World {
        let sandbox = start(SandboxConfig {
            fault_delay: Duration::from_secs(2),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let mut config = TossConfig::new(sandbox.base_url(), SecretKey::new(SECRET_KEY));
        config.timeout = timeout;
        World {
            client: TossClient::new(&config).unwrap(),
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    /// The customer authorises `amount` for `order` in the widget.
    pub async fn authorize(
        &self,
        order: &str,
        amount: i64,
        method: &str,
        confirm_error: Option<&str>,
    ) -> PaymentKey {
        let mut body = json!({"orderId": order, "orderName": "Classic T-Shirt 외 1건", "amount": amount, "method": method});
        if let Some(code) = confirm_error {
            body["confirmError"] = json!(code);
        }
        let answer: Value = self
            .http
            .post(format!("{}/sandbox/v1/authorize", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        PaymentKey::parse(answer["paymentKey"].as_str().unwrap()).unwrap()
    }

    pub async fn control(&self, path: &str, body: Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }

    pub fn status_of(&self, key: &PaymentKey) -> String {
        self.sandbox.payment(key.as_str()).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub fn confirm_call(key: &PaymentKey, order: &str, amount: i64, idem: &str) -> ConfirmCall {
    ConfirmCall {
        payment_key: key.clone(),
        order_id: TossOrderId::parse(order).unwrap(),
        amount: Krw::new(amount).unwrap(),
        idempotency_key: IdempotencyKey::parse(idem).unwrap(),
    }
}
