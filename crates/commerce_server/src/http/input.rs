//! Request bodies shared by several handlers, and their parsing into domain values (parse at
//! the edge, then trust the types).

use commerce_domain::address::{Address, AddressInput};
use commerce_domain::catalog::PageRequest;
use commerce_domain::validation::{FieldError, ValidationErrors};
use commerce_domain::Metadata;
use serde::Deserialize;

use crate::http::error::ApiError;

/// An address as clients send it.
#[derive(Debug, Deserialize)]
pub struct AddressBody {
    name: Option<String>,
    company: Option<String>,
    line1: String,
    line2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: String,
    country: String,
    phone: Option<String>,
    receiver_name: Option<String>,
}

impl AddressBody {
    /// The validated address; field errors are named under `field`.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each bad field.
    pub fn parse(self, field: &str) -> Result<Address, ValidationErrors> {
        Address::parse(&AddressInput {
            name: self.name,
            company: self.company,
            line1: self.line1,
            line2: self.line2,
            city: self.city,
            state: self.state,
            postal_code: self.postal_code,
            country: self.country,
            phone: self.phone,
            receiver_name: self.receiver_name,
        })
        .map_err(|e| ValidationErrors(e.0.into_iter().map(|f| f.under(field)).collect()))
    }
}

/// Parses an optional address field.
///
/// # Errors
/// [`ValidationErrors`].
pub fn optional_address(
    body: Option<AddressBody>,
    field: &str,
) -> Result<Option<Address>, ValidationErrors> {
    body.map(|b| b.parse(field)).transpose()
}

/// `limit` and `starting_after` of a list. Query values are read as text (flattened serde
/// structs see every query value as a string) and parsed here.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// 1..=100.
    pub limit: Option<String>,
    /// A cursor: the last id of the previous page.
    pub starting_after: Option<String>,
}

impl ListQuery {
    /// The page asked for.
    ///
    /// # Errors
    /// [`ApiError`] for a limit outside 1..=100.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = self
            .limit
            .as_deref()
            .map(|raw| {
                raw.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid_field("limit", "must be a whole number"))
            })
            .transpose()?;
        Ok(PageRequest::new(limit, self.starting_after.clone())?)
    }
}

/// A metadata object, at most 50 keys of 40 characters and 64 KiB in all (the body limit).
///
/// # Errors
/// [`ValidationErrors`] for too many or too long keys.
pub fn metadata(
    value: Option<Metadata>,
    field: &str,
) -> Result<Option<Metadata>, ValidationErrors> {
    match &value {
        Some(map)
            if map.len() > 50 || map.keys().any(|k| k.is_empty() || k.chars().count() > 40) =>
        {
            Err(ValidationErrors(vec![FieldError::new(
                field,
                "invalid",
                "at most 50 keys of 1 to 40 characters",
            )]))
        }
        _ => Ok(value),
    }
}

/// Parses a typed id from a path or body, as a 404 with `code` when malformed (an id that
/// cannot exist names nothing).
///
/// # Errors
/// [`ApiError`] 404.
pub fn id<T, E>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    code: &'static str,
    what: &str,
) -> Result<T, ApiError> {
    parse(raw).map_err(|_| ApiError::not_found(code, format!("{what} not found.")))
}

/// A boolean query flag (`true`/`false`, `1`/`0`).
///
/// # Errors
/// [`ApiError`] for anything else.
pub fn flag(raw: Option<&str>, field: &str) -> Result<bool, ApiError> {
    match raw {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(field, "must be true or false")),
    }
}
