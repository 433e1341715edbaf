//! Row types of the tables and their conversions to and from the domain's types. Rows stay
//! private to the crate: diesel never touches a domain type.

pub(crate) mod cart;
pub(crate) mod catalog;
pub(crate) mod json;
pub(crate) mod order;
pub(crate) mod payment;
pub(crate) mod product;
pub(crate) mod refund;
