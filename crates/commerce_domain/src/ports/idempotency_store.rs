//! Storage of responses per `Idempotency-Key`, shared by every server process.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::StoreError;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First time (or the first attempt's process died): run it, then complete or abandon.
    Started,
    /// Done before with the same request: answer with this.
    Replay(StoredResponse),
    /// The first request with this key is still running.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

/// Keeps idempotency records.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` in `scope` for a request whose fingerprint is `request_hash`; a claim
    /// older than `lock_for` is taken over (its process is presumed dead).
    ///
    /// # Errors
    /// [`StoreError`].
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_for: Duration,
    ) -> Result<IdempotencyBegin, StoreError>;

    /// Stores the response of a started request.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    /// Forgets a started request that should not be replayed (it failed on our side).
    ///
    /// # Errors
    /// [`StoreError`].
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
