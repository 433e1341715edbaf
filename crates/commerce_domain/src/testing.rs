//! Deterministic stand-ins for the clock and the id generator, and fixtures, for this crate's
//! tests and (with the `mocks` feature) other crates' tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::address::{Address, AddressInput};
use crate::catalog::VariantSnapshot;
use crate::email::Email;
use crate::ids::{
    CartId, OrderId, OrderLineId, OrderNumber, PaymentId, PaymentKey, ProductId, TossOrderId,
    VariantId,
};
use crate::money::Krw;
use crate::order::{order_name, Order, OrderData, OrderLine, OrderStatus};
use crate::payment::Payment;
use crate::ports::{Clock, IdGenerator};
use crate::provider::{ProviderPayment, ProviderStatus};
use crate::quantity::Quantity;
use crate::record::OrderRecord;
use crate::Metadata;

/// Hands out 1, 2, 3, ... as "random" bits, so ids are predictable in tests.
#[derive(Debug)]
pub struct SequenceIds(AtomicU64);

impl SequenceIds {
    /// A sequence whose first value is `first`.
    pub fn starting_at(first: u128) -> Self {
        SequenceIds(AtomicU64::new(u64::try_from(first).unwrap_or(u64::MAX)))
    }
}

impl Default for SequenceIds {
    fn default() -> Self {
        SequenceIds::starting_at(1)
    }
}

impl IdGenerator for SequenceIds {
    fn random_u128(&self) -> u128 {
        u128::from(self.0.fetch_add(1, Ordering::Relaxed))
    }
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock showing `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(now))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|now| *now).unwrap_or_default()
    }
}

/// 2026-11-26T12:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_694_400 + seconds, 0).unwrap_or_default()
}

/// The seed's "Classic T-Shirt" variant at `price` won with `available` units.
pub fn tshirt(price: i64, available: Option<i64>) -> VariantSnapshot {
    let ids = SequenceIds::starting_at(1_000);
    VariantSnapshot {
        variant_id: VariantId::generate(&ids),
        product_id: ProductId::generate(&ids),
        product_name: "Classic T-Shirt".to_owned(),
        variant_name: Some("M / Black".to_owned()),
        sku: Some("TS-M-BLK".to_owned()),
        image_url: None,
        unit_price: Krw::new(price).unwrap_or_default(),
        option_values: Metadata::new(),
        is_active: true,
        available,
    }
}

/// The seed's Korean shipping address.
pub fn seed_address() -> Address {
    let input = AddressInput {
        line1: "서울특별시 강남구 테헤란로 131".to_owned(),
        postal_code: "06133".to_owned(),
        country: "KR".to_owned(),
        receiver_name: Some("김민수".to_owned()),
        ..AddressInput::default()
    };
    Address::parse(&input).unwrap_or_else(|_| unreachable!("the seed address is valid"))
}

/// A pending order of one t-shirt line totalling `total` won, placed at `at(0)` and due
/// 30 minutes later.
pub fn pending_order(total: i64) -> Order {
    let ids = SequenceIds::starting_at(2_000);
    let variant = tshirt(total, Some(10));
    let total = Krw::new(total).unwrap_or_default();
    let line = OrderLine {
        id: OrderLineId::generate(&ids),
        variant_id: variant.variant_id,
        product_id: variant.product_id,
        product_name: variant.product_name,
        variant_name: variant.variant_name,
        sku: variant.sku,
        image_url: None,
        quantity: Quantity::new(1).unwrap_or_else(|_| unreachable!()),
        unit_price: total,
        line_total: total,
        option_values: Metadata::new(),
    };
    Order::restore(OrderData {
        id: OrderId::generate(&ids),
        number: OrderNumber::new(1001),
        cart_id: CartId::generate(&ids),
        status: OrderStatus::Pending,
        email: Email::parse("buyer@example.com").unwrap_or_else(|_| unreachable!()),
        shipping_address: seed_address(),
        billing_address: None,
        lines: vec![line],
        subtotal: total,
        discount_total: Krw::ZERO,
        shipping_total: Krw::ZERO,
        tax_total: Krw::ZERO,
        total,
        refunded_total: Krw::ZERO,
        order_name: order_name("Classic T-Shirt", 1),
        customer_key: None,
        note: None,
        cancel_reason: None,
        metadata: Metadata::new(),
        created_at: at(0),
        updated_at: at(0),
        confirmed_at: None,
        cancelled_at: None,
        expires_at: at(30 * 60),
        version: 1,
    })
}

/// The pending payment of [`pending_order`].
pub fn pending_payment(amount: i64) -> Payment {
    let order = pending_order(amount);
    Payment::open(
        PaymentId::generate(&SequenceIds::starting_at(3_000)),
        order.id.clone(),
        order.total,
        at(0),
    )
}

/// [`pending_order`] with its payment and no refunds.
pub fn pending_record(total: i64) -> OrderRecord {
    OrderRecord {
        order: pending_order(total),
        payment: pending_payment(total),
        refunds: Vec::new(),
    }
}

/// The payment key the fixtures use.
pub fn payment_key() -> PaymentKey {
    PaymentKey::parse("tgen_20261126120000abcde").unwrap_or_else(|_| unreachable!())
}

/// What Toss would report for `record`'s order in `status`, for its full amount, with no
/// cancels.
pub fn provider_report(record: &OrderRecord, status: ProviderStatus) -> ProviderPayment {
    ProviderPayment {
        payment_key: payment_key(),
        order_id: TossOrderId::for_order(&record.order.id),
        status,
        total_amount: record.order.total,
        balance_amount: record.order.total,
        method: None,
        approved_at: None,
        virtual_account: None,
        secret: None,
        cancels: Vec::new(),
        failure: None,
        raw: serde_json::Value::Null,
    }
}
