//! Authentication and modes (SPEC §3), and request ids.

use commerce_domain::apikey::{KeyKind, Mode};
use commerce_domain::usecases::NewKeyRequest;
use reqwest::Method;

use crate::helpers::TestApp;

#[tokio::test]
async fn keys_open_what_they_should_and_nothing_else() {
    let app = TestApp::spawn().await;
    let products = "/v1/storefront/products";
    let none = app.send(Method::GET, products, None, None, &[]).await;
    assert_eq!(
        (none.status.as_u16(), none.code()),
        (401, "missing_api_key")
    );
    let unknown = app
        .send(
            Method::GET,
            products,
            Some("pk_test_unknownunknownunknown"),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.code()),
        (401, "invalid_api_key")
    );
    let garbage = app
        .send(Method::GET, products, Some("garbage"), None, &[])
        .await;
    assert_eq!(garbage.code(), "invalid_api_key");

    assert_eq!(app.get(products).await.status, 200);
    assert_eq!(
        app.send(Method::GET, products, Some(&app.secret), None, &[])
            .await
            .status,
        200
    );
    let forbidden = app
        .send(
            Method::GET,
            "/v1/admin/products",
            Some(&app.publishable),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (forbidden.status.as_u16(), forbidden.code()),
        (403, "forbidden")
    );
    assert_eq!(
        app.admin(Method::GET, "/v1/admin/products", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_live_key_on_a_test_server_is_a_mode_mismatch() {
    let app = TestApp::spawn().await;
    let live = app
        .state
        .keys
        .create(NewKeyRequest {
            name: "live".into(),
            kind: KeyKind::Secret,
            mode: Mode::Live,
            expires_at: None,
        })
        .await
        .unwrap();
    let answer = app
        .send(
            Method::GET,
            "/v1/storefront/products",
            Some(&live.plaintext),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (answer.status.as_u16(), answer.code()),
        (403, "api_key_mode_mismatch")
    );
}

#[tokio::test]
async fn a_revoked_or_rotated_key_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let created = app
        .admin(
            Method::POST,
            "/v1/admin/api-keys",
            Some(serde_json::json!({"name": "temp", "key_type": "publishable"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.send(
            Method::GET,
            "/v1/storefront/products",
            Some(&key),
            None,
            &[]
        )
        .await
        .status,
        200
    );

    let rotated = app
        .admin(
            Method::POST,
            &format!("/v1/admin/api-keys/{id}/rotate"),
            None,
        )
        .await;
    let new_key = rotated.body["key"].as_str().unwrap().to_owned();
    assert_eq!(rotated.body["id"], id.as_str());
    assert_eq!(
        app.send(
            Method::GET,
            "/v1/storefront/products",
            Some(&key),
            None,
            &[]
        )
        .await
        .status,
        401
    );
    assert_eq!(
        app.send(
            Method::GET,
            "/v1/storefront/products",
            Some(&new_key),
            None,
            &[]
        )
        .await
        .status,
        200
    );

    let revoked = app
        .admin(Method::DELETE, &format!("/v1/admin/api-keys/{id}"), None)
        .await;
    assert_eq!(revoked.body, serde_json::json!({"deleted": true, "id": id}));
    assert_eq!(
        app.send(
            Method::GET,
            "/v1/storefront/products",
            Some(&new_key),
            None,
            &[]
        )
        .await
        .status,
        401
    );
    let listed = app.admin(Method::GET, "/v1/admin/api-keys", None).await;
    let text = listed.body.to_string();
    assert!(
        !text.contains(&new_key) && !text.contains(&app.secret),
        "keys are never listed"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_echoing_the_client_s() {
    let app = TestApp::spawn().await;
    let echoed = app
        .send(
            Method::GET,
            "/v1/storefront/products",
            Some(&app.publishable),
            None,
            &[("x-request-id", "trace-abc-123")],
        )
        .await;
    assert_eq!(echoed.headers["x-request-id"], "trace-abc-123");
    let made = app
        .send(Method::GET, "/v1/storefront/products", None, None, &[])
        .await;
    assert!(made.headers["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    let health = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
}
