//! Maker-checker, the one rule for deciding what another person asked for — credit limits,
//! credit memos and write-offs (through `close_request`) and commission disputes: the person who
//! asked never decides it, and of several people deciding at the same moment exactly one wins.
//!
//! The winner is chosen by the database, not by a read before the write: the decision is an
//! UPDATE that requires the row to still be open, so a decider that read the row before another
//! decided finds nothing to update and gets CONFLICT, in the same transaction that would have
//! applied its decision, which therefore rolls back whole.

use crate::access::Actor;
use crate::error::{AppError, AppResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, UpdateMany};

/// Refuses `actor` when they are the one who asked (`requested_by`).
pub fn refuse_own(requested_by: i64, actor: &Actor, message: &str) -> AppResult<()> {
    if requested_by == actor.user_id {
        return Err(AppError::Forbidden(message.into()));
    }
    Ok(())
}

/// Applies `decision` (an UPDATE with the decided status and the decider's columns set) to row
/// `id` only while its `status` is still `open`; CONFLICT with `already_decided` otherwise.
pub async fn claim<C, E>(
    connection: &C,
    decision: UpdateMany<E>,
    id_column: E::Column,
    id: i64,
    status_column: E::Column,
    open: &str,
    already_decided: &str,
) -> AppResult<()>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let updated = decision
        .filter(id_column.eq(id))
        .filter(status_column.eq(open))
        .exec(connection)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(already_decided.into()));
    }
    Ok(())
}
