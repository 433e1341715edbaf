//! Products.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::variant::Variant;
use crate::ids::ProductId;
use crate::money::Krw;
use crate::validation::{optional_text, required_text, FieldError, ValidationErrors};
use crate::Metadata;

/// What kind of thing is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductType {
    /// Shipped goods.
    Physical,
    /// Downloads.
    Digital,
    /// Services.
    Service,
    /// A bundle of other products.
    Bundle,
}

/// Whether a product is shown to storefronts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    /// Being prepared; hidden.
    Draft,
    /// For sale.
    Active,
    /// No longer sold; hidden.
    Archived,
}

macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// The wire and storage name.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }

            /// Parses a name.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($name => Some($ty::$variant),)* _ => None }
            }
        }
    };
}

names!(ProductType { Physical => "physical", Digital => "digital", Service => "service", Bundle => "bundle" });
names!(ProductStatus { Draft => "draft", Active => "active", Archived => "archived" });

/// A product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Its id.
    pub id: ProductId,
    /// Its name.
    pub name: String,
    /// Its URL name: lower-case letters, digits and dashes.
    pub slug: String,
    /// Its description.
    pub description: Option<String>,
    /// What kind of thing it is.
    pub product_type: ProductType,
    /// Whether storefronts see it.
    pub status: ProductStatus,
    /// Tags.
    pub tags: Vec<String>,
    /// Free-form attributes.
    pub attributes: Metadata,
    /// Images, as `[{"url", …}]` or URLs.
    pub images: Vec<Value>,
    /// Option definitions.
    pub options: Vec<Value>,
    /// Client data.
    pub metadata: Metadata,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A product with its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDetails {
    /// The product.
    pub product: Product,
    /// Its variants (not deleted), in position order.
    pub variants: Vec<Variant>,
}

impl ProductDetails {
    /// The lowest price among active variants: the product's `price`.
    pub fn price(&self) -> Option<Krw> {
        self.variants
            .iter()
            .filter(|v| v.is_active)
            .map(|v| v.price)
            .min()
    }

    /// The compare-at price of the cheapest active variant.
    pub fn compare_at_price(&self) -> Option<Krw> {
        self.variants
            .iter()
            .filter(|v| v.is_active)
            .min_by_key(|v| v.price)
            .and_then(|v| v.compare_at_price)
    }
}

/// A product as the admin API creates it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewProduct {
    /// Required, 1 to 200 characters.
    pub name: String,
    /// Required: 1 to 200 of `[a-z0-9-]`.
    pub slug: String,
    /// Optional.
    pub description: Option<String>,
    /// `physical` unless given.
    pub product_type: Option<String>,
    /// `active` unless given.
    pub status: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Attributes.
    pub attributes: Metadata,
    /// Client data.
    pub metadata: Metadata,
}

/// Changes to a product; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductPatch {
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub product_type: Option<String>,
    /// New status.
    pub status: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New attributes.
    pub attributes: Option<Metadata>,
    /// New metadata.
    pub metadata: Option<Metadata>,
}

/// Longest name or slug.
const MAX_NAME: usize = 200;

fn check_slug(slug: &str, errors: &mut Vec<FieldError>) {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_NAME
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !ok {
        errors.push(FieldError::new(
            "slug",
            "invalid",
            "must be 1 to 200 lower-case letters, digits and inner dashes",
        ));
    }
}

fn enum_field<T>(
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = raw?;
    let parsed = parse(raw);
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "invalid",
            format!("unknown value {raw:?}"),
        ));
    }
    parsed
}

fn check_tags(tags: &[String], errors: &mut Vec<FieldError>) {
    if tags.len() > 50
        || tags
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > 100)
    {
        errors.push(FieldError::new(
            "tags",
            "invalid",
            "at most 50 tags of 1 to 100 characters",
        ));
    }
}

impl Product {
    /// Creates a product from admin input.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each bad field.
    pub fn create(
        id: ProductId,
        input: NewProduct,
        now: DateTime<Utc>,
    ) -> Result<Product, ValidationErrors> {
        let mut errors = Vec::new();
        let name = required_text("name", &input.name, MAX_NAME, &mut errors);
        check_slug(&input.slug, &mut errors);
        let description = optional_text(
            "description",
            input.description.as_deref(),
            10_000,
            &mut errors,
        );
        let product_type = enum_field(
            "type",
            input.product_type.as_deref(),
            ProductType::parse,
            &mut errors,
        )
        .unwrap_or(ProductType::Physical);
        let status = enum_field(
            "status",
            input.status.as_deref(),
            ProductStatus::parse,
            &mut errors,
        )
        .unwrap_or(ProductStatus::Active);
        check_tags(&input.tags, &mut errors);
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        Ok(Product {
            id,
            name,
            slug: input.slug,
            description,
            product_type,
            status,
            tags: input.tags,
            attributes: input.attributes,
            images: Vec::new(),
            options: Vec::new(),
            metadata: input.metadata,
            created_at: now,
            updated_at: now,
        })
    }

    /// Applies admin changes.
    ///
    /// # Errors
    /// [`ValidationErrors`] naming each bad field; the product is unchanged then.
    pub fn apply(
        &mut self,
        patch: ProductPatch,
        now: DateTime<Utc>,
    ) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        let mut next = self.clone();
        if let Some(name) = patch.name {
            next.name = required_text("name", &name, MAX_NAME, &mut errors);
        }
        if let Some(slug) = patch.slug {
            check_slug(&slug, &mut errors);
            next.slug = slug;
        }
        if let Some(description) = patch.description {
            next.description =
                optional_text("description", Some(&description), 10_000, &mut errors);
        }
        if let Some(t) = enum_field(
            "type",
            patch.product_type.as_deref(),
            ProductType::parse,
            &mut errors,
        ) {
            next.product_type = t;
        }
        if let Some(s) = enum_field(
            "status",
            patch.status.as_deref(),
            ProductStatus::parse,
            &mut errors,
        ) {
            next.status = s;
        }
        if let Some(tags) = patch.tags {
            check_tags(&tags, &mut errors);
            next.tags = tags;
        }
        if let Some(attributes) = patch.attributes {
            next.attributes = attributes;
        }
        if let Some(metadata) = patch.metadata {
            next.metadata = metadata;
        }
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        next.updated_at = now;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, SequenceIds};

    fn input() -> NewProduct {
        NewProduct {
            name: "Classic T-Shirt".into(),
            slug: "classic-t-shirt".into(),
            ..NewProduct::default()
        }
    }

    #[test]
    fn a_product_defaults_to_an_active_physical_one() {
        let product =
            Product::create(ProductId::generate(&SequenceIds::default()), input(), at(0)).unwrap();
        assert_eq!(product.status, ProductStatus::Active);
        assert_eq!(product.product_type, ProductType::Physical);
    }

    #[test]
    fn bad_names_slugs_and_enums_are_reported_together() {
        let bad = NewProduct {
            name: " ".into(),
            slug: "Not A Slug".into(),
            status: Some("live".into()),
            product_type: Some("gadget".into()),
            ..NewProduct::default()
        };
        let errors = Product::create(ProductId::generate(&SequenceIds::default()), bad, at(0))
            .unwrap_err()
            .0;
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "slug", "type", "status"]);
    }

    #[test]
    fn a_refused_patch_changes_nothing() {
        let mut product =
            Product::create(ProductId::generate(&SequenceIds::default()), input(), at(0)).unwrap();
        let before = product.clone();
        let patch = ProductPatch {
            name: Some("New name".into()),
            slug: Some("-bad".into()),
            ..ProductPatch::default()
        };
        assert!(product.apply(patch, at(5)).is_err());
        assert_eq!(product, before);
        product
            .apply(
                ProductPatch {
                    status: Some("archived".into()),
                    ..ProductPatch::default()
                },
                at(6),
            )
            .unwrap();
        assert_eq!(product.status, ProductStatus::Archived);
        assert_eq!(product.updated_at, at(6));
    }
}
