//! Checkout: turns an active cart into a pending order with a pending payment, reserving
//! stock, and answers with what the Toss payment widget needs (SPEC §4).

use chrono::Duration;

use crate::address::Address;
use crate::cart::{Cart, CartError, CartStatus};
use crate::email::Email;
use crate::error::ErrorCode;
use crate::events::{stamp, EventKind};
use crate::ids::{CartId, OrderId, OrderLineId, OrderNumber, PaymentId, TossOrderId, VariantId};
use crate::money::Krw;
use crate::order::{order_name, Order, OrderData, OrderLine, OrderStatus};
use crate::payment::Payment;
use crate::ports::{CheckoutPlan, CheckoutStoreError, StoreError};
use crate::record::OrderRecord;
use crate::validation::ValidationErrors;
use crate::Metadata;

use super::{Ports, MAX_ATTEMPTS};

/// The only payment method offered.
pub const TOSSPAYMENTS: &str = "tosspayments";
/// Toss's customer key for guests.
pub const ANONYMOUS_CUSTOMER_KEY: &str = "@@ANONYMOUS";
/// Longest order note, in characters.
const MAX_NOTE: usize = 1_000;

/// A checkout, parsed at the edge.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// The cart to check out.
    pub cart_id: CartId,
    /// The customer's e-mail.
    pub email: Email,
    /// Where to ship.
    pub shipping_address: Address,
    /// Where to bill.
    pub billing_address: Option<Address>,
    /// Must be `tosspayments`.
    pub payment_method: String,
    /// The customer's note.
    pub note: Option<String>,
    /// Client data.
    pub metadata: Metadata,
    /// The Toss `customerKey`; guests get `@@ANONYMOUS`.
    pub customer_key: Option<String>,
}

/// What the Toss payment widget needs (our `toss_payment` extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TossCheckout {
    /// `"HC-" + order.id`.
    pub order_id: TossOrderId,
    /// The payment window's order name.
    pub order_name: String,
    /// The order's total.
    pub amount: Krw,
    /// The customer's e-mail.
    pub customer_email: Email,
    /// The given customer key, or `@@ANONYMOUS`.
    pub customer_key: String,
}

/// A placed order and the widget's data.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutResult {
    /// The new order with its payment.
    pub record: OrderRecord,
    /// For the Toss widget.
    pub toss: TossCheckout,
}

/// Why a checkout failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// A payment method other than `tosspayments`.
    #[error("unsupported payment method")]
    UnsupportedPaymentMethod,
    /// A bad field (customer key, note).
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// No such cart.
    #[error("cart not found")]
    CartNotFound,
    /// The cart was already checked out.
    #[error("the cart was already checked out")]
    CartNotActive {
        /// The order it became.
        order_id: Option<OrderId>,
    },
    /// The cart has no lines.
    #[error("the cart is empty")]
    CartEmpty,
    /// The order would total zero won, which TossPayments cannot collect.
    #[error("the order total must be at least 1 won")]
    ZeroTotal,
    /// A line asks for more than is available (0 for a variant no longer for sale).
    #[error("insufficient stock")]
    InsufficientStock {
        /// The variant.
        variant_id: VariantId,
        /// Units asked for.
        requested: i64,
        /// Units available.
        available: i64,
    },
    /// The totals do not fit our range.
    #[error("the order total is too large")]
    TotalTooLarge,
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for CheckoutError {
    fn code(&self) -> &'static str {
        match self {
            CheckoutError::UnsupportedPaymentMethod => "unsupported_payment_method",
            CheckoutError::Invalid(_) => "invalid_request",
            CheckoutError::CartNotFound => "cart_not_found",
            CheckoutError::CartNotActive { .. } => "cart_not_active",
            CheckoutError::CartEmpty => "cart_empty",
            CheckoutError::ZeroTotal => "invalid_request",
            CheckoutError::InsufficientStock { .. } => "insufficient_stock",
            CheckoutError::TotalTooLarge => "invalid_request",
            CheckoutError::Store(e) => e.code(),
        }
    }
}

/// The checkout use case.
#[derive(Clone)]
pub struct CheckoutService {
    ports: Ports,
    payment_timeout: Duration,
}

impl CheckoutService {
    /// Builds the service; orders must be paid within `payment_timeout` of checkout.
    pub fn new(ports: Ports, payment_timeout: Duration) -> Self {
        Self {
            ports,
            payment_timeout,
        }
    }

    /// Checks out a cart: all or nothing, retried if the cart changes meanwhile.
    ///
    /// # Errors
    /// [`CheckoutError`]; on any error nothing was written and no stock is held.
    pub async fn checkout(
        &self,
        request: CheckoutRequest,
    ) -> Result<CheckoutResult, CheckoutError> {
        if request.payment_method != TOSSPAYMENTS {
            return Err(CheckoutError::UnsupportedPaymentMethod);
        }
        validate_customer_key(request.customer_key.as_deref())?;
        validate_note(request.note.as_deref())?;
        for _ in 0..MAX_ATTEMPTS {
            let (cart, number) = self
                .ports
                .orders
                .get_cart_with_number(&request.cart_id)
                .await?
                .ok_or(CheckoutError::CartNotFound)?;
            let plan = self.plan(cart, number, &request)?;
            match self.ports.orders.place_order(&plan).await {
                Ok(()) => return Ok(result(plan, &request)),
                Err(CheckoutStoreError::CartChanged) => continue,
                Err(CheckoutStoreError::InsufficientStock {
                    variant_id,
                    requested,
                    available,
                }) => {
                    return Err(CheckoutError::InsufficientStock {
                        variant_id,
                        requested,
                        available,
                    })
                }
                Err(CheckoutStoreError::Store(e)) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Decides everything the checkout writes, from the cart as read.
    fn plan(
        &self,
        mut cart: Cart,
        number: OrderNumber,
        request: &CheckoutRequest,
    ) -> Result<CheckoutPlan, CheckoutError> {
        if cart.status != CartStatus::Active {
            return Err(CheckoutError::CartNotActive {
                order_id: cart.order_id.clone(),
            });
        }
        if cart.items.is_empty() {
            return Err(CheckoutError::CartEmpty);
        }
        for item in &cart.items {
            let requested = i64::from(item.quantity.get());
            if !item.variant.is_active || !item.variant.can_sell(requested) {
                return Err(CheckoutError::InsufficientStock {
                    variant_id: item.variant.variant_id.clone(),
                    requested,
                    available: if item.variant.is_active {
                        item.variant.available.unwrap_or(0).max(0)
                    } else {
                        0
                    },
                });
            }
        }
        let summary = cart.summary().map_err(|_| CheckoutError::TotalTooLarge)?;
        if summary.total.is_zero() {
            return Err(CheckoutError::ZeroTotal);
        }
        let ids = self.ports.ids.as_ref();
        let now = self.ports.clock.now();
        let order_id = OrderId::generate(ids);
        let lines = cart
            .items
            .iter()
            .map(|item| {
                Ok(OrderLine {
                    id: OrderLineId::generate(ids),
                    variant_id: item.variant.variant_id.clone(),
                    product_id: item.variant.product_id.clone(),
                    product_name: item.variant.product_name.clone(),
                    variant_name: item.variant.variant_name.clone(),
                    sku: item.variant.sku.clone(),
                    image_url: item.variant.image_url.clone(),
                    quantity: item.quantity,
                    unit_price: item.variant.unit_price,
                    line_total: item
                        .line_total()
                        .map_err(|_| CheckoutError::TotalTooLarge)?,
                    option_values: item.variant.option_values.clone(),
                })
            })
            .collect::<Result<Vec<_>, CheckoutError>>()?;
        let first_name = lines
            .first()
            .map(|line| line.product_name.clone())
            .unwrap_or_default();
        let order = Order::place(OrderData {
            id: order_id.clone(),
            number,
            cart_id: cart.id.clone(),
            status: OrderStatus::Pending,
            email: request.email.clone(),
            shipping_address: request.shipping_address.clone(),
            billing_address: request.billing_address.clone(),
            order_name: order_name(&first_name, summary.total_quantity),
            lines,
            subtotal: summary.subtotal,
            discount_total: summary.discount_total,
            shipping_total: summary.shipping_total,
            tax_total: summary.tax_total,
            total: summary.total,
            refunded_total: Krw::ZERO,
            customer_key: request.customer_key.clone(),
            note: request.note.clone(),
            cancel_reason: None,
            metadata: request.metadata.clone(),
            created_at: now,
            updated_at: now,
            confirmed_at: None,
            cancelled_at: None,
            expires_at: now + self.payment_timeout,
            version: 0,
        });
        let payment = Payment::open(PaymentId::generate(ids), order_id.clone(), order.total, now);
        cart.complete(order_id, now).map_err(|e| match e {
            CartError::NotActive { order_id } => CheckoutError::CartNotActive { order_id },
            _ => CheckoutError::CartNotActive { order_id: None },
        })?;
        let events = stamp(
            vec![EventKind::OrderCreated, EventKind::PaymentCreated],
            &order.id,
            &payment.id,
            ids,
            now,
        );
        Ok(CheckoutPlan {
            cart,
            order,
            payment,
            events,
        })
    }
}

fn result(plan: CheckoutPlan, request: &CheckoutRequest) -> CheckoutResult {
    let toss = TossCheckout {
        order_id: TossOrderId::for_order(&plan.order.id),
        order_name: plan.order.order_name.clone(),
        amount: plan.order.total,
        customer_email: plan.order.email.clone(),
        customer_key: request
            .customer_key
            .clone()
            .unwrap_or_else(|| ANONYMOUS_CUSTOMER_KEY.to_owned()),
    };
    CheckoutResult {
        record: OrderRecord {
            order: plan.order,
            payment: plan.payment,
            refunds: Vec::new(),
        },
        toss,
    }
}

/// Toss's SDK takes 2 to 50 characters of `[A-Za-z0-9-_=.@]` as `customerKey`.
fn validate_customer_key(key: Option<&str>) -> Result<(), ValidationErrors> {
    let Some(key) = key else { return Ok(()) };
    let ok = (2..=50).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ValidationErrors::one(
            "customer_key",
            "invalid",
            "must be 2 to 50 characters of A-Z, a-z, 0-9, '-', '_', '=', '.', '@'",
        ))
    }
}

fn validate_note(note: Option<&str>) -> Result<(), ValidationErrors> {
    match note {
        Some(note) if note.chars().count() > MAX_NOTE => Err(ValidationErrors::one(
            "note",
            "too_long",
            format!("must be at most {MAX_NOTE} characters"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
