//! `Idempotency-Key` as Toss implements it: scoped by key, API key, path and method (not the
//! body); the first answer, errors included, is replayed for 15 days; a request arriving while
//! the first is still running gets 409 `IDEMPOTENT_REQUEST_PROCESSING`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;

/// Longest key Toss accepts.
pub const MAX_KEY_LEN: usize = 300;

/// The scope of a key.
pub type Scope = (String, String, String, String);

#[derive(Debug, Clone)]
enum Entry {
    InFlight,
    Done {
        status: u16,
        body: String,
        at: DateTime<Utc>,
    },
}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: process it, then [`IdempotencyStore::finish`].
    Process,
    /// Answer with the stored response.
    Replay {
        /// Its status.
        status: u16,
        /// Its body.
        body: String,
    },
    /// The first request is still running.
    InFlight,
}

/// Stored answers.
pub struct IdempotencyStore {
    entries: Mutex<HashMap<Scope, Entry>>,
    clock: Arc<dyn Clock>,
}

impl IdempotencyStore {
    /// An empty store.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        IdempotencyStore {
            entries: Mutex::default(),
            clock,
        }
    }

    /// Claims a scope.
    pub fn claim(&self, scope: &Scope) -> Claim {
        let now = self.clock.now();
        let Ok(mut entries) = self.entries.lock() else {
            return Claim::InFlight;
        };
        match entries.get(scope) {
            Some(Entry::InFlight) => Claim::InFlight,
            Some(Entry::Done { status, body, at }) if now - *at < Duration::days(15) => {
                Claim::Replay {
                    status: *status,
                    body: body.clone(),
                }
            }
            _ => {
                entries.insert(scope.clone(), Entry::InFlight);
                Claim::Process
            }
        }
    }

    /// Stores the answer of a processed request.
    pub fn finish(&self, scope: Scope, status: u16, body: String) {
        let at = self.clock.now();
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(scope, Entry::Done { status, body, at });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn scope(key: &str) -> Scope {
        (
            key.into(),
            "test_sk_x".into(),
            "/v1/payments/confirm".into(),
            "POST".into(),
        )
    }

    #[test]
    fn the_first_answer_is_replayed_for_fifteen_days() {
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let store = IdempotencyStore::new(clock.clone());
        assert_eq!(store.claim(&scope("k")), Claim::Process);
        assert_eq!(store.claim(&scope("k")), Claim::InFlight);
        store.finish(scope("k"), 403, "{\"code\":\"REJECT_CARD_PAYMENT\"}".into());
        assert!(matches!(
            store.claim(&scope("k")),
            Claim::Replay { status: 403, .. }
        ));
        clock.advance(Duration::days(15));
        assert_eq!(store.claim(&scope("k")), Claim::Process);
    }

    #[test]
    fn the_scope_includes_the_api_key_and_path() {
        let store = IdempotencyStore::new(Arc::new(ManualClock::new(Utc::now())));
        assert_eq!(store.claim(&scope("k")), Claim::Process);
        let mut other = scope("k");
        other.2 = "/v1/payments/abc/cancel".into();
        assert_eq!(store.claim(&other), Claim::Process);
        let mut other_key = scope("k");
        other_key.1 = "test_sk_other".into();
        assert_eq!(store.claim(&other_key), Claim::Process);
    }
}
