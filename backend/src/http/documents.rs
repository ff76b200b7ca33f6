//! `POST /api/contracts/{id}/documents?fileName=…`: the signed contract or SOW as a PDF, raw in
//! the body (at most `deals::documents::MAX_DOCUMENT_BYTES`); `GET /api/contract-documents/{id}/file`
//! downloads it again. The list is read through GraphQL (`Contract.documents`).

use super::{caller_of, download, failure, HttpState};
use crate::error::AppError;
use crate::graphql::Caller;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AttachQuery {
    file_name: String,
}

pub(super) async fn attach(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(contract_id): Path<String>,
    Query(query): Query<AttachQuery>,
    body: Bytes,
) -> Response {
    let actor = match caller_of(&state, &headers).await {
        Caller::SignedIn(actor) => actor,
        Caller::Refused(reason) => return failure(AppError::Unauthenticated(reason)),
        _ => return failure(AppError::Unauthenticated("Sign in first.".into())),
    };
    match state
        .app
        .deals
        .attach_document(&actor, &contract_id, &query.file_name, &body)
        .await
    {
        Ok(document) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": document.id.to_string(),
                "fileName": document.file_name,
                "fileBytes": document.file_bytes,
                "fileSha256": document.file_sha256,
            })),
        )
            .into_response(),
        Err(error) => failure(error),
    }
}

pub(super) async fn file(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let app = state.app.clone();
    download(
        &state,
        &headers,
        &id,
        "contract document",
        |actor, id| async move { app.deals.document_file(&actor, id).await },
    )
    .await
}
