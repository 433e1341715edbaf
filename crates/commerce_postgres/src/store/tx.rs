//! Committing in the same pipeline as a transaction's last statements.
//!
//! diesel-async's `transaction` sends `COMMIT` only after the closure has read every answer:
//! one more round trip to the server, during which the locks taken last stay held. For the hot
//! inventory rows that round trip is what other checkouts queue behind. [`commit_pipelined`]
//! sends `COMMIT` right behind the statements already on their way, then `BEGIN`, so the
//! transaction diesel still believes open is a new, empty one that its own `COMMIT` (or
//! `ROLLBACK`) closes. If any of the pipelined statements failed, PostgreSQL has aborted the
//! transaction and answers that `COMMIT` by rolling back: nothing of it is kept, and the caller
//! reports the first failure.
//!
//! Only statements whose failure is an SQL error may be pipelined ahead of the commit: a
//! version check that matches no row is not an error, so those run (and are checked) before.

use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::PgError;
use crate::prepared::Prepared;

/// Sends `COMMIT` then `BEGIN` on `conn` behind whatever was sent before; must be polled after
/// those statements' futures were first polled (listed after them in one `join!`).
pub(crate) async fn commit_pipelined(conn: &AsyncPgConnection) -> Result<(), PgError> {
    let commit = Prepared(diesel::sql_query("COMMIT")).execute(&mut { conn });
    let reopen = Prepared(diesel::sql_query("BEGIN")).execute(&mut { conn });
    let (committed, reopened) = tokio::join!(commit, reopen);
    committed?;
    reopened?;
    Ok(())
}
