//! A payment as the sandbox keeps it, and its JSON in the shape of Toss's Payment object
//! (version 2022-11-16): every field present, unused ones `null`.

use chrono::{DateTime, FixedOffset, Utc};
use rand::distr::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

/// How the customer pays, as the widget names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
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
}

impl Method {
    /// Parses the widget's code (`CARD`, `VIRTUAL_ACCOUNT`, ...).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "CARD" => Some(Method::Card),
            "VIRTUAL_ACCOUNT" => Some(Method::VirtualAccount),
            "TRANSFER" => Some(Method::Transfer),
            "MOBILE_PHONE" => Some(Method::MobilePhone),
            "EASY_PAY" => Some(Method::EasyPay),
            _ => None,
        }
    }

    /// The Korean name the Payment object's `method` carries.
    pub fn korean(self) -> &'static str {
        match self {
            Method::Card => "카드",
            Method::VirtualAccount => "가상계좌",
            Method::Transfer => "계좌이체",
            Method::MobilePhone => "휴대폰",
            Method::EasyPay => "간편결제",
        }
    }
}

/// Toss's payment statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Authenticated in the widget, waiting for confirm.
    InProgress,
    /// Virtual account issued.
    WaitingForDeposit,
    /// Approved.
    Done,
    /// Fully cancelled.
    Canceled,
    /// Partly cancelled (or fully, after partials: the quirk).
    PartialCanceled,
    /// Approval failed.
    Aborted,
    /// The confirm window passed.
    Expired,
}

impl Status {
    /// Toss's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "IN_PROGRESS",
            Status::WaitingForDeposit => "WAITING_FOR_DEPOSIT",
            Status::Done => "DONE",
            Status::Canceled => "CANCELED",
            Status::PartialCanceled => "PARTIAL_CANCELED",
            Status::Aborted => "ABORTED",
            Status::Expired => "EXPIRED",
        }
    }
}

/// One cancel.
#[derive(Debug, Clone)]
pub struct Cancel {
    /// Unique per cancel.
    pub transaction_key: String,
    /// Amount returned.
    pub amount: i64,
    /// Why.
    pub reason: String,
    /// Balance left after it.
    pub refundable_after: i64,
    /// When.
    pub canceled_at: DateTime<Utc>,
}

/// A virtual account issued for a payment.
#[derive(Debug, Clone)]
pub struct Account {
    /// Starts with `X` in test mode, as Toss's do.
    pub number: String,
    /// Bank code.
    pub bank_code: String,
    /// Deposit deadline.
    pub due_date: DateTime<Utc>,
}

/// A payment in the sandbox.
#[derive(Debug, Clone)]
pub struct Payment {
    /// `paymentKey`.
    pub key: String,
    /// `orderId`.
    pub order_id: String,
    /// `orderName`.
    pub order_name: String,
    /// How it is paid.
    pub method: Method,
    /// Current status.
    pub status: Status,
    /// Authorised amount.
    pub total: i64,
    /// Still cancellable.
    pub balance: i64,
    /// When the widget created it.
    pub requested_at: DateTime<Utc>,
    /// When approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// The next confirm fails with this code (the `confirmError` of the authorize call).
    pub confirm_error: Option<String>,
    /// Cancels, oldest first.
    pub cancels: Vec<Cancel>,
    /// The latest transaction.
    pub last_transaction_key: Option<String>,
    /// The deposit-callback secret.
    pub secret: Option<String>,
    /// The virtual account, for that method.
    pub account: Option<Account>,
    /// Why it failed.
    pub failure: Option<(String, String)>,
}

/// `n` random letters and digits.
pub fn random_text(n: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// A new payment key: "tgen_" + date-time + random, 24 characters like Toss's recent ones.
pub fn new_payment_key(now: DateTime<Utc>) -> String {
    format!("tgen_{}{}", now.format("%Y%m%d%H%M%S"), random_text(5))
}

/// A new transaction key: 32 upper-case hex characters.
pub fn new_transaction_key() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)]))
        .collect()
}

/// Times in KST with offset, as Toss writes them.
pub fn kst(time: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(9 * 3600) {
        Some(offset) => time
            .with_timezone(&offset)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        None => time.to_rfc3339(),
    }
}

/// VAT on an amount without tax-free parts: round(amount / 11), halves up.
pub fn vat(amount: i64) -> i64 {
    (amount * 10 + 55) / 110
}

impl Payment {
    /// The Toss Payment object.
    pub fn to_json(&self) -> Value {
        let vat = vat(self.balance);
        let method_name = match self.status {
            Status::Expired => None,
            _ => Some(self.method.korean()),
        };
        let approved = self.approved_at.is_some();
        let card = (self.method == Method::Card && approved).then(|| {
            json!({
                "amount": self.total, "issuerCode": "61", "acquirerCode": "31",
                "number": "43301234****123*", "installmentPlanMonths": 0, "approveNo": "00000000",
                "useCardPoint": false, "cardType": "신용", "ownerType": "개인",
                "acquireStatus": "READY", "isInterestFree": false, "interestPayer": null,
            })
        });
        let virtual_account = self.account.as_ref().map(|account| {
            json!({
                "accountType": "일반", "accountNumber": account.number, "bankCode": account.bank_code,
                "customerName": "김토스", "depositorName": null, "dueDate": kst(account.due_date),
                "refundStatus": "NONE", "expired": false,
                "settlementStatus": if approved { "COMPLETED" } else { "INCOMPLETED" },
                "refundReceiveAccount": null,
            })
        });
        let transfer = (self.method == Method::Transfer && approved)
            .then(|| json!({"bankCode": "88", "settlementStatus": "INCOMPLETED"}));
        let mobile_phone = (self.method == Method::MobilePhone && approved).then(|| {
            json!({"customerMobilePhone": "01012345678", "settlementStatus": "INCOMPLETED", "receiptUrl": null})
        });
        let easy_pay = (self.method == Method::EasyPay && approved)
            .then(|| json!({"provider": "토스페이", "amount": self.total, "discountAmount": 0}));
        let cancels: Option<Vec<Value>> = (!self.cancels.is_empty()).then(|| {
            self.cancels
                .iter()
                .map(|c| {
                    json!({
                        "transactionKey": c.transaction_key, "cancelReason": c.reason,
                        "taxExemptionAmount": 0, "canceledAt": kst(c.canceled_at),
                        "easyPayDiscountAmount": 0, "receiptKey": null, "cancelAmount": c.amount,
                        "taxFreeAmount": 0, "refundableAmount": c.refundable_after,
                        "cardDiscountAmount": 0, "transferDiscountAmount": 0,
                        "cancelStatus": "DONE", "cancelRequestId": null,
                    })
                })
                .collect()
        });
        json!({
            "mId": "tosspayments",
            "version": "2022-11-16",
            "paymentKey": self.key,
            "lastTransactionKey": self.last_transaction_key,
            "type": "NORMAL",
            "orderId": self.order_id,
            "orderName": self.order_name,
            "status": self.status.as_str(),
            "requestedAt": kst(self.requested_at),
            "approvedAt": self.approved_at.map(kst),
            "useEscrow": false,
            "cultureExpense": false,
            "method": method_name,
            "currency": "KRW",
            "totalAmount": self.total,
            "balanceAmount": self.balance,
            "suppliedAmount": self.balance - vat,
            "vat": vat,
            "taxFreeAmount": 0,
            "taxExemptionAmount": 0,
            "isPartialCancelable": true,
            "cancels": cancels,
            "card": card,
            "virtualAccount": virtual_account,
            "transfer": transfer,
            "mobilePhone": mobile_phone,
            "giftCertificate": null,
            "easyPay": easy_pay,
            "cashReceipt": null,
            "cashReceipts": null,
            "discount": null,
            "secret": self.secret,
            "receipt": approved.then(|| json!({"url": format!(
                "https://dashboard.tosspayments.com/receipt/redirection?transactionId={}&ref=PX", self.key)})),
            "checkout": {"url": format!("https://api.tosspayments.com/v1/payments/{}/checkout", self.key)},
            "country": "KR",
            "failure": self.failure.as_ref().map(|(code, message)| json!({"code": code, "message": message})),
            "metadata": null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_matches_the_observed_figures() {
        assert_eq!(vat(15_000), 1_364);
        assert_eq!(vat(9_026), 821);
        assert_eq!(vat(58_000), 5_273);
    }

    #[test]
    fn keys_have_toss_like_shapes() {
        let now = Utc::now();
        assert_eq!(new_payment_key(now).len(), 24);
        let tx = new_transaction_key();
        assert_eq!(tx.len(), 32);
        assert!(tx
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }

    #[test]
    fn times_are_written_in_kst() {
        let time = DateTime::parse_from_rfc3339("2026-11-26T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(kst(time), "2026-11-26T12:00:00+09:00");
    }
}
