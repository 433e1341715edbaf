//! The real clock and the real randomness, for the domain's `Clock` and `IdGenerator` ports.

use chrono::{DateTime, Utc};
use commerce_domain::ports::{Clock, IdGenerator};
use rand::RngCore;

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Random bits from the thread-local CSPRNG (ChaCha, seeded from the OS): ids and keys must
/// be unguessable.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn random_u128(&self) -> u128 {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        u128::from_le_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_differ() {
        let ids = RandomIds;
        assert_ne!(ids.random_u128(), ids.random_u128());
    }
}
