//! Logging with `tracing`: text for people, JSON for machines. Request logs carry method,
//! path, status, duration and request id, never bodies, keys or personal data.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` refines the default `info` level.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
