//! Starting the sandbox: in-process on a free port for tests, or on a fixed address for the
//! binary.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};
use serde_json::Value;

use crate::api;
use crate::clock::{Clock, SystemClock};
use crate::control;
use crate::engine::Engine;
use crate::faults::{FaultMode, Faults};
use crate::idempotency::IdempotencyStore;
use crate::webhooks::{WebhookAttempt, WebhookSettings, Webhooks};

/// How a sandbox runs.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one.
    pub bind: String,
    /// The only secret key accepted; `None` accepts any `test_sk_`/`test_gsk_` key.
    pub secret_key: Option<String>,
    /// The merchant's webhook endpoint.
    pub webhook_url: Option<String>,
    /// Signs webhooks (base64 HMAC-SHA256 of the body) when set.
    pub webhook_secret: Option<String>,
    /// One "minute" of Toss's webhook retry schedule.
    pub webhook_retry_unit: Duration,
    /// How long a `timeout` fault holds the answer.
    pub fault_delay: Duration,
    /// How long a virtual account stays open.
    pub virtual_account_due: chrono::Duration,
    /// The sandbox's time.
    pub clock: Arc<dyn Clock>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            bind: "127.0.0.1:0".to_owned(),
            secret_key: None,
            webhook_url: None,
            webhook_secret: None,
            webhook_retry_unit: Duration::from_secs(60),
            fault_delay: Duration::from_secs(30),
            virtual_account_due: chrono::Duration::days(7),
            clock: Arc::new(SystemClock),
        }
    }
}

/// What every handler shares.
pub(crate) struct Shared {
    pub engine: Engine,
    pub idempotency: IdempotencyStore,
    pub faults: Faults,
    pub webhooks: Webhooks,
    pub secret_key: Option<String>,
    pub fault_delay: Duration,
}

/// A running sandbox.
pub struct SandboxHandle {
    base_url: String,
    server: ServerHandle,
    shared: web::Data<Shared>,
}

/// Starts a sandbox on the current tokio runtime.
///
/// # Errors
/// When the address cannot be bound.
pub async fn start(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = TcpListener::bind(&config.bind)?;
    let address = listener.local_addr()?;
    let shared = web::Data::new(Shared {
        engine: Engine::new(config.clock.clone(), config.virtual_account_due),
        idempotency: IdempotencyStore::new(config.clock.clone()),
        faults: Faults::default(),
        webhooks: Webhooks::start(
            WebhookSettings {
                url: config.webhook_url.clone(),
                secret: config.webhook_secret.clone(),
                retry_unit: config.webhook_retry_unit,
            },
            config.clock.clone(),
        ),
        secret_key: config.secret_key.clone(),
        fault_delay: config.fault_delay,
    });
    let data = shared.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(64 * 1024))
            .configure(api::routes)
            .configure(control::routes)
    })
    .listen(listener)?
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(SandboxHandle {
        base_url: format!("http://{address}"),
        server: handle,
        shared,
    })
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`: the Toss API base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops the server.
    pub async fn stop(self) {
        self.server.stop(true).await;
    }

    /// A payment's current Toss JSON.
    pub fn payment(&self, payment_key: &str) -> Option<Value> {
        self.shared.engine.snapshot(payment_key)
    }

    /// How many payments were ever approved.
    pub fn approved_count(&self) -> usize {
        self.shared.engine.approved_count()
    }

    /// Every webhook delivery attempt so far.
    pub fn webhook_attempts(&self) -> Vec<WebhookAttempt> {
        self.shared.webhooks.attempts()
    }

    /// Sends future webhooks to `url` (for a merchant server that starts after the sandbox).
    pub fn set_webhook_url(&self, url: &str) {
        self.shared.webhooks.set_url(Some(url.to_owned()));
    }

    /// Makes the next `count` Toss API calls fail as `mode` says.
    pub fn inject_faults(&self, mode: FaultMode, count: u32) {
        self.shared.faults.set(mode, count);
    }
}
