//! In-app alerts: a row per person and cause, written in the same transaction as the event
//! that raises it. The dedupe key is unique, so a rerun of a job raises nothing new.

use crate::access::Actor;
use crate::entities::user_alert;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// An alert for one person.
pub struct NewAlert {
    pub user_id: i64,
    pub kind: &'static str,
    /// At most one alert per key, ever (e.g. "renewal:42:60:7").
    pub dedupe_key: String,
    pub title: String,
    pub body: String,
    /// Where the web app takes the reader, e.g. "/renewals".
    pub link: Option<String>,
}

/// Writes the alert in the caller's transaction; true when it is new.
pub async fn raise<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    alert: NewAlert,
) -> AppResult<bool> {
    let result = user_alert::Entity::insert(user_alert::ActiveModel {
        user_id: Set(alert.user_id),
        kind: Set(alert.kind.into()),
        dedupe_key: Set(alert.dedupe_key),
        title: Set(alert.title),
        body: Set(alert.body),
        link: Set(alert.link),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(user_alert::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(result == 1)
}

/// The signed-in person's alerts, newest first (unread only when asked), at most `limit`.
pub async fn for_user(
    db: &DatabaseConnection,
    actor: &Actor,
    unread_only: bool,
    limit: u64,
) -> AppResult<Vec<user_alert::Model>> {
    let mut query = user_alert::Entity::find().filter(user_alert::Column::UserId.eq(actor.user_id));
    if unread_only {
        query = query.filter(user_alert::Column::ReadAt.is_null());
    }
    Ok(query
        .order_by_desc(user_alert::Column::CreatedAt)
        .order_by_desc(user_alert::Column::Id)
        .limit(limit.clamp(1, 200))
        .all(db)
        .await?)
}

/// Marks one of the signed-in person's alerts read (again is harmless).
pub async fn mark_read(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<user_alert::Model> {
    let found = user_alert::Entity::find_by_id(id)
        .filter(user_alert::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("alert {id}")))?;
    if found.read_at.is_some() {
        return Ok(found);
    }
    user_alert::Entity::update_many()
        .col_expr(user_alert::Column::ReadAt, Expr::value(now))
        .filter(user_alert::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(user_alert::Model {
        read_at: Some(now),
        ..found
    })
}
