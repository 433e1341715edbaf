//! The demo catalog `serve --demo` loads (idempotently, by slug) and the test keys it prints.

use commerce_domain::apikey::{KeyKind, Mode};
use commerce_domain::catalog::{InventoryAdjustment, NewProduct, NewVariant};
use commerce_domain::usecases::{CatalogError, IdOrSlug, NewKeyRequest};
use commerce_domain::Metadata;
use serde_json::json;

use crate::state::AppState;

/// (name, slug, description, variants of (name, sku, price, stock)).
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, i64, i64)],
);

const CATALOG: &[DemoProduct] = &[
    (
        "Classic T-Shirt",
        "classic-t-shirt",
        "부드러운 면 100% 반팔 티셔츠",
        &[
            ("M / Black", "TS-M-BLK", 29_000, 100),
            ("L / White", "TS-L-WHT", 29_000, 50),
        ],
    ),
    (
        "Ceramic Mug",
        "ceramic-mug",
        "350ml 세라믹 머그컵",
        &[("Ivory", "MUG-IVR", 12_000, 30)],
    ),
    (
        "Canvas Tote Bag",
        "canvas-tote-bag",
        "에코 캔버스 토트백",
        &[("Natural", "TOTE-NAT", 18_000, 40)],
    ),
];

/// Loads the demo catalog; products that exist already (by slug) are left as they are.
///
/// # Errors
/// [`CatalogError`] when the catalog cannot be written.
pub async fn load_catalog(state: &AppState) -> Result<usize, CatalogError> {
    let mut created = 0;
    for (name, slug, description, variants) in CATALOG {
        match state
            .catalog
            .storefront_product(IdOrSlug::Slug((*slug).to_owned()))
            .await
        {
            Ok(_) => continue,
            Err(CatalogError::ProductNotFound) => {}
            Err(e) => return Err(e),
        }
        let product = state
            .catalog
            .create_product(NewProduct {
                name: (*name).to_owned(),
                slug: (*slug).to_owned(),
                description: Some((*description).to_owned()),
                tags: vec!["demo".to_owned()],
                ..NewProduct::default()
            })
            .await?;
        for (variant_name, sku, price, stock) in variants.iter() {
            let mut options = Metadata::new();
            options.insert("option".into(), json!(variant_name));
            let variant = state
                .catalog
                .create_variant(
                    &product.product.id,
                    NewVariant {
                        name: Some((*variant_name).to_owned()),
                        sku: Some((*sku).to_owned()),
                        price: *price,
                        option_values: options,
                        ..NewVariant::default()
                    },
                )
                .await?;
            state
                .catalog
                .adjust_inventory(
                    &variant.inventory.id,
                    InventoryAdjustment::new(*stock, Some("demo stock".to_owned()))?,
                )
                .await?;
        }
        created += 1;
    }
    Ok(created)
}

/// Issues a publishable and a secret test key and returns their plaintexts.
///
/// # Errors
/// When the keys cannot be stored.
pub async fn issue_keys(
    state: &AppState,
) -> Result<(String, String), commerce_domain::usecases::ApiKeyServiceError> {
    let key = |kind, name: &str| NewKeyRequest {
        name: name.to_owned(),
        kind,
        mode: Mode::Test,
        expires_at: None,
    };
    let publishable = state
        .keys
        .create(key(KeyKind::Publishable, "demo storefront"))
        .await?;
    let secret = state
        .keys
        .create(key(KeyKind::Secret, "demo admin"))
        .await?;
    Ok((publishable.plaintext, secret.plaintext))
}
