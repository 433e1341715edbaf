#![doc = include_str!("../README.md")]

mod classify;
mod client;
mod config;
pub mod webhook;
mod wire;

pub use classify::classify;
pub use client::TossClient;
pub use config::{SecretKey, TossConfig};
pub use wire::{map_method, parse_payment};
