//! Authentication as extractors: `Storefront` opens with any key of the server's mode,
//! `Admin` only with a secret key.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use commerce_domain::usecases::Principal;

use crate::http::error::ApiError;
use crate::state::AppState;

/// A request opened with a publishable or secret key.
pub struct Storefront(pub Principal);

/// A request opened with a secret key.
pub struct Admin(pub Principal);

fn bearer(request: &HttpRequest) -> Option<String> {
    let header = request.headers().get("authorization")?.to_str().ok()?;
    let (scheme, key) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| key.trim().to_owned())
}

async fn authenticate(request: HttpRequest) -> Result<Principal, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&"application state is not registered"))?;
    let presented = request
        .headers()
        .get("authorization")
        .map(|_| bearer(&request).unwrap_or_default());
    Ok(state
        .keys
        .authenticate(presented.as_deref(), state.mode)
        .await?)
}

impl FromRequest for Storefront {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { authenticate(request).await.map(Storefront) })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let principal = authenticate(request).await?;
            principal.require_secret()?;
            Ok(Admin(principal))
        })
    }
}
