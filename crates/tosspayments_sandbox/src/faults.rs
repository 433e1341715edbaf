//! Injected outages: the next n Toss API calls fail in a chosen way.

use std::sync::Mutex;

/// How an injected fault fails a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMode {
    /// The call is processed, then its answer is held past any sensible client timeout: the
    /// client cannot know the outcome.
    Timeout,
    /// The call is refused with HTTP 500 `FAILED_INTERNAL_SYSTEM_PROCESSING` before any
    /// processing.
    Http500,
    /// The call is processed, then the connection is dropped mid-answer.
    Reset,
}

impl FaultMode {
    /// Parses the control API's name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "timeout" => Some(FaultMode::Timeout),
            "http_500" => Some(FaultMode::Http500),
            "reset" => Some(FaultMode::Reset),
            _ => None,
        }
    }
}

/// The faults still to inject.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Option<(FaultMode, u32)>>);

impl Faults {
    /// Replaces the pending faults.
    pub fn set(&self, mode: FaultMode, count: u32) {
        if let Ok(mut pending) = self.0.lock() {
            *pending = (count > 0).then_some((mode, count));
        }
    }

    /// Takes one fault, if any is pending.
    pub fn take(&self) -> Option<FaultMode> {
        let mut pending = self.0.lock().ok()?;
        let (mode, left) = (*pending)?;
        *pending = (left > 1).then_some((mode, left - 1));
        Some(mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_run_out_after_their_count() {
        let faults = Faults::default();
        faults.set(FaultMode::Http500, 2);
        assert_eq!(faults.take(), Some(FaultMode::Http500));
        assert_eq!(faults.take(), Some(FaultMode::Http500));
        assert_eq!(faults.take(), None);
    }
}
