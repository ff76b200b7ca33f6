//! The one place where service errors become GraphQL errors with `extensions.code`.

use crate::error::AppError;
use async_graphql::ErrorExtensions;

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> async_graphql::Error {
        let code = error.code();
        match error {
            AppError::Validation { field, message } => async_graphql::Error::new(message)
                .extend_with(|_, extensions| {
                    extensions.set("code", code);
                    extensions.set("field", field);
                }),
            AppError::Denied {
                permission,
                message,
            } => async_graphql::Error::new(message).extend_with(|_, extensions| {
                extensions.set("code", code);
                extensions.set("permission", permission);
            }),
            AppError::Internal(cause) => {
                // The cause goes to the log with a reference; the client gets the reference only.
                let reference = uuid::Uuid::new_v4().simple().to_string();
                tracing::error!(%reference, cause = %cause, "internal error");
                async_graphql::Error::new(format!(
                    "Something went wrong on our side. It has been logged with reference {}.",
                    &reference[..12]
                ))
                .extend_with(|_, extensions| extensions.set("code", code))
            }
            other => async_graphql::Error::new(other.message())
                .extend_with(|_, extensions| extensions.set("code", code)),
        }
    }
}

pub fn coded(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into())
        .extend_with(|_, extensions| extensions.set("code", code))
}
