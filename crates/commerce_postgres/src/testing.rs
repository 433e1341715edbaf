//! Test support: a fresh database per test, cloned from a migrated template, and helpers to
//! seed a catalog and read stock. Enabled by the `test-support` feature.
//!
//! The server is `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! The template `hc_template_<migrations fingerprint>` is built once, under an advisory lock so
//! parallel test binaries do not race, into a scratch name that is renamed when complete.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use commerce_domain::ids::{InventoryItemId, ProductId, VariantId};
use commerce_domain::ports::IdGenerator;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tokio::sync::OnceCell;

use crate::error::PgError;
use crate::migrate::{quote_ident, run_migrations, split_database};
use crate::schema::{inventory_items, products, variants};
use crate::{PgConfig, PgStore};

const FINGERPRINT: &str = env!("HC_MIGRATIONS_FINGERPRINT");
static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The server tests create their databases on.
pub fn server_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    split_database(&url)
        .map(|(server, _)| server)
        .unwrap_or(url)
}

async fn admin() -> Result<AsyncPgConnection, PgError> {
    Ok(AsyncPgConnection::establish(&format!("{}/postgres", server_url())).await?)
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> Result<bool, PgError> {
    let row: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(conn)
            .await?;
    Ok(row.exists)
}

/// Builds the migrated template once per fingerprint.
async fn template() -> Result<String, PgError> {
    let name = format!("hc_template_{FINGERPRINT}");
    let mut conn = admin().await?;
    conn.batch_execute("SELECT pg_advisory_lock(727274)")
        .await?;
    let result = async {
        if database_exists(&mut conn, &name).await? {
            return Ok(());
        }
        let scratch = format!("{name}_building_{}", std::process::id());
        conn.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&scratch)
        ))
        .await?;
        conn.batch_execute(&format!("CREATE DATABASE {}", quote_ident(&scratch)))
            .await?;
        run_migrations(&format!("{}/{scratch}", server_url())).await?;
        conn.batch_execute(&format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_ident(&scratch),
            quote_ident(&name)
        ))
        .await?;
        Ok::<(), PgError>(())
    }
    .await;
    conn.batch_execute("SELECT pg_advisory_unlock(727274)")
        .await?;
    result.map(|()| name)
}

/// A database of its own for one test, migrated, dropped when this value is dropped.
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// Creates the database.
    ///
    /// # Panics
    /// When PostgreSQL cannot be reached: the tests cannot run without it.
    pub async fn new() -> TestDb {
        let template = TEMPLATE
            .get_or_try_init(template)
            .await
            .unwrap_or_else(|e| panic!("building the test template failed: {e}"));
        let name = format!(
            "hc_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_subsec_nanos()
        );
        let mut conn = admin()
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at {}: {e}", server_url()));
        conn.batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_ident(&name),
            quote_ident(template)
        ))
        .await
        .unwrap_or_else(|e| panic!("creating the test database failed: {e}"));
        TestDb {
            url: format!("{}/{name}", server_url()),
            name,
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store over a small pool of this database.
    ///
    /// # Panics
    /// When the pool cannot be built.
    pub fn store(&self) -> PgStore {
        self.store_with(8)
    }

    /// A store over a pool of `max_size` connections (each pool stands in for one process).
    ///
    /// # Panics
    /// When the pool cannot be built.
    pub fn store_with(&self, max_size: usize) -> PgStore {
        let mut config = PgConfig::new(self.url.clone());
        config.max_size = max_size;
        config.wait_timeout = std::time::Duration::from_secs(30);
        PgStore::connect(&config).unwrap_or_else(|e| panic!("pool: {e}"))
    }

    /// A direct connection, for assertions in SQL.
    ///
    /// # Panics
    /// When the database cannot be reached.
    pub async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"))
    }

    /// Adds an active product with one variant at `price` won and `on_hand` units in stock.
    ///
    /// # Panics
    /// When the rows cannot be written.
    pub async fn seed_variant(
        &self,
        ids: &dyn IdGenerator,
        product_name: &str,
        price: i64,
        on_hand: i64,
    ) -> VariantId {
        let product = ProductId::generate(ids);
        let variant = VariantId::generate(ids);
        let mut conn = self.conn().await;
        diesel::insert_into(products::table)
            .values((
                products::id.eq(product.as_str()),
                products::name.eq(product_name),
                products::slug.eq(product.as_str()),
            ))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("seed product: {e}"));
        diesel::insert_into(variants::table)
            .values((
                variants::id.eq(variant.as_str()),
                variants::product_id.eq(product.as_str()),
                variants::name.eq("M / Black"),
                variants::sku.eq(variant.as_str()),
                variants::price.eq(price),
            ))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("seed variant: {e}"));
        diesel::insert_into(inventory_items::table)
            .values((
                inventory_items::id.eq(InventoryItemId::generate(ids).as_str()),
                inventory_items::variant_id.eq(variant.as_str()),
                inventory_items::on_hand.eq(on_hand),
            ))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("seed stock: {e}"));
        variant
    }

    /// A variant's `(on_hand, reserved)`.
    ///
    /// # Panics
    /// When the row cannot be read.
    pub async fn stock(&self, variant: &VariantId) -> (i64, i64) {
        let mut conn = self.conn().await;
        inventory_items::table
            .filter(inventory_items::variant_id.eq(variant.as_str()))
            .select((inventory_items::on_hand, inventory_items::reserved))
            .first(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("read stock: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Dropping needs async I/O; do it on a thread with its own small runtime so it works
        // from inside or outside any test runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = admin().await.ok()?;
                conn.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&name)
                ))
                .await
                .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Reverts every migration of the database at `url`; returns how many were reverted.
///
/// # Panics
/// When a down migration fails.
pub async fn revert_all(url: &str) -> usize {
    use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
    use diesel_migrations::MigrationHarness;
    let url = url.to_owned();
    let reverted = tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .map_err(|e| e.to_string())?;
        conn.revert_all_migrations(crate::MIGRATIONS)
            .map(|reverted| reverted.len())
            .map_err(|e| e.to_string())
    })
    .await;
    match reverted {
        Ok(Ok(count)) => count,
        Ok(Err(e)) => panic!("reverting migrations failed: {e}"),
        Err(e) => panic!("the revert task failed: {e}"),
    }
}

/// The tables of the `public` schema, sorted.
///
/// # Panics
/// When the database cannot be read.
pub async fn table_names(url: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
    }
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.tables
         WHERE table_schema = 'public' ORDER BY table_name",
    )
    .load(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("list tables: {e}"));
    tables.into_iter().map(|t| t.table_name).collect()
}

impl PgStore {
    /// Borrows one pooled connection and keeps it for `how_long`, to exhaust a small pool.
    ///
    /// # Errors
    /// [`PgError`] when no connection can be had.
    pub async fn hold_connection(&self, how_long: std::time::Duration) -> Result<(), PgError> {
        let conn = self.conn().await?;
        tokio::time::sleep(how_long).await;
        drop(conn);
        Ok(())
    }
}
