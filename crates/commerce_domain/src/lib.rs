#![doc = include_str!("../README.md")]

pub mod address;
pub mod apikey;
pub mod cart;
pub mod catalog;
pub mod email;
pub mod error;
pub mod events;
pub mod ids;
pub mod money;
pub mod order;
pub mod payment;
pub mod ports;
pub mod provider;
pub mod quantity;
pub mod record;
pub mod refund;
pub mod settle;
pub mod usecases;
pub mod validation;
pub mod webhook;

#[cfg(any(test, feature = "mocks"))]
pub mod testing;

/// Free-form client data attached to carts, orders and lines (a JSON object).
pub type Metadata = serde_json::Map<String, serde_json::Value>;
