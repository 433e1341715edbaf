//! A short-lived in-process memory of keys found by hash, so a busy storefront does not pay a
//! database round trip for its key on every request.
//!
//! Only keys that were found are remembered (never the plaintext: entries are keyed by the
//! hash), each for [`KeyCache::TTL`]. Revoking or rotating a key forgets every entry of the
//! process that did it at once; other processes stop accepting it within the TTL. Expiry and
//! revocation are still checked on the remembered copy on every request.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::apikey::ApiKeyInfo;

/// Keys by hash, with when they were read.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (ApiKeyInfo, DateTime<Utc>)>>,
}

impl KeyCache {
    /// How long a key read from the store is trusted.
    pub const TTL: Duration = Duration::seconds(5);
    /// Entries kept at most; past it the memory starts over (keys are few in practice).
    const CAPACITY: usize = 10_000;

    /// The key remembered for `hash`, if read less than [`Self::TTL`] before `now`.
    pub fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<ApiKeyInfo> {
        let entries = self.entries.lock().ok()?;
        let (key, read_at) = entries.get(hash)?;
        (now - *read_at < Self::TTL && *read_at <= now).then(|| key.clone())
    }

    /// Remembers `key`, read from the store at `now`.
    pub fn put(&self, hash: String, key: ApiKeyInfo, now: DateTime<Utc>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(hash, (key, now));
        }
    }

    /// Records that the key under `hash` was marked used at `now`.
    pub fn touched(&self, hash: &str, now: DateTime<Utc>) {
        if let Ok(mut entries) = self.entries.lock() {
            if let Some((key, _)) = entries.get_mut(hash) {
                key.last_used_at = Some(now);
            }
        }
    }

    /// Forgets every key (after a revocation or rotation).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apikey::{KeyKind, Mode};
    use crate::testing::at;

    fn key() -> ApiKeyInfo {
        let ids = crate::testing::SequenceIds::default();
        crate::apikey::issue(KeyKind::Secret, Mode::Test, "k".into(), None, &ids, at(0)).info
    }

    #[test]
    fn a_key_is_remembered_for_the_ttl_only() {
        let cache = KeyCache::default();
        cache.put("h".into(), key(), at(10));
        assert!(cache.get("h", at(10)).is_some());
        assert!(cache.get("h", at(14)).is_some());
        assert!(cache.get("h", at(15)).is_none());
        assert!(cache.get("other", at(10)).is_none());
    }

    #[test]
    fn clearing_forgets_and_touching_updates_the_copy() {
        let cache = KeyCache::default();
        cache.put("h".into(), key(), at(10));
        cache.touched("h", at(12));
        assert_eq!(cache.get("h", at(12)).unwrap().last_used_at, Some(at(12)));
        cache.clear();
        assert!(cache.get("h", at(12)).is_none());
    }
}
