//! Confirm over a mocked store and gateway: SPEC §4's checks in order, and every answer of §7.

use std::sync::{Arc, Mutex};

use super::*;
use crate::order::CancelReason;
use crate::payment::VirtualAccount;
use crate::provider::{ProviderPayment, ProviderStatus};
use crate::testing::{at, payment_key, pending_record, provider_report};
use crate::usecases::test_support::{store_order, Mocks};

fn request(record: &OrderRecord, amount: i64) -> ConfirmRequest {
    ConfirmRequest {
        payment_key: payment_key(),
        order_id: TossOrderId::for_order(&record.order.id),
        amount: Krw::new(amount).unwrap(),
    }
}

fn done(record: &OrderRecord) -> ProviderPayment {
    ProviderPayment {
        approved_at: Some(at(20)),
        ..provider_report(record, ProviderStatus::Done)
    }
}

fn rejection(code: &str) -> GatewayError {
    GatewayError::Rejected(PaymentFailure {
        code: code.into(),
        message: "거절".into(),
    })
}

/// Records each confirm call the gateway receives.
fn expect_confirm(
    mocks: &mut Mocks,
    answer: impl Fn() -> Result<ProviderPayment, GatewayError> + Send + 'static,
) -> Arc<Mutex<Vec<ConfirmCall>>> {
    let calls: Arc<Mutex<Vec<ConfirmCall>>> = Arc::default();
    let seen = calls.clone();
    mocks.gateway.expect_confirm().returning(move |call| {
        seen.lock().unwrap().push(call.clone());
        answer()
    });
    calls
}

#[tokio::test]
async fn a_done_answer_confirms_the_order() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = done(&record);
    let calls = expect_confirm(&mut mocks, move || Ok(report.clone()));
    let outcome = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap();

    assert_eq!(outcome.status, ConfirmStatus::Confirmed);
    assert_eq!(outcome.record.order.status, OrderStatus::Confirmed);
    assert_eq!(outcome.record.payment.status, PaymentStatus::Completed);
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].amount.won(), 58_000);
    assert_eq!(calls[0].order_id, TossOrderId::for_order(&record.order.id));

    let saves = stored.saved();
    assert_eq!(saves.len(), 2, "claim, then outcome");
    assert_eq!(saves[0].payment.status, PaymentStatus::Confirming);
    assert_eq!(
        saves[0].payment.confirm_idempotency_key.as_ref(),
        Some(&calls[0].idempotency_key),
        "the key is stored before the call"
    );
    assert_eq!(saves[1].payment.status, PaymentStatus::Completed);
    assert_eq!(stored.current(), outcome.record);
    assert_eq!(
        stored.read_count(),
        1,
        "the answer is applied to the record the claim committed, not a second read"
    );
}

#[tokio::test]
async fn a_change_between_claim_and_answer_is_read_before_the_answer_is_applied() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = done(&record);
    let meddler = stored.clone();
    mocks.gateway.expect_confirm().returning(move |_| {
        // Another process touches the order while Toss answers: the claimed record is stale.
        let mut slot = meddler.record.lock().unwrap();
        let mut current = slot.clone().unwrap();
        current.order = current.order.clone().bumped();
        *slot = Some(current);
        Ok(report.clone())
    });
    let outcome = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap();

    assert_eq!(outcome.status, ConfirmStatus::Confirmed);
    assert_eq!(
        stored.read_count(),
        2,
        "the stale save conflicted, so it read again"
    );
    let saves = stored.saved();
    assert_eq!(
        saves.len(),
        2,
        "claim, then the outcome over the fresh record"
    );
    assert_eq!(stored.current(), outcome.record);
    assert_eq!(outcome.record.order.version, record.order.version + 3);
}

#[tokio::test]
async fn a_wrong_amount_is_refused_and_toss_is_never_called() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 5_800))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_amount_mismatch");
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn an_unknown_order_is_not_found() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    mocks.orders.expect_get_order().returning(|_| Ok(None));
    mocks.gateway.expect_confirm().never();
    let service = PaymentService::new(mocks.ports_at(60));
    let err = service
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "order_not_found");
    let foreign = ConfirmRequest {
        order_id: TossOrderId::parse("someone-elses-order").unwrap(),
        ..request(&record, 58_000)
    };
    let err = service.confirm(&foreign).await.unwrap_err();
    assert_eq!(err.code(), "order_not_found");
}

#[tokio::test]
async fn the_amount_is_checked_before_the_payment_state() {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .approve(
            crate::payment::Approval {
                payment_key: payment_key(),
                method: None,
                approved_at: None,
            },
            at(1),
        )
        .unwrap();
    record.payment = payment;
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_confirm().never();
    let service = PaymentService::new(mocks.ports_at(60));
    let err = service.confirm(&request(&record, 1)).await.unwrap_err();
    assert_eq!(err.code(), "payment_amount_mismatch");
    let err = service
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_already_confirmed");
}

#[tokio::test]
async fn a_virtual_account_awaiting_its_deposit_counts_as_already_confirmed() {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .await_deposit(payment_key(), None, Some("ps_x".into()), at(1))
        .unwrap();
    record.payment = payment;
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_already_confirmed");
}

#[tokio::test]
async fn a_confirm_already_running_is_in_progress() {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .begin_confirm(
            payment_key(),
            IdempotencyKey::parse("confirm-other").unwrap(),
            at(1),
        )
        .unwrap();
    record.payment = payment;
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_in_progress");
}

#[tokio::test]
async fn losing_the_claim_race_is_in_progress_and_calls_toss_once_at_most() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let mut racing = record.clone();
    let mut payment = racing.payment.clone();
    payment
        .begin_confirm(
            payment_key(),
            IdempotencyKey::parse("confirm-winner").unwrap(),
            at(1),
        )
        .unwrap();
    racing.payment = payment.bumped();
    let reads = Arc::new(Mutex::new(0));
    let first = record.clone();
    mocks.orders.expect_get_order().returning(move |_| {
        let mut n = reads.lock().unwrap();
        *n += 1;
        Ok(Some(if *n == 1 {
            first.clone()
        } else {
            racing.clone()
        }))
    });
    mocks
        .orders
        .expect_save_change()
        .times(1)
        .returning(|_| Err(StoreError::Conflict));
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_in_progress");
}

#[tokio::test]
async fn past_the_deadline_or_cancelled_is_expired() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(30 * 60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_expired");

    let mut cancelled = pending_record(58_000);
    let mut order = cancelled.order.clone();
    order
        .cancel_unpaid(CancelReason::Merchant(None), at(5))
        .unwrap();
    let mut payment = cancelled.payment.clone();
    payment.cancel(at(5)).unwrap();
    cancelled.order = order;
    cancelled.payment = payment;
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, cancelled.clone());
    mocks.gateway.expect_confirm().never();
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&cancelled, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_expired");
}

#[tokio::test]
async fn a_rejection_puts_the_payment_back_to_pending_with_the_failure() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    expect_confirm(&mut mocks, || Err(rejection("REJECT_CARD_PAYMENT")));
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_confirm_failed");
    assert!(matches!(&err, ConfirmError::Declined(f) if f.code == "REJECT_CARD_PAYMENT"));
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::Pending);
    assert_eq!(
        now.payment.failure.as_ref().map(|f| f.code.as_str()),
        Some("REJECT_CARD_PAYMENT")
    );
    assert_eq!(now.payment.confirm_idempotency_key, None);
    assert_eq!(now.order.status, OrderStatus::Pending);
    let kinds: Vec<_> = stored.saved()[1]
        .events
        .iter()
        .map(|e| e.kind.type_name())
        .collect();
    assert_eq!(kinds, vec!["payment.failed"]);
}

#[tokio::test]
async fn a_retry_after_a_rejection_uses_a_new_idempotency_key() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    let answers = Arc::new(Mutex::new(0));
    let report = done(&record);
    let calls = expect_confirm(&mut mocks, move || {
        let mut n = answers.lock().unwrap();
        *n += 1;
        if *n == 1 {
            Err(rejection("REJECT_CARD_PAYMENT"))
        } else {
            Ok(report.clone())
        }
    });
    let service = PaymentService::new(mocks.ports_at(60));
    assert!(service.confirm(&request(&record, 58_000)).await.is_err());
    let outcome = service.confirm(&request(&record, 58_000)).await.unwrap();
    assert_eq!(outcome.status, ConfirmStatus::Confirmed);
    assert_eq!(outcome.record.payment.attempts, 2);
    let calls = calls.lock().unwrap().clone();
    assert_ne!(calls[0].idempotency_key, calls[1].idempotency_key);
}

#[tokio::test]
async fn toss_s_closed_window_is_expired() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    expect_confirm(&mut mocks, || Err(rejection(NOT_FOUND_PAYMENT_SESSION)));
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_expired");
    assert_eq!(stored.current().payment.status, PaymentStatus::Pending);
}

#[tokio::test]
async fn an_unknown_outcome_leaves_the_payment_confirming() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    expect_confirm(&mut mocks, || {
        Err(GatewayError::Unknown {
            reason: "timed out".into(),
        })
    });
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_provider_error");
    assert_eq!(stored.saved().len(), 1, "only the claim");
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::Confirming);
    assert!(
        now.payment.confirm_idempotency_key.is_some(),
        "kept for the retry"
    );
}

#[tokio::test]
async fn already_processed_reads_the_payment_back_and_applies_it() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    expect_confirm(&mut mocks, || {
        Err(GatewayError::AlreadyProcessed(PaymentFailure {
            code: "ALREADY_PROCESSED_PAYMENT".into(),
            message: "이미 처리된 결제 입니다.".into(),
        }))
    });
    let report = done(&record);
    mocks
        .gateway
        .expect_get_by_payment_key()
        .withf(|key| *key == payment_key())
        .times(1)
        .returning(move |_| Ok(Some(report.clone())));
    let outcome = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap();
    assert_eq!(outcome.status, ConfirmStatus::Confirmed);
    assert_eq!(stored.current().order.status, OrderStatus::Confirmed);
}

#[tokio::test]
async fn already_processed_with_an_unreadable_payment_stays_confirming() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    expect_confirm(&mut mocks, || {
        Err(GatewayError::AlreadyProcessed(PaymentFailure {
            code: "ALREADY_PROCESSED_PAYMENT".into(),
            message: String::new(),
        }))
    });
    mocks.gateway.expect_get_by_payment_key().returning(|_| {
        Err(GatewayError::Unknown {
            reason: "reset".into(),
        })
    });
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_provider_error");
    assert_eq!(stored.current().payment.status, PaymentStatus::Confirming);
}

#[tokio::test]
async fn a_virtual_account_answer_is_waiting_for_deposit() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        virtual_account: Some(VirtualAccount {
            bank_code: Some("88".into()),
            account_number: "X1234".into(),
            customer_name: None,
            due_date: Some(at(86_400)),
        }),
        secret: Some("ps_secret".into()),
        ..provider_report(&record, ProviderStatus::WaitingForDeposit)
    };
    expect_confirm(&mut mocks, move || Ok(report.clone()));
    let outcome = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap();
    assert_eq!(outcome.status, ConfirmStatus::WaitingForDeposit);
    assert_eq!(outcome.status.as_str(), "waiting_for_deposit");
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::AwaitingDeposit);
    assert!(now.payment.deposit_secret_matches("ps_secret"));
    assert_eq!(now.order.expires_at, at(86_400));
}

#[tokio::test]
async fn an_answer_for_another_amount_is_not_applied() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        total_amount: Krw::new(1).unwrap(),
        ..done(&record)
    };
    expect_confirm(&mut mocks, move || Ok(report.clone()));
    let err = PaymentService::new(mocks.ports_at(60))
        .confirm(&request(&record, 58_000))
        .await
        .unwrap_err();
    assert!(matches!(err, ConfirmError::ProviderMismatch(_)));
    assert_eq!(err.code(), "payment_provider_error");
    assert_eq!(stored.current().payment.status, PaymentStatus::Confirming);
}

#[tokio::test]
async fn the_fail_redirect_records_the_failure_and_keeps_the_order_pending() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let failure = PaymentFailure {
        code: "PAY_PROCESS_CANCELED".into(),
        message: "사용자에 의해 결제가 취소되었습니다.".into(),
    };
    let service = PaymentService::new(mocks.ports_at(60));
    let after = service
        .record_failure(&record.order.id, failure.clone())
        .await
        .unwrap();
    assert_eq!(after.payment.failure, Some(failure.clone()));
    assert_eq!(after.order.status, OrderStatus::Pending);
    assert_eq!(
        stored.saved()[0].events[0].kind.type_name(),
        "payment.failed"
    );
    assert_eq!(after, stored.current());
}

#[tokio::test]
async fn a_fail_redirect_for_a_paid_order_changes_nothing() {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .approve(
            crate::payment::Approval {
                payment_key: payment_key(),
                method: None,
                approved_at: None,
            },
            at(1),
        )
        .unwrap();
    record.payment = payment;
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let after = PaymentService::new(mocks.ports_at(60))
        .record_failure(
            &record.order.id,
            PaymentFailure {
                code: "PAY_PROCESS_ABORTED".into(),
                message: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(after, record);
    assert!(stored.saved().is_empty());
}
