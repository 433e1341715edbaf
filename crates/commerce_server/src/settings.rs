//! Settings, layered with the `config` crate: built-in defaults < `headless-commerce.toml`
//! (optional, or the file named by `HC_CONFIG`) < environment. `DATABASE_URL`,
//! `TOSS_SECRET_KEY`, `TOSS_WEBHOOK_SECRET`, `TOSS_CLIENT_KEY` and `TOSS_API_BASE` are read as
//! written; every other setting is `HC_<NAME>` (`HC_BIND`, `HC_PAYMENT_TIMEOUT_SECS`, …).

use std::fmt;
use std::net::SocketAddr;

use commerce_domain::apikey::Mode;
use serde::Deserialize;

/// The server's settings.
#[derive(Clone, Deserialize)]
pub struct Settings {
    /// Where to listen (`HC_BIND`).
    pub bind: String,
    /// PostgreSQL (`DATABASE_URL`).
    pub database_url: String,
    /// Connections for requests (`HC_DB_POOL_SIZE`), split evenly among the HTTP workers;
    /// by default 4 per core.
    pub db_pool_size: usize,
    /// How long a request waits for a connection, in milliseconds (`HC_DB_WAIT_TIMEOUT_MS`).
    pub db_wait_timeout_ms: u64,
    /// How much earlier than its arrival a payment confirmation counts when requests queue for
    /// a database connection, in milliseconds (`HC_DB_PAYMENT_HEAD_START_MS`; 0 serves
    /// strictly by arrival): under load, a customer who has paid waits less than one
    /// browsing a cart.
    pub db_payment_head_start_ms: u64,
    /// The Toss secret key (`TOSS_SECRET_KEY`); none runs test mode against the sandbox.
    pub toss_secret_key: Option<String>,
    /// The Toss client key handed to storefronts (`TOSS_CLIENT_KEY`).
    pub toss_client_key: Option<String>,
    /// The inbound webhook signing secret (`TOSS_WEBHOOK_SECRET`).
    pub toss_webhook_secret: Option<String>,
    /// The Toss API (`TOSS_API_BASE`).
    pub toss_api_base: String,
    /// Where the embedded sandbox listens in test mode without a Toss key (`HC_SANDBOX_BIND`).
    pub sandbox_bind: String,
    /// Overall timeout of a Toss call, in milliseconds (`HC_TOSS_TIMEOUT_MS`).
    pub toss_timeout_ms: u64,
    /// How long an order may wait for payment, in seconds (`HC_PAYMENT_TIMEOUT_SECS`).
    pub payment_timeout_secs: u64,
    /// Allowed browser origins, comma-separated; `*` allows any (`HC_CORS_ORIGINS`).
    pub cors_origins: String,
    /// `text` or `json` (`HC_LOG_FORMAT`).
    pub log_format: String,
    /// Seconds between expiry runs (`HC_EXPIRY_INTERVAL_SECS`).
    pub expiry_interval_secs: u64,
    /// Seconds between reconciliation runs (`HC_RECONCILE_INTERVAL_SECS`).
    pub reconcile_interval_secs: u64,
    /// Milliseconds between webhook delivery runs (`HC_WEBHOOK_INTERVAL_MS`).
    pub webhook_interval_ms: u64,
    /// Timeout of one webhook delivery, in milliseconds (`HC_WEBHOOK_TIMEOUT_MS`).
    pub webhook_timeout_ms: u64,
    /// Multiplier of the webhook retry delays (`HC_WEBHOOK_RETRY_SCALE`; 1.0 in production).
    pub webhook_retry_scale: f64,
    /// How long a confirm may stay unanswered before reconciliation settles it, in seconds
    /// (`HC_RECONCILE_AFTER_SECS`).
    pub reconcile_after_secs: u64,
    /// How long a job hides an order it claimed from other workers, in seconds
    /// (`HC_JOB_LEASE_SECS`): longer than one item's work, and the wait before an item whose
    /// work failed (Toss unreachable) is tried again.
    pub job_lease_secs: u64,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |s: &Option<String>| if s.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field(
                "database_url",
                &commerce_postgres::redact(&self.database_url),
            )
            .field("toss_secret_key", &secret(&self.toss_secret_key))
            .field("toss_webhook_secret", &secret(&self.toss_webhook_secret))
            .field("toss_api_base", &self.toss_api_base)
            .field("payment_timeout_secs", &self.payment_timeout_secs)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

/// A setting that stops start-up, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// The environment names read as written, and the settings they fill.
const PLAIN_ENV: &[(&str, &str)] = &[
    ("DATABASE_URL", "database_url"),
    ("TOSS_SECRET_KEY", "toss_secret_key"),
    ("TOSS_CLIENT_KEY", "toss_client_key"),
    ("TOSS_WEBHOOK_SECRET", "toss_webhook_secret"),
    ("TOSS_API_BASE", "toss_api_base"),
];

/// The default pool: 4 connections per core. On the 2-core benchmark machine 8 gave lower
/// latency than 16 at every concurrency (fewer backends contending for the cores and for
/// the hot inventory rows); see docs/benchmarks.md.
fn default_pool_size() -> u64 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u64::try_from(cores).map_or(8, |cores| cores.saturating_mul(4))
}

impl Settings {
    /// Reads the settings from the file and the process environment.
    ///
    /// # Errors
    /// [`SettingsError`] naming the first bad setting.
    pub fn load() -> Result<Self, SettingsError> {
        Self::from_env(std::env::vars())
    }

    /// Reads the settings from the file and the given environment.
    ///
    /// # Errors
    /// [`SettingsError`] naming the first bad setting.
    pub fn from_env(vars: impl Iterator<Item = (String, String)>) -> Result<Self, SettingsError> {
        let vars: Vec<(String, String)> = vars.collect();
        let get = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let file = get("HC_CONFIG").unwrap_or_else(|| "headless-commerce".to_owned());
        let bad = |e: config::ConfigError| SettingsError(format!("bad setting: {e}"));
        let mut builder = config::Config::builder()
            .set_default("bind", "127.0.0.1:8080")
            .and_then(|b| {
                b.set_default(
                    "database_url",
                    "postgres://postgres@127.0.0.1:5432/headless_commerce",
                )
            })
            .and_then(|b| b.set_default("db_pool_size", default_pool_size()))
            .and_then(|b| b.set_default("db_wait_timeout_ms", 5_000))
            .and_then(|b| b.set_default("db_payment_head_start_ms", 30))
            .and_then(|b| b.set_default("toss_api_base", "https://api.tosspayments.com"))
            .and_then(|b| b.set_default("toss_timeout_ms", 15_000))
            .and_then(|b| b.set_default("sandbox_bind", "127.0.0.1:8090"))
            .and_then(|b| b.set_default("payment_timeout_secs", 1_800))
            .and_then(|b| b.set_default("cors_origins", "*"))
            .and_then(|b| b.set_default("log_format", "text"))
            .and_then(|b| b.set_default("expiry_interval_secs", 30))
            .and_then(|b| b.set_default("reconcile_interval_secs", 30))
            .and_then(|b| b.set_default("reconcile_after_secs", 60))
            .and_then(|b| b.set_default("job_lease_secs", 120))
            .and_then(|b| b.set_default("webhook_interval_ms", 1_000))
            .and_then(|b| b.set_default("webhook_timeout_ms", 10_000))
            .and_then(|b| b.set_default("webhook_retry_scale", 1.0))
            .map_err(bad)?
            .add_source(config::File::with_name(&file).required(false));
        let hc: config::Map<String, String> = vars
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("HC_")?.to_ascii_lowercase();
                (name != "config").then(|| (name, v.clone()))
            })
            .collect();
        builder = builder.add_source(
            config::Environment::default()
                .source(Some(hc))
                .try_parsing(true),
        );
        for (env, key) in PLAIN_ENV {
            builder = builder
                .set_override_option(*key, get(env).filter(|v| !v.is_empty()))
                .map_err(bad)?;
        }
        let settings: Settings = builder
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(bad)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let fail = |msg: String| Err(SettingsError(msg));
        if self.bind.parse::<SocketAddr>().is_err() {
            return fail(format!("HC_BIND must be host:port, got {:?}", self.bind));
        }
        if self.sandbox_bind.parse::<SocketAddr>().is_err() {
            return fail(format!(
                "HC_SANDBOX_BIND must be host:port, got {:?}",
                self.sandbox_bind
            ));
        }
        if !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
        {
            return fail("DATABASE_URL must be a postgres:// URL".to_owned());
        }
        if let Some(key) = &self.toss_secret_key {
            if !key.starts_with("test_") && !key.starts_with("live_") {
                return fail("TOSS_SECRET_KEY must start with test_ or live_".to_owned());
            }
        }
        if !self.toss_api_base.starts_with("http://") && !self.toss_api_base.starts_with("https://")
        {
            return fail("TOSS_API_BASE must be an http(s) URL".to_owned());
        }
        if self.payment_timeout_secs == 0 {
            return fail("HC_PAYMENT_TIMEOUT_SECS must be at least 1".to_owned());
        }
        if !(self.webhook_retry_scale.is_finite() && self.webhook_retry_scale >= 0.0) {
            return fail("HC_WEBHOOK_RETRY_SCALE must be a non-negative number".to_owned());
        }
        if self.db_pool_size == 0 {
            return fail("HC_DB_POOL_SIZE must be at least 1".to_owned());
        }
        if self.job_lease_secs == 0 {
            return fail("HC_JOB_LEASE_SECS must be at least 1".to_owned());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return fail("HC_LOG_FORMAT must be text or json".to_owned());
        }
        Ok(())
    }

    /// Test or live, from the Toss secret key's prefix; no key is test mode (the sandbox).
    pub fn mode(&self) -> Mode {
        match &self.toss_secret_key {
            Some(key) if key.starts_with("live_") => Mode::Live,
            _ => Mode::Test,
        }
    }

    /// The allowed CORS origins; `None` allows any.
    pub fn cors_origin_list(&self) -> Option<Vec<String>> {
        let origins: Vec<String> = self
            .cors_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        (!origins.iter().any(|o| o == "*")).then_some(origins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        let mut all = vec![(
            "HC_CONFIG".to_owned(),
            "/nonexistent/headless-commerce".to_owned(),
        )];
        all.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        all.into_iter()
    }

    #[test]
    fn defaults_run_test_mode_on_localhost() {
        let settings = Settings::from_env(env(&[])).unwrap();
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert_eq!(settings.payment_timeout_secs, 1_800);
        assert_eq!(settings.mode(), Mode::Test);
        assert_eq!(settings.cors_origin_list(), None);
        assert_eq!(settings.job_lease_secs, 120);
        assert_eq!(settings.db_payment_head_start_ms, 30);
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(settings.db_pool_size, 4 * cores);
    }

    #[test]
    fn the_job_lease_is_a_setting_of_at_least_one_second() {
        let settings = Settings::from_env(env(&[("HC_JOB_LEASE_SECS", "5")])).unwrap();
        assert_eq!(settings.job_lease_secs, 5);
        for bad in ["0", "soon"] {
            let error = Settings::from_env(env(&[("HC_JOB_LEASE_SECS", bad)])).unwrap_err();
            assert!(
                error.to_string().contains("job_lease_secs")
                    || error.to_string().contains("HC_JOB_LEASE_SECS"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn the_environment_overrides_with_spec_names() {
        let settings = Settings::from_env(env(&[
            ("DATABASE_URL", "postgres://u@db:5432/shop"),
            ("TOSS_SECRET_KEY", "live_gsk_abc"),
            ("HC_BIND", "0.0.0.0:9000"),
            ("HC_PAYMENT_TIMEOUT_SECS", "60"),
            ("HC_DB_PAYMENT_HEAD_START_MS", "0"),
            (
                "HC_CORS_ORIGINS",
                "https://shop.example, https://m.shop.example",
            ),
        ]))
        .unwrap();
        assert_eq!(settings.database_url, "postgres://u@db:5432/shop");
        assert_eq!(settings.bind, "0.0.0.0:9000");
        assert_eq!(settings.payment_timeout_secs, 60);
        assert_eq!(settings.db_payment_head_start_ms, 0);
        assert_eq!(settings.mode(), Mode::Live);
        assert_eq!(
            settings.cors_origin_list(),
            Some(vec![
                "https://shop.example".to_owned(),
                "https://m.shop.example".to_owned()
            ])
        );
        assert!(!format!("{settings:?}").contains("live_gsk_abc"));
    }

    #[test]
    fn a_bad_setting_is_named_in_one_line() {
        for (name, value, expected) in [
            ("HC_BIND", "nowhere", "HC_BIND"),
            ("TOSS_SECRET_KEY", "sk_123", "TOSS_SECRET_KEY"),
            ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
            ("HC_PAYMENT_TIMEOUT_SECS", "soon", "payment_timeout_secs"),
            ("HC_LOG_FORMAT", "xml", "HC_LOG_FORMAT"),
        ] {
            let error = Settings::from_env(env(&[(name, value)])).unwrap_err().0;
            assert!(error.contains(expected), "{name}: {error}");
            assert!(!error.contains('\n'));
        }
    }
}
