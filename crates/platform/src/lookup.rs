//! Reading rows by a list of ids that may be as long as the whole book (a bill run over 100,000
//! subscriptions reads 100,000 customers): SQLite refuses a statement with more than 32,766 bound
//! values, so the list is read in chunks.

use crate::error::AppResult;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};

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
