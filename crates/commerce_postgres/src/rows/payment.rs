//! Payment rows.

use chrono::{DateTime, Utc};
use commerce_domain::ids::{IdempotencyKey, OrderId, PaymentId, PaymentKey};
use commerce_domain::money::Krw;
use commerce_domain::payment::{
    Payment, PaymentData, PaymentFailure, PaymentMethod, PaymentStatus,
};
use diesel::prelude::*;
use serde_json::Value;

use crate::error::PgError;
use crate::rows::json::{account_from_json, account_to_json};
use crate::schema::payments;

/// A `payments` row (without the provider name, always `tosspayments`, and the job lease).
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payments, check_for_backend(diesel::pg::Pg), treat_none_as_null = true, treat_none_as_default_value = false)]
pub(crate) struct PaymentRow {
    pub id: String,
    pub order_id: String,
    pub amount: i64,
    pub status: String,
    pub payment_key: Option<String>,
    pub method: Option<String>,
    pub provider_status: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub virtual_account: Option<Value>,
    pub deposit_secret: Option<String>,
    pub refunded_amount: i64,
    pub attempts: i32,
    pub confirm_idempotency_key: Option<String>,
    pub confirm_started_at: Option<DateTime<Utc>>,
    pub provider_raw: Option<Value>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PaymentRow {
    /// The row of a payment.
    pub(crate) fn from_payment(payment: &Payment) -> Result<Self, PgError> {
        Ok(PaymentRow {
            id: payment.id.to_string(),
            order_id: payment.order_id.to_string(),
            amount: payment.amount.won(),
            status: payment.status.as_str().to_owned(),
            payment_key: payment.payment_key.as_ref().map(|k| k.as_str().to_owned()),
            method: payment.method.map(|m| m.as_str().to_owned()),
            provider_status: payment.provider_status.clone(),
            approved_at: payment.approved_at,
            failure_code: payment.failure.as_ref().map(|f| f.code.clone()),
            failure_message: payment.failure.as_ref().map(|f| f.message.clone()),
            virtual_account: payment.virtual_account.as_ref().map(account_to_json),
            deposit_secret: payment.deposit_secret.clone(),
            refunded_amount: payment.refunded_amount.won(),
            attempts: i32::try_from(payment.attempts).map_err(PgError::corrupt)?,
            confirm_idempotency_key: payment
                .confirm_idempotency_key
                .as_ref()
                .map(|k| k.as_str().to_owned()),
            confirm_started_at: payment.confirm_started_at,
            provider_raw: payment.provider_raw.clone(),
            version: payment.version,
            created_at: payment.created_at,
            updated_at: payment.updated_at,
        })
    }

    /// The payment.
    pub(crate) fn into_payment(self) -> Result<Payment, PgError> {
        let failure = self.failure_code.map(|code| PaymentFailure {
            code,
            message: self.failure_message.unwrap_or_default(),
        });
        Ok(Payment::restore(PaymentData {
            id: PaymentId::parse(&self.id).map_err(PgError::corrupt)?,
            order_id: OrderId::parse(&self.order_id).map_err(PgError::corrupt)?,
            amount: Krw::new(self.amount).map_err(PgError::corrupt)?,
            status: PaymentStatus::parse(&self.status)
                .ok_or_else(|| PgError::corrupt(format!("payment status {}", self.status)))?,
            payment_key: self
                .payment_key
                .as_deref()
                .map(PaymentKey::parse)
                .transpose()
                .map_err(PgError::corrupt)?,
            method: self
                .method
                .as_deref()
                .map(|m| PaymentMethod::parse(m).ok_or_else(|| PgError::corrupt(m)))
                .transpose()?,
            provider_status: self.provider_status,
            approved_at: self.approved_at,
            failure,
            virtual_account: self
                .virtual_account
                .as_ref()
                .map(account_from_json)
                .transpose()?,
            deposit_secret: self.deposit_secret,
            refunded_amount: Krw::new(self.refunded_amount).map_err(PgError::corrupt)?,
            attempts: u32::try_from(self.attempts).map_err(PgError::corrupt)?,
            confirm_idempotency_key: self
                .confirm_idempotency_key
                .as_deref()
                .map(IdempotencyKey::parse)
                .transpose()
                .map_err(PgError::corrupt)?,
            confirm_started_at: self.confirm_started_at,
            provider_raw: self.provider_raw,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }))
    }
}
