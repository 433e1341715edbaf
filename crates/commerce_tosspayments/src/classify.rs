//! Classifying Toss's errors by their `code`, never by HTTP status alone: `PROVIDER_ERROR` is a
//! 400 yet transient, `REFUND_REJECTED` a 400 and final.

use commerce_domain::payment::PaymentFailure;
use commerce_domain::ports::GatewayError;

/// Codes whose outcome is unknown or that ask for a later retry.
const TRANSIENT: &[&str] = &[
    "PROVIDER_ERROR",
    "CARD_PROCESSING_ERROR",
    "IDEMPOTENT_REQUEST_PROCESSING",
    "FORBIDDEN_CONSECUTIVE_REQUEST",
    "COMMON_ERROR",
    "UNKNOWN_PAYMENT_ERROR",
];

/// The domain's view of a Toss error answer with HTTP `status`, `code` and `message`.
pub fn classify(status: u16, code: &str, message: &str) -> GatewayError {
    let failure = PaymentFailure {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    if code == "ALREADY_PROCESSED_PAYMENT" {
        GatewayError::AlreadyProcessed(failure)
    } else if status >= 500
        || status == 429
        || code.starts_with("FAILED_")
        || TRANSIENT.contains(&code)
    {
        GatewayError::Unknown {
            reason: format!("TossPayments answered {status} {code}"),
        }
    } else {
        GatewayError::Rejected(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, code: &str) -> &'static str {
        match classify(status, code, "m") {
            GatewayError::Rejected(_) => "rejected",
            GatewayError::AlreadyProcessed(_) => "already",
            GatewayError::Unknown { .. } => "unknown",
        }
    }

    #[test]
    fn definite_rejections() {
        for (status, code) in [
            (403, "REJECT_CARD_PAYMENT"),
            (403, "REJECT_CARD_COMPANY"),
            (400, "INVALID_CARD_EXPIRATION"),
            (404, "NOT_FOUND_PAYMENT_SESSION"),
            (400, "REFUND_REJECTED"),
            (403, "NOT_CANCELABLE_AMOUNT"),
            (400, "ALREADY_CANCELED_PAYMENT"),
            (401, "UNAUTHORIZED_KEY"),
            (400, "INVALID_REQUEST"),
        ] {
            assert_eq!(kind(status, code), "rejected", "{code}");
        }
    }

    #[test]
    fn unknown_outcomes() {
        for (status, code) in [
            (400, "PROVIDER_ERROR"),
            (400, "CARD_PROCESSING_ERROR"),
            (500, "FAILED_INTERNAL_SYSTEM_PROCESSING"),
            (500, "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING"),
            (409, "IDEMPOTENT_REQUEST_PROCESSING"),
            (403, "FORBIDDEN_CONSECUTIVE_REQUEST"),
            (502, "ANYTHING"),
            (429, "TOO_MANY_REQUESTS"),
        ] {
            assert_eq!(kind(status, code), "unknown", "{code}");
        }
    }

    #[test]
    fn already_processed_is_its_own_class() {
        assert_eq!(kind(400, "ALREADY_PROCESSED_PAYMENT"), "already");
    }
}
