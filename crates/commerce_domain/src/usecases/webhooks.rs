//! Managing merchant webhook endpoints and their deliveries.

use crate::catalog::{Page, PageRequest};
use crate::error::ErrorCode;
use crate::ids::{DeliveryId, WebhookId};
use crate::ports::{Delivery, StoreError};
use crate::validation::ValidationErrors;
use crate::webhook::{WebhookEndpoint, WebhookInput};

use super::Ports;

/// Why a webhook use case failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookServiceError {
    /// No such endpoint or delivery.
    #[error("webhook not found")]
    NotFound,
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for WebhookServiceError {
    fn code(&self) -> &'static str {
        match self {
            WebhookServiceError::NotFound => "resource_not_found",
            WebhookServiceError::Invalid(_) => "invalid_request",
            WebhookServiceError::Store(e) => e.code(),
        }
    }
}

/// The webhook endpoint use cases.
#[derive(Clone)]
pub struct WebhookService {
    ports: Ports,
}

impl WebhookService {
    /// Builds the service over the ports.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Registers an endpoint; its secret is in the answer.
    ///
    /// # Errors
    /// [`WebhookServiceError::Invalid`].
    pub async fn create(
        &self,
        input: WebhookInput,
    ) -> Result<WebhookEndpoint, WebhookServiceError> {
        let webhook =
            WebhookEndpoint::create(input, self.ports.ids.as_ref(), self.ports.clock.now())?;
        self.ports.webhooks.insert_webhook(&webhook).await?;
        Ok(webhook)
    }

    /// Every endpoint.
    ///
    /// # Errors
    /// [`WebhookServiceError::Store`].
    pub async fn list(&self) -> Result<Vec<WebhookEndpoint>, WebhookServiceError> {
        Ok(self.ports.webhooks.list_webhooks().await?)
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`WebhookServiceError::NotFound`].
    pub async fn get(&self, id: &WebhookId) -> Result<WebhookEndpoint, WebhookServiceError> {
        self.ports
            .webhooks
            .get_webhook(id)
            .await?
            .ok_or(WebhookServiceError::NotFound)
    }

    /// Changes an endpoint.
    ///
    /// # Errors
    /// [`WebhookServiceError::NotFound`], [`WebhookServiceError::Invalid`].
    pub async fn update(
        &self,
        id: &WebhookId,
        input: WebhookInput,
    ) -> Result<WebhookEndpoint, WebhookServiceError> {
        let mut webhook = self.get(id).await?;
        webhook.apply(input, self.ports.clock.now())?;
        if self.ports.webhooks.update_webhook(&webhook).await? {
            Ok(webhook)
        } else {
            Err(WebhookServiceError::NotFound)
        }
    }

    /// Deletes an endpoint.
    ///
    /// # Errors
    /// [`WebhookServiceError::NotFound`].
    pub async fn delete(&self, id: &WebhookId) -> Result<(), WebhookServiceError> {
        if self
            .ports
            .webhooks
            .delete_webhook(id, self.ports.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(WebhookServiceError::NotFound)
        }
    }

    /// An endpoint's deliveries with every attempt.
    ///
    /// # Errors
    /// [`WebhookServiceError::NotFound`].
    pub async fn deliveries(
        &self,
        id: &WebhookId,
        page: PageRequest,
    ) -> Result<Page<Delivery>, WebhookServiceError> {
        self.get(id).await?;
        Ok(self.ports.webhooks.list_deliveries(id, &page).await?)
    }

    /// Sends a delivery again as soon as the worker runs.
    ///
    /// # Errors
    /// [`WebhookServiceError::NotFound`].
    pub async fn retry(
        &self,
        id: &WebhookId,
        delivery: &DeliveryId,
    ) -> Result<Delivery, WebhookServiceError> {
        self.ports
            .webhooks
            .retry_delivery(id, delivery, self.ports.clock.now())
            .await?
            .ok_or(WebhookServiceError::NotFound)
    }
}
