//! `revops verify-chain`: recompute every link of both chains from the rows as they are now, in
//! `seal_seq` order, and name the first row whose content, link or position is not what was
//! sealed; then count rows still waiting for a seal, and those older than the grace period.

use super::canonical::{self, Record};
use super::{audit_record, journal_records, Chain};
use crate::entities::{audit_entry, journal_entry, seal, seal_head};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

/// Links read per step of the walk.
const PAGE: u64 = 1000;

/// The first place a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub chain: &'static str,
    /// The table of the row that differs (`seals` or `seal_heads` when a link itself is wrong).
    pub table: String,
    pub row_id: i64,
    pub seal_seq: i64,
    pub what: String,
}

impl Break {
    pub fn sentence(&self) -> String {
        format!(
            "{} id {} (seal {} of the {} chain): {}",
            self.table, self.row_id, self.seal_seq, self.chain, self.what
        )
    }
}

/// One chain's state after the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    pub chain: &'static str,
    pub sealed: i64,
    pub head_hash: String,
    pub unsealed: u64,
    /// Unsealed rows written before `now - grace`, and the oldest of them (id).
    pub unsealed_stale: u64,
    pub oldest_stale_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: Vec<ChainStatus>,
    pub broken: Option<Break>,
}

/// Walks both chains (stopping at the first break) and counts what is not sealed yet.
pub async fn verify(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    grace: Duration,
) -> AppResult<VerifyReport> {
    let mut report = VerifyReport {
        chains: Vec::new(),
        broken: None,
    };
    for chain in Chain::ALL {
        let (sealed, head_hash, broken) = walk(db, chain).await?;
        let (unsealed, unsealed_stale, oldest_stale_id) =
            unsealed_counts(db, chain, now - grace).await?;
        report.chains.push(ChainStatus {
            chain: chain.name(),
            sealed,
            head_hash,
            unsealed,
            unsealed_stale,
            oldest_stale_id,
        });
        if broken.is_some() {
            report.broken = broken;
            break;
        }
    }
    Ok(report)
}

/// (links verified, hash of the last, the first break).
async fn walk(db: &DatabaseConnection, chain: Chain) -> AppResult<(i64, String, Option<Break>)> {
    let (mut seq, mut previous) = (0_i64, canonical::GENESIS.to_owned());
    loop {
        let links = seal::Entity::find()
            .filter(seal::Column::Chain.eq(chain.name()))
            .filter(seal::Column::SealSeq.gt(seq))
            .order_by_asc(seal::Column::SealSeq)
            .limit(PAGE)
            .all(db)
            .await?;
        let records = records_of(db, chain, &links).await?;
        for link in &links {
            if let Some(broken) = check_link(chain, link, seq, &previous, records.get(&link.row_id))
            {
                return Ok((seq, previous, Some(broken)));
            }
            seq = link.seal_seq;
            previous = link.seal_hash.clone();
        }
        if (links.len() as u64) < PAGE {
            break;
        }
    }
    let head_break = check_head(db, chain, seq, &previous).await?;
    Ok((seq, previous, head_break))
}

/// The rows the links cover, by id.
async fn records_of(
    db: &DatabaseConnection,
    chain: Chain,
    links: &[seal::Model],
) -> AppResult<HashMap<i64, Record>> {
    let ids: Vec<i64> = links.iter().map(|link| link.row_id).collect();
    let records: Vec<Record> = match chain {
        Chain::AuditLog => audit_entry::Entity::find()
            .filter(audit_entry::Column::Id.is_in(ids))
            .all(db)
            .await?
            .iter()
            .map(audit_record)
            .collect(),
        Chain::Journal => {
            let entries = journal_entry::Entity::find()
                .filter(journal_entry::Column::Id.is_in(ids))
                .all(db)
                .await?;
            journal_records(db, entries).await?
        }
    };
    Ok(records
        .into_iter()
        .map(|record| (record.id, record))
        .collect())
}

/// The first thing wrong with one link, given the position and hash before it.
fn check_link(
    chain: Chain,
    link: &seal::Model,
    previous_seq: i64,
    previous_hash: &str,
    record: Option<&Record>,
) -> Option<Break> {
    let broken = |table: &str, row_id: i64, what: String| Break {
        chain: chain.name(),
        table: table.to_owned(),
        row_id,
        seal_seq: link.seal_seq,
        what,
    };
    if link.seal_seq != previous_seq + 1 {
        return Some(broken(
            "seals",
            link.id,
            format!(
                "seal {} is missing: the chain jumps from {previous_seq} to {}",
                previous_seq + 1,
                link.seal_seq
            ),
        ));
    }
    if link.prev_hash != previous_hash {
        return Some(broken(
            "seals",
            link.id,
            "its previous hash is not the hash of the seal before it (a seal was edited or replaced)"
                .into(),
        ));
    }
    let Some(record) = record else {
        return Some(broken(
            chain.table(),
            link.row_id,
            "the row was deleted after it was sealed".into(),
        ));
    };
    if canonical::link(previous_hash, record) == link.seal_hash {
        return None;
    }
    let sealed = canonical::digests_from_text(&link.field_digests);
    Some(match canonical::difference(record, &sealed) {
        Some((table, row_id, what)) => broken(&table, row_id, what),
        None => broken(
            "seals",
            link.id,
            format!(
                "its hash does not match {} id {} although every field does (the seal was edited)",
                chain.table(),
                link.row_id
            ),
        ),
    })
}

/// The head must be where the walk ended: links deleted from the end show here.
async fn check_head(
    db: &DatabaseConnection,
    chain: Chain,
    seq: i64,
    hash: &str,
) -> AppResult<Option<Break>> {
    let head = seal_head::Entity::find_by_id(chain.name())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(format!("seal_heads has no {} row", chain.name())))?;
    if head.last_seq == seq && head.last_hash == hash {
        return Ok(None);
    }
    Ok(Some(Break {
        chain: chain.name(),
        table: "seal_heads".into(),
        row_id: 0,
        seal_seq: head.last_seq,
        what: format!(
            "the head is at seal {} but the chain ends at seal {seq} (seals were deleted or the head edited)",
            head.last_seq
        ),
    }))
}

/// (rows not sealed, of which written before `before`, the oldest of those).
async fn unsealed_counts(
    db: &DatabaseConnection,
    chain: Chain,
    before: DateTime<Utc>,
) -> AppResult<(u64, u64, Option<i64>)> {
    let sealed_ids = || {
        Query::select()
            .column(seal::Column::RowId)
            .from(seal::Entity)
            .and_where(seal::Column::Chain.eq(chain.name()))
            .to_owned()
    };
    Ok(match chain {
        Chain::AuditLog => {
            let unsealed = audit_entry::Entity::find()
                .filter(audit_entry::Column::Id.not_in_subquery(sealed_ids()));
            let stale = unsealed
                .clone()
                .filter(audit_entry::Column::At.lt(before))
                .order_by_asc(audit_entry::Column::Id);
            let oldest = stale.clone().one(db).await?.map(|row| row.id);
            (unsealed.count(db).await?, stale.count(db).await?, oldest)
        }
        Chain::Journal => {
            let unsealed = journal_entry::Entity::find()
                .filter(journal_entry::Column::Id.not_in_subquery(sealed_ids()));
            let stale = unsealed
                .clone()
                .filter(journal_entry::Column::PostedAt.lt(before))
                .order_by_asc(journal_entry::Column::Id);
            let oldest = stale.clone().one(db).await?.map(|row| row.id);
            (unsealed.count(db).await?, stale.count(db).await?, oldest)
        }
    })
}
