//! Admin routes: catalog, inventory, orders.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_product_with_a_variant_and_stock_is_sold_through_the_storefront() {
    let app = TestApp::spawn().await;
    let product = app
        .admin(
            Method::POST,
            "/v1/admin/products",
            Some(json!({"name": "한정판 후드티", "slug": "limited-hoodie", "status": "draft"})),
        )
        .await;
    assert_eq!(product.status, 201, "{}", product.body);
    let id = product.body["id"].as_str().unwrap().to_owned();
    let variant = app
        .admin(
            Method::POST,
            &format!("/v1/admin/products/{id}/variants"),
            Some(json!({"name": "Free", "sku": "HOOD-F", "price": 59000, "cost_price": 20000})),
        )
        .await;
    assert_eq!(variant.status, 201, "{}", variant.body);
    assert_eq!(
        variant.body["price"],
        json!({"amount": 59000, "currency": "KRW"})
    );
    assert_eq!(variant.body["stock"], 0);
    let inventory = variant.body["inventory_item_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A draft is invisible to storefronts.
    let hidden = app.get(&format!("/v1/storefront/products/{id}")).await;
    assert_eq!(hidden.code(), "product_not_found");
    let published = app
        .admin(
            Method::PATCH,
            &format!("/v1/admin/products/{id}"),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(published.body["status"], "active");

    let stocked = app
        .admin(
            Method::POST,
            &format!("/v1/admin/inventory/{inventory}/adjust"),
            Some(json!({"quantity": 5, "reason": "입고"})),
        )
        .await;
    assert_eq!(stocked.body["levels"][0]["on_hand"], 5);
    assert_eq!(stocked.body["levels"][0]["available"], 5);

    let shown = app.get(&format!("/v1/storefront/products/{id}")).await;
    assert_eq!(
        shown.body["price"],
        json!({"amount": 59000, "currency": "KRW"})
    );
    assert_eq!(shown.body["variants"][0]["stock"], 5);
    assert_eq!(
        shown.body["variants"][0]["cost_price"],
        json!(null),
        "storefronts never see costs"
    );

    let listed = app
        .admin(Method::GET, "/v1/admin/products?q=후드&status=active", None)
        .await;
    assert_eq!(listed.body["total_count"], 1);
    let taken = app
        .admin(
            Method::POST,
            "/v1/admin/products",
            Some(json!({"name": "x", "slug": "limited-hoodie"})),
        )
        .await;
    assert_eq!((taken.status.as_u16(), taken.code()), (409, "slug_taken"));
    let invalid = app
        .admin(
            Method::POST,
            "/v1/admin/products",
            Some(json!({"name": "", "slug": "Bad Slug"})),
        )
        .await;
    assert_eq!(invalid.code(), "invalid_request");
    assert_eq!(
        invalid.body["error"]["details"]["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let deleted = app
        .admin(Method::DELETE, &format!("/v1/admin/products/{id}"), None)
        .await;
    assert_eq!(deleted.body, json!({"deleted": true, "id": id}));
    assert_eq!(
        app.get(&format!("/v1/storefront/products/{id}"))
            .await
            .code(),
        "product_not_found"
    );
}

#[tokio::test]
async fn stock_cannot_be_adjusted_below_what_orders_reserved() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(3).await;
    app.checkout(&cart).await;
    let inventory = app
        .admin(Method::GET, "/v1/admin/inventory?limit=100", None)
        .await;
    let shirt = app.variant_of("classic-t-shirt").await;
    let item = inventory.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant_id"] == shirt.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["levels"][0]["reserved"], 3);
    let id = item["id"].as_str().unwrap();
    let refused = app
        .admin(
            Method::POST,
            &format!("/v1/admin/inventory/{id}/adjust"),
            Some(json!({"quantity": -98})),
        )
        .await;
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (409, "inventory_below_reserved")
    );
    let settings = app
        .admin(
            Method::PATCH,
            &format!("/v1/admin/inventory/{id}"),
            Some(json!({"safety_stock": 97})),
        )
        .await;
    assert_eq!(settings.body["safety_stock"], 97);
    let low = app
        .admin(Method::GET, "/v1/admin/inventory?low_stock=true", None)
        .await;
    assert_eq!(low.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn admins_list_read_and_cancel_unpaid_orders_with_their_timeline() {
    let app = TestApp::spawn().await;
    let cart = app.cart_with_shirts(2).await;
    let order = app.checkout(&cart).await;
    let id = order["id"].as_str().unwrap();
    let listed = app
        .admin(Method::GET, "/v1/admin/orders?payment_status=unpaid", None)
        .await;
    assert_eq!(listed.body["total_count"], 1);
    assert_eq!(listed.body["data"][0]["id"], id);
    let bad = app
        .admin(Method::GET, "/v1/admin/orders?status=shipped", None)
        .await;
    assert_eq!(bad.code(), "invalid_request");

    let cancelled = app
        .admin(
            Method::POST,
            &format!("/v1/admin/orders/{id}/cancel"),
            Some(json!({"reason": "고객 요청"})),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["cancel_reason"], "고객 요청");
    let again = app
        .admin(Method::POST, &format!("/v1/admin/orders/{id}/cancel"), None)
        .await;
    assert_eq!(
        (again.status.as_u16(), again.code()),
        (409, "order_not_cancellable")
    );

    let detail = app
        .admin(Method::GET, &format!("/v1/admin/orders/{id}"), None)
        .await;
    let types: Vec<_> = detail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        vec!["order.created", "payment.created", "order.cancelled"]
    );
    let product = app
        .get("/v1/storefront/products/by-slug/classic-t-shirt")
        .await;
    assert_eq!(product.body["variants"][0]["stock"], 100, "stock released");
}
