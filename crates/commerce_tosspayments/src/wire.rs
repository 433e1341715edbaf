//! Reading Toss's Payment object leniently into the domain's `ProviderPayment`: every
//! sub-object optional, unknown fields ignored, Korean method names mapped, the raw JSON kept.

use chrono::{DateTime, Utc};
use commerce_domain::ids::{PaymentKey, TossOrderId};
use commerce_domain::money::Krw;
use commerce_domain::payment::{PaymentFailure, PaymentMethod, VirtualAccount};
use commerce_domain::provider::{ProviderCancel, ProviderPayment, ProviderStatus};
use serde_json::Value;

/// Our method for Toss's Korean `method` name (or the SDK's English code).
pub fn map_method(raw: &str) -> PaymentMethod {
    match raw {
        "카드" | "CARD" => PaymentMethod::Card,
        "가상계좌" | "VIRTUAL_ACCOUNT" => PaymentMethod::VirtualAccount,
        "계좌이체" | "TRANSFER" => PaymentMethod::Transfer,
        "휴대폰" | "MOBILE_PHONE" => PaymentMethod::MobilePhone,
        "간편결제" | "EASY_PAY" => PaymentMethod::EasyPay,
        "문화상품권" | "도서문화상품권" | "게임문화상품권" | "CULTURE_GIFT_CERTIFICATE" => {
            PaymentMethod::GiftCertificate
        }
        _ => PaymentMethod::Other,
    }
}

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

/// A whole amount; Toss sends integers, a float with no fraction is accepted too.
fn whole(value: &Value, field: &str) -> Option<i64> {
    let number = value.get(field)?;
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .and_then(|f| format!("{f:.0}").parse().ok())
    })
}

fn amount(value: &Value, field: &str) -> Result<Krw, String> {
    whole(value, field)
        .and_then(|won| Krw::new(won).ok())
        .ok_or_else(|| format!("{field} is missing or not a whole amount"))
}

fn time(value: &Value, field: &str) -> Option<DateTime<Utc>> {
    text(value, field)
        .and_then(|raw| DateTime::parse_from_rfc3339(raw).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The domain's view of a Toss Payment object.
///
/// # Errors
/// A description of what is missing when `paymentKey`, `orderId`, `status`, `totalAmount`
/// or `balanceAmount` cannot be read: such an answer is treated as no answer.
pub fn parse_payment(raw: Value) -> Result<ProviderPayment, String> {
    let payment_key = text(&raw, "paymentKey")
        .and_then(|k| PaymentKey::parse(k).ok())
        .ok_or("paymentKey is missing or malformed")?;
    let order_id = text(&raw, "orderId")
        .and_then(|o| TossOrderId::parse(o).ok())
        .ok_or("orderId is missing or malformed")?;
    let status = text(&raw, "status")
        .map(ProviderStatus::parse)
        .ok_or("status is missing")?;
    let total_amount = amount(&raw, "totalAmount")?;
    let balance_amount = amount(&raw, "balanceAmount")?;
    let virtual_account = raw
        .get("virtualAccount")
        .filter(|v| v.is_object())
        .and_then(|account| {
            Some(VirtualAccount {
                bank_code: text(account, "bankCode").map(str::to_owned),
                account_number: text(account, "accountNumber")?.to_owned(),
                customer_name: text(account, "customerName").map(str::to_owned),
                due_date: time(account, "dueDate"),
            })
        });
    let cancels = raw
        .get("cancels")
        .and_then(Value::as_array)
        .map(|cancels| {
            cancels
                .iter()
                .filter(|c| text(c, "cancelStatus").is_none_or(|s| s == "DONE"))
                .map(|c| {
                    Ok(ProviderCancel {
                        transaction_key: text(c, "transactionKey")
                            .ok_or("a cancel has no transactionKey")?
                            .to_owned(),
                        amount: amount(c, "cancelAmount")?,
                        reason: text(c, "cancelReason").map(str::to_owned),
                        canceled_at: time(c, "canceledAt"),
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?
        .unwrap_or_default();
    let failure = raw
        .get("failure")
        .filter(|f| f.is_object())
        .map(|f| PaymentFailure {
            code: text(f, "code").unwrap_or("UNKNOWN").to_owned(),
            message: text(f, "message").unwrap_or_default().to_owned(),
        });
    Ok(ProviderPayment {
        payment_key,
        order_id,
        status,
        total_amount,
        balance_amount,
        method: text(&raw, "method").map(map_method),
        approved_at: time(&raw, "approvedAt"),
        virtual_account,
        secret: text(&raw, "secret").map(str::to_owned),
        cancels,
        failure,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn korean_method_names_map_to_ours() {
        assert_eq!(map_method("카드"), PaymentMethod::Card);
        assert_eq!(map_method("가상계좌"), PaymentMethod::VirtualAccount);
        assert_eq!(map_method("간편결제"), PaymentMethod::EasyPay);
        assert_eq!(map_method("휴대폰"), PaymentMethod::MobilePhone);
        assert_eq!(map_method("계좌이체"), PaymentMethod::Transfer);
        assert_eq!(map_method("도서문화상품권"), PaymentMethod::GiftCertificate);
        assert_eq!(map_method("새로운수단"), PaymentMethod::Other);
    }

    #[test]
    fn a_minimal_payment_with_unknown_fields_parses() {
        let raw = json!({
            "paymentKey": "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6",
            "orderId": "HC-order_0123456789abcdefghijkl",
            "status": "DONE",
            "totalAmount": 15000,
            "balanceAmount": 15000,
            "method": "카드",
            "approvedAt": "2024-02-13T12:18:14+09:00",
            "easyPayAmount": 0,
            "somethingNew": {"nested": true},
            "card": null,
            "cancels": null,
        });
        let payment = parse_payment(raw.clone()).unwrap();
        assert_eq!(payment.status, ProviderStatus::Done);
        assert_eq!(payment.total_amount.won(), 15_000);
        assert_eq!(payment.method, Some(PaymentMethod::Card));
        assert_eq!(
            payment.approved_at.map(|t| t.to_rfc3339()),
            Some("2024-02-13T03:18:14+00:00".to_owned())
        );
        assert!(payment.cancels.is_empty());
        assert_eq!(payment.raw, raw, "kept as received");
    }

    #[test]
    fn an_expired_payment_with_null_method_and_a_failure_parses() {
        let payment = parse_payment(json!({
            "paymentKey": "tgen_x", "orderId": "HC-order_abcdefghijklmnopq",
            "status": "EXPIRED", "totalAmount": 1000, "balanceAmount": 1000,
            "method": null, "useEscrow": null,
            "failure": {"code": "EXPIRED_PAYMENT", "message": "결제가 만료되었습니다."},
        }))
        .unwrap();
        assert_eq!(payment.status, ProviderStatus::Expired);
        assert_eq!(payment.method, None);
        assert_eq!(
            payment.failure.map(|f| f.code),
            Some("EXPIRED_PAYMENT".to_owned())
        );
    }

    #[test]
    fn cancels_and_virtual_accounts_are_read() {
        let payment = parse_payment(json!({
            "paymentKey": "tgen_x", "orderId": "HC-order_abcdefghijklmnopq",
            "status": "PARTIAL_CANCELED", "totalAmount": 58000.0, "balanceAmount": 50000,
            "cancels": [
                {"transactionKey": "B7103F204998813B889C77C043D09502", "cancelAmount": 8000,
                 "cancelReason": "고객 변심", "canceledAt": "2024-02-13T12:20:00+09:00", "cancelStatus": "DONE"},
                {"transactionKey": "txrd_pending", "cancelAmount": 1000, "cancelStatus": "IN_PROGRESS"}
            ],
            "virtualAccount": {"accountNumber": "X1234", "bankCode": "88", "dueDate": "2024-02-20T23:59:59+09:00"},
            "secret": "ps_abc",
        }))
        .unwrap();
        assert_eq!(payment.total_amount.won(), 58_000);
        assert_eq!(payment.cancels.len(), 1, "only finished cancels count");
        assert_eq!(payment.cancels[0].amount.won(), 8_000);
        let account = payment.virtual_account.unwrap();
        assert_eq!(account.account_number, "X1234");
        assert!(account.due_date.is_some());
        assert_eq!(payment.secret.as_deref(), Some("ps_abc"));
    }

    #[test]
    fn a_payment_without_its_key_fields_is_refused() {
        assert!(parse_payment(json!({"status": "DONE"})).is_err());
        assert!(parse_payment(json!({
            "paymentKey": "k", "orderId": "HC-order_abcdefghijklmnopq", "status": "DONE",
            "totalAmount": "lots", "balanceAmount": 1
        }))
        .is_err());
        assert!(parse_payment(json!([])).is_err());
    }
}
