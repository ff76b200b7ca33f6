//! The only module that speaks GraphQL: it posts `{query, variables}` to `/graphql` with the
//! session's bearer token, and turns `errors[].extensions` into a typed [`ApiError`] that
//! forms can show next to the field the server named.

use gloo_net::http::Request;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};

use crate::components::sort::SortOrder;
use crate::session;

pub(crate) mod ops;
mod receivables;
pub use receivables::*;

mod approvals;
mod audit;
mod auth;
mod bank;
mod billing;
mod collections;
mod commissions;
mod customers;
mod deals;
mod disputes;
mod imports;
mod intake;
mod invoices;
mod ledger;
mod line_activity;
mod metrics;
mod renewals;
mod revenue;
mod service_accounts;
mod settings;
mod trial_balance;
mod user_pickers;
mod users;
mod webhooks;
pub use approvals::*;
pub use audit::*;
pub use auth::*;
pub use bank::*;
pub use billing::*;
pub use collections::*;
pub use commissions::*;
pub use customers::*;
pub use deals::*;
pub use disputes::*;
pub use imports::*;
pub use intake::*;
pub use invoices::*;
pub use ledger::*;
pub use line_activity::*;
pub use metrics::*;
pub use renewals::*;
pub use revenue::*;
pub use service_accounts::*;
pub use settings::*;
pub use trial_balance::*;
pub use user_pickers::*;
pub use users::*;
pub use webhooks::*;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// The `extensions.code` values of the contract, plus the client's own failure to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Forbidden,
    Unauthenticated,
    Conflict,
    Limit,
    Internal,
    /// The request never got a GraphQL answer (offline, server down, not JSON).
    Network,
}

impl ErrorCode {
    fn parse(code: Option<&str>) -> Self {
        match code {
            Some("VALIDATION") => Self::Validation,
            Some("NOT_FOUND") => Self::NotFound,
            Some("FORBIDDEN") => Self::Forbidden,
            Some("UNAUTHENTICATED") => Self::Unauthenticated,
            Some("CONFLICT") => Self::Conflict,
            Some("LIMIT") => Self::Limit,
            _ => Self::Internal,
        }
    }
}

/// One error from the server, in its own words.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorItem {
    pub code: ErrorCode,
    pub message: String,
    /// The input field it concerns, camelCase and dotted ("billingContact.email").
    pub field: Option<String>,
}

/// Everything that went wrong with one request.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub items: Vec<ErrorItem>,
}

impl ApiError {
    fn single(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            items: vec![ErrorItem {
                code,
                message: message.into(),
                field: None,
            }],
        }
    }

    fn network(detail: impl std::fmt::Display) -> Self {
        Self::single(
            ErrorCode::Network,
            format!("Could not reach the server ({detail}). Check your connection and try again."),
        )
    }

    /// A message the client itself raises for a field, before asking the server.
    pub fn for_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            items: vec![ErrorItem {
                code: ErrorCode::Validation,
                message: message.into(),
                field: Some(field.to_string()),
            }],
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.items
            .first()
            .map_or(ErrorCode::Internal, |item| item.code.clone())
    }

    pub fn is_forbidden(&self) -> bool {
        self.items
            .iter()
            .any(|item| item.code == ErrorCode::Forbidden)
    }

    /// The messages for one field, joined; a field also collects errors about its nested
    /// fields ("tcv" shows "tcv.amount").
    pub fn field(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .items
            .iter()
            .filter(|item| {
                item.field.as_deref().is_some_and(|named| {
                    named == field
                        || named
                            .strip_prefix(field)
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            })
            .map(|item| item.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    /// Whether any error names a field (so the form can say "see the fields below").
    pub fn has_field_errors(&self) -> bool {
        self.items.iter().any(|item| item.field.is_some())
    }

    /// All messages in one sentence list, for a banner.
    pub fn summary(&self) -> String {
        self.items
            .iter()
            .map(|item| item.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.summary())
    }
}

impl std::error::Error for ApiError {}

#[derive(Deserialize)]
struct Envelope {
    data: Option<Value>,
    errors: Option<Vec<WireError>>,
}

#[derive(Deserialize)]
struct WireError {
    message: String,
    #[serde(default)]
    extensions: Option<WireExtensions>,
}

#[derive(Deserialize)]
struct WireExtensions {
    code: Option<String>,
    field: Option<String>,
}

impl From<WireError> for ErrorItem {
    fn from(wire: WireError) -> Self {
        let (code, field) = match wire.extensions {
            Some(extensions) => (extensions.code, extensions.field),
            None => (None, None),
        };
        ErrorItem {
            code: ErrorCode::parse(code.as_deref()),
            message: wire.message,
            field,
        }
    }
}

/// Sends one GraphQL operation and decodes `data` into `T`.
///
/// A request that carried a token and is refused as unauthenticated ends the session: the token
/// expired or was revoked, and the user must sign in again.
async fn execute<T: DeserializeOwned>(query: &str, variables: Value) -> Result<T, ApiError> {
    let token = session::token();
    let mut request = Request::post("/graphql").header("Accept", "application/json");
    if let Some(token) = &token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .json(&json!({ "query": query, "variables": variables }))
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let status = response.status();
    let envelope: Result<Envelope, _> = response.json().await;
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(_) if status == 401 => Envelope {
            data: None,
            errors: Some(vec![WireError {
                message: "Your session has ended. Please sign in again.".into(),
                extensions: Some(WireExtensions {
                    code: Some("UNAUTHENTICATED".into()),
                    field: None,
                }),
            }]),
        },
        Err(error) => return Err(ApiError::network(format!("HTTP {status}: {error}"))),
    };
    if let Some(errors) = envelope.errors.filter(|errors| !errors.is_empty()) {
        let error = ApiError {
            items: errors.into_iter().map(ErrorItem::from).collect(),
        };
        if token.is_some() && error.code() == ErrorCode::Unauthenticated {
            session::expire();
        }
        return Err(error);
    }
    let data = envelope
        .data
        .ok_or_else(|| ApiError::single(ErrorCode::Internal, "The server sent no data."))?;
    serde_json::from_value(data).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("The server's answer did not match what this page expects: {error}"),
        )
    })
}

/// Sends one operation typed from `schema.graphql` (see [`ops`]) and decodes the single
/// top-level field `name` of its `data` into `T`.
async fn field<Q, T>(name: &str, variables: Q::Variables) -> Result<T, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    take_field(data::<Q, _>(variables).await?, name)
}

/// The top-level field `name` of an answer's `data`, decoded into `T`.
fn take_field<T: DeserializeOwned>(
    mut data: serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, ApiError> {
    let value = data.remove(name).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("The server's answer did not match what this page expects: {error}"),
        )
    })
}

/// Sends one operation typed from `schema.graphql` and decodes its whole `data` into `T` (for
/// operations that read several top-level fields).
async fn data<Q, T>(variables: Q::Variables) -> Result<T, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    let body = Q::build_query(variables);
    let variables = serde_json::to_value(&body.variables).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("This page could not write its request: {error}"),
        )
    })?;
    execute(body.query, variables).await
}

/// A lookup by a list of ids (`customersByIds` and its like): the ids once each, a page of
/// them per request, the found items in one list.
async fn by_ids<Q, T>(
    name: &str,
    ids: Vec<String>,
    variables: impl Fn(Vec<String>) -> Q::Variables,
) -> Result<Vec<T>, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    /// The server's cap on ids per lookup.
    const IDS_PER_REQUEST: usize = 100;
    let mut unique = ids;
    unique.sort();
    unique.dedup();
    let mut found = Vec::with_capacity(unique.len());
    for chunk in unique.chunks(IDS_PER_REQUEST) {
        let page: Vec<T> = field::<Q, _>(name, variables(chunk.to_vec())).await?;
        found.extend(page);
    }
    Ok(found)
}

/// A schema enum from the text a form holds; text the schema does not know is sent as it is,
/// and the server refuses it by the field's name.
fn enum_value<E: DeserializeOwned>(text: impl Into<String>) -> E {
    // A generated enum reads any string (unknown ones as its `Other` variant), so this cannot fail.
    serde_json::from_value(Value::String(text.into())).unwrap_or_else(|_| unreachable!())
}

/// An input object a form built as JSON, read into the operation's generated input type, so a
/// key the schema lacks is caught here rather than sent.
fn input_value<I: DeserializeOwned>(input: Value) -> Result<I, ApiError> {
    serde_json::from_value(input).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("This page built an input the server does not take: {error}"),
        )
    })
}

/// A list's `sort` and `direction` variables from the page's order: its key in the URL is the
/// schema's column name in lower case (`?sort=due_date` is `DUE_DATE`).
fn sort_variables<S: DeserializeOwned, D: DeserializeOwned>(
    order: &SortOrder,
) -> (Option<S>, Option<D>) {
    let direction = if order.descending { "DESC" } else { "ASC" };
    (
        Some(enum_value(order.key.to_ascii_uppercase())),
        Some(enum_value(direction)),
    )
}

/// The file name in a `Content-Disposition` header (`inline; filename="INV-1.pdf"`).
fn disposition_filename(header: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("filename="))
        .map(|name| name.trim_matches('"').to_string())
        .find(|name| !name.is_empty())
}

#[derive(Deserialize)]
struct HttpError {
    code: Option<String>,
    message: String,
}

// ---------------------------------------------------------------------------------------------
// Types (the parts of the schema the web app reads)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

/// A user as pickers list them: name and role.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOption {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

impl Money {
    pub fn display(&self) -> String {
        crate::format::money(&self.amount, &self.currency)
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub nodes: Vec<T>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub kind: String,
    pub masked_reference: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_collect_nested_fields_but_not_lookalikes() {
        let error = ApiError {
            items: vec![
                ErrorItem {
                    code: ErrorCode::Validation,
                    message: "Enter an amount.".into(),
                    field: Some("tcv.amount".into()),
                },
                ErrorItem {
                    code: ErrorCode::Validation,
                    message: "Too long.".into(),
                    field: Some("tcvNote".into()),
                },
            ],
        };
        assert_eq!(error.field("tcv").as_deref(), Some("Enter an amount."));
        assert_eq!(error.field("arr"), None);
        assert!(error.has_field_errors());
    }

    #[test]
    fn pdf_file_name_comes_from_the_disposition_header() {
        assert_eq!(
            disposition_filename("inline; filename=\"INV-2026-0001.pdf\"").as_deref(),
            Some("INV-2026-0001.pdf")
        );
        assert_eq!(disposition_filename("inline"), None);
    }
}
