//! `IdempotencyStore` over PostgreSQL, so a retried POST gets the first answer in any process.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use commerce_domain::ports::{IdempotencyBegin, IdempotencyStore, StoreError, StoredResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::PgStore;
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::schema::idempotency_keys as keys;

/// How long a key is remembered; after that it may be used again.
const KEEP_FOR_HOURS: i64 = 24;

#[derive(Queryable)]
struct Existing {
    request_hash: String,
    status: String,
    response_status: Option<i32>,
    response_body: Option<Vec<u8>>,
    locked_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// Inserts the key as in flight unless a row holds it already; true when this call claimed it.
async fn claim(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<bool, PgError> {
    let inserted = Prepared(
        diesel::insert_into(keys::table)
            .values((
                keys::scope.eq(scope),
                keys::key.eq(key),
                keys::request_hash.eq(request_hash),
                keys::status.eq("in_flight"),
                keys::locked_until.eq(locked_until),
                keys::created_at.eq(now),
            ))
            .on_conflict_do_nothing(),
    )
    .execute(conn)
    .await?;
    Ok(inserted == 1)
}

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_for: Duration,
    ) -> Result<IdempotencyBegin, StoreError> {
        let mut conn = self.conn().await?;
        // The common case, a new key, is one statement and needs no transaction: the insert
        // either claims the key or leaves the row that holds it untouched.
        if claim(&mut conn, scope, key, request_hash, now, now + lock_for).await? {
            return Ok(IdempotencyBegin::Started);
        }
        let begun = conn
            .transaction(async |conn| -> Result<IdempotencyBegin, PgError> {
                let existing: Option<Existing> = keys::table
                    .filter(keys::scope.eq(scope))
                    .filter(keys::key.eq(key))
                    .select((
                        keys::request_hash,
                        keys::status,
                        keys::response_status,
                        keys::response_body,
                        keys::locked_until,
                        keys::created_at,
                    ))
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let Some(existing) = existing else {
                    // Dropped (abandoned or purged) since the insert: claim it now.
                    let claimed =
                        claim(conn, scope, key, request_hash, now, now + lock_for).await?;
                    return Ok(if claimed {
                        IdempotencyBegin::Started
                    } else {
                        IdempotencyBegin::InFlight
                    });
                };
                let stale = existing.created_at < now - Duration::hours(KEEP_FOR_HOURS);
                let abandoned = existing.status == "in_flight"
                    && existing.locked_until.is_none_or(|until| until <= now);
                if stale || abandoned {
                    diesel::update(
                        keys::table
                            .filter(keys::scope.eq(scope))
                            .filter(keys::key.eq(key)),
                    )
                    .set((
                        keys::request_hash.eq(request_hash),
                        keys::status.eq("in_flight"),
                        keys::response_status.eq(None::<i32>),
                        keys::response_body.eq(None::<Vec<u8>>),
                        keys::locked_until.eq(now + lock_for),
                        keys::created_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                    return Ok(IdempotencyBegin::Started);
                }
                if existing.request_hash != request_hash {
                    return Ok(IdempotencyBegin::Mismatch);
                }
                match (existing.status.as_str(), existing.response_status) {
                    ("completed", Some(status)) => Ok(IdempotencyBegin::Replay(StoredResponse {
                        status: u16::try_from(status).map_err(PgError::corrupt)?,
                        body: existing.response_body.unwrap_or_default(),
                    })),
                    _ => Ok(IdempotencyBegin::InFlight),
                }
            })
            .await?;
        Ok(begun)
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        Prepared(
            diesel::update(
                keys::table
                    .filter(keys::scope.eq(scope))
                    .filter(keys::key.eq(key)),
            )
            .set((
                keys::status.eq("completed"),
                keys::response_status.eq(Some(i32::from(response.status))),
                keys::response_body.eq(Some(&response.body)),
                keys::locked_until.eq(None::<DateTime<Utc>>),
            )),
        )
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(())
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(
            keys::table
                .filter(keys::scope.eq(scope))
                .filter(keys::key.eq(key))
                .filter(keys::status.eq("in_flight")),
        )
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(())
    }
}
