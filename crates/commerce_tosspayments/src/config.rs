//! Settings of the Toss client.

use std::fmt;
use std::time::Duration;

/// A Toss secret key. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(key.into())
    }

    /// The key itself, for the Authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for a test key (`test_sk_…`, `test_gsk_…`): the server runs in test mode.
    pub fn is_test(&self) -> bool {
        self.0.starts_with("test_")
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let family = self.0.split('_').take(2).collect::<Vec<_>>().join("_");
        write!(f, "SecretKey({family}_***)")
    }
}

/// Where Toss is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct TossConfig {
    /// `https://api.tosspayments.com`, or a sandbox.
    pub base_url: String,
    /// The secret key (widget `gsk` or API `sk`).
    pub secret_key: SecretKey,
    /// Limit on opening a connection.
    pub connect_timeout: Duration,
    /// Limit on a whole call, answer included.
    pub timeout: Duration,
}

impl TossConfig {
    /// Defaults: 3 s to connect, 15 s in all (Toss's confirm usually answers in well under
    /// 2 s; a longer wait only holds the customer).
    pub fn new(base_url: impl Into<String>, secret_key: SecretKey) -> Self {
        TossConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            secret_key,
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(15),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = TossConfig::new(
            "https://api.tosspayments.com/",
            SecretKey::new("test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"),
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("zXLkKEyp"), "{shown}");
        assert!(shown.contains("test_sk_***"));
        assert_eq!(config.base_url, "https://api.tosspayments.com");
        assert!(config.secret_key.is_test());
        assert!(!SecretKey::new("live_gsk_x").is_test());
    }
}
