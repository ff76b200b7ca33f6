//! The collections part of the API: the ladder's steps and company holidays, running the
//! ladder for a date, what it did for an invoice, the queue of tasks and alerts it leaves for
//! people, and a customer's collections facts (watch, credit hold, account manager, statement).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Connection, CustomerName, UserRef};

/// What a ladder step does (`StepAction`), in the order the settings offer them.
pub const STEP_ACTIONS: [&str; 5] = ["RECORD", "EMAIL", "TASK", "WATCH", "CREDIT_HOLD"];

/// The e-mail templates the server knows (for `EMAIL` steps).
pub const EMAIL_TEMPLATES: [&str; 3] = ["friendly_reminder", "formal_notice", "legal_demand"];

/// Roles a task or watch alert can be assigned to (`Role`).
pub const ASSIGNEE_ROLES: [&str; 6] = [
    "AR_SPECIALIST",
    "ACCOUNT_MANAGER",
    "VP_FINANCE",
    "CFO",
    "VP_REVOPS",
    "VP_CS",
];

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionStep {
    pub id: String,
    /// Days since the invoice date.
    pub days: i64,
    pub action: String,
    pub label: String,
    pub template: Option<String>,
    pub assignee_role: Option<String>,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LadderAction {
    pub action: String,
    pub customer_id: String,
    pub days: i64,
    pub invoice_id: String,
    pub invoice_number: String,
    pub label: String,
    /// "done", "sent" or "superseded".
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LadderRun {
    pub as_of: String,
    pub invoices_checked: i64,
    pub actions: Vec<LadderAction>,
    pub emails_queued: i64,
    /// Customer ids.
    pub holds_placed: Vec<String>,
    pub holds_lifted: Vec<String>,
    /// Dispute ids.
    pub disputes_late: Vec<String>,
    pub disputes_escalated: Vec<String>,
    pub summary: String,
}

/// One thing the ladder did for an invoice.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionAction {
    pub days: i64,
    pub action: String,
    pub outcome: String,
    pub detail: String,
    pub business_date: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holiday {
    pub date: String,
    pub name: String,
}

/// A task or alert in the collections queue.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionTask {
    pub id: String,
    pub invoice_id: Option<String>,
    pub dispute_id: Option<String>,
    /// "task" or "alert".
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub assignee_role: Option<String>,
    pub assignee_id: Option<String>,
    pub due_on: String,
    /// "OPEN" or "DONE".
    pub status: String,
    pub done_at: Option<String>,
    pub note: Option<String>,
    pub customer: Option<CustomerName>,
}

/// What the collections block of the customer page reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCollections {
    pub id: String,
    pub legal_name: String,
    pub on_watch: bool,
    pub watch_since: Option<String>,
    pub on_credit_hold: bool,
    pub credit_hold_reason: Option<String>,
    pub credit_hold_since: Option<String>,
    /// "ladder" or "manual".
    pub credit_hold_source: Option<String>,
    pub account_manager_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementLine {
    pub date: String,
    pub invoice_number: String,
    pub description: String,
    /// Positive adds to what the customer owes.
    pub amount: super::Money,
    pub balance: super::Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementOpenItem {
    pub invoice_number: String,
    pub invoice_date: String,
    pub due_date: String,
    pub days: i64,
    pub bucket: String,
    pub open: super::Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyStatement {
    pub currency: String,
    pub opening: super::Money,
    pub closing: super::Money,
    pub lines: Vec<StatementLine>,
    pub open_items: Vec<StatementOpenItem>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerStatement {
    pub customer_id: String,
    pub legal_name: String,
    pub from: String,
    pub to: String,
    pub currencies: Vec<CurrencyStatement>,
    pub pdf_url: String,
    pub csv_url: String,
}

pub async fn collection_steps() -> Result<Vec<CollectionStep>, ApiError> {
    field::<ops::CollectionSteps, _>("collectionSteps", ops::collection_steps::Variables).await
}

/// Adds a step (no `id` in the input) or changes one, from the whole `CollectionStepInput`.
pub async fn collection_step_set(input: Value) -> Result<CollectionStep, ApiError> {
    field::<ops::CollectionStepSet, _>(
        "collectionStepSet",
        ops::collection_step_set::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// Runs the ladder for `as_of` (today on the server's calendar when `None`).
pub async fn collections_run(as_of: Option<String>) -> Result<LadderRun, ApiError> {
    field::<ops::CollectionsRun, _>("collectionsRun", ops::collections_run::Variables { as_of })
        .await
}

pub async fn collection_history(invoice_id: String) -> Result<Vec<CollectionAction>, ApiError> {
    field::<ops::CollectionHistory, _>(
        "collectionHistory",
        ops::collection_history::Variables { invoice_id },
    )
    .await
}

pub async fn holidays() -> Result<Vec<Holiday>, ApiError> {
    field::<ops::Holidays, _>("holidays", ops::holidays::Variables).await
}

/// Adds a holiday (with a name) or removes the one on `date` (without); returns the calendar.
pub async fn holiday_set(date: String, name: Option<String>) -> Result<Vec<Holiday>, ApiError> {
    field::<ops::HolidaySet, _>("holidaySet", ops::holiday_set::Variables { date, name }).await
}

/// The queue's filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskFilter {
    /// "OPEN" or "DONE"; `None` for both.
    pub status: Option<String>,
    pub mine: bool,
    pub customer_id: Option<String>,
}

pub async fn collection_tasks(
    filter: TaskFilter,
    first: u32,
    after: Option<String>,
) -> Result<Connection<CollectionTask>, ApiError> {
    field::<ops::CollectionTasks, _>(
        "collectionTasks",
        ops::collection_tasks::Variables {
            status: filter.status.map(enum_value),
            mine: filter.mine.then_some(true),
            customer_id: filter.customer_id,
            first: Some(i64::from(first)),
            after,
        },
    )
    .await
}

pub async fn collection_task_complete(
    id: String,
    note: String,
) -> Result<CollectionTask, ApiError> {
    field::<ops::CollectionTaskComplete, _>(
        "collectionTaskComplete",
        ops::collection_task_complete::Variables { id, note },
    )
    .await
}

pub async fn customer_collections(id: String) -> Result<CustomerCollections, ApiError> {
    field::<ops::CustomerCollections, _>("customer", ops::customer_collections::Variables { id })
        .await
}

#[derive(Deserialize)]
struct CustomerCollectionsPayload {
    customer: CustomerCollections,
}

/// Names the customer's account manager, or clears it with `None`.
pub async fn customer_account_manager_set(
    customer_id: String,
    user_id: Option<String>,
) -> Result<CustomerCollections, ApiError> {
    let payload: CustomerCollectionsPayload = field::<ops::AccountManagerSet, _>(
        "customerAccountManagerSet",
        ops::account_manager_set::Variables {
            customer_id,
            user_id,
        },
    )
    .await?;
    Ok(payload.customer)
}

/// The account managers, for the customer page's picker.
pub async fn account_managers() -> Result<Vec<UserRef>, ApiError> {
    super::users_with_role("ACCOUNT_MANAGER").await
}

/// The statement for a period; the server defaults to this month to date.
pub async fn customer_statement(
    customer_id: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<CustomerStatement, ApiError> {
    field::<ops::CustomerStatement, _>(
        "customerStatement",
        ops::customer_statement::Variables {
            customer_id,
            from,
            to,
        },
    )
    .await
}

/// An invoice as a link needs it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceRef {
    pub id: String,
    pub number: Option<String>,
    pub open_amount: super::Money,
    pub due_date: Option<String>,
}

/// Invoice numbers and open amounts by id (`invoicesByIds`). Bank lines know only the ids of the
/// invoices they propose.
pub async fn invoice_refs(ids: Vec<String>) -> Result<HashMap<String, InvoiceRef>, ApiError> {
    let invoices: Vec<InvoiceRef> =
        super::by_ids::<ops::InvoiceRefs, _>("invoicesByIds", ids, |ids| {
            ops::invoice_refs::Variables { ids }
        })
        .await?;
    Ok(invoices
        .into_iter()
        .map(|invoice| (invoice.id.clone(), invoice))
        .collect())
}
