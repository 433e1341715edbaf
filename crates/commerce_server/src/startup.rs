//! Composition root: prepares the database, picks the Toss endpoint (the in-process sandbox
//! when no secret key is set), wires the adapters into the services, and runs the HTTP server
//! with the background jobs.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, HttpServer};
use commerce_domain::apikey::Mode;
use commerce_domain::usecases::{ApiKeyService, KeyCache, Ports};
use commerce_postgres::{ensure_database, run_migrations, PgConfig, PgStore};
use commerce_tosspayments::{SecretKey, TossClient, TossConfig};
use tosspayments_sandbox::{SandboxConfig, SandboxHandle};

use crate::settings::Settings;
use crate::state::AppState;
use crate::system::{RandomIds, SystemClock};

/// Why the server could not start; one line, naming what is wrong.
#[derive(Debug, Clone)]
pub struct StartupError(pub String);

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartupError {}

fn fail(what: &str, e: impl std::fmt::Display) -> StartupError {
    StartupError(format!("{what}: {e}"))
}

/// The secret key the embedded sandbox accepts.
const SANDBOX_SECRET_KEY: &str = "test_sk_embedded_sandbox";

/// Creates the database if missing, applies the migrations, and opens the pool.
///
/// # Errors
/// [`StartupError`] when PostgreSQL is unreachable or a migration fails.
pub async fn prepare_database(settings: &Settings) -> Result<PgStore, StartupError> {
    let shown = commerce_postgres::redact(&settings.database_url);
    if ensure_database(&settings.database_url)
        .await
        .map_err(|e| fail(&format!("DATABASE_URL ({shown})"), e))?
    {
        tracing::info!(database = %shown, "created the database");
    }
    let applied = run_migrations(&settings.database_url)
        .await
        .map_err(|e| fail("migrations", e))?;
    if applied > 0 {
        tracing::info!(count = applied, "applied migrations");
    }
    open_store(settings, settings.db_pool_size)
}

/// A pool of up to `max_size` connections. Connections open lazily, in the task that first
/// needs one, and are driven by that task's runtime from then on.
fn open_store(settings: &Settings, max_size: usize) -> Result<PgStore, StartupError> {
    let mut config = PgConfig::new(settings.database_url.clone());
    config.max_size = max_size;
    config.wait_timeout = Duration::from_millis(settings.db_wait_timeout_ms);
    PgStore::connect(&config).map_err(|e| fail("DATABASE_URL", e))
}

/// How many HTTP workers serve requests: one per core, as actix does by default.
fn http_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Each HTTP worker's share of `HC_DB_POOL_SIZE`, at least one connection.
fn worker_pool_size(total: usize, workers: usize) -> usize {
    (total / workers.max(1)).max(1)
}

/// The services over `store`, talking to Toss at `toss_base` with `secret_key`.
///
/// # Errors
/// [`StartupError`] for a malformed Toss base URL.
pub fn services(
    settings: &Settings,
    store: PgStore,
    toss_base: &str,
    secret_key: &str,
    key_cache: Arc<KeyCache>,
) -> Result<AppState, StartupError> {
    let mut toss = TossConfig::new(toss_base, SecretKey::new(secret_key));
    toss.timeout = Duration::from_millis(settings.toss_timeout_ms);
    let gateway = TossClient::new(&toss).map_err(|e| fail("TOSS_API_BASE", e))?;
    let ports = Ports {
        carts: Arc::new(store.clone()),
        catalog_admin: Arc::new(store.clone()),
        api_keys: Arc::new(store.clone()),
        idempotency: Arc::new(store.clone()),
        webhooks: Arc::new(store.clone()),
        orders: Arc::new(store.clone()),
        gateway: Arc::new(gateway),
        clock: Arc::new(SystemClock),
        ids: Arc::new(RandomIds),
    };
    let timeout =
        chrono::Duration::seconds(i64::try_from(settings.payment_timeout_secs).unwrap_or(i64::MAX));
    let mut state = AppState::new(
        ports,
        store,
        settings.mode(),
        timeout,
        settings.toss_client_key.clone(),
        settings.toss_webhook_secret.clone(),
        chrono::Duration::seconds(i64::try_from(settings.job_lease_secs).unwrap_or(120)),
    );
    state.keys = ApiKeyService::with_cache(state.ports.clone(), key_cache);
    Ok(state)
}

/// A built server, not yet running.
pub struct Application {
    /// The shared state (tests reach the services through it).
    pub state: web::Data<AppState>,
    /// `http://host:port`.
    pub base_url: String,
    /// The embedded sandbox, in test mode without a Toss key.
    pub sandbox: Option<SandboxHandle>,
    server: Server,
    settings: Settings,
}

impl Application {
    /// Prepares everything and binds the listener.
    ///
    /// # Errors
    /// [`StartupError`] naming what is wrong.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let store = prepare_database(&settings).await?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| fail(&format!("HC_BIND ({})", settings.bind), e))?;
        let address = listener.local_addr().map_err(|e| fail("HC_BIND", e))?;
        let (toss_base, secret_key, sandbox) = match &settings.toss_secret_key {
            Some(key) => (settings.toss_api_base.clone(), key.clone(), None),
            None => {
                let sandbox = tosspayments_sandbox::start(SandboxConfig {
                    bind: settings.sandbox_bind.clone(),
                    secret_key: Some(SANDBOX_SECRET_KEY.to_owned()),
                    webhook_url: Some(format!("http://{address}/v1/webhooks/tosspayments")),
                    webhook_secret: settings.toss_webhook_secret.clone(),
                    ..SandboxConfig::default()
                })
                .await
                .map_err(|e| {
                    fail(
                        &format!(
                            "HC_SANDBOX_BIND ({}), the embedded TossPayments sandbox",
                            settings.sandbox_bind
                        ),
                        e,
                    )
                })?;
                (
                    sandbox.base_url().to_owned(),
                    SANDBOX_SECRET_KEY.to_owned(),
                    Some(sandbox),
                )
            }
        };
        if settings.mode() == Mode::Live && settings.toss_webhook_secret.is_none() {
            tracing::warn!("TOSS_WEBHOOK_SECRET is not set: unsigned webhooks are accepted and trusted only through the read-back from TossPayments");
        }
        // One key cache for the process, so a revocation clears it for every worker.
        let key_cache = Arc::new(KeyCache::default());
        let state = web::Data::new(services(
            &settings,
            store,
            &toss_base,
            &secret_key,
            key_cache.clone(),
        )?);
        // Each HTTP worker runs its own single-threaded runtime and gets services over a pool
        // and a Toss client of its own: their connections are then opened and driven on the
        // worker that uses them, instead of waking another thread for every query. The shared
        // state above serves the background jobs, the outbound webhooks and the CLI.
        let workers = http_workers();
        let share = worker_pool_size(settings.db_pool_size, workers);
        let worker_states = (0..workers)
            .map(|_| {
                services(
                    &settings,
                    open_store(&settings, share)?,
                    &toss_base,
                    &secret_key,
                    key_cache.clone(),
                )
                .map(web::Data::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next_worker = Arc::new(AtomicUsize::new(0));
        let dispatcher = crate::webhooks::outbound::Dispatcher::new(
            state.clone(),
            Duration::from_millis(settings.webhook_timeout_ms),
            settings.webhook_retry_scale,
        );
        let (data, origins) = (state.clone(), settings.cors_origin_list());
        let dispatcher = web::Data::new(dispatcher);
        let head_start = web::Data::new(crate::http::priority::HeadStart(Duration::from_millis(
            settings.db_payment_head_start_ms,
        )));
        let server = HttpServer::new(move || {
            // Called once on each worker's thread as it starts.
            let n = next_worker.fetch_add(1, Ordering::Relaxed) % worker_states.len().max(1);
            let state = worker_states
                .get(n)
                .cloned()
                .unwrap_or_else(|| data.clone());
            crate::http::app(state, origins.clone())
                .app_data(dispatcher.clone())
                .app_data(head_start.clone())
        })
        .workers(workers)
        .listen(listener)
        .map_err(|e| fail("HC_BIND", e))?
        .shutdown_timeout(30)
        .run();
        Ok(Application {
            state,
            base_url: format!("http://{address}"),
            sandbox,
            server,
            settings,
        })
    }

    /// Serves until SIGTERM or Ctrl-C; in-flight requests finish first.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let jobs = tokio::spawn(run_jobs(self.state.clone(), self.settings.clone()));
        let result = self.server.await;
        jobs.abort();
        if let Some(sandbox) = self.sandbox {
            sandbox.stop().await;
        }
        result
    }

    /// Runs the server and the jobs in the background (for tests); returns a handle to stop
    /// the server.
    pub fn spawn(self) -> (ServerHandle, Option<SandboxHandle>) {
        let handle = self.server.handle();
        tokio::spawn(self.server);
        tokio::spawn(run_jobs(self.state.clone(), self.settings));
        (handle, self.sandbox)
    }
}

/// The background jobs: expiry of overdue orders and reconciliation of unanswered confirms,
/// each on its own interval. Safe in any number of processes.
async fn run_jobs(state: web::Data<AppState>, settings: Settings) {
    let mut expiry =
        tokio::time::interval(Duration::from_secs(settings.expiry_interval_secs.max(1)));
    let mut reconcile =
        tokio::time::interval(Duration::from_secs(settings.reconcile_interval_secs.max(1)));
    let stale_after =
        chrono::Duration::seconds(i64::try_from(settings.reconcile_after_secs).unwrap_or(60));
    let mut deliveries =
        tokio::time::interval(Duration::from_millis(settings.webhook_interval_ms.max(10)));
    let dispatcher = crate::webhooks::outbound::Dispatcher::new(
        state.clone(),
        Duration::from_millis(settings.webhook_timeout_ms),
        settings.webhook_retry_scale,
    );
    loop {
        tokio::select! {
            _ = expiry.tick() => match state.jobs.expire_overdue(100).await {
                Ok(report) if report.claimed > 0 => tracing::info!(claimed = report.claimed, changed = report.changed, failed = report.failed.len(), "expiry run"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiry run failed"),
            },
            _ = deliveries.tick() => if let Err(e) = dispatcher.drain().await {
                tracing::warn!(error = %e, "webhook delivery run failed");
            },
            _ = reconcile.tick() => match state.jobs.reconcile_confirming(stale_after, 100).await {
                Ok(report) if report.claimed > 0 => tracing::info!(claimed = report.claimed, changed = report.changed, failed = report.failed.len(), "reconciliation run"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reconciliation run failed"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::worker_pool_size;

    #[test]
    fn the_pool_is_shared_evenly_among_workers_with_at_least_one_connection_each() {
        assert_eq!(worker_pool_size(16, 2), 8);
        assert_eq!(worker_pool_size(16, 3), 5);
        assert_eq!(worker_pool_size(1, 4), 1);
        assert_eq!(worker_pool_size(16, 0), 16);
    }
}
