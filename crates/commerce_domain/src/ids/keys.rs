//! Keys that are not our own prefixed ids: the Toss `orderId`, the Toss `paymentKey`, the
//! `Idempotency-Key` we send to Toss, the storefront session id and the human order number.

use std::fmt;

use super::OrderId;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind}")]
pub struct InvalidKey {
    /// What was expected, e.g. `payment key`.
    pub kind: &'static str,
}

/// The `orderId` we give TossPayments for an order: `"HC-" + order.id`. Toss allows 6 to 64
/// characters of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TossOrderId(String);

impl TossOrderId {
    /// What every order id we send Toss starts with.
    pub const PREFIX: &'static str = "HC-";

    /// The Toss order id of one of our orders.
    pub fn for_order(order: &OrderId) -> Self {
        Self(format!("{}{}", Self::PREFIX, order.as_str()))
    }

    /// Parses an order id as Toss or a storefront sends it back.
    ///
    /// # Errors
    /// [`InvalidKey`] unless it is 6 to 64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        let ok = (6..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidKey { kind: "order id" })
        }
    }

    /// Our order behind this Toss order id, when it is one of ours.
    pub fn order_id(&self) -> Option<OrderId> {
        self.0
            .strip_prefix(Self::PREFIX)
            .and_then(|raw| OrderId::parse(raw).ok())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TossOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Toss's id of a payment (`paymentKey`): at most 200 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaymentKey(String);

impl PaymentKey {
    /// The longest payment key Toss issues.
    pub const MAX_LEN: usize = 200;

    /// Parses a payment key.
    ///
    /// # Errors
    /// [`InvalidKey`] when empty, longer than 200 characters, or not visible ASCII.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        if !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_graphic())
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidKey {
                kind: "payment key",
            })
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PaymentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `Idempotency-Key` of one logical call to Toss: kept across retries after no answer,
/// replaced after any answer. Toss allows at most 300 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parses a stored key.
    ///
    /// # Errors
    /// [`InvalidKey`] when empty, longer than 300 characters, or not visible ASCII.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        if !raw.is_empty() && raw.len() <= 300 && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidKey {
                kind: "idempotency key",
            })
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A storefront's session id that a cart belongs to: 1 to 128 visible characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// Parses a session id.
    ///
    /// # Errors
    /// [`InvalidKey`] when empty, longer than 128 characters, or holding white space or control
    /// characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        let ok = !raw.is_empty()
            && raw.chars().count() <= 128
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidKey { kind: "session id" })
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The short, sequential, human order number (`"1001"`), assigned by storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderNumber(u64);

impl OrderNumber {
    /// Wraps a number handed out by storage.
    pub fn new(number: u64) -> Self {
        Self(number)
    }

    /// Parses a number a customer typed.
    ///
    /// # Errors
    /// [`InvalidKey`] unless it is a positive decimal number.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        raw.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Self)
            .ok_or(InvalidKey {
                kind: "order number",
            })
    }

    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrderId;
    use crate::testing::SequenceIds;

    #[test]
    fn toss_order_id_is_hc_plus_our_order_id_and_maps_back() {
        let order = OrderId::generate(&SequenceIds::default());
        let toss = TossOrderId::for_order(&order);
        assert_eq!(toss.as_str(), format!("HC-{order}"));
        assert!(TossOrderId::parse(toss.as_str()).is_ok());
        assert_eq!(toss.order_id(), Some(order));
    }

    #[test]
    fn toss_order_id_follows_toss_length_and_charset() {
        assert!(TossOrderId::parse("abcde").is_err());
        assert!(TossOrderId::parse("abcdef").is_ok());
        assert!(TossOrderId::parse(&"a".repeat(64)).is_ok());
        assert!(TossOrderId::parse(&"a".repeat(65)).is_err());
        assert!(TossOrderId::parse("abc=def").is_err());
        assert_eq!(TossOrderId::parse("someone-else").unwrap().order_id(), None);
    }

    #[test]
    fn payment_key_is_bounded_to_200_visible_characters() {
        assert!(PaymentKey::parse(&"k".repeat(200)).is_ok());
        assert!(PaymentKey::parse(&"k".repeat(201)).is_err());
        assert!(PaymentKey::parse("").is_err());
        assert!(PaymentKey::parse("a b").is_err());
    }

    #[test]
    fn idempotency_key_is_bounded_to_300_characters() {
        assert!(IdempotencyKey::parse(&"k".repeat(300)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(301)).is_err());
    }

    #[test]
    fn session_ids_are_one_to_128_characters_without_spaces() {
        assert!(SessionId::parse("sess_abc").is_ok());
        assert!(SessionId::parse(&"세".repeat(128)).is_ok());
        assert!(SessionId::parse(&"s".repeat(129)).is_err());
        assert!(SessionId::parse("").is_err());
        assert!(SessionId::parse("a b").is_err());
    }

    #[test]
    fn order_numbers_are_positive_integers() {
        assert_eq!(OrderNumber::parse(" 1001 ").map(OrderNumber::get), Ok(1001));
        assert!(OrderNumber::parse("0").is_err());
        assert!(OrderNumber::parse("-1").is_err());
        assert!(OrderNumber::parse("abc").is_err());
    }
}
