//! TossPayments gateway adapter of headless-commerce: implements the payment gateway port of
//! `commerce_domain` over the Toss REST API. Built in the TossPayments issue; empty until then.
