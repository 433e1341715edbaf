//! Shipping and billing addresses (SPEC §4), validated once at the edge.

use crate::validation::{optional_text, required_text, FieldError, ValidationErrors};

mod country;

pub use country::{CountryCode, InvalidCountryCode};

/// An address as a client sent it, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    /// Addressee name (optional: the seed's storefront sends none).
    pub name: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// First address line (required).
    pub line1: String,
    /// Second address line.
    pub line2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State, province or 시/도.
    pub state: Option<String>,
    /// Postal code (required).
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code (required).
    pub country: String,
    /// Phone number.
    pub phone: Option<String>,
    /// Who receives the parcel, when not the addressee.
    pub receiver_name: Option<String>,
}

/// A validated address: required fields non-empty, every field trimmed and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    name: Option<String>,
    company: Option<String>,
    line1: String,
    line2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: String,
    country: CountryCode,
    phone: Option<String>,
    receiver_name: Option<String>,
}

/// Longest name, company or address line, in characters.
const MAX_TEXT: usize = 200;
/// Longest postal code, in characters.
const MAX_POSTAL_CODE: usize = 20;
/// Longest phone number, in characters.
const MAX_PHONE: usize = 32;

impl Address {
    /// Validates an address, reporting every bad field.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each field that is missing, too long or malformed.
    pub fn parse(input: &AddressInput) -> Result<Self, ValidationErrors> {
        let mut errors: Vec<FieldError> = Vec::new();
        let e = &mut errors;
        let country = match CountryCode::parse(&input.country) {
            Ok(code) => Some(code),
            Err(_) => {
                e.push(FieldError::new(
                    "country",
                    "invalid",
                    "must be an ISO 3166-1 alpha-2 country code",
                ));
                None
            }
        };
        let address = Address {
            name: optional_text("name", input.name.as_deref(), MAX_TEXT, e),
            company: optional_text("company", input.company.as_deref(), MAX_TEXT, e),
            line1: required_text("line1", &input.line1, MAX_TEXT, e),
            line2: optional_text("line2", input.line2.as_deref(), MAX_TEXT, e),
            city: optional_text("city", input.city.as_deref(), MAX_TEXT, e),
            state: optional_text("state", input.state.as_deref(), MAX_TEXT, e),
            postal_code: required_text("postal_code", &input.postal_code, MAX_POSTAL_CODE, e),
            phone: optional_text("phone", input.phone.as_deref(), MAX_PHONE, e),
            receiver_name: optional_text(
                "receiver_name",
                input.receiver_name.as_deref(),
                MAX_TEXT,
                e,
            ),
            country: CountryCode::KR,
        };
        match (country, errors.is_empty()) {
            (Some(country), true) => Ok(Address { country, ..address }),
            _ => Err(ValidationErrors(errors)),
        }
    }

    /// The address as plain fields, for storage and responses.
    pub fn to_input(&self) -> AddressInput {
        AddressInput {
            name: self.name.clone(),
            company: self.company.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.as_str().to_owned(),
            phone: self.phone.clone(),
            receiver_name: self.receiver_name.clone(),
        }
    }

    /// The addressee name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The first address line.
    pub fn line1(&self) -> &str {
        &self.line1
    }

    /// The postal code.
    pub fn postal_code(&self) -> &str {
        &self.postal_code
    }

    /// The country.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// Who receives the parcel, falling back to the addressee name.
    pub fn recipient(&self) -> Option<&str> {
        self.receiver_name.as_deref().or(self.name.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_address() -> AddressInput {
        AddressInput {
            line1: "서울특별시 강남구 테헤란로 131".into(),
            line2: Some("  12층 ".into()),
            postal_code: "06133".into(),
            country: "KR".into(),
            receiver_name: Some("김민수".into()),
            phone: Some("010-1234-5678".into()),
            ..AddressInput::default()
        }
    }

    #[test]
    fn accepts_the_seed_korean_address_without_a_name() {
        let address = Address::parse(&seed_address()).unwrap();
        assert_eq!(address.line1(), "서울특별시 강남구 테헤란로 131");
        assert_eq!(address.to_input().line2.as_deref(), Some("12층"));
        assert_eq!(address.country().as_str(), "KR");
        assert_eq!(address.recipient(), Some("김민수"));
        assert_eq!(address.name(), None);
    }

    #[test]
    fn round_trips_through_its_input_form() {
        let address = Address::parse(&seed_address()).unwrap();
        assert_eq!(Address::parse(&address.to_input()), Ok(address));
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let input = AddressInput {
            line1: "   ".into(),
            postal_code: "1".repeat(21),
            country: "XX".into(),
            name: Some("가".repeat(201)),
            ..AddressInput::default()
        };
        let errors = Address::parse(&input).unwrap_err().0;
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(fields.contains(&("country", "invalid")));
        assert!(fields.contains(&("line1", "required")));
        assert!(fields.contains(&("postal_code", "too_long")));
        assert!(fields.contains(&("name", "too_long")));
    }

    #[test]
    fn counts_length_in_characters_not_bytes() {
        let input = AddressInput {
            line1: "가".repeat(200),
            ..seed_address()
        };
        assert!(Address::parse(&input).is_ok());
    }

    #[test]
    fn refuses_control_characters() {
        let input = AddressInput {
            line1: "a\u{0}b".into(),
            ..seed_address()
        };
        assert_eq!(Address::parse(&input).unwrap_err().0[0].code, "invalid");
    }
}
