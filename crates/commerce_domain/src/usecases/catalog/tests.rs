//! Catalog use cases over a mocked store.

use super::*;
use crate::testing::{at, SequenceIds};
use crate::usecases::test_support::Mocks;

fn item(on_hand: i64, reserved: i64, version: i64) -> InventoryItem {
    let ids = SequenceIds::default();
    InventoryItem {
        id: InventoryItemId::generate(&ids),
        variant_id: VariantId::generate(&ids),
        sku: None,
        track_inventory: true,
        allow_backorder: false,
        safety_stock: 0,
        on_hand,
        reserved,
        version,
    }
}

fn product(status: ProductStatus) -> ProductDetails {
    let mut product = Product::create(
        ProductId::generate(&SequenceIds::default()),
        NewProduct {
            name: "Classic T-Shirt".into(),
            slug: "classic-t-shirt".into(),
            ..NewProduct::default()
        },
        at(0),
    )
    .unwrap();
    product.status = status;
    ProductDetails {
        product,
        variants: Vec::new(),
    }
}

#[tokio::test]
async fn a_taken_slug_is_reported_as_such() {
    let mut mocks = Mocks::default();
    mocks
        .catalog_admin
        .expect_insert_product()
        .returning(|_| Err(CatalogWriteError::SlugTaken));
    let err = CatalogService::new(mocks.ports_at(0))
        .create_product(NewProduct {
            name: "x".into(),
            slug: "x".into(),
            ..NewProduct::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "slug_taken");
}

#[tokio::test]
async fn invalid_input_never_reaches_the_store() {
    let mut mocks = Mocks::default();
    mocks.catalog_admin.expect_insert_product().never();
    let err = CatalogService::new(mocks.ports_at(0))
        .create_product(NewProduct::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
}

#[tokio::test]
async fn storefronts_see_only_active_products() {
    for (status, visible) in [
        (ProductStatus::Active, true),
        (ProductStatus::Draft, false),
        (ProductStatus::Archived, false),
    ] {
        let mut mocks = Mocks::default();
        let found = product(status);
        mocks
            .catalog_admin
            .expect_get_product_by_slug()
            .returning(move |_| Ok(Some(found.clone())));
        let result = CatalogService::new(mocks.ports_at(0))
            .storefront_product(IdOrSlug::Slug("classic-t-shirt".into()))
            .await;
        assert_eq!(result.is_ok(), visible, "{status:?}");
    }
}

#[tokio::test]
async fn an_adjustment_below_reserved_is_refused_without_writing() {
    let mut mocks = Mocks::default();
    mocks
        .catalog_admin
        .expect_get_inventory()
        .returning(|_| Ok(Some(item(5, 4, 1))));
    mocks.catalog_admin.expect_save_inventory().never();
    let err = CatalogService::new(mocks.ports_at(0))
        .adjust_inventory(
            &item(0, 0, 0).id,
            InventoryAdjustment::new(-2, None).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "inventory_below_reserved");
}

#[tokio::test]
async fn an_adjustment_racing_a_checkout_is_redone_on_fresh_stock() {
    let mut mocks = Mocks::default();
    let mut reads = 0;
    mocks
        .catalog_admin
        .expect_get_inventory()
        .times(2)
        .returning(move |_| {
            reads += 1;
            Ok(Some(if reads == 1 {
                item(10, 0, 1)
            } else {
                item(10, 3, 2)
            }))
        });
    let mut writes = 0;
    mocks
        .catalog_admin
        .expect_save_inventory()
        .times(2)
        .returning(move |written| {
            writes += 1;
            if writes == 1 {
                Err(StoreError::Conflict)
            } else {
                assert_eq!((written.on_hand, written.reserved), (4, 3));
                Ok(())
            }
        });
    let adjusted = CatalogService::new(mocks.ports_at(0))
        .adjust_inventory(
            &item(0, 0, 0).id,
            InventoryAdjustment::new(-6, None).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((adjusted.on_hand, adjusted.version), (4, 3));
}

#[tokio::test]
async fn deleting_something_missing_is_not_found() {
    let mut mocks = Mocks::default();
    mocks
        .catalog_admin
        .expect_delete_product()
        .returning(|_, _| Ok(false));
    mocks
        .catalog_admin
        .expect_delete_variant()
        .returning(|_, _| Ok(false));
    let service = CatalogService::new(mocks.ports_at(0));
    let ids = SequenceIds::default();
    assert_eq!(
        service
            .delete_product(&ProductId::generate(&ids))
            .await
            .unwrap_err()
            .code(),
        "product_not_found"
    );
    assert_eq!(
        service
            .delete_variant(&VariantId::generate(&ids))
            .await
            .unwrap_err()
            .code(),
        "variant_not_found"
    );
}
