//! The headless-commerce HTTP server: wires the adapters into the domain use cases.
//! Built in the HTTP server issue; empty until then.
