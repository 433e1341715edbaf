//! The one JSON error shape of SPEC §2, and the exhaustive mapping of every domain error to a
//! status. 5xx causes are logged here, once; their bodies stay generic.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use commerce_domain::error::ErrorCode;
use commerce_domain::ports::StoreError;
use commerce_domain::usecases::{
    ApiKeyServiceError, AuthError, CartServiceError, CatalogError, CheckoutError, ConfirmError,
    OrderServiceError, SyncError,
};
use commerce_domain::validation::ValidationErrors;
use serde_json::{json, Value};

/// An error answer: `{"error": {"type", "code", "message", "details"?}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    code: &'static str,
    message: String,
    details: Option<Value>,
}

impl ApiError {
    /// An error with the given status, type, code and message.
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// The same error with details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// 400 `invalid_request`.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "invalid_request",
            message,
        )
    }

    /// 400 `invalid_request` naming one field.
    pub fn invalid_field(field: &str, message: &str) -> Self {
        ValidationErrors::one(field, "invalid", message).into()
    }

    /// 404 with a resource-specific code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", code, message)
    }

    /// 500 `internal_error`; the cause is logged, not shown.
    pub fn internal(cause: &dyn fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal_error",
            "An internal error occurred. The request id identifies it in our logs.",
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, "conflict", code, message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut error = json!({"type": self.kind, "code": self.code, "message": self.message});
        if let Some(details) = &self.details {
            error["details"] = details.clone();
        }
        HttpResponse::build(self.status).json(json!({ "error": error }))
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        let errors: Vec<Value> =
            e.0.iter()
                .map(|f| json!({"field": f.field, "message": f.message, "code": f.code}))
                .collect();
        ApiError::invalid(e.to_string()).with_details(json!({ "errors": errors }))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Conflict | StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, cause = ?std::error::Error::source(&e).map(ToString::to_string), "storage unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "server_error",
                    e.code(),
                    "The service is briefly unavailable; retry shortly.",
                )
            }
            StoreError::Unexpected(_) => ApiError::internal(&format!(
                "{e}: {}",
                std::error::Error::source(&e)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )),
        }
    }
}

fn insufficient(variant_id: &dyn fmt::Display, requested: i64, available: i64) -> ApiError {
    ApiError::conflict("insufficient_stock", "Not enough stock for this variant.").with_details(
        json!({
            "variant_id": variant_id.to_string(), "requested": requested, "available": available,
        }),
    )
}

fn cart_not_active(order_id: Option<&commerce_domain::ids::OrderId>) -> ApiError {
    ApiError::conflict("cart_not_active", "The cart was already checked out.")
        .with_details(json!({"order_id": order_id.map(|id| id.as_str())}))
}

impl From<CartServiceError> for ApiError {
    fn from(e: CartServiceError) -> Self {
        let code = e.code();
        match e {
            CartServiceError::CartNotFound => ApiError::not_found(code, "Cart not found."),
            CartServiceError::VariantNotFound => {
                ApiError::not_found(code, "Variant not found or not for sale.")
            }
            CartServiceError::ItemNotFound => ApiError::not_found(code, "Cart item not found."),
            CartServiceError::CartNotActive { order_id } => cart_not_active(order_id.as_ref()),
            CartServiceError::InsufficientStock {
                variant_id,
                requested,
                available,
            } => insufficient(&variant_id, requested, available),
            CartServiceError::QuantityTooLarge => {
                ApiError::invalid_field("quantity", "a line holds at most 999 units")
            }
            CartServiceError::Store(e) => e.into(),
        }
    }
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        let code = e.code();
        let message = e.to_string();
        match e {
            CheckoutError::UnsupportedPaymentMethod => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                code,
                "payment_method must be \"tosspayments\".",
            ),
            CheckoutError::Invalid(errors) => errors.into(),
            CheckoutError::CartNotFound => ApiError::not_found(code, "Cart not found."),
            CheckoutError::CartNotActive { order_id } => cart_not_active(order_id.as_ref()),
            CheckoutError::CartEmpty => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                code,
                "The cart is empty.",
            ),
            CheckoutError::ZeroTotal | CheckoutError::TotalTooLarge => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                code,
                message,
            ),
            CheckoutError::InsufficientStock {
                variant_id,
                requested,
                available,
            } => insufficient(&variant_id, requested, available),
            CheckoutError::Store(e) => e.into(),
        }
    }
}

impl From<ConfirmError> for ApiError {
    fn from(e: ConfirmError) -> Self {
        let code = e.code();
        match e {
            ConfirmError::OrderNotFound => ApiError::not_found(code, "Order not found."),
            ConfirmError::AmountMismatch { expected, received } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                code,
                "The amount does not match the order total.",
            )
            .with_details(json!({"expected": expected.won(), "received": received.won()})),
            ConfirmError::AlreadyConfirmed => {
                ApiError::conflict(code, "The payment is already confirmed.")
            }
            ConfirmError::InProgress => {
                ApiError::conflict(code, "A confirmation of this payment is already running.")
            }
            ConfirmError::Expired => ApiError::new(
                StatusCode::GONE,
                "conflict",
                code,
                "The payment window has closed for this order.",
            ),
            ConfirmError::Declined(failure) => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "payment_error",
                code,
                "TossPayments declined the payment.",
            )
            .with_details(
                json!({"provider_code": failure.code, "provider_message": failure.message}),
            ),
            ConfirmError::ProviderUnavailable(cause) => {
                tracing::warn!(error = %cause, "payment provider gave no answer");
                provider_error()
            }
            ConfirmError::ProviderMismatch(cause) => {
                tracing::error!(error = %cause, "TossPayments reported a payment that does not match the order; not applied");
                provider_error()
            }
            ConfirmError::Store(e) => e.into(),
        }
    }
}

fn provider_error() -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "payment_error",
        "payment_provider_error",
        "TossPayments could not be reached or gave no answer; the payment will be settled shortly.",
    )
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        let code = e.code();
        match e {
            SyncError::PaymentNotFound => {
                ApiError::not_found(code, "Payment not found at TossPayments.")
            }
            SyncError::InvalidSecret => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                code,
                "Invalid webhook secret.",
            ),
            SyncError::Mismatch(cause) => ApiError::internal(&cause),
            SyncError::Provider(cause) => {
                tracing::warn!(error = %cause, "payment provider gave no answer");
                provider_error()
            }
            SyncError::Store(e) => e.into(),
        }
    }
}

impl From<OrderServiceError> for ApiError {
    fn from(e: OrderServiceError) -> Self {
        let code = e.code();
        match e {
            OrderServiceError::OrderNotFound => ApiError::not_found(code, "Order not found."),
            OrderServiceError::NotCancellable => ApiError::conflict(
                code,
                "Only an unpaid order whose payment is not being confirmed can be cancelled.",
            ),
            OrderServiceError::Invalid(errors) => errors.into(),
            OrderServiceError::Store(e) => e.into(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        let code = e.code();
        let message = e.to_string();
        match e {
            CatalogError::ProductNotFound
            | CatalogError::VariantNotFound
            | CatalogError::InventoryNotFound => ApiError::not_found(code, message),
            CatalogError::SlugTaken | CatalogError::SkuTaken => ApiError::conflict(code, message),
            CatalogError::BelowReserved(below) => ApiError::conflict(code, message)
                .with_details(json!({"would_be": below.would_be, "reserved": below.reserved})),
            CatalogError::Invalid(errors) => errors.into(),
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        let code = e.code();
        match e {
            AuthError::MissingKey => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                code,
                "Send an API key as `Authorization: Bearer <key>`.",
            ),
            AuthError::InvalidKey => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                code,
                "The API key is unknown, revoked or expired.",
            ),
            AuthError::ModeMismatch => ApiError::new(
                StatusCode::FORBIDDEN,
                "permission_error",
                code,
                "The API key belongs to the other mode (test or live).",
            ),
            AuthError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "permission_error",
                code,
                "This route needs a secret key.",
            ),
            AuthError::Store(e) => e.into(),
        }
    }
}

impl From<ApiKeyServiceError> for ApiError {
    fn from(e: ApiKeyServiceError) -> Self {
        let code = e.code();
        match e {
            ApiKeyServiceError::NotFound => ApiError::not_found(code, "API key not found."),
            ApiKeyServiceError::Invalid(errors) => errors.into(),
            ApiKeyServiceError::Store(e) => e.into(),
        }
    }
}
