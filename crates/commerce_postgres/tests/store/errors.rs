//! Database trouble becomes the domain's errors, never a panic.

use std::time::Duration;

use commerce_domain::ids::CartId;
use commerce_domain::ports::{CartStore, StoreError};
use commerce_domain::testing::SequenceIds;
use commerce_postgres::{PgConfig, PgStore};

#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    let mut config = PgConfig::new("postgres://postgres@127.0.0.1:1/nowhere");
    config.wait_timeout = Duration::from_millis(500);
    config.create_timeout = Duration::from_millis(500);
    let store = PgStore::connect(&config).unwrap();
    let id = CartId::generate(&SequenceIds::default());
    let err = store.get_cart(&id).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(store.ready().await.is_err());
}

#[tokio::test]
async fn an_exhausted_pool_is_unavailable() {
    let db = commerce_postgres::testing::TestDb::new().await;
    let mut config = PgConfig::new(db.url());
    config.max_size = 1;
    config.wait_timeout = Duration::from_millis(200);
    let store = PgStore::connect(&config).unwrap();
    let holder = store.clone();
    let id = CartId::generate(&SequenceIds::default());
    // Hold the only connection in a long statement while another request waits for one.
    let hold = tokio::spawn(async move { holder.hold_connection(Duration::from_secs(2)).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = store.get_cart(&id).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    hold.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_freed_connection_goes_to_the_request_that_arrived_first() {
    let db = commerce_postgres::testing::TestDb::new().await;
    let mut config = PgConfig::new(db.url());
    config.max_size = 1;
    let store = PgStore::connect(&config).unwrap();
    let holder = store.clone();
    let hold =
        tokio::spawn(async move { holder.hold_connection(Duration::from_millis(400)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let served = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let now = std::time::Instant::now();
    let mut waiting = Vec::new();
    // The request that arrived later asks first; the earlier one must still be served first.
    for (name, arrived) in [("later", now), ("earlier", now - Duration::from_secs(1))] {
        let (store, served) = (store.clone(), served.clone());
        waiting.push(tokio::spawn(commerce_postgres::as_request(
            arrived,
            async move {
                let id = CartId::generate(&SequenceIds::default());
                store.get_cart(&id).await.unwrap();
                served.lock().unwrap().push(name);
            },
        )));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    hold.await.unwrap().unwrap();
    for task in waiting {
        task.await.unwrap();
    }
    assert_eq!(*served.lock().unwrap(), ["earlier", "later"]);
}
