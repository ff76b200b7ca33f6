//! Users, sign-in, tokens and service accounts' API keys. `Actor` is who a service call runs for.

mod admin;
pub mod api_key;
pub mod jwt;
pub mod password;
mod service_accounts;

pub use jwt::JwtKeys;
pub use service_accounts::{CreatedServiceAccount, NewServiceAccount, ServiceAccount};

use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{login_throttle, user};
use crate::error::{AppError, AppResult};
use crate::pagination::{search_condition, Page, PageRequest};
use crate::values::{require_text, EmailAddress};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

/// Failures allowed before each further attempt on that e-mail must wait.
const FREE_FAILED_ATTEMPTS: i32 = 3;
const MAX_LOCKOUT_SECONDS: i64 = 15 * 60;

/// A person signs in with a password; a service account (another system) calls with an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Person,
    ServiceAccount,
}

impl UserKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            UserKind::Person => "person",
            UserKind::ServiceAccount => "service_account",
        }
    }

    pub fn parse(text: &str) -> Option<UserKind> {
        [UserKind::Person, UserKind::ServiceAccount]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub kind: UserKind,
    pub created_at: DateTime<Utc>,
    /// Set while the account is deactivated: it cannot sign in and its tokens are refused.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl TryFrom<user::Model> for User {
    type Error = AppError;
    fn try_from(model: user::Model) -> AppResult<User> {
        let role = Role::parse(&model.role).ok_or_else(|| {
            AppError::internal(format!("user {} has unknown role {}", model.id, model.role))
        })?;
        let kind = UserKind::parse(&model.kind).ok_or_else(|| {
            AppError::internal(format!("user {} has unknown kind {}", model.id, model.kind))
        })?;
        Ok(User {
            id: model.id,
            email: model.email,
            name: model.name,
            role,
            kind,
            created_at: model.created_at,
            deactivated_at: model.deactivated_at,
        })
    }
}

pub struct LoginResult {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// How long the next attempt must wait after `failed_count` consecutive failures.
pub fn lockout_after(failed_count: i32) -> Option<Duration> {
    if failed_count < FREE_FAILED_ATTEMPTS {
        return None;
    }
    let exponent = (failed_count - FREE_FAILED_ATTEMPTS).min(12) as u32;
    Some(Duration::seconds(
        (1_i64 << exponent).min(MAX_LOCKOUT_SECONDS),
    ))
}

#[derive(Clone)]
pub struct AuthService {
    db: DatabaseConnection,
    clock: SharedClock,
    keys: JwtKeys,
}

impl AuthService {
    pub fn new(db: DatabaseConnection, clock: SharedClock, keys: JwtKeys) -> AuthService {
        AuthService { db, clock, keys }
    }

    pub async fn login(&self, email: &str, password: &str) -> AppResult<LoginResult> {
        let now = self.clock.now();
        let email = email.trim().to_ascii_lowercase();
        if email.len() > 254 {
            // No account has such an address (e-mail addresses stop at 254 characters), and the
            // throttle's key column holds no more; answer as for any wrong address.
            return Err(AppError::Unauthenticated(
                "The e-mail or password is not correct.".into(),
            ));
        }
        let attempt = self.reserve_attempt(&email, now).await?;
        // A service account has no password: its address answers like an unknown one.
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .filter(user::Column::Kind.eq(UserKind::Person.as_str()))
            .one(&self.db)
            .await?;
        let stored_hash = found
            .as_ref()
            .map(|row| row.password_hash.clone())
            .unwrap_or_else(|| password::decoy_hash().to_string());
        // Argon2 is deliberately slow: keep it off the async worker threads.
        let candidate = password.to_string();
        let password_matches = tokio::task::spawn_blocking(move || {
            password::verify_password(&candidate, &stored_hash)
        })
        .await
        .map_err(AppError::internal)?;
        let user = match (found, password_matches) {
            (Some(model), true) => model,
            _ => {
                self.record_failure(&email, attempt, now).await?;
                return Err(AppError::Unauthenticated(
                    "The e-mail or password is not correct.".into(),
                ));
            }
        };
        if user.deactivated_at.is_some() {
            // Said only after the right password, so it reveals nothing to a guesser.
            return Err(AppError::Unauthenticated(
                "This account is deactivated; ask an administrator to reactivate it.".into(),
            ));
        }
        let transaction = self.db.begin().await?;
        // A good password clears the count its own reservation added too.
        login_throttle::Entity::delete_by_id(email.clone())
            .exec(&transaction)
            .await?;
        let signed_in = Actor {
            user_id: user.id,
            email: user.email.clone(),
            role: Role::parse(&user.role).unwrap_or(Role::Auditor),
        };
        audit::record(
            &transaction,
            Some(&signed_in),
            now,
            AuditRecord::<(), ()> {
                action: "auth.login",
                entity_type: "user",
                entity_id: user.id.to_string(),
                before: None,
                after: None,
            },
        )
        .await?;
        transaction.commit().await?;
        let token_version = user.token_version;
        let user = User::try_from(user)?;
        let (token, expires_at) =
            self.keys
                .issue(user.id, &user.email, user.role, token_version, now)?;
        Ok(LoginResult {
            token,
            expires_at,
            user,
        })
    }

    /// Counts one sign-in attempt for `email` *before* its password is checked, refusing it while
    /// the e-mail is locked out. The count is taken pessimistically and atomically (an upsert, then
    /// one guarded UPDATE that row-locks on PostgreSQL and runs alone on SQLite's one connection),
    /// so attempts sent in parallel are each counted and those past the free ones are refused
    /// without reaching the password check. A good password deletes the row again.
    async fn reserve_attempt(&self, email: &str, now: DateTime<Utc>) -> AppResult<i32> {
        use login_throttle::Column;
        let transaction = self.db.begin().await?;
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            email: Set(email.to_string()),
            failed_count: Set(0),
            locked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(OnConflict::column(Column::Email).do_nothing().to_owned())
        .exec_without_returning(&transaction)
        .await?;
        let counted = login_throttle::Entity::update_many()
            .col_expr(Column::FailedCount, Expr::col(Column::FailedCount).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Email.eq(email))
            .filter(
                Condition::any()
                    .add(Column::LockedUntil.is_null())
                    .add(Column::LockedUntil.lte(now)),
            )
            .exec(&transaction)
            .await?;
        let row = login_throttle::Entity::find_by_id(email.to_string())
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("the sign-in throttle row vanished"))?;
        if counted.rows_affected != 1 {
            transaction.commit().await?;
            let seconds = row
                .locked_until
                .map_or(1, |until| (until - now).num_seconds().max(1));
            let unit = if seconds == 1 { "second" } else { "seconds" };
            return Err(AppError::Limit(format!(
                "Too many failed sign-ins for this account; try again in {seconds} {unit}."
            )));
        }
        if let Some(wait) = lockout_after(row.failed_count) {
            login_throttle::Entity::update_many()
                .col_expr(Column::LockedUntil, Expr::value(now + wait))
                .filter(Column::Email.eq(email))
                .exec(&transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(row.failed_count)
    }

    /// Audits a failed sign-in; the attempt was already counted by `reserve_attempt`.
    async fn record_failure(
        &self,
        email: &str,
        failed_count: i32,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let transaction = self.db.begin().await?;
        audit::record(
            &transaction,
            None,
            now,
            AuditRecord::<(), _> {
                action: "auth.login_failed",
                entity_type: "login",
                entity_id: email.to_string(),
                before: None,
                after: Some(&serde_json::json!({ "consecutiveFailures": failed_count })),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Turns a bearer credential — a sign-in token, or a service account's API key (`rvk_…`) —
    /// into the actor, checking that the account still exists, is active and has that role.
    pub async fn authenticate(&self, token: &str) -> AppResult<Actor> {
        if api_key::looks_like_key(token) {
            return self.authenticate_key(token).await;
        }
        let claims = self.keys.verify(token, self.clock.now())?;
        let user_id: i64 = claims.sub.parse().map_err(|_| {
            AppError::Unauthenticated("The access token names no user; sign in again.".into())
        })?;
        let model = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("This account no longer exists.".into()))?;
        if model.deactivated_at.is_some() {
            return Err(AppError::Unauthenticated(
                "This account is deactivated; ask an administrator to reactivate it.".into(),
            ));
        }
        if model.token_version != claims.ver {
            return Err(AppError::Unauthenticated(
                "This session was signed out; sign in again.".into(),
            ));
        }
        let user = User::try_from(model)?;
        Ok(Actor {
            user_id: user.id,
            email: user.email,
            role: user.role,
        })
    }

    pub async fn me(&self, actor: &Actor) -> AppResult<User> {
        self.find_user(actor.user_id).await
    }

    pub async fn find_user(&self, id: i64) -> AppResult<User> {
        let model = user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no user with id {id}.")))?;
        User::try_from(model)
    }

    pub async fn users_by_ids(&self, ids: &[i64]) -> AppResult<Vec<User>> {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(User::try_from)
            .collect()
    }

    pub async fn list_users(
        &self,
        actor: &Actor,
        role: Option<Role>,
        search: Option<String>,
        page: PageRequest,
    ) -> AppResult<Page<User>> {
        actor.require(Permission::UserRead)?;
        // Service accounts are listed and managed on their own (`list_service_accounts`).
        let mut query =
            user::Entity::find().filter(user::Column::Kind.eq(UserKind::Person.as_str()));
        if let Some(role) = role {
            query = query.filter(user::Column::Role.eq(role.as_str()));
        }
        if let Some(condition) =
            search_condition(search, &[user::Column::Name, user::Column::Email])
        {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_asc(user::Column::Name)
            .order_by_asc(user::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(User::try_from)
    }

    /// Creates a user. `actor` is None only for the CLI and seeding, which run as the operator.
    pub async fn create_user(&self, actor: Option<&Actor>, input: NewUser) -> AppResult<User> {
        if let Some(actor) = actor {
            actor.require(Permission::UserAdmin)?;
        }
        let email = EmailAddress::parse("email", &input.email)?;
        let name = require_text("name", &input.name, 200)?;
        let password = input.password;
        let password_hash = tokio::task::spawn_blocking(move || password::hash_password(&password))
            .await
            .map_err(AppError::internal)??;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let taken = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&transaction)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict(format!(
                "A user with e-mail {} already exists.",
                email.as_str()
            )));
        }
        let model = user::ActiveModel {
            email: Set(email.as_str().to_string()),
            name: Set(name),
            role: Set(input.role.as_str().to_string()),
            password_hash: Set(password_hash),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let user = User::try_from(model)?;
        audit::record(
            &transaction,
            actor,
            now,
            AuditRecord::<(), User> {
                action: "user.create",
                entity_type: "user",
                entity_id: user.id.to_string(),
                before: None,
                after: Some(&user),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(user)
    }
}

impl AuthService {
    pub async fn user_exists(&self, email: &str) -> AppResult<bool> {
        Ok(self.find_by_email(email).await?.is_some())
    }

    pub async fn find_by_email(&self, email: &str) -> AppResult<Option<User>> {
        user::Entity::find()
            .filter(user::Column::Email.eq(email.trim().to_ascii_lowercase()))
            .one(&self.db)
            .await?
            .map(User::try_from)
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_grows_after_three_failures_and_is_capped() {
        // Proves repeated failures slow sign-in down, up to fifteen minutes.
        assert_eq!(lockout_after(2), None);
        assert_eq!(lockout_after(3), Some(Duration::seconds(1)));
        assert_eq!(lockout_after(6), Some(Duration::seconds(8)));
        assert_eq!(
            lockout_after(40),
            Some(Duration::seconds(MAX_LOCKOUT_SECONDS))
        );
    }
}
