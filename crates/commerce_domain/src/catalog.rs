//! The catalog: products, their variants and each variant's stock, as the admin API manages
//! them, and the snapshot of a variant that carts and checkout read.

mod inventory;
mod product;
mod snapshot;
mod variant;

pub use inventory::{BelowReserved, InventoryAdjustment, InventoryItem, InventoryPatch};
pub use product::{NewProduct, Product, ProductDetails, ProductPatch, ProductStatus, ProductType};
pub use snapshot::VariantSnapshot;
pub use variant::{NewVariant, Variant, VariantPatch};

/// A page of a list, cursor-paginated by id (SPEC §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Whether more follow.
    pub has_more: bool,
    /// How many match in all, when counted.
    pub total_count: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only says more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, total_count: Option<i64>) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        Page {
            items: rows,
            has_more,
            total_count,
        }
    }
}

/// Which page of a list to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// 1..=100 items.
    pub limit: u32,
    /// The id after which the page starts.
    pub starting_after: Option<String>,
}

impl PageRequest {
    /// Largest page.
    pub const MAX_LIMIT: u32 = 100;
    /// Page size when the client names none.
    pub const DEFAULT_LIMIT: u32 = 20;

    /// Validates a client's `limit` and `starting_after`.
    ///
    /// # Errors
    /// [`crate::validation::ValidationErrors`] for a limit outside 1..=100.
    pub fn new(
        limit: Option<i64>,
        starting_after: Option<String>,
    ) -> Result<Self, crate::validation::ValidationErrors> {
        let limit = match limit {
            None => Self::DEFAULT_LIMIT,
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    crate::validation::ValidationErrors::one(
                        "limit",
                        "out_of_range",
                        "must be between 1 and 100",
                    )
                })?,
        };
        Ok(PageRequest {
            limit,
            starting_after: starting_after.filter(|s| !s.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_knows_whether_more_follow() {
        let page = Page::from_rows(vec![1, 2, 3], 2, None);
        assert_eq!((page.items, page.has_more), (vec![1, 2], true));
        let page = Page::from_rows(vec![1, 2], 2, Some(2));
        assert_eq!((page.items.len(), page.has_more), (2, false));
    }

    #[test]
    fn limits_are_1_to_100_defaulting_to_20() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::new(Some(100), None).unwrap().limit, 100);
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(101), None).is_err());
        assert_eq!(
            PageRequest::new(Some(5), Some(String::new()))
                .unwrap()
                .starting_after,
            None
        );
    }
}
