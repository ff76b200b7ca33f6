//! A running contract's renewal terms changed from outside its deal — who owns the renewal and the
//! uplift it is priced with — as a renewal schedule brings them in at cut-over (issue 15). The
//! deal keeps its AE (who was credited the commission); the renewal pipeline, its alerts and the
//! owner's book follow `contracts.renewal_owner_id`. The term itself is not a renewal term:
//! moving a contract's end date is a contract modification, with its revenue consequences.

use crate::access::{Actor, Permission};
use crate::audit;
use crate::entities::contract;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::BTreeMap;

/// One contract's new renewal terms, with what they replace (for the audit trail). `None` in a
/// new value leaves that term as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalTerms {
    pub contract_id: i64,
    pub contract_number: String,
    pub owner_id: Option<i64>,
    pub uplift_percent: Option<Decimal>,
    /// The renewal's owner before: the contract's own, else its deal's AE.
    pub owner_before: Option<i64>,
    pub uplift_before: String,
}

/// Ids updated per statement.
const IDS_PER_UPDATE: usize = 500;

/// Writes the terms in the caller's transaction — one `UPDATE` per distinct pair of new values and
/// chunk of contracts — each contract with its audit row; returns how many contracts changed.
pub async fn set_many<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    terms: &[RenewalTerms],
    mut progress: impl FnMut(usize),
) -> AppResult<usize> {
    actor.require(Permission::RenewalManage)?;
    let mut groups: BTreeMap<(Option<i64>, Option<String>), Vec<i64>> = BTreeMap::new();
    for row in terms {
        let uplift = row
            .uplift_percent
            .map(|value| value.normalize().to_string());
        groups
            .entry((row.owner_id, uplift))
            .or_default()
            .push(row.contract_id);
    }
    let mut written = 0;
    for ((owner, uplift), ids) in groups {
        if owner.is_none() && uplift.is_none() {
            continue; // nothing to change (the import refuses such a row)
        }
        for chunk in ids.chunks(IDS_PER_UPDATE) {
            let mut update = contract::Entity::update_many()
                .filter(contract::Column::Id.is_in(chunk.iter().copied()));
            if let Some(owner) = owner {
                update = update.col_expr(contract::Column::RenewalOwnerId, Expr::value(owner));
            }
            if let Some(uplift) = &uplift {
                update =
                    update.col_expr(contract::Column::UpliftPercent, Expr::value(uplift.clone()));
            }
            update.exec(connection).await?;
            written += chunk.len();
            progress(written);
        }
    }
    let records = terms
        .iter()
        .map(|row| {
            let after = serde_json::json!({
                "contractNumber": row.contract_number,
                "before": {"renewalOwnerId": row.owner_before, "upliftPercent": row.uplift_before},
                "after": {
                    "renewalOwnerId": row.owner_id.or(row.owner_before),
                    "upliftPercent": row.uplift_percent
                        .map_or(row.uplift_before.clone(), |value| value.normalize().to_string()),
                },
            });
            (row.contract_id.to_string(), after.to_string())
        })
        .collect();
    audit::record_many(
        connection,
        Some(actor),
        now,
        "contract.renewal_terms",
        "contract",
        records,
    )
    .await?;
    Ok(written)
}
