//! Webhook routes: the inbound TossPayments endpoint and the admin management of merchant
//! endpoints (the SDK's routes, plus deliveries and retry).

use actix_web::{web, HttpRequest, HttpResponse};
use commerce_domain::ids::{DeliveryId, WebhookId};
use commerce_domain::usecases::WebhookServiceError;
use commerce_domain::webhook::WebhookInput;
use commerce_domain::Metadata;
use serde::Deserialize;
use serde_json::json;

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::{id, metadata, ListQuery};
use crate::http::views;
use crate::state::AppState;
use crate::webhooks::outbound::Dispatcher;

/// `POST /v1/webhooks/tosspayments`: authenticated by signature and read-back, not a key.
pub async fn toss(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    crate::webhooks::inbound::receive(&state, request.headers(), &body).await
}

impl From<WebhookServiceError> for ApiError {
    fn from(e: WebhookServiceError) -> Self {
        match e {
            WebhookServiceError::NotFound => {
                ApiError::not_found("resource_not_found", "Webhook or delivery not found.")
            }
            WebhookServiceError::Invalid(errors) => errors.into(),
            WebhookServiceError::Store(e) => e.into(),
        }
    }
}

fn webhook_id(raw: &str) -> Result<WebhookId, ApiError> {
    id(raw, WebhookId::parse, "resource_not_found", "Webhook")
}

/// Create and update body.
#[derive(Debug, Deserialize)]
pub struct WebhookBody {
    url: Option<String>,
    events: Option<Vec<String>>,
    is_active: Option<bool>,
    metadata: Option<Metadata>,
}

impl WebhookBody {
    fn input(self) -> Result<WebhookInput, ApiError> {
        Ok(WebhookInput {
            url: self.url,
            events: self.events,
            is_active: self.is_active,
            metadata: metadata(self.metadata, "metadata")?,
        })
    }
}

/// Registers an endpoint; the answer holds its secret, shown whole only here.
pub async fn create(
    _: Admin,
    state: web::Data<AppState>,
    body: web::Json<WebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let webhook = state.webhooks.create(body.into_inner().input()?).await?;
    Ok(HttpResponse::Created().json(views::webhook(&webhook, true)))
}

/// Lists endpoints.
pub async fn list(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let data: Vec<_> = state
        .webhooks
        .list()
        .await?
        .iter()
        .map(|w| views::webhook(w, false))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": false, "next_cursor": null})))
}

/// One endpoint.
pub async fn get(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let webhook = state.webhooks.get(&webhook_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(views::webhook(&webhook, false)))
}

/// Changes an endpoint (switching it on again clears why it was off).
pub async fn update(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<WebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let webhook = state
        .webhooks
        .update(&webhook_id(&path)?, body.into_inner().input()?)
        .await?;
    Ok(HttpResponse::Ok().json(views::webhook(&webhook, false)))
}

/// Deletes an endpoint.
pub async fn delete(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = webhook_id(&path)?;
    state.webhooks.delete(&id).await?;
    Ok(HttpResponse::Ok().json(json!({"deleted": true, "id": id.as_str()})))
}

/// Sends a signed `webhook.test` event now.
pub async fn test(
    _: Admin,
    state: web::Data<AppState>,
    dispatcher: web::Data<Dispatcher>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let webhook = state.webhooks.get(&webhook_id(&path)?).await?;
    let answer = dispatcher.test(&webhook).await;
    let (success, status_code, error) = match answer {
        Ok(code) => ((200..300).contains(&code), Some(code), None),
        Err(e) => (false, None, Some(e)),
    };
    Ok(HttpResponse::Ok()
        .json(json!({"success": success, "status_code": status_code, "error": error})))
}

/// An endpoint's deliveries, newest first, with every attempt.
pub async fn deliveries(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .webhooks
        .deliveries(&webhook_id(&path)?, query.page()?)
        .await?;
    Ok(HttpResponse::Ok().json(views::page(&page, |d| d.id.to_string(), views::delivery)))
}

/// Makes a delivery due again now.
pub async fn retry(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (webhook, delivery) = path.into_inner();
    let delivery = id(
        &delivery,
        DeliveryId::parse,
        "resource_not_found",
        "Delivery",
    )?;
    let found = state
        .webhooks
        .retry(&webhook_id(&webhook)?, &delivery)
        .await?;
    Ok(HttpResponse::Ok().json(views::delivery(&found)))
}
