//! Plan versions: the plan document's schema and example, the list of imported versions, and
//! importing a document as the next version of its code (the document itself is in `plan`).

use super::plan::{self, Format, PlanDocument};
use super::repo::{self, PlanVersion};
use super::CommissionService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::commission_plan;
use crate::error::AppResult;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

impl CommissionService {
    pub fn plan_schema(&self) -> &'static str {
        plan::SCHEMA_JSON
    }

    pub fn plan_example(&self) -> &'static str {
        PlanDocument::example()
    }

    pub async fn plans(&self, actor: &Actor) -> AppResult<Vec<PlanVersion>> {
        actor.require(Permission::CommissionReadAll)?;
        repo::plan_versions(&self.db).await
    }

    /// Imports a plan document as the next version of its code.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        text: &str,
        format: Option<Format>,
    ) -> AppResult<PlanVersion> {
        actor.require(Permission::CommissionPlanManage)?;
        let document = PlanDocument::parse(text, format)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let latest = commission_plan::Entity::find()
            .filter(commission_plan::Column::Code.eq(document.code.as_str()))
            .order_by_desc(commission_plan::Column::Version)
            .one(&transaction)
            .await?;
        let version = latest.as_ref().map(|row| row.version + 1).unwrap_or(1);
        let model = commission_plan::ActiveModel {
            code: Set(document.code.clone()),
            version: Set(version),
            name: Set(document.name.trim().to_string()),
            currency: Set(document.currency()?.code().into()),
            effective_from: Set(document.effective_from),
            effective_to: Set(document.effective_to),
            capitalise: Set(document.capitalise),
            document_json: Set(document.to_json()?),
            source_text: Set(text.to_string()),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let plan = PlanVersion::from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.plan_import",
                entity_type: "commission_plan",
                entity_id: format!("{}@{}", plan.code, plan.version),
                before: latest.map(|row| row.document_json).as_ref(),
                after: Some(&plan.document),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(plan)
    }
}
