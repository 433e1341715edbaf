//! The embedded migrations apply, revert and apply again.

use commerce_postgres::testing::{revert_all, table_names, TestDb};
use commerce_postgres::{migration_count, run_migrations};

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let db = TestDb::new().await;
    let tables = table_names(db.url()).await;
    for expected in [
        "products",
        "variants",
        "inventory_items",
        "carts",
        "cart_items",
        "orders",
        "order_lines",
        "payments",
        "refunds",
        "events",
        "webhook_endpoints",
        "webhook_deliveries",
        "webhook_delivery_attempts",
        "inbound_webhooks",
        "api_keys",
        "idempotency_keys",
    ] {
        assert!(tables.contains(&expected.to_owned()), "{expected} missing");
    }

    assert_eq!(revert_all(db.url()).await, migration_count());
    let after_down = table_names(db.url()).await;
    assert_eq!(after_down, vec!["__diesel_schema_migrations".to_owned()]);

    assert_eq!(run_migrations(db.url()).await.unwrap(), migration_count());
    assert_eq!(table_names(db.url()).await, tables);
    assert_eq!(
        run_migrations(db.url()).await.unwrap(),
        0,
        "nothing left to apply"
    );
}

#[tokio::test]
async fn a_migrated_database_reports_ready() {
    let db = TestDb::new().await;
    assert!(db.store().ready().await.unwrap());
}
