//! Randomness for ids, as a port, so the domain does no I/O and tests are deterministic.

/// Supplies the random bits behind every generated id and idempotency key.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// 128 bits from a cryptographically secure source: ids must be unguessable.
    fn random_u128(&self) -> u128;
}
