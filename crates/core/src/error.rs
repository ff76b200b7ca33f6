//! The one error type services return, with the stable codes of DESIGN law 6.
//!
//! Every area speaks this vocabulary so the GraphQL layer maps errors in exactly one place.
//! Database and other internal failures keep their cause for the log and reach clients only as
//! `INTERNAL` with a generic message.

use crate::money::{AllocationError, MoneyError};
use async_graphql::ErrorExtensions;

/// Deliberately without `Display`: async-graphql converts any `Display` type into a code-less
/// error, so leaving it out forces every resolver through the one mapping in `graphql::errors`.
#[derive(Debug)]
pub enum AppError {
    /// Input that breaks a rule; `field` names the input field (camelCase, dotted for nesting).
    Validation {
        field: String,
        message: String,
    },
    NotFound(String),
    Forbidden(String),
    /// The role lacks a permission of the matrix; `permission` names it for clients and tests.
    Denied {
        permission: &'static str,
        message: String,
    },
    Unauthenticated(String),
    Conflict(String),
    Limit(String),
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound(what.into())
    }

    /// The sentence for a person (internal causes included; callers decide what to reveal).
    pub fn message(&self) -> String {
        match self {
            AppError::Validation { message, .. } | AppError::Denied { message, .. } => {
                message.clone()
            }
            AppError::NotFound(message)
            | AppError::Forbidden(message)
            | AppError::Unauthenticated(message)
            | AppError::Conflict(message)
            | AppError::Limit(message) => message.clone(),
            AppError::Internal(cause) => format!("internal error: {cause}"),
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        AppError::Internal(cause.to_string())
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "VALIDATION",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Forbidden(_) | AppError::Denied { .. } => "FORBIDDEN",
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Conflict(_) => "CONFLICT",
            AppError::Limit(_) => "LIMIT",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// Prefixes the field of a validation error, so nested input reports "billingContact.email".
    pub fn within(self, parent: &str) -> AppError {
        match self {
            AppError::Validation { field, message } => AppError::Validation {
                field: format!("{parent}.{field}"),
                message,
            },
            other => other,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> AppError {
        AppError::Internal(format!("database: {error}"))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> AppError {
        match error {
            sea_orm::TransactionError::Connection(error) => error.into(),
            sea_orm::TransactionError::Transaction(error) => error,
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(error: serde_json::Error) -> AppError {
        AppError::Internal(format!("json: {error}"))
    }
}

/// Money errors without a field are internal arithmetic failures; input parsing attaches a field
/// with `money_field` instead.
impl From<MoneyError> for AppError {
    fn from(error: MoneyError) -> AppError {
        AppError::Internal(format!("money: {error}"))
    }
}

impl From<AllocationError> for AppError {
    fn from(error: AllocationError) -> AppError {
        AppError::Internal(format!("allocation: {error}"))
    }
}

/// The one place where service errors become GraphQL errors with `extensions.code` (and
/// `field` or `permission` where the client needs it to point at the cause).
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
