//! API keys over a mocked store.

use super::*;
use crate::testing::at;
use crate::usecases::test_support::Mocks;

fn request(kind: KeyKind, mode: Mode) -> NewKeyRequest {
    NewKeyRequest {
        name: "storefront".into(),
        kind,
        mode,
        expires_at: None,
    }
}

fn stored(kind: KeyKind, mode: Mode) -> (String, ApiKeyInfo) {
    let key = issue(
        kind,
        mode,
        "k".into(),
        None,
        &crate::testing::SequenceIds::default(),
        at(0),
    );
    (key.plaintext, key.info)
}

#[tokio::test]
async fn create_stores_only_the_hash_and_returns_the_key_once() {
    let mut mocks = Mocks::default();
    mocks
        .api_keys
        .expect_insert_key()
        .withf(|info, hash| hash.len() == 64 && info.key_prefix.starts_with("sk_test_"))
        .times(1)
        .returning(|_, _| Ok(()));
    let key = ApiKeyService::new(mocks.ports_at(0))
        .create(request(KeyKind::Secret, Mode::Test))
        .await
        .unwrap();
    assert!(key.plaintext.starts_with("sk_test_"));
    assert_eq!(key.hash, hash_key(&key.plaintext));
}

#[tokio::test]
async fn create_refuses_a_blank_name_or_a_past_expiry() {
    let service = ApiKeyService::new(Mocks::default().ports_at(100));
    let blank = NewKeyRequest {
        name: " ".into(),
        ..request(KeyKind::Secret, Mode::Test)
    };
    assert_eq!(
        service.create(blank).await.unwrap_err().code(),
        "invalid_request"
    );
    let past = NewKeyRequest {
        expires_at: Some(at(50)),
        ..request(KeyKind::Secret, Mode::Test)
    };
    assert_eq!(
        service.create(past).await.unwrap_err().code(),
        "invalid_request"
    );
}

#[tokio::test]
async fn a_known_usable_key_of_the_server_s_mode_authenticates_and_is_touched() {
    let (plaintext, info) = stored(KeyKind::Publishable, Mode::Test);
    let mut mocks = Mocks::default();
    let found = info.clone();
    let expected = hash_key(&plaintext);
    mocks
        .api_keys
        .expect_find_key_by_hash()
        .withf(move |hash| *hash == expected)
        .returning(move |_| Ok(Some(found.clone())));
    mocks
        .api_keys
        .expect_touch_key()
        .times(1)
        .returning(|_, _| Ok(()));
    let principal = ApiKeyService::new(mocks.ports_at(10))
        .authenticate(Some(&plaintext), Mode::Test)
        .await
        .unwrap();
    assert_eq!(principal.key.id, info.id);
    assert!(matches!(
        principal.require_secret(),
        Err(AuthError::Forbidden)
    ));
}

#[tokio::test]
async fn missing_malformed_unknown_revoked_and_other_mode_keys_are_refused() {
    let service = |found: Option<ApiKeyInfo>| {
        let mut mocks = Mocks::default();
        mocks
            .api_keys
            .expect_find_key_by_hash()
            .returning(move |_| Ok(found.clone()));
        ApiKeyService::new(mocks.ports_at(10))
    };
    let code = |r: Result<Principal, AuthError>| r.unwrap_err().code();
    assert_eq!(
        code(service(None).authenticate(None, Mode::Test).await),
        "missing_api_key"
    );
    assert_eq!(
        code(service(None).authenticate(Some("Bearer"), Mode::Test).await),
        "invalid_api_key"
    );
    let (raw, info) = stored(KeyKind::Secret, Mode::Test);
    assert_eq!(
        code(service(None).authenticate(Some(&raw), Mode::Test).await),
        "invalid_api_key"
    );
    let mut revoked = info.clone();
    revoked.revoked_at = Some(at(5));
    assert_eq!(
        code(
            service(Some(revoked))
                .authenticate(Some(&raw), Mode::Test)
                .await
        ),
        "invalid_api_key"
    );
    assert_eq!(
        code(
            service(Some(info))
                .authenticate(Some(&raw), Mode::Live)
                .await
        ),
        "api_key_mode_mismatch"
    );
}

#[tokio::test]
async fn rotation_needs_a_usable_key() {
    let (_, info) = stored(KeyKind::Secret, Mode::Test);
    let mut mocks = Mocks::default();
    let listed = info.clone();
    mocks
        .api_keys
        .expect_list_keys()
        .returning(move || Ok(vec![listed.clone()]));
    let replaced = info.clone();
    mocks
        .api_keys
        .expect_replace_key_secret()
        .times(1)
        .returning(move |_, _, _| Ok(Some(replaced.clone())));
    let service = ApiKeyService::new(mocks.ports_at(10));
    let (rotated, key) = service.rotate(&info.id).await.unwrap();
    assert_eq!(rotated.id, info.id);
    assert!(key.starts_with("sk_test_"));
    let missing = ApiKeyId::generate(&crate::testing::SequenceIds::starting_at(77));
    assert_eq!(
        service.rotate(&missing).await.unwrap_err().code(),
        "resource_not_found"
    );
}

#[tokio::test]
async fn a_key_is_read_once_while_remembered_and_again_after_a_revocation() {
    let (plaintext, info) = stored(KeyKind::Secret, Mode::Test);
    let mut mocks = Mocks::default();
    let found = info.clone();
    mocks
        .api_keys
        .expect_find_key_by_hash()
        .times(2)
        .returning(move |_| Ok(Some(found.clone())));
    mocks
        .api_keys
        .expect_touch_key()
        .times(2)
        .returning(|_, _| Ok(()));
    let revoked = info.clone();
    mocks
        .api_keys
        .expect_revoke_key()
        .times(1)
        .returning(move |_, _| Ok(Some(revoked.clone())));
    let service = ApiKeyService::new(mocks.ports_at(10));
    for _ in 0..3 {
        service
            .authenticate(Some(&plaintext), Mode::Test)
            .await
            .unwrap();
    }
    service.revoke(&info.id).await.unwrap();
    service
        .authenticate(Some(&plaintext), Mode::Test)
        .await
        .unwrap();
}

#[tokio::test]
async fn services_sharing_a_cache_see_one_another_s_revocation_at_once() {
    let (plaintext, info) = stored(KeyKind::Secret, Mode::Test);
    let mut mocks = Mocks::default();
    // The store answers the key as usable, then (after the revocation) as revoked.
    let mut after = info.clone();
    after.revoked_at = Some(at(5));
    let answers = std::sync::Mutex::new(vec![after, info.clone()]);
    mocks
        .api_keys
        .expect_find_key_by_hash()
        .times(2)
        .returning(move |_| Ok(answers.lock().unwrap().pop()));
    mocks.api_keys.expect_touch_key().returning(|_, _| Ok(()));
    let revoked = info.clone();
    mocks
        .api_keys
        .expect_revoke_key()
        .times(1)
        .returning(move |_, _| Ok(Some(revoked.clone())));
    // Two HTTP workers of one process: separate services, one cache.
    let ports = mocks.ports_at(10);
    let cache = std::sync::Arc::new(KeyCache::default());
    let first = ApiKeyService::with_cache(ports.clone(), cache.clone());
    let second = ApiKeyService::with_cache(ports, cache);

    first
        .authenticate(Some(&plaintext), Mode::Test)
        .await
        .unwrap();
    second
        .authenticate(Some(&plaintext), Mode::Test)
        .await
        .unwrap();
    second.revoke(&info.id).await.unwrap();
    assert!(
        first
            .authenticate(Some(&plaintext), Mode::Test)
            .await
            .is_err(),
        "the revocation through the second cleared the first's memory too"
    );
}
