//! API keys and idempotency records.

use chrono::Duration;
use commerce_domain::apikey::{hash_key, issue, KeyKind, Mode};
use commerce_domain::ports::{ApiKeyStore, IdempotencyBegin, IdempotencyStore, StoredResponse};
use commerce_domain::testing::at;

use crate::support::World;

#[tokio::test]
async fn keys_are_found_by_hash_listed_revoked_and_rotated() {
    let world = World::new().await;
    let key = issue(
        KeyKind::Secret,
        Mode::Test,
        "admin".into(),
        None,
        world.ids.as_ref(),
        at(0),
    );
    world.store.insert_key(&key.info, &key.hash).await.unwrap();
    let found = world
        .store
        .find_key_by_hash(&hash_key(&key.plaintext))
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&key.info));
    assert!(world
        .store
        .find_key_by_hash(&hash_key("sk_test_other"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        world.store.list_keys().await.unwrap(),
        vec![key.info.clone()]
    );

    world.store.touch_key(&key.info.id, at(100)).await.unwrap();
    world.store.touch_key(&key.info.id, at(110)).await.unwrap();
    let touched = world
        .store
        .find_key_by_hash(&key.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(touched.last_used_at, Some(at(100)), "at most once a minute");

    let rotated = issue(
        KeyKind::Secret,
        Mode::Test,
        "admin".into(),
        None,
        world.ids.as_ref(),
        at(0),
    );
    let replaced = world
        .store
        .replace_key_secret(&key.info.id, &rotated.info.key_prefix, &rotated.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(replaced.id, key.info.id);
    assert!(
        world
            .store
            .find_key_by_hash(&key.hash)
            .await
            .unwrap()
            .is_none(),
        "old secret gone"
    );
    assert!(world
        .store
        .find_key_by_hash(&rotated.hash)
        .await
        .unwrap()
        .is_some());

    let revoked = world
        .store
        .revoke_key(&key.info.id, at(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at(200)));
    let again = world
        .store
        .revoke_key(&key.info.id, at(300))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(at(200)),
        "revoking twice keeps the first time"
    );
    assert!(world
        .store
        .replace_key_secret(&key.info.id, "x", "y")
        .await
        .unwrap()
        .is_none());
    let missing = commerce_domain::ids::ApiKeyId::generate(world.ids.as_ref());
    assert!(world
        .store
        .revoke_key(&missing, at(1))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_idempotency_key_runs_once_then_replays_and_refuses_other_requests() {
    let world = World::new().await;
    let store = &world.store;
    let lock = Duration::seconds(30);
    assert_eq!(
        store
            .begin("key_a", "k1", "hash-1", at(0), lock)
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    assert_eq!(
        store
            .begin("key_a", "k1", "hash-1", at(1), lock)
            .await
            .unwrap(),
        IdempotencyBegin::InFlight
    );
    let response = StoredResponse {
        status: 201,
        body: br#"{"id":"cart_1"}"#.to_vec(),
    };
    store.complete("key_a", "k1", &response).await.unwrap();
    assert_eq!(
        store
            .begin("key_a", "k1", "hash-1", at(2), lock)
            .await
            .unwrap(),
        IdempotencyBegin::Replay(response)
    );
    assert_eq!(
        store
            .begin("key_a", "k1", "hash-2", at(3), lock)
            .await
            .unwrap(),
        IdempotencyBegin::Mismatch
    );
    assert_eq!(
        store
            .begin("key_b", "k1", "hash-2", at(3), lock)
            .await
            .unwrap(),
        IdempotencyBegin::Started,
        "keys are scoped per API key"
    );
}

#[tokio::test]
async fn an_abandoned_or_dead_claim_can_be_taken_over() {
    let world = World::new().await;
    let store = &world.store;
    let lock = Duration::seconds(30);
    assert_eq!(
        store.begin("s", "k", "h", at(0), lock).await.unwrap(),
        IdempotencyBegin::Started
    );
    store.abandon("s", "k").await.unwrap();
    assert_eq!(
        store.begin("s", "k", "h", at(1), lock).await.unwrap(),
        IdempotencyBegin::Started
    );
    // The process holding it died: after its lock runs out, another may run it.
    assert_eq!(
        store.begin("s", "k", "h", at(31), lock).await.unwrap(),
        IdempotencyBegin::Started
    );
    // Completed responses are kept for a day.
    store
        .complete(
            "s",
            "k",
            &StoredResponse {
                status: 200,
                body: Vec::new(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store.begin("s", "k", "h", at(86_000), lock).await.unwrap(),
        IdempotencyBegin::Replay(_)
    ));
    assert_eq!(
        store.begin("s", "k", "h2", at(86_500), lock).await.unwrap(),
        IdempotencyBegin::Started
    );
}
