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
    /// A failure of ours (database, serialisation, arithmetic that must not fail): what was being
    /// done, with the error that caused it kept as its source for the log.
    Internal(InternalError),
}

/// What was being done when something failed on our side, and the underlying error (its own
/// causes included) as `source()`, so the log shows the whole chain and not one flattened line.
#[derive(Debug)]
pub struct InternalError {
    context: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl InternalError {
    pub fn new(context: impl Into<String>) -> InternalError {
        InternalError {
            context: context.into(),
            source: None,
        }
    }

    pub fn caused_by(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> InternalError {
        InternalError {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The context and every cause, outermost first, joined by ": " (for logs and operators).
    pub fn chain(&self) -> String {
        let mut text = self.context.clone();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            next = cause.source();
        }
        text
    }
}

impl std::fmt::Display for InternalError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.chain())
    }
}

impl std::error::Error for InternalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
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
        AppError::Internal(InternalError::new(cause.to_string()))
    }

    /// An internal failure while doing `context`, keeping `source` (and its causes) for the log.
    pub fn caused_by(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> AppError {
        AppError::Internal(InternalError::caused_by(context, source))
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
        AppError::caused_by("database", error)
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
        AppError::caused_by("json", error)
    }
}

/// Money errors without a field are internal arithmetic failures; input parsing attaches a field
/// with `money_field` instead.
impl From<MoneyError> for AppError {
    fn from(error: MoneyError) -> AppError {
        AppError::caused_by("money", error)
    }
}

impl From<AllocationError> for AppError {
    fn from(error: AllocationError) -> AppError {
        AppError::caused_by("allocation", error)
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
                tracing::error!(%reference, cause = %cause.chain(), "internal error");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_keep_their_cause_for_the_log_and_hide_it_from_clients() {
        // Proves a database failure keeps the driver's error as its source (the log shows the
        // whole chain), while the client gets only the generic message and a reference.
        let error = AppError::from(sea_orm::DbErr::Custom("connection reset by peer".into()));
        let AppError::Internal(internal) = &error else {
            panic!("a database error is internal: {error:?}");
        };
        let source = std::error::Error::source(internal).expect("the database error is kept");
        assert!(source.to_string().contains("connection reset by peer"));
        assert!(internal.chain().starts_with("database: "));
        assert!(internal.chain().contains("connection reset by peer"));
        assert!(error.message().contains("connection reset by peer"));
        let graphql = async_graphql::Error::from(error);
        assert!(
            !graphql.message.contains("connection reset"),
            "{}",
            graphql.message
        );
        assert!(graphql.message.contains("logged with reference"));
    }

    #[test]
    fn plain_internal_errors_have_no_source() {
        // Proves `internal` (a failure we detected ourselves) reads the same as before.
        let AppError::Internal(internal) = AppError::internal("approval vanished") else {
            panic!("internal");
        };
        assert!(std::error::Error::source(&internal).is_none());
        assert_eq!(internal.chain(), "approval vanished");
    }
}
