//! Every payment transition from every state.

use super::*;
use crate::testing::{at, pending_payment, SequenceIds};
use PaymentStatus::*;

fn in_state(status: PaymentStatus) -> Payment {
    let mut payment = pending_payment(58_000);
    payment.0.status = status;
    if status.is_paid() {
        payment.0.payment_key = Some(key());
    }
    payment
}

fn key() -> PaymentKey {
    PaymentKey::parse("tgen_20261126120000abcde").unwrap()
}

fn idem(n: u8) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("confirm-{n}")).unwrap()
}

fn failure() -> PaymentFailure {
    PaymentFailure {
        code: "REJECT_CARD_PAYMENT".into(),
        message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다.".into(),
    }
}

fn refund_id() -> RefundId {
    RefundId::generate(&SequenceIds::default())
}

fn krw(won: i64) -> Krw {
    Krw::new(won).unwrap()
}

/// Runs `transition` from every state; it must succeed exactly from `allowed` and leave the
/// payment untouched when it refuses.
fn check<T: std::fmt::Debug>(
    allowed: &[PaymentStatus],
    action: PaymentAction,
    transition: impl Fn(&mut Payment) -> Result<T, PaymentTransitionError>,
) {
    for from in PaymentStatus::ALL {
        let mut payment = in_state(from);
        let result = transition(&mut payment);
        if allowed.contains(&from) {
            assert!(result.is_ok(), "{action:?} from {from} should be allowed");
        } else {
            assert_eq!(
                result.unwrap_err(),
                PaymentTransitionError { from, action },
                "{action:?} from {from}"
            );
            assert_eq!(
                payment,
                in_state(from),
                "a refused {action:?} changed the payment"
            );
        }
    }
}

#[test]
fn begin_confirm_only_from_pending() {
    check(&[Pending], PaymentAction::BeginConfirm, |p| {
        p.begin_confirm(key(), idem(1), at(1))
    });
    let mut payment = in_state(Pending);
    payment.begin_confirm(key(), idem(1), at(1)).unwrap();
    assert_eq!(payment.status, Confirming);
    assert_eq!(payment.attempts, 1);
    assert_eq!(payment.payment_key, Some(key()));
    assert_eq!(payment.confirm_idempotency_key, Some(idem(1)));
    assert_eq!(payment.confirm_started_at, Some(at(1)));
}

#[test]
fn approve_from_every_unpaid_state_and_never_twice() {
    let approval = || Approval {
        payment_key: key(),
        method: Some(PaymentMethod::Card),
        approved_at: Some(at(7)),
    };
    check(
        &[Pending, Confirming, AwaitingDeposit, Expired, Cancelled],
        PaymentAction::Approve,
        |p| p.approve(approval(), at(8)),
    );
    let mut payment = in_state(Confirming);
    assert_eq!(
        payment.approve(approval(), at(8)),
        Ok(vec![EventKind::PaymentCompleted])
    );
    assert_eq!(payment.status, Completed);
    assert_eq!(payment.approved_at, Some(at(7)));
    assert_eq!(payment.method, Some(PaymentMethod::Card));
    assert_eq!(payment.confirm_idempotency_key, None);
}

#[test]
fn await_deposit_from_pending_or_confirming() {
    let account = VirtualAccount {
        bank_code: Some("88".into()),
        account_number: "X1234567890".into(),
        customer_name: Some("김민수".into()),
        due_date: Some(at(86_400)),
    };
    check(&[Pending, Confirming], PaymentAction::AwaitDeposit, |p| {
        p.await_deposit(
            key(),
            Some(account.clone()),
            Some("ps_secret".into()),
            at(2),
        )
    });
    let mut payment = in_state(Confirming);
    payment
        .await_deposit(
            key(),
            Some(account.clone()),
            Some("ps_secret".into()),
            at(2),
        )
        .unwrap();
    assert_eq!(payment.status, AwaitingDeposit);
    assert_eq!(payment.virtual_account, Some(account));
    assert_eq!(payment.method, Some(PaymentMethod::VirtualAccount));
    assert!(payment.deposit_secret_matches("ps_secret"));
}

#[test]
fn reject_only_from_confirming_and_back_to_pending() {
    check(&[Confirming], PaymentAction::Reject, |p| {
        p.reject(failure(), at(3))
    });
    let mut payment = in_state(Pending);
    payment.begin_confirm(key(), idem(1), at(1)).unwrap();
    assert_eq!(
        payment.reject(failure(), at(3)),
        Ok(vec![EventKind::PaymentFailed])
    );
    assert_eq!(payment.status, Pending);
    assert_eq!(payment.failure, Some(failure()));
    assert_eq!(
        payment.confirm_idempotency_key, None,
        "a new key after an answer"
    );
    payment.begin_confirm(key(), idem(2), at(4)).unwrap();
    assert_eq!(payment.attempts, 2, "a retry is allowed");
}

#[test]
fn record_failure_only_while_pending() {
    check(&[Pending], PaymentAction::RecordFailure, |p| {
        p.record_failure(failure(), at(3))
    });
}

#[test]
fn refunds_go_partial_then_full() {
    check(
        &[Completed, PartiallyRefunded],
        PaymentAction::Refund,
        |p| p.refund(refund_id(), krw(1_000), at(3)),
    );
    let mut payment = in_state(Completed);
    payment.refund(refund_id(), krw(8_000), at(3)).unwrap();
    assert_eq!(payment.status, PartiallyRefunded);
    assert_eq!(payment.refundable(), krw(50_000));
    payment.refund(refund_id(), krw(50_000), at(4)).unwrap();
    assert_eq!(payment.status, Refunded);
    assert_eq!(payment.refundable(), Krw::ZERO);
}

#[test]
fn refunds_never_pass_the_amount_and_are_never_zero() {
    let mut payment = in_state(Completed);
    let before = payment.clone();
    assert!(payment.refund(refund_id(), krw(58_001), at(3)).is_err());
    assert!(payment.refund(refund_id(), Krw::ZERO, at(3)).is_err());
    assert_eq!(payment, before);
}

#[test]
fn expire_and_cancel_never_touch_a_confirming_payment() {
    check(&[Pending, AwaitingDeposit], PaymentAction::Expire, |p| {
        p.expire(at(5))
    });
    check(&[Pending, AwaitingDeposit], PaymentAction::Cancel, |p| {
        p.cancel(at(5))
    });
}

#[test]
fn deposit_secret_must_match_exactly() {
    let mut payment = in_state(Pending);
    assert!(!payment.deposit_secret_matches("anything"), "none stored");
    payment.0.deposit_secret = Some("ps_abc".into());
    assert!(payment.deposit_secret_matches("ps_abc"));
    assert!(!payment.deposit_secret_matches("ps_abd"));
    assert!(!payment.deposit_secret_matches("ps_ab"));
    assert!(!payment.deposit_secret_matches("ps_abcd"));
}

#[test]
fn statuses_round_trip_and_paid_means_approved() {
    for status in PaymentStatus::ALL {
        assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
    }
    let paid: Vec<_> = PaymentStatus::ALL
        .into_iter()
        .filter(|s| s.is_paid())
        .collect();
    assert_eq!(paid, vec![Completed, PartiallyRefunded, Refunded]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Begin,
        Approve,
        Reject,
        Refund(i64),
        Expire,
        Cancel,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            Just(Step::Begin),
            Just(Step::Approve),
            Just(Step::Reject),
            (1i64..70_000).prop_map(Step::Refund),
            Just(Step::Expire),
            Just(Step::Cancel),
        ]
    }

    proptest! {
        /// Whatever sequence of transitions is attempted: refunds never exceed the amount, the
        /// status agrees with the refunded amount, and a paid payment never becomes unpaid.
        #[test]
        fn money_invariants_hold_under_any_sequence(steps in proptest::collection::vec(step(), 0..30)) {
            let mut payment = in_state(Pending);
            let mut was_paid = false;
            for (n, step) in steps.into_iter().enumerate() {
                let now = at(i64::try_from(n).unwrap());
                let _ = match step {
                    Step::Begin => payment.begin_confirm(key(), idem(1), now).map(|_| ()),
                    Step::Approve => payment
                        .approve(Approval { payment_key: key(), method: None, approved_at: None }, now)
                        .map(|_| ()),
                    Step::Reject => payment.reject(failure(), now).map(|_| ()),
                    Step::Refund(won) => payment.refund(refund_id(), krw(won), now).map(|_| ()),
                    Step::Expire => payment.expire(now),
                    Step::Cancel => payment.cancel(now),
                };
                prop_assert!(payment.refunded_amount <= payment.amount);
                prop_assert_eq!(
                    payment.status == Refunded,
                    payment.refunded_amount == payment.amount
                );
                prop_assert_eq!(
                    payment.status == PartiallyRefunded,
                    !payment.refunded_amount.is_zero() && payment.refunded_amount < payment.amount
                );
                if was_paid {
                    prop_assert!(payment.status.is_paid(), "paid payments stay paid");
                }
                was_paid = payment.status.is_paid();
            }
        }
    }
}

#[test]
fn api_views_follow_the_spec_table() {
    let row = |s: PaymentStatus| (s.order_payment_status(), s.api_status());
    assert_eq!(row(Pending), ("unpaid", "pending"));
    assert_eq!(row(Confirming), ("unpaid", "pending"));
    assert_eq!(row(AwaitingDeposit), ("awaiting_payment", "pending"));
    assert_eq!(row(Completed), ("paid", "completed"));
    assert_eq!(row(PartiallyRefunded), ("partially_refunded", "completed"));
    assert_eq!(row(Refunded), ("refunded", "refunded"));
    assert_eq!(row(Expired), ("unpaid", "cancelled"));
    assert_eq!(row(Cancelled), ("unpaid", "cancelled"));
    assert_eq!(
        PaymentStatus::for_order_payment_status("unpaid").map(|v| v.len()),
        Some(4)
    );
    assert_eq!(PaymentStatus::for_order_payment_status("maybe"), None);
}

#[test]
fn a_claim_is_reflected_only_by_its_own_payment_in_the_matching_final_state() {
    let other = PaymentKey::parse("tgen_someoneelse").unwrap();
    let noted = |status: PaymentStatus, provider: &str| {
        let mut payment = in_state(status);
        payment.0.payment_key = Some(key());
        payment.note_provider_state(provider, serde_json::Value::Null);
        payment
    };
    assert!(noted(Completed, "DONE").reflects_claim(&key(), "DONE"));
    assert!(noted(Refunded, "CANCELED").reflects_claim(&key(), "CANCELED"));
    assert!(noted(Cancelled, "CANCELED").reflects_claim(&key(), "CANCELED"));
    // Another payment's report, or a status Toss has not reported to us, is read back.
    assert!(!noted(Completed, "DONE").reflects_claim(&other, "DONE"));
    assert!(!noted(Completed, "DONE").reflects_claim(&key(), "CANCELED"));
    assert!(!noted(Refunded, "CANCELED").reflects_claim(&key(), "DONE"));
    // A confirm still running, or a refund only we know of, does not count.
    assert!(!noted(Confirming, "DONE").reflects_claim(&key(), "DONE"));
    assert!(!noted(PartiallyRefunded, "DONE").reflects_claim(&key(), "DONE"));
    // Partial cancels repeat their status with new amounts: never taken on trust.
    assert!(
        !noted(PartiallyRefunded, "PARTIAL_CANCELED").reflects_claim(&key(), "PARTIAL_CANCELED")
    );
    // Nothing reported by Toss yet.
    let mut silent = in_state(Completed);
    silent.0.payment_key = Some(key());
    assert!(!silent.reflects_claim(&key(), "DONE"));
}
