//! Checks that fail as SQL errors, so they can travel in one pipeline with the `COMMIT`.
//!
//! A version-checked `UPDATE` that matches no row is not an error: PostgreSQL would commit the
//! rest of the transaction. [`Expect`] wraps a statement so that a row count other than the
//! one expected raises a check violation (migration `version_guard`); the transaction is then
//! aborted, every later statement of the pipeline is refused without touching a row, and the
//! pipelined `COMMIT` rolls it all back. [`held`] turns that error back into what it means.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::BigInt;
use diesel::QueryResult;

use crate::error::PgError;
use crate::prepared::Prepared;

/// Raised when a version-checked write found the row changed.
pub(crate) const VERSION_CONFLICT: &str = "hc_version_conflict";
/// Raised when a checkout line's variant has no stock row.
pub(crate) const STOCK_ROW_MISSING: &str = "hc_stock_row_missing";

/// `query` (an `UPDATE … RETURNING` or a `SELECT`) that must yield exactly `rows` rows, or
/// fail with the check violation named `what`.
#[derive(Debug, Clone)]
pub(crate) struct Expect<Q> {
    /// The statement whose rows are counted.
    pub(crate) query: Q,
    /// How many rows it must yield.
    pub(crate) rows: i64,
    /// The error's constraint name: one of this module's constants.
    pub(crate) what: &'static str,
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Expect<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH counted AS (");
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(") SELECT hc_expect_rows(count(*), ");
        out.push_bind_param::<BigInt, i64>(&self.rows)?;
        out.push_sql(", '");
        out.push_sql(self.what);
        out.push_sql("') FROM counted");
        Ok(())
    }
}

impl<Q> QueryId for Expect<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// A version-checked write (an `UPDATE … WHERE version = … RETURNING …`) that fails with
/// [`VERSION_CONFLICT`] unless it changed exactly one row; kept prepared.
pub(crate) fn one_row_or_conflict<Q>(query: Q) -> Prepared<Expect<Q>> {
    Prepared(Expect {
        query,
        rows: 1,
        what: VERSION_CONFLICT,
    })
}

/// The result of an [`Expect`] statement: its check's failure becomes
/// [`PgError::Conflict`] (a stale version) or corrupt data (a missing stock row).
pub(crate) fn held(result: Result<usize, DieselError>) -> Result<(), PgError> {
    match result {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info))
            if info.constraint_name() == Some(VERSION_CONFLICT) =>
        {
            Err(PgError::Conflict)
        }
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info))
            if info.constraint_name() == Some(STOCK_ROW_MISSING) =>
        {
            Err(PgError::corrupt(
                "a checkout line's variant has no stock row",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::orders;
    use diesel::prelude::*;

    #[test]
    fn the_wrapped_statement_is_counted_against_a_bound_expectation() {
        let update = diesel::update(orders::table.filter(orders::id.eq("order_1")))
            .set(orders::version.eq(orders::version + 1))
            .returning(orders::id);
        let sql = diesel::debug_query::<Pg, _>(&Expect {
            query: update,
            rows: 1,
            what: VERSION_CONFLICT,
        })
        .to_string();
        assert!(
            sql.starts_with("WITH counted AS (UPDATE \"orders\" SET"),
            "{sql}"
        );
        assert!(
            sql.contains("RETURNING \"orders\".\"id\") SELECT hc_expect_rows(count(*), $3, 'hc_version_conflict') FROM counted"),
            "{sql}"
        );
    }

    #[tokio::test]
    async fn a_failed_check_is_an_sql_error_that_reads_back_as_what_it_means() {
        use crate::prepared::Prepared;
        use crate::schema::inventory_items;
        use diesel_async::RunQueryDsl;

        let db = crate::testing::TestDb::new().await;
        let mut conn = db.conn().await;
        let none: Vec<String> = vec!["var_nothere".into()];
        let missing = Prepared(Expect {
            query: inventory_items::table
                .filter(inventory_items::variant_id.eq_any(&none))
                .select(inventory_items::id),
            rows: 1,
            what: STOCK_ROW_MISSING,
        })
        .execute(&mut conn)
        .await;
        assert!(matches!(held(missing), Err(PgError::Corrupt(_))));

        let stale = Prepared(Expect {
            query: diesel::update(orders::table.filter(orders::id.eq("order_nothere")))
                .set(orders::version.eq(orders::version + 1))
                .returning(orders::id),
            rows: 1,
            what: VERSION_CONFLICT,
        })
        .execute(&mut conn)
        .await;
        assert!(matches!(held(stale), Err(PgError::Conflict)));

        let present: Vec<String> = Vec::new();
        let nothing_expected = Prepared(Expect {
            query: inventory_items::table
                .filter(inventory_items::variant_id.eq_any(&present))
                .select(inventory_items::id),
            rows: 0,
            what: STOCK_ROW_MISSING,
        })
        .execute(&mut conn)
        .await;
        assert!(held(nothing_expected).is_ok());
    }
}
