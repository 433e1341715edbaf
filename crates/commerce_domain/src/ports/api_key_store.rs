//! Storage of API keys (hashes only).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::apikey::ApiKeyInfo;
use crate::ids::ApiKeyId;

/// Keeps API keys by the SHA-256 of the key.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key's record and hash.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn insert_key(&self, key: &ApiKeyInfo, hash: &str) -> Result<(), StoreError>;

    /// The key whose hash is `hash`, revoked or not.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn find_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyInfo>, StoreError>;

    /// Every key, newest first.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn list_keys(&self) -> Result<Vec<ApiKeyInfo>, StoreError>;

    /// Revokes a key; `Ok(None)` when there is no such key.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn revoke_key(
        &self,
        id: &ApiKeyId,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyInfo>, StoreError>;

    /// Gives a live key a new secret (prefix and hash), so the old one stops working at once;
    /// `Ok(None)` when there is no such usable key.
    ///
    /// # Errors
    /// [`StoreError`].
    async fn replace_key_secret(
        &self,
        id: &ApiKeyId,
        key_prefix: &str,
        hash: &str,
    ) -> Result<Option<ApiKeyInfo>, StoreError>;

    /// Records a use, at most once a minute per key (a write per request would be waste).
    ///
    /// # Errors
    /// [`StoreError`].
    async fn touch_key(&self, id: &ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError>;
}
