//! Every route, registered in one place. `ROUTES` lists them for the OpenAPI check: a test
//! asserts that each is registered and documented, and that nothing else is documented.

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::http::handlers::{
    admin_catalog, admin_keys, admin_orders, carts, checkout, health, orders, payments, products,
    webhooks,
};
use crate::http::priority;

/// Every (method, path) this server serves, as OpenAPI spells paths.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/storefront/products"),
    ("get", "/v1/storefront/products/{id}"),
    ("get", "/v1/storefront/products/by-slug/{slug}"),
    ("post", "/v1/storefront/carts"),
    ("get", "/v1/storefront/carts/{id}"),
    ("patch", "/v1/storefront/carts/{id}"),
    ("get", "/v1/storefront/carts/by-session/{session_id}"),
    ("post", "/v1/storefront/carts/{id}/items"),
    ("patch", "/v1/storefront/carts/{id}/items/{item_id}"),
    ("delete", "/v1/storefront/carts/{id}/items/{item_id}"),
    ("post", "/v1/storefront/carts/{id}/checkout"),
    ("post", "/v1/storefront/payments/confirm"),
    ("post", "/v1/storefront/payments/fail"),
    ("get", "/v1/storefront/orders/lookup"),
    ("get", "/v1/storefront/orders/{id}"),
    ("get", "/v1/admin/products"),
    ("post", "/v1/admin/products"),
    ("get", "/v1/admin/products/{id}"),
    ("patch", "/v1/admin/products/{id}"),
    ("delete", "/v1/admin/products/{id}"),
    ("get", "/v1/admin/products/{id}/variants"),
    ("post", "/v1/admin/products/{id}/variants"),
    ("patch", "/v1/admin/variants/{id}"),
    ("delete", "/v1/admin/variants/{id}"),
    ("get", "/v1/admin/inventory"),
    ("get", "/v1/admin/inventory/{id}"),
    ("patch", "/v1/admin/inventory/{id}"),
    ("post", "/v1/admin/inventory/{id}/adjust"),
    ("get", "/v1/admin/orders"),
    ("get", "/v1/admin/orders/{id}"),
    ("post", "/v1/admin/orders/{id}/cancel"),
    ("get", "/v1/admin/api-keys"),
    ("post", "/v1/admin/api-keys"),
    ("delete", "/v1/admin/api-keys/{id}"),
    ("post", "/v1/admin/api-keys/{id}/rotate"),
    ("get", "/v1/admin/webhooks"),
    ("post", "/v1/admin/webhooks"),
    ("get", "/v1/admin/webhooks/{id}"),
    ("patch", "/v1/admin/webhooks/{id}"),
    ("delete", "/v1/admin/webhooks/{id}"),
    ("post", "/v1/admin/webhooks/{id}/test"),
    ("get", "/v1/admin/webhooks/{id}/deliveries"),
    (
        "post",
        "/v1/admin/webhooks/{id}/deliveries/{delivery_id}/retry",
    ),
    ("post", "/v1/webhooks/tosspayments"),
];

/// The OpenAPI document, kept in `docs/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../../docs/openapi.json");

async fn openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

/// Registers every route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/v1/openapi.json", web::get().to(openapi))
        .route("/v1/webhooks/tosspayments", web::post().to(webhooks::toss))
        .service(
            web::scope("/v1/storefront")
                .route("/products", web::get().to(products::list))
                .route("/products/by-slug/{slug}", web::get().to(products::by_slug))
                .route("/products/{id}", web::get().to(products::get))
                .route("/carts", web::post().to(carts::create))
                .route(
                    "/carts/by-session/{session_id}",
                    web::get().to(carts::by_session),
                )
                .route("/carts/{id}", web::get().to(carts::get))
                .route("/carts/{id}", web::patch().to(carts::update))
                .route("/carts/{id}/items", web::post().to(carts::add_item))
                .route(
                    "/carts/{id}/items/{item_id}",
                    web::patch().to(carts::update_item),
                )
                .route(
                    "/carts/{id}/items/{item_id}",
                    web::delete().to(carts::remove_item),
                )
                .route("/carts/{id}/checkout", web::post().to(checkout::checkout))
                .service(
                    web::resource("/payments/confirm")
                        .wrap(from_fn(priority::payment_first))
                        .route(web::post().to(payments::confirm)),
                )
                .route("/payments/fail", web::post().to(payments::fail))
                .route("/orders/lookup", web::get().to(orders::lookup))
                .route("/orders/{id}", web::get().to(orders::get)),
        )
        .service(
            web::scope("/v1/admin")
                .route("/products", web::get().to(admin_catalog::list_products))
                .route("/products", web::post().to(admin_catalog::create_product))
                .route("/products/{id}", web::get().to(admin_catalog::get_product))
                .route(
                    "/products/{id}",
                    web::patch().to(admin_catalog::update_product),
                )
                .route(
                    "/products/{id}",
                    web::delete().to(admin_catalog::delete_product),
                )
                .route(
                    "/products/{id}/variants",
                    web::get().to(admin_catalog::list_variants),
                )
                .route(
                    "/products/{id}/variants",
                    web::post().to(admin_catalog::create_variant),
                )
                .route(
                    "/variants/{id}",
                    web::patch().to(admin_catalog::update_variant),
                )
                .route(
                    "/variants/{id}",
                    web::delete().to(admin_catalog::delete_variant),
                )
                .route("/inventory", web::get().to(admin_catalog::list_inventory))
                .route(
                    "/inventory/{id}",
                    web::get().to(admin_catalog::get_inventory),
                )
                .route(
                    "/inventory/{id}",
                    web::patch().to(admin_catalog::update_inventory),
                )
                .route(
                    "/inventory/{id}/adjust",
                    web::post().to(admin_catalog::adjust_inventory),
                )
                .route("/orders", web::get().to(admin_orders::list))
                .route("/orders/{id}", web::get().to(admin_orders::get))
                .route("/orders/{id}/cancel", web::post().to(admin_orders::cancel))
                .route("/api-keys", web::get().to(admin_keys::list))
                .route("/api-keys", web::post().to(admin_keys::create))
                .route("/api-keys/{id}", web::delete().to(admin_keys::revoke))
                .route("/api-keys/{id}/rotate", web::post().to(admin_keys::rotate))
                .route("/webhooks", web::get().to(webhooks::list))
                .route("/webhooks", web::post().to(webhooks::create))
                .route("/webhooks/{id}", web::get().to(webhooks::get))
                .route("/webhooks/{id}", web::patch().to(webhooks::update))
                .route("/webhooks/{id}", web::delete().to(webhooks::delete))
                .route("/webhooks/{id}/test", web::post().to(webhooks::test))
                .route(
                    "/webhooks/{id}/deliveries",
                    web::get().to(webhooks::deliveries),
                )
                .route(
                    "/webhooks/{id}/deliveries/{delivery_id}/retry",
                    web::post().to(webhooks::retry),
                ),
        );
}
