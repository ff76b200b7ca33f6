//! Settling the statement lines: making the period's calculated lines what the calculation
//! wants, so a rerun changes nothing.

use super::{Context, Wanted};
use crate::commissions::repo;
use crate::entities::commission_line;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::{BTreeMap, HashMap};

/// Rows written per INSERT (SQLite allows 32,766 bound values; a line has 32 columns).
const LINE_CHUNK: usize = 1000;

pub(super) struct Settled {
    pub(super) lines: i32,
    pub(super) changed: i32,
    /// What expensed lines now owe beyond what they had accrued, per currency; those lines are
    /// already marked accrued (capitalised lines go through `repo::accrual_movements`).
    pub(super) accrued: BTreeMap<String, i64>,
}

/// A calculated line as settling reads it: (id, user, source key, status, kind, amount,
/// credited, tier, explanation, accrued, capitalised).
type Existing = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    bool,
);

/// Makes the period's calculated lines what `wanted` says: unchanged lines are left alone,
/// changed ones updated, new ones inserted, and ones no longer owed deleted (their accrual is
/// reversed by the posting). Paid lines and dispute adjustments are never touched.
pub(super) async fn settle<C: ConnectionTrait>(
    connection: &C,
    context: &Context,
    wanted: Vec<Wanted>,
    now: DateTime<Utc>,
) -> AppResult<Settled> {
    let mut by_key = existing_lines(connection, context).await?;
    let total = i32::try_from(wanted.len()).unwrap_or(i32::MAX);
    let mut changed = 0;
    let mut inserts = Vec::new();
    let mut accrued: BTreeMap<String, i64> = BTreeMap::new();
    for line in wanted {
        match by_key.remove(&(line.user_id, line.source_key.clone())) {
            Some((
                id,
                _,
                _,
                status,
                kind,
                amount,
                credited,
                tier,
                explanation,
                old_accrued,
                old_capitalised,
            )) => {
                if status == repo::PAID || kind == "adjustment" {
                    continue;
                }
                if status != repo::RETIRED
                    && amount == line.amount
                    && explanation == line.explanation
                    && tier == line.tier
                    && credited == line.credited_minor
                {
                    continue;
                }
                changed += 1;
                let currency = line.currency.code().to_string();
                let owed =
                    update_line(connection, id, line, old_accrued, old_capitalised, now).await?;
                if let Some(owed) = owed {
                    *accrued.entry(currency).or_default() += owed;
                }
            }
            None => {
                changed += 1;
                let accrued_now = if line.capitalised { 0 } else { line.amount };
                *accrued.entry(line.currency.code().to_string()).or_default() += accrued_now;
                inserts.push(new_line(context, line, accrued_now, now));
            }
        }
    }
    for chunk in inserts.chunks(LINE_CHUNK) {
        commission_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await?;
    }
    let stale: Vec<Existing> = by_key
        .into_values()
        .filter(|line| line.3 == repo::CALCULATED && line.4 != "adjustment")
        .collect();
    if !stale.is_empty() {
        changed += i32::try_from(stale.len()).unwrap_or(i32::MAX);
        let ids: Vec<i64> = stale.iter().map(|line| line.0).collect();
        repo::retire_lines(connection, &ids).await?;
    }
    Ok(Settled {
        lines: total,
        changed,
        accrued,
    })
}

/// The period's lines as they stand, by (user, source key).
async fn existing_lines<C: ConnectionTrait>(
    connection: &C,
    context: &Context,
) -> AppResult<HashMap<(i64, String), Existing>> {
    let existing: Vec<Existing> = commission_line::Entity::find()
        .select_only()
        .columns([
            commission_line::Column::Id,
            commission_line::Column::UserId,
            commission_line::Column::SourceKey,
            commission_line::Column::Status,
            commission_line::Column::Kind,
            commission_line::Column::AmountMinor,
            commission_line::Column::CreditedMinor,
            commission_line::Column::Tier,
            commission_line::Column::Explanation,
            commission_line::Column::AccruedMinor,
            commission_line::Column::Capitalised,
        ])
        .filter(commission_line::Column::Period.eq(context.period.as_str()))
        .into_tuple()
        .all(connection)
        .await?;
    Ok(existing
        .into_iter()
        .map(|line| ((line.1, line.2.clone()), line))
        .collect())
}

/// Rewrites a changed line as calculated. An expensed line (then and now) is marked accrued at
/// its new amount; returns what that adds to the accrual, `None` for a capitalised line.
async fn update_line<C: ConnectionTrait>(
    connection: &C,
    id: i64,
    line: Wanted,
    old_accrued: i64,
    old_capitalised: bool,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let mut row = commission_line::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        ..Default::default()
    };
    let mut owed = None;
    row.tier = Set(line.tier);
    row.rate = Set(line.rate);
    row.amount_minor = Set(line.amount);
    row.credited_minor = Set(line.credited_minor);
    row.metric_minor = Set(line.metric_minor);
    row.split_bp = Set(line.split_bp);
    row.explanation = Set(line.explanation);
    row.capitalised = Set(line.capitalised);
    row.amortise_from = Set(line.amortise_from);
    row.amortise_months = Set(line.amortise_months);
    row.status = Set(repo::CALCULATED.into());
    row.updated_at = Set(now);
    if !line.capitalised && !old_capitalised {
        owed = Some(line.amount - old_accrued);
        row.accrued_minor = Set(line.amount);
    }
    row.update(connection).await?;
    Ok(owed)
}

/// A new calculated line, accrued at `accrued_now` (nothing when capitalised).
fn new_line(
    context: &Context,
    line: Wanted,
    accrued_now: i64,
    now: DateTime<Utc>,
) -> commission_line::ActiveModel {
    commission_line::ActiveModel {
        period: Set(context.period.clone()),
        user_id: Set(line.user_id),
        plan_code: Set(line.plan.0),
        plan_version: Set(line.plan.1),
        component: Set(line.component),
        kind: Set(line.kind.into()),
        source_key: Set(line.source_key),
        deal_id: Set(line.deal_id),
        contract_id: Set(line.contract_id),
        business: Set(line.business.map(|business| business.as_str().to_string())),
        metric: Set(line.metric),
        metric_minor: Set(line.metric_minor),
        split_bp: Set(line.split_bp),
        credited_minor: Set(line.credited_minor),
        tier: Set(line.tier),
        rate: Set(line.rate),
        amount_minor: Set(line.amount),
        currency: Set(line.currency.code().into()),
        explanation: Set(line.explanation),
        cause_type: Set(line.cause.map(|(kind, _)| kind.to_string())),
        cause_id: Set(line.cause.map(|(_, id)| id)),
        reverses_line_id: Set(line.reverses_line_id),
        capitalised: Set(line.capitalised),
        amortise_from: Set(line.amortise_from),
        amortise_months: Set(line.amortise_months),
        accrued_minor: Set(accrued_now),
        amortised_minor: Set(0),
        status: Set(repo::CALCULATED.into()),
        payout_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}
