//! Export batches: which journal entries go to an ERP, recorded so that each entry reaches a
//! destination once (unique destination × entry), with the file kept for re-download.

use super::export::{self, CurrencyTotal, Destination, ExportEntry, ExportLine};
use super::LedgerService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::calendar::parse_period;
use crate::entities::{
    journal_entry, journal_line, ledger_account, ledger_export, ledger_export_entry, ledger_period,
};
use crate::error::{AppError, AppResult};
use crate::money::Currency;
use crate::pagination::{Page, PageRequest};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use serde::Serialize;
use std::collections::HashMap;

/// Entries in one batch at most (DESIGN law 7); a longer range is exported period by period.
pub const MAX_ENTRIES_PER_EXPORT: u64 = 20_000;
/// Link rows per INSERT (3 bound values a row).
const LINK_CHUNK: usize = 1_000;

/// What to export: a date range, or a closed period ("2026-11") as one batch.
#[derive(Debug, Clone)]
pub enum ExportRange {
    Dates { from: NaiveDate, to: NaiveDate },
    Period(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportBatch {
    pub id: i64,
    pub destination: Destination,
    pub period: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub entry_count: i64,
    pub line_count: i64,
    pub totals: Vec<CurrencyTotal>,
    pub file_name: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<ledger_export::Model> for ExportBatch {
    type Error = AppError;
    fn try_from(model: ledger_export::Model) -> AppResult<ExportBatch> {
        let destination = Destination::parse(&model.destination).ok_or_else(|| {
            AppError::internal(format!(
                "export {} has destination {}",
                model.id, model.destination
            ))
        })?;
        Ok(ExportBatch {
            id: model.id,
            destination,
            period: model.period,
            from: model.from_date,
            to: model.to_date,
            entry_count: model.entry_count,
            line_count: model.line_count,
            totals: serde_json::from_str(&model.totals_json)?,
            file_name: model.file_name,
            created_by: model.created_by,
            created_at: model.created_at,
        })
    }
}

/// The batch written, or none when every entry in range was already sent, with a sentence saying
/// which.
#[derive(Debug, Clone)]
pub struct ExportOutcome {
    pub batch: Option<ExportBatch>,
    pub message: String,
}

/// The dates a range covers and its period, checked: a period must be closed.
async fn resolve_range<C: ConnectionTrait>(
    connection: &C,
    range: &ExportRange,
) -> AppResult<(NaiveDate, NaiveDate, Option<String>)> {
    match range {
        ExportRange::Dates { from, to } => {
            if from > to {
                return Err(AppError::validation(
                    "to",
                    format!("The range ends ({to}) before it starts ({from})."),
                ));
            }
            Ok((*from, *to, None))
        }
        ExportRange::Period(period) => {
            let (first, next) = parse_period("period", period)?;
            let closed = ledger_period::Entity::find_by_id(period.clone())
                .filter(ledger_period::Column::Status.eq("closed"))
                .one(connection)
                .await?
                .is_some();
            if !closed {
                return Err(AppError::validation(
                    "period",
                    format!("Period {period} is open: close it first, so its entries are final, then export it."),
                ));
            }
            let last = next.pred_opt().unwrap_or(first);
            Ok((first, last, Some(period.clone())))
        }
    }
}

/// Entries dated in the range that were not yet sent to the destination, oldest first.
async fn pending_entries<C: ConnectionTrait>(
    connection: &C,
    destination: Destination,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<journal_entry::Model>> {
    let sent = Query::select()
        .column(ledger_export_entry::Column::EntryId)
        .from(ledger_export_entry::Entity)
        .and_where(ledger_export_entry::Column::Destination.eq(destination.as_str()))
        .to_owned();
    let entries = journal_entry::Entity::find()
        .filter(journal_entry::Column::EntryDate.between(from, to))
        .filter(journal_entry::Column::Id.not_in_subquery(sent))
        .order_by_asc(journal_entry::Column::EntryDate)
        .order_by_asc(journal_entry::Column::Id)
        .limit(MAX_ENTRIES_PER_EXPORT + 1)
        .all(connection)
        .await?;
    if entries.len() as u64 > MAX_ENTRIES_PER_EXPORT {
        return Err(AppError::Limit(format!(
            "More than {MAX_ENTRIES_PER_EXPORT} entries are waiting in {from} to {to}: export a shorter range (a month at a time)."
        )));
    }
    Ok(entries)
}

/// The entries with their lines and account names, ready for a layout.
async fn export_entries<C: ConnectionTrait>(
    connection: &C,
    models: Vec<journal_entry::Model>,
) -> AppResult<Vec<ExportEntry>> {
    let names: HashMap<String, String> = ledger_account::Entity::find()
        .all(connection)
        .await?
        .into_iter()
        .map(|account| (account.code, account.name))
        .collect();
    let mut lines: HashMap<i64, Vec<ExportLine>> = HashMap::new();
    let ids: Vec<i64> = models.iter().map(|model| model.id).collect();
    for chunk in ids.chunks(LINK_CHUNK) {
        let rows = journal_line::Entity::find()
            .filter(journal_line::Column::EntryId.is_in(chunk.to_vec()))
            .order_by_asc(journal_line::Column::Id)
            .all(connection)
            .await?;
        for row in rows {
            let account_name = names.get(&row.account_code).cloned().unwrap_or_default();
            lines.entry(row.entry_id).or_default().push(ExportLine {
                account_name,
                currency: Currency::parse(&row.currency)?,
                account_code: row.account_code,
                debit_minor: row.debit_minor,
                credit_minor: row.credit_minor,
            });
        }
    }
    Ok(models
        .into_iter()
        .map(|model| ExportEntry {
            lines: lines.remove(&model.id).unwrap_or_default(),
            entry_number: model.entry_number,
            entry_date: model.entry_date,
            memo: model.memo,
            source: model.source,
        })
        .collect())
}

/// Why nothing was exported, in words.
async fn nothing_message<C: ConnectionTrait>(
    connection: &C,
    destination: Destination,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<String> {
    let in_range = journal_entry::Entity::find()
        .filter(journal_entry::Column::EntryDate.between(from, to))
        .count(connection)
        .await?;
    Ok(if in_range == 0 {
        format!("Nothing to export: there are no journal entries dated {from} to {to}.")
    } else {
        let (what, verb) = if in_range == 1 {
            ("the one journal entry".to_string(), "was")
        } else {
            (format!("all {in_range} journal entries"), "were")
        };
        format!(
            "Nothing to export: {what} dated {from} to {to} {verb} already exported to {}.",
            destination.title()
        )
    })
}

/// A unique-key failure on the links means another export took these entries first.
fn link_error(error: sea_orm::DbErr, destination: Destination) -> AppError {
    if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        return AppError::Conflict(format!(
            "Another export to {} took some of these entries at the same moment; export again for the rest.",
            destination.title()
        ));
    }
    error.into()
}

impl LedgerService {
    /// Exports the entries in range not yet sent to `destination` as one batch, audited. When
    /// none are left the outcome has no batch and says why; nothing is written.
    pub async fn export_create(
        &self,
        actor: &Actor,
        destination: Destination,
        range: ExportRange,
    ) -> AppResult<ExportOutcome> {
        actor.require(Permission::LedgerExport)?;
        let (from, to, period) = resolve_range(&self.db, &range).await?;
        let transaction = self.db.begin().await?;
        let models = pending_entries(&transaction, destination, from, to).await?;
        if models.is_empty() {
            let message = nothing_message(&transaction, destination, from, to).await?;
            return Ok(ExportOutcome {
                batch: None,
                message,
            });
        }
        let ids: Vec<i64> = models.iter().map(|model| model.id).collect();
        let entries = export_entries(&transaction, models).await?;
        let unbalanced = export::unbalanced(&entries);
        if !unbalanced.is_empty() {
            return Err(AppError::internal(format!(
                "unbalanced entries in the ledger: {}",
                unbalanced.join(", ")
            )));
        }
        let model = self
            .insert_batch(
                &transaction,
                actor,
                destination,
                (from, to, period),
                &entries,
            )
            .await?;
        let links: Vec<ledger_export_entry::ActiveModel> = ids
            .iter()
            .map(|entry_id| ledger_export_entry::ActiveModel {
                export_id: Set(model.id),
                destination: Set(destination.as_str().to_string()),
                entry_id: Set(*entry_id),
                ..Default::default()
            })
            .collect();
        for chunk in links.chunks(LINK_CHUNK) {
            ledger_export_entry::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&transaction)
                .await
                .map_err(|error| link_error(error, destination))?;
        }
        let batch = ExportBatch::try_from(model)?;
        audit::record(
            &transaction,
            Some(actor),
            batch.created_at,
            AuditRecord::<(), _> {
                action: "ledger_export.create",
                entity_type: "ledger_export",
                entity_id: batch.id.to_string(),
                before: None,
                after: Some(&batch),
            },
        )
        .await?;
        transaction.commit().await?;
        let message = format!(
            "Batch {} holds {} journal {} for {}.",
            batch.id,
            batch.entry_count,
            if batch.entry_count == 1 {
                "entry"
            } else {
                "entries"
            },
            destination.title()
        );
        Ok(ExportOutcome {
            batch: Some(batch),
            message,
        })
    }

    async fn insert_batch<C: ConnectionTrait>(
        &self,
        connection: &C,
        actor: &Actor,
        destination: Destination,
        (from, to, period): (NaiveDate, NaiveDate, Option<String>),
        entries: &[ExportEntry],
    ) -> AppResult<ledger_export::Model> {
        let line_count: usize = entries.iter().map(|entry| entry.lines.len()).sum();
        let scope = period.clone().unwrap_or_else(|| format!("{from}_{to}"));
        let model = ledger_export::ActiveModel {
            destination: Set(destination.as_str().to_string()),
            period: Set(period),
            from_date: Set(from),
            to_date: Set(to),
            entry_count: Set(i64::try_from(entries.len()).map_err(AppError::internal)?),
            line_count: Set(i64::try_from(line_count).map_err(AppError::internal)?),
            totals_json: Set(serde_json::to_string(&export::totals(entries))?),
            file_name: Set(String::new()),
            content: Set(export::render(destination, entries)),
            created_by: Set(actor.user_id),
            created_at: Set(self.clock.now()),
            ..Default::default()
        }
        .insert(connection)
        .await?;
        // The name carries the batch number, known only once the row exists.
        let id = model.id;
        let mut named: ledger_export::ActiveModel = model.into();
        named.file_name = Set(format!(
            "revops-journal-{}-{scope}-batch-{id}.csv",
            destination.as_str()
        ));
        Ok(named.update(connection).await?)
    }

    /// Export batches, newest first.
    pub async fn exports(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<ExportBatch>> {
        actor.require(Permission::LedgerRead)?;
        let total = ledger_export::Entity::find().count(&self.db).await?;
        let batches = ledger_export::Entity::find()
            .order_by_desc(ledger_export::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(ExportBatch::try_from)
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(batches, page, total))
    }

    /// A batch's file again, byte for byte as first written (file name, text). Reading it sends
    /// nothing anew, so the ledger's readers (the auditor included) may fetch it.
    pub async fn export_file(&self, actor: &Actor, id: i64) -> AppResult<(String, String)> {
        actor.require(Permission::LedgerRead)?;
        let model = ledger_export::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no ledger export batch {id}.")))?;
        Ok((model.file_name, model.content))
    }
}
