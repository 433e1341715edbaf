//! API keys (SPEC §3): publishable keys open the storefront, secret keys the storefront and
//! the admin API. Keys are random, shown once, and stored only as SHA-256 hashes.

use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::ids::ApiKeyId;
use crate::ports::IdGenerator;

/// Which routes a key opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `pk_…`: storefront routes, safe to ship in a browser.
    Publishable,
    /// `sk_…`: storefront and admin routes; server-side only.
    Secret,
}

/// Test or live: a server runs in one mode and refuses keys of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Test payments (a `test_` Toss key, or the sandbox).
    Test,
    /// Real payments (a `live_` Toss key).
    Live,
}

impl KeyKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }

    /// Parses a name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "publishable" => Some(KeyKind::Publishable),
            "secret" => Some(KeyKind::Secret),
            _ => None,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            KeyKind::Publishable => "pk",
            KeyKind::Secret => "sk",
        }
    }
}

impl Mode {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    /// Parses a name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

/// What is stored and shown of a key: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    /// The key's id (`key_…`), not the key.
    pub id: ApiKeyId,
    /// A label.
    pub name: String,
    /// The first characters of the key, to recognise it (`pk_test_AbCd`).
    pub key_prefix: String,
    /// Publishable or secret.
    pub kind: KeyKind,
    /// Test or live.
    pub mode: Mode,
    /// When it last opened a request (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A new key: the plaintext is in hand once, here, and never again.
pub struct IssuedKey {
    /// What is stored and listed.
    pub info: ApiKeyInfo,
    /// The key to hand to the user.
    pub plaintext: String,
    /// Its SHA-256, the only form stored.
    pub hash: String,
}

impl fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedKey")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Characters of a key's visible prefix.
const PREFIX_LEN: usize = 12;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// 40 random base-62 characters: about 238 bits.
fn random_body(ids: &dyn IdGenerator) -> String {
    let mut out = String::with_capacity(40);
    for _ in 0..2 {
        let mut bits = ids.random_u128();
        for _ in 0..20 {
            let index = usize::try_from(bits % 62).unwrap_or(0);
            out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'0')));
            bits /= 62;
        }
    }
    out
}

/// The lower-case hex SHA-256 of a presented key: how keys are stored and looked up.
pub fn hash_key(raw: &str) -> String {
    Sha256::digest(raw.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Makes a new key of `kind` for `mode`.
pub fn issue(
    kind: KeyKind,
    mode: Mode,
    name: String,
    expires_at: Option<DateTime<Utc>>,
    ids: &dyn IdGenerator,
    now: DateTime<Utc>,
) -> IssuedKey {
    let plaintext = format!("{}_{}_{}", kind.prefix(), mode.as_str(), random_body(ids));
    IssuedKey {
        info: ApiKeyInfo {
            id: ApiKeyId::generate(ids),
            name,
            key_prefix: plaintext.chars().take(PREFIX_LEN).collect(),
            kind,
            mode,
            last_used_at: None,
            expires_at,
            revoked_at: None,
            created_at: now,
        },
        hash: hash_key(&plaintext),
        plaintext,
    }
}

/// The kind and mode a presented key claims by its prefix, if it has a well-formed one.
pub fn claimed(raw: &str) -> Option<(KeyKind, Mode)> {
    let mut parts = raw.splitn(3, '_');
    let kind = match parts.next()? {
        "pk" => KeyKind::Publishable,
        "sk" => KeyKind::Secret,
        _ => return None,
    };
    let mode = Mode::parse(parts.next()?)?;
    let body = parts.next()?;
    (!body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric())).then_some((kind, mode))
}

impl ApiKeyInfo {
    /// True when it may open a request at `now`: not revoked, not expired.
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, SequenceIds};

    #[test]
    fn issued_keys_carry_kind_and_mode_and_are_stored_hashed() {
        let key = issue(
            KeyKind::Publishable,
            Mode::Test,
            "storefront".into(),
            None,
            &SequenceIds::default(),
            at(0),
        );
        assert!(key.plaintext.starts_with("pk_test_"));
        assert_eq!(key.plaintext.len(), "pk_test_".len() + 40);
        assert_eq!(key.info.key_prefix, &key.plaintext[..12]);
        assert_eq!(key.hash, hash_key(&key.plaintext));
        assert_eq!(key.hash.len(), 64);
        assert!(
            !format!("{key:?}").contains(&key.plaintext),
            "never in Debug"
        );
        assert_eq!(
            claimed(&key.plaintext),
            Some((KeyKind::Publishable, Mode::Test))
        );
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn malformed_keys_claim_nothing() {
        for raw in [
            "",
            "pk",
            "pk_test_",
            "xk_test_abc",
            "sk_prod_abc",
            "sk_live_a-b",
        ] {
            assert_eq!(claimed(raw), None, "{raw}");
        }
        assert_eq!(claimed("sk_live_abc"), Some((KeyKind::Secret, Mode::Live)));
    }

    #[test]
    fn revoked_or_expired_keys_are_not_usable() {
        let mut info = issue(
            KeyKind::Secret,
            Mode::Test,
            "x".into(),
            Some(at(100)),
            &SequenceIds::default(),
            at(0),
        )
        .info;
        assert!(info.is_usable(at(99)));
        assert!(!info.is_usable(at(100)));
        info.expires_at = None;
        info.revoked_at = Some(at(5));
        assert!(!info.is_usable(at(6)));
    }
}
