//! `TossClient`: the domain's `PaymentGateway` over the Toss REST API.

use std::fmt;

use async_trait::async_trait;
use base64::Engine as _;
use commerce_domain::ids::{IdempotencyKey, PaymentKey, TossOrderId};
use commerce_domain::ports::{CancelCall, ConfirmCall, GatewayError, PaymentGateway};
use commerce_domain::provider::ProviderPayment;
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Value};

use crate::classify::classify;
use crate::config::TossConfig;
use crate::wire::parse_payment;

/// How many times a call is sent again after a transport failure that is not a timeout. A
/// POST is resent with the same `Idempotency-Key`, so Toss replays its first answer instead of
/// acting twice.
const TRANSPORT_RETRIES: usize = 1;

/// A client of the Toss API.
#[derive(Clone)]
pub struct TossClient {
    http: reqwest::Client,
    base: Url,
    authorization: String,
}

impl fmt::Debug for TossClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TossClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// What Toss answered, before interpretation.
enum Reply {
    Payment(Value),
    Error {
        status: u16,
        code: String,
        message: String,
    },
}

fn unknown(reason: impl Into<String>) -> GatewayError {
    GatewayError::Unknown {
        reason: reason.into(),
    }
}

/// `Basic base64(secret_key + ":")`: the key is the user name, the password empty, and the
/// colon mandatory.
pub(crate) fn basic_authorization(secret_key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{secret_key}:"))
    )
}

impl TossClient {
    /// A client for `config`.
    ///
    /// # Errors
    /// When the base URL does not parse or the HTTP client cannot be built.
    pub fn new(config: &TossConfig) -> Result<Self, String> {
        let base = Url::parse(&config.base_url).map_err(|e| format!("TOSS_API_BASE: {e}"))?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("headless-commerce/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(TossClient {
            http,
            base,
            authorization: basic_authorization(config.secret_key.expose()),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<Url, GatewayError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| unknown("TOSS_API_BASE cannot take a path"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends one call, resending after transport failures other than timeouts.
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Reply, GatewayError> {
        let mut last = None;
        for _ in 0..=TRANSPORT_RETRIES {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header("authorization", &self.authorization)
                .header("accept", "application/json");
            if let Some(key) = idempotency_key {
                request = request.header("idempotency-key", key.as_str());
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = async {
                let response = request.send().await?;
                let status = response.status();
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, bytes))
            }
            .await;
            match outcome {
                Ok((status, bytes)) => return Ok(interpret(status, &bytes)),
                Err(e) if e.is_timeout() => {
                    return Err(unknown(format!(
                        "TossPayments did not answer in time ({method} {})",
                        url.path()
                    )))
                }
                Err(e) => last = Some(e),
            }
        }
        let cause = last.map(|e| e.to_string()).unwrap_or_default();
        Err(unknown(format!(
            "TossPayments could not be reached: {cause}"
        )))
    }

    async fn post_payment(
        &self,
        url: Url,
        body: Value,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, GatewayError> {
        match self.call(Method::POST, url, Some(&body), Some(key)).await? {
            Reply::Payment(raw) => parse_payment(raw).map_err(unknown),
            Reply::Error {
                status,
                code,
                message,
            } => Err(classify(status, &code, &message)),
        }
    }

    async fn get_payment(&self, url: Url) -> Result<Option<ProviderPayment>, GatewayError> {
        match self.call(Method::GET, url, None, None).await? {
            Reply::Payment(raw) => parse_payment(raw).map(Some).map_err(unknown),
            Reply::Error {
                status: 404, code, ..
            } if code == "NOT_FOUND_PAYMENT" || code == "NOT_FOUND" => Ok(None),
            // A refused read says nothing about the payment's state.
            Reply::Error { status, code, .. } => {
                Err(unknown(format!("TossPayments answered {status} {code}")))
            }
        }
    }
}

/// Reads an answer: a Payment on 2xx, Toss's `{code, message}` otherwise; an unreadable body
/// becomes a 5xx-like error so that it is classified as an unknown outcome.
fn interpret(status: StatusCode, bytes: &[u8]) -> Reply {
    let body: Option<Value> = serde_json::from_slice(bytes).ok();
    match body {
        Some(body) if status.is_success() => Reply::Payment(body),
        Some(body) if body.get("code").and_then(Value::as_str).is_some() => Reply::Error {
            status: status.as_u16(),
            code: body["code"].as_str().unwrap_or_default().to_owned(),
            message: body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        },
        _ => Reply::Error {
            status: if status.is_server_error() {
                status.as_u16()
            } else {
                599
            },
            code: "UNREADABLE_RESPONSE".to_owned(),
            message: format!("HTTP {} with an unreadable body", status.as_u16()),
        },
    }
}

#[async_trait]
impl PaymentGateway for TossClient {
    async fn confirm(&self, call: &ConfirmCall) -> Result<ProviderPayment, GatewayError> {
        let url = self.url(&["v1", "payments", "confirm"])?;
        let body = json!({
            "paymentKey": call.payment_key.as_str(),
            "orderId": call.order_id.as_str(),
            "amount": call.amount.won(),
        });
        self.post_payment(url, body, &call.idempotency_key).await
    }

    async fn get_by_payment_key(
        &self,
        key: &PaymentKey,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        self.get_payment(self.url(&["v1", "payments", key.as_str()])?)
            .await
    }

    async fn get_by_order_id(
        &self,
        order_id: &TossOrderId,
    ) -> Result<Option<ProviderPayment>, GatewayError> {
        self.get_payment(self.url(&["v1", "payments", "orders", order_id.as_str()])?)
            .await
    }

    async fn cancel(&self, call: &CancelCall) -> Result<ProviderPayment, GatewayError> {
        let url = self.url(&["v1", "payments", call.payment_key.as_str(), "cancel"])?;
        let mut body = json!({"cancelReason": call.reason});
        if let Some(amount) = call.amount {
            body["cancelAmount"] = json!(amount.won());
        }
        self.post_payment(url, body, &call.idempotency_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecretKey;

    #[test]
    fn the_authorization_header_is_the_key_and_a_colon_in_base64() {
        // The value Toss's own documentation gives for its public test key.
        assert_eq!(
            basic_authorization("test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"),
            "Basic dGVzdF9za196WExrS0V5cE5BcldtbzUwblgzbG1lYXhZRzVSOg=="
        );
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let client = TossClient::new(&TossConfig::new(
            "http://127.0.0.1:9/toss/",
            SecretKey::new("test_sk_x"),
        ))
        .unwrap();
        let url = client.url(&["v1", "payments", "a/b c"]).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/toss/v1/payments/a%2Fb%20c"
        );
    }

    #[test]
    fn debug_output_holds_no_credentials() {
        let client = TossClient::new(&TossConfig::new(
            "https://api.tosspayments.com",
            SecretKey::new("test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"),
        ))
        .unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("dGVzdF9z") && !shown.contains("zXLkKEyp"),
            "{shown}"
        );
    }

    #[test]
    fn unreadable_answers_are_classified_as_unknown() {
        let reply = interpret(StatusCode::OK, b"<html>gateway</html>");
        let Reply::Error { status, code, .. } = reply else {
            panic!("an unreadable 200 is not a payment");
        };
        assert!(matches!(
            classify(status, &code, ""),
            GatewayError::Unknown { .. }
        ));
        let Reply::Error { status, .. } = interpret(StatusCode::BAD_GATEWAY, b"") else {
            panic!("expected an error");
        };
        assert_eq!(status, 502);
    }
}
