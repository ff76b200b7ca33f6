//! Service accounts: other systems (a CRM, an ERP, a script) call revops with an API key in
//! place of a person's sign-in. An administrator creates one with a name and one role and sees
//! its key once; revoking it stops the key at once, on every instance. Each account is a `users`
//! row of kind `service_account` — so the role matrix, the audit trail and every "created by"
//! column treat it like any caller — that can never sign in with a password and that user
//! administration leaves alone.

use super::api_key;
use super::{AuthService, UserKind};
use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::entities::{service_account, user};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::values::require_text;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use std::collections::HashMap;

/// `last_used_at` is written at most this often per key, so a busy integration does not turn
/// every request into a write.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;
/// Attempts at a prefix nobody holds yet (32 random bits: a repeat is already rare).
const PREFIX_ATTEMPTS: usize = 5;

/// A service account as lists, audit rows and the API show it. Never holds the key or its hash.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccount {
    pub id: i64,
    /// Its `users` row: what it writes names this id.
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// `rvk_<8 hex>`, the start of its key.
    pub key_prefix: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ServiceAccount {
    /// How the audit log names it, e.g. "service account: Salesforce sync (rvk_ab12cd34)".
    pub fn label(&self) -> String {
        format!("service account: {} ({})", self.name, self.key_prefix)
    }

    fn assemble(account: service_account::Model, user: user::Model) -> AppResult<ServiceAccount> {
        let role = Role::parse(&user.role).ok_or_else(|| {
            AppError::internal(format!(
                "service account {} has unknown role {}",
                account.id, user.role
            ))
        })?;
        Ok(ServiceAccount {
            id: account.id,
            user_id: account.user_id,
            name: user.name,
            role,
            key_prefix: account.key_prefix,
            created_by: account.created_by,
            created_at: account.created_at,
            revoked_by: account.revoked_by,
            revoked_at: account.revoked_at,
            last_used_at: account.last_used_at,
        })
    }
}

pub struct NewServiceAccount {
    pub name: String,
    pub role: Role,
}

/// A new account with its key, which exists only in this value: it is not stored, so it cannot
/// be shown again.
pub struct CreatedServiceAccount {
    pub service_account: ServiceAccount,
    pub key: String,
}

fn revoked_message(revoked_at: DateTime<Utc>) -> String {
    format!(
        "This API key was revoked on {}; ask an administrator for a new one.",
        revoked_at.format("%-d %b %Y %H:%M UTC")
    )
}

/// Each account with its user row (name and role), the users read in one query.
async fn assemble_all<C: ConnectionTrait>(
    connection: &C,
    accounts: Vec<service_account::Model>,
) -> AppResult<Vec<ServiceAccount>> {
    let mut users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(accounts.iter().map(|account| account.user_id)))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    accounts
        .into_iter()
        .map(|account| {
            let user = users.remove(&account.user_id).ok_or_else(|| {
                AppError::internal(format!("service account {} has no user", account.id))
            })?;
            ServiceAccount::assemble(account, user)
        })
        .collect()
}

impl AuthService {
    /// Creates a service account (admin) and returns its key, shown to the caller this once.
    pub async fn create_service_account(
        &self,
        actor: &Actor,
        input: NewServiceAccount,
    ) -> AppResult<CreatedServiceAccount> {
        actor.require(Permission::UserAdmin)?;
        let name = require_text("name", &input.name, 200)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let taken = user::Entity::find()
            .filter(user::Column::Kind.eq(UserKind::ServiceAccount.as_str()))
            .filter(user::Column::Name.eq(name.as_str()))
            .filter(user::Column::DeactivatedAt.is_null())
            .one(&transaction)
            .await?;
        if taken.is_some() {
            return Err(AppError::validation(
                "name",
                format!("An active service account is already called “{name}”; choose another name or revoke that one first."),
            ));
        }
        let made = unused_key(&transaction).await?;
        let user = user::ActiveModel {
            // A reserved domain (RFC 2606): the row needs a unique address, and no mail can reach it.
            email: Set(format!("{}@service-accounts.invalid", made.prefix)),
            name: Set(name),
            role: Set(input.role.as_str().to_string()),
            // No password can match an empty hash, and sign-in skips service accounts anyway.
            password_hash: Set(String::new()),
            created_at: Set(now),
            kind: Set(UserKind::ServiceAccount.as_str().to_string()),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let account = service_account::ActiveModel {
            user_id: Set(user.id),
            key_prefix: Set(made.prefix.clone()),
            key_hash: Set(made.secret_hash.clone()),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let service_account = ServiceAccount::assemble(account, user)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), ServiceAccount> {
                action: "service_account.create",
                entity_type: "service_account",
                entity_id: service_account.id.to_string(),
                before: None,
                after: Some(&service_account),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(CreatedServiceAccount {
            service_account,
            key: made.key,
        })
    }

    /// Revokes a service account (admin; never itself): its key is refused from the next request.
    pub async fn revoke_service_account(
        &self,
        actor: &Actor,
        service_account_id: i64,
    ) -> AppResult<ServiceAccount> {
        actor.require(Permission::UserAdmin)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let before = find_in(&transaction, service_account_id).await?;
        if before.user_id == actor.user_id {
            return Err(AppError::validation(
                "serviceAccountId",
                "A service account cannot revoke itself; ask an administrator.",
            ));
        }
        // Guarded, so of two administrators revoking at once exactly one records it.
        let revoked = service_account::Entity::update_many()
            .col_expr(service_account::Column::RevokedAt, Expr::value(now))
            .col_expr(
                service_account::Column::RevokedBy,
                Expr::value(actor.user_id),
            )
            .filter(service_account::Column::Id.eq(service_account_id))
            .filter(service_account::Column::RevokedAt.is_null())
            .exec(&transaction)
            .await?;
        if revoked.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "Service account “{}” is already revoked.",
                before.name
            )));
        }
        // Its user row is deactivated too, so everything that checks accounts sees it gone.
        user::Entity::update_many()
            .col_expr(user::Column::DeactivatedAt, Expr::value(now))
            .col_expr(
                user::Column::TokenVersion,
                Expr::col(user::Column::TokenVersion).add(1),
            )
            .filter(user::Column::Id.eq(before.user_id))
            .exec(&transaction)
            .await?;
        let after = find_in(&transaction, service_account_id).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "service_account.revoke",
                entity_type: "service_account",
                entity_id: service_account_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Every service account, newest first, revoked ones included (admin).
    pub async fn list_service_accounts(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> AppResult<Page<ServiceAccount>> {
        actor.require(Permission::UserAdmin)?;
        let total = service_account::Entity::find().count(&self.db).await?;
        let rows = service_account::Entity::find()
            .order_by_desc(service_account::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        let accounts = assemble_all(&self.db, rows).await?;
        Ok(Page::new(accounts, page, total))
    }

    /// The service accounts behind these user ids (ids of people are skipped), for audit labels.
    pub async fn service_accounts_by_user_ids(
        &self,
        user_ids: &[i64],
    ) -> AppResult<Vec<ServiceAccount>> {
        let rows = service_account::Entity::find()
            .filter(service_account::Column::UserId.is_in(user_ids.iter().copied()))
            .all(&self.db)
            .await?;
        assemble_all(&self.db, rows).await
    }

    /// Turns a presented API key into the actor of its service account, with the account's role.
    pub(super) async fn authenticate_key(&self, key: &str) -> AppResult<Actor> {
        let presented = api_key::parse(key).ok_or_else(|| {
            AppError::Unauthenticated(
                "This API key is malformed; check that it was copied whole (rvk_…_…).".into(),
            )
        })?;
        let account = service_account::Entity::find()
            .filter(service_account::Column::KeyPrefix.eq(presented.prefix))
            .one(&self.db)
            .await?
            .filter(|account| {
                api_key::same_hash(&api_key::hash_secret(presented.secret), &account.key_hash)
            })
            .ok_or_else(|| {
                AppError::Unauthenticated(
                    "This API key is not known; check that it was copied whole, or ask an administrator for a new one.".into(),
                )
            })?;
        if let Some(revoked_at) = account.revoked_at {
            return Err(AppError::Unauthenticated(revoked_message(revoked_at)));
        }
        let user = user::Entity::find_by_id(account.user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::internal("a service account's user vanished"))?;
        if let Some(deactivated_at) = user.deactivated_at {
            return Err(AppError::Unauthenticated(revoked_message(deactivated_at)));
        }
        self.note_use(&account).await?;
        let role = Role::parse(&user.role)
            .ok_or_else(|| AppError::internal(format!("unknown role {}", user.role)))?;
        Ok(Actor {
            user_id: user.id,
            email: user.email,
            role,
        })
    }

    /// The actor a service account acts as when revops works on its behalf without its key (a
    /// CRM connector's messages); refused like its key once it is revoked or deactivated.
    pub async fn service_account_actor(&self, service_account_id: i64) -> AppResult<Actor> {
        let account = service_account::Entity::find_by_id(service_account_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "Service account #{service_account_id} does not exist."
                ))
            })?;
        if let Some(revoked_at) = account.revoked_at {
            return Err(AppError::Unauthenticated(revoked_message(revoked_at)));
        }
        let user = user::Entity::find_by_id(account.user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::internal("a service account's user vanished"))?;
        if let Some(deactivated_at) = user.deactivated_at {
            return Err(AppError::Unauthenticated(revoked_message(deactivated_at)));
        }
        let role = Role::parse(&user.role)
            .ok_or_else(|| AppError::internal(format!("unknown role {}", user.role)))?;
        Ok(Actor {
            user_id: user.id,
            email: user.email,
            role,
        })
    }

    /// Records that the key was used now, unless that was already recorded within the minute
    /// (checked on the row just read, and again in the UPDATE for other instances).
    async fn note_use(&self, account: &service_account::Model) -> AppResult<()> {
        let now = self.clock.now();
        let stale_before = now - Duration::seconds(LAST_USED_GRANULARITY_SECONDS);
        if account.last_used_at.is_some_and(|at| at > stale_before) {
            return Ok(());
        }
        service_account::Entity::update_many()
            .col_expr(service_account::Column::LastUsedAt, Expr::value(now))
            .filter(service_account::Column::Id.eq(account.id))
            .filter(
                Condition::any()
                    .add(service_account::Column::LastUsedAt.is_null())
                    .add(service_account::Column::LastUsedAt.lte(stale_before)),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

async fn find_in<C: ConnectionTrait>(
    connection: &C,
    service_account_id: i64,
) -> AppResult<ServiceAccount> {
    let account = service_account::Entity::find_by_id(service_account_id)
        .one(connection)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "serviceAccountId",
                format!("There is no service account with id {service_account_id}."),
            )
        })?;
    assemble_all(connection, vec![account])
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("the service account vanished"))
}

/// A new key whose prefix no account holds yet.
async fn unused_key<C: ConnectionTrait>(connection: &C) -> AppResult<api_key::NewApiKey> {
    for _ in 0..PREFIX_ATTEMPTS {
        let made = api_key::generate();
        let holder = service_account::Entity::find()
            .filter(service_account::Column::KeyPrefix.eq(made.prefix.as_str()))
            .one(connection)
            .await?;
        if holder.is_none() {
            return Ok(made);
        }
    }
    Err(AppError::internal(
        "no unused API key prefix after several attempts",
    ))
}
