//! Job claims: `FOR UPDATE SKIP LOCKED` plus a lease, so several processes share the work and
//! none picks an item another holds. Correctness does not rest on the lease: every write the
//! jobs make is version-checked.

use chrono::{DateTime, Duration, Utc};
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::PgError;
use crate::prepared::Prepared;

#[derive(diesel::QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    order_id: String,
}

/// Claims pending orders past their deadline.
pub(crate) async fn overdue_orders(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: u32,
    lease: Duration,
) -> Result<Vec<String>, PgError> {
    let rows: Vec<Claimed> = Prepared(
        diesel::sql_query(
            "UPDATE orders SET lease_until = $2 WHERE id IN (
             SELECT id FROM orders
             WHERE status = 'pending' AND expires_at <= $1
               AND (lease_until IS NULL OR lease_until <= $1)
             ORDER BY expires_at
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING id AS order_id",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + lease)
        .bind::<BigInt, _>(i64::from(limit)),
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|row| row.order_id).collect())
}

/// Claims payments left `confirming` since before `started_before`.
pub(crate) async fn stale_confirming(
    conn: &mut AsyncPgConnection,
    started_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: u32,
    lease: Duration,
) -> Result<Vec<String>, PgError> {
    let rows: Vec<Claimed> = Prepared(
        diesel::sql_query(
            "UPDATE payments SET lease_until = $3 WHERE id IN (
             SELECT id FROM payments
             WHERE status = 'confirming' AND confirm_started_at < $1
               AND (lease_until IS NULL OR lease_until <= $2)
             ORDER BY confirm_started_at
             LIMIT $4
             FOR UPDATE SKIP LOCKED)
         RETURNING order_id",
        )
        .bind::<Timestamptz, _>(started_before)
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + lease)
        .bind::<BigInt, _>(i64::from(limit)),
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|row| row.order_id).collect())
}
