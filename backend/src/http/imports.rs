//! `POST /api/imports`: the upload of an import file (CSV or XLSX, raw in the body, up to
//! `imports::MAX_FILE_BYTES`). It answers with the import's id, status and counts; the rows'
//! errors and the preview are read through GraphQL (`import(id)`), and `importCommit` writes it.

use super::{caller_of, failure, HttpState};
use crate::error::AppError;
use crate::graphql::Caller;
use crate::imports::{ImportKind, Upload};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UploadQuery {
    /// `customers` or `open_invoices`.
    kind: String,
    file_name: String,
    /// YYYY-MM-DD, for opening balances.
    cutover_date: Option<String>,
}

fn parse(query: UploadQuery) -> Result<Upload, AppError> {
    let kind = ImportKind::parse(query.kind.trim()).ok_or_else(|| {
        AppError::validation(
            "kind",
            format!(
                "\"{}\" is not an import kind; use one of: {}.",
                query.kind,
                ImportKind::ALL.map(|kind| kind.as_str()).join(", ")
            ),
        )
    })?;
    let cutover_date = match query.cutover_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                AppError::validation(
                    "cutoverDate",
                    format!("\"{text}\" is not a date (YYYY-MM-DD)."),
                )
            })?,
        ),
    };
    Ok(Upload {
        kind,
        file_name: query.file_name,
        cutover_date,
    })
}

pub(super) async fn upload(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<UploadQuery>,
    body: Bytes,
) -> Response {
    let actor = match caller_of(&state, &headers).await {
        Caller::SignedIn(actor) => actor,
        Caller::Refused(reason) => return failure(AppError::Unauthenticated(reason)),
        _ => return failure(AppError::Unauthenticated("Sign in first.".into())),
    };
    let upload = match parse(query) {
        Ok(upload) => upload,
        Err(error) => return failure(error),
    };
    // Validation of a large file outlives a caller who gives up; run it to its end regardless,
    // so what is stored is always a whole result.
    let service = state.app.imports.clone();
    let task = tokio::spawn(async move { service.upload(&actor, upload, &body).await });
    match task.await {
        Ok(Ok(record)) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": record.id.to_string(),
                "status": record.status.as_str(),
                "rowCount": record.row_count,
                "errorCount": record.error_count,
                "records": record.preview.records,
            })),
        )
            .into_response(),
        Ok(Err(error)) => failure(error),
        Err(error) => failure(AppError::internal(format!("import upload task: {error}"))),
    }
}
