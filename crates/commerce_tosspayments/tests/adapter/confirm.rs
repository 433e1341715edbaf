//! Confirm: each answer and each error class.

use commerce_domain::payment::PaymentMethod;
use commerce_domain::ports::{GatewayError, PaymentGateway};
use commerce_domain::provider::ProviderStatus;

use crate::support::{confirm_call, World};

#[tokio::test]
async fn a_card_confirm_is_done_and_mapped_to_the_domain() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_adapter001", 58_000, "CARD", None)
        .await;
    let payment = world
        .client
        .confirm(&confirm_call(
            &key,
            "HC-order_adapter001",
            58_000,
            "idem-a1",
        ))
        .await
        .unwrap();
    assert_eq!(payment.status, ProviderStatus::Done);
    assert_eq!(payment.payment_key, key);
    assert_eq!(payment.order_id.as_str(), "HC-order_adapter001");
    assert_eq!(payment.total_amount.won(), 58_000);
    assert_eq!(payment.balance_amount.won(), 58_000);
    assert_eq!(payment.method, Some(PaymentMethod::Card));
    assert!(payment.approved_at.is_some());
    assert_eq!(
        payment.raw["card"]["approveNo"], "00000000",
        "the raw JSON is kept"
    );
}

#[tokio::test]
async fn a_virtual_account_confirm_carries_the_account_and_its_secret() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_adapter002", 30_000, "VIRTUAL_ACCOUNT", None)
        .await;
    let payment = world
        .client
        .confirm(&confirm_call(
            &key,
            "HC-order_adapter002",
            30_000,
            "idem-a2",
        ))
        .await
        .unwrap();
    assert_eq!(payment.status, ProviderStatus::WaitingForDeposit);
    assert_eq!(payment.method, Some(PaymentMethod::VirtualAccount));
    let account = payment.virtual_account.unwrap();
    assert!(account.account_number.starts_with('X'));
    assert!(account.due_date.is_some());
    assert!(payment.secret.unwrap().starts_with("ps_"));
}

#[tokio::test]
async fn a_rejection_is_definite_with_toss_s_code_and_message() {
    let world = World::new().await;
    let key = world
        .authorize(
            "HC-order_adapter003",
            1_000,
            "CARD",
            Some("REJECT_CARD_PAYMENT"),
        )
        .await;
    let error = world
        .client
        .confirm(&confirm_call(&key, "HC-order_adapter003", 1_000, "idem-a3"))
        .await
        .unwrap_err();
    let GatewayError::Rejected(failure) = error else {
        panic!("expected a rejection, got {error:?}");
    };
    assert_eq!(failure.code, "REJECT_CARD_PAYMENT");
    assert_eq!(
        failure.message,
        "한도초과 혹은 잔액부족으로 결제에 실패했습니다."
    );
}

#[tokio::test]
async fn a_second_confirm_is_already_processed() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_adapter004", 1_000, "CARD", None)
        .await;
    world
        .client
        .confirm(&confirm_call(&key, "HC-order_adapter004", 1_000, "idem-a4"))
        .await
        .unwrap();
    let error = world
        .client
        .confirm(&confirm_call(
            &key,
            "HC-order_adapter004",
            1_000,
            "idem-a4-second",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, GatewayError::AlreadyProcessed(ref f) if f.code == "ALREADY_PROCESSED_PAYMENT")
    );
}

#[tokio::test]
async fn a_transient_provider_error_is_an_unknown_outcome() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_adapter005", 1_000, "CARD", Some("PROVIDER_ERROR"))
        .await;
    let error = world
        .client
        .confirm(&confirm_call(&key, "HC-order_adapter005", 1_000, "idem-a5"))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Unknown { .. }), "{error:?}");
}

#[tokio::test]
async fn a_closed_confirm_window_is_a_rejection_with_its_code() {
    let world = World::new().await;
    let key = world
        .authorize("HC-order_adapter006", 1_000, "CARD", None)
        .await;
    // Confirm for another order: the sandbox, like Toss, answers NOT_FOUND_PAYMENT_SESSION.
    let error = world
        .client
        .confirm(&confirm_call(&key, "HC-order_adapter999", 1_000, "idem-a6"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, GatewayError::Rejected(ref f) if f.code == "NOT_FOUND_PAYMENT_SESSION")
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_definitely() {
    let sandbox = tosspayments_sandbox::start(tosspayments_sandbox::SandboxConfig {
        secret_key: Some("test_gsk_the_right_one".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = commerce_tosspayments::TossClient::new(&commerce_tosspayments::TossConfig::new(
        sandbox.base_url(),
        commerce_tosspayments::SecretKey::new("test_gsk_the_wrong_one"),
    ))
    .unwrap();
    let key = commerce_domain::ids::PaymentKey::parse("tgen_any").unwrap();
    let error = client
        .confirm(&confirm_call(&key, "HC-order_adapter007", 1_000, "idem-a7"))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Rejected(ref f) if f.code == "UNAUTHORIZED_KEY"));
}
