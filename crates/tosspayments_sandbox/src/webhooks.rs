//! Webhook delivery as Toss does it: the legacy `PAYMENT_STATUS_CHANGED` envelope and the flat
//! `DEPOSIT_CALLBACK`, with the transmission headers, retried on Toss's schedule (1, 4, 16, 64,
//! 256, 1024, 4096 units after each failure; a unit is a minute, compressible for tests), only
//! HTTP 200 counting as success. With a webhook secret configured each delivery is also signed
//! as the seed contract wants: `x-tosspayments-signature` = base64(HMAC-SHA256(secret, body)).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use crate::clock::Clock;
use crate::engine::Outbound;
use crate::model::{kst, random_text};

/// Minutes (in units) to wait after each failed attempt; 7 retries after the first send.
pub const RETRY_SCHEDULE: [u32; 7] = [1, 4, 16, 64, 256, 1024, 4096];

/// One delivery attempt, for tests and the control API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookAttempt {
    /// `tosspayments-webhook-transmission-id`: the same for every retry of one event.
    pub transmission_id: String,
    /// `PAYMENT_STATUS_CHANGED` or `DEPOSIT_CALLBACK`.
    pub event_type: String,
    /// `tosspayments-webhook-retried-count`.
    pub retried_count: usize,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The body sent.
    pub body: String,
}

/// Where and how webhooks go.
#[derive(Clone)]
pub struct WebhookSettings {
    /// The merchant's endpoint; no webhooks are sent without one.
    pub url: Option<String>,
    /// Signs deliveries when set.
    pub secret: Option<String>,
    /// One "minute" of the retry schedule.
    pub retry_unit: Duration,
}

/// Queues webhooks and delivers them in the background.
pub struct Webhooks {
    queue: UnboundedSender<Outbound>,
    log: Arc<Mutex<Vec<WebhookAttempt>>>,
    url: Arc<Mutex<Option<String>>>,
}

/// The legacy envelope's `createdAt`: KST without an offset, with microseconds.
fn legacy_time(now: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(9 * 3600) {
        Some(offset) => now
            .with_timezone(&offset)
            .format("%Y-%m-%dT%H:%M:%S%.6f")
            .to_string(),
        None => now.to_rfc3339(),
    }
}

/// The event type and body of an outbound webhook.
fn render(event: &Outbound, now: DateTime<Utc>) -> (&'static str, String) {
    match event {
        Outbound::StatusChanged(payment) => (
            "PAYMENT_STATUS_CHANGED",
            json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": legacy_time(now), "data": payment})
                .to_string(),
        ),
        Outbound::DepositCallback {
            order_id,
            secret,
            status,
            transaction_key,
        } => (
            "DEPOSIT_CALLBACK",
            json!({"createdAt": kst(now), "secret": secret, "status": status,
                   "transactionKey": transaction_key, "orderId": order_id})
            .to_string(),
        ),
    }
}

/// base64(HMAC-SHA256(secret, body)), the seed's webhook signature.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl Webhooks {
    /// Starts the delivery loop on the current tokio runtime.
    pub fn start(settings: WebhookSettings, clock: Arc<dyn Clock>) -> Self {
        let (queue, mut receiver) = unbounded_channel::<Outbound>();
        let log: Arc<Mutex<Vec<WebhookAttempt>>> = Arc::default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let delivery_log = log.clone();
        let url = Arc::new(Mutex::new(settings.url.clone()));
        let target = url.clone();
        tokio::spawn(async move {
            while let Some(event) = receiver.recv().await {
                let Some(url) = target.lock().ok().and_then(|u| u.clone()) else {
                    continue;
                };
                let (event_type, body) = render(&event, clock.now());
                let delivery = Delivery {
                    client: client.clone(),
                    url,
                    secret: settings.secret.clone(),
                    unit: settings.retry_unit,
                    log: delivery_log.clone(),
                    clock: clock.clone(),
                };
                tokio::spawn(delivery.run(event_type, body));
            }
        });
        Webhooks { queue, log, url }
    }

    /// Points future deliveries at `url`.
    pub fn set_url(&self, url: Option<String>) {
        if let Ok(mut current) = self.url.lock() {
            *current = url;
        }
    }

    /// Queues webhooks for delivery.
    pub fn send(&self, events: Vec<Outbound>) {
        for event in events {
            let _ = self.queue.send(event);
        }
    }

    /// Every attempt so far.
    pub fn attempts(&self) -> Vec<WebhookAttempt> {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }
}

struct Delivery {
    client: reqwest::Client,
    url: String,
    secret: Option<String>,
    unit: Duration,
    log: Arc<Mutex<Vec<WebhookAttempt>>>,
    clock: Arc<dyn Clock>,
}

impl Delivery {
    async fn run(self, event_type: &'static str, body: String) {
        let transmission_id = format!("wht_{}", random_text(24));
        for retried_count in 0..=RETRY_SCHEDULE.len() {
            let mut request = self
                .client
                .post(&self.url)
                .header("content-type", "application/json")
                .header("tosspayments-webhook-transmission-id", &transmission_id)
                .header(
                    "tosspayments-webhook-transmission-time",
                    kst(self.clock.now()),
                )
                .header(
                    "tosspayments-webhook-retried-count",
                    retried_count.to_string(),
                )
                .body(body.clone());
            if let Some(secret) = &self.secret {
                request = request.header("x-tosspayments-signature", sign(secret, body.as_bytes()));
            }
            let status = request.send().await.ok().map(|r| r.status().as_u16());
            if let Ok(mut log) = self.log.lock() {
                log.push(WebhookAttempt {
                    transmission_id: transmission_id.clone(),
                    event_type: event_type.to_owned(),
                    retried_count,
                    status,
                    body: body.clone(),
                });
            }
            if status == Some(200) {
                return;
            }
            let Some(wait) = RETRY_SCHEDULE.get(retried_count) else {
                return;
            };
            tokio::time::sleep(self.unit * *wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_base64_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2, base64-encoded.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn the_legacy_envelope_time_has_no_offset() {
        let time = DateTime::parse_from_rfc3339("2026-01-02T05:46:59.653270Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(legacy_time(time), "2026-01-02T14:46:59.653270");
    }
}
