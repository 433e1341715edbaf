//! Time, as a port, so that deadlines are testable.

use chrono::{DateTime, Utc};

/// Tells the current time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}
