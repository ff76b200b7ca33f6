//! Company-wide settings (`company_settings`: one text value per key), read and written inside
//! the caller's transaction. Each area owns its keys and the meaning of their values (revenue's
//! ratable method, billing's proration convention) and audits its own changes.

use crate::entities::company_setting;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

/// The value stored under `key`, if one was ever set.
pub async fn get<C: ConnectionTrait>(connection: &C, key: &str) -> AppResult<Option<String>> {
    Ok(company_setting::Entity::find_by_id(key.to_string())
        .one(connection)
        .await?
        .map(|row| row.value))
}

/// Stores `value` under `key`, replacing what was there.
pub async fn set<C: ConnectionTrait>(
    connection: &C,
    key: &str,
    value: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    company_setting::Entity::insert(company_setting::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_by: Set(by),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(company_setting::Column::Key)
            .update_columns([
                company_setting::Column::Value,
                company_setting::Column::UpdatedBy,
                company_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(())
}
