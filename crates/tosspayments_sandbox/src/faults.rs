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

/// What is pending: a count of faults of one mode, and a share of all calls to fail.
#[derive(Debug, Default)]
struct Pending {
    counted: Option<(FaultMode, u32)>,
    percent: u32,
    calls: u64,
}

/// The faults still to inject.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Pending>);

impl Faults {
    /// Replaces the pending counted faults.
    pub fn set(&self, mode: FaultMode, count: u32) {
        if let Ok(mut pending) = self.0.lock() {
            pending.counted = (count > 0).then_some((mode, count));
        }
    }

    /// Fails `percent` of all calls from now on (0 stops), cycling through the three modes;
    /// load drills use it to simulate a flaky Toss. The pattern is deterministic, so a drill
    /// run can be repeated.
    pub fn set_percent(&self, percent: u32) {
        if let Ok(mut pending) = self.0.lock() {
            pending.percent = percent.min(100);
        }
    }

    /// Takes one fault, if any is due.
    pub fn take(&self) -> Option<FaultMode> {
        let mut pending = self.0.lock().ok()?;
        if let Some((mode, left)) = pending.counted {
            pending.counted = (left > 1).then_some((mode, left - 1));
            return Some(mode);
        }
        if pending.percent == 0 {
            return None;
        }
        pending.calls += 1;
        let n = pending.calls;
        // A fixed permutation of 0..100 so faults spread over the calls instead of bunching.
        let slot = n.wrapping_mul(37) % 100;
        (slot < u64::from(pending.percent)).then_some(match n % 3 {
            0 => FaultMode::Timeout,
            1 => FaultMode::Http500,
            _ => FaultMode::Reset,
        })
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

    #[test]
    fn a_percentage_fails_that_share_of_calls() {
        let faults = Faults::default();
        faults.set_percent(30);
        let failed = (0..1000).filter(|_| faults.take().is_some()).count();
        assert_eq!(failed, 300);
        faults.set_percent(0);
        assert_eq!(faults.take(), None);
    }
}
