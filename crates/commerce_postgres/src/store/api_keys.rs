//! `ApiKeyStore` over PostgreSQL: hashes only.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use commerce_domain::apikey::{ApiKeyInfo, KeyKind, Mode};
use commerce_domain::ids::ApiKeyId;
use commerce_domain::ports::{ApiKeyStore, StoreError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::PgStore;
use crate::error::PgError;
use crate::schema::api_keys;

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
struct KeyRow {
    id: String,
    name: String,
    key_prefix: String,
    key_type: String,
    mode: String,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl KeyRow {
    fn into_info(self) -> Result<ApiKeyInfo, PgError> {
        Ok(ApiKeyInfo {
            id: ApiKeyId::parse(&self.id).map_err(PgError::corrupt)?,
            name: self.name,
            key_prefix: self.key_prefix,
            kind: KeyKind::parse(&self.key_type).ok_or_else(|| PgError::corrupt(&self.key_type))?,
            mode: Mode::parse(&self.mode).ok_or_else(|| PgError::corrupt(&self.mode))?,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            created_at: self.created_at,
        })
    }
}

fn one(row: Option<KeyRow>) -> Result<Option<ApiKeyInfo>, StoreError> {
    Ok(row.map(KeyRow::into_info).transpose()?)
}

#[async_trait]
impl ApiKeyStore for PgStore {
    async fn insert_key(&self, key: &ApiKeyInfo, hash: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::id.eq(key.id.as_str()),
                api_keys::name.eq(&key.name),
                api_keys::key_prefix.eq(&key.key_prefix),
                api_keys::key_hash.eq(hash),
                api_keys::key_type.eq(key.kind.as_str()),
                api_keys::mode.eq(key.mode.as_str()),
                api_keys::expires_at.eq(key.expires_at),
                api_keys::created_at.eq(key.created_at),
            ))
            .execute(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    async fn find_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyInfo>, StoreError> {
        let mut conn = self.conn().await?;
        let row = api_keys::table
            .filter(api_keys::key_hash.eq(hash))
            .select(KeyRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        one(row)
    }

    async fn list_keys(&self) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<KeyRow> = api_keys::table
            .order((api_keys::created_at.desc(), api_keys::id.desc()))
            .select(KeyRow::as_select())
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(KeyRow::into_info)
            .collect::<Result<_, _>>()?)
    }

    async fn revoke_key(
        &self,
        id: &ApiKeyId,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyInfo>, StoreError> {
        let mut conn = self.conn().await?;
        let revoked = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id.as_str()))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now))
        .returning(KeyRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(PgError::from)?;
        if revoked.is_some() {
            return one(revoked);
        }
        // Already revoked (revoking twice changes nothing) or no such key.
        let existing = api_keys::table
            .filter(api_keys::id.eq(id.as_str()))
            .select(KeyRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        one(existing)
    }

    async fn replace_key_secret(
        &self,
        id: &ApiKeyId,
        key_prefix: &str,
        hash: &str,
    ) -> Result<Option<ApiKeyInfo>, StoreError> {
        let mut conn = self.conn().await?;
        let row = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id.as_str()))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set((
            api_keys::key_prefix.eq(key_prefix),
            api_keys::key_hash.eq(hash),
        ))
        .returning(KeyRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(PgError::from)?;
        one(row)
    }

    async fn touch_key(&self, id: &ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            api_keys::table.filter(api_keys::id.eq(id.as_str())).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(now - Duration::minutes(1))),
            ),
        )
        .set(api_keys::last_used_at.eq(now))
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(())
    }
}
