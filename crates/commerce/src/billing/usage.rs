//! Recording usage readings: each is checked on its own against its usage-priced line, kept
//! once per client id and line, and refused once its month is billed.

use super::pricing::{parse_quantity, UsagePricing};
use super::MAX_USAGE_ROWS;
use super::{periods, repo, BillingService, UsageImportResult, UsageInput, UsageRejection};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{billing_charge, contract_line, usage_record};
use crate::error::{AppError, AppResult};
use crate::values::parse_id;
use chrono::{DateTime, Utc};
use revops_terms::kinds::ContractLineKind;
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait};
use std::collections::HashMap;

/// Each line named so far: the line and its pricing when it is usage-priced, `None` otherwise.
type UsableLines = HashMap<i64, Option<(contract_line::Model, UsagePricing)>>;

/// What became of one reading.
enum Reading {
    Accepted,
    /// Its client id was already received for the line; the reading is ignored.
    Duplicate(String),
    Rejected(UsageRejection),
}

impl BillingService {
    /// Records usage readings. Each is checked on its own: good ones are kept, duplicates (by
    /// client id per line) are ignored and reported, bad ones are reported with their field.
    pub async fn record_usage(
        &self,
        actor: &Actor,
        inputs: Vec<UsageInput>,
    ) -> AppResult<UsageImportResult> {
        actor.require(Permission::UsageWrite)?;
        if inputs.len() > MAX_USAGE_ROWS {
            return Err(AppError::Limit(format!(
                "At most {MAX_USAGE_ROWS} usage records per call; split the upload."
            )));
        }
        let now = self.clock.now();
        let mut result = UsageImportResult::default();
        let mut lines: UsableLines = HashMap::new();
        let transaction = self.db.begin().await?;
        for (index, input) in inputs.into_iter().enumerate() {
            let row = i32::try_from(index + 1).unwrap_or(i32::MAX);
            match record_reading(&transaction, &mut lines, row, &input, actor, now).await? {
                Reading::Accepted => result.accepted += 1,
                Reading::Duplicate(client_id) => result.duplicates.push(client_id),
                Reading::Rejected(rejection) => result.rejected.push(rejection),
            }
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "usage.record",
                entity_type: "usage_batch",
                entity_id: now.timestamp_millis().to_string(),
                before: None,
                after: Some(&result),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(result)
    }
}

/// Checks one reading and keeps it unless its client id was already received for the line.
async fn record_reading(
    transaction: &DatabaseTransaction,
    lines: &mut UsableLines,
    row: i32,
    input: &UsageInput,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Reading> {
    let reject = |field: &str, message: String| {
        Ok(Reading::Rejected(UsageRejection {
            row,
            field: field.into(),
            message,
        }))
    };
    let line_id = match parse_id("contractLineId", &input.contract_line_id) {
        Ok(id) => id,
        Err(_) => {
            return reject(
                "contractLineId",
                format!("{:?} is not a contract line id.", input.contract_line_id),
            );
        }
    };
    let Some((line, pricing)) = usable_line(transaction, lines, line_id).await? else {
        return reject(
            "contractLineId",
            format!("Contract line {line_id} is not a usage-priced line."),
        );
    };
    let (quantity, client_id) = match check_reading(input, line, pricing, line_id, now) {
        Ok(checked) => checked,
        Err((field, message)) => return reject(field, message),
    };
    let month = periods::month_of(input.occurred_at.date_naive()).2;
    let billed = billing_charge::Entity::find()
        .filter(billing_charge::Column::ContractLineId.eq(line_id))
        .filter(billing_charge::Column::ChargeKey.eq(format!("usage:{month}")))
        .one(transaction)
        .await?;
    if billed.is_some() {
        return reject(
            "occurredAt",
            format!("Usage for {month} was already billed; record a correction as a credit memo."),
        );
    }
    let inserted = usage_record::Entity::insert(usage_record::ActiveModel {
        contract_line_id: Set(line_id),
        meter: Set(pricing.meter.clone()),
        quantity: Set(quantity.to_string()),
        occurred_at: Set(input.occurred_at),
        usage_month: Set(month),
        client_id: Set(client_id.to_string()),
        created_at: Set(now),
        created_by: Set(Some(actor.user_id)),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            usage_record::Column::ContractLineId,
            usage_record::Column::ClientId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(transaction)
    .await?;
    Ok(if inserted == 0 {
        Reading::Duplicate(client_id.to_string())
    } else {
        Reading::Accepted
    })
}

/// The line and its pricing when it is usage-priced, read once per line.
async fn usable_line<'a>(
    transaction: &DatabaseTransaction,
    lines: &'a mut UsableLines,
    line_id: i64,
) -> AppResult<Option<&'a (contract_line::Model, UsagePricing)>> {
    if let std::collections::hash_map::Entry::Vacant(slot) = lines.entry(line_id) {
        let found = contract_line::Entity::find_by_id(line_id)
            .one(transaction)
            .await?;
        let usable = match found {
            Some(line) if line.kind == ContractLineKind::Usage.as_str() => {
                repo::pricing_of(&line)?.map(|pricing| (line, pricing))
            }
            _ => None,
        };
        slot.insert(usable);
    }
    Ok(lines.get(&line_id).and_then(Option::as_ref))
}

/// The reading's own rules: the line's meter, a quantity, a client id of 1 to 128 characters,
/// and a moment inside the line's term and not in the future. Returns the quantity and client
/// id, or the field at fault and why.
fn check_reading<'a>(
    input: &'a UsageInput,
    line: &contract_line::Model,
    pricing: &UsagePricing,
    line_id: i64,
    now: DateTime<Utc>,
) -> Result<(Decimal, &'a str), (&'static str, String)> {
    if input.meter.trim() != pricing.meter {
        return Err((
            "meter",
            format!(
                "Line {line_id} is priced on meter {:?}, not {:?}.",
                pricing.meter,
                input.meter.trim()
            ),
        ));
    }
    let quantity = parse_quantity(&input.quantity).map_err(|message| ("quantity", message))?;
    let client_id = input.client_id.trim();
    if client_id.is_empty() || client_id.len() > 128 {
        return Err((
            "clientId",
            "Give each record an id of 1 to 128 characters.".into(),
        ));
    }
    let day = input.occurred_at.date_naive();
    if day < line.start_date || day > line.end_date {
        return Err((
            "occurredAt",
            format!(
                "{day} is outside the line's term {} to {}.",
                line.start_date, line.end_date
            ),
        ));
    }
    if input.occurred_at > now {
        return Err((
            "occurredAt",
            "Usage cannot be recorded in the future.".into(),
        ));
    }
    Ok((quantity, client_id))
}
