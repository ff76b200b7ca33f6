//! The ratable method: the company's convention for schedules built from now on, and a
//! contract's own convention with what it has not yet recognised re-planned under it.

use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::error::AppResult;
use crate::values::parse_id;
use sea_orm::TransactionTrait;

impl RevenueService {
    pub async fn settings(&self, actor: &Actor) -> AppResult<RatableMethod> {
        actor.require(Permission::RevenueTotalsRead)?;
        repo::ratable_method(&self.db).await
    }

    /// The company's ratable method applies to schedules built or re-planned from now on;
    /// rows already recognised never change.
    pub async fn set_method(
        &self,
        actor: &Actor,
        method: RatableMethod,
    ) -> AppResult<RatableMethod> {
        actor.require(Permission::RevenueSettings)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let before = repo::ratable_method(&transaction).await?;
        repo::set_setting(
            &transaction,
            repo::RATABLE_METHOD,
            method.as_str(),
            Some(actor.user_id),
            now,
        )
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "revenue.method_set",
                entity_type: "company_setting",
                entity_id: repo::RATABLE_METHOD.into(),
                before: Some(&before),
                after: Some(&method),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(method)
    }

    /// Sets a contract's own ratable convention (`None` returns it to the company's). The CFO
    /// only, like the company setting. What the contract has not yet recognised is re-planned
    /// under the new convention in open periods; recognised rows and closed periods never change.
    pub async fn set_contract_method(
        &self,
        actor: &Actor,
        contract_id: &str,
        method: Option<RatableMethod>,
    ) -> AppResult<ContractMethod> {
        actor.require(Permission::RevenueSettings)?;
        let contract_id = parse_id("contractId", contract_id)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let (before, after) = repo::set_contract_method(&transaction, contract_id, method).await?;
        let result = ContractMethod {
            contract_id,
            override_method: method,
            method: repo::contract_method(&transaction, &after).await?,
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "revenue.contract_method_set",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&serde_json::json!({ "revenueMethod": before.revenue_method })),
                after: Some(&result),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(result)
    }
}
