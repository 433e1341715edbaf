//! Syncing from provider reports: the webhook and deposit-callback paths.

use super::*;
use crate::order::{CancelReason, OrderStatus};
use crate::payment::PaymentStatus;
use crate::provider::ProviderStatus;
use crate::testing::{at, payment_key, pending_record, provider_report};
use crate::usecases::test_support::{store_order, Mocks};

fn waiting_record() -> OrderRecord {
    let mut record = pending_record(58_000);
    let mut payment = record.payment.clone();
    payment
        .await_deposit(payment_key(), None, Some("ps_right".into()), at(1))
        .unwrap();
    record.payment = payment;
    record
}

#[tokio::test]
async fn a_payment_key_webhook_applies_the_state_read_back_not_the_body() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    // Toss says the payment is only authorised, whatever a webhook body claimed.
    let report = provider_report(&record, ProviderStatus::InProgress);
    mocks
        .gateway
        .expect_get_by_payment_key()
        .times(1)
        .returning(move |_| Ok(Some(report.clone())));
    let outcome = PaymentService::new(mocks.ports_at(60))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap();
    assert!(matches!(outcome, SyncOutcome::Unchanged(_)));
    assert_eq!(stored.current().order.status, OrderStatus::Pending);
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn a_done_report_applies_once_however_often_it_arrives() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        approved_at: Some(at(10)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_payment_key()
        .returning(move |_| Ok(Some(report.clone())));
    let service = PaymentService::new(mocks.ports_at(60));
    let first = service.sync_by_payment_key(&payment_key()).await.unwrap();
    assert!(matches!(
        first,
        SyncOutcome::Applied {
            late_payment: false,
            ..
        }
    ));
    for _ in 0..4 {
        let again = service.sync_by_payment_key(&payment_key()).await.unwrap();
        assert!(matches!(again, SyncOutcome::Unchanged(_)));
    }
    assert_eq!(stored.saved().len(), 1);
    assert_eq!(stored.current().order.status, OrderStatus::Confirmed);
}

#[tokio::test]
async fn a_payment_toss_does_not_know_is_reported() {
    let mut mocks = Mocks::default();
    mocks
        .gateway
        .expect_get_by_payment_key()
        .returning(|_| Ok(None));
    let err = PaymentService::new(mocks.ports_at(60))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::PaymentNotFound));
    assert_eq!(err.code(), "payment_not_found");
}

#[tokio::test]
async fn an_unreachable_provider_changes_nothing() {
    let mut mocks = Mocks::default();
    mocks.orders.expect_save_change().never();
    mocks.gateway.expect_get_by_payment_key().returning(|_| {
        Err(GatewayError::Unknown {
            reason: "timeout".into(),
        })
    });
    let err = PaymentService::new(mocks.ports_at(60))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_provider_error");
}

#[tokio::test]
async fn a_report_for_an_order_we_do_not_have_is_unknown() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    mocks.orders.expect_get_order().returning(|_| Ok(None));
    let report = provider_report(&record, ProviderStatus::Done);
    mocks
        .gateway
        .expect_get_by_payment_key()
        .returning(move |_| Ok(Some(report.clone())));
    let service = PaymentService::new(mocks.ports_at(60));
    assert_eq!(
        service.sync_by_payment_key(&payment_key()).await.unwrap(),
        SyncOutcome::UnknownOrder
    );
    let foreign = TossOrderId::parse("not-one-of-ours").unwrap();
    assert_eq!(
        service.sync_by_order_id(&foreign).await.unwrap(),
        SyncOutcome::UnknownOrder
    );
    assert_eq!(
        service.deposit_callback(&foreign, "ps_x").await.unwrap(),
        SyncOutcome::UnknownOrder
    );
}

#[tokio::test]
async fn a_deposit_callback_with_the_right_secret_confirms_the_order() {
    let record = waiting_record();
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        approved_at: Some(at(100)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_order_id()
        .times(1)
        .returning(move |_| Ok(Some(report.clone())));
    let toss_id = TossOrderId::for_order(&record.order.id);
    let outcome = PaymentService::new(mocks.ports_at(120))
        .deposit_callback(&toss_id, "ps_right")
        .await
        .unwrap();
    assert!(matches!(outcome, SyncOutcome::Applied { .. }));
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::Completed);
    assert_eq!(now.order.status, OrderStatus::Confirmed);
}

#[tokio::test]
async fn a_deposit_callback_with_a_wrong_secret_is_refused_without_asking_toss() {
    let record = waiting_record();
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_get_by_order_id().never();
    let toss_id = TossOrderId::for_order(&record.order.id);
    let err = PaymentService::new(mocks.ports_at(120))
        .deposit_callback(&toss_id, "ps_wrong")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::InvalidSecret));
    assert_eq!(err.code(), "invalid_signature");
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn a_late_approval_of_a_cancelled_order_is_flagged() {
    let mut record = pending_record(58_000);
    let mut order = record.order.clone();
    order
        .cancel_unpaid(CancelReason::PaymentExpired, at(1_800))
        .unwrap();
    let mut payment = record.payment.clone();
    payment.expire(at(1_800)).unwrap();
    record.order = order;
    record.payment = payment;
    let mut mocks = Mocks::default();
    store_order(&mut mocks.orders, record.clone());
    let report = provider_report(&record, ProviderStatus::Done);
    mocks
        .gateway
        .expect_get_by_payment_key()
        .returning(move |_| Ok(Some(report.clone())));
    let outcome = PaymentService::new(mocks.ports_at(2_000))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        SyncOutcome::Applied {
            late_payment: true,
            ..
        }
    ));
}

#[tokio::test]
async fn an_amount_mismatch_is_not_applied() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        total_amount: crate::money::Krw::new(100).unwrap(),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_payment_key()
        .returning(move |_| Ok(Some(report.clone())));
    let err = PaymentService::new(mocks.ports_at(60))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Mismatch(_)));
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn a_concurrent_writer_is_retried_and_the_report_applied_on_fresh_state() {
    use std::sync::{Arc, Mutex};
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let slot = Arc::new(Mutex::new(record.clone()));
    let reader = slot.clone();
    mocks
        .orders
        .expect_get_order()
        .times(2)
        .returning(move |_| Ok(Some(reader.lock().unwrap().clone())));
    // The first write loses to another process, which bumped both versions meanwhile.
    let writer = slot.clone();
    let mut attempts = 0;
    mocks
        .orders
        .expect_save_change()
        .times(2)
        .returning(move |change| {
            attempts += 1;
            let mut current = writer.lock().unwrap();
            if attempts == 1 {
                *current = OrderRecord {
                    order: current.order.clone().bumped(),
                    payment: current.payment.clone().bumped(),
                    refunds: Vec::new(),
                };
                return Err(StoreError::Conflict);
            }
            assert_eq!(
                change.order.version, current.order.version,
                "written over fresh state"
            );
            *current = change.clone().committed(Vec::new());
            Ok(())
        });
    let report = ProviderPayment {
        approved_at: Some(at(10)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_payment_key()
        .times(1)
        .returning(move |_| Ok(Some(report.clone())));
    let outcome = PaymentService::new(mocks.ports_at(60))
        .sync_by_payment_key(&payment_key())
        .await
        .unwrap();
    assert!(matches!(outcome, SyncOutcome::Applied { .. }));
    assert_eq!(
        slot.lock().unwrap().payment.status,
        PaymentStatus::Completed
    );
    assert_eq!(slot.lock().unwrap().order.version, record.order.version + 2);
}

fn paid_record() -> OrderRecord {
    let mut record = pending_record(58_000);
    let report = ProviderPayment {
        approved_at: Some(at(10)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    let change = apply_provider_payment(
        &record,
        &report,
        &crate::testing::SequenceIds::starting_at(500),
        at(10),
    )
    .unwrap()
    .unwrap();
    record = change.committed(record.refunds);
    record
}

#[tokio::test]
async fn a_webhook_claiming_what_the_payment_already_shows_reads_nothing_else() {
    let record = paid_record();
    assert!(record.payment.reflects_claim(&payment_key(), "DONE"));
    let mut mocks = Mocks::default();
    let payment = record.payment.clone();
    mocks
        .orders
        .expect_get_payment_of_order()
        .times(1)
        .returning(move |_| Ok(Some(payment.clone())));
    mocks.orders.expect_get_order().never();
    mocks.orders.expect_save_change().never();
    mocks.gateway.expect_get_by_payment_key().never();
    let toss_order = TossOrderId::for_order(&record.order.id);
    let shown = PaymentService::new(mocks.ports_at(60))
        .payment_shows_claim(&payment_key(), Some(&toss_order), Some("DONE"))
        .await
        .unwrap();
    assert!(shown);
}

#[tokio::test]
async fn a_webhook_claim_the_payment_does_not_show_is_read_back_and_the_answer_applied() {
    // The body claims the payment was cancelled; Toss says it is approved: the approval is
    // what gets applied, not the body.
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    let payment = record.payment.clone();
    mocks
        .orders
        .expect_get_payment_of_order()
        .times(1)
        .returning(move |_| Ok(Some(payment.clone())));
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        approved_at: Some(at(10)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_payment_key()
        .times(1)
        .returning(move |_| Ok(Some(report.clone())));
    let toss_order = TossOrderId::for_order(&record.order.id);
    let service = PaymentService::new(mocks.ports_at(60));
    let shown = service
        .payment_shows_claim(&payment_key(), Some(&toss_order), Some("CANCELED"))
        .await
        .unwrap();
    assert!(!shown);
    let outcome = service.sync_by_payment_key(&payment_key()).await.unwrap();
    assert!(matches!(outcome, SyncOutcome::Applied { .. }));
    assert_eq!(stored.current().order.status, OrderStatus::Confirmed);
    assert_eq!(stored.saved().len(), 1);
}

#[tokio::test]
async fn a_webhook_body_naming_no_order_or_no_status_shows_nothing_without_reading() {
    let record = paid_record();
    let mut mocks = Mocks::default();
    mocks.orders.expect_get_payment_of_order().never();
    mocks.gateway.expect_get_by_payment_key().never();
    let service = PaymentService::new(mocks.ports_at(60));
    let toss_order = TossOrderId::for_order(&record.order.id);
    for (order, status) in [(None, Some("DONE")), (Some(&toss_order), None)] {
        let shown = service
            .payment_shows_claim(&payment_key(), order, status)
            .await
            .unwrap();
        assert!(!shown, "read back from Toss instead");
    }
}

#[tokio::test]
async fn a_store_failure_while_checking_a_claim_asks_nothing_of_toss_and_is_retryable() {
    let record = paid_record();
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_get_payment_of_order()
        .times(1)
        .returning(|_| Err(StoreError::Unavailable("connection reset".into())));
    mocks.orders.expect_save_change().never();
    mocks.gateway.expect_get_by_payment_key().never();
    let toss_order = TossOrderId::for_order(&record.order.id);
    let err = PaymentService::new(mocks.ports_at(60))
        .payment_shows_claim(&payment_key(), Some(&toss_order), Some("DONE"))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Store(StoreError::Unavailable(_))));
    assert_eq!(err.code(), "service_unavailable");
}
