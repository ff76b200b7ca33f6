//! Each request's id and measurements: an `x-request-id` (the caller's when it is a plain token,
//! else a new one) on the request, its response and every log line of its span; the route,
//! status and latency counted for `GET /metrics`; a GraphQL operation's label.

use crate::app::App;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// The request id a caller sent, if it is a short plain token (it goes into logs and headers).
pub fn request_id_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            (1..=64).contains(&value.len())
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
}

pub async fn observe_request(
    State(app): State<App>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = request_id_of(request.headers())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let header = HeaderValue::from_str(&request_id).ok();
    if let Some(value) = &header {
        request.headers_mut().insert(REQUEST_ID, value.clone());
    }
    // Unmatched paths (the web app's deep links, scanners) share one label, bounding the series.
    let route = matched.map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %request_id, route = %route);
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span).await;
    if let Some(value) = header {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    app.telemetry
        .http_request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// A GraphQL request's label for metrics: its operation name, else its first top-level field.
pub fn operation_label(request: &async_graphql::Request) -> String {
    if let Some(name) = &request.operation_name {
        return name.clone();
    }
    use async_graphql::parser::types::{DocumentOperations, Selection};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return "invalid".to_owned();
    };
    let DocumentOperations::Single(operation) = document.operations else {
        return "unnamed".to_owned();
    };
    operation
        .node
        .selection_set
        .node
        .items
        .iter()
        .find_map(|item| match &item.node {
            Selection::Field(field) => Some(field.node.name.node.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "unnamed".to_owned())
}

/// Refuses a request with a NUL character in its query or any variable: no field of ours has a
/// use for one, SQLite would store it, and PostgreSQL rejects it mid-transaction (which would
/// surface as INTERNAL). The error names the variable's path.
pub fn refuse_nul_characters(request: &async_graphql::Request) -> Option<async_graphql::Response> {
    fn find(value: &async_graphql::Value, path: String) -> Option<String> {
        use async_graphql::Value;
        match value {
            Value::String(text) if text.contains('\0') => Some(path),
            Value::List(items) => items
                .iter()
                .enumerate()
                .find_map(|(index, item)| find(item, format!("{path}.{index}"))),
            Value::Object(fields) => fields
                .iter()
                .find_map(|(name, item)| find(item, format!("{path}.{name}"))),
            _ => None,
        }
    }
    let field = if request.query.contains('\0') {
        Some("query".to_owned())
    } else {
        request
            .variables
            .iter()
            .find_map(|(name, value)| find(value, name.to_string()))
    }?;
    let mut error = async_graphql::ServerError::new(
        format!("{field} contains a NUL character (U+0000); remove it."),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "VALIDATION");
    extensions.set("field", field);
    error.extensions = Some(extensions);
    Some(async_graphql::Response::from_errors(vec![error]))
}

/// Compares secrets in time independent of where they first differ.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}
