//! JSON views of domain objects in the shapes the published SDK reads (SPEC §0, §4), plus our
//! extensions (`toss_payment`, `expires_at`, payment `method`, …). Secrets such as the
//! virtual account's deposit `secret` never appear here.

use chrono::{DateTime, SecondsFormat, Utc};
use commerce_domain::address::Address;
use commerce_domain::apikey::ApiKeyInfo;
use commerce_domain::cart::Cart;
use commerce_domain::catalog::{InventoryItem, Page, ProductDetails, Variant};
use commerce_domain::ids::TossOrderId;
use commerce_domain::money::{Krw, CURRENCY};
use commerce_domain::order::OrderStatus;
use commerce_domain::payment::Payment;
use commerce_domain::record::OrderRecord;
use commerce_domain::refund::Refund;
use commerce_domain::usecases::TossCheckout;
use serde_json::{json, Value};

/// `{"amount": won, "currency": "KRW"}`.
pub fn money(amount: Krw) -> Value {
    json!({"amount": amount.won(), "currency": CURRENCY})
}

/// RFC 3339 in UTC with a `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn optional_time(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |t| Value::String(time(t)))
}

/// An address (SDK `Address`, plus `receiver_name`).
pub fn address(a: &Address) -> Value {
    let a = a.to_input();
    json!({
        "name": a.name, "company": a.company, "line1": a.line1, "line2": a.line2,
        "city": a.city, "state": a.state, "postal_code": a.postal_code, "country": a.country,
        "phone": a.phone, "receiver_name": a.receiver_name,
    })
}

fn optional_address(a: Option<&Address>) -> Value {
    a.map_or(Value::Null, address)
}

/// A list page: `{"data", "has_more", "next_cursor", "total_count"?}`.
pub fn page<T>(page: &Page<T>, id_of: impl Fn(&T) -> String, view: impl Fn(&T) -> Value) -> Value {
    let mut body = json!({
        "data": page.items.iter().map(view).collect::<Vec<_>>(),
        "has_more": page.has_more,
        "next_cursor": if page.has_more { page.items.last().map(id_of) } else { None },
    });
    if let Some(total) = page.total_count {
        body["total_count"] = json!(total);
    }
    body
}

/// A cart (SDK `Cart`, plus `order_id`).
pub fn cart(cart: &Cart) -> Value {
    let summary = cart.summary().ok();
    let items: Vec<Value> = cart
        .items
        .iter()
        .map(|item| {
            json!({
                "id": item.id.as_str(),
                "variant_id": item.variant.variant_id.as_str(),
                "product_id": item.variant.product_id.as_str(),
                "product_name": item.variant.product_name,
                "variant_name": item.variant.variant_name,
                "sku": item.variant.sku,
                "image_url": item.variant.image_url,
                "quantity": item.quantity.get(),
                "unit_price": money(item.variant.unit_price),
                "line_discount": money(Krw::ZERO),
                "line_total": money(item.line_total().unwrap_or(Krw::ZERO)),
                "option_values": item.variant.option_values,
                "metadata": item.metadata,
            })
        })
        .collect();
    let summary = summary.map_or(Value::Null, |s| {
        json!({
            "subtotal": money(s.subtotal), "discount_total": money(s.discount_total),
            "shipping_total": money(s.shipping_total), "tax_total": money(s.tax_total),
            "total": money(s.total), "item_count": s.item_count, "total_quantity": s.total_quantity,
        })
    });
    json!({
        "id": cart.id.as_str(),
        "status": cart.status.as_str(),
        "session_id": cart.session_id.as_ref().map(|s| s.as_str()),
        "customer_id": null,
        "items": items,
        "shipping_address": optional_address(cart.shipping_address.as_ref()),
        "billing_address": optional_address(cart.billing_address.as_ref()),
        "shipping_method_id": null,
        "discount_codes": [],
        "summary": summary,
        "applied_discounts": [],
        "metadata": cart.metadata,
        "order_id": cart.order_id.as_ref().map(|id| id.as_str()),
        "created_at": time(cart.created_at),
        "updated_at": time(cart.updated_at),
    })
}

/// A payment (SDK `Payment`, plus method, Toss status, approval, failure, virtual account and
/// refunded amount).
pub fn payment(p: &Payment) -> Value {
    json!({
        "id": p.id.as_str(),
        "order_id": p.order_id.as_str(),
        "provider": "tosspayments",
        "provider_id": p.payment_key.as_ref().map(|k| k.as_str()),
        "amount": money(p.amount),
        "status": p.status.api_status(),
        "method": p.method.map(|m| m.as_str()),
        "provider_status": p.provider_status,
        "approved_at": optional_time(p.approved_at),
        "failure": p.failure.as_ref().map(|f| json!({"code": f.code, "message": f.message})),
        "virtual_account": p.virtual_account.as_ref().map(|a| json!({
            "bank_code": a.bank_code, "account_number": a.account_number,
            "customer_name": a.customer_name, "due_date": optional_time(a.due_date),
        })),
        "refunded_amount": money(p.refunded_amount),
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
    })
}

/// A refund (SDK `Refund`, plus the Toss transaction key).
pub fn refund(r: &Refund) -> Value {
    json!({
        "id": r.id.as_str(),
        "order_id": r.order_id.as_str(),
        "amount": money(r.amount),
        "reason": r.reason,
        "restock": r.restock,
        "status": "completed",
        "lines": [],
        "provider_transaction_key": r.provider_transaction_key,
        "created_at": time(r.created_at),
    })
}

/// What the Toss widget needs for an order.
pub fn toss_payment(toss: &TossCheckout, client_key: Option<&str>) -> Value {
    json!({
        "order_id": toss.order_id.as_str(),
        "order_name": toss.order_name,
        "amount": toss.amount.won(),
        "currency": CURRENCY,
        "customer_email": toss.customer_email.as_str(),
        "customer_key": toss.customer_key,
        "client_key": client_key,
    })
}

/// The widget data of a stored order.
pub fn toss_checkout_of(record: &OrderRecord) -> TossCheckout {
    TossCheckout {
        order_id: TossOrderId::for_order(&record.order.id),
        order_name: record.order.order_name.clone(),
        amount: record.order.total,
        customer_email: record.order.email.clone(),
        customer_key: record
            .order
            .customer_key
            .clone()
            .unwrap_or_else(|| commerce_domain::usecases::ANONYMOUS_CUSTOMER_KEY.to_owned()),
    }
}

/// An order (SDK `Order`/`CheckoutResult`, plus `toss_payment` and `expires_at`).
pub fn order(record: &OrderRecord, client_key: Option<&str>) -> Value {
    let o = &record.order;
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|line| {
            json!({
                "id": line.id.as_str(),
                "variant_id": line.variant_id.as_str(),
                "product_id": line.product_id.as_str(),
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "sku": line.sku,
                "image_url": line.image_url,
                "quantity": line.quantity.get(),
                "unit_price": money(line.unit_price),
                "line_discount": money(Krw::ZERO),
                "line_total": money(line.line_total),
                "tax_amount": money(Krw::ZERO),
                "fulfilled_quantity": 0,
                "refunded_quantity": 0,
                "option_values": line.option_values,
            })
        })
        .collect();
    json!({
        "id": o.id.as_str(),
        "number": o.number.to_string(),
        "status": o.status.as_str(),
        "payment_status": record.payment.status.order_payment_status(),
        "fulfillment_status": "unfulfilled",
        "customer_id": null,
        "email": o.email.as_str(),
        "currency": CURRENCY,
        "shipping_address": address(&o.shipping_address),
        "billing_address": optional_address(o.billing_address.as_ref()),
        "lines": lines,
        "subtotal": money(o.subtotal),
        "discount_total": money(o.discount_total),
        "shipping_total": money(o.shipping_total),
        "tax_total": money(o.tax_total),
        "total": money(o.total),
        "refunded_total": money(o.refunded_total),
        "applied_discounts": [],
        "shipping_method_name": null,
        "note": o.note,
        "cancel_reason": o.cancel_reason.as_ref().map(|r| r.as_str()),
        "payments": [payment(&record.payment)],
        "fulfillments": [],
        "refunds": record.refunds.iter().map(refund).collect::<Vec<_>>(),
        "metadata": o.metadata,
        "created_at": time(o.created_at),
        "updated_at": time(o.updated_at),
        "confirmed_at": optional_time(o.confirmed_at),
        "cancelled_at": optional_time(o.cancelled_at),
        "completed_at": null,
        "expires_at": (o.status == OrderStatus::Pending).then(|| time(o.expires_at)),
        "toss_payment": toss_payment(&toss_checkout_of(record), client_key),
        "payment": null,
    })
}

/// A variant; `admin` adds the cost price and the inventory item id.
pub fn variant(v: &Variant, admin: bool) -> Value {
    let stock = &v.inventory;
    let sellable = (stock.track_inventory && !stock.allow_backorder).then(|| stock.available());
    let mut body = json!({
        "id": v.id.as_str(),
        "product_id": v.product_id.as_str(),
        "name": v.name,
        "sku": v.sku,
        "barcode": v.barcode,
        "price": money(v.price),
        "compare_at_price": v.compare_at_price.map(money),
        "cost_price": if admin { v.cost_price.map(money) } else { None },
        "weight": v.weight,
        "is_active": v.is_active,
        "stock": sellable,
        "option_values": v.option_values,
        "position": v.position,
        "metadata": v.metadata,
        "created_at": time(v.created_at),
        "updated_at": time(v.updated_at),
    });
    if admin {
        body["inventory_item_id"] = json!(stock.id.as_str());
    }
    body
}

/// A product with its variants; storefronts see only active variants.
pub fn product(details: &ProductDetails, admin: bool) -> Value {
    let p = &details.product;
    let variants: Vec<Value> = details
        .variants
        .iter()
        .filter(|v| admin || v.is_active)
        .map(|v| variant(v, admin))
        .collect();
    json!({
        "id": p.id.as_str(),
        "name": p.name,
        "slug": p.slug,
        "description": p.description,
        "type": p.product_type.as_str(),
        "status": p.status.as_str(),
        "tags": p.tags,
        "attributes": p.attributes,
        "images": p.images,
        "price": details.price().map(money),
        "compare_at_price": details.compare_at_price().map(money),
        "options": p.options,
        "variants": variants,
        "metadata": p.metadata,
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
    })
}

/// An inventory item (SDK `InventoryItem`) with its one default level.
pub fn inventory(item: &InventoryItem) -> Value {
    json!({
        "id": item.id.as_str(),
        "variant_id": item.variant_id.as_str(),
        "sku": item.sku,
        "track_inventory": item.track_inventory,
        "allow_backorder": item.allow_backorder,
        "safety_stock": item.safety_stock,
        "levels": [{
            "id": item.id.as_str(),
            "location_id": "default",
            "on_hand": item.on_hand,
            "reserved": item.reserved,
            "available": item.available(),
            "version": item.version,
        }],
    })
}

/// An API key's record (SDK `ApiKeyInfo`, plus `revoked_at`); never the key itself.
pub fn api_key(k: &ApiKeyInfo) -> Value {
    json!({
        "id": k.id.as_str(),
        "name": k.name,
        "key_prefix": k.key_prefix,
        "key_type": k.kind.as_str(),
        "mode": k.mode.as_str(),
        "last_used_at": optional_time(k.last_used_at),
        "expires_at": optional_time(k.expires_at),
        "revoked_at": optional_time(k.revoked_at),
        "created_at": time(k.created_at),
    })
}

/// A merchant webhook endpoint; its secret is shown whole only when `reveal` (the create
/// answer), else masked to its last four characters.
pub fn webhook(w: &commerce_domain::webhook::WebhookEndpoint, reveal: bool) -> Value {
    let secret = if reveal {
        w.secret.clone()
    } else {
        let tail: String = w
            .secret
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("whsec_…{tail}")
    };
    json!({
        "id": w.id.as_str(),
        "url": w.url,
        "events": w.events,
        "is_active": w.is_active,
        "disabled_reason": w.disabled_reason,
        "secret": secret,
        "metadata": w.metadata,
        "created_at": time(w.created_at),
        "updated_at": time(w.updated_at),
    })
}

/// A delivery with every attempt.
pub fn delivery(d: &commerce_domain::ports::Delivery) -> Value {
    json!({
        "id": d.id.as_str(),
        "webhook_id": d.webhook_id.as_str(),
        "event_id": d.event_id.as_str(),
        "event_type": d.event_type,
        "status": d.status,
        "next_attempt_at": (d.status == "pending").then(|| time(d.next_attempt_at)),
        "delivered_at": optional_time(d.delivered_at),
        "created_at": time(d.created_at),
        "attempts": d.attempts.iter().map(|a| json!({
            "attempted_at": time(a.attempted_at),
            "status_code": a.status_code,
            "duration_ms": a.duration_ms,
            "error": a.error,
        })).collect::<Vec<_>>(),
    })
}
