//! Health routes: `/healthz` says the process is up; `/readyz` that the database answers
//! and every migration is applied.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers and the schema is current.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ready().await {
        Ok(true) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(false) => {
            HttpResponse::ServiceUnavailable().json(json!({"status": "migrations_pending"}))
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({"status": "database_unavailable"}))
        }
    }
}
