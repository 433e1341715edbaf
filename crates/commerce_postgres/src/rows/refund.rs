//! Refund rows.

use chrono::{DateTime, Utc};
use commerce_domain::ids::{OrderId, PaymentId, RefundId};
use commerce_domain::money::Krw;
use commerce_domain::refund::Refund;
use diesel::prelude::*;

use crate::error::PgError;
use crate::schema::refunds;

/// A `refunds` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
pub(crate) struct RefundRow {
    pub id: String,
    pub order_id: String,
    pub payment_id: String,
    pub amount: i64,
    pub reason: Option<String>,
    pub restock: bool,
    pub status: String,
    pub provider_transaction_key: String,
    pub created_at: DateTime<Utc>,
}

impl RefundRow {
    /// The row of a refund.
    pub(crate) fn from_refund(refund: &Refund) -> Self {
        RefundRow {
            id: refund.id.to_string(),
            order_id: refund.order_id.to_string(),
            payment_id: refund.payment_id.to_string(),
            amount: refund.amount.won(),
            reason: refund.reason.clone(),
            restock: refund.restock,
            status: "succeeded".to_owned(),
            provider_transaction_key: refund.provider_transaction_key.clone(),
            created_at: refund.created_at,
        }
    }

    /// The refund.
    pub(crate) fn into_refund(self) -> Result<Refund, PgError> {
        Ok(Refund {
            id: RefundId::parse(&self.id).map_err(PgError::corrupt)?,
            order_id: OrderId::parse(&self.order_id).map_err(PgError::corrupt)?,
            payment_id: PaymentId::parse(&self.payment_id).map_err(PgError::corrupt)?,
            amount: Krw::new(self.amount).map_err(PgError::corrupt)?,
            reason: self.reason,
            restock: self.restock,
            provider_transaction_key: self.provider_transaction_key,
            created_at: self.created_at,
        })
    }
}
