//! API keys: issuing, listing, revoking and rotating them, and authenticating a request.

use chrono::{DateTime, Utc};

use crate::apikey::{claimed, hash_key, issue, ApiKeyInfo, IssuedKey, KeyKind, Mode};
use crate::error::ErrorCode;
use crate::ids::ApiKeyId;
use crate::ports::StoreError;
use crate::validation::ValidationErrors;

use super::Ports;

mod cache;

pub use cache::KeyCache;

/// Why a request was not let in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("no API key was given")]
    MissingKey,
    /// Unknown, malformed, revoked or expired.
    #[error("the API key is not valid")]
    InvalidKey,
    /// A test key on a live server or the reverse.
    #[error("the API key is for the other mode")]
    ModeMismatch,
    /// A publishable key on an admin route.
    #[error("this key cannot open this route")]
    Forbidden,
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::MissingKey => "missing_api_key",
            AuthError::InvalidKey => "invalid_api_key",
            AuthError::ModeMismatch => "api_key_mode_mismatch",
            AuthError::Forbidden => "forbidden",
            AuthError::Store(e) => e.code(),
        }
    }
}

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyServiceError {
    /// No such key (or already revoked, for rotation).
    #[error("API key not found")]
    NotFound,
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for ApiKeyServiceError {
    fn code(&self) -> &'static str {
        match self {
            ApiKeyServiceError::NotFound => "resource_not_found",
            ApiKeyServiceError::Invalid(_) => "invalid_request",
            ApiKeyServiceError::Store(e) => e.code(),
        }
    }
}

/// Who is calling: the key that opened the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key.
    pub key: ApiKeyInfo,
}

impl Principal {
    /// Admin routes need a secret key.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for a publishable key.
    pub fn require_secret(&self) -> Result<(), AuthError> {
        match self.key.kind {
            KeyKind::Secret => Ok(()),
            KeyKind::Publishable => Err(AuthError::Forbidden),
        }
    }
}

/// What a new key should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKeyRequest {
    /// A label, 1 to 100 characters.
    pub name: String,
    /// Publishable or secret.
    pub kind: KeyKind,
    /// Test or live.
    pub mode: Mode,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The API key use cases.
#[derive(Clone)]
pub struct ApiKeyService {
    ports: Ports,
    cache: std::sync::Arc<KeyCache>,
}

impl ApiKeyService {
    /// Builds the service over the ports, with a cache of its own.
    pub fn new(ports: Ports) -> Self {
        Self::with_cache(ports, std::sync::Arc::default())
    }

    /// Builds the service over the ports with a cache shared with other instances (one per
    /// HTTP worker of a process), so a revocation through any of them clears it for all.
    pub fn with_cache(ports: Ports, cache: std::sync::Arc<KeyCache>) -> Self {
        Self { ports, cache }
    }

    /// Issues a key; its plaintext is in the answer and nowhere else, ever.
    ///
    /// # Errors
    /// [`ApiKeyServiceError::Invalid`] for a bad name or an expiry in the past.
    pub async fn create(&self, request: NewKeyRequest) -> Result<IssuedKey, ApiKeyServiceError> {
        let name = request.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(
                ValidationErrors::one("name", "invalid", "must be 1 to 100 characters").into(),
            );
        }
        let now = self.ports.clock.now();
        if request.expires_at.is_some_and(|at| at <= now) {
            return Err(
                ValidationErrors::one("expires_at", "invalid", "must be in the future").into(),
            );
        }
        let key = issue(
            request.kind,
            request.mode,
            name,
            request.expires_at,
            self.ports.ids.as_ref(),
            now,
        );
        self.ports.api_keys.insert_key(&key.info, &key.hash).await?;
        Ok(key)
    }

    /// Every key, newest first (never their secrets).
    ///
    /// # Errors
    /// [`ApiKeyServiceError::Store`].
    pub async fn list(&self) -> Result<Vec<ApiKeyInfo>, ApiKeyServiceError> {
        Ok(self.ports.api_keys.list_keys().await?)
    }

    /// Revokes a key at once.
    ///
    /// # Errors
    /// [`ApiKeyServiceError::NotFound`], [`ApiKeyServiceError::Store`].
    pub async fn revoke(&self, id: &ApiKeyId) -> Result<ApiKeyInfo, ApiKeyServiceError> {
        self.cache.clear();
        self.ports
            .api_keys
            .revoke_key(id, self.ports.clock.now())
            .await?
            .ok_or(ApiKeyServiceError::NotFound)
    }

    /// Gives a key a new secret; the old one stops working at once.
    ///
    /// # Errors
    /// [`ApiKeyServiceError::NotFound`] for a missing or revoked key.
    pub async fn rotate(&self, id: &ApiKeyId) -> Result<(ApiKeyInfo, String), ApiKeyServiceError> {
        self.cache.clear();
        let current = self
            .ports
            .api_keys
            .list_keys()
            .await?
            .into_iter()
            .find(|k| &k.id == id && k.is_usable(self.ports.clock.now()))
            .ok_or(ApiKeyServiceError::NotFound)?;
        let fresh = issue(
            current.kind,
            current.mode,
            current.name.clone(),
            current.expires_at,
            self.ports.ids.as_ref(),
            self.ports.clock.now(),
        );
        let info = self
            .ports
            .api_keys
            .replace_key_secret(id, &fresh.info.key_prefix, &fresh.hash)
            .await?
            .ok_or(ApiKeyServiceError::NotFound)?;
        Ok((info, fresh.plaintext))
    }

    /// Authenticates a presented key for a server running in `server_mode`.
    ///
    /// # Errors
    /// [`AuthError::MissingKey`], [`AuthError::InvalidKey`] (unknown, malformed, revoked,
    /// expired), [`AuthError::ModeMismatch`].
    pub async fn authenticate(
        &self,
        presented: Option<&str>,
        server_mode: Mode,
    ) -> Result<Principal, AuthError> {
        let raw = presented
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(AuthError::MissingKey)?;
        let (_, claimed_mode) = claimed(raw).ok_or(AuthError::InvalidKey)?;
        let hash = hash_key(raw);
        let now = self.ports.clock.now();
        let key = match self.cache.get(&hash, now) {
            Some(key) => key,
            None => {
                let key = self
                    .ports
                    .api_keys
                    .find_key_by_hash(&hash)
                    .await?
                    .ok_or(AuthError::InvalidKey)?;
                self.cache.put(hash.clone(), key.clone(), now);
                key
            }
        };
        if !key.is_usable(now) {
            return Err(AuthError::InvalidKey);
        }
        if key.mode != server_mode || claimed_mode != server_mode {
            return Err(AuthError::ModeMismatch);
        }
        if key
            .last_used_at
            .is_none_or(|last| now - last >= chrono::Duration::minutes(1))
        {
            self.ports.api_keys.touch_key(&key.id, now).await?;
            self.cache.touched(&hash, now);
        }
        Ok(Principal { key })
    }
}

#[cfg(test)]
mod tests;
