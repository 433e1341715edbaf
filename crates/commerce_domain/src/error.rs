//! Stable error codes (SPEC §2). Every error a client can see names its code here; the HTTP
//! status is the app's business.

use crate::ports::StoreError;

/// An error with a stable, snake_case code that clients match on.
pub trait ErrorCode {
    /// The code, e.g. `insufficient_stock`.
    fn code(&self) -> &'static str;
}

/// Storage trouble is never the client's fault: `service_unavailable` when retrying later may
/// help (our extension of SPEC §2), `internal_error` otherwise.
impl ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict | StoreError::Unavailable(_) => "service_unavailable",
            StoreError::Unexpected(_) => "internal_error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_have_server_side_codes() {
        let cause = || -> crate::ports::BoxError { "boom".into() };
        assert_eq!(StoreError::Conflict.code(), "service_unavailable");
        assert_eq!(
            StoreError::Unavailable(cause()).code(),
            "service_unavailable"
        );
        assert_eq!(StoreError::Unexpected(cause()).code(), "internal_error");
    }
}
