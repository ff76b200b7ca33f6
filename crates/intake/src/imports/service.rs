//! The import use cases: upload (validate and preview), commit (exactly once), history.

use super::*;
use sea_orm::DatabaseTransaction;

impl ImportService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        legal_entity: String,
        functional: Currency,
    ) -> ImportService {
        ImportService {
            db,
            clock,
            legal_entity,
            functional,
            progress: Arc::default(),
        }
    }

    fn require(actor: &Actor, kind: ImportKind) -> AppResult<()> {
        actor.require(Permission::ImportRun)?;
        actor.require(kind.writer_permission())
    }

    /// Checks `bytes` as a file of `upload.kind` and keeps the outcome: a validated import (its
    /// file kept until committed) or a rejected one with its row errors. Nothing else is written.
    pub async fn upload(
        &self,
        actor: &Actor,
        upload: Upload,
        bytes: &[u8],
    ) -> AppResult<ImportRecord> {
        Self::require(actor, upload.kind)?;
        let file_name = crate::values::require_text("fileName", &upload.file_name, 200)?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(AppError::Limit(format!(
                "The file is {} MB; one import takes at most {} MB. Split it into several files.",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let cutover_date = match (upload.kind.needs_cutover_date(), upload.cutover_date) {
            (true, None) => {
                return Err(AppError::validation(
                    "cutoverDate",
                    "Opening balances are stated as of a cut-over date; give the date the old system's report is as of.",
                ))
            }
            (true, Some(date)) => {
                ledger::ensure_open(&self.db, date)
                    .await
                    .map_err(|error| match error {
                        // A closed period is the person's to fix; a database failure is ours.
                        AppError::Internal(_) => error,
                        other => AppError::validation("cutoverDate", other.message()),
                    })?;
                Some(date)
            }
            (false, _) => None,
        };
        let sha256 = sha256_hex(bytes);
        let checked = self
            .check(actor, upload.kind, bytes, &sha256, cutover_date)
            .await?;
        let status = if checked.validated.is_some() {
            ImportStatus::Validated
        } else {
            ImportStatus::Rejected
        };
        let now = self.clock.now();
        let error_count = checked.errors.len();
        let mut errors = checked.errors;
        errors.truncate(MAX_ERRORS_KEPT);
        let transaction = self.db.begin().await?;
        let model = import::ActiveModel {
            kind: Set(upload.kind.as_str().into()),
            file_name: Set(file_name),
            file_format: Set(table::FileFormat::detect(bytes).as_str().into()),
            file_sha256: Set(sha256),
            file_bytes: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
            status: Set(status.as_str().into()),
            cutover_date: Set(cutover_date),
            row_count: Set(i64::try_from(checked.rows).unwrap_or(i64::MAX)),
            error_count: Set(i64::try_from(error_count).unwrap_or(i64::MAX)),
            errors_json: Set(serde_json::to_string(&errors)?),
            preview_json: Set(serde_json::to_string(&checked.preview)?),
            content: Set((status == ImportStatus::Validated).then(|| bytes.to_vec())),
            uploaded_by: Set(actor.user_id),
            uploaded_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let record = ImportRecord::try_from(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "import.upload",
                entity_type: "import",
                entity_id: record.id.to_string(),
                before: None,
                after: Some(&summary(&record)),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(record)
    }

    /// Reads and validates the file; `errors` empty means `validated` is `Some`.
    async fn check(
        &self,
        actor: &Actor,
        kind: ImportKind,
        bytes: &[u8],
        sha256: &str,
        cutover_date: Option<NaiveDate>,
    ) -> AppResult<Checked> {
        let rejected = |errors: Vec<CellError>, rows: usize| Checked {
            rows,
            errors,
            validated: None,
            preview: Preview::default(),
        };
        if let Some(earlier) = import::Entity::find()
            .filter(import::Column::CommittedKey.eq(committed_key(kind, sha256)))
            .one(&self.db)
            .await?
        {
            let when = earlier
                .committed_at
                .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default();
            return Ok(rejected(
                vec![CellError::file(format!(
                    "This exact file was already imported as import #{} on {when}; importing it again would double the records.",
                    earlier.id
                ))],
                0,
            ));
        }
        let table = match Table::read(bytes) {
            Ok(table) => table,
            Err(message) => return Ok(rejected(vec![CellError::file(message)], 0)),
        };
        let columns = kind.columns();
        let missing: Vec<CellError> = columns
            .iter()
            .filter(|column| column.required && !table.has(column.name))
            .map(|column| {
                CellError::new(1, column.name, format!("The header has no \"{}\" column; the template for this kind lists every column.", column.name))
            })
            .collect();
        if !missing.is_empty() {
            return Ok(rejected(missing, table.rows.len()));
        }
        let known: Vec<&str> = columns.iter().map(|column| column.name).collect();
        let mut errors = Vec::new();
        let mut preview = Preview {
            ignored_columns: table.unknown_columns(&known),
            ..Preview::default()
        };
        let validated = self
            .validate_rows(actor, kind, cutover_date, &table, &mut errors, &mut preview)
            .await?;
        errors.sort_by_key(|error| error.row);
        Ok(Checked {
            rows: table.rows.len(),
            validated: errors.is_empty().then_some(validated),
            preview: if errors.is_empty() {
                preview
            } else {
                Preview::default()
            },
            errors,
        })
    }

    /// Validates the rows for their kind (the opening balances and contracts need the cut-over
    /// date), collecting each bad cell, and fills the preview of what would be written.
    async fn validate_rows(
        &self,
        actor: &Actor,
        kind: ImportKind,
        cutover_date: Option<NaiveDate>,
        table: &Table,
        errors: &mut Vec<CellError>,
        preview: &mut Preview,
    ) -> AppResult<Validated> {
        Ok(match (kind, cutover_date) {
            (ImportKind::Customers, _) => {
                let rows = customers::validate(&self.db, table, errors).await?;
                preview.records = rows.len() as u64;
                Validated::Customers(rows)
            }
            (ImportKind::OpenInvoices, Some(cutover)) => {
                let rows =
                    open_invoices::validate(&self.db, table, cutover, &self.legal_entity, errors)
                        .await?;
                preview.records = rows.len() as u64;
                preview.totals = open_totals(&rows);
                preview.entries = preview_entries(
                    &opening::opening_entries(&rows)?,
                    &format!("Opening accounts receivable on {cutover}"),
                );
                Validated::OpenInvoices(rows)
            }
            (ImportKind::Contracts, Some(cutover)) => {
                let rows = contracts::validate(&self.db, table, cutover, errors).await?;
                preview.records = rows.len() as u64;
                preview.totals = totals_of(rows.iter().map(|contract| contract.tcv));
                Validated::Contracts(rows)
            }
            (ImportKind::DeferredRevenue, Some(cutover)) => {
                let rows = deferred_revenue::validate(&self.db, table, cutover, errors).await?;
                preview.records = rows.len() as u64;
                preview.totals = totals_of(rows.iter().map(|row| row.amount));
                preview.entries = preview_entries(
                    &deferred_writer::opening_entries(&rows)?,
                    &format!("Opening deferred revenue on {cutover}"),
                );
                Validated::DeferredRevenue(rows)
            }
            (ImportKind::CommissionAssignments, _) => {
                let rows = commission_assignments::validate(
                    &self.db,
                    actor,
                    self.clock.now(),
                    table,
                    errors,
                )
                .await?;
                preview.records = rows.len() as u64;
                Validated::CommissionAssignments(rows)
            }
            (ImportKind::RenewalSchedules, _) => {
                let rows = renewal_schedules::validate(&self.db, table, errors).await?;
                preview.records = rows.len() as u64;
                Validated::RenewalSchedules(rows)
            }
            (ImportKind::PurchaseOrders, _) => {
                let rows = purchase_orders::validate(&self.db, table, errors).await?;
                preview.records = rows.len() as u64;
                preview.totals = po_totals(&rows);
                Validated::PurchaseOrders(rows)
            }
            (
                ImportKind::OpenInvoices | ImportKind::Contracts | ImportKind::DeferredRevenue,
                None,
            ) => {
                return Err(AppError::validation(
                    "cutoverDate",
                    "A cut-over date is required.",
                ))
            }
        })
    }

    /// Writes a validated import, once: the file is checked again against today's data (a
    /// customer or invoice number may have appeared since the preview), the import is claimed
    /// in the same transaction as the writes, and a second commit of it or of the same file is
    /// refused.
    pub async fn commit(&self, actor: &Actor, id: i64) -> AppResult<ImportRecord> {
        actor.require(Permission::ImportRun)?;
        let model = find(&self.db, id).await?;
        let record = ImportRecord::try_from(model.clone())?;
        Self::require(actor, record.kind)?;
        if record.status != ImportStatus::Validated {
            return Err(AppError::Conflict(match record.status {
                ImportStatus::Committed => format!("Import #{id} is already committed."),
                _ => {
                    format!("Import #{id} has rows with errors; fix the file and upload it again.")
                }
            }));
        }
        let content = model
            .content
            .ok_or_else(|| AppError::internal(format!("import {id} kept no file")))?;
        let checked = self
            .check(
                actor,
                record.kind,
                &content,
                &record.file_sha256,
                record.cutover_date,
            )
            .await?;
        let Some(validated) = checked.validated else {
            let first = checked
                .errors
                .first()
                .map(|error| format!("row {}, {}: {}", error.row, error.column, error.message))
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "The data changed since the preview and {} row(s) no longer pass ({first}); upload the file again to see them all.",
                checked.errors.len()
            )));
        };
        let total = checked.preview.records;
        self.set_progress(id, 0, total);
        let outcome = self.write(actor, &record, validated, total).await;
        self.progress.lock().map(|mut map| map.remove(&id)).ok();
        outcome?;
        self.get(actor, id).await
    }

    async fn write(
        &self,
        actor: &Actor,
        record: &ImportRecord,
        validated: Validated,
        total: u64,
    ) -> AppResult<()> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        claim_import(&transaction, actor, record, now).await?;
        let id = record.id;
        let result = self
            .write_rows(&transaction, actor, record, validated, total, now)
            .await?;
        import::Entity::update_many()
            .col_expr(
                import::Column::ResultJson,
                Expr::value(serde_json::to_string(&result)?),
            )
            // The rows are in their own tables now; the file's hash stays to recognise it.
            .col_expr(
                import::Column::Content,
                Expr::value(Option::<Vec<u8>>::None),
            )
            .filter(import::Column::Id.eq(id))
            .exec(&transaction)
            .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "import.commit",
                entity_type: "import",
                entity_id: id.to_string(),
                before: None,
                after: Some(&serde_json::json!({"import": summary(record), "result": result})),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Writes the validated rows into their own tables (opening balances with their entries),
    /// reporting progress as it goes.
    async fn write_rows(
        &self,
        transaction: &DatabaseTransaction,
        actor: &Actor,
        record: &ImportRecord,
        validated: Validated,
        total: u64,
        now: DateTime<Utc>,
    ) -> AppResult<ImportResult> {
        let id = record.id;
        let progress = |done: usize| self.set_progress(id, done as u64, total);
        Ok(match validated {
            Validated::Customers(rows) => ImportResult {
                records: CustomerService::insert_many(transaction, actor, now, rows, progress)
                    .await? as u64,
                entry_numbers: Vec::new(),
            },
            Validated::PurchaseOrders(rows) => ImportResult {
                records: purchase_order_writer::insert_many(
                    transaction,
                    actor,
                    now,
                    &rows,
                    progress,
                )
                .await? as u64,
                entry_numbers: Vec::new(),
            },
            Validated::CommissionAssignments(rows) => ImportResult {
                records: commission_assignments::write(transaction, actor, now, &rows, progress)
                    .await? as u64,
                entry_numbers: Vec::new(),
            },
            Validated::RenewalSchedules(rows) => ImportResult {
                records: crate::deals::renewal_terms::set_many(
                    transaction,
                    actor,
                    now,
                    &rows,
                    progress,
                )
                .await? as u64,
                entry_numbers: Vec::new(),
            },
            Validated::Contracts(rows) => {
                let batch = BroughtOverBatch {
                    import_id: id,
                    cutover_date: cutover_of(record)?,
                    legal_entity: self.legal_entity.clone(),
                };
                let numbers =
                    brought_over::bring_over(transaction, actor, now, &batch, &rows, progress)
                        .await?;
                ImportResult {
                    records: numbers.len() as u64,
                    entry_numbers: Vec::new(),
                }
            }
            Validated::DeferredRevenue(rows) => {
                let batch = DeferredBatch {
                    import_id: id,
                    cutover_date: cutover_of(record)?,
                };
                let written =
                    deferred_writer::bring_over(transaction, actor, now, &batch, &rows, progress)
                        .await?;
                ImportResult {
                    records: written.rows as u64,
                    entry_numbers: written.entry_numbers,
                }
            }
            Validated::OpenInvoices(rows) => {
                let batch = OpeningBatch {
                    import_id: id,
                    cutover_date: cutover_of(record)?,
                    legal_entity: self.legal_entity.clone(),
                    functional: self.functional,
                };
                let written =
                    opening::bring_over(transaction, actor, now, &batch, &rows, progress).await?;
                ImportResult {
                    records: written.invoices as u64,
                    entry_numbers: written.entry_numbers,
                }
            }
        })
    }

    fn set_progress(&self, id: i64, done: u64, total: u64) {
        if let Ok(mut map) = self.progress.lock() {
            map.insert(
                id,
                Progress {
                    done: done.min(total),
                    total,
                },
            );
        }
    }

    /// How far this instance has got with committing `id`, while it does.
    pub fn progress(&self, id: i64) -> Option<Progress> {
        self.progress
            .lock()
            .ok()
            .and_then(|map| map.get(&id).copied())
    }

    pub async fn get(&self, actor: &Actor, id: i64) -> AppResult<ImportRecord> {
        actor.require(Permission::ImportRead)?;
        ImportRecord::try_from(find(&self.db, id).await?)
    }

    /// The history, newest first.
    pub async fn list(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<ImportRecord>> {
        actor.require(Permission::ImportRead)?;
        let query = import::Entity::find();
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(import::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        let items = rows
            .into_iter()
            .map(ImportRecord::try_from)
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(items, page, total))
    }
}

fn cutover_of(record: &ImportRecord) -> AppResult<NaiveDate> {
    record
        .cutover_date
        .ok_or_else(|| AppError::internal(format!("import {} has no cut-over date", record.id)))
}

async fn find(db: &DatabaseConnection, id: i64) -> AppResult<import::Model> {
    import::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Import #{id} does not exist.")))
}

/// The import as its audit rows show it (without the row errors and the file).
fn summary(record: &ImportRecord) -> serde_json::Value {
    serde_json::json!({
        "kind": record.kind.as_str(),
        "fileName": record.file_name,
        "fileSha256": record.file_sha256,
        "status": record.status.as_str(),
        "cutoverDate": record.cutover_date,
        "rows": record.row_count,
        "errors": record.error_count,
        "records": record.preview.records,
        "totals": record.preview.totals,
    })
}

/// Claims the import in the writing transaction: validated to committed, and its file's key
/// taken, so a second commit of it or of the same file is refused before anything is written.
async fn claim_import(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    record: &ImportRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let claimed = import::Entity::update_many()
        .col_expr(import::Column::Status, Expr::value(ImportStatus::Committed.as_str()))
        .col_expr(import::Column::CommittedKey, Expr::value(committed_key(record.kind, &record.file_sha256)))
        .col_expr(import::Column::CommittedBy, Expr::value(actor.user_id))
        .col_expr(import::Column::CommittedAt, Expr::value(now))
        .filter(import::Column::Id.eq(record.id))
        .filter(import::Column::Status.eq(ImportStatus::Validated.as_str()))
        .exec(transaction)
        .await
        .map_err(|error| match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                "This exact file was committed by another import meanwhile; nothing was written twice.".into(),
            ),
            _ => error.into(),
        })?;
    if claimed.rows_affected != 1 {
        return Err(AppError::Conflict(format!(
            "Import #{} was committed by someone else meanwhile; nothing was written twice.",
            record.id
        )));
    }
    Ok(())
}
