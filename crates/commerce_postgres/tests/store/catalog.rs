//! Variant snapshots as the add-item path reads them (`CartStore::get_cart_and_variant`),
//! with exact availability.

use commerce_domain::ids::VariantId;
use diesel_async::RunQueryDsl;

use crate::support::World;

async fn sql(world: &World, statement: &str, variant: &VariantId) {
    let mut conn = world.db.conn().await;
    diesel::sql_query(statement)
        .bind::<diesel::sql_types::Text, _>(variant.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn availability_is_on_hand_minus_reserved() {
    let world = World::new().await;
    let variant = world.variant(29_000, 10).await;
    sql(
        &world,
        "UPDATE inventory_items SET reserved = 4 WHERE variant_id = $1",
        &variant,
    )
    .await;
    let snapshot = world.snapshot(&variant).await.unwrap().unwrap();
    assert_eq!(snapshot.available, Some(6));
    assert_eq!(snapshot.unit_price.won(), 29_000);
    assert!(snapshot.is_active);
}

#[tokio::test]
async fn untracked_or_backordered_stock_has_no_limit() {
    let world = World::new().await;
    let variant = world.variant(1_000, 0).await;
    sql(
        &world,
        "UPDATE inventory_items SET allow_backorder = true WHERE variant_id = $1",
        &variant,
    )
    .await;
    assert_eq!(
        world.snapshot(&variant).await.unwrap().unwrap().available,
        None
    );
    sql(
        &world,
        "UPDATE inventory_items SET allow_backorder = false, track_inventory = false WHERE variant_id = $1",
        &variant,
    )
    .await;
    assert_eq!(
        world.snapshot(&variant).await.unwrap().unwrap().available,
        None
    );
}

#[tokio::test]
async fn a_variant_of_an_archived_product_or_switched_off_is_not_for_sale() {
    let world = World::new().await;
    let variant = world.variant(1_000, 5).await;
    sql(
        &world,
        "UPDATE variants SET is_active = false WHERE id = $1",
        &variant,
    )
    .await;
    assert!(!world.snapshot(&variant).await.unwrap().unwrap().is_active);
    sql(
        &world,
        "UPDATE variants SET is_active = true WHERE id = $1",
        &variant,
    )
    .await;
    sql(
        &world,
        "UPDATE products SET status = 'archived' WHERE id = (SELECT product_id FROM variants WHERE id = $1)",
        &variant,
    )
    .await;
    assert!(!world.snapshot(&variant).await.unwrap().unwrap().is_active);
}

#[tokio::test]
async fn deleted_and_unknown_variants_are_none() {
    let world = World::new().await;
    let variant = world.variant(1_000, 5).await;
    sql(
        &world,
        "UPDATE variants SET deleted_at = now() WHERE id = $1",
        &variant,
    )
    .await;
    assert!(world.snapshot(&variant).await.unwrap().is_none());
    let unknown = VariantId::generate(world.ids.as_ref());
    assert!(world.snapshot(&unknown).await.unwrap().is_none());
}
