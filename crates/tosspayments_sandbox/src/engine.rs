//! The sandbox's payment rules, apart from HTTP: authorise (the customer in the widget),
//! confirm, read, cancel, deposit. Safe under concurrent requests: one lock, never held
//! across an await.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::clock::Clock;
use crate::errors::{aborts_payment, TossError};
use crate::model::{
    new_payment_key, new_transaction_key, random_text, Account, Cancel, Method, Payment, Status,
};

/// How long after authentication a confirm is accepted (Toss: 10 minutes).
pub const CONFIRM_WINDOW_MINUTES: i64 = 10;

/// A webhook the sandbox owes the merchant after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// `PAYMENT_STATUS_CHANGED` with the whole Payment object.
    StatusChanged(Value),
    /// Toss's flat `DEPOSIT_CALLBACK`.
    DepositCallback {
        /// The payment's order id.
        order_id: String,
        /// The payment's secret.
        secret: String,
        /// The status now.
        status: &'static str,
        /// The latest transaction.
        transaction_key: String,
    },
}

/// What the customer did in the widget.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// The merchant's order id.
    pub order_id: String,
    /// The order name.
    pub order_name: String,
    /// The amount shown.
    pub amount: i64,
    /// How they pay.
    pub method: Method,
    /// Make the next confirm fail with this code.
    pub confirm_error: Option<String>,
}

/// A cancel request.
#[derive(Debug, Clone)]
pub struct CancelRequest {
    /// Required, at most 200 characters.
    pub reason: String,
    /// `None` cancels the whole balance.
    pub amount: Option<i64>,
    /// Optimistic check of the balance.
    pub refundable_amount: Option<i64>,
}

#[derive(Default)]
struct State {
    payments: HashMap<String, Payment>,
    /// Order id → payment keys, oldest first.
    by_order: HashMap<String, Vec<String>>,
    /// When each payment was authenticated (for the confirm window).
    authorized_at: HashMap<String, DateTime<Utc>>,
}

/// The in-memory payments and their rules.
pub struct Engine {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    va_due: Duration,
}

/// A successful operation: the Payment object and the webhooks it causes.
pub type Outcome = (Value, Vec<Outbound>);

fn valid_order_id(raw: &str) -> bool {
    (6..=64).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'=')
}

impl Engine {
    /// An empty engine reading time from `clock`; virtual accounts fall due `va_due` after
    /// issue.
    pub fn new(clock: Arc<dyn Clock>, va_due: Duration) -> Self {
        Engine {
            state: Mutex::new(State::default()),
            clock,
            va_due,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The customer authenticated in the widget: a new `IN_PROGRESS` payment.
    ///
    /// # Errors
    /// `INVALID_REQUEST` for a malformed order id, name or amount, `DUPLICATED_ORDER_ID` when
    /// the order was already paid.
    pub fn authorize(&self, request: Authorization) -> Result<Payment, TossError> {
        let invalid = |why: &str| TossError::of("INVALID_REQUEST").with_message(why.to_owned());
        if !valid_order_id(&request.order_id) {
            return Err(invalid(
                "orderId must be 6 to 64 characters of A-Z a-z 0-9 - _ =",
            ));
        }
        let name_len = request.order_name.chars().count();
        if name_len == 0 || name_len > 100 {
            return Err(invalid("orderName must be 1 to 100 characters"));
        }
        if request.amount <= 0 {
            return Err(invalid("amount must be positive"));
        }
        let now = self.clock.now();
        let mut state = self.lock();
        let settled = state
            .by_order
            .get(&request.order_id)
            .into_iter()
            .flatten()
            .filter_map(|key| state.payments.get(key))
            .any(|p| {
                !matches!(
                    p.status,
                    Status::InProgress | Status::Aborted | Status::Expired
                )
            });
        if settled {
            return Err(TossError::of("DUPLICATED_ORDER_ID")
                .with_message("이미 승인 및 취소가 진행된 중복된 주문번호 입니다."));
        }
        let payment = Payment {
            key: new_payment_key(now),
            order_id: request.order_id.clone(),
            order_name: request.order_name,
            method: request.method,
            status: Status::InProgress,
            total: request.amount,
            balance: request.amount,
            requested_at: now,
            approved_at: None,
            confirm_error: request.confirm_error,
            cancels: Vec::new(),
            last_transaction_key: None,
            secret: None,
            account: None,
            failure: None,
        };
        state.authorized_at.insert(payment.key.clone(), now);
        state
            .by_order
            .entry(request.order_id)
            .or_default()
            .push(payment.key.clone());
        state.payments.insert(payment.key.clone(), payment.clone());
        Ok(payment)
    }

    /// Expires an `IN_PROGRESS` payment whose confirm window has passed.
    fn expire_if_late(&self, state: &mut State, key: &str, now: DateTime<Utc>) -> Option<Outbound> {
        let authorized = *state.authorized_at.get(key)?;
        let payment = state.payments.get_mut(key)?;
        if payment.status == Status::InProgress
            && now - authorized > Duration::minutes(CONFIRM_WINDOW_MINUTES)
        {
            payment.status = Status::Expired;
            payment.failure = Some((
                "EXPIRED_PAYMENT".to_owned(),
                "결제가 만료되었습니다. 다시 시도해주세요.".to_owned(),
            ));
            return Some(Outbound::StatusChanged(payment.to_json()));
        }
        None
    }

    /// `POST /v1/payments/confirm`.
    ///
    /// # Errors
    /// `NOT_FOUND_PAYMENT`, `NOT_FOUND_PAYMENT_SESSION` (window passed, or another order id),
    /// `ALREADY_PROCESSED_PAYMENT`, `INVALID_REQUEST` (amount), or the authorisation's
    /// `confirmError`. The errors come with the webhooks they cause.
    pub fn confirm(
        &self,
        payment_key: &str,
        order_id: &str,
        amount: i64,
    ) -> Result<Outcome, (TossError, Vec<Outbound>)> {
        let now = self.clock.now();
        let mut state = self.lock();
        let mut sent = Vec::new();
        if !state.payments.contains_key(payment_key) {
            return Err((TossError::of("NOT_FOUND_PAYMENT"), sent));
        }
        sent.extend(self.expire_if_late(&mut state, payment_key, now));
        let va_due = self.va_due;
        let Some(payment) = state.payments.get_mut(payment_key) else {
            return Err((TossError::of("NOT_FOUND_PAYMENT"), sent));
        };
        match payment.status {
            Status::InProgress => {}
            Status::Expired => return Err((TossError::of("NOT_FOUND_PAYMENT_SESSION"), sent)),
            _ => return Err((TossError::of("ALREADY_PROCESSED_PAYMENT"), sent)),
        }
        if payment.order_id != order_id {
            return Err((TossError::of("NOT_FOUND_PAYMENT_SESSION"), sent));
        }
        if payment.total != amount {
            let error = TossError::of("INVALID_REQUEST")
                .with_message("결제 금액이 인증된 금액과 일치하지 않습니다.");
            return Err((error, sent));
        }
        if let Some(code) = payment.confirm_error.take() {
            let error = TossError::of(&code);
            if aborts_payment(&code) {
                payment.status = Status::Aborted;
                payment.failure = Some((error.code.clone(), error.message.clone()));
                sent.push(Outbound::StatusChanged(payment.to_json()));
            }
            return Err((error, sent));
        }
        let transaction = new_transaction_key();
        payment.last_transaction_key = Some(transaction.clone());
        payment.secret = Some(format!("ps_{}", random_text(28)));
        if payment.method == Method::VirtualAccount {
            payment.status = Status::WaitingForDeposit;
            payment.account = Some(Account {
                number: format!("X{}", random_text(13).to_ascii_uppercase()),
                bank_code: "88".to_owned(),
                due_date: now + va_due,
            });
            sent.push(Outbound::DepositCallback {
                order_id: payment.order_id.clone(),
                secret: payment.secret.clone().unwrap_or_default(),
                status: Status::WaitingForDeposit.as_str(),
                transaction_key: transaction,
            });
        } else {
            payment.status = Status::Done;
            payment.approved_at = Some(now);
            sent.push(Outbound::StatusChanged(payment.to_json()));
        }
        Ok((payment.to_json(), sent))
    }

    /// `GET /v1/payments/{paymentKey}`.
    ///
    /// # Errors
    /// `NOT_FOUND_PAYMENT`.
    pub fn get(&self, payment_key: &str) -> Result<Outcome, TossError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let sent: Vec<Outbound> = self
            .expire_if_late(&mut state, payment_key, now)
            .into_iter()
            .collect();
        state
            .payments
            .get(payment_key)
            .map(|payment| (payment.to_json(), sent))
            .ok_or_else(|| TossError::of("NOT_FOUND_PAYMENT"))
    }

    /// `GET /v1/payments/orders/{orderId}`: the order's settled payment if it has one, else
    /// its latest attempt.
    ///
    /// # Errors
    /// `NOT_FOUND_PAYMENT`.
    pub fn get_by_order(&self, order_id: &str) -> Result<Outcome, TossError> {
        let keys = self
            .lock()
            .by_order
            .get(order_id)
            .cloned()
            .unwrap_or_default();
        let mut latest = None;
        for key in keys.iter().rev() {
            let (payment, sent) = self.get(key)?;
            let settled = !matches!(
                payment.get("status").and_then(Value::as_str),
                Some("IN_PROGRESS" | "ABORTED" | "EXPIRED")
            );
            if settled {
                return Ok((payment, sent));
            }
            latest.get_or_insert((payment, sent));
        }
        latest.ok_or_else(|| TossError::of("NOT_FOUND_PAYMENT"))
    }

    /// `POST /v1/payments/{paymentKey}/cancel`, also used by the dashboard control route.
    ///
    /// # Errors
    /// Toss's cancel errors: `NOT_FOUND_PAYMENT`, `INVALID_REQUEST`, `ALREADY_CANCELED_PAYMENT`,
    /// `NOT_CANCELABLE_AMOUNT`, `NOT_CANCELABLE_PAYMENT`,
    /// `NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT`, `NOT_MATCHES_REFUNDABLE_AMOUNT`.
    pub fn cancel(&self, payment_key: &str, request: &CancelRequest) -> Result<Outcome, TossError> {
        let now = self.clock.now();
        let reason_len = request.reason.chars().count();
        if reason_len == 0 || reason_len > 200 {
            return Err(TossError::of("INVALID_REQUEST")
                .with_message("cancelReason is required (at most 200 characters)"));
        }
        if request.amount.is_some_and(|amount| amount <= 0) {
            return Err(
                TossError::of("INVALID_REQUEST").with_message("cancelAmount must be positive")
            );
        }
        let mut state = self.lock();
        let payment = state
            .payments
            .get_mut(payment_key)
            .ok_or_else(|| TossError::of("NOT_FOUND_PAYMENT"))?;
        match payment.status {
            Status::Canceled => return Err(TossError::of("ALREADY_CANCELED_PAYMENT")),
            Status::PartialCanceled if payment.balance == 0 => {
                return Err(TossError::of("NOT_CANCELABLE_AMOUNT"))
            }
            Status::InProgress | Status::Aborted | Status::Expired => {
                return Err(TossError::of("NOT_CANCELABLE_PAYMENT"))
            }
            Status::WaitingForDeposit
                if request
                    .amount
                    .is_some_and(|amount| amount < payment.balance) =>
            {
                return Err(TossError::of("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"))
            }
            Status::Done | Status::PartialCanceled | Status::WaitingForDeposit => {}
        }
        let amount = request.amount.unwrap_or(payment.balance);
        if amount > payment.balance {
            return Err(TossError::of("NOT_CANCELABLE_AMOUNT"));
        }
        if request
            .refundable_amount
            .is_some_and(|expected| expected != payment.balance)
        {
            return Err(TossError::of("NOT_MATCHES_REFUNDABLE_AMOUNT"));
        }
        let was_waiting = payment.status == Status::WaitingForDeposit;
        let first_cancel = payment.cancels.is_empty();
        payment.balance -= amount;
        let transaction = new_transaction_key();
        payment.cancels.push(Cancel {
            transaction_key: transaction.clone(),
            amount,
            reason: request.reason.clone(),
            refundable_after: payment.balance,
            canceled_at: now,
        });
        payment.last_transaction_key = Some(transaction.clone());
        // Toss's quirk: only a single full cancel ends as CANCELED; the last of several
        // partial cancels leaves PARTIAL_CANCELED with a zero balance.
        payment.status = if first_cancel && payment.balance == 0 {
            Status::Canceled
        } else {
            Status::PartialCanceled
        };
        let mut sent = vec![Outbound::StatusChanged(payment.to_json())];
        if was_waiting {
            sent.push(Outbound::DepositCallback {
                order_id: payment.order_id.clone(),
                secret: payment.secret.clone().unwrap_or_default(),
                status: Status::Canceled.as_str(),
                transaction_key: transaction,
            });
        }
        Ok((payment.to_json(), sent))
    }

    /// The customer paid into the virtual account.
    ///
    /// # Errors
    /// `NOT_FOUND_PAYMENT`, or `INVALID_REQUEST` when no deposit is awaited.
    pub fn deposit(&self, payment_key: &str) -> Result<Outcome, TossError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let payment = state
            .payments
            .get_mut(payment_key)
            .ok_or_else(|| TossError::of("NOT_FOUND_PAYMENT"))?;
        if payment.status != Status::WaitingForDeposit {
            return Err(TossError::of("INVALID_REQUEST")
                .with_message("no deposit is awaited for this payment"));
        }
        let transaction = new_transaction_key();
        payment.status = Status::Done;
        payment.approved_at = Some(now);
        payment.last_transaction_key = Some(transaction.clone());
        let sent = vec![
            Outbound::DepositCallback {
                order_id: payment.order_id.clone(),
                secret: payment.secret.clone().unwrap_or_default(),
                status: Status::Done.as_str(),
                transaction_key: transaction,
            },
            Outbound::StatusChanged(payment.to_json()),
        ];
        Ok((payment.to_json(), sent))
    }

    /// Applies a forced confirm error (`TossPayments-Test-Code`): a rejection aborts an
    /// `IN_PROGRESS` payment, as a real declined confirm does.
    pub fn force_confirm_error(&self, payment_key: &str, error: &TossError) -> Vec<Outbound> {
        let mut state = self.lock();
        match state.payments.get_mut(payment_key) {
            Some(payment)
                if payment.status == Status::InProgress && aborts_payment(&error.code) =>
            {
                payment.status = Status::Aborted;
                payment.failure = Some((error.code.clone(), error.message.clone()));
                vec![Outbound::StatusChanged(payment.to_json())]
            }
            _ => Vec::new(),
        }
    }

    /// A payment's current JSON, for tests and the control API.
    pub fn snapshot(&self, payment_key: &str) -> Option<Value> {
        self.lock().payments.get(payment_key).map(Payment::to_json)
    }

    /// Every payment's current JSON, for the control API (drills check their invariants
    /// against it).
    pub fn all(&self) -> Vec<Value> {
        self.lock()
            .payments
            .values()
            .map(Payment::to_json)
            .collect()
    }

    /// How many payments Toss approved (DONE at some point, cancelled since or not).
    pub fn approved_count(&self) -> usize {
        self.lock()
            .payments
            .values()
            .filter(|p| p.approved_at.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests;
