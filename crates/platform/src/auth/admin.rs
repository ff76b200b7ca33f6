//! User administration by an admin — change a role, deactivate, reactivate — and signing out.
//! Each bumps or checks the user's token version, so a deactivated account's tokens and a
//! signed-out session's token stop working at once, on every instance (the version lives in the
//! database). A role change needs no revocation: every request reads the role afresh.
//! Service accounts are out of its reach: they are created and revoked as service accounts.

use super::{AuthService, Role, User, UserKind};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::user;
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

impl AuthService {
    /// Gives `user_id` another role (admin only; not one's own, so the last admin stays).
    pub async fn set_role(&self, actor: &Actor, user_id: i64, role: Role) -> AppResult<User> {
        actor.require(Permission::UserAdmin)?;
        self.refuse_self(actor, user_id, "change your own role")?;
        self.refuse_service_account(user_id).await?;
        self.change(actor, user_id, "user.role_set", |update| {
            update.col_expr(user::Column::Role, Expr::value(role.as_str()))
        })
        .await
    }

    /// Deactivates `user_id`: sign-in is refused and every token it holds stops working.
    pub async fn deactivate(&self, actor: &Actor, user_id: i64) -> AppResult<User> {
        actor.require(Permission::UserAdmin)?;
        self.refuse_self(actor, user_id, "deactivate your own account")?;
        self.refuse_service_account(user_id).await?;
        let now = self.clock.now();
        self.change(actor, user_id, "user.deactivate", |update| {
            update
                .col_expr(user::Column::DeactivatedAt, Expr::value(now))
                .col_expr(
                    user::Column::TokenVersion,
                    Expr::col(user::Column::TokenVersion).add(1),
                )
        })
        .await
    }

    /// Lets a deactivated user sign in again (with new tokens; the old ones stay revoked).
    pub async fn reactivate(&self, actor: &Actor, user_id: i64) -> AppResult<User> {
        actor.require(Permission::UserAdmin)?;
        self.refuse_service_account(user_id).await?;
        self.change(actor, user_id, "user.reactivate", |update| {
            update.col_expr(
                user::Column::DeactivatedAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
        })
        .await
    }

    /// Signs the caller out everywhere: every token issued to them so far stops working.
    pub async fn sign_out(&self, actor: &Actor) -> AppResult<()> {
        self.change(actor, actor.user_id, "auth.logout", |update| {
            update.col_expr(
                user::Column::TokenVersion,
                Expr::col(user::Column::TokenVersion).add(1),
            )
        })
        .await
        .map(|_| ())
    }

    fn refuse_self(&self, actor: &Actor, user_id: i64, what: &str) -> AppResult<()> {
        if actor.user_id == user_id {
            return Err(AppError::validation(
                "userId",
                format!("You cannot {what}; ask another administrator."),
            ));
        }
        Ok(())
    }

    /// A service account's role is fixed at creation and it ends by revocation (a new key means a
    /// new account), so user administration does not touch it.
    async fn refuse_service_account(&self, user_id: i64) -> AppResult<()> {
        let target = user::Entity::find_by_id(user_id).one(&self.db).await?;
        if target.is_some_and(|target| target.kind == UserKind::ServiceAccount.as_str()) {
            return Err(AppError::validation(
                "userId",
                format!("User {user_id} is a service account; revoke it under Service accounts and create a new one instead."),
            ));
        }
        Ok(())
    }

    /// Applies one change to a user in a transaction with its audit row (before and after).
    async fn change(
        &self,
        actor: &Actor,
        user_id: i64,
        action: &'static str,
        apply: impl FnOnce(sea_orm::UpdateMany<user::Entity>) -> sea_orm::UpdateMany<user::Entity>,
    ) -> AppResult<User> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let before = user::Entity::find_by_id(user_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| {
                AppError::validation("userId", format!("There is no user with id {user_id}."))
            })?;
        apply(user::Entity::update_many().filter(user::Column::Id.eq(user_id)))
            .exec(&transaction)
            .await?;
        let after = user::Entity::find_by_id(user_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("the user vanished"))?;
        let (before, after) = (User::try_from(before)?, User::try_from(after)?);
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action,
                entity_type: "user",
                entity_id: user_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}
