//! Field-level validation errors, so a client learns every bad field of a request at once
//! (SPEC §2: `details.errors[]` of an `invalid_request`).

use std::fmt;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request, e.g. `shipping_address.country`.
    pub field: String,
    /// What is wrong, for humans.
    pub message: String,
    /// A stable machine code: `required`, `too_long`, `invalid`, `out_of_range`.
    pub code: &'static str,
}

impl FieldError {
    /// A field error with the given path, code and message.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            code,
        }
    }

    /// The same error, with its field path nested under `parent`.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// All the field errors of one request; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// A single field error.
    pub fn one(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, code, message)])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        write!(f, "invalid request: {}", fields.join("; "))
    }
}

/// Checks a required text field: trimmed, non-empty, at most `max` characters.
pub(crate) fn required_text(
    field: &str,
    value: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(field, "required", "must not be empty"));
    } else {
        check_length(field, trimmed, max, errors);
    }
    trimmed.to_owned()
}

/// Checks an optional text field: trimmed, empty becomes `None`, at most `max` characters.
pub(crate) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
    check_length(field, trimmed, max, errors);
    Some(trimmed.to_owned())
}

fn check_length(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "invalid",
            "must not contain control characters",
        ));
    }
}
