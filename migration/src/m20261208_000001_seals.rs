//! Tamper evidence (issue 21): the audit log and the journal are chained by hash after the fact.
//! `seals` holds one row per sealed record of a chain (`audit_log` or `journal`): its gapless
//! `seal_seq`, the record's id, the previous link's hash and its own
//! (`SHA-256(previous hash || canonical bytes)`), and a short digest of each field so a verifier
//! can say which field changed. `seal_heads` holds each chain's last link; sealers take its row
//! first, so of several instances sealing at once one extends the chain at a time.
//! The sealed tables themselves are not altered: journal entries and audit rows stay as written.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000001_seals"
    }
}

fn seals() -> TableCreateStatement {
    table("seals")
        .col(id("id"))
        .col(code("chain", 16))
        .col(big("seal_seq"))
        .col(big("row_id"))
        .col(code("prev_hash", 64))
        .col(code("seal_hash", 64))
        .col(text("field_digests"))
        .col(instant("sealed_at"))
        .to_owned()
}

fn heads() -> TableCreateStatement {
    table("seal_heads")
        .col(
            ColumnDef::new(Alias::new("chain"))
                .string_len(16)
                .not_null()
                .primary_key(),
        )
        .col(big("last_seq"))
        .col(code("last_hash", 64))
        .col(instant_null("updated_at"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(seals()).await?;
        manager.create_table(heads()).await?;
        // One link per position and one per record: two sealers can never both write seq n,
        // nor seal one record twice.
        manager
            .create_index(unique_index("seals", &["chain", "seal_seq"]))
            .await?;
        manager
            .create_index(unique_index("seals", &["chain", "row_id"]))
            .await?;
        // Each chain starts from a head at position 0 whose hash is 32 zero bytes.
        let genesis = "0".repeat(64);
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO seal_heads (chain, last_seq, last_hash) \
                 VALUES ('audit_log', 0, '{genesis}'), ('journal', 0, '{genesis}')"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["seal_heads", "seals"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
