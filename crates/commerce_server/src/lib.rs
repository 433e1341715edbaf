//! The headless-commerce HTTP server: wires the PostgreSQL and TossPayments adapters into the
//! domain's use cases behind an actix-web API that the published SDK speaks to unchanged.

pub mod cli;
pub mod demo;
pub mod http;
pub mod settings;
pub mod startup;
pub mod state;
pub mod system;
pub mod telemetry;
pub mod webhooks;
