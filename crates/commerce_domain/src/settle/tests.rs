//! The provider-report rules: every status, idempotence, and never backwards.

use super::*;
use crate::events::EventKind;
use crate::ids::{IdempotencyKey, PaymentKey};
use crate::order::CancelReason;
use crate::payment::VirtualAccount;
use crate::provider::ProviderCancel;
use crate::testing::{at, payment_key, pending_record, provider_report, SequenceIds};

fn krw(won: i64) -> Krw {
    Krw::new(won).unwrap()
}

fn apply(record: &OrderRecord, report: &ProviderPayment) -> Option<OrderChange> {
    apply_provider_payment(record, report, &SequenceIds::starting_at(9_000), at(60)).unwrap()
}

fn kinds(change: &OrderChange) -> Vec<&'static str> {
    change.events.iter().map(|e| e.kind.type_name()).collect()
}

fn confirming_record() -> OrderRecord {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .begin_confirm(
            payment_key(),
            IdempotencyKey::parse("confirm-1").unwrap(),
            at(10),
        )
        .unwrap();
    record.payment = payment;
    record
}

fn done(record: &OrderRecord) -> ProviderPayment {
    ProviderPayment {
        approved_at: Some(at(30)),
        method: Some(crate::payment::PaymentMethod::Card),
        ..provider_report(record, ProviderStatus::Done)
    }
}

fn paid_record() -> OrderRecord {
    let record = confirming_record();
    apply(&record, &done(&record))
        .unwrap()
        .committed(Vec::new())
}

fn cancel(key: &str, won: i64) -> ProviderCancel {
    ProviderCancel {
        transaction_key: key.to_owned(),
        amount: krw(won),
        reason: Some("고객 변심".to_owned()),
        canceled_at: Some(at(50)),
    }
}

#[test]
fn done_marks_the_order_paid_commits_stock_and_emits_both_events() {
    let record = confirming_record();
    let change = apply(&record, &done(&record)).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Completed);
    assert_eq!(change.payment.approved_at, Some(at(30)));
    assert_eq!(change.payment.provider_status.as_deref(), Some("DONE"));
    assert_eq!(change.order.status, OrderStatus::Confirmed);
    assert_eq!(change.stock, vec![StockMovement::Commit]);
    assert_eq!(kinds(&change), vec!["payment.completed", "order.confirmed"]);
    assert!(change
        .events
        .iter()
        .all(|e| e.order_id == record.order.id && e.occurred_at == at(60)));
}

#[test]
fn the_same_report_twice_changes_nothing_the_second_time() {
    let record = paid_record();
    let report = done(&record);
    assert_eq!(apply(&record, &report), None);
}

#[test]
fn an_older_report_never_moves_a_paid_order_backwards() {
    let record = paid_record();
    for status in [
        ProviderStatus::WaitingForDeposit,
        ProviderStatus::InProgress,
        ProviderStatus::Ready,
        ProviderStatus::Aborted,
        ProviderStatus::Expired,
    ] {
        let report = provider_report(&record, status.clone());
        assert_eq!(apply(&record, &report), None, "{status:?}");
    }
}

#[test]
fn waiting_for_deposit_keeps_the_account_and_secret_and_moves_the_deadline() {
    let record = confirming_record();
    let account = VirtualAccount {
        bank_code: Some("88".into()),
        account_number: "X6543210987".into(),
        customer_name: Some("김민수".into()),
        due_date: Some(at(3 * 86_400)),
    };
    let report = ProviderPayment {
        virtual_account: Some(account.clone()),
        secret: Some("ps_abcdefghijklmnopqrstuvwxyz12".into()),
        ..provider_report(&record, ProviderStatus::WaitingForDeposit)
    };
    let change = apply(&record, &report).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::AwaitingDeposit);
    assert_eq!(change.payment.virtual_account, Some(account));
    assert!(change
        .payment
        .deposit_secret_matches("ps_abcdefghijklmnopqrstuvwxyz12"));
    assert_eq!(change.order.status, OrderStatus::Pending);
    assert_eq!(change.order.expires_at, at(3 * 86_400));
    assert!(change.stock.is_empty() && change.events.is_empty());

    let waiting = change.committed(Vec::new());
    assert_eq!(apply(&waiting, &report), None, "applied once");
    let deposited = apply(&waiting, &done(&waiting)).unwrap();
    assert_eq!(deposited.payment.status, PaymentStatus::Completed);
    assert_eq!(deposited.order.status, OrderStatus::Confirmed);
    assert_eq!(deposited.stock, vec![StockMovement::Commit]);
}

#[test]
fn a_partial_cancel_then_the_rest_refunds_twice_then_cancels_and_restocks() {
    let record = paid_record();
    let first = ProviderPayment {
        cancels: vec![cancel("txrd_first", 8_000)],
        balance_amount: krw(50_000),
        ..provider_report(&record, ProviderStatus::PartialCanceled)
    };
    let change = apply(&record, &first).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(change.order.status, OrderStatus::Confirmed);
    assert_eq!(change.order.refunded_total, krw(8_000));
    assert_eq!(change.new_refunds.len(), 1);
    assert_eq!(change.new_refunds[0].provider_transaction_key, "txrd_first");
    assert!(!change.new_refunds[0].restock);
    assert!(change.stock.is_empty());
    assert_eq!(kinds(&change), vec!["payment.refunded"]);

    let partly = change.committed(record.refunds.clone());
    assert_eq!(apply(&partly, &first), None, "the same cancel counts once");

    // Toss's quirk: cancelling the rest leaves PARTIAL_CANCELED with a zero balance.
    let rest = ProviderPayment {
        cancels: vec![cancel("txrd_first", 8_000), cancel("txrd_second", 50_000)],
        balance_amount: Krw::ZERO,
        ..provider_report(&partly, ProviderStatus::PartialCanceled)
    };
    let change = apply(&partly, &rest).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Refunded);
    assert_eq!(change.order.status, OrderStatus::Cancelled);
    assert_eq!(change.order.cancel_reason, Some(CancelReason::Refunded));
    assert_eq!(change.order.refunded_total, krw(58_000));
    assert_eq!(change.new_refunds.len(), 1);
    assert!(change.new_refunds[0].restock);
    assert_eq!(change.stock, vec![StockMovement::Restock]);
    assert_eq!(kinds(&change), vec!["payment.refunded", "order.cancelled"]);
    let refunded = change.committed(partly.refunds.clone());
    assert_eq!(refunded.refunds.len(), 2);
    assert_eq!(apply(&refunded, &rest), None);
}

#[test]
fn a_cancel_seen_before_its_approval_records_both() {
    let record = confirming_record();
    let report = ProviderPayment {
        approved_at: Some(at(30)),
        cancels: vec![cancel("txrd_all", 58_000)],
        balance_amount: Krw::ZERO,
        ..provider_report(&record, ProviderStatus::Canceled)
    };
    let change = apply(&record, &report).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Refunded);
    assert_eq!(change.order.status, OrderStatus::Cancelled);
    assert_eq!(
        change.stock,
        vec![StockMovement::Commit, StockMovement::Restock]
    );
    assert_eq!(
        kinds(&change),
        vec![
            "payment.completed",
            "order.confirmed",
            "payment.refunded",
            "order.cancelled"
        ]
    );
}

#[test]
fn a_virtual_account_cancelled_before_the_deposit_releases_the_stock() {
    let record = confirming_record();
    let waiting = apply(
        &record,
        &provider_report(&record, ProviderStatus::WaitingForDeposit),
    )
    .unwrap()
    .committed(Vec::new());
    let report = ProviderPayment {
        cancels: vec![cancel("txrd_va", 58_000)],
        balance_amount: Krw::ZERO,
        ..provider_report(&waiting, ProviderStatus::Canceled)
    };
    let change = apply(&waiting, &report).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Cancelled);
    assert_eq!(change.order.status, OrderStatus::Cancelled);
    assert_eq!(change.stock, vec![StockMovement::Release]);
    assert!(change.new_refunds.is_empty());
    assert_eq!(kinds(&change), vec!["order.cancelled"]);
}

#[test]
fn an_approval_for_a_cancelled_order_is_recorded_without_reviving_it() {
    let mut record = pending_record(58_000);
    let mut order = record.order.clone();
    order
        .cancel_unpaid(CancelReason::PaymentExpired, at(1_800))
        .unwrap();
    let mut payment = record.payment.clone();
    payment.expire(at(1_800)).unwrap();
    record.order = order;
    record.payment = payment;
    let change = apply(&record, &done(&record)).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Completed);
    assert_eq!(change.order.status, OrderStatus::Cancelled);
    assert!(change.stock.is_empty(), "the stock was released already");
    assert_eq!(kinds(&change), vec!["payment.completed"]);
}

#[test]
fn an_abort_of_the_running_confirm_puts_the_payment_back_to_pending() {
    let record = confirming_record();
    let report = ProviderPayment {
        failure: Some(PaymentFailure {
            code: "REJECT_CARD_COMPANY".into(),
            message: "결제 승인이 거절되었습니다.".into(),
        }),
        ..provider_report(&record, ProviderStatus::Aborted)
    };
    let change = apply(&record, &report).unwrap();
    assert_eq!(change.payment.status, PaymentStatus::Pending);
    assert_eq!(
        change.payment.failure.as_ref().map(|f| f.code.as_str()),
        Some("REJECT_CARD_COMPANY")
    );
    assert_eq!(
        change.order.status,
        OrderStatus::Pending,
        "a retry is allowed"
    );
    assert!(change.stock.is_empty());
    assert_eq!(kinds(&change), vec!["payment.failed"]);
    let after = change.committed(Vec::new());
    assert_eq!(apply(&after, &report), None, "applied once");
}

#[test]
fn an_abort_of_another_payment_key_is_ignored() {
    let record = confirming_record();
    let report = ProviderPayment {
        payment_key: PaymentKey::parse("some_other_attempt").unwrap(),
        ..provider_report(&record, ProviderStatus::Expired)
    };
    assert_eq!(apply(&record, &report), None);
}

#[test]
fn a_report_for_another_amount_or_order_is_refused() {
    let record = confirming_record();
    let wrong_amount = ProviderPayment {
        total_amount: krw(1_000),
        ..done(&record)
    };
    assert_eq!(
        apply_provider_payment(&record, &wrong_amount, &SequenceIds::default(), at(1)),
        Err(SettleError::AmountMismatch {
            expected: krw(58_000),
            reported: krw(1_000)
        })
    );
    let wrong_order = ProviderPayment {
        order_id: TossOrderId::parse("HC-order_someoneelse123456789").unwrap(),
        ..done(&record)
    };
    assert!(matches!(
        apply_provider_payment(&record, &wrong_order, &SequenceIds::default(), at(1)),
        Err(SettleError::OrderMismatch { .. })
    ));
}

#[test]
fn cancels_beyond_the_amount_paid_are_refused() {
    let record = paid_record();
    let report = ProviderPayment {
        cancels: vec![cancel("txrd_a", 50_000), cancel("txrd_b", 50_000)],
        ..provider_report(&record, ProviderStatus::PartialCanceled)
    };
    assert_eq!(
        apply_provider_payment(&record, &report, &SequenceIds::default(), at(1)),
        Err(SettleError::RefundsExceedPayment)
    );
}

#[test]
fn in_progress_and_unknown_statuses_change_nothing() {
    let record = confirming_record();
    for status in [
        ProviderStatus::Ready,
        ProviderStatus::InProgress,
        ProviderStatus::Unknown("NEW".into()),
    ] {
        assert_eq!(apply(&record, &provider_report(&record, status)), None);
    }
}

#[test]
fn events_get_distinct_ids() {
    let record = confirming_record();
    let change = apply(&record, &done(&record)).unwrap();
    assert_ne!(change.events[0].id, change.events[1].id);
    assert!(change.events.iter().all(|e| matches!(
        e.kind,
        EventKind::PaymentCompleted | EventKind::OrderConfirmed
    )));
}
