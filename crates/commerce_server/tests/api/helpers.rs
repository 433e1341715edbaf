//! `TestApp`: a running server, its sandbox, its keys, and request helpers.

use std::time::Duration;

use actix_web::dev::ServerHandle;
use commerce_domain::apikey::{KeyKind, Mode};
use commerce_domain::usecases::NewKeyRequest;
use commerce_postgres::testing::TestDb;
use commerce_server::settings::Settings;
use commerce_server::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tosspayments_sandbox::{SandboxConfig, SandboxHandle};

pub const TOSS_KEY: &str = "test_sk_api_tests";

pub struct TestApp {
    pub base: String,
    pub publishable: String,
    pub secret: String,
    pub sandbox: SandboxHandle,
    pub http: reqwest::Client,
    pub state: actix_web::web::Data<commerce_server::state::AppState>,
    server: ServerHandle,
    _db: TestDb,
}

/// A response: status, headers and JSON body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The error code, for error answers.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::with(&[]).await
    }

    /// A server whose settings include `extra` environment pairs. The sandbox sends its
    /// webhooks to the server (signed when `TOSS_WEBHOOK_SECRET` is among `extra`), unless
    /// `NO_SANDBOX_WEBHOOKS` is.
    pub async fn with(extra: &[(&str, &str)]) -> TestApp {
        let db = TestDb::new().await;
        let setting = |name: &str| {
            extra
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let sandbox = tosspayments_sandbox::start(SandboxConfig {
            secret_key: Some(TOSS_KEY.into()),
            fault_delay: Duration::from_secs(3),
            webhook_secret: setting("TOSS_WEBHOOK_SECRET"),
            webhook_retry_unit: Duration::from_millis(20),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("HC_CONFIG".into(), "/nonexistent/headless-commerce".into()),
            ("DATABASE_URL".into(), db.url().into()),
            ("HC_BIND".into(), "127.0.0.1:0".into()),
            ("TOSS_SECRET_KEY".into(), TOSS_KEY.into()),
            ("TOSS_API_BASE".into(), sandbox.base_url().into()),
            ("HC_TOSS_TIMEOUT_MS".into(), "1500".into()),
            ("HC_DB_POOL_SIZE".into(), "8".into()),
        ];
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let settings = Settings::from_env(env.into_iter()).unwrap();
        let app = Application::build(settings).await.unwrap();
        let (base, state) = (app.base_url.clone(), app.state.clone());
        let (server, _) = app.spawn();
        if setting("NO_SANDBOX_WEBHOOKS").is_none() {
            sandbox.set_webhook_url(&format!("{base}/v1/webhooks/tosspayments"));
        }
        commerce_server::demo::load_catalog(&state).await.unwrap();
        let key = |kind, name: &str| NewKeyRequest {
            name: name.into(),
            kind,
            mode: Mode::Test,
            expires_at: None,
        };
        let publishable = state
            .keys
            .create(key(KeyKind::Publishable, "tests"))
            .await
            .unwrap()
            .plaintext;
        let secret = state
            .keys
            .create(key(KeyKind::Secret, "tests"))
            .await
            .unwrap()
            .plaintext;
        TestApp {
            base,
            publishable,
            secret,
            sandbox,
            http: reqwest::Client::new(),
            state,
            server,
            _db: db,
        }
    }

    /// Sends a request with `key` (none when `None`) and optional extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, Some(&self.publishable), None, &[])
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(&self.publishable), Some(body), &[])
            .await
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.send(method, path, Some(&self.secret), body, &[]).await
    }

    /// The first variant of a demo product.
    pub async fn variant_of(&self, slug: &str) -> String {
        let product = self
            .get(&format!("/v1/storefront/products/by-slug/{slug}"))
            .await;
        product.body["variants"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A cart holding `quantity` of the demo t-shirt.
    pub async fn cart_with_shirts(&self, quantity: i64) -> String {
        let cart = self
            .post("/v1/storefront/carts", json!({"session_id": "sess_test"}))
            .await;
        let id = cart.body["id"].as_str().unwrap().to_owned();
        let variant = self.variant_of("classic-t-shirt").await;
        let added = self
            .post(
                &format!("/v1/storefront/carts/{id}/items"),
                json!({"variant_id": variant, "quantity": quantity}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.body);
        id
    }

    /// Checks `cart` out with the seed's Korean address; returns the order JSON.
    pub async fn checkout(&self, cart: &str) -> Value {
        let answer = self
            .post(
                &format!("/v1/storefront/carts/{cart}/checkout"),
                seed_checkout(),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    /// The customer pays in the widget (the sandbox's authorize); returns the payment key.
    pub async fn authorize(
        &self,
        order: &Value,
        method: &str,
        confirm_error: Option<&str>,
    ) -> String {
        let toss = &order["toss_payment"];
        let mut body = json!({"orderId": toss["order_id"], "orderName": toss["order_name"],
                              "amount": toss["amount"], "method": method});
        if let Some(code) = confirm_error {
            body["confirmError"] = json!(code);
        }
        let answer: Value = self
            .http
            .post(format!("{}/sandbox/v1/authorize", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["paymentKey"].as_str().unwrap().to_owned()
    }

    pub async fn confirm(&self, payment_key: &str, order: &Value, amount: Value) -> Answer {
        self.post(
            "/v1/storefront/payments/confirm",
            json!({"payment_key": payment_key, "order_id": order["toss_payment"]["order_id"], "amount": amount}),
        )
        .await
    }

    /// The sandbox's view of a payment.
    pub fn toss_status(&self, payment_key: &str) -> String {
        self.sandbox.payment(payment_key).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

/// The seed's checkout body.
pub fn seed_checkout() -> Value {
    json!({
        "email": "buyer@example.com",
        "shipping_address": {"line1": "서울특별시 강남구 테헤란로 131", "line2": "12층", "postal_code": "06133",
                             "country": "KR", "receiver_name": "김민수", "phone": "010-1234-5678"},
        "payment_method": "tosspayments",
    })
}

/// Waits up to 10 s for `probe` to hold.
pub async fn eventually<F, Fut>(what: &str, probe: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if probe().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A merchant's webhook receiver on a loopback port, answering the planned statuses then 200.
pub struct Receiver {
    pub url: String,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    server: ServerHandle,
}

impl Receiver {
    pub async fn start(plan: Vec<u16>) -> Receiver {
        use std::sync::{Arc, Mutex};
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let plan = Arc::new(Mutex::new(plan));
        let (log, answers) = (received.clone(), plan.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let server = actix_web::HttpServer::new(move || {
            let (log, answers) = (log.clone(), answers.clone());
            actix_web::App::new().route(
                "/hooks",
                actix_web::web::post().to(
                    move |request: actix_web::HttpRequest, body: actix_web::web::Bytes| {
                        let (log, answers) = (log.clone(), answers.clone());
                        async move {
                            log.lock().unwrap().push(Received {
                                headers: request
                                    .headers()
                                    .iter()
                                    .map(|(n, v)| {
                                        (n.to_string(), v.to_str().unwrap_or("").to_owned())
                                    })
                                    .collect(),
                                body: String::from_utf8_lossy(&body).into_owned(),
                            });
                            let mut plan = answers.lock().unwrap();
                            let status = if plan.is_empty() { 200 } else { plan.remove(0) };
                            actix_web::HttpResponse::build(
                                actix_web::http::StatusCode::from_u16(status).unwrap(),
                            )
                            .finish()
                        }
                    },
                ),
            )
        })
        .listen(listener)
        .unwrap()
        .workers(1)
        .disable_signals()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url,
            received,
            server: handle,
        }
    }

    /// Requests received so far whose event type is `event_type`.
    pub fn of_type(&self, event_type: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.header("x-webhook-event") == Some(event_type))
            .cloned()
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}
