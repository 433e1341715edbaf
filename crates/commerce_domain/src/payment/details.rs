//! Value types hung on a payment: method, failure, virtual account.

use chrono::{DateTime, Utc};

/// How the customer paid (SPEC §4 `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// 카드.
    Card,
    /// 가상계좌.
    VirtualAccount,
    /// 계좌이체.
    Transfer,
    /// 휴대폰.
    MobilePhone,
    /// 간편결제.
    EasyPay,
    /// 문화상품권 and the other gift certificates.
    GiftCertificate,
    /// Anything else Toss may add.
    Other,
}

impl PaymentMethod {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::VirtualAccount => "virtual_account",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::MobilePhone => "mobile_phone",
            PaymentMethod::EasyPay => "easy_pay",
            PaymentMethod::GiftCertificate => "gift_certificate",
            PaymentMethod::Other => "other",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            PaymentMethod::Card,
            PaymentMethod::VirtualAccount,
            PaymentMethod::Transfer,
            PaymentMethod::MobilePhone,
            PaymentMethod::EasyPay,
            PaymentMethod::GiftCertificate,
            PaymentMethod::Other,
        ]
        .into_iter()
        .find(|method| method.as_str() == raw)
    }
}

/// Why an attempt failed: Toss's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFailure {
    /// Toss's code, e.g. `REJECT_CARD_PAYMENT`.
    pub code: String,
    /// Toss's message (Korean by default).
    pub message: String,
}

/// A virtual account Toss issued for the customer to pay into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualAccount {
    /// Bank code, e.g. `"88"`.
    pub bank_code: Option<String>,
    /// Account number.
    pub account_number: String,
    /// Name the account was issued to.
    pub customer_name: Option<String>,
    /// Deposit deadline.
    pub due_date: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_through_their_names() {
        for raw in [
            "card",
            "virtual_account",
            "transfer",
            "mobile_phone",
            "easy_pay",
            "gift_certificate",
            "other",
        ] {
            assert_eq!(
                PaymentMethod::parse(raw).map(PaymentMethod::as_str),
                Some(raw)
            );
        }
        assert_eq!(PaymentMethod::parse("카드"), None);
    }
}
