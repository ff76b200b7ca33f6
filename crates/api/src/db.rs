//! Opening the database (SQLite with WAL and foreign keys, or PostgreSQL) and migrating it.

use crate::error::{AppError, AppResult};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use std::time::Duration;

pub async fn connect(database_url: &str) -> AppResult<DatabaseConnection> {
    let is_sqlite = database_url.starts_with("sqlite:");
    if is_sqlite {
        if let Some(path) = sqlite_path(database_url) {
            if let Some(parent) = std::path::Path::new(&path)
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(AppError::internal)?;
            }
        }
    }
    let mut options = ConnectOptions::new(database_url.to_string());
    options
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if is_sqlite {
        // One connection serialises writers, which is what SQLite does anyway, and avoids
        // SQLITE_BUSY when a reading transaction upgrades to a write.
        options.max_connections(1).min_connections(1);
    } else {
        options.max_connections(16).min_connections(1);
    }
    let db = Database::connect(options)
        .await
        .map_err(|error| AppError::internal(format!("cannot open the database: {error}")))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers work beside the writer; foreign keys are off by default in SQLite.
        db.execute_unprepared(
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        )
        .await?;
    }
    Ok(db)
}

pub fn sqlite_path(database_url: &str) -> Option<String> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

pub async fn migrate(db: &DatabaseConnection) -> AppResult<()> {
    Migrator::up(db, None).await?;
    crate::ledger::seed_chart(db).await?;
    crate::receivables::collections::ensure_default_steps(db, chrono::Utc::now()).await?;
    crate::revenue::repo::ensure_all(db, chrono::Utc::now()).await?;
    Ok(())
}

pub async fn ping(db: &DatabaseConnection) -> AppResult<()> {
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}

/// How many migrations this binary knows that the database has not applied. An instance is not
/// ready while there are any: another version may have rolled the schema back, or a restore put
/// an older database under it.
pub async fn pending_migrations(db: &DatabaseConnection) -> AppResult<usize> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
