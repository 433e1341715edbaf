//! `CartStore`: insert, read with variant snapshots, find by session, version-checked saves.

use commerce_domain::cart::{Cart, CartStatus};
use commerce_domain::ids::{CartId, CartItemId, SessionId};
use commerce_domain::ports::{CartStore, StoreError};
use commerce_domain::quantity::Quantity;
use commerce_domain::testing::{at, seed_address};
use commerce_domain::Metadata;
use serde_json::json;

use crate::support::World;

#[tokio::test]
async fn a_cart_and_the_variant_to_add_read_together() {
    let world = World::new().await;
    let in_cart = world.variant(29_000, 10).await;
    let to_add = world.variant(15_000, 3).await;
    let cart = world.cart_with(&[(&in_cart, 2)]).await;
    let (read, variant) = world
        .store
        .get_cart_and_variant(&cart, &to_add)
        .await
        .unwrap();
    let read = read.unwrap();
    assert_eq!(read.items.len(), 1);
    assert_eq!(read.items[0].variant.variant_id, in_cart);
    let variant = variant.unwrap();
    assert_eq!(variant.variant_id, to_add);
    assert_eq!(variant.unit_price.won(), 15_000);
    assert_eq!(variant.available, Some(3));
    let unknown = commerce_domain::ids::VariantId::generate(world.ids.as_ref());
    let (read, variant) = world
        .store
        .get_cart_and_variant(&cart, &unknown)
        .await
        .unwrap();
    assert!(read.is_some());
    assert!(variant.is_none());
}

#[tokio::test]
async fn a_cart_reads_back_with_its_lines_and_their_variants() {
    let world = World::new().await;
    let variant = world.variant(29_000, 10).await;
    let cart = world.cart_with(&[(&variant, 2)]).await;
    let read = world.store.get_cart(&cart).await.unwrap().unwrap();
    assert_eq!(read.status, CartStatus::Active);
    assert_eq!(read.items.len(), 1);
    let item = &read.items[0];
    assert_eq!(item.variant.variant_id, variant);
    assert_eq!(item.variant.product_name, "Classic T-Shirt");
    assert_eq!(item.variant.variant_name.as_deref(), Some("M / Black"));
    assert_eq!(item.variant.unit_price.won(), 29_000);
    assert_eq!(item.variant.available, Some(10));
    assert!(item.variant.is_active);
    assert_eq!(item.quantity.get(), 2);
    assert_eq!(read.version, 1, "one save after the insert");
    assert_eq!(read.summary().unwrap().total.won(), 58_000);
}

#[tokio::test]
async fn a_missing_cart_is_none() {
    let world = World::new().await;
    let id = CartId::generate(world.ids.as_ref());
    assert!(world.store.get_cart(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn details_and_metadata_round_trip() {
    let world = World::new().await;
    let mut metadata = Metadata::new();
    metadata.insert("gift".into(), json!({"wrap": true, "note": "생일 축하해"}));
    let cart = world
        .carts()
        .create(Some(SessionId::parse("sess-1").unwrap()), metadata.clone())
        .await
        .unwrap();
    world
        .carts()
        .update(&cart.id, Some(seed_address()), None, None)
        .await
        .unwrap();
    let read = world.store.get_cart(&cart.id).await.unwrap().unwrap();
    assert_eq!(read.metadata, metadata);
    assert_eq!(read.shipping_address, Some(seed_address()));
    assert_eq!(read.billing_address, None);
    assert_eq!(
        read.session_id.as_ref().map(SessionId::as_str),
        Some("sess-1")
    );
}

#[tokio::test]
async fn the_newest_active_cart_of_a_session_is_found() {
    let world = World::new().await;
    let session = SessionId::parse("sess-find").unwrap();
    let store = &world.store;
    let older = Cart::new(
        CartId::generate(world.ids.as_ref()),
        Some(session.clone()),
        Metadata::new(),
        at(0),
    );
    let newer = Cart::new(
        CartId::generate(world.ids.as_ref()),
        Some(session.clone()),
        Metadata::new(),
        at(10),
    );
    store.insert_cart(&older).await.unwrap();
    store.insert_cart(&newer).await.unwrap();
    let found = store.find_active_cart_by_session(&session).await.unwrap();
    assert_eq!(found.map(|c| c.id.clone()), Some(newer.id.clone()));

    // Once the newer one is checked out, the older active one is found.
    let mut conn = world.db.conn().await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query("UPDATE carts SET status = 'completed', order_id = 'order_x' WHERE id = $1")
        .bind::<diesel::sql_types::Text, _>(newer.id.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    let found = store.find_active_cart_by_session(&session).await.unwrap();
    assert_eq!(found.map(|c| c.id.clone()), Some(older.id.clone()));
    let nobody = SessionId::parse("nobody").unwrap();
    assert!(store
        .find_active_cart_by_session(&nobody)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_save_over_a_stale_version_is_a_conflict_and_changes_nothing() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart_id = world.cart_with(&[(&variant, 1)]).await;
    let read = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let mut first = read.clone();
    let mut second = read.clone();
    first
        .set_quantity(&read.items[0].id, Quantity::new(3).unwrap(), at(1))
        .unwrap();
    second.remove_item(&read.items[0].id, at(1)).unwrap();
    world.store.save_cart(&first).await.unwrap();
    assert!(matches!(
        world.store.save_cart(&second).await,
        Err(StoreError::Conflict)
    ));
    let now = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    assert_eq!(now.items.len(), 1);
    assert_eq!(now.items[0].quantity.get(), 3);
    assert_eq!(now.version, read.version + 1);
}

#[tokio::test]
async fn saving_replaces_the_lines_in_order() {
    let world = World::new().await;
    let a = world.variant(1_000, 10).await;
    let b = world.variant(2_000, 10).await;
    let cart_id = world.cart_with(&[(&a, 1), (&b, 2)]).await;
    let mut cart = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let first = cart.items[0].id.clone();
    cart.remove_item(&first, at(5)).unwrap();
    world.store.save_cart(&cart).await.unwrap();
    let read = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let variants: Vec<_> = read
        .items
        .iter()
        .map(|i| i.variant.variant_id.clone())
        .collect();
    assert_eq!(variants, vec![b]);
    assert!(read
        .items
        .iter()
        .all(|i| i.id != CartItemId::parse(first.as_str()).unwrap()));
}

/// The transaction id that last wrote each line of a cart, by line id.
async fn line_writers(world: &World, cart: &CartId) -> Vec<(String, String)> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Writer {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        xmin: String,
    }
    let mut conn = world.db.conn().await;
    let rows: Vec<Writer> = diesel::sql_query(
        "SELECT id, xmin::text AS xmin FROM cart_items WHERE cart_id = $1 ORDER BY position",
    )
    .bind::<diesel::sql_types::Text, _>(cart.as_str())
    .load(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|w| (w.id, w.xmin)).collect()
}

#[tokio::test]
async fn adding_a_line_leaves_the_unchanged_lines_unwritten() {
    let world = World::new().await;
    let a = world.variant(1_000, 10).await;
    let b = world.variant(2_000, 10).await;
    let cart_id = world.cart_with(&[(&a, 1)]).await;
    let before = line_writers(&world, &cart_id).await;
    world
        .carts()
        .add_item(&cart_id, &b, Quantity::new(2).unwrap(), None)
        .await
        .unwrap();
    let after = line_writers(&world, &cart_id).await;
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], before[0], "the first line was not rewritten");
    // A changed quantity is written in place, under the same line id.
    let mut cart = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let second = cart.items[1].id.clone();
    cart.set_quantity(&second, Quantity::new(5).unwrap(), at(9))
        .unwrap();
    world.store.save_cart(&cart).await.unwrap();
    let read = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    assert_eq!(read.items[1].id, second);
    assert_eq!(read.items[1].quantity.get(), 5);
    assert_eq!(line_writers(&world, &cart_id).await[0], before[0]);
}

#[tokio::test]
async fn a_line_removed_then_its_variant_added_again_round_trips() {
    let world = World::new().await;
    let a = world.variant(1_000, 10).await;
    let b = world.variant(2_000, 10).await;
    let cart_id = world.cart_with(&[(&a, 1), (&b, 1)]).await;
    let mut cart = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let first = cart.items[0].id.clone();
    cart.remove_item(&first, at(5)).unwrap();
    world.store.save_cart(&cart).await.unwrap();
    world
        .carts()
        .add_item(&cart_id, &a, Quantity::new(3).unwrap(), None)
        .await
        .unwrap();
    let read = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    let lines: Vec<_> = read
        .items
        .iter()
        .map(|i| (i.variant.variant_id.clone(), i.quantity.get()))
        .collect();
    assert_eq!(lines, vec![(b, 1), (a, 3)]);
    assert_eq!(
        read.version, 4,
        "insert, two adds, a removal, an add: 4 saves"
    );
}

#[tokio::test]
async fn a_checked_out_cart_cannot_be_saved_and_keeps_its_lines() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart_id = world.cart_with(&[(&variant, 1)]).await;
    let stale = world.store.get_cart(&cart_id).await.unwrap().unwrap();
    world
        .checkout()
        .checkout(crate::support::checkout_request(&cart_id))
        .await
        .unwrap();
    let mut emptied = stale.clone();
    emptied.remove_item(&stale.items[0].id, at(7)).unwrap();
    // Over the version the checkout left: only the cart's status refuses the save.
    let mut data = (*emptied).clone();
    data.version = stale.version + 1;
    let forced = Cart::restore(data);
    assert!(matches!(
        world.store.save_cart(&forced).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        world
            .store
            .get_cart(&cart_id)
            .await
            .unwrap()
            .unwrap()
            .items
            .len(),
        1
    );
}
