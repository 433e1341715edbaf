//! Black-box tests of the HTTP API: a server per test, with its own database and an
//! in-process TossPayments sandbox.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

mod admin;
mod auth;
mod errors;
mod flow;
mod helpers;
mod idempotency;
mod openapi;
mod sdk;
mod webhooks;
