//! The embedded migrations, and creating the database when it is missing.

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::PgError;

/// The SQL migrations of the top-level `migrations/` folder, compiled in.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Applies every pending migration to the database at `url`; returns how many ran.
///
/// It runs diesel's synchronous migration harness on a thread of its own (over diesel-async's
/// connection wrapper, so no libpq is needed), which works from any runtime flavour.
///
/// # Errors
/// [`PgError::Migration`] when a migration fails or the database cannot be reached.
pub async fn run_migrations(url: &str) -> Result<usize, PgError> {
    let url = url.to_owned();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let result = (|| -> Result<usize, PgError> {
            let mut conn =
                <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                    .map_err(|e| PgError::Migration(e.to_string()))?;
            conn.run_pending_migrations(MIGRATIONS)
                .map(|applied| applied.len())
                .map_err(|e| PgError::Migration(e.to_string()))
        })();
        let _ = sender.send(result);
    });
    receiver
        .await
        .map_err(|_| PgError::Migration("the migration thread stopped".to_owned()))?
}

/// How many embedded migrations there are.
pub fn migration_count() -> usize {
    MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map(|m| m.len())
        .unwrap_or(0)
}

/// True when every embedded migration has been applied to the database at `url`.
///
/// # Errors
/// [`PgError`] when the database cannot be read.
pub async fn migrations_applied(conn: &mut AsyncPgConnection) -> Result<bool, PgError> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        applied: i64,
    }
    let row: Count =
        diesel::sql_query("SELECT count(*) AS applied FROM __diesel_schema_migrations")
            .get_result(conn)
            .await?;
    Ok(usize::try_from(row.applied).unwrap_or(0) >= migration_count())
}

/// Creates the database named in `url` when it does not exist, connecting to the server's
/// `postgres` database to do so. Returns true when it created it.
///
/// # Errors
/// [`PgError`] when the server cannot be reached or refuses.
pub async fn ensure_database(url: &str) -> Result<bool, PgError> {
    let (server, name) = split_database(url)?;
    let mut conn = AsyncPgConnection::establish(&format!("{server}/postgres")).await?;
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(&mut conn)
            .await?;
    if found.exists {
        return Ok(false);
    }
    let created = conn
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
        .await;
    match created {
        Ok(()) => Ok(true),
        // Another process created it at the same moment.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Splits `postgres://…/name?params` into the server part and the database name.
pub(crate) fn split_database(url: &str) -> Result<(String, String), PgError> {
    let without_params = url.split('?').next().unwrap_or(url);
    let (server, name) = without_params
        .rsplit_once('/')
        .filter(|(server, name)| {
            server.contains("://") && !server.ends_with('/') && !name.is_empty()
        })
        .ok_or_else(|| PgError::Config("DATABASE_URL must name a database".to_owned()))?;
    Ok((server.to_owned(), name.to_owned()))
}

/// Quotes an SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_database_name_off_the_url() {
        let (server, name) =
            split_database("postgres://postgres@127.0.0.1:5432/headless_commerce?sslmode=disable")
                .unwrap();
        assert_eq!(server, "postgres://postgres@127.0.0.1:5432");
        assert_eq!(name, "headless_commerce");
        assert!(split_database("postgres://postgres@127.0.0.1:5432").is_err());
        assert!(split_database("postgres://postgres@127.0.0.1:5432/").is_err());
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("shop"), "\"shop\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn every_migration_is_embedded() {
        assert!(migration_count() >= 1);
    }
}
