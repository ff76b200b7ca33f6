//! Changes to a running contract, recorded as one modification (`contractModify`): lines added,
//! seats changed, terms extended or shortened and lines cancelled, all from one modification
//! date and for one reason. Each change is checked (errors name `changes.N.field`), the changes
//! are applied in a canonical order — existing lines by id, then added lines by start, product
//! and terms — and revenue then evaluates the modification once, as a whole
//! (`revenue::modifications`). The same changes in any order therefore give the same lines,
//! charges and revenue schedule. `contractLineChange` and `contractLineAdd` are modifications
//! of one change each.

use super::periods::Alignment;
use super::pricing::{parse_quantity, UsagePricing};
use super::schedule::ChangeKind;
use super::{find_line, repo, BillingService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{
    billing_charge, contract, contract_line, contract_line_change, revenue_modification,
};
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::revenue::modifications::{self, Modification};
use crate::revenue::rules::Treatment;
use crate::values::{parse_id, require_text};
use chrono::{DateTime, NaiveDate, Utc};
use revops_terms::kinds::{BillingFrequency, ContractLineKind};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// Most changes one modification may carry.
pub const MAX_CHANGES: usize = 50;

/// A line to add to a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub kind: ContractLineKind,
    pub product_name: String,
    pub quantity: String,
    pub unit_price: Money,
    pub billing_frequency: Option<BillingFrequency>,
    pub alignment: Alignment,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub usage_pricing: Option<UsagePricing>,
}

/// `contractLineAdd`: one line added, as a modification dated `modified_on` (today when not
/// given) — not the line's own start, which may lie in the future.
#[derive(Debug, Clone)]
pub struct LineAddInput {
    pub contract_id: String,
    pub line: NewLine,
    pub modified_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// One change of a modification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContractChange {
    AddLine(NewLine),
    /// Seats from the modification date.
    Quantity {
        line_id: i64,
        new_quantity: String,
    },
    /// The line's last service day moves (an extension or a shortening of its term).
    Term {
        line_id: i64,
        new_end: NaiveDate,
    },
    /// Service stops on the modification date — unused prepaid time is credited — or, with
    /// `at_period_end`, at the end of the period the date falls in (nothing to credit).
    Cancel {
        line_id: i64,
        at_period_end: bool,
    },
    /// A recurring discount from the first period starting on or after the modification date
    /// (a price concession agreed mid-term; periods already billed keep their price).
    Discount {
        line_id: i64,
        discount: crate::billing::discounts::DiscountInput,
    },
    /// Another product, price, quantity or billing period for a subscription line (an upgrade,
    /// downgrade or cross-grade): the line stops on the change date and a new line, co-termed
    /// with it, takes over.
    Plan(PlanChange),
}

/// When a plan change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum PlanTiming {
    /// From the modification date: the unused part of the old price is credited and the new
    /// price charged for the rest of the period, on one invoice.
    Immediately,
    /// From the end of the period the modification date falls in: nothing is prorated.
    PeriodEnd,
}

/// A plan change; what is not given stays as the line has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChange {
    pub line_id: i64,
    pub product_name: Option<String>,
    pub unit_price: Option<Money>,
    pub quantity: Option<String>,
    pub billing_frequency: Option<BillingFrequency>,
    pub timing: PlanTiming,
}

/// `contractModify`'s input.
#[derive(Debug, Clone)]
pub struct ModifyInput {
    pub contract_id: String,
    /// The modification date: when the change was agreed, the day its effects start.
    pub effective: NaiveDate,
    pub reason: String,
    pub idempotency_key: String,
    /// Whether the service still to come is distinct from what was delivered.
    pub remaining_distinct: bool,
    pub changes: Vec<ContractChange>,
}

/// What a modification did.
#[derive(Debug, Clone)]
pub struct Modified {
    pub modification: revenue_modification::Model,
    pub treatment: String,
    pub added: Vec<contract_line::Model>,
    pub line_changes: Vec<contract_line_change::Model>,
}

/// A checked change, ready to apply.
#[derive(Debug, Clone)]
enum Checked {
    Add(Box<contract_line::ActiveModel>, serde_json::Value),
    Existing {
        line: Box<contract_line::Model>,
        change: ExistingChange,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ExistingChange {
    Quantity {
        old: Decimal,
        new: Decimal,
    },
    Term {
        new_end: NaiveDate,
    },
    /// Service stops on `on`: the modification date, or the end of its period.
    Cancel {
        seats: Decimal,
        on: NaiveDate,
    },
    /// The line stops on `on` (a plan change); `by` is the product of the line taking over.
    Replace {
        seats: Decimal,
        on: NaiveDate,
        by: String,
    },
    /// `field`: the change's coupon field, named if the redemption is refused when applied.
    Discount {
        discount: crate::billing::discount::LineDiscount,
        field: String,
    },
}

impl ExistingChange {
    fn as_json(&self, line: &contract_line::Model) -> serde_json::Value {
        match self {
            ExistingChange::Quantity { old, new } => serde_json::json!({
                "change": "quantity", "contractLineId": line.id, "product": line.product_name,
                "oldQuantity": old.to_string(), "newQuantity": new.to_string(),
            }),
            ExistingChange::Term { new_end } => serde_json::json!({
                "change": "term", "contractLineId": line.id, "product": line.product_name,
                "oldEndDate": line.end_date, "newEndDate": new_end,
            }),
            ExistingChange::Cancel { seats, on } => serde_json::json!({
                "change": "cancel", "contractLineId": line.id, "product": line.product_name,
                "quantity": seats.to_string(), "cancelOn": on,
            }),
            ExistingChange::Replace { seats, on, by } => serde_json::json!({
                "change": "plan", "contractLineId": line.id, "product": line.product_name,
                "quantity": seats.to_string(), "changeOn": on, "newProduct": by,
            }),
            ExistingChange::Discount { discount, .. } => serde_json::json!({
                "change": "discount", "contractLineId": line.id, "product": line.product_name,
                "discount": discount.describe(
                    crate::money::Currency::parse(&line.currency).unwrap_or(crate::money::Currency::USD),
                ),
                "label": discount.label, "coupon": discount.coupon,
            }),
        }
    }
}

impl BillingService {
    /// Records a contract modification: every change checked first (nothing is written when one
    /// is refused), applied in canonical order, and evaluated by revenue as one modification.
    /// The same idempotency key returns the first result.
    pub async fn modify(&self, actor: &Actor, input: ModifyInput) -> AppResult<Modified> {
        actor.require(Permission::ContractChange)?;
        let key = require_text("idempotencyKey", &input.idempotency_key, 128)?;
        if let Some(done) = modification_by_key(&self.db, &key).await? {
            return modified(&self.db, done).await;
        }
        let transaction = self.db.begin().await?;
        let outcome = record(&transaction, actor, &input, &key, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(outcome)
    }

    /// What a modification would bill before it is recorded: the modification is recorded in a
    /// transaction that is then rolled back, after reading the charges it makes due on its
    /// lines' next invoice — each credit for unused time and each new or changed period's
    /// charge, with its proration stated — and the revenue treatment it would get.
    pub async fn preview_modify(
        &self,
        actor: &Actor,
        mut input: ModifyInput,
    ) -> AppResult<ModificationPreview> {
        actor.require(Permission::ContractChange)?;
        input.idempotency_key = format!("preview:{}", uuid::Uuid::new_v4());
        let key = input.idempotency_key.clone();
        let transaction = self.db.begin().await?;
        let outcome = record(&transaction, actor, &input, &key, self.clock.now()).await?;
        let charges = first_charges(&transaction, &outcome).await?;
        transaction.rollback().await?;
        let currency = crate::money::Currency::parse(
            &contract::Entity::find_by_id(outcome.modification.contract_id)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::internal("modified contract vanished"))?
                .currency,
        )?;
        let mut total = Money::zero(currency);
        for charge in &charges {
            total = total.checked_add(charge.amount)?;
        }
        Ok(ModificationPreview {
            treatment: outcome.treatment,
            charges,
            total,
        })
    }

    /// A seat change or cancellation of one line from a date: a modification of one change.
    /// The prorated difference is billed (or credited) by the next run on or after that date.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_line(
        &self,
        actor: &Actor,
        line_id: i64,
        kind: ChangeKind,
        new_quantity: Option<&str>,
        effective: NaiveDate,
        remaining_distinct: bool,
        reason: &str,
        idempotency_key: &str,
    ) -> AppResult<contract_line_change::Model> {
        actor.require(Permission::ContractChange)?;
        let key = require_text("idempotencyKey", idempotency_key, 128)?;
        // Changes recorded before modifications existed keep their key on the change itself.
        if let Some(existing) = contract_line_change::Entity::find()
            .filter(contract_line_change::Column::IdempotencyKey.eq(key.clone()))
            .one(&self.db)
            .await?
        {
            return Ok(existing);
        }
        let line = find_line(&self.db, line_id).await?;
        let change = match kind {
            ChangeKind::Cancellation => ContractChange::Cancel {
                line_id,
                at_period_end: false,
            },
            ChangeKind::Quantity => ContractChange::Quantity {
                line_id,
                new_quantity: new_quantity
                    .ok_or_else(|| AppError::validation("newQuantity", "Give the new quantity."))?
                    .to_string(),
            },
        };
        let outcome = self
            .modify(
                actor,
                ModifyInput {
                    contract_id: line.contract_id.to_string(),
                    effective,
                    reason: reason.to_string(),
                    idempotency_key: key,
                    remaining_distinct,
                    changes: vec![change],
                },
            )
            .await
            .map_err(strip_single_change_prefix)?;
        outcome
            .line_changes
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a line change recorded no change"))
    }

    /// Adds a line to a contract (module upsell, usage meter, licence): a modification of one
    /// change, dated `modified_on` or today.
    pub async fn add_line(
        &self,
        actor: &Actor,
        input: LineAddInput,
    ) -> AppResult<contract_line::Model> {
        actor.require(Permission::ContractChange)?;
        let today = self.clock.now().date_naive();
        let effective = input.modified_on.unwrap_or(today);
        let outcome = self
            .modify(
                actor,
                ModifyInput {
                    contract_id: input.contract_id,
                    effective,
                    reason: input.reason.unwrap_or_else(|| {
                        format!("Line added: {}", input.line.product_name.trim())
                    }),
                    idempotency_key: format!("line-add:{}", uuid::Uuid::new_v4()),
                    remaining_distinct: true,
                    changes: vec![ContractChange::AddLine(input.line)],
                },
            )
            .await
            .map_err(strip_single_change_prefix)?;
        outcome
            .added
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a line add added no line"))
    }
}

/// The one-change wrappers name their own input's fields, not `changes.0.…`.
fn strip_single_change_prefix(error: AppError) -> AppError {
    match error {
        AppError::Validation { field, message } => AppError::Validation {
            field: field
                .strip_prefix("changes.0.")
                .map(str::to_string)
                .unwrap_or(field),
            message,
        },
        other => other,
    }
}

/// Records a modification inside `transaction`: the contract locked, every change checked,
/// then applied.
async fn record(
    transaction: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    input: &ModifyInput,
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<Modified> {
    let contract_id = parse_id("contractId", &input.contract_id)?;
    let reason = require_text("reason", &input.reason, 1000)?;
    if input.changes.is_empty() {
        return Err(AppError::validation("changes", "Give at least one change."));
    }
    if input.changes.len() > MAX_CHANGES {
        return Err(AppError::validation(
            "changes",
            format!("One modification carries at most {MAX_CHANGES} changes."),
        ));
    }
    let contract = contract::Entity::find_by_id(contract_id)
        .one(transaction)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!("There is no contract with id {contract_id}."))
        })?;
    // Modifications of one customer's contracts run one after another (PostgreSQL), so a
    // repeated key or two changes to one line cannot interleave.
    crate::customers::lock_for_update(transaction, contract.customer_id).await?;
    if let Some(done) = modification_by_key(transaction, key).await? {
        return modified(transaction, done).await;
    }
    check_effective(transaction, &contract, input.effective).await?;
    let checked = check_changes(transaction, &contract, input).await?;
    apply(
        transaction,
        &contract,
        input,
        &reason,
        key,
        checked,
        actor,
        now,
    )
    .await
}

/// A modification's preview: what it would bill and how revenue would treat it.
#[derive(Debug, Clone)]
pub struct ModificationPreview {
    pub treatment: String,
    /// As billing schedule rows in the state "preview".
    pub charges: Vec<super::ScheduleRow>,
    /// What the charges come to: owed (positive) or credited (negative).
    pub total: Money,
}

/// The charges a just-recorded modification makes due, as the bill run would write them (the
/// run's own reading, credits capped as it caps them): for each line it touched, what is due by
/// the line's change date — an added line's first period, a changed line's unbilled periods to
/// that date and its prorated difference.
async fn first_charges<C: ConnectionTrait>(
    connection: &C,
    outcome: &Modified,
) -> AppResult<Vec<super::ScheduleRow>> {
    let effective = outcome.modification.effective_date;
    let mut as_of: HashMap<i64, NaiveDate> = logged_changes(&outcome.modification)
        .iter()
        .filter_map(|change| change["contractLineId"].as_i64())
        .map(|line| (line, effective))
        .collect();
    for change in &outcome.line_changes {
        let day = as_of.entry(change.contract_line_id).or_insert(effective);
        *day = (*day).max(change.effective_date);
    }
    for line in &outcome.added {
        as_of.insert(line.id, line.start_date.max(effective));
    }
    let lines = repo::billable_lines(connection, Some(&[outcome.modification.contract_id])).await?;
    // One reading of the run per change date, not per line: each reads the run's sources.
    let mut by_day: std::collections::BTreeMap<NaiveDate, Vec<repo::BillableLine>> =
        std::collections::BTreeMap::new();
    for line in lines {
        if let Some(day) = as_of.get(&line.line_id) {
            by_day.entry(*day).or_default().push(line);
        }
    }
    let mut due = Vec::new();
    for (day, lines) in by_day {
        for (line, charge) in crate::billing::run::due_for(connection, &lines, day).await? {
            due.push(super::ScheduleRow {
                contract_line_id: line.line_id,
                description: charge.description,
                period_start: charge.period.map(|(start, _)| start),
                period_end: charge.period.and_then(|(_, end)| end.pred_opt()),
                amount: charge.amount,
                note: charge.note,
                due_on: charge.due_on,
                state: "preview",
                invoice_id: None,
                invoice_number: None,
            });
        }
    }
    due.sort_by_key(|charge| (charge.due_on, charge.contract_line_id));
    Ok(due)
}

/// A recorded modification's changes as its log keeps them (one JSON object per change).
fn logged_changes(modification: &revenue_modification::Model) -> Vec<serde_json::Value> {
    modification
        .changes_json
        .as_deref()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .and_then(|changes| changes.as_array().cloned())
        .unwrap_or_default()
}

async fn modification_by_key<C: ConnectionTrait>(
    connection: &C,
    key: &str,
) -> AppResult<Option<revenue_modification::Model>> {
    Ok(revenue_modification::Entity::find()
        .filter(revenue_modification::Column::IdempotencyKey.eq(key))
        .one(connection)
        .await?)
}

/// Reads back what a recorded modification did (a repeated request returns it).
async fn modified<C: ConnectionTrait>(
    connection: &C,
    modification: revenue_modification::Model,
) -> AppResult<Modified> {
    let line_changes = contract_line_change::Entity::find()
        .filter(contract_line_change::Column::ModificationId.eq(modification.id))
        .order_by_asc(contract_line_change::Column::Id)
        .all(connection)
        .await?;
    let added_ids: Vec<i64> = logged_changes(&modification)
        .iter()
        .filter(|change| change["change"] == "add")
        .filter_map(|change| change["contractLineId"].as_i64())
        .collect();
    let added = contract_line::Entity::find()
        .filter(contract_line::Column::Id.is_in(added_ids))
        .order_by_asc(contract_line::Column::Id)
        .all(connection)
        .await?;
    Ok(Modified {
        treatment: modification.treatment.clone(),
        modification,
        added,
        line_changes,
    })
}

/// The modification date lies within the contract and in an open period.
async fn check_effective<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    effective: NaiveDate,
) -> AppResult<()> {
    if effective < contract.start_date {
        return Err(AppError::validation(
            "effectiveDate",
            format!(
                "{effective} is before the contract starts ({}); change the deal instead.",
                contract.start_date
            ),
        ));
    }
    if let Some(open) = crate::revenue::repo::first_open_day(connection).await? {
        if effective < open {
            return Err(AppError::validation(
                "effectiveDate",
                format!(
                    "{effective} falls in a closed period; date the modification on or after {open}, or ask the CFO to reopen the period."
                ),
            ));
        }
    }
    Ok(())
}

/// Checks every change against the contract (field errors name `changes.N.…`) and returns them
/// in canonical order: existing lines by id, then added lines by their terms.
async fn check_changes<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    input: &ModifyInput,
) -> AppResult<Vec<Checked>> {
    let mut touched = HashSet::new();
    let mut existing = Vec::new();
    let mut added = Vec::new();
    for (index, change) in input.changes.iter().enumerate() {
        let field = |name: &str| format!("changes.{index}.{name}");
        match change {
            ContractChange::AddLine(line) => {
                if !input.remaining_distinct {
                    return Err(AppError::validation(
                        "remainingDistinct",
                        "Added lines are distinct services; record a change to one partially delivered service (a cumulative catch-up) without adding lines.",
                    ));
                }
                let (mut model, json) = new_line(contract, line, &field)?;
                // An added line bills parts of periods as the rest of its contract does, and on
                // the contract's billing day when it has one (co-termed with its invoices).
                let convention = super::proration::of_contract(connection, contract.id).await?;
                model.proration = Set(convention.as_str().into());
                if line.kind == ContractLineKind::Subscription
                    && line.billing_frequency.is_some()
                    && line.alignment == Alignment::Anniversary
                {
                    model.billing_anchor = Set(super::billing_day::added_line_anchor(
                        connection,
                        contract,
                        line.billing_frequency.map(|frequency| frequency.as_str()),
                        line.start_date,
                    )
                    .await?);
                }
                added.push((line.clone(), model, json));
            }
            ContractChange::Plan(plan) => {
                if !input.remaining_distinct {
                    return Err(AppError::validation(
                        "remainingDistinct",
                        "A plan change starts a new line, a distinct service; record it as a prospective modification.",
                    ));
                }
                let line = line_of_contract(connection, contract, plan.line_id, &field).await?;
                if !touched.insert(plan.line_id) {
                    return Err(AppError::validation(
                        field("contractLineId"),
                        format!("Line {} already has a change in this modification; give one change per line.", plan.line_id),
                    ));
                }
                let checked =
                    check_existing(connection, &line, change, input.effective, &field).await?;
                let ExistingChange::Replace { on, .. } = checked else {
                    return Err(AppError::internal(
                        "a plan change checked as another change",
                    ));
                };
                let (new, model, json) = replacement(contract, &line, plan, on, &field)?;
                added.push((new, model, json));
                existing.push(Checked::Existing {
                    line: Box::new(line),
                    change: checked,
                });
            }
            ContractChange::Quantity { line_id, .. }
            | ContractChange::Term { line_id, .. }
            | ContractChange::Discount { line_id, .. }
            | ContractChange::Cancel { line_id, .. } => {
                let line = line_of_contract(connection, contract, *line_id, &field).await?;
                if !touched.insert(*line_id) {
                    return Err(AppError::validation(
                        field("contractLineId"),
                        format!("Line {line_id} already has a change in this modification; give one change per line."),
                    ));
                }
                let checked =
                    check_existing(connection, &line, change, input.effective, &field).await?;
                existing.push(Checked::Existing {
                    line: Box::new(line),
                    change: checked,
                });
            }
        }
    }
    existing.sort_by_key(|checked| match checked {
        Checked::Existing { line, .. } => line.id,
        Checked::Add(..) => i64::MAX,
    });
    added.sort_by(|(a, ..), (b, ..)| canonical_key(a).cmp(&canonical_key(b)));
    existing.extend(
        added
            .into_iter()
            .map(|(_, model, json)| Checked::Add(Box::new(model), json)),
    );
    Ok(existing)
}

/// The order added lines are inserted in, whatever order they were given in.
fn canonical_key(line: &NewLine) -> (NaiveDate, String, &'static str, NaiveDate, String, i64) {
    (
        line.start_date,
        line.product_name.trim().to_string(),
        line.kind.as_str(),
        line.end_date,
        line.quantity.trim().to_string(),
        line.unit_price.minor(),
    )
}

async fn line_of_contract<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    line_id: i64,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<contract_line::Model> {
    contract_line::Entity::find_by_id(line_id)
        .one(connection)
        .await?
        .filter(|line| line.contract_id == contract.id)
        .ok_or_else(|| {
            AppError::validation(
                field("contractLineId"),
                format!(
                    "Line {line_id} is not a line of contract {}.",
                    contract.contract_number
                ),
            )
        })
}

/// Checks a change to an existing line against its term, its earlier changes and what is
/// already billed.
async fn check_existing<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    change: &ContractChange,
    effective: NaiveDate,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<ExistingChange> {
    let changes = contract_line_change::Entity::find()
        .filter(contract_line_change::Column::ContractLineId.eq(line.id))
        .all(connection)
        .await?;
    if line.cancelled_on.is_some()
        || changes
            .iter()
            .any(|change| change.kind == ChangeKind::Cancellation.as_str())
    {
        // A line stopping on a later day was cancelled, or changes plan, from then; the line
        // that takes over is the one to change.
        return Err(AppError::Conflict(match line.cancelled_on {
            Some(stops) if stops > effective => format!(
                "{} has no service from {stops}: a cancellation or plan change from that day is already recorded.",
                line.product_name
            ),
            _ => format!("{} is already cancelled.", line.product_name),
        }));
    }
    if let Some(latest) = changes.iter().map(|change| change.effective_date).max() {
        if effective < latest {
            return Err(AppError::validation("effectiveDate", format!("A later change to {} is already recorded from {latest}; changes must come in date order.", line.product_name)));
        }
    }
    if let ContractChange::Term { new_end, .. } = change {
        return check_term(connection, line, *new_end, effective, field).await;
    }
    if line.kind != ContractLineKind::Subscription.as_str() {
        return Err(AppError::validation(
            field("contractLineId"),
            "Seat changes and cancellations apply to subscription lines.",
        ));
    }
    // A line still in its free trial can be cancelled before it converts: it then never bills.
    let in_trial = line
        .trial_from
        .is_some_and(|from| from <= effective && effective < line.start_date);
    if in_trial && !matches!(change, ContractChange::Cancel { .. }) {
        return Err(AppError::validation(
            "effectiveDate",
            format!(
                "{} is in its free trial until {}; change it from then, or cancel it.",
                line.product_name, line.start_date
            ),
        ));
    }
    if !in_trial && (effective < line.start_date || effective > line.end_date) {
        return Err(AppError::validation(
            "effectiveDate",
            format!(
                "{effective} is outside the line's term {} to {}.",
                line.start_date, line.end_date
            ),
        ));
    }
    let old = repo::decimal("quantity", &line.quantity)?;
    match change {
        ContractChange::Cancel { at_period_end, .. } => {
            let on = if *at_period_end {
                if in_trial {
                    return Err(AppError::validation(
                        field("atPeriodEnd"),
                        format!(
                            "{} is in its free trial until {}; cancel it from a date instead.",
                            line.product_name, line.start_date
                        ),
                    ));
                }
                period_end_day(line, &changes, effective)?.ok_or_else(|| {
                    AppError::validation(
                        field("atPeriodEnd"),
                        format!(
                            "{}'s term ends with the period {effective} falls in: it stops on {} without a cancellation.",
                            line.product_name,
                            line.end_date
                        ),
                    )
                })?
            } else {
                effective
            };
            Ok(ExistingChange::Cancel { seats: old, on })
        }
        ContractChange::Plan(plan) => {
            let on = plan_change_day(line, &changes, plan.timing, effective, field)?;
            // The old system invoiced the old plan through that day: a change before it would
            // bill the new plan for days already invoiced, with nothing here to credit.
            if let Some(billed) = line.billed_through.filter(|billed| on <= *billed) {
                return Err(AppError::validation(
                    field("timing"),
                    format!(
                        "{} was invoiced by the old system through {billed}; date the plan change after that day.",
                        line.product_name
                    ),
                ));
            }
            Ok(ExistingChange::Replace {
                seats: old,
                on,
                by: plan
                    .product_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .unwrap_or(&line.product_name)
                    .to_string(),
            })
        }
        ContractChange::Discount { discount, .. } => {
            check_discount(connection, line, discount, effective, field).await
        }
        ContractChange::Quantity { new_quantity, .. } => {
            let new = parse_quantity(new_quantity)
                .map_err(|message| AppError::validation(field("newQuantity"), message))?;
            if new.is_zero() {
                return Err(AppError::validation(
                    field("newQuantity"),
                    "To stop the service, cancel the line instead of setting zero seats.",
                ));
            }
            if new == old {
                return Err(AppError::validation(
                    field("newQuantity"),
                    format!("The line already has {old} seats."),
                ));
            }
            Ok(ExistingChange::Quantity { old, new })
        }
        _ => Err(AppError::internal("unexpected change")),
    }
}

/// A discount agreed mid-term: on a line without one (a second would need the first's history
/// kept), from the first period starting on or after the modification date; a coupon's code is
/// filled from the coupon and redeemed with the modification.
async fn check_discount<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    given: &crate::billing::discounts::DiscountInput,
    effective: NaiveDate,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<ExistingChange> {
    if let Some(current) = repo::discount_of(line)? {
        return Err(AppError::validation(
            field("discount"),
            format!(
                "{} already has a discount ({}); it cannot take a second.",
                line.product_name, current.label
            ),
        ));
    }
    let currency = crate::money::Currency::parse(&line.currency)?;
    let mut input = given.clone();
    crate::billing::coupons::resolve_one(
        connection,
        &mut input,
        currency,
        effective,
        &field("discount.coupon"),
    )
    .await?;
    let mut discount = crate::billing::discounts::parse(&input, currency, &field("discount"))?;
    discount.from = Some(discount.from.map_or(effective, |from| from.max(effective)));
    Ok(ExistingChange::Discount {
        discount,
        field: field("discount.coupon"),
    })
}

/// A term may move when billing stays exact: an extension must not turn an already billed
/// partial last period into a full one, and a shortening must not cut service already billed
/// (that is a cancellation, which credits the unused time).
async fn check_term<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    new_end: NaiveDate,
    effective: NaiveDate,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<ExistingChange> {
    if line.kind == ContractLineKind::PerpetualLicense.as_str() {
        return Err(AppError::validation(
            field("contractLineId"),
            "A perpetual licence has no term to move.",
        ));
    }
    if new_end == line.end_date {
        return Err(AppError::validation(
            field("newEndDate"),
            format!("{} already ends on {new_end}.", line.product_name),
        ));
    }
    if new_end < line.start_date || new_end < effective {
        return Err(AppError::validation(
            field("newEndDate"),
            format!(
                "{new_end} is before the modification date or the line's start; a term ends on or after both."
            ),
        ));
    }
    let billed = billing_charge::Entity::find()
        .filter(billing_charge::Column::ContractLineId.eq(line.id))
        .filter(billing_charge::Column::ChargeKey.starts_with("period:"))
        .all(connection)
        .await?;
    let billed_to = billed.iter().filter_map(|charge| charge.period_end).max();
    if new_end < line.end_date {
        if let Some(until) =
            billed_to.filter(|until| *until > new_end.succ_opt().unwrap_or(new_end))
        {
            let last = until.pred_opt().unwrap_or(until);
            return Err(AppError::validation(
                field("newEndDate"),
                format!(
                    "{} is billed through {last}; cancel it from {} instead, so the unused time is credited.",
                    line.product_name,
                    new_end.succ_opt().unwrap_or(new_end)
                ),
            ));
        }
    } else {
        let terms = repo::line_terms(line, Vec::new())?;
        let mut longer = terms.clone();
        longer.end = new_end;
        let extended = longer.periods();
        if let Some(last) = terms.periods().last() {
            let billed_last = billed
                .iter()
                .any(|charge| charge.period_start == Some(last.start));
            let reshaped = extended
                .iter()
                .any(|period| period.start == last.start && period.end != last.end);
            if billed_last && reshaped {
                return Err(AppError::validation(
                    field("newEndDate"),
                    format!(
                        "{}'s last period from {} is already billed as a part period; add the extension as a new line from {} instead.",
                        line.product_name,
                        last.start,
                        line.end_date.succ_opt().unwrap_or(line.end_date)
                    ),
                ));
            }
        }
    }
    Ok(ExistingChange::Term { new_end })
}

/// The day a plan change takes effect: the modification date, or the first day after the
/// period it falls in — which must lie within the line's term.
fn plan_change_day(
    line: &contract_line::Model,
    changes: &[contract_line_change::Model],
    timing: PlanTiming,
    effective: NaiveDate,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<NaiveDate> {
    if timing == PlanTiming::Immediately {
        return Ok(effective);
    }
    period_end_day(line, changes, effective)?.ok_or_else(|| {
        AppError::validation(
            field("timing"),
            format!(
                "{}'s term ends with the period {effective} falls in; no period follows to change at its end. Change it immediately, or renew it on the new plan.",
                line.product_name
            ),
        )
    })
}

/// The first day after the billing period `effective` falls in, when the line's term goes on
/// past that period; `None` when the term ends with it.
fn period_end_day(
    line: &contract_line::Model,
    changes: &[contract_line_change::Model],
    effective: NaiveDate,
) -> AppResult<Option<NaiveDate>> {
    let recorded = changes
        .iter()
        .map(repo::change_from_model)
        .collect::<AppResult<Vec<_>>>()?;
    let terms = repo::line_terms(line, recorded)?;
    let period = terms
        .periods()
        .into_iter()
        .find(|period| period.contains(effective))
        .ok_or_else(|| {
            AppError::validation(
                "effectiveDate",
                format!("{effective} is in none of {}'s periods.", line.product_name),
            )
        })?;
    Ok((period.end <= line.end_date).then_some(period.end))
}

/// The line that takes over in a plan change: what the change gives, the rest as the old line
/// has it, from `on` to the old line's end, its periods counted from the old line's anchor so
/// it is co-termed (its first period the stub to the old period's end). A discount that lasts
/// as long as the old line carries over; one for some periods ends with the old plan.
fn replacement(
    contract: &contract::Model,
    line: &contract_line::Model,
    plan: &PlanChange,
    on: NaiveDate,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<(NewLine, contract_line::ActiveModel, serde_json::Value)> {
    let currency = crate::money::Currency::parse(&line.currency)?;
    let old_price = Money::from_minor(line.unit_price_minor, currency);
    let old_frequency = line
        .billing_frequency
        .as_deref()
        .and_then(BillingFrequency::parse);
    let new = NewLine {
        kind: ContractLineKind::Subscription,
        product_name: plan
            .product_name
            .clone()
            .unwrap_or_else(|| line.product_name.clone()),
        quantity: plan
            .quantity
            .clone()
            .unwrap_or_else(|| line.quantity.clone()),
        unit_price: plan.unit_price.unwrap_or(old_price),
        billing_frequency: plan.billing_frequency.or(old_frequency),
        alignment: Alignment::parse(&line.alignment).unwrap_or(Alignment::Anniversary),
        start_date: on,
        end_date: line.end_date,
        usage_pricing: None,
    };
    let (mut model, mut json) = new_line(contract, &new, field)?;
    if model
        .quantity
        .as_ref()
        .parse::<Decimal>()
        .is_ok_and(|quantity| quantity.is_zero())
    {
        return Err(AppError::validation(
            field("quantity"),
            "To stop the service, cancel the line instead of changing it to zero.",
        ));
    }
    let old_quantity = repo::decimal("quantity", &line.quantity)?;
    let same = new.product_name.trim() == line.product_name
        && model.quantity.as_ref().parse::<Decimal>().ok() == Some(old_quantity)
        && new.unit_price == old_price
        && new.billing_frequency == old_frequency;
    if same {
        return Err(AppError::validation(
            field("productName"),
            format!(
                "Give {} a new product, price, quantity or billing period; this is its plan already.",
                line.product_name
            ),
        ));
    }
    let lasting = repo::discount_of(line)?.filter(|discount| discount.periods.is_none());
    model.discount_json = Set(lasting.as_ref().map(serde_json::to_string).transpose()?);
    model.billing_anchor = Set(Some(line.billing_anchor.unwrap_or(line.start_date)));
    model.replaces_line_id = Set(Some(line.id));
    model.proration = Set(line.proration.clone());
    model.billed_in_arrears = Set(line.billed_in_arrears);
    json["replacesLineId"] = serde_json::json!(line.id);
    Ok((new, model, json))
}

/// Checks a line to add and builds its row (not yet inserted) and its log entry.
fn new_line(
    contract: &contract::Model,
    line: &NewLine,
    field: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<(contract_line::ActiveModel, serde_json::Value)> {
    let product = require_text(&field("productName"), &line.product_name, 200)?;
    let quantity = parse_quantity(&line.quantity)
        .map_err(|message| AppError::validation(field("quantity"), message))?;
    if line.unit_price.is_negative() {
        return Err(AppError::validation(
            field("unitPrice"),
            "The unit price cannot be negative.",
        ));
    }
    if line.unit_price.currency().code() != contract.currency {
        return Err(AppError::validation(
            field("unitPrice"),
            format!("The contract bills in {}.", contract.currency),
        ));
    }
    if line.end_date < line.start_date {
        return Err(AppError::validation(
            field("endDate"),
            "The end date is before the start date.",
        ));
    }
    let frequency = match line.kind {
        ContractLineKind::Subscription => Some(
            line.billing_frequency
                .filter(|frequency| frequency.periods_per_year().is_some())
                .ok_or_else(|| {
                    AppError::validation(
                        field("billingFrequency"),
                        "A subscription bills monthly, quarterly or annually.",
                    )
                })?,
        ),
        ContractLineKind::Milestone => Some(BillingFrequency::Milestone),
        ContractLineKind::TimeAndMaterials => Some(BillingFrequency::TimeAndMaterials),
        ContractLineKind::PerpetualLicense | ContractLineKind::Usage => None,
    };
    let pricing = match (line.kind, &line.usage_pricing) {
        (ContractLineKind::Usage, Some(pricing)) => {
            pricing.validate().map_err(|error| {
                AppError::validation(
                    field(&format!("usagePricing.{}", error.field)),
                    error.message,
                )
            })?;
            Some(serde_json::to_string(pricing).map_err(AppError::internal)?)
        }
        (ContractLineKind::Usage, None) => {
            return Err(AppError::validation(
                field("usagePricing"),
                "A usage line needs its meter and pricing.",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::validation(
                field("usagePricing"),
                "Only usage lines take usage pricing.",
            ));
        }
        (_, None) => None,
    };
    let json = serde_json::json!({
        "change": "add", "product": product, "kind": line.kind.as_str(),
        "quantity": quantity.to_string(), "unitPriceMinor": line.unit_price.minor(),
        "billingFrequency": frequency.map(|frequency| frequency.as_str()),
        "startDate": line.start_date, "endDate": line.end_date,
    });
    let model = contract_line::ActiveModel {
        contract_id: Set(contract.id),
        product_name: Set(product),
        kind: Set(line.kind.as_str().into()),
        quantity: Set(quantity.to_string()),
        unit_price_minor: Set(line.unit_price.minor()),
        currency: Set(contract.currency.clone()),
        billing_frequency: Set(frequency.map(|frequency| frequency.as_str().to_string())),
        start_date: Set(line.start_date),
        end_date: Set(line.end_date),
        alignment: Set(line.alignment.as_str().into()),
        usage_pricing_json: Set(pricing),
        ..Default::default()
    };
    Ok((model, json))
}

/// Applies checked changes in their canonical order, has revenue evaluate the modification,
/// links the line changes to it and audits it.
#[allow(clippy::too_many_arguments)]
async fn apply<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    input: &ModifyInput,
    reason: &str,
    key: &str,
    checked: Vec<Checked>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Modified> {
    let mut log = Vec::new();
    let mut added = Vec::new();
    let mut changed_ids = Vec::new();
    let mut line_changes = Vec::new();
    for item in checked {
        match item {
            Checked::Add(model, mut json) => {
                let line = model.insert(connection).await?;
                json["contractLineId"] = serde_json::json!(line.id);
                log.push(json);
                added.push(line);
            }
            Checked::Existing { line, change } => {
                log.push(change.as_json(&line));
                changed_ids.push(line.id);
                if let Some(recorded) = apply_existing(
                    connection,
                    &line,
                    &change,
                    input.effective,
                    reason,
                    actor,
                    now,
                )
                .await?
                {
                    line_changes.push(recorded);
                }
            }
        }
    }
    let changes = serde_json::Value::Array(log);
    let added_ids: Vec<i64> = added.iter().map(|line| line.id).collect();
    let (treatment, modification) = modifications::evaluate(
        connection,
        &Modification {
            contract_id: contract.id,
            effective: input.effective,
            added: &added_ids,
            changed: &changed_ids,
            remaining_distinct: input.remaining_distinct,
            reason,
            changes: &changes,
            idempotency_key: Some(key),
        },
        now,
        Some(actor.user_id),
    )
    .await?;
    if !line_changes.is_empty() {
        contract_line_change::Entity::update_many()
            .col_expr(
                contract_line_change::Column::ModificationId,
                Expr::value(modification.id),
            )
            .filter(
                contract_line_change::Column::Id.is_in(line_changes.iter().map(|change| change.id)),
            )
            .exec(connection)
            .await?;
        for change in &mut line_changes {
            change.modification_id = Some(modification.id);
        }
    }
    audit_modification(
        connection,
        contract,
        &modification,
        treatment,
        &changes,
        actor,
        now,
    )
    .await?;
    Ok(Modified {
        treatment: treatment.as_str().to_string(),
        modification,
        added,
        line_changes,
    })
}

/// Writes one change to an existing line: the line itself, and for seats and cancellations the
/// dated change billing prorates.
async fn apply_existing<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    change: &ExistingChange,
    effective: NaiveDate,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Option<contract_line_change::Model>> {
    let mut row: contract_line::ActiveModel = line.clone().into();
    let dated = match change {
        ExistingChange::Term { new_end } => {
            row.end_date = Set(*new_end);
            None
        }
        ExistingChange::Quantity { old, new } => {
            row.quantity = Set(new.to_string());
            Some((ChangeKind::Quantity, *old, *new, effective))
        }
        ExistingChange::Cancel { seats, on } => {
            row.cancelled_on = Set(Some(*on));
            Some((ChangeKind::Cancellation, *seats, Decimal::ZERO, *on))
        }
        ExistingChange::Replace { seats, on, .. } => {
            row.cancelled_on = Set(Some(*on));
            Some((ChangeKind::Cancellation, *seats, Decimal::ZERO, *on))
        }
        ExistingChange::Discount { discount, field } => {
            row.discount_json = Set(Some(serde_json::to_string(discount)?));
            if let Some(code) = &discount.coupon {
                let contract = contract::Entity::find_by_id(line.contract_id)
                    .one(connection)
                    .await?
                    .ok_or_else(|| AppError::internal("line without contract"))?;
                crate::billing::coupons::redeem_code(
                    connection,
                    actor,
                    code,
                    field,
                    contract.deal_id,
                    contract.id,
                    now,
                )
                .await?;
            }
            None
        }
    };
    row.update(connection).await?;
    let Some((kind, old, new, from)) = dated else {
        return Ok(None);
    };
    let recorded = contract_line_change::ActiveModel {
        contract_line_id: Set(line.id),
        kind: Set(kind.as_str().into()),
        effective_date: Set(from),
        old_quantity: Set(old.to_string()),
        new_quantity: Set(new.to_string()),
        reason: Set(reason.to_string()),
        idempotency_key: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    Ok(Some(recorded))
}

async fn audit_modification<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    modification: &revenue_modification::Model,
    treatment: Treatment,
    changes: &serde_json::Value,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord::<(), _> {
            action: "contract.modify",
            entity_type: "contract",
            entity_id: contract.id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "modificationId": modification.id,
                "effectiveDate": modification.effective_date,
                "reason": modification.reason,
                "revenueTreatment": treatment.as_str(),
                "changes": changes,
            })),
        },
    )
    .await
}
