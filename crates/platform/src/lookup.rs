//! Reading rows by a list of ids that may be as long as the whole book (a bill run over 100,000
//! subscriptions reads 100,000 customers): SQLite refuses a statement with more than 32,766 bound
//! values, so the list is read in chunks. And getting back the rows a batch just inserted.

use crate::error::AppResult;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Select,
};

/// Ids per statement: far within SQLite's and PostgreSQL's limits, with room for the query's
/// other values.
pub const CHUNK: usize = 1_000;

/// The rows of `select` whose `column` is one of `ids` (duplicates read once), in chunks.
pub async fn find_in<E, C>(
    connection: &C,
    select: Select<E>,
    column: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            select
                .clone()
                .filter(column.is_in(chunk.iter().copied()))
                .all(connection)
                .await?,
        );
    }
    Ok(rows)
}

/// Inserts `rows` in one statement and returns them as stored (their ids), in no particular order.
/// PostgreSQL returns them with the INSERT (`RETURNING`). SQLite, built here without it, has
/// `read_back` find them by a unique key, which it answers from the key's index. PostgreSQL must
/// not read them back so: a table that grew inside the transaction is planned from statistics
/// taken before it grew, so the lookup is a scan and each batch of a large import would read every
/// row the batches before it wrote. Errors stay `DbErr`, for callers that name a unique conflict.
pub async fn insert_returning<A, C>(
    connection: &C,
    rows: Vec<A>,
    read_back: Select<A::Entity>,
) -> Result<Vec<<A::Entity as EntityTrait>::Model>, DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let insert = A::Entity::insert_many(rows);
    if connection.support_returning() {
        return insert.exec_with_returning_many(connection).await;
    }
    insert.exec_without_returning(connection).await?;
    read_back.all(connection).await
}
