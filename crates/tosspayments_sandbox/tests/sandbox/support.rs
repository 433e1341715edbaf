//! A sandbox per test and a raw client for it.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use tosspayments_sandbox::{start, ManualClock, SandboxConfig, SandboxHandle};

/// The public docs' test secret key.
pub const SECRET_KEY: &str = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R";

pub fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

pub struct Sandbox {
    pub handle: SandboxHandle,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        Sandbox::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let mut config = SandboxConfig {
            clock: clock.clone(),
            webhook_retry_unit: Duration::from_millis(20),
            fault_delay: Duration::from_millis(800),
            ..SandboxConfig::default()
        };
        adjust(&mut config);
        Sandbox {
            handle: start(config).await.unwrap(),
            http: reqwest::Client::new(),
            clock,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    /// The customer authorises `amount` for `order` with `method` in the widget.
    pub async fn authorize(&self, order: &str, amount: i64, method: &str) -> String {
        self.authorize_with(
            json!({"orderId": order, "orderName": "Classic T-Shirt 외 1건",
                                   "amount": amount, "method": method}),
        )
        .await
    }

    pub async fn authorize_with(&self, body: Value) -> String {
        let answer: Value = self
            .http
            .post(self.url("/sandbox/v1/authorize"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["paymentKey"].as_str().unwrap().to_owned()
    }

    /// A Toss API POST with the test key; returns status and JSON.
    pub async fn post(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header("authorization", basic(SECRET_KEY))
            .json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(self.url(path))
            .header("authorization", basic(SECRET_KEY))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn confirm(&self, key: &str, order: &str, amount: Value) -> (u16, Value) {
        self.post(
            "/v1/payments/confirm",
            json!({"paymentKey": key, "orderId": order, "amount": amount}),
            &[],
        )
        .await
    }

    pub async fn status_of(&self, key: &str) -> String {
        let (_, payment) = self.get(&format!("/v1/payments/{key}")).await;
        payment["status"].as_str().unwrap().to_owned()
    }
}
