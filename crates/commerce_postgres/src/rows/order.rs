//! Order and order-line rows.

use chrono::{DateTime, Utc};
use commerce_domain::email::Email;
use commerce_domain::ids::{CartId, OrderId, OrderLineId, OrderNumber, ProductId, VariantId};
use commerce_domain::money::Krw;
use commerce_domain::order::{CancelReason, Order, OrderData, OrderLine, OrderStatus};
use commerce_domain::quantity::Quantity;
use diesel::prelude::*;
use serde_json::Value;

use crate::error::PgError;
use crate::rows::json::{
    address_from_json, address_to_json, metadata_from_json, metadata_to_json, optional_address,
};
use crate::schema::{order_lines, orders};

/// An `orders` row (without the job lease, which only the claims touch).
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = orders, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
pub(crate) struct OrderRow {
    pub id: String,
    pub number: i64,
    pub cart_id: String,
    pub status: String,
    pub email: String,
    pub shipping_address: Value,
    pub billing_address: Option<Value>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub total: i64,
    pub refunded_total: i64,
    pub order_name: String,
    pub customer_key: Option<String>,
    pub note: Option<String>,
    pub cancel_reason: Option<String>,
    pub metadata: Value,
    pub expires_at: DateTime<Utc>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// The columns a state change rewrites.
#[derive(AsChangeset)]
#[diesel(table_name = orders, treat_none_as_null = true)]
pub(crate) struct OrderChanges {
    pub status: String,
    pub refunded_total: i64,
    pub cancel_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// An `order_lines` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = order_lines, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
pub(crate) struct OrderLineRow {
    pub id: String,
    pub order_id: String,
    pub position: i32,
    pub variant_id: String,
    pub product_id: String,
    pub product_name: String,
    pub variant_name: Option<String>,
    pub sku: Option<String>,
    pub image_url: Option<String>,
    pub quantity: i32,
    pub unit_price: i64,
    pub line_total: i64,
    pub option_values: Value,
}

fn krw(won: i64) -> Result<Krw, PgError> {
    Krw::new(won).map_err(PgError::corrupt)
}

fn number(number: OrderNumber) -> Result<i64, PgError> {
    i64::try_from(number.get()).map_err(PgError::corrupt)
}

impl OrderRow {
    /// The row of a new order.
    pub(crate) fn from_order(order: &Order) -> Result<Self, PgError> {
        Ok(OrderRow {
            id: order.id.to_string(),
            number: number(order.number)?,
            cart_id: order.cart_id.to_string(),
            status: order.status.as_str().to_owned(),
            email: order.email.to_string(),
            shipping_address: address_to_json(&order.shipping_address),
            billing_address: order.billing_address.as_ref().map(address_to_json),
            subtotal: order.subtotal.won(),
            discount_total: order.discount_total.won(),
            shipping_total: order.shipping_total.won(),
            tax_total: order.tax_total.won(),
            total: order.total.won(),
            refunded_total: order.refunded_total.won(),
            order_name: order.order_name.clone(),
            customer_key: order.customer_key.clone(),
            note: order.note.clone(),
            cancel_reason: order.cancel_reason.as_ref().map(|r| r.as_str().to_owned()),
            metadata: metadata_to_json(&order.metadata),
            expires_at: order.expires_at,
            version: order.version,
            created_at: order.created_at,
            updated_at: order.updated_at,
            confirmed_at: order.confirmed_at,
            cancelled_at: order.cancelled_at,
        })
    }

    /// The order, with its lines.
    pub(crate) fn into_order(self, lines: Vec<OrderLineRow>) -> Result<Order, PgError> {
        let lines = lines
            .into_iter()
            .map(OrderLineRow::into_line)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Order::restore(OrderData {
            id: OrderId::parse(&self.id).map_err(PgError::corrupt)?,
            number: OrderNumber::new(u64::try_from(self.number).map_err(PgError::corrupt)?),
            cart_id: CartId::parse(&self.cart_id).map_err(PgError::corrupt)?,
            status: OrderStatus::parse(&self.status)
                .ok_or_else(|| PgError::corrupt(format!("order status {}", self.status)))?,
            email: Email::parse(&self.email).map_err(PgError::corrupt)?,
            shipping_address: address_from_json(&self.shipping_address)?,
            billing_address: optional_address(self.billing_address.as_ref())?,
            lines,
            subtotal: krw(self.subtotal)?,
            discount_total: krw(self.discount_total)?,
            shipping_total: krw(self.shipping_total)?,
            tax_total: krw(self.tax_total)?,
            total: krw(self.total)?,
            refunded_total: krw(self.refunded_total)?,
            order_name: self.order_name,
            customer_key: self.customer_key,
            note: self.note,
            cancel_reason: self.cancel_reason.as_deref().map(CancelReason::parse),
            metadata: metadata_from_json(self.metadata),
            created_at: self.created_at,
            updated_at: self.updated_at,
            confirmed_at: self.confirmed_at,
            cancelled_at: self.cancelled_at,
            expires_at: self.expires_at,
            version: self.version,
        }))
    }
}

impl OrderChanges {
    /// What a change writes to the order's row.
    pub(crate) fn of(order: &Order) -> Self {
        OrderChanges {
            status: order.status.as_str().to_owned(),
            refunded_total: order.refunded_total.won(),
            cancel_reason: order.cancel_reason.as_ref().map(|r| r.as_str().to_owned()),
            expires_at: order.expires_at,
            updated_at: order.updated_at,
            confirmed_at: order.confirmed_at,
            cancelled_at: order.cancelled_at,
        }
    }
}

impl OrderLineRow {
    /// The rows of an order's lines.
    pub(crate) fn from_order(order: &Order) -> Vec<OrderLineRow> {
        order
            .lines
            .iter()
            .zip(0..)
            .map(|(line, position)| OrderLineRow {
                id: line.id.to_string(),
                order_id: order.id.to_string(),
                position,
                variant_id: line.variant_id.to_string(),
                product_id: line.product_id.to_string(),
                product_name: line.product_name.clone(),
                variant_name: line.variant_name.clone(),
                sku: line.sku.clone(),
                image_url: line.image_url.clone(),
                quantity: i32::from(line.quantity.get()),
                unit_price: line.unit_price.won(),
                line_total: line.line_total.won(),
                option_values: metadata_to_json(&line.option_values),
            })
            .collect()
    }

    fn into_line(self) -> Result<OrderLine, PgError> {
        Ok(OrderLine {
            id: OrderLineId::parse(&self.id).map_err(PgError::corrupt)?,
            variant_id: VariantId::parse(&self.variant_id).map_err(PgError::corrupt)?,
            product_id: ProductId::parse(&self.product_id).map_err(PgError::corrupt)?,
            product_name: self.product_name,
            variant_name: self.variant_name,
            sku: self.sku,
            image_url: self.image_url,
            quantity: Quantity::new(i64::from(self.quantity)).map_err(PgError::corrupt)?,
            unit_price: krw(self.unit_price)?,
            line_total: krw(self.line_total)?,
            option_values: metadata_from_json(self.option_values),
        })
    }
}
