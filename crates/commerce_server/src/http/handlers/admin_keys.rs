//! Admin API key routes. A key's secret appears once, in the answer that made it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use commerce_domain::apikey::{KeyKind, Mode};
use commerce_domain::ids::ApiKeyId;
use commerce_domain::usecases::NewKeyRequest;
use serde::Deserialize;
use serde_json::json;

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::id;
use crate::http::views;
use crate::state::AppState;

/// Lists keys (never their secrets).
pub async fn list(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let keys = state.keys.list().await?;
    let data: Vec<_> = keys.iter().map(views::api_key).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": false, "next_cursor": null})))
}

/// `POST /admin/api-keys` body.
#[derive(Debug, Deserialize)]
pub struct CreateKey {
    name: String,
    key_type: String,
    mode: Option<String>,
    expires_at: Option<String>,
}

/// Issues a key.
pub async fn create(
    _: Admin,
    state: web::Data<AppState>,
    body: web::Json<CreateKey>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let kind = KeyKind::parse(&body.key_type)
        .ok_or_else(|| ApiError::invalid_field("key_type", "must be secret or publishable"))?;
    let mode = match body.mode.as_deref() {
        None => state.mode,
        Some(raw) => Mode::parse(raw)
            .ok_or_else(|| ApiError::invalid_field("mode", "must be test or live"))?,
    };
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::invalid_field("expires_at", "must be an RFC 3339 time"))
        })
        .transpose()?;
    let issued = state
        .keys
        .create(NewKeyRequest {
            name: body.name,
            kind,
            mode,
            expires_at,
        })
        .await?;
    let mut answer = views::api_key(&issued.info);
    answer["key"] = json!(issued.plaintext);
    Ok(HttpResponse::Created().json(answer))
}

/// Revokes a key at once.
pub async fn revoke(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key_id = id(&path, ApiKeyId::parse, "resource_not_found", "API key")?;
    state.keys.revoke(&key_id).await?;
    Ok(HttpResponse::Ok().json(json!({"deleted": true, "id": key_id.as_str()})))
}

/// Gives a key a new secret; the old one stops working at once.
pub async fn rotate(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key_id = id(&path, ApiKeyId::parse, "resource_not_found", "API key")?;
    let (info, key) = state.keys.rotate(&key_id).await?;
    Ok(HttpResponse::Ok().json(json!({"id": info.id.as_str(), "key": key})))
}
