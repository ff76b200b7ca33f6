//! `revops backup` and `revops restore`: a consistent copy of the whole database taken while the
//! app keeps writing, and putting one back.
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent copy from one read snapshot (writers
//! go on meanwhile), which is then checked with `PRAGMA integrity_check`. Restore checks the copy
//! the same way and swaps it in with a rename, so the database file is either the old one or the
//! restored one, never half of each; stop every `revops` process on that file first.
//! PostgreSQL: `pg_dump --format=custom` (also one snapshot) and `pg_restore --clean`, which
//! must be on the PATH (Debian's postgresql-client).

use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
}

fn is_postgres(database_url: &str) -> bool {
    database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")
}

/// Copies the database at `database_url` into `out`, which must not exist yet.
pub async fn backup(database_url: &str, out: &Path) -> AppResult<BackupReport> {
    if out.exists() {
        return Err(AppError::validation(
            "out",
            format!("{} exists already; choose a new file name.", out.display()),
        ));
    }
    if is_postgres(database_url) {
        run_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                &out.display().to_string(),
                database_url,
            ],
        )?;
    } else {
        let db = crate::db::connect(database_url).await?;
        let target = out.display().to_string().replace('\'', "''");
        db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
            .await?;
        db.close().await?;
        check_sqlite_file(out).await?;
    }
    let bytes = std::fs::metadata(out).map_err(AppError::internal)?.len();
    Ok(BackupReport {
        file: out.to_path_buf(),
        bytes,
    })
}

/// Puts the backup `from` in place of the database at `database_url`. An existing SQLite file,
/// and any PostgreSQL database, is only replaced with `force`.
pub async fn restore(database_url: &str, from: &Path, force: bool) -> AppResult<()> {
    if !from.is_file() {
        return Err(AppError::validation(
            "from",
            format!("{} is not a backup file.", from.display()),
        ));
    }
    if is_postgres(database_url) {
        if !force {
            return Err(AppError::validation(
                "force",
                "Restoring replaces every table of this PostgreSQL database; add --force.",
            ));
        }
        return run_tool(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                database_url,
                &from.display().to_string(),
            ],
        );
    }
    let target = crate::db::sqlite_path(database_url)
        .map(PathBuf::from)
        .ok_or_else(|| {
            AppError::validation("DATABASE_URL", "Restore needs a SQLite file or PostgreSQL.")
        })?;
    if target.exists() && !force {
        return Err(AppError::validation(
            "force",
            format!(
                "{} exists; stop revops and add --force to replace it.",
                target.display()
            ),
        ));
    }
    check_sqlite_file(from).await?;
    let staging = target.with_extension("restoring");
    std::fs::copy(from, &staging).map_err(AppError::internal)?;
    // The old file's write-ahead log belongs to the old file; left beside the new one, SQLite
    // would replay it into the restored database.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(AppError::internal)?;
        }
    }
    std::fs::rename(&staging, &target).map_err(AppError::internal)?;
    Ok(())
}

/// Refuses a file that is not an intact SQLite database.
async fn check_sqlite_file(path: &Path) -> AppResult<()> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let db = Database::connect(&url).await.map_err(|error| {
        AppError::validation(
            "from",
            format!("{} cannot be opened: {error}", path.display()),
        )
    })?;
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check".to_owned(),
        ))
        .await?;
    db.close().await?;
    let verdict: String = row
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or_default();
    if verdict != "ok" {
        return Err(AppError::validation(
            "from",
            format!(
                "{} fails SQLite's integrity check: {verdict}",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Runs a PostgreSQL client tool, reporting a missing tool or its error output plainly.
fn run_tool(tool: &str, args: &[&str]) -> AppResult<()> {
    let output = std::process::Command::new(tool)
        .args(args)
        .output()
        .map_err(|error| {
            AppError::validation(
                tool,
                format!("{tool} could not be started ({error}); install postgresql-client."),
            )
        })?;
    if !output.status.success() {
        return Err(AppError::validation(
            tool,
            format!(
                "{tool} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(())
}
