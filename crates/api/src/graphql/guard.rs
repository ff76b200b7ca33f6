//! The GraphQL guard: before any top-level field runs, the caller's access is checked against
//! `access::matrix::OPERATIONS`, so the schema repeats exactly what services enforce. A field the
//! matrix does not list is refused to everyone.

use super::errors::coded;
use crate::access::matrix::{operation_access, Access};
use crate::access::Actor;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use std::sync::Arc;

/// What the HTTP layer learned from the `Authorization` header.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    SignedIn(Actor),
    /// A token was sent but refused; the reason is told to the client.
    Refused(String),
}

pub struct AccessGuard;

impl ExtensionFactory for AccessGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AccessGuardExtension)
    }
}

struct AccessGuardExtension;

fn check(caller: Option<&Caller>, parent_type: &str, field: &str) -> async_graphql::Result<()> {
    let access = operation_access(parent_type, field).ok_or_else(|| {
        coded(
            "FORBIDDEN",
            format!("{parent_type}.{field} is not in the permission matrix."),
        )
    })?;
    if access == Access::Public {
        return Ok(());
    }
    let actor = match caller {
        Some(Caller::SignedIn(actor)) => actor,
        Some(Caller::Refused(reason)) => return Err(coded("UNAUTHENTICATED", reason.clone())),
        _ => {
            return Err(coded(
                "UNAUTHENTICATED",
                "Sign in first: send `Authorization: Bearer <token>` from the login mutation.",
            ))
        }
    };
    match access {
        Access::Needs(permission) => actor.require(permission).map_err(Into::into),
        Access::Public | Access::SignedIn => Ok(()),
    }
}

/// The same check for a subscription's field, which the guard's resolve hook does not see (a
/// subscription is set up once, then streams): each subscription calls it first.
pub(crate) fn check_subscription(
    ctx: &async_graphql::Context<'_>,
    field: &str,
) -> async_graphql::Result<()> {
    check(ctx.data_opt::<Caller>(), "Subscription", field)
}

/// Errors raised by async-graphql itself (parse, validation, depth and complexity limits) have no
/// code; give them one so clients can always branch on `extensions.code`.
fn code_for_engine_error(message: &str) -> &'static str {
    let lower = message.to_lowercase();
    if lower.contains("nested too deep") || lower.contains("too complex") || lower.contains("limit")
    {
        "LIMIT"
    } else {
        "VALIDATION"
    }
}

/// Every error of a response with an `extensions.code`.
fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|extensions| extensions.get("code").is_some());
        if !has_code {
            let code = code_for_engine_error(&error.message);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
    response
}

#[async_trait::async_trait]
impl Extension for AccessGuardExtension {
    async fn request(
        &self,
        ctx: &ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        with_codes(next.run(ctx).await)
    }

    /// A subscription's results get the same codes (its validation errors come this way).
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: async_graphql::futures_util::stream::BoxStream<'s, async_graphql::Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> async_graphql::futures_util::stream::BoxStream<'s, async_graphql::Response> {
        use async_graphql::futures_util::StreamExt;
        next.run(ctx, stream).map(with_codes).boxed()
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let is_operation = matches!(info.parent_type, "Query" | "Mutation");
        if is_operation && !info.is_for_introspection && !info.name.starts_with("__") {
            if let Err(error) = check(ctx.data_opt::<Caller>(), info.parent_type, info.name) {
                let mut refused = async_graphql::ServerError::new(error.message, None);
                refused.extensions = error.extensions;
                return Err(refused);
            }
        }
        next.run(ctx, info).await
    }
}
