//! Webhooks in both directions: TossPayments notifications coming in (trusted only through a
//! read-back from the Toss API), and signed deliveries of our events going out to merchants.

pub mod inbound;
pub mod outbound;
pub mod signing;
