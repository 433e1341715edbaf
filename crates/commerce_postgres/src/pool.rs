//! The deadpool pool of async PostgreSQL connections.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;

use diesel::ConnectionResult;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use crate::config::PgConfig;
use crate::error::PgError;
use crate::gate::Permit;

/// A pool of connections.
pub type PgPool = Pool<AsyncPgConnection>;
/// A connection borrowed from the pool, with the gate's permit for it (see `gate`).
pub struct PgConn {
    // Dropped first: the connection is back in the pool before its permit is handed on.
    conn: Object<AsyncPgConnection>,
    _permit: Permit,
}

impl PgConn {
    pub(crate) fn new(conn: Object<AsyncPgConnection>, permit: Permit) -> Self {
        Self {
            conn,
            _permit: permit,
        }
    }
}

impl Deref for PgConn {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

type Setup<'a> = Pin<Box<dyn Future<Output = ConnectionResult<AsyncPgConnection>> + Send + 'a>>;

/// Builds the pool. Connections open lazily; each one gets the configured
/// `statement_timeout`, so a stuck query cannot hold a connection forever.
///
/// A connection handed back is recycled without a test query (`RecyclingMethod::Fast`): the
/// default `SELECT 1` before every checkout was a sixth of all statements of a storefront
/// flow (docs/benchmarks.md). A connection whose socket closed (PostgreSQL restarted) or whose
/// transaction broke is still discarded, since the pool asks the connection whether it is
/// broken before reusing it.
///
/// # Errors
/// [`PgError::Pool`] when the pool settings are invalid.
pub(crate) fn build_pool(config: &PgConfig) -> Result<PgPool, PgError> {
    let timeout_ms = config.statement_timeout.as_millis();
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url: &str| -> Setup<'_> {
        let url = url.to_owned();
        Box::pin(async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            conn.batch_execute(&format!("SET statement_timeout = {timeout_ms}"))
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        config.url.clone(),
        manager_config,
    );
    Pool::builder(manager)
        .max_size(config.max_size)
        .wait_timeout(Some(config.wait_timeout))
        .create_timeout(Some(config.create_timeout))
        .recycle_timeout(Some(config.recycle_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| PgError::Pool(e.to_string()))
}
