//! JSON encodings of the values kept in `jsonb` columns.

use chrono::{DateTime, Utc};
use commerce_domain::address::{Address, AddressInput};
use commerce_domain::payment::VirtualAccount;
use commerce_domain::Metadata;
use serde_json::{json, Value};

use crate::error::PgError;

/// An address as stored.
pub(crate) fn address_to_json(address: &Address) -> Value {
    let a = address.to_input();
    json!({
        "name": a.name, "company": a.company, "line1": a.line1, "line2": a.line2,
        "city": a.city, "state": a.state, "postal_code": a.postal_code,
        "country": a.country, "phone": a.phone, "receiver_name": a.receiver_name,
    })
}

fn text(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// A stored address, validated again on the way in.
pub(crate) fn address_from_json(value: &Value) -> Result<Address, PgError> {
    let input = AddressInput {
        name: text(value, "name"),
        company: text(value, "company"),
        line1: text(value, "line1").unwrap_or_default(),
        line2: text(value, "line2"),
        city: text(value, "city"),
        state: text(value, "state"),
        postal_code: text(value, "postal_code").unwrap_or_default(),
        country: text(value, "country").unwrap_or_default(),
        phone: text(value, "phone"),
        receiver_name: text(value, "receiver_name"),
    };
    Address::parse(&input).map_err(PgError::corrupt)
}

/// An optional stored address.
pub(crate) fn optional_address(value: Option<&Value>) -> Result<Option<Address>, PgError> {
    value
        .filter(|v| !v.is_null())
        .map(address_from_json)
        .transpose()
}

/// Metadata as stored.
pub(crate) fn metadata_to_json(metadata: &Metadata) -> Value {
    Value::Object(metadata.clone())
}

/// Stored metadata; anything but an object reads as empty.
pub(crate) fn metadata_from_json(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        _ => Metadata::new(),
    }
}

/// A virtual account as stored.
pub(crate) fn account_to_json(account: &VirtualAccount) -> Value {
    json!({
        "bank_code": account.bank_code,
        "account_number": account.account_number,
        "customer_name": account.customer_name,
        "due_date": account.due_date.map(|d| d.to_rfc3339()),
    })
}

/// A stored virtual account.
pub(crate) fn account_from_json(value: &Value) -> Result<VirtualAccount, PgError> {
    let due_date = text(value, "due_date")
        .map(|raw| {
            DateTime::parse_from_rfc3339(&raw)
                .map(|d| d.with_timezone(&Utc))
                .map_err(PgError::corrupt)
        })
        .transpose()?;
    Ok(VirtualAccount {
        bank_code: text(value, "bank_code"),
        account_number: text(value, "account_number")
            .ok_or_else(|| PgError::corrupt("virtual account without a number"))?,
        customer_name: text(value, "customer_name"),
        due_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use commerce_domain::testing::{at, seed_address};

    #[test]
    fn addresses_round_trip() {
        let address = seed_address();
        assert_eq!(
            address_from_json(&address_to_json(&address)).unwrap(),
            address
        );
        assert!(optional_address(Some(&Value::Null)).unwrap().is_none());
        assert!(address_from_json(&json!({"line1": "x"})).is_err());
    }

    #[test]
    fn virtual_accounts_round_trip() {
        let account = VirtualAccount {
            bank_code: Some("88".into()),
            account_number: "X123".into(),
            customer_name: Some("김민수".into()),
            due_date: Some(at(86_400)),
        };
        assert_eq!(
            account_from_json(&account_to_json(&account)).unwrap(),
            account
        );
    }
}
