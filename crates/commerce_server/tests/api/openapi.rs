//! The OpenAPI document lists exactly the routes the server registers.

use std::collections::BTreeSet;

use commerce_server::http::routes::{OPENAPI, ROUTES};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

fn documented() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
    let mut all = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            assert!(
                operation["responses"].is_object(),
                "{method} {path} has responses"
            );
            all.insert((method.clone(), path.clone()));
        }
    }
    all
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let registered: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented(), registered);
}

#[test]
fn every_operation_has_a_response_example_and_posts_a_request_example() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let has_example = responses
                .values()
                .any(|r| !r["content"]["application/json"]["example"].is_null());
            assert!(has_example, "{method} {path}: a response example");
            if method == "post" || method == "patch" {
                let body = &operation["requestBody"];
                let optional = body["required"] == Value::Bool(false);
                assert!(
                    optional || !body["content"]["application/json"]["example"].is_null(),
                    "{method} {path}: a request example"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_listed_route_is_registered() {
    let app = TestApp::spawn().await;
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", "x")
            .replace("{item_id}", "x")
            .replace("{slug}", "x")
            .replace("{session_id}", "x");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let answer = app
            .send(
                method.clone(),
                &concrete,
                Some(&app.secret),
                Some(serde_json::json!({})),
                &[],
            )
            .await;
        assert_ne!(
            answer.body["error"]["message"], "No such route.",
            "{method} {path} is not registered"
        );
    }
    let served = app
        .http
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
}
