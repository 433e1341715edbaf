//! Turning database and pool errors into the domain's store errors, in one place.

use commerce_domain::ids::VariantId;
use commerce_domain::ports::{CheckoutStoreError, StoreError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong inside this adapter, before it is translated at the port's edge.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// A query failed.
    #[error("database error: {0}")]
    Diesel(#[from] DieselError),
    /// Opening a connection failed.
    #[error("connection error: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// No connection could be had from the pool in time, or the pool is misconfigured.
    #[error("connection pool: {0}")]
    Pool(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A setting is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// A stored row does not parse into the domain's types.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A version-checked write found the row changed.
    #[error("concurrent change")]
    Conflict,
    /// A checkout line asks for more than is available.
    #[error("insufficient stock for {variant_id}")]
    InsufficientStock {
        /// The variant short of stock.
        variant_id: VariantId,
        /// Units asked for.
        requested: i64,
        /// Units available.
        available: i64,
    },
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for PgError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        PgError::Pool(e.to_string())
    }
}

impl PgError {
    /// A corrupt-data error naming what failed to parse.
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        PgError::Corrupt(what.to_string())
    }

    /// Whether retrying later may succeed: lost connections, timeouts, an exhausted pool.
    fn is_transient(&self) -> bool {
        match self {
            PgError::Diesel(DieselError::DatabaseError(kind, info)) => {
                matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
                ) || info.message().contains("statement timeout")
                    || info.message().contains("terminating connection")
            }
            PgError::Diesel(DieselError::BrokenTransactionManager) => true,
            PgError::Connection(_) | PgError::Pool(_) => true,
            _ => false,
        }
    }

    /// Whether another transaction won a race: a serialization failure, a deadlock, or a
    /// unique key taken meanwhile. The use case re-reads and decides again.
    fn is_race(&self) -> bool {
        match self {
            PgError::Conflict => true,
            PgError::Diesel(DieselError::DatabaseError(kind, info)) => {
                matches!(
                    kind,
                    DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::UniqueViolation
                ) || info.message().contains("deadlock detected")
            }
            _ => false,
        }
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        if e.is_race() {
            StoreError::Conflict
        } else if e.is_transient() {
            StoreError::Unavailable(Box::new(e))
        } else {
            StoreError::Unexpected(Box::new(e))
        }
    }
}

impl From<PgError> for CheckoutStoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::InsufficientStock {
                variant_id,
                requested,
                available,
            } => CheckoutStoreError::InsufficientStock {
                variant_id,
                requested,
                available,
            },
            other if other.is_race() => CheckoutStoreError::CartChanged,
            other => CheckoutStoreError::Store(other.into()),
        }
    }
}
