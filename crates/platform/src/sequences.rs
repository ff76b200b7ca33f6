//! Gapless document numbers: the counter row is incremented inside the caller's transaction, so
//! a rolled-back document gives its number back and two writers can never share one.

use crate::entities::number_sequence;
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn next_value<C: ConnectionTrait>(connection: &C, name: &str) -> AppResult<i64> {
    number_sequence::Entity::insert(number_sequence::ActiveModel {
        name: Set(name.to_string()),
        next_value: Set(1),
    })
    .on_conflict(
        OnConflict::column(number_sequence::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    // The UPDATE takes the row lock, so concurrent transactions queue here on PostgreSQL (and
    // SQLite serialises writers anyway); the SELECT then reads our own increment.
    number_sequence::Entity::update_many()
        .col_expr(
            number_sequence::Column::NextValue,
            Expr::col(number_sequence::Column::NextValue).add(1),
        )
        .filter(number_sequence::Column::Name.eq(name))
        .exec(connection)
        .await?;
    let row = number_sequence::Entity::find_by_id(name.to_string())
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal(format!("number sequence {name} vanished")))?;
    Ok(row.next_value - 1)
}

/// Reserves `count` consecutive values at once (batch posting) and returns the first.
pub async fn reserve<C: ConnectionTrait>(connection: &C, name: &str, count: i64) -> AppResult<i64> {
    let first = next_value(connection, name).await?;
    // The same SQL as `next_value`'s increment, so the bound type must match it (i32): a
    // PostgreSQL prepared statement is cached by its text with the parameter types of first use.
    let step = i32::try_from(count - 1)
        .map_err(|_| AppError::internal(format!("cannot reserve {count} numbers at once")))?;
    if step > 0 {
        number_sequence::Entity::update_many()
            .col_expr(
                number_sequence::Column::NextValue,
                Expr::col(number_sequence::Column::NextValue).add(step),
            )
            .filter(number_sequence::Column::Name.eq(name))
            .exec(connection)
            .await?;
    }
    Ok(first)
}
