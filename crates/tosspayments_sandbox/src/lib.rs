//! Offline simulator of the TossPayments API, for tests and local runs.
//! Built in the TossPayments issue; empty until then.
