//! Cart rows.

use chrono::{DateTime, Utc};
use commerce_domain::cart::{Cart, CartData, CartItem, CartStatus};
use commerce_domain::ids::{CartId, CartItemId, OrderId, SessionId};
use commerce_domain::quantity::Quantity;
use diesel::prelude::*;
use serde_json::Value;

use crate::error::PgError;
use crate::rows::catalog::{snapshot, VariantView};
use crate::rows::json::{address_to_json, metadata_from_json, metadata_to_json, optional_address};
use crate::schema::{cart_items, carts};

/// A `carts` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = carts, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
pub(crate) struct CartRow {
    pub id: String,
    pub status: String,
    pub session_id: Option<String>,
    pub shipping_address: Option<Value>,
    pub billing_address: Option<Value>,
    pub metadata: Value,
    pub order_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A `cart_items` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = cart_items, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
pub(crate) struct CartItemRow {
    pub id: String,
    pub cart_id: String,
    pub variant_id: String,
    pub quantity: i32,
    pub position: i32,
    pub metadata: Value,
}

impl CartRow {
    /// The row of a cart.
    pub(crate) fn from_cart(cart: &Cart) -> Self {
        CartRow {
            id: cart.id.to_string(),
            status: cart.status.as_str().to_owned(),
            session_id: cart.session_id.as_ref().map(|s| s.as_str().to_owned()),
            shipping_address: cart.shipping_address.as_ref().map(address_to_json),
            billing_address: cart.billing_address.as_ref().map(address_to_json),
            metadata: metadata_to_json(&cart.metadata),
            order_id: cart.order_id.as_ref().map(ToString::to_string),
            version: cart.version,
            created_at: cart.created_at,
            updated_at: cart.updated_at,
        }
    }

    /// The cart, with its lines joined to their variants.
    pub(crate) fn into_cart(self, items: Vec<(CartItemRow, VariantView)>) -> Result<Cart, PgError> {
        let items = items
            .into_iter()
            .map(|(item, view)| {
                Ok(CartItem {
                    id: CartItemId::parse(&item.id).map_err(PgError::corrupt)?,
                    variant: snapshot(view)?,
                    quantity: Quantity::new(i64::from(item.quantity)).map_err(PgError::corrupt)?,
                    metadata: metadata_from_json(item.metadata),
                })
            })
            .collect::<Result<Vec<_>, PgError>>()?;
        Ok(Cart::restore(CartData {
            id: CartId::parse(&self.id).map_err(PgError::corrupt)?,
            status: CartStatus::parse(&self.status)
                .ok_or_else(|| PgError::corrupt(format!("cart status {}", self.status)))?,
            session_id: self
                .session_id
                .as_deref()
                .map(SessionId::parse)
                .transpose()
                .map_err(PgError::corrupt)?,
            items,
            shipping_address: optional_address(self.shipping_address.as_ref())?,
            billing_address: optional_address(self.billing_address.as_ref())?,
            metadata: metadata_from_json(self.metadata),
            order_id: self
                .order_id
                .as_deref()
                .map(OrderId::parse)
                .transpose()
                .map_err(PgError::corrupt)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }))
    }
}

/// The item rows of a cart, positioned in cart order.
pub(crate) fn item_rows(cart: &Cart) -> Vec<CartItemRow> {
    cart.items
        .iter()
        .zip(0..)
        .map(|(item, position)| CartItemRow {
            id: item.id.to_string(),
            cart_id: cart.id.to_string(),
            variant_id: item.variant.variant_id.to_string(),
            quantity: i32::from(item.quantity.get()),
            position,
            metadata: metadata_to_json(&item.metadata),
        })
        .collect()
}
