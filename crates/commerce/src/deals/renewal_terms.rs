//! A running contract's renewal terms changed from outside its deal — who owns the renewal and the
//! uplift it is priced with — as a renewal schedule brings them in at cut-over (issue 15). The
//! deal keeps its AE (who was credited the commission); the renewal pipeline, its alerts and the
//! owner's book follow `contracts.renewal_owner_id`. The term itself is not a renewal term:
//! moving a contract's end date is a contract modification, with its revenue consequences.

use crate::access::{role_has, Actor, Permission, Role};
use crate::audit;
use crate::entities::{contract, user};
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

/// Why this user cannot own a renewal, if they cannot: a renewal is owned by an active person
/// (not a service account) whose role manages renewals. The import and the form both ask this.
pub fn owner_problem(person: &user::Model) -> Option<String> {
    let email = &person.email;
    if person.deactivated_at.is_some() || person.kind != "person" {
        return Some(format!(
            "{email} is deactivated or a service account; a renewal needs a person to own it."
        ));
    }
    match Role::parse(&person.role) {
        Some(role) if role_has(role, Permission::RenewalManage) => None,
        Some(role) => Some(format!(
            "{email}'s role ({}) cannot manage renewals; choose an AE, an account manager or someone else who can.",
            role.title()
        )),
        None => Some(format!("{email} has no role that can manage renewals.")),
    }
}

/// Everyone who may own a renewal, by name.
pub async fn eligible_owners<C: ConnectionTrait>(connection: &C) -> AppResult<Vec<user::Model>> {
    let mut people: Vec<user::Model> = user::Entity::find()
        .all(connection)
        .await?
        .into_iter()
        .filter(|person| owner_problem(person).is_none())
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(people)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: &str, kind: &str, deactivated: bool) -> user::Model {
        user::Model {
            id: 1,
            email: "pat@example.com".into(),
            name: "Pat".into(),
            role: role.into(),
            password_hash: String::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            manager_id: None,
            deactivated_at: deactivated.then_some(chrono::DateTime::UNIX_EPOCH),
            token_version: 0,
            kind: kind.into(),
        }
    }

    #[test]
    fn a_renewal_is_owned_by_an_active_person_whose_role_manages_renewals() {
        // The roles DESIGN gives renewal management own renewals; a CFO or auditor does not, nor
        // a deactivated person or a service account, whatever its role.
        for role in [
            "ae",
            "account_manager",
            "vp_cs",
            "cro",
            "vp_revops",
            "admin",
        ] {
            assert_eq!(
                owner_problem(&person(role, "person", false)),
                None,
                "{role}"
            );
        }
        for role in ["cfo", "auditor", "ar_specialist", "vp_finance", "nobody"] {
            assert!(
                owner_problem(&person(role, "person", false)).is_some(),
                "{role}"
            );
        }
        let gone = owner_problem(&person("ae", "person", true)).unwrap_or_default();
        assert!(gone.contains("deactivated"), "{gone}");
        assert!(owner_problem(&person("admin", "service_account", false)).is_some());
    }
}
