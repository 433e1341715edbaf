//! Inbound TossPayments webhooks: the seed contract's signature check and the three envelope
//! shapes. Whatever a body says, only the state read back from the Toss API is ever applied;
//! these helpers only say which payment to read back.

use base64::Engine as _;
use commerce_domain::ids::{PaymentKey, TossOrderId};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The header carrying the seed's signature.
pub const SIGNATURE_HEADER: &str = "x-tosspayments-signature";
/// Toss's delivery id, the dedupe key of redeliveries.
pub const TRANSMISSION_ID_HEADER: &str = "tosspayments-webhook-transmission-id";

/// True when `signature` is base64(HMAC-SHA256(`secret`, `raw_body`)), compared in constant
/// time. Check it on the raw bytes, before parsing: re-serialised JSON would not match.
pub fn verify_signature(secret: &str, raw_body: &[u8], signature: Option<&str>) -> bool {
    let Some(given) = signature
        .map(str::trim)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(raw_body);
    mac.verify_slice(&given).is_ok()
}

/// What a webhook is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TossWebhook {
    /// `{"eventType": "PAYMENT_STATUS_CHANGED", "data": Payment}`: read back by payment key.
    PaymentStatusChanged {
        /// The payment to read back.
        payment_key: PaymentKey,
        /// Its order, when the body names a well-formed one.
        order_id: Option<TossOrderId>,
        /// The status the body claims: only ever used to skip a read-back that could change
        /// nothing, never applied.
        status: Option<String>,
    },
    /// The seed's `{"eventType": "VIRTUAL_ACCOUNT_DEPOSIT", "data": {...}}`.
    VirtualAccountDeposit {
        /// The payment, if the body names it.
        payment_key: Option<PaymentKey>,
        /// The order, if the body names it.
        order_id: Option<TossOrderId>,
        /// The deposit secret, if the body carries it.
        secret: Option<String>,
        /// The status the body claims.
        status: Option<String>,
    },
    /// Toss's flat `DEPOSIT_CALLBACK`: no payment key; read back by order id, after checking
    /// the secret.
    DepositCallback {
        /// The order.
        order_id: TossOrderId,
        /// Must equal the secret Toss returned at confirm.
        secret: String,
        /// The status the body claims.
        status: String,
        /// The transaction.
        transaction_key: Option<String>,
    },
    /// Any other event type (billing, BrandPay, payouts, …): acknowledged, not acted on.
    Other {
        /// Its `eventType`.
        event_type: String,
    },
}

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed TossPayments webhook: {0}")]
pub struct MalformedWebhook(pub String);

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

fn order_id(value: &Value) -> Option<TossOrderId> {
    text(value, "orderId").and_then(|o| TossOrderId::parse(o).ok())
}

fn payment_key(value: &Value) -> Option<PaymentKey> {
    text(value, "paymentKey").and_then(|k| PaymentKey::parse(k).ok())
}

fn deposit_callback(body: &Value) -> Result<TossWebhook, MalformedWebhook> {
    let malformed =
        |what: &str| MalformedWebhook(format!("DEPOSIT_CALLBACK without a valid {what}"));
    Ok(TossWebhook::DepositCallback {
        order_id: order_id(body).ok_or_else(|| malformed("orderId"))?,
        secret: text(body, "secret")
            .ok_or_else(|| malformed("secret"))?
            .to_owned(),
        status: text(body, "status")
            .ok_or_else(|| malformed("status"))?
            .to_owned(),
        transaction_key: text(body, "transactionKey").map(str::to_owned),
    })
}

/// Reads a webhook body.
///
/// # Errors
/// [`MalformedWebhook`] when it is not JSON or lacks what its envelope needs.
pub fn parse_webhook(raw_body: &[u8]) -> Result<TossWebhook, MalformedWebhook> {
    let body: Value =
        serde_json::from_slice(raw_body).map_err(|e| MalformedWebhook(format!("not JSON: {e}")))?;
    if !body.is_object() {
        return Err(MalformedWebhook("not a JSON object".to_owned()));
    }
    let Some(event_type) = text(&body, "eventType") else {
        // Toss's flat DEPOSIT_CALLBACK has no eventType: recognise it by its fields.
        return deposit_callback(&body);
    };
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    match event_type {
        "PAYMENT_STATUS_CHANGED" => Ok(TossWebhook::PaymentStatusChanged {
            payment_key: payment_key(&data).ok_or_else(|| {
                MalformedWebhook("PAYMENT_STATUS_CHANGED without data.paymentKey".to_owned())
            })?,
            order_id: order_id(&data),
            status: text(&data, "status").map(str::to_owned),
        }),
        "VIRTUAL_ACCOUNT_DEPOSIT" => {
            let (payment_key, order_id) = (payment_key(&data), order_id(&data));
            if payment_key.is_none() && order_id.is_none() {
                return Err(MalformedWebhook(
                    "VIRTUAL_ACCOUNT_DEPOSIT names neither a payment nor an order".to_owned(),
                ));
            }
            Ok(TossWebhook::VirtualAccountDeposit {
                payment_key,
                order_id,
                secret: text(&data, "secret").map(str::to_owned),
                status: text(&data, "status").map(str::to_owned),
            })
        }
        "DEPOSIT_CALLBACK" => deposit_callback(if data.is_object() { &data } else { &body }),
        other => Ok(TossWebhook::Other {
            event_type: other.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Signs as the seed's `verifyTossWebhook` expects.
    fn seed_sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_signature_made_as_the_seed_makes_it_verifies() {
        let body = br#"{"eventType":"PAYMENT_STATUS_CHANGED","data":{"paymentKey":"k"}}"#;
        let signature = seed_sign("whsec_seed", body);
        assert!(verify_signature("whsec_seed", body, Some(&signature)));
    }

    #[test]
    fn wrong_missing_or_malformed_signatures_fail() {
        let body = b"{}";
        let signature = seed_sign("whsec_seed", body);
        assert!(!verify_signature("other", body, Some(&signature)));
        assert!(
            !verify_signature("whsec_seed", b"{ }", Some(&signature)),
            "raw bytes only"
        );
        assert!(!verify_signature("whsec_seed", body, None));
        assert!(!verify_signature("whsec_seed", body, Some("not base64!")));
        assert!(!verify_signature("whsec_seed", body, Some("")));
    }

    #[test]
    fn the_legacy_envelope_names_the_payment() {
        let body = json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-02T14:46:59.65327",
                          "data": {"paymentKey": "tgen_1", "orderId": "HC-order_abcdefghijklmnopq", "status": "DONE"}});
        assert_eq!(
            parse_webhook(body.to_string().as_bytes()).unwrap(),
            TossWebhook::PaymentStatusChanged {
                payment_key: PaymentKey::parse("tgen_1").unwrap(),
                order_id: TossOrderId::parse("HC-order_abcdefghijklmnopq").ok(),
                status: Some("DONE".into()),
            }
        );
    }

    #[test]
    fn the_flat_deposit_callback_is_recognised_by_its_fields() {
        let body = json!({"createdAt": "2022-06-09T15:40:09+09:00", "secret": "ps_x", "status": "DONE",
                          "transactionKey": "tx", "orderId": "HC-order_abcdefghijklmnopq"});
        assert!(matches!(
            parse_webhook(body.to_string().as_bytes()).unwrap(),
            TossWebhook::DepositCallback { ref secret, ref status, .. } if secret == "ps_x" && status == "DONE"
        ));
        let tagged = json!({"eventType": "DEPOSIT_CALLBACK", "secret": "ps_x", "status": "DONE",
                            "orderId": "HC-order_abcdefghijklmnopq"});
        assert!(matches!(
            parse_webhook(tagged.to_string().as_bytes()).unwrap(),
            TossWebhook::DepositCallback { .. }
        ));
    }

    #[test]
    fn the_seed_s_virtual_account_deposit_is_read() {
        let body = json!({"eventType": "VIRTUAL_ACCOUNT_DEPOSIT",
                          "data": {"orderId": "HC-order_abcdefghijklmnopq", "secret": "ps_y", "status": "DONE"}});
        assert!(matches!(
            parse_webhook(body.to_string().as_bytes()).unwrap(),
            TossWebhook::VirtualAccountDeposit {
                payment_key: None,
                order_id: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn other_events_are_acknowledged_and_junk_is_malformed() {
        let body = json!({"eventType": "BILLING_DELETED", "data": {"billingKey": "b"}});
        assert_eq!(
            parse_webhook(body.to_string().as_bytes()).unwrap(),
            TossWebhook::Other {
                event_type: "BILLING_DELETED".into()
            }
        );
        assert!(parse_webhook(b"not json").is_err());
        assert!(parse_webhook(b"[1,2]").is_err());
        assert!(parse_webhook(br#"{"eventType":"PAYMENT_STATUS_CHANGED","data":{}}"#).is_err());
        assert!(parse_webhook(br#"{"secret":"s"}"#).is_err());
    }
}
