//! The malformed-input pass: every operation of `docs/openapi.json`, with its example body
//! broken field by field and whole, junk path and query parameters, and wrong or missing keys.
//! Nothing may answer 5xx, and every refusal must be the JSON error shape.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::cluster::Cluster;

/// Real ids the pass aims at, besides junk ones, so validation past the lookup runs too.
pub struct Targets {
    /// A cart, a product, a variant, an inventory item and an order that exist.
    pub cart: String,
    /// A product.
    pub product: String,
    /// A variant.
    pub variant: String,
    /// An inventory item.
    pub inventory: String,
    /// An order.
    pub order: String,
}

const JUNK_IDS: [&str; 5] = [
    "x",
    "cart_0000000000000000000000",
    "%27%20OR%201%3D1--",
    "%F0%9F%92%B8",
    "a%00b",
];

fn wrong_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(-1),
        json!(0),
        json!(1e300),
        json!(9_223_372_036_854_775_807_i64),
        json!(true),
        json!("x"),
        json!(""),
        json!("x".repeat(10_000)),
        json!([]),
        json!({"nested": {"deeper": [1, 2, 3]}}),
        json!("\u{0000}\u{202e}한글"),
    ]
}

/// Bodies built from an example: each field removed or replaced by each wrong value, plus
/// bodies that are not what the route reads at all.
fn bodies(example: Option<&Value>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"\"text\"".to_vec(),
        b"{\"a\":".repeat(200),
        vec![0xff, 0xfe, 0x00],
    ];
    if let Some(Value::Object(fields)) = example {
        out.push(serde_json::to_vec(&Value::Object(Map::new())).unwrap_or_default());
        for name in fields.keys() {
            let mut without = fields.clone();
            without.remove(name);
            out.push(serde_json::to_vec(&Value::Object(without)).unwrap_or_default());
            for wrong in wrong_values() {
                let mut changed = fields.clone();
                changed.insert(name.clone(), wrong);
                out.push(serde_json::to_vec(&Value::Object(changed)).unwrap_or_default());
            }
        }
    }
    out
}

fn ids_for(path: &str, targets: &Targets) -> Vec<String> {
    let real = if path.contains("/carts/") {
        Some(&targets.cart)
    } else if path.contains("/products/") {
        Some(&targets.product)
    } else if path.contains("/variants/") {
        Some(&targets.variant)
    } else if path.contains("/inventory/") {
        Some(&targets.inventory)
    } else if path.contains("/orders/") {
        Some(&targets.order)
    } else {
        None
    };
    JUNK_IDS
        .iter()
        .map(|s| (*s).to_owned())
        .chain(real.cloned())
        .collect()
}

fn fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(id);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The pass's findings.
#[derive(Default)]
pub struct Findings {
    /// Requests sent.
    pub requests: u64,
    /// Answers by status.
    pub statuses: BTreeMap<u16, u64>,
    /// 5xx answers, non-JSON refusals and dropped connections (first few).
    pub problems: Vec<String>,
}

/// Runs the pass against the cluster's first server.
pub async fn run(cluster: &Cluster, targets: &Targets) -> Findings {
    let spec: Value = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json"),
    )
    .ok()
    .and_then(|b| serde_json::from_slice(&b).ok())
    .unwrap_or(Value::Null);
    let base = &cluster.servers[0].base;
    let mut findings = Findings::default();
    let Some(paths) = spec["paths"].as_object() else {
        findings
            .problems
            .push("docs/openapi.json has no paths".into());
        return findings;
    };
    for (path, operations) in paths {
        let Some(operations) = operations.as_object() else {
            continue;
        };
        for (method, operation) in operations {
            let key = if path.starts_with("/v1/admin") {
                &cluster.sk
            } else {
                &cluster.pk
            };
            let example =
                operation["requestBody"]["content"]["application/json"]["example"].clone();
            let has_query = operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
            let mut requests: Vec<(String, Vec<u8>, Option<String>)> = Vec::new();
            for id in ids_for(path, targets) {
                let url = format!("{base}{}", fill(path, &id));
                let broken = if method == "get" || method == "delete" {
                    vec![Vec::new()]
                } else {
                    bodies(Some(&example))
                };
                for body in broken {
                    requests.push((url.clone(), body, Some(key.clone())));
                }
                if has_query {
                    for query in [
                        "limit=-1",
                        "limit=abc",
                        "limit=100000",
                        "starting_after=%00",
                        "q=%27",
                        "status=nope",
                        "number=x&email=y",
                        "low_stock=maybe",
                        "sort=evil&order=sideways",
                    ] {
                        requests.push((format!("{url}?{query}"), Vec::new(), Some(key.clone())));
                    }
                }
                requests.push((url.clone(), Vec::new(), None));
                requests.push((
                    url.clone(),
                    Vec::new(),
                    Some("sk_test_not_a_real_key".into()),
                ));
                requests.push((url, Vec::new(), Some(cluster.pk.clone())));
            }
            for (url, body, key) in requests {
                let mut request = match method.as_str() {
                    "post" => cluster.http.post(&url),
                    "patch" => cluster.http.patch(&url),
                    "delete" => cluster.http.delete(&url),
                    _ => cluster.http.get(&url),
                };
                if let Some(key) = key {
                    request = request.bearer_auth(key);
                }
                if !body.is_empty() {
                    request = request
                        .header("content-type", "application/json")
                        .body(body);
                }
                findings.requests += 1;
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        *findings.statuses.entry(status).or_default() += 1;
                        let answer: Value = response.json().await.unwrap_or(Value::Null);
                        let shaped = status < 400 || answer["error"]["code"].is_string();
                        if (status >= 500 || !shaped) && findings.problems.len() < 10 {
                            findings.problems.push(format!(
                                "{} {url}: {status} {answer}",
                                method.to_uppercase()
                            ));
                        }
                    }
                    Err(e) if findings.problems.len() < 10 => {
                        findings.problems.push(format!("{method} {url}: {e}"))
                    }
                    Err(_) => {}
                }
            }
        }
    }
    findings
}
