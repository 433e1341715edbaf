//! Identifiers: opaque prefixed ids (SPEC §1), the Toss `orderId`, payment keys and the other
//! keys that cross the wire. Each is parsed once and then trusted.

use std::fmt;

use crate::ports::IdGenerator;

mod keys;

pub use keys::{IdempotencyKey, InvalidKey, OrderNumber, PaymentKey, SessionId, TossOrderId};

/// Why an id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct InvalidId {
    /// The kind of id that was expected, e.g. `order`.
    pub kind: &'static str,
}

/// Fewest characters after the prefix: 17 base-62 digits hold more than 96 bits.
const MIN_BODY: usize = 17;
/// Most characters after the prefix.
const MAX_BODY: usize = 40;
/// Characters of a generated body: 22 base-62 digits hold all 128 random bits.
const GENERATED_BODY: usize = 22;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes 128 random bits as 22 base-62 digits.
fn base62(mut bits: u128) -> String {
    let mut digits = [b'0'; GENERATED_BODY];
    for digit in digits.iter_mut().rev() {
        let index = usize::try_from(bits % 62).unwrap_or(0);
        *digit = BASE62.get(index).copied().unwrap_or(b'0');
        bits /= 62;
    }
    digits.iter().map(|d| char::from(*d)).collect()
}

/// Checks `raw` is `prefix` followed by 17 to 40 ASCII letters and digits.
fn valid_body(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).is_some_and(|body| {
        (MIN_BODY..=MAX_BODY).contains(&body.len())
            && body.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The type prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A new id with 128 random bits from `ids`.
            pub fn generate(ids: &dyn IdGenerator) -> Self {
                Self(format!("{}{}", $prefix, base62(ids.random_u128())))
            }

            /// Parses an id sent by a client or read from storage.
            ///
            /// # Errors
            /// [`InvalidId`] unless it is the prefix followed by 17 to 40 letters and digits.
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                if valid_body(raw, $prefix) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(InvalidId { kind: $kind })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

typed_id!(
    /// Identifies a product.
    ProductId, "prod_", "product");
typed_id!(
    /// Identifies a product variant (what a cart line points at).
    VariantId, "var_", "variant");
typed_id!(
    /// Identifies the inventory item that tracks a variant's stock.
    InventoryItemId, "inv_", "inventory item");
typed_id!(
    /// Identifies a cart.
    CartId, "cart_", "cart");
typed_id!(
    /// Identifies a line of a cart.
    CartItemId, "item_", "cart item");
typed_id!(
    /// Identifies an order.
    OrderId, "order_", "order");
typed_id!(
    /// Identifies a line of an order.
    OrderLineId, "line_", "order line");
typed_id!(
    /// Identifies a payment.
    PaymentId, "pay_", "payment");
typed_id!(
    /// Identifies a refund.
    RefundId, "ref_", "refund");
typed_id!(
    /// Identifies an outbound event.
    EventId, "evt_", "event");
typed_id!(
    /// Identifies a merchant webhook endpoint.
    WebhookId, "wh_", "webhook");
typed_id!(
    /// Identifies one delivery of an event to a webhook endpoint.
    DeliveryId, "whd_", "webhook delivery");
typed_id!(
    /// Identifies an API key (not the key itself).
    ApiKeyId, "key_", "API key");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SequenceIds;
    use proptest::prelude::*;

    #[test]
    fn generated_ids_carry_the_prefix_and_22_base62_digits() {
        let ids = SequenceIds::default();
        let id = OrderId::generate(&ids);
        assert!(id.as_str().starts_with("order_"));
        assert_eq!(id.as_str().len(), "order_".len() + 22);
        assert_eq!(OrderId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn the_largest_random_value_still_fits_22_digits() {
        assert_eq!(base62(u128::MAX).len(), 22);
        assert_eq!(base62(0), "0".repeat(22));
    }

    #[test]
    fn parse_refuses_wrong_prefix_short_bodies_and_symbols() {
        assert!(OrderId::parse("cart_0123456789abcdefgh").is_err());
        assert!(
            OrderId::parse("order_0123456789abcdef").is_err(),
            "16 chars"
        );
        assert!(
            OrderId::parse("order_0123456789abcdefg").is_ok(),
            "17 chars"
        );
        assert!(OrderId::parse("order_0123456789abcdef-g").is_err());
        assert!(OrderId::parse(&format!("order_{}", "a".repeat(41))).is_err());
        assert_eq!(
            VariantId::parse("nope").unwrap_err().to_string(),
            "not a valid variant id"
        );
    }

    proptest! {
        #[test]
        fn every_generated_id_parses_back(bits: u128) {
            let body = base62(bits);
            prop_assert_eq!(body.len(), 22);
            let raw = format!("pay_{body}");
            prop_assert!(PaymentId::parse(&raw).is_ok());
        }

        #[test]
        fn base62_is_injective(a: u128, b: u128) {
            prop_assume!(a != b);
            prop_assert_ne!(base62(a), base62(b));
        }
    }
}
