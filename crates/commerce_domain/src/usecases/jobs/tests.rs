//! The expiry and reconciliation jobs over a mocked store and gateway.

use std::sync::{Arc, Mutex};

use super::*;
use crate::ids::IdempotencyKey;
use crate::payment::VirtualAccount;
use crate::provider::ProviderPayment;
use crate::testing::{at, payment_key, pending_record, provider_report};
use crate::usecases::test_support::{store_order, Mocks, StoredOrder};

const OVERDUE: i64 = 30 * 60 + 1;

fn jobs(mocks: Mocks, now: i64) -> JobService {
    JobService::new(mocks.ports_at(now), Duration::minutes(5))
}

fn claim_overdue(mocks: &mut Mocks, record: &OrderRecord) {
    let id = record.order.id.clone();
    mocks
        .orders
        .expect_claim_overdue_orders()
        .times(1)
        .returning(move |_, _, _| Ok(vec![id.clone()]));
}

fn claim_confirming(mocks: &mut Mocks, record: &OrderRecord) {
    let id = record.order.id.clone();
    mocks
        .orders
        .expect_claim_stale_confirming()
        .times(1)
        .returning(move |_, _, _, _| Ok(vec![id.clone()]));
}

fn confirming(record: OrderRecord, key: &str) -> OrderRecord {
    let mut payment = record.payment.clone();
    payment
        .begin_confirm(payment_key(), IdempotencyKey::parse(key).unwrap(), at(60))
        .unwrap();
    OrderRecord { payment, ..record }
}

fn awaiting(record: OrderRecord) -> OrderRecord {
    let mut payment = record.payment.clone();
    payment
        .await_deposit(
            payment_key(),
            Some(VirtualAccount {
                bank_code: None,
                account_number: "X1".into(),
                customer_name: None,
                due_date: None,
            }),
            Some("ps_s".into()),
            at(60),
        )
        .unwrap();
    OrderRecord { payment, ..record }
}

fn kinds(stored: &StoredOrder) -> Vec<&'static str> {
    stored
        .saved()
        .iter()
        .flat_map(|c| c.events.iter().map(|e| e.kind.type_name()))
        .collect()
}

#[tokio::test]
async fn an_overdue_unpaid_order_is_cancelled_and_its_stock_released() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_get_by_order_id().never();
    let report = jobs(mocks, OVERDUE).expire_overdue(100).await.unwrap();
    assert_eq!((report.claimed, report.changed), (1, 1));
    assert!(report.failed.is_empty());
    let now = stored.current();
    assert_eq!(now.order.status, OrderStatus::Cancelled);
    assert_eq!(now.order.cancel_reason, Some(CancelReason::PaymentExpired));
    assert_eq!(now.payment.status, PaymentStatus::Expired);
    assert_eq!(stored.saved()[0].stock, vec![StockMovement::Release]);
    assert_eq!(kinds(&stored), vec!["order.cancelled"]);
}

#[tokio::test]
async fn a_second_worker_finds_nothing_left_to_do() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_claim_overdue_orders()
        .times(2)
        .returning({
            let id = record.order.id.clone();
            move |_, _, _| Ok(vec![id.clone()])
        });
    let stored = store_order(&mut mocks.orders, record.clone());
    let service = jobs(mocks, OVERDUE);
    service.expire_overdue(100).await.unwrap();
    let second = service.expire_overdue(100).await.unwrap();
    assert_eq!((second.claimed, second.changed), (1, 0));
    assert_eq!(stored.saved().len(), 1, "expired and released once");
}

#[tokio::test]
async fn an_order_not_yet_due_is_left_alone() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = jobs(mocks, 60).expire_overdue(100).await.unwrap();
    assert_eq!(report.changed, 0);
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn a_confirming_payment_is_never_expired_blindly() {
    let record = confirming(pending_record(58_000), "confirm-1");
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = jobs(mocks, OVERDUE).expire_overdue(100).await.unwrap();
    assert_eq!(report.changed, 0);
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn a_virtual_account_is_read_back_and_a_deposit_found_is_applied() {
    let record = awaiting(pending_record(58_000));
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        approved_at: Some(at(1_000)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(move |_| Ok(Some(report.clone())));
    let run = jobs(mocks, OVERDUE).expire_overdue(100).await.unwrap();
    assert_eq!(run.changed, 1);
    assert_eq!(stored.current().order.status, OrderStatus::Confirmed);
}

#[tokio::test]
async fn a_virtual_account_past_its_due_date_without_deposit_expires() {
    let record = awaiting(pending_record(58_000));
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = provider_report(&record, ProviderStatus::WaitingForDeposit);
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(move |_| Ok(Some(report.clone())));
    jobs(mocks, OVERDUE).expire_overdue(100).await.unwrap();
    let now = stored.current();
    assert_eq!(now.order.cancel_reason, Some(CancelReason::DepositExpired));
    assert_eq!(now.payment.status, PaymentStatus::Expired);
}

#[tokio::test]
async fn a_virtual_account_is_kept_when_toss_cannot_be_asked() {
    let record = awaiting(pending_record(58_000));
    let mut mocks = Mocks::default();
    claim_overdue(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_get_by_order_id().returning(|_| {
        Err(GatewayError::Unknown {
            reason: "http 500".into(),
        })
    });
    let run = jobs(mocks, OVERDUE).expire_overdue(100).await.unwrap();
    assert_eq!(run.failed.len(), 1);
    assert!(stored.saved().is_empty());
}

#[tokio::test]
async fn reconciliation_records_a_payment_toss_approved() {
    let record = confirming(pending_record(58_000), "confirm-1");
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let report = ProviderPayment {
        approved_at: Some(at(61)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(move |_| Ok(Some(report.clone())));
    mocks.gateway.expect_confirm().never();
    let run = jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    assert_eq!(run.changed, 1);
    assert_eq!(stored.current().payment.status, PaymentStatus::Completed);
    assert_eq!(kinds(&stored), vec!["payment.completed", "order.confirmed"]);
}

#[tokio::test]
async fn reconciliation_repeats_an_unanswered_confirm_with_the_same_key() {
    let record = confirming(pending_record(58_000), "confirm-first-try");
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let in_progress = provider_report(&record, ProviderStatus::InProgress);
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(move |_| Ok(Some(in_progress.clone())));
    let calls: Arc<Mutex<Vec<ConfirmCall>>> = Arc::default();
    let seen = calls.clone();
    let done = ProviderPayment {
        approved_at: Some(at(601)),
        ..provider_report(&record, ProviderStatus::Done)
    };
    mocks
        .gateway
        .expect_confirm()
        .times(1)
        .returning(move |call| {
            seen.lock().unwrap().push(call.clone());
            Ok(done.clone())
        });
    jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls[0].idempotency_key.as_str(), "confirm-first-try");
    assert_eq!(calls[0].amount, record.order.total);
    assert_eq!(stored.current().order.status, OrderStatus::Confirmed);
}

#[tokio::test]
async fn reconciliation_settles_an_aborted_payment_as_rejected() {
    let record = confirming(pending_record(58_000), "confirm-1");
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    let aborted = provider_report(&record, ProviderStatus::Aborted);
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(move |_| Ok(Some(aborted.clone())));
    mocks.gateway.expect_confirm().never();
    let run = jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    assert_eq!(run.changed, 1);
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::Pending);
    assert_eq!(now.order.status, OrderStatus::Pending);
}

#[tokio::test]
async fn reconciliation_frees_a_payment_toss_never_saw() {
    let record = confirming(pending_record(58_000), "confirm-1");
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks
        .gateway
        .expect_get_by_order_id()
        .returning(|_| Ok(None));
    mocks.gateway.expect_confirm().never();
    jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    let now = stored.current();
    assert_eq!(now.payment.status, PaymentStatus::Pending);
    assert_eq!(
        now.payment.failure.as_ref().map(|f| f.code.as_str()),
        Some("NOT_FOUND_PAYMENT")
    );
}

#[tokio::test]
async fn reconciliation_leaves_the_payment_confirming_while_toss_is_unreachable() {
    let record = confirming(pending_record(58_000), "confirm-1");
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    let stored = store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_get_by_order_id().returning(|_| {
        Err(GatewayError::Unknown {
            reason: "connection reset".into(),
        })
    });
    let run = jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    assert_eq!(run.failed.len(), 1);
    assert!(stored.saved().is_empty());
    assert_eq!(stored.current().payment.status, PaymentStatus::Confirming);
}

#[tokio::test]
async fn reconciliation_skips_a_payment_that_settled_meanwhile() {
    let record = pending_record(58_000);
    let mut mocks = Mocks::default();
    claim_confirming(&mut mocks, &record);
    store_order(&mut mocks.orders, record.clone());
    mocks.gateway.expect_get_by_order_id().never();
    let run = jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(1), 50)
        .await
        .unwrap();
    assert_eq!((run.claimed, run.changed), (1, 0));
}

#[tokio::test]
async fn the_claim_window_is_the_stale_age() {
    let mut mocks = Mocks::default();
    mocks
        .orders
        .expect_claim_stale_confirming()
        .withf(|before, now, limit, lease| {
            *before == at(600) - Duration::minutes(2)
                && *now == at(600)
                && *limit == 7
                && *lease == Duration::minutes(5)
        })
        .times(1)
        .returning(|_, _, _, _| Ok(Vec::new()));
    let run = jobs(mocks, 600)
        .reconcile_confirming(Duration::minutes(2), 7)
        .await
        .unwrap();
    assert_eq!(run, JobReport::default());
}
