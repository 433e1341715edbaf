#![doc = include_str!("../README.md")]

mod api;
pub mod clock;
mod control;
mod engine;
mod errors;
mod faults;
mod idempotency;
mod model;
mod server;
mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use faults::FaultMode;
pub use server::{start, SandboxConfig, SandboxHandle};
pub use webhooks::{sign, WebhookAttempt, RETRY_SCHEDULE};
