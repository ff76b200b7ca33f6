//! The bill run for one business date: every charge due by then is written once (unique key per
//! contract line and period), then the unbilled charges of each customer, entity, currency and
//! PO become one invoice, each in its own transaction. A second run, a run restarted after a
//! crash, or two instances at once produce no duplicate and no gap: a charge key can be written
//! once, a charge can sit on one live invoice, and the invoice number is drawn in the invoice's
//! transaction.

use super::repo::{self, BillableLine};
use super::schedule::{self, DueCharge};
use crate::access::Actor;
use crate::entities::{
    billing_charge, contract_line_change, credit_memo, customer, invoice_line, job_run,
    purchase_order,
};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::{self, InvoicePlan, Reference};
use crate::money::Currency;
use crate::receivables::charge_credits::{self, ChargeCredit, Outcome};
use crate::receivables::credit_memos::CreditLine;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

mod credit_hold;
mod due;

pub use due::usage_charge;

pub const JOB: &str = "bill_run";
const INSERT_BATCH: usize = 500;
/// Invoices per transaction.
const CHUNK: usize = 200;

/// A charge the run did not write, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub customer_id: i64,
    pub contract_line_id: i64,
    pub description: String,
    pub reason: String,
}

/// An invoice the run issued, held, or (in a preview) would write.
#[derive(Debug, Clone, Serialize)]
pub struct RunInvoice {
    pub invoice_id: Option<i64>,
    pub number: Option<String>,
    pub plan: InvoicePlan,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BillRunReport {
    pub as_of: Option<NaiveDate>,
    pub dry_run: bool,
    pub charges_written: usize,
    pub issued: Vec<RunInvoice>,
    pub held: Vec<RunInvoice>,
    pub skipped: Vec<Skipped>,
    /// Groups another run invoiced while this one was working.
    pub raced: usize,
    /// Credit memos issued for credits no invoice of this run absorbs (their ids).
    pub credit_memos: Vec<i64>,
}

impl BillRunReport {
    pub fn summary(&self) -> String {
        format!(
            "{} charges written, {} invoices issued, {} held as drafts, {} charges skipped{}{}",
            self.charges_written,
            self.issued.len(),
            self.held.len(),
            self.skipped.len(),
            if self.credit_memos.is_empty() {
                String::new()
            } else {
                format!(", {} credit memos issued", self.credit_memos.len())
            },
            if self.raced > 0 {
                format!(", {} groups already invoiced by another run", self.raced)
            } else {
                String::new()
            }
        )
    }
}

/// Progress, readable while the run works (CLI and web app).
#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub business_date: NaiveDate,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub summary: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job_run::Model> for RunStatus {
    fn from(row: job_run::Model) -> RunStatus {
        RunStatus {
            business_date: row.business_date,
            status: row.status,
            done: row.done_count,
            total: row.total_count,
            summary: row.summary,
            started_at: row.started_at,
            finished_at: row.finished_at,
        }
    }
}

pub async fn status<C: ConnectionTrait>(
    connection: &C,
    date: NaiveDate,
) -> AppResult<Option<RunStatus>> {
    Ok(job_run::Entity::find()
        .filter(job_run::Column::Job.eq(JOB))
        .filter(job_run::Column::BusinessDate.eq(date))
        .one(connection)
        .await?
        .map(RunStatus::from))
}

/// The recent runs, newest first.
pub async fn recent<C: ConnectionTrait>(connection: &C, limit: u64) -> AppResult<Vec<RunStatus>> {
    Ok(job_run::Entity::find()
        .filter(job_run::Column::Job.eq(JOB))
        .order_by_desc(job_run::Column::BusinessDate)
        .limit(limit)
        .all(connection)
        .await?
        .into_iter()
        .map(RunStatus::from)
        .collect())
}

fn charge_row(
    line: &BillableLine,
    charge: &DueCharge,
    now: DateTime<Utc>,
) -> billing_charge::ActiveModel {
    billing_charge::ActiveModel {
        contract_line_id: Set(line.line_id),
        charge_key: Set(charge.key.clone()),
        contract_id: Set(line.contract_id),
        customer_id: Set(line.customer_id),
        kind: Set(charge.kind.as_str().into()),
        description: Set(charge.description.clone()),
        period_start: Set(charge.period.map(|period| period.0)),
        period_end: Set(charge.period.map(|period| period.1)),
        quantity: Set(charge.quantity.normalize().to_string()),
        unit_price_minor: Set(charge.unit_price.minor()),
        amount_minor: Set(charge.amount.minor()),
        currency: Set(charge.amount.currency().code().to_string()),
        proration_note: Set(charge.note.clone()),
        due_on: Set(charge.due_on),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Charges written but on no live invoice and settled by no credit memo, due by `as_of`.
async fn unbilled<C: ConnectionTrait>(
    connection: &C,
    as_of: NaiveDate,
) -> AppResult<Vec<billing_charge::Model>> {
    let billed = Query::select()
        .column(invoice_line::Column::ActiveChargeId)
        .from(invoice_line::Entity)
        .and_where(invoice_line::Column::ActiveChargeId.is_not_null())
        .to_owned();
    let credited = Query::select()
        .column(credit_memo::Column::BillingChargeId)
        .from(credit_memo::Entity)
        .and_where(credit_memo::Column::BillingChargeId.is_not_null())
        .to_owned();
    Ok(billing_charge::Entity::find()
        .filter(billing_charge::Column::DueOn.lte(as_of))
        .filter(billing_charge::Column::Id.not_in_subquery(billed))
        .filter(billing_charge::Column::Id.not_in_subquery(credited))
        .order_by_asc(billing_charge::Column::Id)
        .all(connection)
        .await?)
}

/// Options of one run.
pub struct RunRequest<'a> {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    pub actor: Option<&'a Actor>,
    pub functional: Currency,
    /// The company entity that issues the invoices.
    pub seller: String,
    pub now: DateTime<Utc>,
    /// Who is running, for the job row (e.g. "cli:host:pid").
    pub owner: String,
}

async fn start_job(db: &DatabaseConnection, request: &RunRequest<'_>) -> AppResult<()> {
    job_run::Entity::insert(job_run::ActiveModel {
        job: Set(JOB.into()),
        business_date: Set(request.as_of),
        status: Set("running".into()),
        owner: Set(request.owner.clone()),
        started_at: Set(request.now),
        lease_until: Set(request.now + chrono::Duration::minutes(30)),
        done_count: Set(0),
        total_count: Set(0),
        summary: Set("started".into()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([job_run::Column::Job, job_run::Column::BusinessDate])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    job_run::Entity::update_many()
        .col_expr(job_run::Column::Status, Expr::value("running"))
        .col_expr(job_run::Column::Owner, Expr::value(request.owner.clone()))
        .col_expr(job_run::Column::StartedAt, Expr::value(request.now))
        .col_expr(
            job_run::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job_run::Column::DoneCount, Expr::value(0))
        .filter(job_run::Column::Job.eq(JOB))
        .filter(job_run::Column::BusinessDate.eq(request.as_of))
        .exec(db)
        .await?;
    Ok(())
}

async fn progress(
    db: &DatabaseConnection,
    as_of: NaiveDate,
    done: usize,
    total: usize,
    summary: &str,
    finished: Option<(&str, DateTime<Utc>)>,
) -> AppResult<()> {
    let mut update = job_run::Entity::update_many()
        .col_expr(job_run::Column::DoneCount, Expr::value(done as i64))
        .col_expr(job_run::Column::TotalCount, Expr::value(total as i64))
        .col_expr(job_run::Column::Summary, Expr::value(summary.to_string()));
    if let Some((status, at)) = finished {
        update = update
            .col_expr(job_run::Column::Status, Expr::value(status.to_string()))
            .col_expr(job_run::Column::FinishedAt, Expr::value(at));
    }
    update
        .filter(job_run::Column::Job.eq(JOB))
        .filter(job_run::Column::BusinessDate.eq(as_of))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs (or, with `dry_run`, previews) the bill run for `as_of`. `on_progress` hears (done, total).
pub async fn execute(
    db: &DatabaseConnection,
    request: RunRequest<'_>,
    on_progress: &(dyn Fn(usize, usize) + Sync),
) -> AppResult<BillRunReport> {
    let as_of = request.as_of;
    let mut report = BillRunReport {
        as_of: Some(as_of),
        dry_run: request.dry_run,
        ..Default::default()
    };
    if !request.dry_run {
        start_job(db, &request).await?;
    }
    let (preview_rows, lines) = write_due_charges(db, &request, &mut report).await?;
    let mut charges = unbilled(db, as_of).await?;
    charges.extend(preview_rows);
    let mut inputs = PlanInputs::load(db, &charges, &request).await?;
    let groups = plan::group_charges(charges, &inputs.terms)?;
    let total = groups.len();
    on_progress(0, total);
    inputs.load_purchase_orders(db).await?;
    let started = std::time::Instant::now();
    let mut credit =
        credit_hold::CreditRun::load(db, &inputs.customers, &lines, as_of, &inputs.reference.fx)
            .await?;
    drop(lines);
    tracing::info!(
        customers = inputs.customers.len(),
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "bill run: credit exposure read"
    );
    // Invoices are written in chunks, one transaction per chunk. The plans that pass every rule
    // and draw on no PO are written together in a few statements (`write_issued_many`) in a
    // savepoint; if another run invoiced one of them first, that savepoint is rolled back and
    // the chunk is written one invoice per savepoint, so only the raced group is left out.
    let mut chunk = Chunk::default();
    for (index, group) in groups.into_iter().enumerate() {
        let planned = plan_group(db, &group, &inputs, &request, &mut chunk, &mut report).await?;
        let planned = credit.weigh(planned, &inputs.reference.fx)?;
        chunk.file(db, planned, &request, &mut report).await?;
        let done = index + 1;
        if done % CHUNK == 0 || done == total {
            chunk.commit(db, &request, &mut report).await?;
        }
        on_progress(done, total);
        if !request.dry_run && (done % CHUNK == 0 || done == total) {
            progress(
                db,
                as_of,
                done,
                total,
                &format!("{done} of {total} invoices"),
                None,
            )
            .await?;
        }
    }
    chunk.commit(db, &request, &mut report).await?;
    if !request.dry_run {
        progress(
            db,
            as_of,
            total,
            total,
            &report.summary(),
            Some(("done", request.now)),
        )
        .await?;
    }
    Ok(report)
}

/// What the bill run would charge `lines` by `as_of`, credits capped as the run caps them, read
/// in the caller's connection: a modification's preview reads it inside the transaction it then
/// rolls back, so what it shows is what the next run bills.
pub(crate) async fn due_for<C: ConnectionTrait>(
    connection: &C,
    lines: &[BillableLine],
    as_of: NaiveDate,
) -> AppResult<Vec<(BillableLine, DueCharge)>> {
    let ids: Vec<i64> = lines.iter().map(|line| line.line_id).collect();
    let keys = repo::charge_keys(connection, Some(&ids)).await?;
    cap_credits(
        connection,
        due::due_charges(connection, lines, &keys, as_of).await?,
    )
    .await
}

/// Writes every charge due by the run's date once (a dry run only previews them, returned with
/// negative ids), and returns them with the lines read. A customer on credit hold is not charged
/// for a service never billed before; its running billing continues.
async fn write_due_charges(
    db: &DatabaseConnection,
    request: &RunRequest<'_>,
    report: &mut BillRunReport,
) -> AppResult<(Vec<billing_charge::Model>, Vec<BillableLine>)> {
    let lines = repo::billable_lines(db, None).await?;
    let on_hold: HashSet<i64> = customer::Entity::find()
        .filter(customer::Column::OnCreditHold.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|customer| customer.id)
        .collect();
    let keys = repo::charge_keys(db, None).await?;
    let mut new_rows = Vec::new();
    let mut preview_rows = Vec::new();
    let due = cap_credits(
        db,
        due::due_charges(db, &lines, &keys, request.as_of).await?,
    )
    .await?;
    for (line, charge) in due {
        // Credit hold: nothing for a service never billed before; running billing continues,
        // and a plan change's line carries on the billing of the line it replaced.
        let running = keys.contains_key(&line.line_id)
            || line
                .replaces_line_id
                .is_some_and(|old| keys.contains_key(&old));
        if on_hold.contains(&line.customer_id) && !running {
            report.skipped.push(Skipped {
                customer_id: line.customer_id,
                contract_line_id: line.line_id,
                description: charge.description.clone(),
                reason: "The customer is on credit hold: new services are not invoiced until the hold is lifted.".into(),
            });
            continue;
        }
        if request.dry_run {
            preview_rows.push(preview_charge(
                &line,
                &charge,
                request.now,
                -(preview_rows.len() as i64) - 1,
            ));
        } else {
            new_rows.push(charge_row(&line, &charge, request.now));
        }
    }
    report.charges_written = new_rows.len();
    for batch in new_rows.chunks(INSERT_BATCH) {
        billing_charge::Entity::insert_many(batch.to_vec())
            .on_conflict(
                OnConflict::columns([
                    billing_charge::Column::ContractLineId,
                    billing_charge::Column::ChargeKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok((preview_rows, lines))
}

/// What every group of charges is planned against: its contract's terms, its customer, the POs
/// it may draw on and the day's rates.
struct PlanInputs {
    terms: HashMap<i64, plan::ContractTerms>,
    customers: HashMap<i64, customer::Model>,
    purchase_orders: HashMap<(i64, String), purchase_order::Model>,
    reference: Reference,
}

impl PlanInputs {
    /// The terms, customers and rates of `charges` (the POs come later, in
    /// `load_purchase_orders`).
    async fn load(
        db: &DatabaseConnection,
        charges: &[billing_charge::Model],
        request: &RunRequest<'_>,
    ) -> AppResult<PlanInputs> {
        let contract_ids: Vec<i64> = charges
            .iter()
            .map(|charge| charge.contract_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let terms = plan::contract_terms(db, &contract_ids, &request.seller).await?;
        let customers: HashMap<i64, customer::Model> = crate::lookup::find_in(
            db,
            customer::Entity::find(),
            customer::Column::Id,
            charges.iter().map(|charge| charge.customer_id),
        )
        .await?
        .into_iter()
        .map(|customer| (customer.id, customer))
        .collect();
        let reference = Reference::load(db, request.functional).await?;
        Ok(PlanInputs {
            terms,
            customers,
            purchase_orders: HashMap::new(),
            reference,
        })
    }

    /// Every PO the groups name, read once (a PO is drawn by at most one group per run).
    async fn load_purchase_orders(&mut self, db: &DatabaseConnection) -> AppResult<()> {
        for purchase_order in crate::lookup::find_in(
            db,
            purchase_order::Entity::find(),
            purchase_order::Column::CustomerId,
            self.customers.keys().copied(),
        )
        .await?
        {
            self.purchase_orders.insert(
                (purchase_order.customer_id, purchase_order.number.clone()),
                purchase_order,
            );
        }
        Ok(())
    }
}

/// Plans one group's invoice. When its credits outweigh its charges, nothing on this date absorbs
/// them, and waiting for a later invoice may wait for ever (a cancelled service has none): each
/// credit becomes a credit memo now, against the invoice that billed its period, and only the
/// charges are planned (none when there are none).
async fn plan_group(
    db: &DatabaseConnection,
    group: &[billing_charge::Model],
    inputs: &PlanInputs,
    request: &RunRequest<'_>,
    chunk: &mut Chunk,
    report: &mut BillRunReport,
) -> AppResult<Option<InvoicePlan>> {
    let first = &group[0];
    let customer = inputs
        .customers
        .get(&first.customer_id)
        .ok_or_else(|| AppError::internal(format!("customer {} vanished", first.customer_id)))?;
    let po_number = inputs
        .terms
        .get(&first.contract_id)
        .and_then(|terms| terms.po_number.clone());
    let po =
        po_number.and_then(|number| inputs.purchase_orders.get(&(customer.id, number)).cloned());
    let planned = plan::plan(
        group,
        &inputs.terms,
        customer,
        po.as_ref(),
        &inputs.reference,
        request.as_of,
    )?;
    if !planned.totals.total.is_negative() {
        return Ok(Some(planned));
    }
    let (charges, credits): (Vec<_>, Vec<_>) = group
        .iter()
        .cloned()
        .partition(|charge| charge.amount_minor >= 0);
    if !request.dry_run {
        // The invoices planned so far are written first: a credit may be against one.
        chunk.flush(db, request, report).await?;
        let outer = open_chunk(db, &mut chunk.transaction).await?;
        issue_credits(outer, &credits, request, report).await?;
    }
    if charges.is_empty() {
        return Ok(None);
    }
    Ok(Some(plan::plan(
        &charges,
        &inputs.terms,
        customer,
        po.as_ref(),
        &inputs.reference,
        request.as_of,
    )?))
}

/// The invoices of one chunk: its transaction, begun on first use, and the plans waiting to be
/// written together in it.
#[derive(Default)]
struct Chunk {
    transaction: Option<sea_orm::DatabaseTransaction>,
    pending: Vec<InvoicePlan>,
}

impl Chunk {
    /// Files one planned invoice: a dry run reports it; one that passes every rule and draws on
    /// no PO waits to be written with the others; any other is written alone now.
    async fn file(
        &mut self,
        db: &DatabaseConnection,
        planned: Option<InvoicePlan>,
        request: &RunRequest<'_>,
        report: &mut BillRunReport,
    ) -> AppResult<()> {
        match planned {
            None => {}
            Some(planned) if request.dry_run => {
                let entry = RunInvoice {
                    invoice_id: None,
                    number: None,
                    plan: planned,
                };
                if entry.plan.block.is_some() {
                    report.held.push(entry)
                } else {
                    report.issued.push(entry)
                }
            }
            Some(planned) if planned.block.is_none() && planned.po.is_none() => {
                self.pending.push(planned)
            }
            Some(planned) => {
                let outer = open_chunk(db, &mut self.transaction).await?;
                write_one(outer, planned, request, report).await?;
            }
        }
        Ok(())
    }

    /// Writes the waiting plans into the chunk's transaction (begun if need be).
    async fn flush(
        &mut self,
        db: &DatabaseConnection,
        request: &RunRequest<'_>,
        report: &mut BillRunReport,
    ) -> AppResult<()> {
        let outer = open_chunk(db, &mut self.transaction).await?;
        flush(outer, &mut self.pending, request, report).await
    }

    /// Writes the waiting plans and commits the chunk, so the next group begins a new one.
    async fn commit(
        &mut self,
        db: &DatabaseConnection,
        request: &RunRequest<'_>,
        report: &mut BillRunReport,
    ) -> AppResult<()> {
        if !self.pending.is_empty() {
            self.flush(db, request, report).await?;
        }
        if let Some(transaction) = self.transaction.take() {
            transaction.commit().await?;
        }
        Ok(())
    }
}

/// The chunk's transaction, begun on first use.
async fn open_chunk<'a>(
    db: &DatabaseConnection,
    chunk: &'a mut Option<sea_orm::DatabaseTransaction>,
) -> AppResult<&'a sea_orm::DatabaseTransaction> {
    if chunk.is_none() {
        *chunk = Some(db.begin().await?);
    }
    chunk
        .as_ref()
        .ok_or_else(|| AppError::internal("bill run chunk missing"))
}

/// Writes the pending plans together in a savepoint of the chunk; when another run invoiced one
/// of them first, writes them one by one instead.
async fn flush(
    outer: &sea_orm::DatabaseTransaction,
    pending: &mut Vec<InvoicePlan>,
    request: &RunRequest<'_>,
    report: &mut BillRunReport,
) -> AppResult<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let plans = std::mem::take(pending);
    let savepoint = outer.begin().await?;
    let refs: Vec<&InvoicePlan> = plans.iter().collect();
    match plan::write_issued_many(&savepoint, &refs, request.actor, request.now).await {
        Ok(written) => {
            savepoint.commit().await?;
            for (written, plan) in written.into_iter().zip(plans) {
                report.issued.push(RunInvoice {
                    invoice_id: Some(written.invoice_id),
                    number: written.number,
                    plan,
                });
            }
            Ok(())
        }
        Err(error) if plan::is_unique_violation(&error) => {
            drop(savepoint);
            for plan in plans {
                write_one(outer, plan, request, report).await?;
            }
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Writes one plan in its own savepoint of the chunk: issued, held as a draft, or left out
/// because another run invoiced its group first.
async fn write_one(
    outer: &sea_orm::DatabaseTransaction,
    planned: InvoicePlan,
    request: &RunRequest<'_>,
    report: &mut BillRunReport,
) -> AppResult<()> {
    let transaction = outer.begin().await?;
    match plan::write_plan(&transaction, &planned, request.actor, request.now).await {
        Ok(written) => {
            transaction.commit().await?;
            let entry = RunInvoice {
                invoice_id: Some(written.invoice_id),
                number: written.number,
                plan: planned,
            };
            if written.issued {
                report.issued.push(entry)
            } else {
                report.held.push(entry)
            }
            Ok(())
        }
        Err(error) if plan::is_unique_violation(&error) => {
            drop(transaction);
            report.raced += 1;
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Issues each credit as credit memos, each in its own savepoint of the chunk's transaction: a
/// credit another run issued first is rolled back alone; one with no issued invoice for its
/// period yet, or that its invoice refuses now (e.g. a later change already dated on it), waits
/// and is reported as skipped with the reason, without stopping the run.
async fn issue_credits(
    outer: &sea_orm::DatabaseTransaction,
    credits: &[billing_charge::Model],
    request: &RunRequest<'_>,
    report: &mut BillRunReport,
) -> AppResult<()> {
    for charge in credits {
        let requested_by = authorised_by(outer, charge, request.actor).await?;
        let savepoint = outer.begin().await?;
        let credit = ChargeCredit {
            charge,
            requested_by,
            on: request.as_of,
        };
        let outcome =
            charge_credits::issue_for_charge(&savepoint, request.actor, credit, request.now).await;
        let reason = match outcome {
            Ok(Outcome::Issued(ids)) => {
                savepoint.commit().await?;
                report.credit_memos.extend(ids);
                continue;
            }
            Ok(Outcome::Raced) => {
                report.raced += 1;
                continue;
            }
            Ok(Outcome::Waiting) => {
                "No issued invoice bills this period yet; the credit waits for it.".to_string()
            }
            Err(AppError::Validation { message, .. } | AppError::Conflict(message)) => {
                format!("The credit waits: {message}")
            }
            Err(error) => return Err(error),
        };
        drop(savepoint);
        report.skipped.push(Skipped {
            customer_id: charge.customer_id,
            contract_line_id: charge.contract_line_id,
            description: charge.description.clone(),
            reason,
        });
    }
    Ok(())
}

/// The person who authorised a credit: whoever recorded the change it comes from, else the
/// person running the bill run.
async fn authorised_by<C: ConnectionTrait>(
    connection: &C,
    charge: &billing_charge::Model,
    actor: Option<&Actor>,
) -> AppResult<i64> {
    let change_id = charge
        .charge_key
        .strip_prefix("change:")
        .and_then(|id| id.parse::<i64>().ok());
    let recorded_by = match change_id {
        Some(id) => contract_line_change::Entity::find_by_id(id)
            .one(connection)
            .await?
            .and_then(|change| change.created_by),
        None => None,
    };
    recorded_by
        .or(actor.map(|actor| actor.user_id))
        .ok_or_else(|| {
            AppError::internal(format!(
                "credit {} has no person who authorised it",
                charge.charge_key
            ))
        })
}

/// Caps every credit due (seats down, cancellations) at what its line still has billed and not
/// credited for that period: the charges written for the period (its own charge, seat changes,
/// earlier credits) and those due in this run, less credit memos people asked for on its
/// invoice lines. Memos the bill run issued are already among the charges.
async fn cap_credits<C: ConnectionTrait>(
    db: &C,
    due: Vec<(BillableLine, DueCharge)>,
) -> AppResult<Vec<(BillableLine, DueCharge)>> {
    let mut credited_lines: Vec<i64> = due
        .iter()
        // A discount line never exceeds the period charge it is written beside, by its rule.
        .filter(|(_, charge)| charge.amount.is_negative() && charge.period.is_some())
        .filter(|(_, charge)| charge.kind != crate::invoicing::rules::ChargeKind::Discount)
        .map(|(line, _)| line.line_id)
        .collect();
    if credited_lines.is_empty() {
        return Ok(due);
    }
    credited_lines.sort_unstable();
    credited_lines.dedup();
    let mut left = left_to_credit(db, &credited_lines).await?;
    let mut kept = Vec::with_capacity(due.len());
    for (line, charge) in due {
        let period_end = charge
            .period
            .map(|(_, end)| end)
            .filter(|_| credited_lines.binary_search(&line.line_id).is_ok());
        let Some(end) = period_end else {
            kept.push((line, charge));
            continue;
        };
        let remaining = left.entry((line.line_id, end)).or_insert(0);
        // Nothing left to credit: the credit is not written at all.
        if let Some(charge) = schedule::cap_credit(charge, *remaining) {
            *remaining += charge.amount.minor();
            kept.push((line, charge));
        }
    }
    Ok(kept)
}

/// Billed less credited per (contract line, period end) of these lines so far.
async fn left_to_credit<C: ConnectionTrait>(
    db: &C,
    line_ids: &[i64],
) -> AppResult<HashMap<(i64, NaiveDate), i64>> {
    let mut left: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for charge in crate::lookup::find_in(
        db,
        billing_charge::Entity::find(),
        billing_charge::Column::ContractLineId,
        line_ids.iter().copied(),
    )
    .await?
    {
        if let Some(end) = charge.period_end {
            *left.entry((charge.contract_line_id, end)).or_insert(0) += charge.amount_minor;
        }
    }
    let billed_lines = crate::lookup::find_in(
        db,
        invoice_line::Entity::find().filter(invoice_line::Column::ActiveChargeId.is_not_null()),
        invoice_line::Column::ContractLineId,
        line_ids.iter().copied(),
    )
    .await?;
    let invoice_ids: HashSet<i64> = billed_lines.iter().map(|line| line.invoice_id).collect();
    let invoice_lines: HashMap<i64, (i64, Option<NaiveDate>)> = billed_lines
        .into_iter()
        .map(|line| (line.id, (line.contract_line_id, line.period_end)))
        .collect();
    let requested = crate::lookup::find_in(
        db,
        credit_memo::Entity::find()
            .filter(credit_memo::Column::Status.eq("approved"))
            .filter(credit_memo::Column::BillingChargeId.is_null()),
        credit_memo::Column::InvoiceId,
        invoice_ids,
    )
    .await?;
    for memo in requested {
        let lines: Vec<CreditLine> = serde_json::from_str(&memo.lines_json)?;
        for line in lines {
            if let Some((contract_line, Some(end))) = invoice_lines.get(&line.invoice_line_id) {
                *left.entry((*contract_line, *end)).or_insert(0) -= line.net_minor;
            }
        }
    }
    Ok(left)
}

/// An in-memory charge for the preview (negative ids: never written).
fn preview_charge(
    line: &BillableLine,
    charge: &DueCharge,
    now: DateTime<Utc>,
    id: i64,
) -> billing_charge::Model {
    billing_charge::Model {
        id,
        contract_line_id: line.line_id,
        charge_key: charge.key.clone(),
        contract_id: line.contract_id,
        customer_id: line.customer_id,
        kind: charge.kind.as_str().into(),
        description: charge.description.clone(),
        period_start: charge.period.map(|period| period.0),
        period_end: charge.period.map(|period| period.1),
        quantity: charge.quantity.normalize().to_string(),
        unit_price_minor: charge.unit_price.minor(),
        amount_minor: charge.amount.minor(),
        currency: charge.amount.currency().code().to_string(),
        proration_note: charge.note.clone(),
        due_on: charge.due_on,
        created_at: now,
    }
}
