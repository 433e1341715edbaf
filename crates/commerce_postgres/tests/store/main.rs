//! Integration tests of the PostgreSQL stores, one fresh database per test.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

mod access;
mod admin_catalog;
mod carts;
mod catalog;
mod checkout;
mod claims;
mod concurrency;
mod errors;
mod migrations;
mod orders;
mod support;
mod webhooks;
