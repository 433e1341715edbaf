//! `PgStore`: one type that implements every store port of the domain over the pool. Each
//! port method is one transaction (or one statement); none is held open across a call to the
//! payment provider.

mod api_keys;
mod cart;
mod catalog;
mod catalog_admin;
mod checkout;
mod claims;
mod events;
mod guard;
mod idempotency;
mod order;
mod stock;
mod tx;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncPgConnection;

use crate::config::PgConfig;
use crate::error::PgError;
use crate::gate::Gate;
use crate::migrate::migrations_applied;
use crate::pool::{build_pool, PgConn, PgPool};

/// The PostgreSQL implementation of the domain's store ports.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    gate: Arc<Gate>,
    wait_timeout: Duration,
}

impl PgStore {
    /// A store over a new pool. Connections open lazily, so this succeeds even when the
    /// database is down; requests then fail as unavailable until it is back.
    ///
    /// # Errors
    /// [`PgError::Pool`] when the pool settings are invalid.
    pub fn connect(config: &PgConfig) -> Result<Self, PgError> {
        Ok(Self {
            pool: build_pool(config)?,
            gate: Gate::new(config.max_size),
            wait_timeout: config.wait_timeout,
        })
    }

    /// A connection from the pool, once the gate lets this request through (the oldest
    /// request waiting goes first), within the configured wait.
    pub(crate) async fn conn(&self) -> Result<PgConn, PgError> {
        let permit = tokio::time::timeout(self.wait_timeout, self.gate.enter())
            .await
            .map_err(|_| PgError::Pool("timed out waiting for a free connection".to_owned()))?;
        Ok(PgConn::new(self.pool.get().await?, permit))
    }

    /// Readiness: the database answers and every embedded migration is applied.
    ///
    /// # Errors
    /// [`PgError`] when the database cannot be reached.
    pub async fn ready(&self) -> Result<bool, PgError> {
        let mut conn = self.conn().await?;
        let conn: &mut AsyncPgConnection = &mut conn;
        migrations_applied(conn).await
    }

    /// How many connections the pool holds now, and how many are idle.
    pub fn pool_status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }
}
