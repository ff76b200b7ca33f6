//! Doing an invoice's due ladder steps: each step is claimed once (a second run finds it done),
//! then carried out — an e-mail queued, a task opened, the account put on watch or on credit
//! hold — audited and reported.

use super::{
    add_task, contact_email, render_template, LadderAction, LadderReport, NewTask, RunContext,
};
use crate::access::Role;
use crate::audit::{self, AuditRecord};
use crate::entities::{collection_action, customer, invoice};
use crate::error::AppResult;
use crate::money::{Currency, Money};
use crate::notifications::{self, NewMessage};
use crate::receivables::aging::days_old;
use crate::receivables::ladder::{Decision, Step, StepAction};
use crate::receivables::repo::open_minor;
use crate::receivables::ReceivablesService;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The invoice as the ladder's steps speak of it: whose, which number, how much is open and for
/// how long.
struct Overdue<'a> {
    model: &'a invoice::Model,
    customer: customer::Model,
    number: String,
    open: Money,
    days: i64,
    due_date: NaiveDate,
}

impl ReceivablesService {
    pub(super) async fn perform<C: ConnectionTrait>(
        &self,
        connection: &C,
        context: &RunContext<'_>,
        steps: &[Step],
        model: &invoice::Model,
        decision: &Decision,
        report: &mut LadderReport,
    ) -> AppResult<()> {
        let customer = crate::customers::find_model(connection, model.customer_id).await?;
        let currency = Currency::parse(&model.currency)?;
        let overdue = Overdue {
            model,
            customer,
            number: model.number.clone().unwrap_or_default(),
            open: Money::from_minor(open_minor(model), currency),
            days: days_old(model.invoice_date, context.as_of),
            due_date: model.due_date.unwrap_or(model.invoice_date),
        };
        for step_id in &decision.due {
            let Some(step) = steps.iter().find(|step| step.id == *step_id) else {
                continue;
            };
            let superseded = decision.superseded.contains(step_id);
            let (outcome, detail) = outcome_of(step, superseded, &overdue);
            if !claim_step(connection, context, model.id, step, outcome, &detail).await? {
                // Another run did this step meanwhile.
                continue;
            }
            carry_out(connection, context, step, superseded, &overdue, report).await?;
            audit::record(
                connection,
                context.actor,
                context.now,
                AuditRecord::<(), _> {
                    action: "collections.step",
                    entity_type: "invoice",
                    entity_id: model.id.to_string(),
                    before: None,
                    after: Some(&serde_json::json!({ "step": step.label, "days": step.days, "outcome": outcome, "businessDate": context.as_of })),
                },
            )
            .await?;
            report.actions.push(LadderAction {
                invoice_id: model.id,
                invoice_number: overdue.number.clone(),
                customer_id: overdue.customer.id,
                step_id: step.id,
                days: step.days,
                action: step.action,
                label: step.label.clone(),
                outcome: outcome.into(),
            });
        }
        Ok(())
    }
}

/// What the step's action row says it did: an e-mail superseded by a later one on the same run
/// is recorded but not sent.
fn outcome_of(step: &Step, superseded: bool, overdue: &Overdue<'_>) -> (&'static str, String) {
    match step.action {
        StepAction::Email if superseded => (
            "superseded",
            "A later e-mail was due on the same run; only that one was sent.".to_string(),
        ),
        StepAction::Email => (
            "sent",
            format!(
                "E-mailed {} ({} open)",
                contact_email(&overdue.customer),
                overdue.open
            ),
        ),
        StepAction::Record => ("done", step.label.clone()),
        StepAction::Task => (
            "done",
            format!(
                "Task for {}",
                step.assignee_role.map(|role| role.title()).unwrap_or("AR")
            ),
        ),
        StepAction::Watch => ("done", "Account on watch".to_string()),
        StepAction::CreditHold => ("done", "Customer on credit hold".to_string()),
    }
}

/// Writes the step's action row once per invoice and step; false when another run wrote it
/// first, so the step is not done twice.
async fn claim_step<C: ConnectionTrait>(
    connection: &C,
    context: &RunContext<'_>,
    invoice_id: i64,
    step: &Step,
    outcome: &str,
    detail: &str,
) -> AppResult<bool> {
    let inserted = collection_action::Entity::insert(collection_action::ActiveModel {
        invoice_id: Set(invoice_id),
        step_id: Set(step.id),
        days: Set(step.days),
        action: Set(step.action.as_str().into()),
        outcome: Set(outcome.into()),
        detail: Set(detail.to_string()),
        business_date: Set(context.as_of),
        created_at: Set(context.now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            collection_action::Column::InvoiceId,
            collection_action::Column::StepId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(inserted != 0)
}

/// Does what the step says: queues the e-mail, opens the task, puts the account on watch or on
/// credit hold (recording and doing nothing more).
async fn carry_out<C: ConnectionTrait>(
    connection: &C,
    context: &RunContext<'_>,
    step: &Step,
    superseded: bool,
    overdue: &Overdue<'_>,
    report: &mut LadderReport,
) -> AppResult<()> {
    let (model, customer, number) = (overdue.model, &overdue.customer, &overdue.number);
    let (open, days) = (overdue.open, overdue.days);
    match step.action {
        StepAction::Email if !superseded => {
            let (subject, body) = render_template(
                step.template.as_deref().unwrap_or("friendly_reminder"),
                number,
                open,
                overdue.due_date,
                days,
                context.seller,
            );
            notifications::enqueue(
                connection,
                context.now,
                NewMessage {
                    kind: "collections_email",
                    dedupe_key: format!("collections:{}:{}", model.id, step.id),
                    recipient: contact_email(customer),
                    subject,
                    body,
                    attachment: Some((crate::invoicing::INVOICE_PDF, model.id)),
                },
            )
            .await?;
            report.emails_queued += 1;
        }
        StepAction::Task => {
            let role = step.assignee_role.unwrap_or(Role::ArSpecialist);
            add_task(
                connection,
                NewTask {
                    dedupe_key: format!("ladder:{}:{}", model.id, step.id),
                    customer,
                    invoice_id: Some(model.id),
                    dispute_id: None,
                    kind: "task",
                    title: format!("{}: {number}", step.label),
                    detail: format!(
                        "{} — {} open, {days} days since the invoice date.",
                        customer.legal_name, open
                    ),
                    role,
                    due_on: context.as_of,
                    now: context.now,
                },
            )
            .await?;
        }
        StepAction::Watch => put_on_watch(connection, context, step, overdue).await?,
        StepAction::CreditHold => place_hold(connection, context, overdue, report).await?,
        StepAction::Email | StepAction::Record => {}
    }
    Ok(())
}

/// Puts the account on watch (if it is not already) and alerts its account manager.
async fn put_on_watch<C: ConnectionTrait>(
    connection: &C,
    context: &RunContext<'_>,
    step: &Step,
    overdue: &Overdue<'_>,
) -> AppResult<()> {
    let (model, customer, number) = (overdue.model, &overdue.customer, &overdue.number);
    let (open, days) = (overdue.open, overdue.days);
    customer::Entity::update_many()
        .col_expr(customer::Column::OnWatch, Expr::value(true))
        .col_expr(customer::Column::WatchSince, Expr::value(context.as_of))
        .filter(customer::Column::Id.eq(customer.id))
        .filter(customer::Column::OnWatch.eq(false))
        .exec(connection)
        .await?;
    add_task(
        connection,
        NewTask {
            dedupe_key: format!("ladder:{}:{}", model.id, step.id),
            customer,
            invoice_id: Some(model.id),
            dispute_id: None,
            kind: "alert",
            title: format!(
                "{} is on watch: {number} is {days} days unpaid",
                customer.legal_name
            ),
            detail: format!(
                "{open} open on {number}. The account manager should contact the customer."
            ),
            role: step.assignee_role.unwrap_or(Role::AccountManager),
            due_on: context.as_of,
            now: context.now,
        },
    )
    .await
}

/// Places the customer on credit hold (if not already), reported and audited as the ladder's.
async fn place_hold<C: ConnectionTrait>(
    connection: &C,
    context: &RunContext<'_>,
    overdue: &Overdue<'_>,
    report: &mut LadderReport,
) -> AppResult<()> {
    let (customer, number) = (&overdue.customer, &overdue.number);
    let reason = format!(
        "{number} is {} days unpaid ({} open); placed by the collections ladder.",
        overdue.days, overdue.open
    );
    let placed = customer::Entity::update_many()
        .col_expr(customer::Column::OnCreditHold, Expr::value(true))
        .col_expr(
            customer::Column::CreditHoldReason,
            Expr::value(reason.clone()),
        )
        .col_expr(customer::Column::CreditHoldSince, Expr::value(context.now))
        .col_expr(customer::Column::CreditHoldSource, Expr::value("ladder"))
        .col_expr(customer::Column::UpdatedAt, Expr::value(context.now))
        .filter(customer::Column::Id.eq(customer.id))
        .filter(customer::Column::OnCreditHold.eq(false))
        .exec(connection)
        .await?;
    if placed.rows_affected == 1 {
        report.holds_placed.push(customer.id);
        audit::record(
            connection,
            context.actor,
            context.now,
            AuditRecord::<(), _> {
                action: "customer.credit_hold.place",
                entity_type: "customer",
                entity_id: customer.id.to_string(),
                before: None,
                after: Some(
                    &serde_json::json!({ "reason": reason, "source": "ladder", "invoice": number }),
                ),
            },
        )
        .await?;
    }
    Ok(())
}
