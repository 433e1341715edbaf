//! Korean won amounts. A won is the smallest unit of KRW: amounts are whole numbers, never
//! floats and never scaled by 100.

use std::fmt;

use crate::quantity::Quantity;

/// The currency code every amount of this crate is in.
pub const CURRENCY: &str = "KRW";

/// Why an amount could not be made or computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Amounts are never negative; a refund or discount is a separate positive amount.
    #[error("an amount cannot be negative")]
    Negative,
    /// The result does not fit in the range we store.
    #[error("the amount is too large")]
    Overflow,
}

/// A non-negative amount of Korean won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Krw(i64);

impl Krw {
    /// Zero won.
    pub const ZERO: Krw = Krw(0);

    /// The largest amount we accept: one quadrillion won, far above any payment, so that sums of
    /// many lines still fit in an `i64` column.
    pub const MAX: Krw = Krw(1_000_000_000_000_000);

    /// Makes an amount from whole won.
    ///
    /// # Errors
    /// [`MoneyError::Negative`] below zero, [`MoneyError::Overflow`] above [`Krw::MAX`].
    pub fn new(won: i64) -> Result<Self, MoneyError> {
        if won < 0 {
            Err(MoneyError::Negative)
        } else if won > Self::MAX.0 {
            Err(MoneyError::Overflow)
        } else {
            Ok(Krw(won))
        }
    }

    /// The amount in whole won.
    pub fn won(self) -> i64 {
        self.0
    }

    /// True for zero won.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] past [`Krw::MAX`].
    pub fn checked_add(self, other: Krw) -> Result<Krw, MoneyError> {
        self.0
            .checked_add(other.0)
            .ok_or(MoneyError::Overflow)
            .and_then(Krw::new)
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`MoneyError::Negative`] when `other` is larger.
    pub fn checked_sub(self, other: Krw) -> Result<Krw, MoneyError> {
        Krw::new(self.0 - other.0)
    }

    /// The price of `quantity` units at `self` each.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] past [`Krw::MAX`].
    pub fn times(self, quantity: Quantity) -> Result<Krw, MoneyError> {
        self.0
            .checked_mul(i64::from(quantity.get()))
            .ok_or(MoneyError::Overflow)
            .and_then(Krw::new)
    }

    /// Adds up amounts.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] past [`Krw::MAX`].
    pub fn sum<I: IntoIterator<Item = Krw>>(amounts: I) -> Result<Krw, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Krw::ZERO, |total, amount| total.checked_add(amount))
    }
}

impl fmt::Display for Krw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {CURRENCY}", self.0)
    }
}

impl TryFrom<i64> for Krw {
    type Error = MoneyError;

    fn try_from(won: i64) -> Result<Self, Self::Error> {
        Krw::new(won)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(Krw::new(-1), Err(MoneyError::Negative));
        assert_eq!(Krw::new(0), Ok(Krw::ZERO));
    }

    #[test]
    fn amounts_above_the_maximum_are_refused() {
        assert_eq!(Krw::new(Krw::MAX.won() + 1), Err(MoneyError::Overflow));
        assert_eq!(Krw::MAX.checked_add(Krw(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn subtraction_below_zero_is_an_error() {
        assert_eq!(Krw(5).checked_sub(Krw(6)), Err(MoneyError::Negative));
        assert_eq!(Krw(6).checked_sub(Krw(6)), Ok(Krw::ZERO));
    }

    #[test]
    fn line_price_is_unit_price_times_quantity() {
        let two = Quantity::new(2).unwrap();
        assert_eq!(Krw(29_000).times(two), Ok(Krw(58_000)));
    }

    #[test]
    fn display_shows_whole_won() {
        assert_eq!(Krw(58_000).to_string(), "58000 KRW");
    }

    proptest! {
        #[test]
        fn add_then_sub_round_trips(a in 0i64..=Krw::MAX.won(), b in 0i64..=Krw::MAX.won()) {
            let (a, b) = (Krw::new(a).unwrap(), Krw::new(b).unwrap());
            match a.checked_add(b) {
                Ok(sum) => {
                    prop_assert_eq!(sum.checked_sub(b), Ok(a));
                    prop_assert!(sum >= a && sum >= b);
                }
                Err(e) => {
                    prop_assert_eq!(e, MoneyError::Overflow);
                    prop_assert!(a.won() + b.won() > Krw::MAX.won());
                }
            }
        }

        #[test]
        fn sum_equals_repeated_addition(values in proptest::collection::vec(0i64..1_000_000_000, 0..50)) {
            let amounts: Vec<Krw> = values.iter().map(|v| Krw::new(*v).unwrap()).collect();
            let expected: i64 = values.iter().sum();
            prop_assert_eq!(Krw::sum(amounts).map(Krw::won), Ok(expected));
        }

        #[test]
        fn times_never_goes_negative(unit in 0i64..=Krw::MAX.won(), q in 1i64..=999) {
            let q = Quantity::new(q).unwrap();
            if let Ok(total) = Krw::new(unit).unwrap().times(q) {
                prop_assert!(total.won() >= unit);
            }
        }
    }
}
