//! GraphQL errors raised by the API layer itself (before any service runs). Service errors
//! become GraphQL errors in one place, `From<AppError> for async_graphql::Error` in
//! `revops_core::error` (the orphan rule puts the impl beside `AppError`).

use async_graphql::ErrorExtensions;

pub fn coded(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into())
        .extend_with(|_, extensions| extensions.set("code", code))
}
