//! Route handlers: parse the request, call one use case, render the answer.

pub mod admin_catalog;
pub mod admin_keys;
pub mod admin_orders;
pub mod carts;
pub mod checkout;
pub mod health;
pub mod orders;
pub mod payments;
pub mod products;
pub mod webhooks;
