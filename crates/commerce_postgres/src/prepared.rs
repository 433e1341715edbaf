//! Keeping hot writes prepared.
//!
//! diesel marks every `UPDATE`, every `INSERT` through `Insertable` and every `sql_query` as
//! unsafe to cache, because their SQL text can vary from call to call. diesel-async then
//! prepares such a statement anew on each run: one extra round trip, and PostgreSQL parses
//! and plans it again. The statement cache keys a query without a static id by its SQL text
//! and bind types, so a statement whose text varies simply gets one cache entry per text.
//! That is safe; the only cost is one entry per distinct text, which for the statements
//! wrapped here is a small, bounded set: one per batch size. For that, the row structs bind
//! `NULL` for a `None` (`treat_none_as_default_value = false`; no nullable column has a
//! default) instead of writing `DEFAULT`, which would make the text depend on which fields of
//! which rows are empty.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

/// A query diesel would re-prepare on every run, marked as one to keep prepared per
/// connection, keyed by its SQL text. Wrap only statements whose text comes from a bounded
/// set of shapes (never SQL built from user input).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prepared<Q>(pub(crate) Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::order::OrderLineRow;
    use crate::schema::inventory_items::dsl as inv;
    use diesel::prelude::*;

    #[test]
    fn an_update_diesel_would_not_cache_is_kept_prepared_with_the_same_sql() {
        let update = diesel::update(inv::inventory_items.filter(inv::variant_id.eq("v")))
            .set(inv::reserved.eq(inv::reserved + 1_i64));
        assert!(!update.is_safe_to_cache_prepared(&Pg).unwrap());
        let sql = diesel::debug_query::<Pg, _>(&update).to_string();
        let kept = Prepared(update);
        assert!(kept.is_safe_to_cache_prepared(&Pg).unwrap());
        assert_eq!(diesel::debug_query::<Pg, _>(&kept).to_string(), sql);
        assert_eq!(<Prepared<()> as QueryId>::query_id(), None);
    }

    fn line(n: i32, sku: Option<&str>) -> OrderLineRow {
        OrderLineRow {
            id: format!("line_{n}"),
            order_id: "order_1".into(),
            position: n,
            variant_id: "var_1".into(),
            product_id: "prod_1".into(),
            product_name: "Tee".into(),
            variant_name: None,
            sku: sku.map(str::to_owned),
            image_url: None,
            quantity: 1,
            unit_price: 1_000,
            line_total: 1_000,
            option_values: serde_json::json!({}),
        }
    }

    fn sql_of(lines: &[OrderLineRow]) -> String {
        let insert = diesel::insert_into(crate::schema::order_lines::table).values(lines);
        let text = diesel::debug_query::<Pg, _>(&insert).to_string();
        text.split(" -- binds")
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_batch_insert_has_one_text_per_row_count_whatever_fields_are_empty() {
        let some = sql_of(&[line(0, Some("SKU-1")), line(1, None)]);
        let none = sql_of(&[line(0, None), line(1, Some("SKU-2"))]);
        assert_eq!(some, none);
        assert!(!some.contains("DEFAULT"), "{some}");
        assert_ne!(some, sql_of(&[line(0, None)]));
    }
}
