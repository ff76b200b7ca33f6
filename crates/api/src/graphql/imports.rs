//! Imports of the existing book: kinds and their templates, the history, one import with its
//! row errors and preview, and commit. Files are uploaded over HTTP (`POST /api/imports`), not
//! through GraphQL, because they can be far larger than a GraphQL request may be.

use super::loaders::UserLoader;
use super::types::{connection, Money, User};
use super::{actor, app};
use crate::imports::{self, cells::CellError, ImportKind, ImportStatus};
use crate::pagination::PageRequest;
use crate::values::{parse_id, IsoDate};
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct ImportColumn {
    /// The header name (case, spaces and punctuation in the file's header do not matter).
    pub name: String,
    pub required: bool,
    pub example: String,
    pub description: String,
}

/// A kind of file revops imports, with the template to fill in.
#[derive(Clone, SimpleObject)]
pub struct ImportKindInfo {
    pub kind: ImportKind,
    pub title: String,
    /// Opening balances are stated as of a cut-over date given with the upload.
    pub needs_cutover_date: bool,
    pub columns: Vec<ImportColumn>,
    pub template_file_name: String,
    /// The header and one example row, as CSV.
    pub template_csv: String,
}

impl From<ImportKind> for ImportKindInfo {
    fn from(kind: ImportKind) -> ImportKindInfo {
        ImportKindInfo {
            kind,
            title: kind.title().into(),
            needs_cutover_date: kind.needs_cutover_date(),
            columns: kind
                .columns()
                .iter()
                .map(|column| ImportColumn {
                    name: column.name.into(),
                    required: column.required,
                    example: column.example.into(),
                    description: column.description.into(),
                })
                .collect(),
            template_file_name: format!("revops-{}-template.csv", kind.as_str().replace('_', "-")),
            template_csv: kind.template_csv(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct ImportPreviewLine {
    pub account_code: String,
    pub account_name: String,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
}

#[derive(Clone, SimpleObject)]
pub struct ImportPreviewEntry {
    pub memo: String,
    pub lines: Vec<ImportPreviewLine>,
}

/// What committing will write.
#[derive(Clone, SimpleObject)]
pub struct ImportPreview {
    /// Records to create (customers, invoices).
    pub records: i64,
    /// The money the rows carry, per currency (open amounts for open invoices).
    pub totals: Vec<Money>,
    /// The journal entries the commit will post.
    pub entries: Vec<ImportPreviewEntry>,
    /// Header columns this kind does not read (a misspelt column shows here).
    pub ignored_columns: Vec<String>,
}

fn money(currency: &str, amount: String) -> Money {
    Money {
        amount,
        currency: currency.to_string(),
    }
}

impl From<imports::Preview> for ImportPreview {
    fn from(preview: imports::Preview) -> ImportPreview {
        ImportPreview {
            records: i64::try_from(preview.records).unwrap_or(i64::MAX),
            totals: preview
                .totals
                .into_iter()
                .map(|(currency, amount)| money(&currency, amount))
                .collect(),
            entries: preview
                .entries
                .into_iter()
                .map(|entry| ImportPreviewEntry {
                    memo: entry.memo,
                    lines: entry
                        .lines
                        .into_iter()
                        .map(|line| ImportPreviewLine {
                            debit: Some(line.debit)
                                .filter(|text| !text.is_empty())
                                .map(|amount| money(&line.currency, amount)),
                            credit: Some(line.credit)
                                .filter(|text| !text.is_empty())
                                .map(|amount| money(&line.currency, amount)),
                            account_code: line.account_code,
                            account_name: line.account_name,
                        })
                        .collect(),
                })
                .collect(),
            ignored_columns: preview.ignored_columns,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct ImportResult {
    pub records: i64,
    /// The journal entries posted (one per currency for opening balances).
    pub entry_numbers: Vec<String>,
}

/// How far a commit has got, while it runs.
#[derive(Clone, SimpleObject)]
pub struct ImportProgress {
    pub done: i64,
    pub total: i64,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Import {
    pub id: ID,
    pub kind: ImportKind,
    pub file_name: String,
    /// "csv" or "xlsx".
    pub file_format: String,
    /// SHA-256 of the file: the same file is recognised and never committed twice.
    pub file_sha256: String,
    pub file_bytes: i64,
    pub status: ImportStatus,
    pub cutover_date: Option<IsoDate>,
    /// Data rows in the file.
    pub row_count: i64,
    /// Cells with a problem (all of them counted; the first 1,000 kept).
    pub error_count: i64,
    pub preview: ImportPreview,
    pub uploaded_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub result: Option<ImportResult>,
    #[graphql(skip)]
    record: imports::ImportRecord,
}

impl From<imports::ImportRecord> for Import {
    fn from(record: imports::ImportRecord) -> Import {
        Import {
            id: ID(record.id.to_string()),
            kind: record.kind,
            file_name: record.file_name.clone(),
            file_format: record.file_format.clone(),
            file_sha256: record.file_sha256.clone(),
            file_bytes: record.file_bytes,
            status: record.status,
            cutover_date: record.cutover_date.map(IsoDate),
            row_count: record.row_count,
            error_count: record.error_count,
            preview: record.preview.clone().into(),
            uploaded_at: record.uploaded_at,
            committed_at: record.committed_at,
            result: record.result.clone().map(|result| ImportResult {
                records: i64::try_from(result.records).unwrap_or(i64::MAX),
                entry_numbers: result.entry_numbers,
            }),
            record,
        }
    }
}

async fn user(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<User>> {
    match id {
        Some(id) => Ok(ctx
            .data_unchecked::<DataLoader<UserLoader>>()
            .load_one(id)
            .await?
            .map(User::from)),
        None => Ok(None),
    }
}

#[ComplexObject]
impl Import {
    /// Row errors in file order, `first` of them (at most 1,000 are kept).
    async fn errors(&self, #[graphql(default = 200)] first: i32) -> Vec<CellError> {
        let first = usize::try_from(first.clamp(0, 1_000)).unwrap_or(0);
        self.record.errors.iter().take(first).cloned().collect()
    }

    async fn uploaded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, Some(self.record.uploaded_by)).await
    }

    async fn committed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.record.committed_by).await
    }

    /// While the instance answering commits it: rows written so far.
    async fn progress(&self, ctx: &Context<'_>) -> Option<ImportProgress> {
        app(ctx)
            .imports
            .progress(self.record.id)
            .map(|progress| ImportProgress {
                done: i64::try_from(progress.done).unwrap_or(i64::MAX),
                total: i64::try_from(progress.total).unwrap_or(i64::MAX),
            })
    }
}

connection!(ImportConnection, ImportEdge, Import);

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// The kinds of file revops imports, each with its columns and a template.
    async fn import_kinds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ImportKindInfo>> {
        actor(ctx)?.require(crate::access::Permission::ImportRead)?;
        Ok(ImportKind::ALL
            .into_iter()
            .map(ImportKindInfo::from)
            .collect())
    }

    /// The import history, newest first.
    async fn imports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ImportConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let found = app(ctx).imports.list(actor(ctx)?, page).await?;
        Ok(ImportConnection::from_page(found, Import::from))
    }

    async fn import(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Import> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).imports.get(actor(ctx)?, id).await?.into())
    }
}

#[derive(InputObject)]
pub struct ImportCommitInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ImportCommitPayload {
    pub import: Import,
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Writes a validated import, once. A large import can outlast the request: the commit runs
    /// to its end (or rolls back whole) even if the caller goes away; `import(id)` shows it.
    async fn import_commit(
        &self,
        ctx: &Context<'_>,
        input: ImportCommitInput,
    ) -> async_graphql::Result<ImportCommitPayload> {
        let id = parse_id("id", &input.id)?;
        let service = app(ctx).imports.clone();
        let actor = actor(ctx)?.clone();
        let committed = tokio::spawn(async move { service.commit(&actor, id).await })
            .await
            .map_err(|error| {
                crate::error::AppError::internal(format!("import commit task: {error}"))
            })??;
        Ok(ImportCommitPayload {
            import: committed.into(),
        })
    }
}
