//! Basic auth as Toss checks it.

use base64::Engine as _;

use crate::support::{basic, Sandbox, SECRET_KEY};

async fn get_with(sandbox: &Sandbox, authorization: Option<String>) -> (u16, String) {
    let mut request = sandbox.http.get(sandbox.url("/v1/payments/whatever"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn missing_or_unknown_keys_are_unauthorized() {
    let sandbox = Sandbox::start().await;
    assert_eq!(
        get_with(&sandbox, None).await,
        (401, "UNAUTHORIZED_KEY".into())
    );
    assert_eq!(
        get_with(&sandbox, Some(basic("live_sk_realkey"))).await,
        (401, "UNAUTHORIZED_KEY".into())
    );
    assert_eq!(
        get_with(&sandbox, Some(format!("Bearer {SECRET_KEY}"))).await,
        (401, "UNAUTHORIZED_KEY".into())
    );
}

#[tokio::test]
async fn a_value_without_the_colon_or_not_base64_is_a_format_error() {
    let sandbox = Sandbox::start().await;
    let no_colon = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(SECRET_KEY)
    );
    assert_eq!(
        get_with(&sandbox, Some(no_colon)).await,
        (403, "INCORRECT_BASIC_AUTH_FORMAT".into())
    );
    assert_eq!(
        get_with(&sandbox, Some("Basic %%%".into())).await,
        (403, "INCORRECT_BASIC_AUTH_FORMAT".into())
    );
}

#[tokio::test]
async fn widget_and_api_test_keys_are_accepted() {
    let sandbox = Sandbox::start().await;
    for key in [SECRET_KEY, "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"] {
        assert_eq!(
            get_with(&sandbox, Some(basic(key))).await,
            (404, "NOT_FOUND_PAYMENT".into()),
            "{key} passes auth"
        );
    }
}

#[tokio::test]
async fn a_configured_secret_key_is_the_only_one_accepted() {
    let sandbox =
        Sandbox::with(|config| config.secret_key = Some("test_sk_only_this_one".into())).await;
    assert_eq!(
        get_with(&sandbox, Some(basic(SECRET_KEY))).await,
        (401, "UNAUTHORIZED_KEY".into())
    );
    assert_eq!(
        get_with(&sandbox, Some(basic("test_sk_only_this_one"))).await,
        (404, "NOT_FOUND_PAYMENT".into())
    );
}
