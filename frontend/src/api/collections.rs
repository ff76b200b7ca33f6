//! The collections part of the API: the ladder's steps and company holidays, running the
//! ladder for a date, what it did for an invoice, the queue of tasks and alerts it leaves for
//! people, and a customer's collections facts (watch, credit hold, account manager, statement).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::{field, ApiError, Connection, CustomerName, UserRef, MONEY};

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

const STEP_FIELDS: &str = "id days action label template assigneeRole active";

const TASK_FIELDS: &str = "id invoiceId disputeId kind title detail assigneeRole assigneeId \
     dueOn status doneAt note customer { id legalName }";

pub async fn collection_steps() -> Result<Vec<CollectionStep>, ApiError> {
    let query = format!("query CollectionSteps {{ collectionSteps {{ {STEP_FIELDS} }} }}");
    field("collectionSteps", &query, json!({})).await
}

/// Adds a step (no `id` in the input) or changes one, from the whole `CollectionStepInput`.
pub async fn collection_step_set(input: Value) -> Result<CollectionStep, ApiError> {
    let query = format!(
        "mutation CollectionStepSet($input: CollectionStepInput!) {{ \
           collectionStepSet(input: $input) {{ {STEP_FIELDS} }} }}"
    );
    field("collectionStepSet", &query, json!({ "input": input })).await
}

/// Runs the ladder for `as_of` (today on the server's calendar when `None`).
pub async fn collections_run(as_of: Option<String>) -> Result<LadderRun, ApiError> {
    let query = "mutation CollectionsRun($asOf: Date) { collectionsRun(asOf: $asOf) { \
                 asOf invoicesChecked emailsQueued holdsPlaced holdsLifted disputesLate \
                 disputesEscalated summary \
                 actions { action customerId days invoiceId invoiceNumber label outcome } } }";
    field("collectionsRun", query, json!({ "asOf": as_of })).await
}

pub async fn collection_history(invoice_id: String) -> Result<Vec<CollectionAction>, ApiError> {
    let query =
        "query CollectionHistory($invoiceId: ID!) { collectionHistory(invoiceId: $invoiceId) { \
                 days action outcome detail businessDate } }";
    field(
        "collectionHistory",
        query,
        json!({ "invoiceId": invoice_id }),
    )
    .await
}

pub async fn holidays() -> Result<Vec<Holiday>, ApiError> {
    field(
        "holidays",
        "query Holidays { holidays { date name } }",
        json!({}),
    )
    .await
}

/// Adds a holiday (with a name) or removes the one on `date` (without); returns the calendar.
pub async fn holiday_set(date: String, name: Option<String>) -> Result<Vec<Holiday>, ApiError> {
    let query = "mutation HolidaySet($date: Date!, $name: String) { \
                 holidaySet(date: $date, name: $name) { date name } }";
    field("holidaySet", query, json!({ "date": date, "name": name })).await
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
    let query = format!(
        "query CollectionTasks($status: TaskStatus, $mine: Boolean, $customerId: ID, $first: Int, \
           $after: String) {{ \
           collectionTasks(status: $status, mine: $mine, customerId: $customerId, first: $first, \
             after: $after) {{ \
             nodes {{ {TASK_FIELDS} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "collectionTasks",
        &query,
        json!({
            "status": filter.status,
            "mine": filter.mine.then_some(true),
            "customerId": filter.customer_id,
            "first": first,
            "after": after,
        }),
    )
    .await
}

pub async fn collection_task_complete(
    id: String,
    note: String,
) -> Result<CollectionTask, ApiError> {
    let query = format!(
        "mutation CollectionTaskComplete($id: ID!, $note: String!) {{ \
           collectionTaskComplete(id: $id, note: $note) {{ {TASK_FIELDS} }} }}"
    );
    field(
        "collectionTaskComplete",
        &query,
        json!({ "id": id, "note": note }),
    )
    .await
}

const CUSTOMER_COLLECTIONS_FIELDS: &str = "id legalName onWatch watchSince onCreditHold \
     creditHoldReason creditHoldSince creditHoldSource accountManagerId";

pub async fn customer_collections(id: String) -> Result<CustomerCollections, ApiError> {
    let query = format!(
        "query CustomerCollections($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_COLLECTIONS_FIELDS} }} }}"
    );
    field("customer", &query, json!({ "id": id })).await
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
    let query = format!(
        "mutation AccountManagerSet($customerId: ID!, $userId: ID) {{ \
           customerAccountManagerSet(customerId: $customerId, userId: $userId) {{ \
             customer {{ {CUSTOMER_COLLECTIONS_FIELDS} }} }} }}"
    );
    let payload: CustomerCollectionsPayload = field(
        "customerAccountManagerSet",
        &query,
        json!({ "customerId": customer_id, "userId": user_id }),
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
    let query = format!(
        "query CustomerStatement($customerId: ID!, $from: Date, $to: Date) {{ \
           customerStatement(customerId: $customerId, from: $from, to: $to) {{ \
             customerId legalName from to pdfUrl csvUrl \
             currencies {{ currency opening {MONEY} closing {MONEY} \
               lines {{ date invoiceNumber description amount {MONEY} balance {MONEY} }} \
               openItems {{ invoiceNumber invoiceDate dueDate days bucket open {MONEY} }} }} }} }}"
    );
    field(
        "customerStatement",
        &query,
        json!({ "customerId": customer_id, "from": from, "to": to }),
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

/// Invoice numbers and open amounts by id, in one request (each id an aliased `invoice` field).
/// Bank lines know only the ids of the invoices they propose.
pub async fn invoice_refs(ids: Vec<String>) -> Result<HashMap<String, InvoiceRef>, ApiError> {
    let mut unique = ids;
    unique.sort();
    unique.dedup();
    if unique.is_empty() {
        return Ok(HashMap::new());
    }
    let fields = (0..unique.len())
        .map(|index| {
            format!("i{index}: invoice(id: $i{index}) {{ id number openAmount {MONEY} dueDate }}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let parameters = (0..unique.len())
        .map(|index| format!("$i{index}: ID!"))
        .collect::<Vec<_>>()
        .join(", ");
    let query = format!("query InvoiceRefs({parameters}) {{ {fields} }}");
    let variables: serde_json::Map<String, Value> = unique
        .iter()
        .enumerate()
        .map(|(index, id)| (format!("i{index}"), Value::String(id.clone())))
        .collect();
    let data: HashMap<String, InvoiceRef> =
        super::execute(&query, Value::Object(variables)).await?;
    Ok(data
        .into_values()
        .map(|invoice| (invoice.id.clone(), invoice))
        .collect())
}
