//! Sign-in, the current user and user administration.

use super::types::{User, UserConnection};
use super::{actor, app};
use crate::access::Role;
use crate::auth::NewUser;
use crate::pagination::PageRequest;
use crate::values::parse_id;
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user, with the permissions their role holds.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(app(ctx).auth.me(actor(ctx)?).await?.into())
    }

    /// Users by name; filter by role (e.g. AE for the deal form) or search name and e-mail.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        role: Option<Role>,
        search: Option<String>,
    ) -> async_graphql::Result<UserConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let users = app(ctx)
            .auth
            .list_users(actor(ctx)?, role, search, page)
            .await?;
        Ok(UserConnection::from_page(users, User::from))
    }
}

#[derive(InputObject)]
struct LoginInput {
    email: String,
    password: String,
}

#[derive(SimpleObject)]
struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    expires_at: DateTime<Utc>,
    user: User,
}

#[derive(InputObject)]
struct UserCreateInput {
    email: String,
    name: String,
    role: Role,
    /// At least 10 characters.
    password: String,
}

#[derive(SimpleObject)]
struct UserCreatePayload {
    user: User,
}

#[derive(InputObject)]
struct UserRoleSetInput {
    user_id: ID,
    role: Role,
}

#[derive(InputObject)]
struct UserIdInput {
    user_id: ID,
}

#[derive(SimpleObject)]
struct UserPayload {
    user: User,
}

#[derive(SimpleObject)]
struct LogoutPayload {
    /// Always true: every token issued to the caller so far no longer works.
    signed_out: bool,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Exchanges e-mail and password for a token. Repeated failures for one e-mail are slowed down.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<LoginPayload> {
        let result = app(ctx).auth.login(&input.email, &input.password).await?;
        Ok(LoginPayload {
            token: result.token,
            expires_at: result.expires_at,
            user: result.user.into(),
        })
    }

    async fn user_create(
        &self,
        ctx: &Context<'_>,
        input: UserCreateInput,
    ) -> async_graphql::Result<UserCreatePayload> {
        let new_user = NewUser {
            email: input.email,
            name: input.name,
            role: input.role,
            password: input.password,
        };
        let user = app(ctx)
            .auth
            .create_user(Some(actor(ctx)?), new_user)
            .await?;
        Ok(UserCreatePayload { user: user.into() })
    }

    /// Gives a user another role (admin; not one's own). It applies to their next request.
    async fn user_role_set(
        &self,
        ctx: &Context<'_>,
        input: UserRoleSetInput,
    ) -> async_graphql::Result<UserPayload> {
        let user_id = parse_id("userId", &input.user_id)?;
        let user = app(ctx)
            .auth
            .set_role(actor(ctx)?, user_id, input.role)
            .await?;
        Ok(UserPayload { user: user.into() })
    }

    /// Deactivates a user (admin; not oneself): sign-in is refused and their tokens stop working.
    async fn user_deactivate(
        &self,
        ctx: &Context<'_>,
        input: UserIdInput,
    ) -> async_graphql::Result<UserPayload> {
        let user_id = parse_id("userId", &input.user_id)?;
        let user = app(ctx).auth.deactivate(actor(ctx)?, user_id).await?;
        Ok(UserPayload { user: user.into() })
    }

    /// Lets a deactivated user sign in again.
    async fn user_reactivate(
        &self,
        ctx: &Context<'_>,
        input: UserIdInput,
    ) -> async_graphql::Result<UserPayload> {
        let user_id = parse_id("userId", &input.user_id)?;
        let user = app(ctx).auth.reactivate(actor(ctx)?, user_id).await?;
        Ok(UserPayload { user: user.into() })
    }

    /// Signs the caller out on every device: all their tokens stop working.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<LogoutPayload> {
        app(ctx).auth.sign_out(actor(ctx)?).await?;
        Ok(LogoutPayload { signed_out: true })
    }
}
