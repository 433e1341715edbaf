//! Transactions whose `BEGIN` and `COMMIT` travel in the same pipelines as their statements.
//!
//! diesel-async's `transaction` awaits its `BEGIN` before the first statement goes out and
//! sends `COMMIT` only after the closure has read every answer: two round trips to the server
//! that carry nothing else, and during the second the locks taken last stay held. For the hot
//! inventory rows that round trip is what other checkouts queue behind. [`run`] sends `BEGIN`
//! right ahead of the body's first statements, and [`Tx::commit`] sends `COMMIT` right behind
//! its last ones. If any statement of the transaction failed, PostgreSQL has aborted it and
//! answers that `COMMIT` by rolling back: nothing of it is kept, and the caller reports the
//! first failure.
//!
//! Only statements whose failure is an SQL error may be pipelined ahead of the commit: a
//! version check that matches no row is not an error, so those run (and are checked) before.
//!
//! diesel's transaction manager is told a transaction is open for as long as one is, so a
//! connection whose future was dropped halfway (or whose `COMMIT` got no answer) is seen as
//! broken and discarded by the pool instead of being handed out inside a transaction.

use std::sync::atomic::{AtomicU8, Ordering};

use diesel::connection::{TransactionDepthChange, TransactionManagerStatus};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};

use crate::error::PgError;
use crate::prepared::Prepared;

/// An open transaction, handed to the body of [`run`].
pub(crate) struct Tx<'c> {
    conn: &'c AsyncPgConnection,
    state: AtomicU8,
}

/// [`Tx::state`]: nothing sent to end the transaction yet.
const OPEN: u8 = 0;
/// `COMMIT` sent, no answer read yet (or it failed: the transaction's fate is unknown).
const COMMITTING: u8 = 1;
/// `COMMIT` answered: the transaction is over.
const ENDED: u8 = 2;

impl<'c> Tx<'c> {
    /// The connection, to pipeline statements on.
    pub(crate) fn conn(&self) -> &'c AsyncPgConnection {
        self.conn
    }

    /// Sends `COMMIT` behind whatever was sent before; must be polled after those statements'
    /// futures were first polled (listed after them in one `join!`). Once sent, [`run`] neither
    /// commits nor rolls back again.
    pub(crate) async fn commit(&self) -> Result<(), PgError> {
        self.state.store(COMMITTING, Ordering::Relaxed);
        end(self.conn, "COMMIT").await?;
        self.state.store(ENDED, Ordering::Relaxed);
        Ok(())
    }
}

async fn end(conn: &AsyncPgConnection, sql: &'static str) -> Result<(), PgError> {
    Prepared(diesel::sql_query(sql))
        .execute(&mut { conn })
        .await?;
    Ok(())
}

/// diesel's view of the transactions open on `conn`.
fn status(conn: &mut AsyncPgConnection) -> &mut TransactionManagerStatus {
    <AnsiTransactionManager as TransactionManager<AsyncPgConnection>>::transaction_manager_status_mut(
        conn,
    )
}

/// Tells diesel a transaction was opened or closed on `conn` behind its back.
fn note(conn: &mut AsyncPgConnection, change: TransactionDepthChange) -> Result<(), PgError> {
    status(conn)
        .transaction_state()?
        .change_transaction_depth(change)?;
    Ok(())
}

/// Runs `body` in a transaction whose `BEGIN` goes out with the body's first statements. The
/// body may end it with [`Tx::commit`]; otherwise it is committed when the body succeeds and
/// rolled back when it fails.
///
/// # Errors
/// The body's error, or the connection's.
pub(crate) async fn run<T, F>(conn: &mut AsyncPgConnection, body: F) -> Result<T, PgError>
where
    F: for<'a, 'c> AsyncFnOnce(&'a Tx<'c>) -> Result<T, PgError>,
{
    note(conn, TransactionDepthChange::IncreaseDepth)?;
    let outcome = {
        let shared: &AsyncPgConnection = conn;
        let tx = Tx {
            conn: shared,
            state: AtomicU8::new(OPEN),
        };
        let (begun, result) = tokio::join!(end(shared, "BEGIN"), body(&tx));
        begun?;
        match (result, AtomicU8::load(&tx.state, Ordering::Relaxed)) {
            (Ok(value), OPEN) => {
                tx.commit().await?;
                Ok(value)
            }
            (Err(e), OPEN) => {
                end(shared, "ROLLBACK").await?;
                Err(e)
            }
            (outcome, ENDED) => outcome,
            // The body's `COMMIT` got no answer: leave the connection marked as inside a
            // transaction, so the pool discards it.
            (Ok(_), _) => {
                return Err(PgError::Diesel(
                    diesel::result::Error::BrokenTransactionManager,
                ))
            }
            (Err(e), _) => return Err(e),
        }
    };
    // Reached only when the server answered the transaction's end: it is over.
    if note(conn, TransactionDepthChange::DecreaseDepth).is_err() {
        // diesel's bookkeeping disagrees with ours: have the pool discard the connection
        // rather than lose the outcome.
        status(conn).set_in_error();
    }
    outcome
}
