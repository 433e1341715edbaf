//! The admin catalog store: products, variants, inventory, and product lists.

use commerce_domain::catalog::{
    InventoryAdjustment, NewProduct, NewVariant, PageRequest, ProductPatch, ProductStatus,
    VariantPatch,
};
use commerce_domain::error::ErrorCode;
use commerce_domain::ports::{CatalogAdminStore, ProductQuery, ProductSort, StoreError};
use commerce_domain::usecases::CatalogService;

use crate::support::World;

fn product(name: &str, slug: &str) -> NewProduct {
    NewProduct {
        name: name.into(),
        slug: slug.into(),
        ..NewProduct::default()
    }
}

fn query(page: PageRequest) -> ProductQuery {
    ProductQuery {
        q: None,
        status: None,
        sort: ProductSort::CreatedAt,
        descending: false,
        with_total: true,
        page,
    }
}

#[tokio::test]
async fn products_and_variants_round_trip_with_their_stock() {
    let world = World::new().await;
    let catalog = CatalogService::new(world.ports());
    let created = catalog
        .create_product(product("Classic T-Shirt", "classic-t-shirt"))
        .await
        .unwrap();
    let id = created.product.id.clone();
    let variant = catalog
        .create_variant(
            &id,
            NewVariant {
                name: Some("M / Black".into()),
                sku: Some("TS-M-BLK".into()),
                price: 29_000,
                ..NewVariant::default()
            },
        )
        .await
        .unwrap();
    let read = catalog.product(&id).await.unwrap();
    assert_eq!(read.product, created.product);
    assert_eq!(read.variants, vec![variant.clone()]);
    assert_eq!(read.price().map(|p| p.won()), Some(29_000));
    let by_slug = world
        .store
        .get_product_by_slug("classic-t-shirt")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_slug.product.id, id);
    // The cart's view agrees: tracked stock starts at zero.
    let snapshot = world.snapshot(&variant.id).await.unwrap().unwrap();
    assert_eq!(snapshot.available, Some(0));
}

#[tokio::test]
async fn slugs_and_skus_are_unique_among_live_records() {
    let world = World::new().await;
    let catalog = CatalogService::new(world.ports());
    let first = catalog.create_product(product("A", "same")).await.unwrap();
    let err = catalog
        .create_product(product("B", "same"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "slug_taken");
    let second = catalog.create_product(product("B", "other")).await.unwrap();
    let err = catalog
        .update_product(
            &second.product.id,
            ProductPatch {
                slug: Some("same".into()),
                ..ProductPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "slug_taken");
    let sku = |s: &str| NewVariant {
        sku: Some(s.into()),
        price: 1,
        ..NewVariant::default()
    };
    catalog
        .create_variant(&first.product.id, sku("SKU-1"))
        .await
        .unwrap();
    assert_eq!(
        catalog
            .create_variant(&second.product.id, sku("SKU-1"))
            .await
            .unwrap_err()
            .code(),
        "sku_taken"
    );
    // Once the first product is deleted, its slug and SKU are free again.
    catalog.delete_product(&first.product.id).await.unwrap();
    catalog.create_product(product("C", "same")).await.unwrap();
    catalog
        .create_variant(&second.product.id, sku("SKU-1"))
        .await
        .unwrap();
    assert_eq!(
        catalog.product(&first.product.id).await.unwrap_err().code(),
        "product_not_found"
    );
    assert_eq!(
        catalog
            .delete_product(&first.product.id)
            .await
            .unwrap_err()
            .code(),
        "product_not_found"
    );
}

#[tokio::test]
async fn a_variant_of_a_missing_product_is_refused() {
    let world = World::new().await;
    let missing = commerce_domain::ids::ProductId::generate(world.ids.as_ref());
    let err = CatalogService::new(world.ports())
        .create_variant(
            &missing,
            NewVariant {
                price: 1,
                ..NewVariant::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "product_not_found");
}

#[tokio::test]
async fn lists_paginate_by_cursor_filter_and_count() {
    let world = World::new().await;
    let catalog = CatalogService::new(world.ports());
    for n in 0..5 {
        let status = if n == 4 { Some("draft".into()) } else { None };
        catalog
            .create_product(NewProduct {
                status,
                ..product(&format!("셔츠 {n}"), &format!("shirt-{n}"))
            })
            .await
            .unwrap();
    }
    let first = world
        .store
        .list_products(&query(PageRequest::new(Some(2), None).unwrap()))
        .await
        .unwrap();
    assert_eq!(
        (first.items.len(), first.has_more, first.total_count),
        (2, true, Some(5))
    );
    let mut seen: Vec<String> = first.items.iter().map(|d| d.product.slug.clone()).collect();
    let mut cursor = first.items.last().map(|d| d.product.id.to_string());
    loop {
        let page = world
            .store
            .list_products(&query(PageRequest::new(Some(2), cursor.clone()).unwrap()))
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|d| d.product.slug.clone()));
        if !page.has_more {
            break;
        }
        cursor = page.items.last().map(|d| d.product.id.to_string());
    }
    seen.sort();
    assert_eq!(
        seen,
        vec!["shirt-0", "shirt-1", "shirt-2", "shirt-3", "shirt-4"]
    );

    let active = world
        .store
        .list_products(&ProductQuery {
            status: Some(ProductStatus::Active),
            ..query(PageRequest::new(None, None).unwrap())
        })
        .await
        .unwrap();
    assert_eq!(active.total_count, Some(4));
    let found = world
        .store
        .list_products(&ProductQuery {
            q: Some("셔츠 3".into()),
            ..query(PageRequest::new(None, None).unwrap())
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    let wild = world
        .store
        .list_products(&ProductQuery {
            q: Some("%".into()),
            ..query(PageRequest::new(None, None).unwrap())
        })
        .await
        .unwrap();
    assert!(wild.items.is_empty(), "% is matched literally");
    let by_name = world
        .store
        .list_products(&ProductQuery {
            sort: ProductSort::Name,
            descending: true,
            ..query(PageRequest::new(Some(1), None).unwrap())
        })
        .await
        .unwrap();
    assert_eq!(by_name.items[0].product.name, "셔츠 4");
}

#[tokio::test]
async fn inventory_adjusts_never_below_reserved_and_lists_low_stock() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 4)]).await;
    world
        .checkout()
        .checkout(crate::support::checkout_request(&cart))
        .await
        .unwrap();
    let catalog = CatalogService::new(world.ports());
    let items = catalog
        .inventory(false, PageRequest::new(None, None).unwrap())
        .await
        .unwrap();
    let item = items
        .items
        .iter()
        .find(|i| i.variant_id == variant)
        .unwrap()
        .clone();
    assert_eq!((item.on_hand, item.reserved, item.available()), (10, 4, 6));

    let err = catalog
        .adjust_inventory(&item.id, InventoryAdjustment::new(-7, None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "inventory_below_reserved");
    let adjusted = catalog
        .adjust_inventory(
            &item.id,
            InventoryAdjustment::new(-6, Some("파손".into())).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((adjusted.on_hand, adjusted.reserved), (4, 4));
    assert_eq!(world.db.stock(&variant).await, (4, 4));

    catalog
        .update_inventory(
            &item.id,
            commerce_domain::catalog::InventoryPatch {
                safety_stock: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let low = catalog
        .inventory(true, PageRequest::new(None, None).unwrap())
        .await
        .unwrap();
    assert_eq!(
        low.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![item.id.clone()]
    );
}

#[tokio::test]
async fn a_stale_inventory_write_is_a_conflict() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let catalog = CatalogService::new(world.ports());
    let item = catalog
        .inventory(false, PageRequest::new(None, None).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.variant_id == variant)
        .unwrap();
    let mut first = item.clone();
    first.on_hand = 20;
    world.store.save_inventory(&first).await.unwrap();
    assert!(matches!(
        world.store.save_inventory(&item).await,
        Err(StoreError::Conflict)
    ));
}

#[tokio::test]
async fn variants_update_and_delete_softly() {
    let world = World::new().await;
    let catalog = CatalogService::new(world.ports());
    let p = catalog.create_product(product("X", "x")).await.unwrap();
    let v = catalog
        .create_variant(
            &p.product.id,
            NewVariant {
                price: 100,
                ..NewVariant::default()
            },
        )
        .await
        .unwrap();
    let updated = catalog
        .update_variant(
            &v.id,
            VariantPatch {
                price: Some(200),
                is_active: Some(false),
                ..VariantPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((updated.price.won(), updated.is_active), (200, false));
    assert_eq!(
        catalog.variants(&p.product.id).await.unwrap(),
        vec![updated]
    );
    catalog.delete_variant(&v.id).await.unwrap();
    assert!(catalog.variants(&p.product.id).await.unwrap().is_empty());
    assert_eq!(
        catalog.delete_variant(&v.id).await.unwrap_err().code(),
        "variant_not_found"
    );
    assert!(world.snapshot(&v.id).await.unwrap().is_none());
}
