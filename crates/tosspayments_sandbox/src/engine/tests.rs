//! The payment rules without HTTP.

use super::*;
use crate::clock::ManualClock;

fn engine() -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    (Engine::new(clock.clone(), Duration::days(7)), clock)
}

fn authorize(engine: &Engine, order: &str, amount: i64, method: Method) -> Payment {
    engine
        .authorize(Authorization {
            order_id: order.into(),
            order_name: "Classic T-Shirt 외 1건".into(),
            amount,
            method,
            confirm_error: None,
        })
        .unwrap()
}

fn status(value: &Value) -> &str {
    value["status"].as_str().unwrap()
}

fn cancel(reason: &str, amount: Option<i64>) -> CancelRequest {
    CancelRequest {
        reason: reason.into(),
        amount,
        refundable_amount: None,
    }
}

#[test]
fn a_card_confirm_is_done_with_its_approval() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_1", 58_000, Method::Card);
    let (json, sent) = engine.confirm(&p.key, "HC-order_1", 58_000).unwrap();
    assert_eq!(status(&json), "DONE");
    assert_eq!(json["method"], "카드");
    assert_eq!(json["totalAmount"], 58_000);
    assert_eq!(json["balanceAmount"], 58_000);
    assert_eq!(json["vat"], 5_273);
    assert_eq!(json["suppliedAmount"], 58_000 - 5_273);
    assert_eq!(json["card"]["approveNo"], "00000000");
    assert!(json["approvedAt"].as_str().unwrap().ends_with("+09:00"));
    assert!(matches!(sent.as_slice(), [Outbound::StatusChanged(_)]));
}

#[test]
fn a_second_confirm_is_already_processed() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_2", 1_000, Method::Card);
    engine.confirm(&p.key, "HC-order_2", 1_000).unwrap();
    let (error, _) = engine.confirm(&p.key, "HC-order_2", 1_000).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (400, "ALREADY_PROCESSED_PAYMENT")
    );
}

#[test]
fn wrong_amount_key_or_order_are_refused_and_change_nothing() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_3", 1_000, Method::Card);
    assert_eq!(
        engine
            .confirm(&p.key, "HC-order_3", 999)
            .unwrap_err()
            .0
            .code,
        "INVALID_REQUEST"
    );
    assert_eq!(
        engine
            .confirm("nope", "HC-order_3", 1_000)
            .unwrap_err()
            .0
            .code,
        "NOT_FOUND_PAYMENT"
    );
    assert_eq!(
        engine
            .confirm(&p.key, "HC-other", 1_000)
            .unwrap_err()
            .0
            .code,
        "NOT_FOUND_PAYMENT_SESSION"
    );
    assert_eq!(status(&engine.snapshot(&p.key).unwrap()), "IN_PROGRESS");
}

#[test]
fn the_confirm_window_closes_after_ten_minutes() {
    let (engine, clock) = engine();
    let p = authorize(&engine, "HC-order_4", 1_000, Method::Card);
    clock.advance(Duration::minutes(10) + Duration::seconds(1));
    let (error, sent) = engine.confirm(&p.key, "HC-order_4", 1_000).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (404, "NOT_FOUND_PAYMENT_SESSION")
    );
    assert_eq!(sent.len(), 1, "PAYMENT_STATUS_CHANGED to EXPIRED");
    let json = engine.snapshot(&p.key).unwrap();
    assert_eq!(status(&json), "EXPIRED");
    assert_eq!(json["failure"]["code"], "EXPIRED_PAYMENT");
    assert!(json["method"].is_null());
}

#[test]
fn a_forced_rejection_aborts_the_payment() {
    let (engine, _) = engine();
    let p = engine
        .authorize(Authorization {
            order_id: "HC-order_5".into(),
            order_name: "x".into(),
            amount: 1_000,
            method: Method::Card,
            confirm_error: Some("REJECT_CARD_PAYMENT".into()),
        })
        .unwrap();
    let (error, sent) = engine.confirm(&p.key, "HC-order_5", 1_000).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (403, "REJECT_CARD_PAYMENT")
    );
    assert_eq!(sent.len(), 1);
    assert_eq!(status(&engine.snapshot(&p.key).unwrap()), "ABORTED");
}

#[test]
fn a_transient_forced_error_leaves_the_payment_confirmable() {
    let (engine, _) = engine();
    let p = engine
        .authorize(Authorization {
            order_id: "HC-order_6".into(),
            order_name: "x".into(),
            amount: 1_000,
            method: Method::Card,
            confirm_error: Some("PROVIDER_ERROR".into()),
        })
        .unwrap();
    assert_eq!(
        engine
            .confirm(&p.key, "HC-order_6", 1_000)
            .unwrap_err()
            .0
            .code,
        "PROVIDER_ERROR"
    );
    assert_eq!(
        status(&engine.confirm(&p.key, "HC-order_6", 1_000).unwrap().0),
        "DONE"
    );
}

#[test]
fn a_virtual_account_waits_for_its_deposit() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_7", 58_000, Method::VirtualAccount);
    let (json, sent) = engine.confirm(&p.key, "HC-order_7", 58_000).unwrap();
    assert_eq!(status(&json), "WAITING_FOR_DEPOSIT");
    assert!(json["virtualAccount"]["accountNumber"]
        .as_str()
        .unwrap()
        .starts_with('X'));
    assert!(json["approvedAt"].is_null());
    let issued = json["secret"].as_str().unwrap().to_owned();
    assert!(issued.starts_with("ps_") && issued.len() == 31);
    assert!(matches!(
        &sent[0],
        Outbound::DepositCallback {
            status: "WAITING_FOR_DEPOSIT",
            ..
        }
    ));
    let (json, sent) = engine.deposit(&p.key).unwrap();
    assert_eq!(status(&json), "DONE");
    assert!(
        matches!(&sent[0], Outbound::DepositCallback { status: "DONE", secret, .. } if *secret == issued)
    );
    assert!(engine.deposit(&p.key).is_err(), "no second deposit");
}

#[test]
fn a_partial_cancel_then_the_rest_leaves_partial_canceled_at_zero() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_8", 58_000, Method::Card);
    engine.confirm(&p.key, "HC-order_8", 58_000).unwrap();
    let (json, _) = engine
        .cancel(&p.key, &cancel("고객 변심", Some(8_000)))
        .unwrap();
    assert_eq!(status(&json), "PARTIAL_CANCELED");
    assert_eq!(json["balanceAmount"], 50_000);
    assert_eq!(json["cancels"][0]["refundableAmount"], 50_000);
    assert_eq!(json["vat"], 4_545);
    assert_eq!(
        engine
            .cancel(&p.key, &cancel("too much", Some(50_001)))
            .unwrap_err()
            .code,
        "NOT_CANCELABLE_AMOUNT"
    );
    let (json, _) = engine.cancel(&p.key, &cancel("나머지", None)).unwrap();
    assert_eq!(status(&json), "PARTIAL_CANCELED");
    assert_eq!(json["balanceAmount"], 0);
    assert_eq!(json["cancels"].as_array().unwrap().len(), 2);
    assert_ne!(
        json["cancels"][0]["transactionKey"],
        json["cancels"][1]["transactionKey"]
    );
    assert_eq!(
        json["lastTransactionKey"],
        json["cancels"][1]["transactionKey"]
    );
    let again = engine.cancel(&p.key, &cancel("again", None)).unwrap_err();
    assert_eq!(
        (again.status, again.code.as_str()),
        (403, "NOT_CANCELABLE_AMOUNT")
    );
}

#[test]
fn a_single_full_cancel_is_canceled_and_a_second_is_already_canceled() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_9", 10_000, Method::Card);
    engine.confirm(&p.key, "HC-order_9", 10_000).unwrap();
    let (json, _) = engine.cancel(&p.key, &cancel("전체 취소", None)).unwrap();
    assert_eq!(status(&json), "CANCELED");
    let again = engine.cancel(&p.key, &cancel("again", None)).unwrap_err();
    assert_eq!(
        (again.status, again.code.as_str()),
        (400, "ALREADY_CANCELED_PAYMENT")
    );
}

#[test]
fn cancel_checks_state_reason_amount_and_refundable_amount() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_10", 10_000, Method::Card);
    assert_eq!(
        engine.cancel(&p.key, &cancel("x", None)).unwrap_err().code,
        "NOT_CANCELABLE_PAYMENT"
    );
    engine.confirm(&p.key, "HC-order_10", 10_000).unwrap();
    assert_eq!(
        engine.cancel(&p.key, &cancel("", None)).unwrap_err().code,
        "INVALID_REQUEST"
    );
    assert_eq!(
        engine
            .cancel(&p.key, &cancel("x", Some(0)))
            .unwrap_err()
            .code,
        "INVALID_REQUEST"
    );
    let stale = CancelRequest {
        reason: "x".into(),
        amount: Some(1_000),
        refundable_amount: Some(9_000),
    };
    assert_eq!(
        engine.cancel(&p.key, &stale).unwrap_err().code,
        "NOT_MATCHES_REFUNDABLE_AMOUNT"
    );
    assert_eq!(
        engine.cancel("nope", &cancel("x", None)).unwrap_err().code,
        "NOT_FOUND_PAYMENT"
    );
}

#[test]
fn a_waiting_virtual_account_cancels_in_full_only() {
    let (engine, _) = engine();
    let p = authorize(&engine, "HC-order_11", 10_000, Method::VirtualAccount);
    engine.confirm(&p.key, "HC-order_11", 10_000).unwrap();
    assert_eq!(
        engine
            .cancel(&p.key, &cancel("x", Some(1_000)))
            .unwrap_err()
            .code,
        "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"
    );
    let (json, sent) = engine
        .cancel(&p.key, &cancel("입금 전 취소", None))
        .unwrap();
    assert_eq!(status(&json), "CANCELED");
    assert!(json["approvedAt"].is_null());
    assert_eq!(sent.len(), 2, "PAYMENT_STATUS_CHANGED and DEPOSIT_CALLBACK");
}

#[test]
fn a_paid_order_id_cannot_be_authorised_again_but_a_failed_one_can() {
    let (engine, _) = engine();
    let p = engine
        .authorize(Authorization {
            order_id: "HC-order_12".into(),
            order_name: "x".into(),
            amount: 1_000,
            method: Method::Card,
            confirm_error: Some("REJECT_CARD_COMPANY".into()),
        })
        .unwrap();
    assert!(engine.confirm(&p.key, "HC-order_12", 1_000).is_err());
    let retry = authorize(&engine, "HC-order_12", 1_000, Method::Card);
    engine.confirm(&retry.key, "HC-order_12", 1_000).unwrap();
    let (by_order, _) = engine.get_by_order("HC-order_12").unwrap();
    assert_eq!(
        by_order["paymentKey"],
        retry.key.as_str(),
        "the settled attempt"
    );
    let error = engine
        .authorize(Authorization {
            order_id: "HC-order_12".into(),
            order_name: "x".into(),
            amount: 1_000,
            method: Method::Card,
            confirm_error: None,
        })
        .unwrap_err();
    assert_eq!(error.code, "DUPLICATED_ORDER_ID");
}

#[test]
fn authorize_validates_its_input() {
    let (engine, _) = engine();
    for (order, name, amount) in [
        ("short", "x", 1),
        ("HC-order_13", "", 1),
        ("HC-order_13", "x", 0),
        ("HC order 13", "x", 1),
    ] {
        let result = engine.authorize(Authorization {
            order_id: order.into(),
            order_name: name.into(),
            amount,
            method: Method::Card,
            confirm_error: None,
        });
        assert_eq!(
            result.unwrap_err().code,
            "INVALID_REQUEST",
            "{order} {name} {amount}"
        );
    }
    assert_eq!(
        engine.get_by_order("HC-none-such").unwrap_err().code,
        "NOT_FOUND_PAYMENT"
    );
}
