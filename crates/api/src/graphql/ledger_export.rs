//! Journal exports to the ERP: create a batch (each entry once per destination) and its history.

use super::loaders::UserLoader;
use super::types::{connection, Money, User};
use super::{actor, app};
use crate::error::AppError;
use crate::ledger::export::Destination;
use crate::ledger::export_batch::{ExportBatch, ExportRange};
use crate::money::Currency;
use crate::pagination::{Page, PageRequest};
use crate::values::IsoDate;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// Debits and credits of one currency in a batch; equal, since every entry balances.
#[derive(Clone, SimpleObject)]
pub struct LedgerExportTotal {
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct LedgerExport {
    pub id: ID,
    pub destination: Destination,
    /// The closed period exported ("2026-11"), or null for a date range.
    pub period: Option<String>,
    pub from: IsoDate,
    pub to: IsoDate,
    pub entry_count: i64,
    pub line_count: i64,
    pub totals: Vec<LedgerExportTotal>,
    pub file_name: String,
    /// The batch's file, the same bytes every time (bearer token).
    pub download_url: String,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub created_by_id: i64,
}

#[ComplexObject]
impl LedgerExport {
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(ctx
            .data_unchecked::<DataLoader<UserLoader>>()
            .load_one(self.created_by_id)
            .await?
            .map(User::from))
    }
}

impl TryFrom<ExportBatch> for LedgerExport {
    type Error = AppError;
    fn try_from(batch: ExportBatch) -> Result<LedgerExport, AppError> {
        let totals = batch
            .totals
            .into_iter()
            .map(|total| {
                let currency = Currency::parse(&total.currency)?;
                Ok(LedgerExportTotal {
                    currency: total.currency,
                    debit: Money::wide(total.debit_minor, currency),
                    credit: Money::wide(total.credit_minor, currency),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(LedgerExport {
            id: ID(batch.id.to_string()),
            destination: batch.destination,
            period: batch.period,
            from: IsoDate(batch.from),
            to: IsoDate(batch.to),
            entry_count: batch.entry_count,
            line_count: batch.line_count,
            totals,
            file_name: batch.file_name,
            download_url: format!("/api/ledger/exports/{}/file", batch.id),
            created_at: batch.created_at,
            created_by_id: batch.created_by,
        })
    }
}

connection!(LedgerExportConnection, LedgerExportEdge, LedgerExport);

#[derive(Default)]
pub struct LedgerExportQuery;

#[Object]
impl LedgerExportQuery {
    /// Export batches, newest first.
    async fn ledger_exports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LedgerExportConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let batches = app(ctx).ledger.exports(actor(ctx)?, page).await?;
        let nodes = batches
            .items
            .into_iter()
            .map(LedgerExport::try_from)
            .collect::<Result<Vec<_>, AppError>>()?;
        let converted = Page {
            items: nodes,
            offset: batches.offset,
            has_next_page: batches.has_next_page,
            total_count: batches.total_count,
        };
        Ok(LedgerExportConnection::from_page(converted, |node| node))
    }
}

/// A date range (`from` and `to`, both included) or a closed `period` ("2026-11"), not both.
#[derive(InputObject)]
pub struct LedgerExportCreateInput {
    pub destination: Destination,
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
    pub period: Option<String>,
}

#[derive(SimpleObject)]
pub struct LedgerExportCreatePayload {
    /// Null when every entry in range was already exported to this destination.
    pub batch: Option<LedgerExport>,
    /// What happened, in words (e.g. why nothing was exported).
    pub message: String,
}

fn range_of(input: &LedgerExportCreateInput) -> Result<ExportRange, AppError> {
    match (&input.period, &input.from, &input.to) {
        (Some(period), None, None) => Ok(ExportRange::Period(period.trim().to_string())),
        (None, Some(from), Some(to)) => Ok(ExportRange::Dates {
            from: from.0,
            to: to.0,
        }),
        (Some(_), _, _) => Err(AppError::validation(
            "period",
            "Give either a period or a from/to range, not both.",
        )),
        (None, None, _) => Err(AppError::validation(
            "from",
            "Give the first day of the range (or a closed period).",
        )),
        (None, Some(_), None) => Err(AppError::validation(
            "to",
            "Give the last day of the range.",
        )),
    }
}

#[derive(Default)]
pub struct LedgerExportMutation;

#[Object]
impl LedgerExportMutation {
    /// Exports the journal entries of a range or closed period not yet sent to the destination,
    /// as one batch; a second export of the same range finds nothing new and says so.
    async fn ledger_export_create(
        &self,
        ctx: &Context<'_>,
        input: LedgerExportCreateInput,
    ) -> async_graphql::Result<LedgerExportCreatePayload> {
        let range = range_of(&input)?;
        let outcome = app(ctx)
            .ledger
            .export_create(actor(ctx)?, input.destination, range)
            .await?;
        Ok(LedgerExportCreatePayload {
            batch: outcome.batch.map(LedgerExport::try_from).transpose()?,
            message: outcome.message,
        })
    }
}
