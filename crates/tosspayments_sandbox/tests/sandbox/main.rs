//! The sandbox on its raw HTTP API, independently of our Toss adapter, so that a mistake the
//! two might share is caught here against `toss-api.md`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

mod auth;
mod binary;
mod cancels;
mod confirm;
mod faults;
mod idempotency;
mod support;
mod webhooks;
