//! The HTTP edge: routes, handlers that translate HTTP to use cases, errors to JSON, and the
//! cross-cutting layers (request ids, idempotency, CORS, the payment confirmation's place in
//! the queue for database connections).

pub mod auth;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod input;
pub mod priority;
pub mod request_id;
pub mod routes;
pub mod text_guard;
pub mod views;

use actix_cors::Cors;
use actix_web::middleware::from_fn;
use actix_web::{web, App};

use crate::state::AppState;

/// The CORS layer: the configured origins, or any origin (browser storefronts call with a
/// publishable key in a header, never a cookie).
pub fn cors(origins: Option<&[String]>) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            "authorization",
            "content-type",
            "idempotency-key",
            "x-request-id",
            "x-customer-token",
        ])
        .expose_headers(["x-request-id", "idempotent-replayed"])
        .max_age(600);
    match origins {
        None => cors.allow_any_origin(),
        Some(list) => list
            .iter()
            .fold(cors, |cors, origin| cors.allowed_origin(origin)),
    }
}

/// Builds the application around `state`.
pub fn app(
    state: web::Data<AppState>,
    origins: Option<Vec<String>>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .configure(extract::configure)
        .wrap(from_fn(text_guard::text_guard))
        .wrap(from_fn(idempotency::idempotency))
        .wrap(cors(origins.as_deref()))
        .wrap(from_fn(request_id::request_id))
        .configure(routes::configure)
        .default_service(web::to(extract::not_found))
}
