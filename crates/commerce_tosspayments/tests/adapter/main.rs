//! The Toss adapter against the in-process sandbox, over real HTTP.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

mod cancel;
mod confirm;
mod faults;
mod reads;
mod support;
