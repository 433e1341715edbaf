//! The error every store port returns for infrastructure trouble.

/// An opaque cause carried for logs.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong in storage, in terms the use cases can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A version-checked write found the row changed since it was read; the use case reloads
    /// and decides again.
    #[error("the record changed concurrently")]
    Conflict,
    /// Storage cannot be reached now (lost connection, exhausted pool, timeout); retrying
    /// later may succeed.
    #[error("storage is unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or corrupt data.
    #[error("unexpected storage error")]
    Unexpected(#[source] BoxError),
}
