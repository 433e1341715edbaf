//! Customer e-mail addresses.

use std::fmt;

/// Why an e-mail address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid e-mail address")]
pub struct InvalidEmail;

/// An e-mail address with one `@`, a non-empty local part and a dotted domain, at most 254
/// characters (RFC 5321's path limit). Surrounding white space is trimmed and the domain is
/// lower-cased, so that order look-ups by e-mail match however the customer typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// The longest address accepted.
    pub const MAX_LEN: usize = 254;

    /// Parses an address.
    ///
    /// # Errors
    /// [`InvalidEmail`] when it is not of the shape above.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > Self::MAX_LEN {
            return Err(InvalidEmail);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail);
        }
        let (local, domain) = raw.split_once('@').ok_or(InvalidEmail)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.chars().count() > 64 || !domain_ok {
            return Err(InvalidEmail);
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let email = Email::parse("  Kim.Minsu+shop@Example.CO.KR ").unwrap();
        assert_eq!(email.as_str(), "Kim.Minsu+shop@example.co.kr");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for raw in [
            "",
            "no-at-sign",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@-b.com",
            "a@b..com",
        ] {
            assert_eq!(Email::parse(raw), Err(InvalidEmail), "{raw:?}");
        }
    }

    #[test]
    fn refuses_addresses_over_254_characters() {
        let raw = format!("a@{}.com", "b".repeat(251));
        assert_eq!(Email::parse(&raw), Err(InvalidEmail));
    }
}
