//! Idempotency for money-moving mutations (DESIGN law 4): the first request under a key claims
//! it inside the caller's transaction; a retry with the same request gets the first result back;
//! a different request under a used key is a CONFLICT.

use crate::entities::idempotency_record;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now belongs to this request; call `complete` with the result.
    Claimed,
    /// The same request ran before; this is what it produced.
    Replay(i64),
}

/// Claims `key` in `scope` for `request` (a canonical JSON of the input). Concurrent claimants of
/// one key serialise on the unique index: the loser sees the winner's committed record.
pub async fn claim<C: ConnectionTrait>(
    connection: &C,
    scope: &str,
    key: &str,
    request: &str,
    actor_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Claim> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > 200 {
        return Err(AppError::validation(
            "idempotencyKey",
            "An idempotency key of 1 to 200 characters is required, so a retry cannot pay twice.",
        ));
    }
    let inserted = idempotency_record::Entity::insert(idempotency_record::ActiveModel {
        scope: Set(scope.into()),
        key: Set(key.into()),
        request_json: Set(request.into()),
        result_id: Set(None),
        created_by: Set(actor_id),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_record::Column::Scope,
            idempotency_record::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Claimed);
    }
    let existing = idempotency_record::Entity::find()
        .filter(idempotency_record::Column::Scope.eq(scope))
        .filter(idempotency_record::Column::Key.eq(key))
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal("idempotency record vanished"))?;
    if existing.request_json != request {
        return Err(AppError::Conflict(format!(
            "The idempotency key {key:?} was already used for a different request; use a new key for a new {scope}."
        )));
    }
    match existing.result_id {
        Some(id) => Ok(Claim::Replay(id)),
        None => Err(AppError::Conflict(format!(
            "The {scope} with key {key:?} is still being processed; retry in a moment."
        ))),
    }
}

/// Records what the claimed request produced, in the same transaction as the claim.
pub async fn complete<C: ConnectionTrait>(
    connection: &C,
    scope: &str,
    key: &str,
    result_id: i64,
) -> AppResult<()> {
    idempotency_record::Entity::update_many()
        .col_expr(idempotency_record::Column::ResultId, Expr::value(result_id))
        .filter(idempotency_record::Column::Scope.eq(scope))
        .filter(idempotency_record::Column::Key.eq(key.trim()))
        .exec(connection)
        .await?;
    Ok(())
}
