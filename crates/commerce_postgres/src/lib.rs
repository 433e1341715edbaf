//! PostgreSQL storage adapter of headless-commerce: implements the store ports of
//! `commerce_domain` with diesel-async. Built in the storage issue; empty until then.
