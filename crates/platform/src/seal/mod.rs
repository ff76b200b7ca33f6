//! Tamper evidence: the audit log and the journal chained by hash, after the fact.
//!
//! Rows are not chained when they are written: several instances write at once on PostgreSQL and
//! ids can commit out of order, so a chain built at insert time would need one global lock on
//! every write. Instead a *sealer* (`seal_all`: in `run-daily`, in the `serve` scheduler and as
//! `revops seal`) takes the rows no link covers yet, in id order, and appends one link per row to
//! its chain (`seals`: a gapless `seal_seq` per chain, the previous hash and
//! `SHA-256(previous hash || canonical bytes)`, see `canonical`). A row committed late with a
//! lower id is simply sealed by the next pass, further along the chain.
//!
//! Several sealers at once are safe: each pass first updates its chain's `seal_heads` row, which
//! on PostgreSQL holds the row lock until the pass commits (and on SQLite takes the write lock),
//! so passes over one chain queue up and each reads the head the previous one left. The head is
//! then moved with a compare-and-set on `last_seq`, and `seals` is unique per (chain, seq) and
//! (chain, row), so even without the lock two passes could never write one position or seal one
//! row twice. `verify` (`revops verify-chain`) walks each chain by `seal_seq`.

pub mod canonical;
pub mod verify;

use crate::entities::{audit_entry, journal_entry, journal_line, seal, seal_head};
use crate::error::{AppError, AppResult};
use canonical::{date, instant, int, int_opt, text, Record};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

/// Rows sealed per transaction.
const BATCH: u64 = 500;

/// The two chains: each names its table of rows (a journal entry's link covers its lines too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    AuditLog,
    Journal,
}

impl Chain {
    pub const ALL: [Chain; 2] = [Chain::AuditLog, Chain::Journal];

    /// The name in `seals.chain` and `seal_heads.chain`.
    pub fn name(self) -> &'static str {
        match self {
            Chain::AuditLog => "audit_log",
            Chain::Journal => "journal",
        }
    }

    /// The table whose rows the chain seals.
    pub fn table(self) -> &'static str {
        match self {
            Chain::AuditLog => "audit_log",
            Chain::Journal => "journal_entries",
        }
    }
}

/// How many rows one sealing pass added to each chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealReport {
    pub audit_log: u64,
    pub journal: u64,
}

impl SealReport {
    pub fn summary(&self) -> String {
        format!(
            "{} audit rows and {} journal entries sealed",
            self.audit_log, self.journal
        )
    }
}

/// Seals every row not yet sealed, chain by chain, in batches.
pub async fn seal_all(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<SealReport> {
    let mut report = SealReport::default();
    for chain in Chain::ALL {
        let mut conflicts = 0;
        loop {
            let sealed = match seal_batch(db, chain, now).await {
                // The head lock makes this rare; the pass kept nothing, so it can simply retry.
                Err(AppError::Conflict(_)) if conflicts < 3 => {
                    conflicts += 1;
                    continue;
                }
                other => other?,
            };
            match chain {
                Chain::AuditLog => report.audit_log += sealed,
                Chain::Journal => report.journal += sealed,
            }
            if sealed < BATCH {
                break;
            }
        }
    }
    Ok(report)
}

/// One transaction: take the head, read up to `BATCH` unsealed rows by id, append their links.
async fn seal_batch(db: &DatabaseConnection, chain: Chain, now: DateTime<Utc>) -> AppResult<u64> {
    let transaction = db.begin().await?;
    // Taking the head row first queues other sealers of this chain behind this transaction.
    seal_head::Entity::update_many()
        .col_expr(seal_head::Column::UpdatedAt, Expr::value(now))
        .filter(seal_head::Column::Chain.eq(chain.name()))
        .exec(&transaction)
        .await?;
    let head = seal_head::Entity::find_by_id(chain.name())
        .one(&transaction)
        .await?
        .ok_or_else(|| AppError::internal(format!("seal_heads has no {} row", chain.name())))?;
    let records = unsealed(&transaction, chain, BATCH).await?;
    if records.is_empty() {
        transaction.commit().await?;
        return Ok(0);
    }
    let (mut seq, mut previous) = (head.last_seq, head.last_hash.clone());
    let mut links = Vec::with_capacity(records.len());
    for record in &records {
        seq += 1;
        let hash = canonical::link(&previous, record);
        links.push(seal::ActiveModel {
            chain: Set(chain.name().to_owned()),
            seal_seq: Set(seq),
            row_id: Set(record.id),
            prev_hash: Set(previous),
            seal_hash: Set(hash.clone()),
            field_digests: Set(canonical::digests_to_text(&record.field_digests())),
            sealed_at: Set(now),
            ..Default::default()
        });
        previous = hash;
    }
    seal::Entity::insert_many(links)
        .exec_without_returning(&transaction)
        .await?;
    let moved = seal_head::Entity::update_many()
        .col_expr(seal_head::Column::LastSeq, Expr::value(seq))
        .col_expr(seal_head::Column::LastHash, Expr::value(previous))
        .filter(seal_head::Column::Chain.eq(chain.name()))
        .filter(seal_head::Column::LastSeq.eq(head.last_seq))
        .exec(&transaction)
        .await?;
    if moved.rows_affected != 1 {
        // Another sealer moved the head meanwhile: nothing of this pass is kept.
        return Err(AppError::Conflict(format!(
            "another sealer extended the {} chain; run again",
            chain.name()
        )));
    }
    transaction.commit().await?;
    Ok(records.len() as u64)
}

/// Up to `limit` rows of the chain that no link covers, lowest id first.
async fn unsealed<C: ConnectionTrait>(
    connection: &C,
    chain: Chain,
    limit: u64,
) -> AppResult<Vec<Record>> {
    let sealed_ids = Query::select()
        .column(seal::Column::RowId)
        .from(seal::Entity)
        .and_where(seal::Column::Chain.eq(chain.name()))
        .to_owned();
    match chain {
        Chain::AuditLog => Ok(audit_entry::Entity::find()
            .filter(audit_entry::Column::Id.not_in_subquery(sealed_ids))
            .order_by_asc(audit_entry::Column::Id)
            .limit(limit)
            .all(connection)
            .await?
            .iter()
            .map(audit_record)
            .collect()),
        Chain::Journal => {
            let entries = journal_entry::Entity::find()
                .filter(journal_entry::Column::Id.not_in_subquery(sealed_ids))
                .order_by_asc(journal_entry::Column::Id)
                .limit(limit)
                .all(connection)
                .await?;
            journal_records(connection, entries).await
        }
    }
}

/// The audit row as sealed: every column.
pub fn audit_record(row: &audit_entry::Model) -> Record {
    Record {
        table: "audit_log",
        id: row.id,
        fields: vec![
            ("id", int(row.id)),
            ("at", instant(row.at)),
            ("actor_user_id", int_opt(row.actor_user_id)),
            ("action", text(&row.action)),
            ("entity_type", text(&row.entity_type)),
            ("entity_id", text(&row.entity_id)),
            ("before_json", row.before_json.clone()),
            ("after_json", row.after_json.clone()),
        ],
        children: vec![],
    }
}

/// The journal entries as sealed, each with every column and its lines (by id) as children.
pub async fn journal_records<C: ConnectionTrait>(
    connection: &C,
    entries: Vec<journal_entry::Model>,
) -> AppResult<Vec<Record>> {
    let ids: Vec<i64> = entries.iter().map(|entry| entry.id).collect();
    let mut lines: HashMap<i64, Vec<Record>> = HashMap::new();
    for chunk in ids.chunks(BATCH as usize) {
        let rows = journal_line::Entity::find()
            .filter(journal_line::Column::EntryId.is_in(chunk.to_vec()))
            .order_by_asc(journal_line::Column::Id)
            .all(connection)
            .await?;
        for row in rows {
            lines
                .entry(row.entry_id)
                .or_default()
                .push(line_record(&row));
        }
    }
    Ok(entries
        .into_iter()
        .map(|entry| {
            let children = lines.remove(&entry.id).unwrap_or_default();
            entry_record(&entry, children)
        })
        .collect())
}

fn entry_record(entry: &journal_entry::Model, lines: Vec<Record>) -> Record {
    Record {
        table: "journal_entries",
        id: entry.id,
        fields: vec![
            ("id", int(entry.id)),
            ("entry_number", text(&entry.entry_number)),
            ("entry_date", date(entry.entry_date)),
            ("memo", text(&entry.memo)),
            ("source", text(&entry.source)),
            ("reverses_entry_id", int_opt(entry.reverses_entry_id)),
            ("idempotency_key", entry.idempotency_key.clone()),
            ("posted_by", int_opt(entry.posted_by)),
            ("posted_at", instant(entry.posted_at)),
        ],
        children: lines,
    }
}

fn line_record(line: &journal_line::Model) -> Record {
    Record {
        table: "journal_lines",
        id: line.id,
        fields: vec![
            ("id", int(line.id)),
            ("entry_id", int(line.entry_id)),
            ("account_code", text(&line.account_code)),
            ("currency", text(&line.currency)),
            ("debit_minor", int(line.debit_minor)),
            ("credit_minor", int(line.credit_minor)),
        ],
        children: vec![],
    }
}
