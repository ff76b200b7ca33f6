//! Reporting lines: who a user reports to, which decides whose commissions a manager sees.

use super::{team_in, CommissionService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::user;
use crate::error::{AppError, AppResult};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

impl CommissionService {
    /// Sets (or clears) who a user reports to; refuses a loop.
    pub async fn set_manager(
        &self,
        actor: &Actor,
        user_id: i64,
        manager_id: Option<i64>,
    ) -> AppResult<()> {
        actor.require(Permission::CommissionPlanManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(member) = user::Entity::find_by_id(user_id).one(&transaction).await? else {
            return Err(AppError::validation("userId", "No such user."));
        };
        if let Some(manager) = manager_id {
            if manager == user_id {
                return Err(AppError::validation(
                    "managerId",
                    "Nobody manages themselves.",
                ));
            }
            if user::Entity::find_by_id(manager)
                .one(&transaction)
                .await?
                .is_none()
            {
                return Err(AppError::validation("managerId", "No such user."));
            }
            if team_in(&transaction, user_id).await?.contains(&manager) {
                return Err(AppError::validation(
                    "managerId",
                    "That manager reports (directly or not) to this user; a team cannot loop.",
                ));
            }
        }
        let before = member.manager_id;
        let mut row: user::ActiveModel = member.into();
        row.manager_id = Set(manager_id);
        row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "user.manager_set",
                entity_type: "user",
                entity_id: user_id.to_string(),
                before: Some(&before),
                after: Some(&manager_id),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}
