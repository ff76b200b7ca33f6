//! Collections: the ladder (steps, runs, history), the task queue, disputes with their SLA timer
//! and evidence, credit memos and write-offs, and the business calendar.

use super::customers::Customer;
use super::loaders;
use super::types::{connection, Money};
use super::{actor, app};
use crate::access::Role;
use crate::pagination::{requested_order, PageRequest, SortDirection};
use crate::receivables::collections::{self, CollectionStepInput, TaskStatus};
use crate::receivables::credit_memos::{
    self, CreditMemoRequestInput, DocumentDecideInput, DocumentStatus, WriteOffRequestInput,
};
use crate::receivables::disputes::{
    self, DisputeCloseInput, DisputeLogInput, DisputeReason, DisputeReviewInput, DisputeSort,
    DisputeStatus, EvidenceAddInput,
};
use crate::receivables::ladder::{self, StepAction};
use crate::values::{parse_id, IsoDate};
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn id_of(id: i64) -> ID {
    ID(id.to_string())
}

async fn load_customer(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Customer>> {
    Ok(loaders::load_customer(ctx, id).await?.map(Customer::from))
}

#[derive(Clone, SimpleObject)]
pub struct CollectionStep {
    pub id: ID,
    pub days: i32,
    pub action: StepAction,
    pub label: String,
    pub template: Option<String>,
    pub assignee_role: Option<Role>,
    pub active: bool,
}

impl From<ladder::Step> for CollectionStep {
    fn from(step: ladder::Step) -> CollectionStep {
        CollectionStep {
            id: id_of(step.id),
            days: step.days,
            action: step.action,
            label: step.label,
            template: step.template,
            assignee_role: step.assignee_role,
            active: step.active,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct LadderAction {
    pub invoice_id: ID,
    pub invoice_number: String,
    pub customer_id: ID,
    pub days: i32,
    pub action: StepAction,
    pub label: String,
    /// done, sent, or superseded (a later e-mail went instead).
    pub outcome: String,
}

#[derive(Clone, SimpleObject)]
pub struct LadderRun {
    pub as_of: IsoDate,
    pub invoices_checked: i64,
    pub actions: Vec<LadderAction>,
    pub emails_queued: i64,
    pub holds_placed: Vec<ID>,
    pub holds_lifted: Vec<ID>,
    pub disputes_late: Vec<ID>,
    pub disputes_escalated: Vec<ID>,
    pub summary: String,
}

#[derive(Clone, SimpleObject)]
pub struct CollectionAction {
    pub days: i32,
    pub action: StepAction,
    pub outcome: String,
    pub detail: String,
    pub business_date: IsoDate,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct CollectionTask {
    pub id: ID,
    pub invoice_id: Option<ID>,
    pub dispute_id: Option<ID>,
    /// task or alert.
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub assignee_role: Option<Role>,
    pub assignee_id: Option<ID>,
    pub due_on: IsoDate,
    pub status: TaskStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub customer_id: i64,
}

#[ComplexObject]
impl CollectionTask {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        load_customer(ctx, self.customer_id).await
    }
}

impl From<collections::CollectionTask> for CollectionTask {
    fn from(task: collections::CollectionTask) -> CollectionTask {
        CollectionTask {
            id: id_of(task.id),
            invoice_id: task.invoice_id.map(id_of),
            dispute_id: task.dispute_id.map(id_of),
            kind: task.kind,
            title: task.title,
            detail: task.detail,
            assignee_role: task.assignee_role,
            assignee_id: task.assignee_id.map(id_of),
            due_on: IsoDate(task.due_on),
            status: task.status,
            done_at: task.done_at,
            note: task.note,
            created_at: task.created_at,
            customer_id: task.customer_id,
        }
    }
}

connection!(CollectionTaskConnection, CollectionTaskEdge, CollectionTask);

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Dispute {
    pub id: ID,
    pub invoice_id: ID,
    pub reason: DisputeReason,
    pub disputed: Money,
    pub line_ids: Vec<ID>,
    pub customer_statement: String,
    pub status: DisputeStatus,
    pub opened_on: IsoDate,
    pub opened_at: DateTime<Utc>,
    /// 48 business hours after it was opened (weekends and company holidays excluded).
    pub review_due_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_on: Option<IsoDate>,
    pub resolution: Option<String>,
    pub credit_memo_id: Option<ID>,
    pub rebill_invoice_id: Option<ID>,
    #[graphql(skip)]
    pub domain: disputes::Dispute,
}

impl From<disputes::Dispute> for Dispute {
    fn from(dispute: disputes::Dispute) -> Dispute {
        Dispute {
            id: id_of(dispute.id),
            invoice_id: id_of(dispute.invoice_id),
            reason: dispute.reason,
            disputed: dispute.disputed.into(),
            line_ids: dispute.line_ids.iter().copied().map(id_of).collect(),
            customer_statement: dispute.customer_statement.clone(),
            status: dispute.status,
            opened_on: IsoDate(dispute.opened_on),
            opened_at: dispute.opened_at,
            review_due_at: dispute.review_due_at,
            reviewed_at: dispute.reviewed_at,
            review_note: dispute.review_note.clone(),
            escalated_at: dispute.escalated_at,
            closed_on: dispute.closed_on.map(IsoDate),
            resolution: dispute.resolution.clone(),
            credit_memo_id: dispute.credit_memo_id.map(id_of),
            rebill_invoice_id: dispute.rebill_invoice_id.map(id_of),
            domain: dispute,
        }
    }
}

#[ComplexObject]
impl Dispute {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        load_customer(ctx, self.domain.customer_id).await
    }

    async fn invoice(&self, ctx: &Context<'_>) -> async_graphql::Result<super::invoicing::Invoice> {
        Ok(app(ctx)
            .invoices
            .get(actor(ctx)?, self.domain.invoice_id)
            .await?
            .into())
    }

    /// Business minutes left to review (negative: late by that much). Frozen once reviewed.
    async fn review_minutes_left(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(app(ctx)
            .receivables
            .review_minutes_left(&self.domain)
            .await?)
    }

    async fn review_late(&self, ctx: &Context<'_>) -> bool {
        self.domain.review_late(app(ctx).clock.now())
    }

    async fn evidence(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Evidence>> {
        Ok(app(ctx)
            .receivables
            .evidence(actor(ctx)?, self.domain.id)
            .await?
            .into_iter()
            .map(Evidence::from)
            .collect())
    }
}

connection!(DisputeConnection, DisputeEdge, Dispute);

#[derive(Clone, SimpleObject)]
pub struct Evidence {
    pub id: ID,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl From<disputes::Evidence> for Evidence {
    fn from(evidence: disputes::Evidence) -> Evidence {
        Evidence {
            id: id_of(evidence.id),
            filename: evidence.filename,
            content_type: evidence.content_type,
            size_bytes: evidence.size_bytes,
            uploaded_at: evidence.uploaded_at,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CreditLine {
    pub invoice_line_id: ID,
    pub description: String,
    pub amount: Money,
    pub tax: Money,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct CreditMemo {
    pub id: ID,
    /// Assigned on approval, e.g. CM-2026-000045.
    pub number: Option<String>,
    pub invoice_id: ID,
    pub status: DocumentStatus,
    pub reason: String,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub lines: Vec<CreditLine>,
    pub to_invoice: Money,
    pub to_credit: Money,
    pub issue_date: Option<IsoDate>,
    pub approval_id: Option<ID>,
    pub dispute_id: Option<ID>,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// Authenticated download (send the bearer token).
    pub pdf_url: String,
    #[graphql(skip)]
    pub customer_id: i64,
}

#[ComplexObject]
impl CreditMemo {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        load_customer(ctx, self.customer_id).await
    }
}

impl From<credit_memos::CreditMemo> for CreditMemo {
    fn from(memo: credit_memos::CreditMemo) -> CreditMemo {
        let currency = memo.total.currency();
        CreditMemo {
            id: id_of(memo.id),
            number: memo.number,
            invoice_id: id_of(memo.invoice_id),
            status: memo.status,
            reason: memo.reason,
            subtotal: memo.subtotal.into(),
            tax: memo.tax.into(),
            total: memo.total.into(),
            lines: memo
                .lines
                .into_iter()
                .map(|line| CreditLine {
                    invoice_line_id: id_of(line.invoice_line_id),
                    description: line.description,
                    amount: crate::money::Money::from_minor(line.net_minor, currency).into(),
                    tax: crate::money::Money::from_minor(line.tax_minor, currency).into(),
                })
                .collect(),
            to_invoice: memo.to_invoice.into(),
            to_credit: memo.to_credit.into(),
            issue_date: memo.issue_date.map(IsoDate),
            approval_id: memo.approval_id.map(id_of),
            dispute_id: memo.dispute_id.map(id_of),
            requested_at: memo.requested_at,
            decided_at: memo.decided_at,
            comment: memo.comment,
            pdf_url: format!("/api/credit-memos/{}/pdf", memo.id),
            customer_id: memo.customer_id,
        }
    }
}

connection!(CreditMemoConnection, CreditMemoEdge, CreditMemo);

#[derive(Clone, SimpleObject)]
pub struct WriteOff {
    pub id: ID,
    pub invoice_id: ID,
    pub amount: Money,
    pub reason: String,
    pub status: DocumentStatus,
    pub approval_id: Option<ID>,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub written_off_on: Option<IsoDate>,
}

impl From<credit_memos::WriteOff> for WriteOff {
    fn from(write_off: credit_memos::WriteOff) -> WriteOff {
        WriteOff {
            id: id_of(write_off.id),
            invoice_id: id_of(write_off.invoice_id),
            amount: write_off.amount.into(),
            reason: write_off.reason,
            status: write_off.status,
            approval_id: write_off.approval_id.map(id_of),
            requested_at: write_off.requested_at,
            decided_at: write_off.decided_at,
            comment: write_off.comment,
            written_off_on: write_off.written_off_on.map(IsoDate),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct Holiday {
    pub date: IsoDate,
    pub name: String,
}

fn holidays_of(rows: Vec<disputes::Holiday>) -> Vec<Holiday> {
    rows.into_iter()
        .map(|row| Holiday {
            date: IsoDate(row.date),
            name: row.name,
        })
        .collect()
}

#[derive(Default)]
pub struct CollectionsQuery;

#[Object]
impl CollectionsQuery {
    /// The ladder, by days since the invoice date.
    async fn collection_steps(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CollectionStep>> {
        Ok(app(ctx)
            .receivables
            .steps(actor(ctx)?)
            .await?
            .into_iter()
            .map(CollectionStep::from)
            .collect())
    }

    /// What the ladder did for an invoice.
    async fn collection_history(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
    ) -> async_graphql::Result<Vec<CollectionAction>> {
        let invoice_id = parse_id("invoiceId", &invoice_id)?;
        Ok(app(ctx)
            .receivables
            .collection_history(actor(ctx)?, invoice_id)
            .await?
            .into_iter()
            .map(|record| CollectionAction {
                days: record.days,
                action: record.action,
                outcome: record.outcome,
                detail: record.detail,
                business_date: IsoDate(record.business_date),
            })
            .collect())
    }

    /// The collections queue: open first, by due date. `mine`: tasks for my role that are mine
    /// or nobody's in particular.
    async fn collection_tasks(
        &self,
        ctx: &Context<'_>,
        status: Option<TaskStatus>,
        mine: Option<bool>,
        customer_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CollectionTaskConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let customer_id = customer_id
            .map(|id| parse_id("customerId", &id))
            .transpose()?;
        let rows = app(ctx)
            .receivables
            .tasks(
                actor(ctx)?,
                status,
                mine.unwrap_or(false),
                customer_id,
                page,
            )
            .await?;
        Ok(CollectionTaskConnection::from_page(
            rows,
            CollectionTask::from,
        ))
    }

    /// The work queue (disputes being worked first, soonest review deadline first) unless `sort`
    /// says otherwise; an AE or account manager sees their own book.
    #[allow(clippy::too_many_arguments)]
    async fn disputes(
        &self,
        ctx: &Context<'_>,
        status: Option<DisputeStatus>,
        invoice_id: Option<ID>,
        customer_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "The column to order by (amounts within each currency).")] sort: Option<
            DisputeSort,
        >,
        #[graphql(desc = "Which way; ascending when a column is given without it.")]
        direction: Option<SortDirection>,
    ) -> async_graphql::Result<DisputeConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let order = requested_order(
            sort,
            direction,
            (DisputeSort::ReviewDue, SortDirection::Asc),
        );
        let invoice_id = invoice_id
            .map(|id| parse_id("invoiceId", &id))
            .transpose()?;
        let customer_id = customer_id
            .map(|id| parse_id("customerId", &id))
            .transpose()?;
        let rows = app(ctx)
            .receivables
            .disputes(actor(ctx)?, status, invoice_id, customer_id, order, page)
            .await?;
        Ok(DisputeConnection::from_page(rows, Dispute::from))
    }

    async fn dispute(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Dispute> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).receivables.dispute(actor(ctx)?, id).await?.into())
    }

    async fn credit_memos(
        &self,
        ctx: &Context<'_>,
        invoice_id: Option<ID>,
        customer_id: Option<ID>,
        status: Option<DocumentStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CreditMemoConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let invoice_id = invoice_id
            .map(|id| parse_id("invoiceId", &id))
            .transpose()?;
        let customer_id = customer_id
            .map(|id| parse_id("customerId", &id))
            .transpose()?;
        let rows = app(ctx)
            .receivables
            .credit_memos(actor(ctx)?, invoice_id, customer_id, status, page)
            .await?;
        Ok(CreditMemoConnection::from_page(rows, CreditMemo::from))
    }

    async fn credit_memo(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<CreditMemo> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .receivables
            .credit_memo(actor(ctx)?, id)
            .await?
            .into())
    }

    /// Company holidays of the business calendar (weekends are never business days).
    async fn holidays(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Holiday>> {
        Ok(holidays_of(
            app(ctx).receivables.holidays(actor(ctx)?).await?,
        ))
    }
}

#[derive(Default)]
pub struct CollectionsMutation;

#[Object]
impl CollectionsMutation {
    /// Runs the collections ladder for `asOf` (default today); the daily run does the same.
    async fn collections_run(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
    ) -> async_graphql::Result<LadderRun> {
        let as_of = as_of.map(|date| date.0).unwrap_or(app(ctx).clock.today());
        let report = app(ctx)
            .receivables
            .run_collections(actor(ctx)?, as_of, &app(ctx).config.legal_entity)
            .await?;
        Ok(LadderRun {
            as_of: IsoDate(as_of),
            invoices_checked: i64::try_from(report.invoices_checked).unwrap_or(i64::MAX),
            summary: report.summary(),
            actions: report
                .actions
                .into_iter()
                .map(|action| LadderAction {
                    invoice_id: id_of(action.invoice_id),
                    invoice_number: action.invoice_number,
                    customer_id: id_of(action.customer_id),
                    days: action.days,
                    action: action.action,
                    label: action.label,
                    outcome: action.outcome,
                })
                .collect(),
            emails_queued: i64::try_from(report.emails_queued).unwrap_or(i64::MAX),
            holds_placed: report.holds_placed.into_iter().map(id_of).collect(),
            holds_lifted: report.holds_lifted.into_iter().map(id_of).collect(),
            disputes_late: report.disputes_late.into_iter().map(id_of).collect(),
            disputes_escalated: report.disputes_escalated.into_iter().map(id_of).collect(),
        })
    }

    /// Adds or changes a ladder step.
    async fn collection_step_set(
        &self,
        ctx: &Context<'_>,
        input: CollectionStepInput,
    ) -> async_graphql::Result<CollectionStep> {
        Ok(app(ctx)
            .receivables
            .set_step(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn collection_task_complete(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: String,
    ) -> async_graphql::Result<CollectionTask> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .receivables
            .complete_task(actor(ctx)?, id, &note)
            .await?
            .into())
    }

    /// Logs a customer's dispute; the AR review is due in 48 business hours and the invoice's
    /// ladder pauses until the dispute closes.
    async fn dispute_log(
        &self,
        ctx: &Context<'_>,
        input: DisputeLogInput,
    ) -> async_graphql::Result<Dispute> {
        Ok(app(ctx)
            .receivables
            .log_dispute(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn dispute_review(
        &self,
        ctx: &Context<'_>,
        input: DisputeReviewInput,
    ) -> async_graphql::Result<Dispute> {
        Ok(app(ctx)
            .receivables
            .review_dispute(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn dispute_close(
        &self,
        ctx: &Context<'_>,
        input: DisputeCloseInput,
    ) -> async_graphql::Result<Dispute> {
        Ok(app(ctx)
            .receivables
            .close_dispute(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn dispute_evidence_add(
        &self,
        ctx: &Context<'_>,
        input: EvidenceAddInput,
    ) -> async_graphql::Result<Evidence> {
        Ok(app(ctx)
            .receivables
            .add_evidence(actor(ctx)?, input)
            .await?
            .into())
    }

    /// Asks for a credit memo; only the VP Revenue Operations approves it, never the requester.
    async fn credit_memo_request(
        &self,
        ctx: &Context<'_>,
        input: CreditMemoRequestInput,
    ) -> async_graphql::Result<CreditMemo> {
        Ok(app(ctx)
            .receivables
            .request_credit_memo(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn credit_memo_decide(
        &self,
        ctx: &Context<'_>,
        input: DocumentDecideInput,
    ) -> async_graphql::Result<CreditMemo> {
        Ok(app(ctx)
            .receivables
            .decide_credit_memo(actor(ctx)?, input)
            .await?
            .into())
    }

    /// Asks to write an invoice off as bad debt; only the CFO approves it.
    async fn write_off_request(
        &self,
        ctx: &Context<'_>,
        input: WriteOffRequestInput,
    ) -> async_graphql::Result<WriteOff> {
        Ok(app(ctx)
            .receivables
            .request_write_off(actor(ctx)?, input)
            .await?
            .into())
    }

    async fn write_off_decide(
        &self,
        ctx: &Context<'_>,
        input: DocumentDecideInput,
    ) -> async_graphql::Result<WriteOff> {
        Ok(app(ctx)
            .receivables
            .decide_write_off(actor(ctx)?, input)
            .await?
            .into())
    }

    /// Adds (with a name) or removes (without) a company holiday.
    async fn holiday_set(
        &self,
        ctx: &Context<'_>,
        date: IsoDate,
        name: Option<String>,
    ) -> async_graphql::Result<Vec<Holiday>> {
        Ok(holidays_of(
            app(ctx)
                .receivables
                .set_holiday(actor(ctx)?, date, name)
                .await?,
        ))
    }
}
