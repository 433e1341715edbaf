//! The outbound delivery worker: fans new outbox events out to subscribed endpoints (fixing
//! each event's body once), then sends due deliveries, signed, with a timeout, recording every
//! attempt and scheduling retries by the domain's policy. Safe in several processes at once:
//! events and deliveries are claimed with `SKIP LOCKED` and a lease.

use std::time::{Duration, Instant};

use commerce_domain::ids::{DeliveryId, EventId};
use commerce_domain::ports::{DeliveryAttempt, DueDelivery, Fanout, PendingEvent, StoreError};
use commerce_domain::webhook::{next_after, WebhookEndpoint};
use rand::Rng;
use serde_json::{json, Value};

use crate::http::views;
use crate::state::AppState;
use crate::webhooks::signing::signatures;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    /// Events fanned out.
    pub dispatched: usize,
    /// Delivery attempts made.
    pub attempted: usize,
}

/// Sends merchant webhooks.
#[derive(Clone)]
pub struct Dispatcher {
    state: actix_web::web::Data<AppState>,
    http: reqwest::Client,
    retry_scale: f64,
}

/// Claims and sends at most this many items a run.
const BATCH: u32 = 50;

impl Dispatcher {
    /// A dispatcher whose HTTP calls give up after `timeout`, and whose retry delays are the
    /// policy's times `retry_scale` (1.0 in production; tests shrink it).
    pub fn new(state: actix_web::web::Data<AppState>, timeout: Duration, retry_scale: f64) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!(
                "headless-commerce-webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .unwrap_or_default();
        Dispatcher {
            state,
            http,
            retry_scale,
        }
    }

    /// Runs until a run finds less than a full batch of work, so a backlog drains within
    /// one tick.
    ///
    /// # Errors
    /// [`StoreError`] when the claims fail.
    pub async fn drain(&self) -> Result<RunReport, StoreError> {
        let mut total = RunReport::default();
        loop {
            let report = self.run_once().await?;
            total.dispatched += report.dispatched;
            total.attempted += report.attempted;
            let full = usize::try_from(BATCH).unwrap_or(usize::MAX);
            if report.dispatched < full && report.attempted < full {
                return Ok(total);
            }
        }
    }

    /// Fans out new events, then sends due deliveries.
    ///
    /// # Errors
    /// [`StoreError`] when the claims fail.
    pub async fn run_once(&self) -> Result<RunReport, StoreError> {
        let dispatched = self.fan_out().await?;
        let due = self
            .state
            .ports
            .webhooks
            .claim_due_deliveries(
                self.state.ports.clock.now(),
                BATCH,
                chrono::Duration::seconds(60),
            )
            .await?;
        let attempted = due.len();
        let mut sends = tokio::task::JoinSet::new();
        for delivery in due {
            let this = self.clone();
            sends.spawn(async move { this.deliver(delivery).await });
        }
        while let Some(done) = sends.join_next().await {
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %e, "could not record a webhook attempt");
            }
        }
        Ok(RunReport {
            dispatched,
            attempted,
        })
    }

    async fn fan_out(&self) -> Result<usize, StoreError> {
        let ports = &self.state.ports;
        let now = ports.clock.now();
        let events = ports
            .webhooks
            .claim_undispatched_events(now, BATCH, chrono::Duration::seconds(60))
            .await?;
        if events.is_empty() {
            return Ok(0);
        }
        let endpoints = ports.webhooks.list_webhooks().await?;
        let mut batch = Vec::with_capacity(events.len());
        for event in &events {
            let deliveries: Vec<_> = endpoints
                .iter()
                .filter(|endpoint| endpoint.wants(&event.event_type))
                .map(|endpoint| {
                    (
                        DeliveryId::generate(ports.ids.as_ref()),
                        endpoint.id.clone(),
                    )
                })
                .collect();
            // Nobody listens: mark it dispatched without reading the order to render it.
            let body = if deliveries.is_empty() {
                envelope(
                    &event.id,
                    &event.event_type,
                    event.occurred_at,
                    self.livemode(),
                    Value::Null,
                )
            } else {
                self.body(event).await?
            };
            batch.push(Fanout {
                event: event.id.clone(),
                body,
                deliveries,
            });
        }
        ports.webhooks.dispatch_events(&batch, now).await?;
        Ok(events.len())
    }

    /// `{"id", "type", "created_at", "livemode", "data"}`: the order, payment or refund as it
    /// is when the event is fanned out (moments after it happened).
    async fn body(&self, event: &PendingEvent) -> Result<String, StoreError> {
        let record = match &event.order_id {
            Some(order_id) => self.state.ports.orders.get_order(order_id).await?,
            None => None,
        };
        let client_key = self.state.toss_client_key.as_deref();
        let data = match (&record, event.event_type.as_str()) {
            (Some(record), "payment.refunded") => event
                .refund_id
                .as_ref()
                .and_then(|id| record.refunds.iter().find(|r| &r.id == id))
                .map_or(Value::Null, views::refund),
            (Some(record), t) if t.starts_with("payment.") => views::payment(&record.payment),
            (Some(record), _) => views::order(record, client_key),
            (None, _) => Value::Null,
        };
        Ok(envelope(
            &event.id,
            &event.event_type,
            event.occurred_at,
            self.livemode(),
            data,
        ))
    }

    fn livemode(&self) -> bool {
        self.state.mode == commerce_domain::apikey::Mode::Live
    }

    async fn deliver(&self, delivery: DueDelivery) -> Result<(), StoreError> {
        let now = self.state.ports.clock.now();
        let started = Instant::now();
        let outcome = self
            .send(
                &delivery.endpoint,
                &delivery.event_id.to_string(),
                &delivery.event_type,
                &delivery.body,
            )
            .await;
        let (status, error) = match outcome {
            Ok(status) => (
                Some(status),
                (!(200..300).contains(&status)).then(|| format!("HTTP {status}")),
            ),
            Err(e) => (None, Some(e)),
        };
        let attempt = DeliveryAttempt {
            attempted_at: now,
            status_code: status,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            error,
        };
        let next = next_after(
            delivery.attempts + 1,
            status,
            now,
            self.retry_scale,
            rand::rng().random::<f64>(),
        );
        if let commerce_domain::webhook::DeliveryNext::GiveUp { reason } = &next {
            tracing::warn!(webhook.id = %delivery.endpoint.id, reason = %reason, "webhook endpoint switched off");
        }
        self.state
            .ports
            .webhooks
            .record_attempt(&delivery.id, &attempt, &next)
            .await
    }

    /// Posts a signed body; the receiver's status, or what went wrong.
    pub async fn send(
        &self,
        endpoint: &WebhookEndpoint,
        event_id: &str,
        event_type: &str,
        body: &str,
    ) -> Result<u16, String> {
        let timestamp = self.state.ports.clock.now().timestamp();
        let (plain, stamped) = signatures(&endpoint.secret, body, timestamp);
        self.http
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("x-webhook-id", event_id)
            .header("x-webhook-event", event_type)
            .header("x-webhook-timestamp", timestamp.to_string())
            .header("x-webhook-signature", plain)
            .header("x-webhook-signature-256", stamped)
            .body(body.to_owned())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|e| {
                if e.is_timeout() {
                    "timed out".to_owned()
                } else {
                    format!("could not be reached: {e}")
                }
            })
    }

    /// Sends a signed `webhook.test` event to an endpoint now, outside the outbox.
    pub async fn test(&self, endpoint: &WebhookEndpoint) -> Result<u16, String> {
        let id = EventId::generate(self.state.ports.ids.as_ref());
        let body = envelope(
            &id,
            "webhook.test",
            self.state.ports.clock.now(),
            self.livemode(),
            json!({"webhook_id": endpoint.id.as_str()}),
        );
        self.send(endpoint, id.as_str(), "webhook.test", &body)
            .await
    }
}

fn envelope(
    id: &EventId,
    event_type: &str,
    at: chrono::DateTime<chrono::Utc>,
    livemode: bool,
    data: Value,
) -> String {
    json!({"id": id.as_str(), "type": event_type, "created_at": views::time(at), "livemode": livemode, "data": data}).to_string()
}
