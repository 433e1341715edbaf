//! How many units of a variant a cart line or order line holds.

use std::fmt;

/// Why a quantity was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("quantity must be between {min} and {max}", min = Quantity::MIN, max = Quantity::MAX)]
pub struct InvalidQuantity;

/// A line quantity, always within `1..=999` (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(u16);

impl Quantity {
    /// The smallest quantity a line may hold.
    pub const MIN: u16 = 1;
    /// The largest quantity a line may hold.
    pub const MAX: u16 = 999;

    /// Parses a quantity from any integer a client may send.
    ///
    /// # Errors
    /// [`InvalidQuantity`] outside `1..=999`.
    pub fn new(value: i64) -> Result<Self, InvalidQuantity> {
        u16::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(v))
            .map(Quantity)
            .ok_or(InvalidQuantity)
    }

    /// The number of units.
    pub fn get(self) -> u16 {
        self.0
    }

    /// `self + other`, still within the limit.
    ///
    /// # Errors
    /// [`InvalidQuantity`] when the sum passes 999.
    pub fn checked_add(self, other: Quantity) -> Result<Quantity, InvalidQuantity> {
        Quantity::new(i64::from(self.0) + i64::from(other.0))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_nine_hundred_ninety_nine() {
        assert_eq!(Quantity::new(1).map(Quantity::get), Ok(1));
        assert_eq!(Quantity::new(999).map(Quantity::get), Ok(999));
    }

    #[test]
    fn refuses_zero_negative_and_too_many() {
        for v in [0, -1, 1000, i64::MAX, i64::MIN] {
            assert_eq!(Quantity::new(v), Err(InvalidQuantity), "{v}");
        }
    }

    #[test]
    fn adding_past_the_limit_fails() {
        let q = Quantity::new(500).unwrap();
        assert_eq!(q.checked_add(q), Err(InvalidQuantity));
        assert_eq!(
            q.checked_add(Quantity::new(499).unwrap())
                .map(Quantity::get),
            Ok(999)
        );
    }
}
