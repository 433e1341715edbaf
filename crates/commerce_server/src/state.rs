//! What every handler shares, in one `web::Data` (a missing registration fails only at request
//! time in actix, so there is exactly one).

use commerce_domain::apikey::Mode;
use commerce_domain::usecases::{
    ApiKeyService, CartService, CatalogService, CheckoutService, JobService, OrderService,
    PaymentService, Ports, WebhookService,
};
use commerce_postgres::PgStore;

/// The services and the server's mode.
#[derive(Clone)]
pub struct AppState {
    /// Cart use cases.
    pub carts: CartService,
    /// Checkout.
    pub checkout: CheckoutService,
    /// Confirm, fail redirect, provider sync.
    pub payments: PaymentService,
    /// Order reads and admin actions.
    pub orders: OrderService,
    /// Catalog.
    pub catalog: CatalogService,
    /// API keys and authentication.
    pub keys: ApiKeyService,
    /// Background jobs.
    pub jobs: JobService,
    /// Merchant webhook endpoints.
    pub webhooks: WebhookService,
    /// The inbound TossPayments webhook signing secret, when configured.
    pub toss_webhook_secret: Option<String>,
    /// The ports, for the idempotency layer.
    pub ports: Ports,
    /// The store, for readiness checks.
    pub store: PgStore,
    /// Test or live.
    pub mode: Mode,
    /// The Toss client key storefronts load the widget with.
    pub toss_client_key: Option<String>,
}

impl AppState {
    /// The services over `ports`.
    pub fn new(
        ports: Ports,
        store: PgStore,
        mode: Mode,
        payment_timeout: chrono::Duration,
        toss_client_key: Option<String>,
        toss_webhook_secret: Option<String>,
        job_lease: chrono::Duration,
    ) -> Self {
        AppState {
            carts: CartService::new(ports.clone()),
            checkout: CheckoutService::new(ports.clone(), payment_timeout),
            payments: PaymentService::new(ports.clone()),
            orders: OrderService::new(ports.clone()),
            catalog: CatalogService::new(ports.clone()),
            keys: ApiKeyService::new(ports.clone()),
            jobs: JobService::new(ports.clone(), job_lease),
            webhooks: WebhookService::new(ports.clone()),
            toss_webhook_secret,
            ports,
            store,
            mode,
            toss_client_key,
        }
    }
}
