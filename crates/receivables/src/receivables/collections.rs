//! The daily collections run: each open invoice's due ladder steps, done exactly once (unique
//! invoice × step), with the e-mails, tasks, watch flags and credit holds they call for; holds and
//! watches lifted when nothing old enough remains unpaid; and the collections queue of tasks.

use super::aging::days_old;
use super::ladder::{self, InvoiceState, Step, StepAction};
use super::repo::open_minor;
use super::ReceivablesService;
use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::customers::Contact;
use crate::entities::{
    collection_action, collection_step, collection_task, customer, dispute, invoice,
};
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::pagination::{Page, PageRequest};
use crate::values::require_text;
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

mod perform;

/// Invoices handled per batch of the run.
const BATCH: u64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct LadderAction {
    pub invoice_id: i64,
    pub invoice_number: String,
    pub customer_id: i64,
    pub step_id: i64,
    pub days: i32,
    pub action: StepAction,
    pub label: String,
    /// "done", "sent" (the e-mail went out) or "superseded" (a later e-mail went instead).
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LadderReport {
    pub invoices_checked: usize,
    pub actions: Vec<LadderAction>,
    pub emails_queued: usize,
    pub holds_placed: Vec<i64>,
    pub holds_lifted: Vec<i64>,
    pub watches_lifted: Vec<i64>,
    pub disputes_late: Vec<i64>,
    pub disputes_escalated: Vec<i64>,
}

impl LadderReport {
    pub fn summary(&self) -> String {
        format!(
            "{} open invoices checked, {} ladder steps, {} e-mails, {} holds placed, {} lifted, {} disputes late, {} escalated",
            self.invoices_checked,
            self.actions.len(),
            self.emails_queued,
            self.holds_placed.len(),
            self.holds_lifted.len(),
            self.disputes_late.len(),
            self.disputes_escalated.len()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectionTask {
    pub id: i64,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub dispute_id: Option<i64>,
    /// "task" (something to do) or "alert" (something to know).
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub assignee_role: Option<Role>,
    pub assignee_id: Option<i64>,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub done_by: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn task_from_model(model: collection_task::Model) -> CollectionTask {
    CollectionTask {
        id: model.id,
        customer_id: model.customer_id,
        invoice_id: model.invoice_id,
        dispute_id: model.dispute_id,
        kind: model.kind,
        title: model.title,
        detail: model.detail,
        assignee_role: Role::parse(&model.assignee_role),
        assignee_id: model.assignee_id,
        due_on: model.due_on,
        status: if model.status == "done" {
            TaskStatus::Done
        } else {
            TaskStatus::Open
        },
        done_by: model.done_by,
        done_at: model.done_at,
        note: model.note,
        created_at: model.created_at,
    }
}

/// One step done for an invoice, as its collections history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRecord {
    pub step_id: i64,
    pub days: i32,
    pub action: StepAction,
    pub outcome: String,
    pub detail: String,
    pub business_date: NaiveDate,
}

#[derive(Debug, Clone, InputObject)]
pub struct CollectionStepInput {
    /// Absent to add a step.
    pub id: Option<ID>,
    pub days: i32,
    pub action: StepAction,
    pub label: String,
    /// For e-mails: friendly_reminder, formal_notice or legal_demand.
    pub template: Option<String>,
    /// For tasks and watch alerts.
    pub assignee_role: Option<Role>,
    pub active: bool,
}

fn step_from_model(model: collection_step::Model) -> AppResult<Step> {
    Ok(Step {
        id: model.id,
        position: model.position,
        days: model.days,
        action: StepAction::parse(&model.action)
            .ok_or_else(|| AppError::internal(format!("ladder action {}", model.action)))?,
        label: model.label,
        template: model.template,
        assignee_role: model.assignee_role.as_deref().and_then(Role::parse),
        active: model.active,
    })
}

/// Writes the shipped ladder when the table is empty (first start); afterwards it is data that
/// finance edits.
pub async fn ensure_default_steps(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<()> {
    if collection_step::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    for (position, (days, action, label, template, role)) in
        ladder::default_steps().into_iter().enumerate()
    {
        collection_step::ActiveModel {
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            days: Set(days),
            action: Set(action.as_str().into()),
            label: Set(label.into()),
            template: Set(template.map(String::from)),
            assignee_role: Set(role.map(|role| role.as_str().to_string())),
            active: Set(true),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The e-mail a template produces for an invoice.
fn render_template(
    template: &str,
    number: &str,
    open: Money,
    due: NaiveDate,
    days: i64,
    seller: &str,
) -> (String, String) {
    match template {
        "formal_notice" => (
            format!("Formal notice: invoice {number} is {days} days outstanding"),
            format!(
                "Dear customer,\n\nOur records show {open} {currency} still open on invoice {number}, due {due} and now {days} days outstanding. Please pay it within 10 days or tell us why it cannot be paid. Continued non-payment will lead to a hold on your account.\n\n{seller} Accounts Receivable\n",
                open = open.amount_string(),
                currency = open.currency().code(),
            ),
        ),
        "legal_demand" => (
            format!("Final demand before legal action: invoice {number}"),
            format!(
                "Dear customer,\n\nInvoice {number} has {open} {currency} open, {days} days after it was issued, despite our reminders and formal notice. Unless it is paid in full within 7 days, we will refer the debt to a collections agency or start legal proceedings without further notice.\n\n{seller} Finance\n",
                open = open.amount_string(),
                currency = open.currency().code(),
            ),
        ),
        _ => (
            format!("Reminder: invoice {number}"),
            format!(
                "Hello,\n\nA friendly reminder that invoice {number} for {open} {currency} is due on {due}. If you have already paid, thank you, and please ignore this message.\n\n{seller} Accounts Receivable\n",
                open = open.amount_string(),
                currency = open.currency().code(),
            ),
        ),
    }
}

struct RunContext<'a> {
    actor: Option<&'a Actor>,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    seller: &'a str,
}

impl ReceivablesService {
    pub async fn steps(&self, actor: &Actor) -> AppResult<Vec<Step>> {
        actor.require(Permission::CollectionsWork)?;
        self.load_steps().await
    }

    async fn load_steps(&self) -> AppResult<Vec<Step>> {
        collection_step::Entity::find()
            .order_by_asc(collection_step::Column::Days)
            .order_by_asc(collection_step::Column::Position)
            .order_by_asc(collection_step::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(step_from_model)
            .collect()
    }

    /// Adds or changes a ladder step (steps are never deleted, only made inactive, so the history
    /// of what was done keeps its meaning).
    pub async fn set_step(&self, actor: &Actor, input: CollectionStepInput) -> AppResult<Step> {
        actor.require(Permission::CollectionsSetup)?;
        if !(0..=365).contains(&input.days) {
            return Err(AppError::validation(
                "days",
                "Days since the invoice date must be between 0 and 365.",
            ));
        }
        let label = require_text("label", &input.label, 200)?;
        let template = input
            .template
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty());
        match (input.action, &template) {
            (StepAction::Email, None) => {
                return Err(AppError::validation(
                    "template",
                    "An e-mail step needs a template.",
                ))
            }
            (StepAction::Email, Some(name))
                if !ladder::TEMPLATES.iter().any(|(known, _)| known == name) =>
            {
                let names: Vec<&str> = ladder::TEMPLATES.iter().map(|(name, _)| *name).collect();
                return Err(AppError::validation(
                    "template",
                    format!(
                        "There is no template {name:?}; use one of {}.",
                        names.join(", ")
                    ),
                ));
            }
            (StepAction::Task, _) if input.assignee_role.is_none() => {
                return Err(AppError::validation(
                    "assigneeRole",
                    "A task step needs the role that does it.",
                ))
            }
            _ => {}
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let before = match &input.id {
            Some(id) => Some(
                collection_step::Entity::find_by_id(crate::values::parse_id("id", id)?)
                    .one(&transaction)
                    .await?
                    .ok_or_else(|| AppError::not_found("There is no such ladder step."))?,
            ),
            None => None,
        };
        let position = match &before {
            Some(step) => step.position,
            None => i32::try_from(collection_step::Entity::find().count(&transaction).await?)
                .unwrap_or(i32::MAX),
        };
        let mut row = match before.clone() {
            Some(model) => model.into(),
            None => <collection_step::ActiveModel as ActiveModelTrait>::default(),
        };
        row.position = Set(position);
        row.days = Set(input.days);
        row.action = Set(input.action.as_str().into());
        row.label = Set(label);
        row.template = Set(template);
        row.assignee_role = Set(input.assignee_role.map(|role| role.as_str().to_string()));
        row.active = Set(input.active);
        row.updated_at = Set(now);
        let saved = if before.is_some() {
            row.update(&transaction).await?
        } else {
            row.insert(&transaction).await?
        };
        let after = step_from_model(saved)?;
        let before = before.map(step_from_model).transpose()?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "collections.step.set",
                entity_type: "collection_step",
                entity_id: after.id.to_string(),
                before: before.as_ref(),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Runs the ladder for `as_of` on demand (the daily job calls `run_ladder` with no actor).
    pub async fn run_collections(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        seller: &str,
    ) -> AppResult<LadderReport> {
        actor.require(Permission::CollectionsRun)?;
        self.run_ladder(Some(actor), as_of, seller).await
    }

    pub async fn run_ladder(
        &self,
        actor: Option<&Actor>,
        as_of: NaiveDate,
        seller: &str,
    ) -> AppResult<LadderReport> {
        let steps = self.load_steps().await?;
        let context = RunContext {
            actor,
            as_of,
            now: self.clock.now(),
            seller,
        };
        let mut report = LadderReport::default();
        let open = Condition::all()
            .add(invoice::Column::IssueDate.lte(as_of))
            .add(
                Condition::any()
                    .add(invoice::Column::SettledOn.is_null())
                    .add(invoice::Column::SettledOn.gt(as_of)),
            );
        let mut last_id = 0;
        loop {
            let batch = invoice::Entity::find()
                .filter(open.clone())
                .filter(invoice::Column::Id.gt(last_id))
                .order_by_asc(invoice::Column::Id)
                .limit(BATCH)
                .all(&self.db)
                .await?;
            let Some(last) = batch.last() else { break };
            last_id = last.id;
            report.invoices_checked += batch.len();
            let ids: Vec<i64> = batch.iter().map(|invoice| invoice.id).collect();
            let mut done: HashMap<i64, HashSet<i64>> = HashMap::new();
            for action in collection_action::Entity::find()
                .filter(collection_action::Column::InvoiceId.is_in(ids.clone()))
                .all(&self.db)
                .await?
            {
                done.entry(action.invoice_id)
                    .or_default()
                    .insert(action.step_id);
            }
            let disputed: HashSet<i64> = dispute::Entity::find()
                .filter(dispute::Column::InvoiceId.is_in(ids))
                .filter(dispute::Column::OpenedOn.lte(as_of))
                .filter(
                    Condition::any()
                        .add(dispute::Column::ClosedOn.is_null())
                        .add(dispute::Column::ClosedOn.gt(as_of)),
                )
                .all(&self.db)
                .await?
                .into_iter()
                .map(|dispute| dispute.invoice_id)
                .collect();
            for model in batch {
                let state = InvoiceState {
                    days_since_invoice: days_old(model.invoice_date, as_of),
                    open: open_minor(&model) != 0,
                    in_dispute: disputed.contains(&model.id),
                };
                let decision = ladder::decide(
                    &steps,
                    state,
                    done.get(&model.id).unwrap_or(&HashSet::new()),
                );
                if decision.due.is_empty() {
                    continue;
                }
                let transaction = self.db.begin().await?;
                self.perform(
                    &transaction,
                    &context,
                    &steps,
                    &model,
                    &decision,
                    &mut report,
                )
                .await?;
                transaction.commit().await?;
            }
        }
        self.lift_holds(&context, &mut report).await?;
        self.check_dispute_deadlines(actor, as_of, &mut report)
            .await?;
        Ok(report)
    }

    /// Lifts ladder holds once no invoice 60 days or older is unpaid, and watches once none is 30
    /// days or older. Holds placed by a person stay until a person lifts them.
    async fn lift_holds(
        &self,
        context: &RunContext<'_>,
        report: &mut LadderReport,
    ) -> AppResult<()> {
        let held = customer::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(customer::Column::OnCreditHold.eq(true))
                            .add(customer::Column::CreditHoldSource.eq("ladder")),
                    )
                    .add(customer::Column::OnWatch.eq(true)),
            )
            .all(&self.db)
            .await?;
        for model in held {
            let oldest = invoice::Entity::find()
                .filter(invoice::Column::CustomerId.eq(model.id))
                .filter(invoice::Column::IssueDate.lte(context.as_of))
                .filter(
                    Condition::any()
                        .add(invoice::Column::SettledOn.is_null())
                        .add(invoice::Column::SettledOn.gt(context.as_of)),
                )
                .order_by_asc(invoice::Column::InvoiceDate)
                .one(&self.db)
                .await?
                .map(|invoice| days_old(invoice.invoice_date, context.as_of));
            let transaction = self.db.begin().await?;
            if model.on_credit_hold
                && model.credit_hold_source.as_deref() == Some("ladder")
                && oldest.is_none_or(|days| days < 60)
            {
                customer::Entity::update_many()
                    .col_expr(customer::Column::OnCreditHold, Expr::value(false))
                    .col_expr(
                        customer::Column::CreditHoldReason,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        customer::Column::CreditHoldSince,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .col_expr(
                        customer::Column::CreditHoldSource,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(customer::Column::UpdatedAt, Expr::value(context.now))
                    .filter(customer::Column::Id.eq(model.id))
                    .exec(&transaction)
                    .await?;
                audit::record(
                    &transaction,
                    context.actor,
                    context.now,
                    AuditRecord::<(), _> {
                        action: "customer.credit_hold.release",
                        entity_type: "customer",
                        entity_id: model.id.to_string(),
                        before: None,
                        after: Some(&serde_json::json!({ "reason": "No invoice 60 days or older remains unpaid.", "source": "ladder" })),
                    },
                )
                .await?;
                report.holds_lifted.push(model.id);
            }
            if model.on_watch && oldest.is_none_or(|days| days < 30) {
                customer::Entity::update_many()
                    .col_expr(customer::Column::OnWatch, Expr::value(false))
                    .col_expr(
                        customer::Column::WatchSince,
                        Expr::value(Option::<NaiveDate>::None),
                    )
                    .filter(customer::Column::Id.eq(model.id))
                    .exec(&transaction)
                    .await?;
                report.watches_lifted.push(model.id);
            }
            transaction.commit().await?;
        }
        Ok(())
    }

    /// What the ladder did for an invoice, in order.
    pub async fn collection_history(
        &self,
        actor: &Actor,
        invoice_id: i64,
    ) -> AppResult<Vec<ActionRecord>> {
        actor.require(Permission::ReceivablesRead)?;
        let invoice = crate::invoicing::find_model(&self.db, invoice_id).await?;
        self.check_customer_visible(actor, invoice.customer_id)
            .await?;
        collection_action::Entity::find()
            .filter(collection_action::Column::InvoiceId.eq(invoice_id))
            .order_by_asc(collection_action::Column::BusinessDate)
            .order_by_asc(collection_action::Column::Days)
            .order_by_asc(collection_action::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| {
                Ok(ActionRecord {
                    step_id: model.step_id,
                    days: model.days,
                    action: StepAction::parse(&model.action)
                        .ok_or_else(|| AppError::internal("ladder action"))?,
                    outcome: model.outcome,
                    detail: model.detail,
                    business_date: model.business_date,
                })
            })
            .collect()
    }

    /// The collections queue: open tasks first, by due date. `mine` keeps the tasks for the
    /// actor's role that are theirs or nobody's in particular.
    pub async fn tasks(
        &self,
        actor: &Actor,
        status: Option<TaskStatus>,
        mine: bool,
        customer_id: Option<i64>,
        page: PageRequest,
    ) -> AppResult<Page<CollectionTask>> {
        actor.require(Permission::CollectionsWork)?;
        let mut query = collection_task::Entity::find();
        if let Some(status) = status {
            query = query.filter(collection_task::Column::Status.eq(status.as_str()));
        }
        if mine {
            query = query
                .filter(collection_task::Column::AssigneeRole.eq(actor.role.as_str()))
                .filter(
                    Condition::any()
                        .add(collection_task::Column::AssigneeId.is_null())
                        .add(collection_task::Column::AssigneeId.eq(actor.user_id)),
                );
        }
        if let Some(own) = super::own_customers(actor) {
            query = query.filter(collection_task::Column::CustomerId.in_subquery(own));
        }
        if let Some(customer_id) = customer_id {
            query = query.filter(collection_task::Column::CustomerId.eq(customer_id));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(Expr::cust("CASE WHEN status = 'open' THEN 1 ELSE 0 END"))
            .order_by_asc(collection_task::Column::DueOn)
            .order_by_asc(collection_task::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Ok(Page::new(rows, page, total).map(task_from_model))
    }

    pub async fn complete_task(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> AppResult<CollectionTask> {
        actor.require(Permission::CollectionsWork)?;
        let note = require_text("note", note, 2000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = collection_task::Entity::find_by_id(id)
            .one(&transaction)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no collections task with id {id}."))
            })?;
        if super::own_customers(actor).is_some() {
            super::check_visible_on(&transaction, actor, model.customer_id).await?;
        }
        let updated = collection_task::Entity::update_many()
            .col_expr(collection_task::Column::Status, Expr::value("done"))
            .col_expr(collection_task::Column::DoneBy, Expr::value(actor.user_id))
            .col_expr(collection_task::Column::DoneAt, Expr::value(now))
            .col_expr(collection_task::Column::Note, Expr::value(note.clone()))
            .filter(collection_task::Column::Id.eq(id))
            .filter(collection_task::Column::Status.eq("open"))
            .exec(&transaction)
            .await?;
        if updated.rows_affected != 1 {
            return Err(AppError::Conflict("This task is already done.".into()));
        }
        let after = task_from_model(
            collection_task::Entity::find_by_id(id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("task vanished"))?,
        );
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "collections.task.complete",
                entity_type: "collection_task",
                entity_id: id.to_string(),
                before: None,
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}

pub(super) fn contact_email(customer: &customer::Model) -> String {
    serde_json::from_str::<Contact>(&customer.billing_contact_json)
        .map(|contact| contact.email)
        .unwrap_or_default()
}

pub(super) struct NewTask<'a> {
    pub dedupe_key: String,
    pub customer: &'a customer::Model,
    pub invoice_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub role: Role,
    pub due_on: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Adds a task once per dedupe key; an account manager's task goes to the customer's one.
pub(super) async fn add_task<C: ConnectionTrait>(
    connection: &C,
    task: NewTask<'_>,
) -> AppResult<()> {
    let assignee_id = (task.role == Role::AccountManager)
        .then_some(task.customer.account_manager_id)
        .flatten();
    collection_task::Entity::insert(collection_task::ActiveModel {
        dedupe_key: Set(task.dedupe_key),
        customer_id: Set(task.customer.id),
        invoice_id: Set(task.invoice_id),
        dispute_id: Set(task.dispute_id),
        kind: Set(task.kind.into()),
        title: Set(task.title),
        detail: Set(task.detail),
        assignee_role: Set(task.role.as_str().into()),
        assignee_id: Set(assignee_id),
        due_on: Set(task.due_on),
        status: Set("open".into()),
        created_at: Set(task.now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(collection_task::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(())
}
