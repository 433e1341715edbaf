#![doc = include_str!("../README.md")]

mod config;
mod error;
mod gate;
mod migrate;
mod pool;
mod prepared;
mod rows;
mod schema;
mod store;

#[cfg(feature = "test-support")]
pub mod testing;

pub use config::{redact, PgConfig};
pub use error::PgError;
pub use gate::{as_request, request_rank};
pub use migrate::{ensure_database, migration_count, run_migrations, MIGRATIONS};
pub use store::PgStore;
