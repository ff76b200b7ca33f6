//! Named locks held to the end of the caller's transaction, for work that must not run twice at
//! once across instances (a month's closing commission calculation, say) and that no single row
//! stands for. On PostgreSQL this is a transaction-level advisory lock on a 64-bit key derived
//! from the name: a second instance asking for the same name waits until the first commits or
//! rolls back, then reads what it wrote. SQLite runs one write transaction at a time and is a
//! single-instance store, so there is nothing to take.

use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sha2::{Digest, Sha256};

/// The advisory-lock key of a name: the first 8 bytes of its SHA-256, so every instance (and
/// every version of revops) derives the same key, unlike a process-seeded hasher.
pub fn key_of(name: &str) -> i64 {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Waits for and takes the lock `name` until the end of the transaction `connection` belongs to.
/// Call it first in the transaction, before reading what the lock protects.
pub async fn hold<C: ConnectionTrait>(connection: &C, name: &str) -> AppResult<()> {
    if connection.get_database_backend() == DbBackend::Postgres {
        connection
            .execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [key_of(name).into()],
            ))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_always_gives_the_same_key_and_names_differ() {
        assert_eq!(key_of("commissions:2026-12"), key_of("commissions:2026-12"));
        assert_ne!(key_of("commissions:2026-12"), key_of("commissions:2026-11"));
        // Pinned, so a change of derivation (which would let an old and a new instance run the
        // same work at once during a rolling upgrade) fails here first.
        assert_eq!(
            key_of(""),
            i64::from_be_bytes([0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14])
        );
    }
}
